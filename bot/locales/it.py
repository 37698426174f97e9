"""Italian (tu): every sentence the bot says (HTML for Telegram) and its command menu.

"foto" and "hashtag" do not change in the plural, so counts read right for any number."""

DECIMAL_SEPARATOR = ","  # in sizes: 21,5 MB

MESSAGES: dict[str, str] = {
    "start": "Ciao {name}! Capisco le foto.\n\n"
             "Mandami una foto: ti rispondo con gli hashtag adatti e le foto più simili che conosco.\n"
             "Oppure cerca: <code>/find una tazza di caffè</code>\n\n"
             "/help mostra tutto quello che so fare.",
    "help": "<b>Cosa faccio</b>\n"
            "• Mandami una foto → hashtag + foto simili (con una didascalia: hashtag dalla foto e dal testo)\n"
            "• Video, GIF e videomessaggi funzionano come le foto (guardo alcuni dei loro fotogrammi)\n"
            "• Leggo il testo nelle foto: <code>/find</code> trova una foto dalle sue parole, <code>/captions</code> le mostra\n"
            "• Mandami una didascalia che stai scrivendo (o <code>/hashtags le tue parole</code>) → hashtag + foto "
            "che corrispondono\n"
            "• <code>/hashtags</code>, <code>/similar</code>, <code>/captions</code> — come didascalia di una foto "
            "o in risposta a una foto\n"
            "• <code>/find una tazza di caffè</code> → le foto che corrispondono\n"
            "• <code>/find di notte</code> in risposta a una foto → come quella foto, ma di notte\n"
            "• Inline: scrivi <code>@{bot} bici rossa</code> in qualsiasi chat\n"
            "• <code>/map</code> → le foto di questa chat raggruppate per somiglianza in un'unica immagine; "
            "<code>/map #food</code> o <code>/map cani</code> per una parte; <code>/clusters</code> elenca i "
            "gruppi\n\n"
            "<b>Nei gruppi</b> raccolgo le foto pubblicate e segnalo i doppioni, con pulsanti per gli admin "
            "(«Non è un doppione», «Elimina»).\n"
            "• <code>/dupes</code> — mostra le impostazioni; admin: <code>/dupes reply|delete|off</code>, "
            "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window 30</code> (giorni), "
            "<code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, <code>/dupes "
            "minsize 128</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>\n"
            "• <code>/stats</code> — cosa so di questa chat, e chi ripubblica cosa\n"
            "• <code>/forget</code> in risposta a una foto — dimentica quella foto (chi l'ha pubblicata o "
            "un admin); da solo — admin: cancella tutto ciò che ho salvato per questa chat",
    "hashtags": "<b>Hashtag</b> (tocca per copiare):\n<code>{line}</code>\n{scored}",
    "no_hashtags": "Per ora nessun hashtag è abbastanza adatto a questa foto: niente di ciò che conosco le somiglia.",
    "nothing_yet_hint": "Per ora conosco poche foto. Mandamene altre con una didascalia e le mie risposte "
                        "miglioreranno.",
    "nothing_yet_hint_group": "Per ora conosco poche foto. Pubblicate altre foto con una didascalia in questo "
                              "gruppo e le mie risposte miglioreranno.",
    "text_hashtags": "<b>Hashtag per il tuo testo</b> (tocca per copiare):\n<code>{line}</code>\n{scored}",
    "hashtag_scores": "<i>Punteggi, in ordine: {scores}</i>",
    "hashtag_scores_one": "<i>Punteggio: {scores}</i>",
    "no_text_hashtags": "Non conosco ancora hashtag adatti a queste parole.",
    "from_words": "✍️ dalla tua didascalia: {tags}",
    "from_photo_text": "🔤 scritto nella foto: {tags}",
    "similar_none": "Non conosco ancora nessuna foto simile a questa.",
    "similar_only_itself": "Non conosco ancora nessuna foto simile a questa, a parte le sue copie.",
    "no_hashtags_video": "Per ora nessun hashtag è abbastanza adatto a questo video: niente di ciò che conosco gli somiglia.",
    "similar_none_video": "Non conosco ancora niente di simile a questo video.",
    "similar_only_itself_video": "Non conosco ancora niente di simile a questo video, a parte le sue copie.",
    "no_captions_video": "Non conosco ancora didascalie adatte a questo video.",
    "video_text": "<b>Testo in questo video</b>:\n<blockquote>{text}</blockquote>",
    "similar_none_album": "Non conosco ancora nessuna foto simile a queste.",
    "similar_only_themselves": "Non conosco ancora nessuna foto simile a queste, a parte le foto stesse.",
    "album_photo_none": "Foto {n}: ancora nessun hashtag adatto",
    "similar_caption": "{score:.2f} di somiglianza",
    "match_caption": "{score:.2f} di corrispondenza",
    "words_caption": "{score:.2f} di corrispondenza con le parole nella foto o nella sua didascalia",
    "captions": "<b>Didascalie adatte</b>:\n{lines}",
    "photo_text": "<b>Testo in questa foto</b>:\n<blockquote>{text}</blockquote>",
    "photo_text_unreadable": "<i>Questa foto contiene testo in una scrittura che non so ancora leggere (leggo le lingue con alfabeto latino, il cinese e il giapponese).</i>",
    "no_captions": "Non conosco ancora didascalie adatte a questa foto.",
    "find_results": "Foto per «{query}»:",
    "find_none": "Per ora nessuna foto corrisponde a «{query}». Prova con altre parole.",
    "find_usage": "Dimmi cosa cercare, per esempio <code>/find una tazza di caffè</code>.",
    "need_photo": "Manda questo comando come didascalia di una foto, o in risposta a una foto.",
    "hashtags_usage": "Manda /hashtags come didascalia di una foto, in risposta a una foto o seguito da qualche parola: <code>/hashtags un cane sulla spiaggia</code>.",
    "album": "Album di {n} foto:",
    "album_photo": "Foto {n}: <code>{line}</code>",
    "bad_photo": "Non riesco a leggere questa foto ({reason}). Mandami un'immagine JPEG, PNG, WebP o HEIC.",
    "bad_video": "Non riesco a leggere questo video ({reason}). Mandami un video MP4 o una GIF.",
    "video_title": "Video",  # an inline result showing a video without a caption
    "bad_photo_empty": "il file è vuoto",
    "bad_photo_corrupt": "il file è danneggiato o incompleto",
    "bad_photo_pixels": "ha troppi pixel",
    "bad_photo_bytes": "il file è più grande di quelli che riesco a leggere",
    "too_big": "Questo file è troppo grande ({size} MB); leggo foto fino a {limit} MB.",
    "not_an_image_file": "Questo file non è un'immagine che so leggere. Invia una foto o un file immagine (JPEG, PNG, WebP, HEIC).",
    "not_a_photo": "Capisco solo le foto. Mandala come foto o come file immagine.",
    "sticker_moving": "Posso guardare solo sticker fissi, e questo è animato. Mandami una foto, un file immagine o uno sticker fisso.",
    "text_hint": "Mandami una foto o una didascalia, oppure cerca con <code>/find le tue parole</code>. /help "
                 "elenca tutto.",
    "unknown_command": "Non conosco questo comando. /help elenca quello che so fare.",
    "queued": "Sono tante cose tutte insieme: rispondo a tutto in ordine, circa {per_minute} al minuto ({waiting} "
              "in attesa). Non va perso niente.",
    "error": "Scusa, qualcosa è andato storto da parte mia. Riprova tra un momento.",
    "storage_down": "La mia memoria delle foto non è disponibile in questo momento. Riprova tra un minuto; non è "
                    "andato perso niente.",
    "repost": "Questa foto è già stata pubblicata qui{when}: {link}",
    "repost_deleted": "Ho rimosso il doppione di una foto già condivisa qui: {link}",
    "repost_video": "Questo video è già stato pubblicato qui{when}: {link}",
    "repost_video_deleted": "Ho rimosso il doppione di un video già condiviso qui: {link}",
    "original": "l'originale",
    "when_days": " {n} giorni fa",
    "when_days_one": " {n} giorno fa",
    "when_today": " oggi",
    "admins_only": "Solo gli admin del gruppo possono modificarlo.",
    "dupes_settings": "<b>Controllo dei doppioni</b>: {mode}\n"
                      "Sensibilità: {sensitivity}\n"
                      "Periodo: {window}\n"
                      "Avvisi: {notify}\n"
                      "Inoltri: {forwards}\n"
                      "Foto più piccola controllata: {minsize}\n"
                      "Un membro che ripubblica una sua foto: {self_reposts}\nGIF: {gifs}\n"
                      "\nAdmin: <code>/dupes reply|delete|off</code>, <code>/dupes sensitivity low|normal|high</code>, "
                      "<code>/dupes window GIORNI</code>, <code>/dupes notify public|admins</code>, <code>/dupes "
                      "forwards on|off</code>, <code>/dupes minsize N</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>",
    "dupes_bad": "Non ho capito «{value}». Admin: <code>/dupes reply|delete|off</code>, <code>/dupes sensitivity "
                 "low|normal|high</code>, <code>/dupes window GIORNI</code> (da 1 a {max_days})"
                 ", <code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, "
                 "<code>/dupes minsize N</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>.",
    "forgot": "Fatto: ho cancellato le {n} foto che avevo salvato per questo gruppo.",
    "forgot_private": "Fatto: ho cancellato le {n} foto che avevo salvato dalla nostra chat.",
    "forgot_private_one": "Fatto: ho cancellato {n} foto che avevo salvato dalla nostra chat.",
    "stats_private": "<b>La nostra chat</b>: {chat_posts}.\n"
                     "<b>Libreria condivisa</b>: {public_posts}.\n"
                     "<b>Indice</b>: versione {release}, modello appreso {heads}.{jobs}",
    "job_ago": " {minutes} min fa",
    "colon": ": ",
    "job_release": "versione {release}",
    "job_name_retrain": "riaddestramento",
    "job_name_rebuild": "ricostruzione dell'indice",
    "job_name_snapshot": "snapshot",
    "job_state_running": "in corso",
    "job_state_done": "completato",
    "job_state_skipped": "saltato",
    "job_state_failed": "non riuscito",
    "heads_none": "ancora nessuno (avvio a freddo)",
    "sensitivity_low": "bassa",
    "sensitivity_normal": "normale",
    "sensitivity_high": "alta",
    "job_few_new": "{new} nuovi post con didascalia, l'addestramento parte da {needed}",
    "job_few_new_one": "{new} nuovo post con didascalia, l'addestramento parte da {needed}",
    "job_too_few_to_train": "non ci sono ancora abbastanza post con didascalia o hashtag per l'addestramento",
    "job_few_unseen": "modello attuale mantenuto: solo {unseen} post di controllo per il confronto (ne servono "
                      "{needed})",
    "job_few_unseen_one": "modello attuale mantenuto: solo {unseen} post di controllo per il confronto (ne servono {needed})",
    "job_worse": "modello attuale mantenuto: quello nuovo era peggiore ({metrics})",
    "job_few_deleted": "{deleted} eliminazioni, troppo poche per ricostruire",
    "job_few_deleted_one": "{deleted} eliminazione, troppo poche per ricostruire",
    "job_shared_backend": "l'archivio dei vettori compatta da sé le eliminazioni: nessuna ricostruzione necessaria",
    "job_unchanged": "nessuna modifica",
    "job_failed": "non riuscito (vedi i log); l'indice attuale resta in servizio",
    "stats": "<b>Questo gruppo</b>: {chat_posts}.\n"
             "<b>Libreria condivisa</b>: {public_posts}.\n"
             "Controllo dei doppioni: {mode}.\n"
             "<b>Indice</b>: versione {release}, modello appreso {heads}.{jobs}",
    "job_line": "\n• {job}: {state}{detail}",
    "stats_reading": "\n<b>Testo nelle foto</b>: {text} con testo, {none} senza testo, {waiting} in coda per la lettura.",
    "stats_reading_unreadable": ' (altre {n} contengono testo in una scrittura che non so ancora leggere.)',
    "stats_reading_unreadable_one": " ({n} in più contiene testo in una scrittura che non so ancora leggere.)",
    "stats_migration": "\n• Rielaborazione delle foto per il nuovo modello di immagini: {done} / {total}",
    "groups_only": "Questo comando funziona nei gruppi.",
    "inline_none": "Nessuna foto corrispondente",
    "mode_reply": "rispondere con un link all'originale",
    "mode_delete": "eliminare i doppioni",
    "mode_off": "disattivato",
    "map_drawing": "Sto disegnando la mappa di {n} foto… (qualche secondo; il prossimo /map sarà immediato)",
    "map_empty": "Qui non ci sono ancora foto da mettere sulla mappa: prima mandamene qualcuna.",
    "map_public": "Questa chat non ha ancora foto sue: ecco la raccolta pubblica.",
    "map_document": "Risoluzione completa",
    "map_title": "{total}{about}{drawn} · {groups}",
    "map_about": " per «{query}»",
    "map_drawn": ", {n} sulla mappa",
    "map_drawn_one": ", {n} sulla mappa",
    "map_groups_one": "{n} gruppo",
    "map_groups": "{n} gruppi",
    "cluster_line": "{number}. {size} — {tags}",
    "clusters_none": "{photos}, ma (per ora) non spicca nessun gruppo di foto simili.",
    "clusters_rest": "Fuori dai gruppi: {photos}.",
    "dupes_bad_sensitivity": "«{value}» non è una sensibilità. Admin: <code>/dupes sensitivity low|normal|high</code>.",
    "dupes_bad_window": "«{value}» non va bene come finestra: un numero di giorni da 1 a {max_days}, "
                        "per esempio <code>/dupes window 30</code>.",
    "cluster_photo": "{number} {tags}",
    "why_neighbours": "visto su {count} post simili",
    "why_neighbours_one": "visto su un post simile",
    "why_learned": "imparato dai post con hashtag",
    "why_caption_neighbours": "su {count} post la cui didascalia si adatta alla foto",
    "why_caption_neighbours_one": "su un post la cui didascalia si adatta alla foto",
    "why_zero_shot": "corrisponde a ciò che mostra la foto",
    "why_imagenet": "somiglia a ciò che mostra la foto",
    "why_in_your_words": "nelle tue parole",
    "why_similar_caption": "su {count} post con una didascalia simile",
    "why_similar_caption_one": "su un post con una didascalia simile",
    "why_means": "dice ciò che dicono le tue parole",
    "why_often_here": "usato spesso qui",
    "why_in_the_photo": "scritto nella foto",
    "notify_public": "nel gruppo",
    "notify_admins": "in privato, agli admin che hanno avviato una chat con me",
    "forwards_on": "controllati come ogni post",
    "forwards_off": "non controllati",
    "minsize_px": "{n} px sul lato corto",
    "minsize_none": "qualsiasi dimensione",
    "self_on": "segnalato",
    "self_off": "non segnalato",
    "gifs_on": "controllate come i video",
    "gifs_off": "non controllate (ripubblicare GIF è normale; le tengo comunque per /find)",
    "dupes_bad_notify": "«{value}» non è una scelta possibile. Admin: <code>/dupes notify public|admins</code>.",
    "dupes_bad_forwards": "«{value}» non è una scelta possibile. Admin: <code>/dupes forwards on|off</code>.",
    "dupes_bad_minsize": "«{value}» non va bene come dimensione: pixel sul lato corto, da 0 (nessun minimo) a 4096, per "
                         "esempio <code>/dupes minsize 128</code>.",
    "dupes_bad_self": "«{value}» non è una scelta possibile. Admin: <code>/dupes self on|off</code>.",
    "dupes_bad_gifs": "«{value}» non è una scelta possibile. Admin: <code>/dupes gifs on|off</code>.",
    "dupes_needs_value": "Quale valore per <code>/dupes {setting}</code>? Ecco le impostazioni e cosa accettano:",
    "n_days_one": "{n} giorno",
    "n_days": "{n} giorni",
    "n_photos": "{n} foto",
    "n_photos_one": "{n} foto",
    "n_photos_stored": "{n} foto salvate",
    "n_photos_stored_one": "{n} foto salvata",
    "n_public_photos": "{n} foto pubbliche",
    "n_public_photos_one": "{n} foto pubblica",
    "button_not_repost": "✅ Non è un doppione",
    "button_delete": "🗑 Elimina",
    "button_admins_only": "Solo gli admin del gruppo possono farlo.",
    "button_cleared": "Preso nota: non è un doppione. Non la segnalerò più rispetto a quella foto.",
    "button_already_cleared": "Già fatto: {name} ha indicato che non è un doppione.",
    "button_deleted": "Eliminata.",
    "button_already_deleted": "Già fatto: questo doppione è stato eliminato.",
    "button_cannot_delete": "Non ho il permesso di eliminare messaggi in questo gruppo: rendetemi admin con «Elimina "
                            "messaggi».",
    "button_gone": "Non ho più questa foto (è stata dimenticata).",
    "flag_cleared": "✅ Non è un doppione: indicato da {name}.",
    "flag_cleared_still_deleted": "✅ Non è un doppione: confermato da {name}. "
                                  "La foto cancellata non può tornare (non posso ripubblicare il messaggio di un membro), ma può essere pubblicata di nuovo: non sarà più presa per un doppione di quella foto.",
    "flag_deleted": "🗑 Eliminata da {name}.",
    "alert": "🔁 Un doppione in <b>{group}</b> da {author}: {repost}. Pubblicata la prima volta{when}: "
             "{original}.",
    "the_repost": "il doppione",
    "photo": "foto",
    "photo_today": "una foto di oggi",
    "photo_days_ago": "una foto di {n} giorni fa",
    "photo_days_ago_one": "una foto di {n} giorno fa",
    "no_admin_reachable": "Gli avvisi sui doppioni devono andare agli admin in privato, ma nessuno ha ancora avviato una "
                          "chat con me (aprite @{bot} e premete Avvia). Nel frattempo li segnalo qui.",
    "cannot_delete": "Admin: devo eliminare i doppioni, ma qui non ho il permesso di eliminare messaggi. Rendetemi "
                     "admin con «Elimina messaggi», oppure scegliete <code>/dupes reply</code>. Nel frattempo "
                     "rispondo con un link.",
    "privacy_blind": "⚠️ Non vedo le foto che i membri pubblicano qui: la mia modalità privacy è attiva e non sono "
                     "admin di questo gruppo. Rendetemi admin (oppure disattivate la privacy con /setprivacy in "
                     "@BotFather e aggiungetemi di nuovo).",
    "forget_confirm": "Cancellare tutte le {n} foto che ho salvato per questo gruppo? Non si può annullare.",
    "forget_confirm_one": "Cancellare {n} foto che ho salvato per questo gruppo? Non si può annullare.",
    "button_forget_yes": "Sì, cancellale",
    "button_forget_no": "No, tienile",
    "forget_kept": "Non ho cancellato nulla: tengo le foto.",
    "forgot_this_photo": "Fatto: ho dimenticato questa foto.",
    "forgot_one": "Fatto: ho cancellato {n} foto che avevo salvato per questo gruppo.",
    "forget_not_yours": "Solo chi ha pubblicato la foto o un admin può farmela dimenticare.",
    "forget_unknown": "Non ho salvato questa foto.",
    "forget_nothing": "Non ho foto salvate per questo gruppo.",
    "forget_all_admins_only": "Solo gli admin del gruppo possono farmi dimenticare tutte le sue foto. Per dimenticarne una tua, rispondile con /forget.",
    "forget_not_a_photo": "Rispondi a una foto con /forget perché la dimentichi, oppure invia /forget da solo per dimenticare tutte le foto del gruppo.",
    "stats_reposts": "\n<b>Doppioni</b>, ultimi 7 / 30 giorni: segnalati {flagged_7d} / {flagged_30d}, indicati come "
                     "non doppioni {cleared_7d} / {cleared_30d}.",
    "stats_top_reposters": "\n<b>Chi ripubblica di più</b>:{lines}",
    "stats_top_reposted": "\n<b>Foto più ripubblicate</b>:{lines}",
    "stats_rank_line": "\n• {name}: {n}",
}

COMMANDS: list[tuple[str, str]] = [  # Telegram's command menu, in this order
    ("start", "cosa faccio"),
    ("help", "tutti i comandi, con esempi"),
    ("hashtags", "hashtag per una foto (in risposta alla foto)"),
    ("find", "foto che corrispondono a delle parole: /find cani sulla spiaggia"),
    ("similar", "foto simili a una foto (in risposta alla foto)"),
    ("captions", "didascalie adatte a una foto"),
    ("map", "le foto di questa chat raggruppate per somiglianza: /map, /map #tag, /map cani"),
    ("clusters", "i gruppi di foto simili in questa chat"),
    ("dupes", "gruppi: controllo dei doppioni (lo impostano gli admin)"),
    ("stats", "cosa so di questa chat"),
    ("forget", "dimentica una foto (in risposta) o tutte quelle di questa chat"),
]
