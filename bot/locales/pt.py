"""Portuguese, in its Brazilian form (pt-BR, você): every sentence the bot says (HTML for Telegram) and its
command menu. Telegram users set to European Portuguese get it too: there is one "pt" catalogue."""

DECIMAL_SEPARATOR = ","  # in sizes: 21,5 MB

MESSAGES: dict[str, str] = {
    "start": "Oi, {name}! Eu entendo fotos.\n\n"
             "Me mande uma foto: eu respondo com hashtags que combinam com ela e as fotos mais parecidas que "
             "conheço.\n"
             "Ou pesquise: <code>/find cachorros na praia</code>\n\n"
             "/help mostra tudo o que eu sei fazer.",
    "help": "<b>O que eu faço</b>\n"
            "• Mande uma foto → hashtags + fotos parecidas (com legenda: hashtags da foto e do texto)\n"
            "• Mande uma legenda que você está escrevendo (ou <code>/hashtags suas palavras</code>) → hashtags + "
            "fotos que combinam\n"
            "• <code>/hashtags</code>, <code>/similar</code>, <code>/captions</code> — como legenda de uma foto ou "
            "em resposta a uma foto\n"
            "• <code>/find cachorros na praia</code> → fotos que combinam\n"
            "• <code>/find à noite</code> em resposta a uma foto → como essa foto, mas à noite\n"
            "• Modo inline: digite <code>@{bot} bicicleta vermelha</code> em qualquer conversa\n"
            "• <code>/map</code> → as fotos desta conversa agrupadas por semelhança em uma só imagem; <code>/map "
            "#food</code> ou <code>/map cachorros</code> para só algumas; <code>/clusters</code> lista os grupos\n\n"
            "<b>Em grupos</b> eu reúno as fotos postadas e aviso quando alguém posta uma foto repetida.\n"
            "• <code>/dupes</code> — mostra as configurações; admins: <code>/dupes reply|delete|off</code>, "
            "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window 30</code> (dias)\n"
            "• <code>/stats</code> — o que eu sei desta conversa\n"
            "• <code>/forget</code> — admins: apagar tudo o que guardei desta conversa",
    "hashtags": "<b>Hashtags</b> (toque para copiar):\n<code>{line}</code>\n\n{scored}",
    "no_hashtags": "Nenhuma hashtag combina bem o bastante com esta foto ainda: nada do que eu conheço se parece "
                   "com ela.",
    "nothing_yet_hint": "Por enquanto conheço poucas fotos. Me mande mais fotos com legenda e minhas respostas vão "
                        "melhorar.",
    "nothing_yet_hint_group": "Por enquanto conheço poucas fotos. Postem mais fotos com legenda neste grupo e "
                              "minhas respostas vão melhorar.",
    "text_hashtags": "<b>Hashtags para o seu texto</b> (toque para copiar):\n<code>{line}</code>\n\n{scored}",
    "no_text_hashtags": "Ainda não conheço hashtags que combinem com essas palavras.",
    "from_words": "✍️ da sua legenda: {tags}",
    "similar_none": "Ainda não conheço nenhuma foto parecida com esta.",
    "similar_only_itself": "Ainda não conheço nenhuma foto parecida com esta, além dela mesma.",
    "album_photo_none": "Foto {n}: nenhuma hashtag combina ainda",
    "similar_caption": "{score:.2f} de semelhança",
    "match_caption": "{score:.2f} de correspondência",
    "captions": "<b>Legendas que combinam</b>:\n{lines}",
    "no_captions": "Ainda não conheço legendas que combinem com esta foto.",
    "find_results": "Fotos para “{query}”:",
    "find_none": "Nenhuma foto combina com “{query}” ainda. Tente outras palavras.",
    "find_usage": "Me diga o que procurar, por exemplo <code>/find cachorros na praia</code>.",
    "need_photo": "Envie este comando como legenda de uma foto ou em resposta a uma foto.",
    "album": "Álbum de {n} fotos:",
    "album_photo": "Foto {n}: <code>{line}</code>",
    "bad_photo": "Não consegui ler esta foto ({reason}). Envie uma imagem JPEG, PNG ou WebP.",
    "bad_photo_empty": "o arquivo está vazio",
    "bad_photo_format": "não é um formato de imagem que eu consiga ler",
    "bad_photo_corrupt": "o arquivo está danificado ou incompleto",
    "bad_photo_pixels": "ela tem pixels demais",
    "bad_photo_bytes": "o arquivo é maior do que eu consigo ler",
    "too_big": "Este arquivo é grande demais ({size} MB); eu leio fotos de até {limit} MB.",
    "not_a_photo": "Eu só entendo fotos. Envie como foto ou como arquivo de imagem.",
    "text_hint": "Me mande uma foto ou uma legenda, ou pesquise com <code>/find suas palavras</code>. /help mostra "
                 "tudo.",
    "unknown_command": "Não conheço esse comando. /help mostra o que eu sei fazer.",
    "queued": "É muita coisa de uma vez: respondo tudo em ordem, cerca de {per_minute} por minuto ({waiting} na "
              "fila). Nada se perde.",
    "error": "Desculpe, algo deu errado do meu lado. Tente de novo daqui a pouco.",
    "storage_down": "Minha memória de fotos está indisponível agora. Tente de novo em um minuto; nada foi perdido.",
    "repost": "Esta foto já foi postada aqui{when}: {link}",
    "repost_deleted": "Removi uma foto repetida que já tinha sido compartilhada aqui: {link}",
    "original": "a original",
    "when_days": " há {days} dias",
    "when_today": " hoje",
    "admins_only": "Só os admins do grupo podem mudar isso.",
    "dupes_settings": "<b>Controle de fotos repetidas</b>: {mode}\n"
                      "Sensibilidade: {sensitivity}\n"
                      "Período: {window} dias\n\n"
                      "Admins: <code>/dupes reply|delete|off</code>, <code>/dupes sensitivity "
                      "low|normal|high</code>, <code>/dupes window DIAS</code>",
    "dupes_bad": "Não entendi “{value}”. Admins: <code>/dupes reply|delete|off</code>, <code>/dupes sensitivity "
                 "low|normal|high</code>, <code>/dupes window DIAS</code> (de 1 a {max_days}).",
    "forgot": "Pronto: apaguei as {n} fotos que eu tinha guardado deste grupo.",
    "forgot_private": "Pronto: apaguei as {n} fotos que eu tinha guardado da nossa conversa.",
    "stats_private": "<b>Nossa conversa</b>: {chat_posts} fotos guardadas.\n"
                     "<b>Biblioteca compartilhada</b>: {public_posts} fotos.\n"
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
    "job_too_few_to_train": "ainda não há posts com legenda ou hashtags suficientes para treinar",
    "job_few_unseen": "modelo atual mantido: só {unseen} posts de controle para comparar (são necessários {needed})",
    "job_worse": "modelo atual mantido: o novo foi pior ({metrics})",
    "job_few_deleted": "{deleted} exclusões, poucas demais para reconstruir",
    "job_unchanged": "nada mudou",
    "job_failed": "falhou (veja os logs); o índice atual continua funcionando",
    "stats": "<b>Este grupo</b>: {chat_posts} fotos guardadas.\n"
             "<b>Biblioteca compartilhada</b>: {public_posts} fotos.\n"
             "Controle de fotos repetidas: {mode}.\n"
             "<b>Índice</b>: versão {release}, modelo aprendido {heads}.{jobs}",
    "job_line": "\n• {job}: {state}{detail}",
    "groups_only": "Este comando funciona em grupos.",
    "inline_none": "Nenhuma foto combina",
    "mode_reply": "responder com um link para a original",
    "mode_delete": "apagar as fotos repetidas",
    "mode_off": "desativado",
    "map_drawing": "Desenhando o mapa de {n} fotos… (alguns segundos; o próximo /map sai na hora)",
    "map_empty": "Ainda não há fotos para colocar no mapa aqui: me mande algumas primeiro.",
    "map_public": "Esta conversa ainda não tem fotos próprias: aqui está a coleção pública.",
    "map_document": "Resolução completa",
    "map_title": "{total} fotos{about}{drawn} · {groups}",
    "map_title_public": "{total} fotos públicas{about}{drawn} · {groups}",
    "map_about": " para “{query}”",
    "map_drawn": ", {n} no mapa",
    "map_groups_one": "1 grupo",
    "map_groups": "{n} grupos",
    "cluster_line": "{number}. {size} fotos — {tags}",
    "clusters_none": "{n} fotos, mas nenhum grupo de fotos parecidas se destaca (ainda).",
    "clusters_rest": "Sem grupo: {n} fotos.",
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
    ("forget", "admins: apagar as fotos guardadas desta conversa"),
]
