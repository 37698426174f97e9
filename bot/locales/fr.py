"""French (vous): every sentence the bot says (HTML for Telegram) and its command menu."""

DECIMAL_SEPARATOR = ","  # in sizes: 21,5 Mo

MESSAGES: dict[str, str] = {
    "start": "Bonjour {name} ! Je comprends les photos.\n\n"
             "Envoyez-moi une photo : je réponds avec des hashtags qui lui vont et les photos les plus "
             "proches que je connais.\nOu cherchez : <code>/find chiens sur une plage</code>\n\n"
             "/help montre tout ce que je sais faire.",
    "help": "<b>Ce que je fais</b>\n"
            "• Une photo → hashtags + photos semblables (avec une légende : hashtags des deux)\n"
            "• Une légende en préparation (ou <code>/hashtags vos mots</code>) → hashtags + photos "
            "qui correspondent\n"
            "• <code>/hashtags</code>, <code>/similar</code>, <code>/captions</code> — en légende d'une photo "
            "ou en réponse à une photo\n"
            "• <code>/find chiens sur une plage</code> → les photos qui correspondent\n"
            "• <code>/find de nuit</code> en réponse à une photo → comme cette photo, mais de nuit\n"
            "• Mode inline : tapez <code>@{bot} vélo rouge</code> dans n'importe quelle discussion\n"
            "• <code>/map</code> → les photos de cette discussion groupées par ressemblance sur une image ; "
            "<code>/map #food</code> ou <code>/map chiens</code> pour une partie ; <code>/clusters</code> "
            "liste les groupes\n\n"
            "<b>Dans les groupes</b> je collecte les photos publiées et signale les republications.\n"
            "• <code>/dupes</code> — voir les réglages ; admins : <code>/dupes reply|delete|off</code>, "
            "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window 30</code> (jours)\n"
            "• <code>/stats</code> — ce que je sais de cette discussion\n"
            "• <code>/forget</code> — admins : effacer tout ce que j'ai gardé de ce groupe",
    "hashtags": "<b>Hashtags</b> (touchez pour copier) :\n<code>{line}</code>\n\n{scored}",
    "no_hashtags": "Aucun hashtag ne convient encore assez bien à cette photo : rien de ce que je connais "
                   "ne lui ressemble.",
    "nothing_yet_hint": "Je ne connais encore que peu de photos. Envoyez-m'en d'autres avec une légende et mes "
                        "réponses s'amélioreront.",
    "nothing_yet_hint_group": "Je ne connais encore que peu de photos. Publiez d'autres photos avec une légende "
                              "dans ce groupe et mes réponses s'amélioreront.",
    "text_hashtags": "<b>Hashtags pour votre texte</b> (touchez pour copier) :\n<code>{line}</code>\n\n{scored}",
    "no_text_hashtags": "Je ne connais pas encore de hashtags pour ces mots.",
    "from_words": "✍️ de votre légende : {tags}",
    "similar_none": "Je ne connais encore aucune photo qui ressemble à celle-ci.",
    "similar_only_itself": "Je ne connais encore aucune photo qui ressemble à celle-ci, à part elle-même.",
    "album_photo_none": "Photo {n} : aucun hashtag ne convient encore",
    "similar_caption": "{score:.2f} semblable",
    "match_caption": "{score:.2f} correspondance",
    "captions": "<b>Légendes qui conviennent</b> :\n{lines}",
    "no_captions": "Je ne connais pas encore de légende pour cette photo.",
    "find_results": "Photos pour « {query} » :",
    "find_none": "Aucune photo ne correspond à « {query} » pour l'instant. Essayez d'autres mots.",
    "find_usage": "Dites-moi quoi chercher, par exemple <code>/find chiens sur une plage</code>.",
    "need_photo": "Envoyez cette commande en légende d'une photo, ou en réponse à une photo.",
    "album": "Album de {n} photos :",
    "album_photo": "Photo {n} : <code>{line}</code>",
    "bad_photo": "Je n'arrive pas à lire cette photo ({reason}). Envoyez une image JPEG, PNG ou WebP.",
    "bad_photo_empty": "le fichier est vide",
    "bad_photo_format": "ce n'est pas un format d'image que je lis",
    "bad_photo_corrupt": "le fichier est abîmé ou incomplet",
    "bad_photo_pixels": "elle a trop de pixels",
    "bad_photo_bytes": "le fichier est plus gros que ce que je lis",
    "too_big": "Ce fichier est trop gros ({size} Mo) ; je lis les photos jusqu'à {limit} Mo.",
    "not_a_photo": "Je ne comprends que les photos. Envoyez-la comme photo, ou comme fichier image.",
    "text_hint": "Envoyez-moi une photo ou une légende, ou cherchez avec <code>/find vos mots</code>. "
                 "/help liste tout.",
    "unknown_command": "Je ne connais pas cette commande. /help liste ce que je sais faire.",
    "queued": "Ça fait beaucoup d'un coup : je réponds à tout dans l'ordre, environ {per_minute} par minute "
              "({waiting} en attente). Rien n'est perdu.",
    "error": "Désolé, un problème est survenu de mon côté. Réessayez dans un instant.",
    "storage_down": "Ma mémoire de photos est indisponible. Réessayez dans une minute ; rien n'est perdu.",
    "repost": "Cette photo a déjà été publiée ici{when} : {link}",
    "repost_deleted": "J'ai retiré la republication d'une photo déjà partagée ici : {link}",
    "original": "l'originale",
    "when_days": " il y a {days} jours",
    "when_today": " aujourd'hui",
    "admins_only": "Seuls les admins du groupe peuvent changer cela.",
    "dupes_settings": "<b>Contrôle des republications</b> : {mode}\nSensibilité : {sensitivity}\n"
                      "Fenêtre : {window} jours\n\nAdmins : <code>/dupes reply|delete|off</code>, "
                      "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window JOURS</code>",
    "dupes_bad": "Je n'ai pas compris « {value} ». Admins : <code>/dupes reply|delete|off</code>, "
                 "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window JOURS</code> "
                 "(de 1 à {max_days}).",
    "forgot": "C'est fait : j'ai effacé les {n} photos gardées pour ce groupe.",
    "forgot_private": "C'est fait : j'ai effacé les {n} photos gardées de notre discussion.",
    "stats_private": "<b>Notre discussion</b> : {chat_posts} photos gardées.\n<b>Bibliothèque commune</b> : "
                     "{public_posts} photos.\n<b>Index</b> : version {release}, modèle appris : {heads}.{jobs}",
    "job_ago": " il y a {minutes} min",
    "colon": " : ",
    "job_release": "version {release}",
    "job_name_retrain": "réentraînement",
    "job_name_rebuild": "reconstruction de l'index",
    "job_name_snapshot": "instantané",
    "job_state_running": "en cours",
    "job_state_done": "terminé",
    "job_state_skipped": "ignoré",
    "job_state_failed": "échec",
    "heads_none": "aucun pour l'instant (démarrage à froid)",
    "sensitivity_low": "basse",
    "sensitivity_normal": "normale",
    "sensitivity_high": "haute",
    "job_few_new": "{new} nouvelles publications avec légende, l'entraînement commence à {needed}",
    "job_too_few_to_train": "pas encore assez de publications avec légende ou hashtags pour s'entraîner",
    "job_few_unseen": "modèle actuel conservé : seulement {unseen} publications de contrôle pour comparer "
                      "(il en faut {needed})",
    "job_worse": "modèle actuel conservé : le nouveau était moins bon ({metrics})",
    "job_few_deleted": "{deleted} suppressions, trop peu pour reconstruire",
    "job_unchanged": "rien n'a changé",
    "job_failed": "échec (voir les journaux) ; l'index actuel continue de servir",
    "stats": "<b>Ce groupe</b> : {chat_posts} photos gardées.\n<b>Bibliothèque commune</b> : "
             "{public_posts} photos.\nContrôle des republications : {mode}.\n<b>Index</b> : version {release}, "
             "modèle appris : {heads}.{jobs}",
    "job_line": "\n• {job} : {state}{detail}",
    "groups_only": "Cette commande fonctionne dans les groupes.",
    "inline_none": "Aucune photo ne correspond",
    "mode_reply": "répondre avec un lien vers l'originale",
    "mode_delete": "supprimer les republications",
    "mode_off": "désactivé",
    "map_drawing": "Je dessine la carte de {n} photos… (quelques secondes ; la prochaine /map est immédiate)",
    "map_empty": "Pas encore de photos à placer ici : envoyez-m'en d'abord.",
    "map_public": "Cette discussion n'a pas encore de photos à elle : voici la collection publique.",
    "map_document": "Pleine résolution",
    "map_title": "{total} photos{about}{drawn} · {groups}",
    "map_title_public": "{total} photos publiques{about}{drawn} · {groups}",
    "map_about": " pour « {query} »",
    "map_drawn": ", {n} dessinées",
    "map_groups_one": "1 groupe",
    "map_groups": "{n} groupes",
    "cluster_line": "{number}. {size} photos — {tags}",
    "clusters_none": "{n} photos, mais aucun groupe de photos semblables ne se détache (pour l'instant).",
    "clusters_rest": "Hors groupe : {n} photos.",
    "dupes_bad_sensitivity": "« {value} » n'est pas une sensibilité. Admins : <code>/dupes sensitivity low|normal|high</code>.",
    "dupes_bad_window": "« {value} » ne va pas pour la fenêtre : un nombre de jours de 1 à {max_days}, "
                        "par exemple <code>/dupes window 30</code>.",
    "cluster_photo": "{number} {tags}",
    "why_neighbours": "vu sur {count} publications semblables",
    "why_neighbours_one": "vu sur une publication semblable",
    "why_learned": "appris des publications avec hashtags",
    "why_caption_neighbours": "sur {count} publications dont la légende convient à la photo",
    "why_caption_neighbours_one": "sur une publication dont la légende convient à la photo",
    "why_zero_shot": "correspond à ce que montre la photo",
    "why_imagenet": "ressemble à ce que montre la photo",
    "why_in_your_words": "dans vos mots",
    "why_similar_caption": "sur {count} publications à la légende proche",
    "why_similar_caption_one": "sur une publication à la légende proche",
    "why_means": "dit la même chose que vos mots",
    "why_often_here": "souvent utilisé ici",
}

COMMANDS: list[tuple[str, str]] = [  # Telegram's command menu, in this order
    ("start", "ce que je fais"),
    ("help", "toutes les commandes, avec exemples"),
    ("hashtags", "hashtags d'une photo (en réponse)"),
    ("find", "photos pour des mots : /find chien plage"),
    ("similar", "photos semblables (en réponse à une photo)"),
    ("captions", "légendes qui conviennent"),
    ("map", "les photos groupées par ressemblance : /map, /map #tag, /map chiens"),
    ("clusters", "les groupes de photos semblables de cette discussion"),
    ("dupes", "groupes : contrôle des republications"),
    ("stats", "ce que je sais de cette discussion"),
    ("forget", "admins : effacer les photos de cette discussion"),
]
