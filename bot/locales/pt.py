"""Portuguese, in its Brazilian form (pt-BR, você): every sentence the bot says (HTML for Telegram) and its
command menu. Telegram users set to European Portuguese get it too: there is one "pt" catalogue."""

DECIMAL_SEPARATOR = ","  # in sizes: 21,5 MB

MESSAGES: dict[str, str] = {
    "start": "Oi, {name}! Eu entendo fotos.\n\n"
             "Me mande uma foto: eu respondo com hashtags que combinam com ela e as fotos mais parecidas que "
             "conheço.\n"
             "Ou pesquise: <code>/find uma xícara de café</code>\n\n"
             "/help mostra tudo o que eu sei fazer.",
    "help": "<b>O que eu faço</b>\n"
            "• Mande uma foto → hashtags + fotos parecidas (com legenda: hashtags da foto e do texto)\n"
            "• Vídeos, GIFs e mensagens de vídeo funcionam como fotos (eu olho alguns dos seus quadros)\n"
            "• Leio o texto nas fotos: <code>/find</code> encontra uma foto pelas suas palavras, <code>/captions</code> mostra-as\n"
            "• Mande uma legenda que você está escrevendo (ou <code>/hashtags suas palavras</code>) → hashtags + "
            "fotos que combinam\n"
            "• <code>/hashtags</code>, <code>/similar</code>, <code>/captions</code> — como legenda de uma foto ou "
            "em resposta a uma foto\n"
            "• <code>/find uma xícara de café</code> → fotos que combinam\n"
            "• <code>/find à noite</code> em resposta a uma foto → como essa foto, mas à noite\n"
            "• Modo inline: digite <code>@{bot} bicicleta vermelha</code> em qualquer conversa\n"
            "• <code>/map</code> → as fotos desta conversa agrupadas por semelhança em uma só imagem; <code>/map "
            "#food</code> ou <code>/map cachorros</code> para só algumas; <code>/clusters</code> lista os grupos\n\n"
            "<b>Em grupos</b> eu reúno as fotos postadas e aviso quando alguém posta uma foto repetida, com "
            "botões para os admins (“Não é repetida”, “Apagar”).\n"
            "• <code>/dupes</code> — mostra as configurações; admins: <code>/dupes reply|delete|off</code>, "
            "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window 30</code> (dias), "
            "<code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, <code>/dupes "
            "minsize 128</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>\n"
            "• <code>/stats</code> — o que eu sei desta conversa, e quem repete o quê\n"
            "• <code>/forget</code> em resposta a uma foto — esquecer essa foto (quem postou ou um admin); "
            "sozinho — admins: apagar tudo o que guardei desta conversa",
    "hashtags": "<b>Hashtags</b> (toque para copiar):\n<code>{line}</code>\n{scored}",
    "no_hashtags": "Nenhuma hashtag combina bem o bastante com esta foto ainda: nada do que eu conheço se parece "
                   "com ela.",
    "nothing_yet_hint": "Por enquanto conheço poucas fotos. Me mande mais fotos com legenda e minhas respostas vão "
                        "melhorar.",
    "nothing_yet_hint_group": "Por enquanto conheço poucas fotos. Postem mais fotos com legenda neste grupo e "
                              "minhas respostas vão melhorar.",
    "text_hashtags": "<b>Hashtags para o seu texto</b> (toque para copiar):\n<code>{line}</code>\n{scored}",
    "hashtag_scores": "<i>Pontuações, na ordem: {scores}</i>",
    "hashtag_scores_one": "<i>Pontuação: {scores}</i>",
    "no_text_hashtags": "Ainda não conheço hashtags que combinem com essas palavras.",
    "from_words": "✍️ da sua legenda: {tags}",
    "from_photo_text": "🔤 escrito na foto: {tags}",
    "similar_none": "Ainda não conheço nenhuma foto parecida com esta.",
    "similar_only_itself": "Ainda não conheço nenhuma foto parecida com esta, além das suas cópias.",
    "no_hashtags_video": "Nenhuma hashtag combina bem o bastante com este vídeo ainda: nada do que eu conheço se parece com ele.",
    "similar_none_video": "Ainda não conheço nada parecido com este vídeo.",
    "similar_only_itself_video": "Ainda não conheço nada parecido com este vídeo, além das suas cópias.",
    "no_captions_video": "Ainda não conheço legendas que combinem com este vídeo.",
    "video_text": "<b>Texto neste vídeo</b>:\n<blockquote>{text}</blockquote>",
    "similar_none_album": "Ainda não conheço nenhuma foto parecida com estas.",
    "similar_only_themselves": "Ainda não conheço nenhuma foto parecida com estas, além delas mesmas.",
    "album_photo_none": "Foto {n}: nenhuma hashtag combina ainda",
    "similar_caption": "{score:.2f} de semelhança",
    "match_caption": "{score:.2f} de correspondência",
    "words_caption": "{score:.2f} de correspondência com as palavras da foto ou da sua legenda",
    "captions": "<b>Legendas que combinam</b>:\n{lines}",
    "photo_text": "<b>Texto nesta foto</b>:\n<blockquote>{text}</blockquote>",
    "photo_text_unreadable": "<i>Esta foto tem texto numa escrita que ainda não sei ler (leio línguas de alfabeto latino, chinês e japonês).</i>",
    "no_captions": "Ainda não conheço legendas que combinem com esta foto.",
    "find_results": "Fotos para “{query}”:",
    "find_none": "Nenhuma foto combina com “{query}” ainda. Tente outras palavras.",
    "find_usage": "Me diga o que procurar, por exemplo <code>/find uma xícara de café</code>.",
    "need_photo": "Envie este comando como legenda de uma foto ou em resposta a uma foto.",
    "hashtags_usage": "Envie /hashtags como legenda de uma foto, em resposta a uma foto ou seguido de algumas palavras: <code>/hashtags um cão na praia</code>.",
    "album": "Álbum de {n} fotos:",
    "album_photo": "Foto {n}: <code>{line}</code>",
    "bad_photo": "Não consegui ler esta foto ({reason}). Envie uma imagem JPEG, PNG, WebP ou HEIC.",
    "bad_video": "Não consegui ler este vídeo ({reason}). Envie um vídeo MP4 ou um GIF.",
    "video_title": "Vídeo",  # an inline result showing a video without a caption
    "bad_photo_empty": "o arquivo está vazio",
    "bad_photo_corrupt": "o arquivo está danificado ou incompleto",
    "bad_photo_pixels": "ela tem pixels demais",
    "bad_photo_bytes": "o arquivo é maior do que eu consigo ler",
    "too_big": "Este arquivo é grande demais ({size} MB); eu leio fotos de até {limit} MB.",
    "not_an_image_file": "Este ficheiro não é uma imagem que eu consiga ler. Envie uma foto ou um ficheiro de imagem (JPEG, PNG, WebP, HEIC).",
    "not_a_photo": "Eu só entendo fotos. Envie como foto ou como arquivo de imagem.",
    "sticker_moving": "Só consigo ver figurinhas estáticas, e esta é animada. Envie uma foto, um arquivo de imagem ou uma figurinha estática.",
    "text_hint": "Me mande uma foto ou uma legenda, ou pesquise com <code>/find suas palavras</code>. /help mostra "
                 "tudo.",
    "unknown_command": "Não conheço esse comando. /help mostra o que eu sei fazer.",
    "queued": "É muita coisa de uma vez: respondo tudo em ordem, cerca de {per_minute} por minuto ({waiting} na "
              "fila). Nada se perde.",
    "error": "Desculpe, algo deu errado do meu lado. Tente de novo daqui a pouco.",
    "storage_down": "Minha memória de fotos está indisponível agora. Tente de novo em um minuto; nada foi perdido.",
    "repost": "Esta foto já foi postada aqui{when}: {link}",
    "repost_deleted": "Removi uma foto repetida que já tinha sido compartilhada aqui: {link}",
    "repost_video": "Este vídeo já foi postado aqui{when}: {link}",
    "repost_video_deleted": "Removi um vídeo repetido que já tinha sido compartilhado aqui: {link}",
    "original": "a original",
    "when_days": " há {n} dias",
    "when_days_one": " há {n} dia",
    "when_today": " hoje",
    "admins_only": "Só os admins do grupo podem mudar isso.",
    "dupes_settings": "<b>Controle de fotos repetidas</b>: {mode}\n"
                      "Sensibilidade: {sensitivity}\n"
                      "Período: {window}\n"
                      "Avisos: {notify}\n"
                      "Encaminhadas: {forwards}\n"
                      "Menor foto verificada: {minsize}\n"
                      "Membro que posta de novo a própria foto: {self_reposts}\nGIFs: {gifs}\n"
                      "\nAdmins: <code>/dupes reply|delete|off</code>, <code>/dupes sensitivity low|normal|high</code>, "
                      "<code>/dupes window DIAS</code>, <code>/dupes notify public|admins</code>, <code>/dupes "
                      "forwards on|off</code>, <code>/dupes minsize N</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>",
    "dupes_bad": "Não entendi “{value}”. Admins: <code>/dupes reply|delete|off</code>, <code>/dupes sensitivity "
                 "low|normal|high</code>, <code>/dupes window DIAS</code> (de 1 a {max_days})"
                 ", <code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, "
                 "<code>/dupes minsize N</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>.",
    "forgot": "Pronto: apaguei as {n} fotos que eu tinha guardado deste grupo.",
    "forgot_private": "Pronto: apaguei as {n} fotos que eu tinha guardado da nossa conversa.",
    "forgot_private_one": "Pronto: apaguei {n} foto que eu tinha guardado da nossa conversa.",
    "stats_private": "<b>Nossa conversa</b>: {chat_posts}.\n"
                     "<b>Biblioteca compartilhada</b>: {public_posts}.\n"
                     "<b>Índice</b>: versão {release}, modelo aprendido {heads}.{jobs}",
    "job_ago": " há {minutes} min",
    "colon": ": ",
    "job_release": "versão {release}",
    "job_name_retrain": "retreinamento",
    "job_name_rebuild": "reconstrução do índice",
    "job_name_snapshot": "snapshot",
    "job_state_running": "em andamento",
    "job_state_done": "concluído",
    "job_state_skipped": "pulado",
    "job_state_failed": "falhou",
    "heads_none": "nenhum ainda (partida a frio)",
    "sensitivity_low": "baixa",
    "sensitivity_normal": "normal",
    "sensitivity_high": "alta",
    "job_few_new": "{new} posts novos com legenda, o treinamento começa a partir de {needed}",
    "job_few_new_one": "{new} post novo com legenda, o treinamento começa a partir de {needed}",
    "job_too_few_to_train": "ainda não há posts com legenda ou hashtags suficientes para treinar",
    "job_few_unseen": "modelo atual mantido: só {unseen} posts de controle para comparar (são necessários {needed})",
    "job_few_unseen_one": "modelo atual mantido: só {unseen} post de controle para comparar (são necessários {needed})",
    "job_worse": "modelo atual mantido: o novo foi pior ({metrics})",
    "job_few_deleted": "{deleted} exclusões, poucas demais para reconstruir",
    "job_few_deleted_one": "{deleted} exclusão, poucas demais para reconstruir",
    "job_shared_backend": "o armazenamento de vetores compacta as exclusões sozinho: não é preciso reconstruir",
    "job_unchanged": "nada mudou",
    "job_failed": "falhou (veja os logs); o índice atual continua funcionando",
    "stats": "<b>Este grupo</b>: {chat_posts}.\n"
             "<b>Biblioteca compartilhada</b>: {public_posts}.\n"
             "Controle de fotos repetidas: {mode}.\n"
             "<b>Índice</b>: versão {release}, modelo aprendido {heads}.{jobs}",
    "job_line": "\n• {job}: {state}{detail}",
    "stats_reading": "\n<b>Texto nas fotos</b>: {text} com texto, {none} sem texto, {waiting} na fila para leitura.",
    "stats_reading_unreadable": " (mais {n} têm texto numa escrita que ainda não sei ler.)",
    "stats_reading_unreadable_one": " (mais {n} tem texto numa escrita que ainda não sei ler.)",
    "stats_migration": "\n• Reprocessando as fotos para o novo modelo de imagem: {done} / {total}",
    "groups_only": "Este comando funciona em grupos.",
    "inline_none": "Nenhuma foto combina",
    "mode_reply": "responder com um link para a original",
    "mode_delete": "apagar as fotos repetidas",
    "mode_off": "desativado",
    "map_drawing": "Desenhando o mapa de {n} fotos… (alguns segundos; o próximo /map sai na hora)",
    "map_empty": "Ainda não há fotos para colocar no mapa aqui: me mande algumas primeiro.",
    "map_public": "Esta conversa ainda não tem fotos próprias: aqui está a coleção pública.",
    "map_document": "Resolução completa",
    "map_title": "{total}{about}{drawn} · {groups}",
    "map_about": " para “{query}”",
    "map_drawn": ", {n} no mapa",
    "map_drawn_one": ", {n} no mapa",
    "map_groups_one": "{n} grupo",
    "map_groups": "{n} grupos",
    "cluster_line": "{number}. {size} — {tags}",
    "clusters_none": "{photos}, mas nenhum grupo de fotos parecidas se destaca (ainda).",
    "clusters_rest": "Sem grupo: {photos}.",
    "dupes_bad_sensitivity": "“{value}” não é uma sensibilidade. Admins: <code>/dupes sensitivity low|normal|high</code>.",
    "dupes_bad_window": "“{value}” não serve como janela: um número de dias de 1 a {max_days}, "
                        "por exemplo <code>/dupes window 30</code>.",
    "cluster_photo": "{number} {tags}",
    "why_neighbours": "visto em {count} publicações parecidas",
    "why_neighbours_one": "visto em uma publicação parecida",
    "why_learned": "aprendido com publicações com hashtags",
    "why_caption_neighbours": "em {count} publicações cuja legenda combina com a foto",
    "why_caption_neighbours_one": "em uma publicação cuja legenda combina com a foto",
    "why_zero_shot": "combina com o que a foto mostra",
    "why_imagenet": "parece com o que a foto mostra",
    "why_in_your_words": "nas suas palavras",
    "why_similar_caption": "em {count} publicações com legenda parecida",
    "why_similar_caption_one": "em uma publicação com legenda parecida",
    "why_means": "diz o mesmo que as suas palavras",
    "why_often_here": "muito usado aqui",
    "why_in_the_photo": "escrito na foto",
    "notify_public": "no grupo",
    "notify_admins": "no privado, para os admins que iniciaram uma conversa comigo",
    "forwards_on": "verificadas como qualquer post",
    "forwards_off": "não verificadas",
    "minsize_px": "{n} px no lado menor",
    "minsize_none": "qualquer tamanho",
    "self_on": "avisado",
    "self_off": "não avisado",
    "gifs_on": "verificados como os vídeos",
    "gifs_off": "não verificados (repostar GIFs é normal; mesmo assim eu os guardo para o /find)",
    "dupes_bad_notify": "“{value}” não é uma opção. Admins: <code>/dupes notify public|admins</code>.",
    "dupes_bad_forwards": "“{value}” não é uma opção. Admins: <code>/dupes forwards on|off</code>.",
    "dupes_bad_minsize": "“{value}” não serve como tamanho: pixels no lado menor, de 0 (sem mínimo) a 4096, por exemplo "
                         "<code>/dupes minsize 128</code>.",
    "dupes_bad_self": "“{value}” não é uma opção. Admins: <code>/dupes self on|off</code>.",
    "dupes_bad_gifs": "“{value}” não é uma opção. Admins: <code>/dupes gifs on|off</code>.",
    "dupes_needs_value": "Qual valor para <code>/dupes {setting}</code>? Estas são as configurações e o que aceitam:",
    "n_days_one": "{n} dia",
    "n_days": "{n} dias",
    "n_photos": "{n} fotos",
    "n_photos_one": "{n} foto",
    "n_photos_stored": "{n} fotos guardadas",
    "n_photos_stored_one": "{n} foto guardada",
    "n_public_photos": "{n} fotos públicas",
    "n_public_photos_one": "{n} foto pública",
    "button_not_repost": "✅ Não é repetida",
    "button_delete": "🗑 Apagar",
    "button_admins_only": "Só os admins do grupo podem fazer isso.",
    "button_cleared": "Anotado: não é repetida. Não vou mais avisar dela em relação àquela foto.",
    "button_already_cleared": "Já feito: {name} indicou que não é repetida.",
    "button_deleted": "Apagada.",
    "button_already_deleted": "Já feito: esta foto repetida foi apagada.",
    "button_cannot_delete": "Não tenho permissão para apagar mensagens neste grupo: me torne admin com “Apagar mensagens”.",
    "button_gone": "Não tenho mais esta foto (ela foi esquecida).",
    "flag_cleared": "✅ Não é repetida: indicado por {name}.",
    "flag_cleared_still_deleted": "✅ Não é uma foto repetida: confirmado por {name}. "
                                  "A foto apagada não pode voltar (não posso postar de novo a mensagem de um membro), mas pode ser postada outra vez: não será mais tomada por uma repetição daquela foto.",
    "flag_deleted": "🗑 Apagada por {name}.",
    "alert": "🔁 Uma foto repetida em <b>{group}</b>, de {author}: {repost}. Postada pela primeira vez{when}: "
             "{original}.",
    "the_repost": "a foto repetida",
    "photo": "foto",
    "photo_today": "uma foto de hoje",
    "photo_days_ago": "uma foto de {n} dias atrás",
    "photo_days_ago_one": "uma foto de {n} dia atrás",
    "no_admin_reachable": "Os avisos de fotos repetidas devem ir para os admins no privado, mas nenhum deles iniciou "
                          "ainda uma conversa comigo (abra @{bot} e toque em Iniciar). Até lá, aviso aqui.",
    "cannot_delete": "Admins: devo apagar as fotos repetidas, mas não tenho permissão para apagar mensagens aqui. Me "
                     "tornem admin com “Apagar mensagens”, ou escolham <code>/dupes reply</code>. Até lá, respondo "
                     "com um link.",
    "privacy_blind": "⚠️ Não vejo as fotos que os membros postam aqui: meu modo de privacidade está ativado e não "
                     "sou admin deste grupo. Me torne admin (ou desative a privacidade com /setprivacy no @BotFather "
                     "e me adicione de novo).",
    "forget_confirm": "Apagar as {n} fotos que guardei deste grupo? Isso não pode ser desfeito.",
    "forget_confirm_one": "Apagar {n} foto que guardei deste grupo? Isso não pode ser desfeito.",
    "button_forget_yes": "Sim, apagar",
    "button_forget_no": "Não, manter",
    "forget_kept": "Nada foi apagado: mantenho as fotos.",
    "forgot_this_photo": "Pronto: esqueci esta foto.",
    "forgot_one": "Pronto: apaguei {n} foto que eu tinha guardado deste grupo.",
    "forget_not_yours": "Só quem postou a foto ou um admin pode me fazer esquecê-la.",
    "forget_unknown": "Não guardei esta foto.",
    "forget_nothing": "Não tenho fotos guardadas deste grupo.",
    "forget_all_admins_only": "Só os admins do grupo podem me fazer esquecer todas as fotos dele. Para esquecer uma sua, responda a ela com /forget.",
    "forget_not_a_photo": "Responda a uma foto com /forget para que eu a esqueça, ou envie /forget sozinho para esquecer todas as fotos do grupo.",
    "stats_reposts": "\n<b>Fotos repetidas</b>, últimos 7 / 30 dias: avisadas {flagged_7d} / {flagged_30d}, marcadas "
                     "como não repetidas {cleared_7d} / {cleared_30d}.",
    "stats_top_reposters": "\n<b>Quem mais repete</b>:{lines}",
    "stats_top_reposted": "\n<b>Fotos mais repetidas</b>:{lines}",
    "stats_rank_line": "\n• {name}: {n}",
}

COMMANDS: list[tuple[str, str]] = [  # Telegram's command menu, in this order
    ("start", "o que eu faço"),
    ("help", "todos os comandos, com exemplos"),
    ("hashtags", "hashtags para uma foto (em resposta a ela)"),
    ("find", "fotos que combinam com palavras: /find cachorros na praia"),
    ("similar", "fotos parecidas com uma foto (em resposta a ela)"),
    ("captions", "legendas que combinam com uma foto"),
    ("map", "as fotos desta conversa agrupadas por semelhança: /map, /map #tag, /map cachorros"),
    ("clusters", "os grupos de fotos parecidas desta conversa"),
    ("dupes", "grupos: controle de fotos repetidas (os admins configuram)"),
    ("stats", "o que eu sei desta conversa"),
    ("forget", "esquecer uma foto (em resposta) ou todas desta conversa"),
]
