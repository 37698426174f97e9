"""French (vous): every sentence the bot says (HTML for Telegram) and its command menu."""

DECIMAL_SEPARATOR = ","  # in sizes: 21,5 Mo

MESSAGES: dict[str, str] = {
    "start": "Bonjour {name} ! Je comprends les photos.\n\n"
             "Envoyez-moi une photo : je réponds avec des hashtags qui lui vont et les photos les plus "
             "proches que je connais.\nOu cherchez : <code>/find une tasse de café</code>\n\n"
             "/help montre tout ce que je sais faire.",
    "help": "<b>Ce que je fais</b>\n"
            "• Une photo → hashtags + photos semblables (avec une légende : hashtags des deux)\n"
            "• Les vidéos, GIF et messages vidéo fonctionnent comme les photos (je regarde quelques-unes de leurs images)\n"
            "• Je lis le texte des photos : <code>/find</code> retrouve une photo par ses mots, <code>/captions</code> les affiche\n"
            "• Une légende en préparation (ou <code>/hashtags vos mots</code>) → hashtags + photos "
            "qui correspondent\n"
            "• <code>/hashtags</code>, <code>/similar</code>, <code>/captions</code> — en légende d'une photo "
            "ou en réponse à une photo\n"
            "• <code>/find une tasse de café</code> → les photos qui correspondent\n"
            "• <code>/find de nuit</code> en réponse à une photo → comme cette photo, mais de nuit\n"
            "• Mode inline : tapez <code>@{bot} vélo rouge</code> dans n'importe quelle discussion\n"
            "• <code>/map</code> → les photos de cette discussion groupées par ressemblance sur une image ; "
            "<code>/map #food</code> ou <code>/map chiens</code> pour une partie ; <code>/clusters</code> "
            "liste les groupes\n\n"
            "<b>Dans les groupes</b> je collecte les photos publiées et signale les republications, avec "
            "des boutons pour les admins (« Pas une republication », « Supprimer »).\n"
            "• <code>/dupes</code> — voir les réglages ; admins : <code>/dupes reply|delete|off</code>, "
            "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window 30</code> (jours), "
            "<code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, <code>/dupes "
            "minsize 128</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>\n"
            "• <code>/stats</code> — ce que je sais de cette discussion, et qui republie quoi\n"
            "• <code>/forget</code> en réponse à une photo — oublier cette photo (son auteur ou un admin) ; "
            "sans réponse — admins : effacer tout ce que j'ai gardé de ce groupe",
    "hashtags": "<b>Hashtags</b> (touchez pour copier) :\n<code>{line}</code>\n{scored}",
    "no_hashtags": "Aucun hashtag ne convient encore assez bien à cette photo : rien de ce que je connais "
                   "ne lui ressemble.",
    "nothing_yet_hint": "Je ne connais encore que peu de photos. Envoyez-m'en d'autres avec une légende et mes "
                        "réponses s'amélioreront.",
    "nothing_yet_hint_group": "Je ne connais encore que peu de photos. Publiez d'autres photos avec une légende "
                              "dans ce groupe et mes réponses s'amélioreront.",
    "text_hashtags": "<b>Hashtags pour votre texte</b> (touchez pour copier) :\n<code>{line}</code>\n{scored}",
    "hashtag_scores": "<i>Scores, dans l'ordre : {scores}</i>",
    "hashtag_scores_one": "<i>Score : {scores}</i>",
    "no_text_hashtags": "Je ne connais pas encore de hashtags pour ces mots.",
    "from_words": "✍️ de votre légende : {tags}",
    "from_photo_text": "🔤 écrit dans la photo : {tags}",
    "similar_none": "Je ne connais encore aucune photo qui ressemble à celle-ci.",
    "similar_only_itself": "Je ne connais encore aucune photo qui ressemble à celle-ci, à part ses copies.",
    "no_hashtags_video": "Aucun hashtag ne convient encore assez bien à cette vidéo : rien de ce que je connais ne lui ressemble.",
    "similar_none_video": "Je ne connais encore rien qui ressemble à cette vidéo.",
    "similar_only_itself_video": "Je ne connais encore rien qui ressemble à cette vidéo, à part ses copies.",
    "no_captions_video": "Je ne connais pas encore de légende pour cette vidéo.",
    "video_text": "<b>Texte dans cette vidéo</b> :\n<blockquote>{text}</blockquote>",
    "similar_none_album": "Je ne connais encore aucune photo qui ressemble à celles-ci.",
    "similar_only_themselves": "Je ne connais encore aucune photo qui ressemble à celles-ci, à part elles-mêmes.",
    "album_photo_none": "Photo {n} : aucun hashtag ne convient encore",
    "similar_caption": "{score:.2f} semblable",
    "match_caption": "{score:.2f} correspondance",
    "words_caption": "{score:.2f} de correspondance avec les mots de la photo ou de sa légende",
    "captions": "<b>Légendes qui conviennent</b> :\n{lines}",
    "photo_text": "<b>Texte dans cette photo</b> :\n<blockquote>{text}</blockquote>",
    "photo_text_unreadable": "<i>Cette photo contient du texte dans une écriture que je ne sais pas encore lire (je lis les langues à alphabet latin, le chinois et le japonais).</i>",
    "no_captions": "Je ne connais pas encore de légende pour cette photo.",
    "find_results": "Photos pour « {query} » :",
    "find_none": "Aucune photo ne correspond à « {query} » pour l'instant. Essayez d'autres mots.",
    "find_usage": "Dites-moi quoi chercher, par exemple <code>/find une tasse de café</code>.",
    "need_photo": "Envoyez cette commande en légende d'une photo, ou en réponse à une photo.",
    "hashtags_usage": "Envoyez /hashtags en légende d'une photo, en réponse à une photo, ou suivi de quelques mots : <code>/hashtags un chien sur la plage</code>.",
    "album": "Album de {n} photos :",
    "album_photo": "Photo {n} : <code>{line}</code>",
    "bad_photo": "Je n'arrive pas à lire cette photo ({reason}). Envoyez une image JPEG, PNG, WebP ou HEIC.",
    "bad_video": "Je n'arrive pas à lire cette vidéo ({reason}). Envoyez une vidéo MP4 ou un GIF.",
    "video_title": "Vidéo",  # an inline result showing a video without a caption
    "bad_photo_empty": "le fichier est vide",
    "bad_photo_corrupt": "le fichier est abîmé ou incomplet",
    "bad_photo_pixels": "elle a trop de pixels",
    "bad_photo_bytes": "le fichier est plus gros que ce que je lis",
    "too_big": "Ce fichier est trop gros ({size} Mo) ; je lis les photos jusqu'à {limit} Mo.",
    "not_an_image_file": "Ce fichier n'est pas une image que je sais lire. Envoyez une photo, ou un fichier image (JPEG, PNG, WebP, HEIC).",
    "not_a_photo": "Je ne comprends que les photos. Envoyez-la comme photo, ou comme fichier image.",
    "sticker_moving": "Je ne sais regarder que les stickers fixes, et celui-ci est animé. Envoyez-moi une photo, un fichier image ou un sticker fixe.",
    "text_hint": "Envoyez-moi une photo ou une légende, ou cherchez avec <code>/find vos mots</code>. "
                 "/help liste tout.",
    "unknown_command": "Je ne connais pas cette commande. /help liste ce que je sais faire.",
    "queued": "Ça fait beaucoup d'un coup : je réponds à tout dans l'ordre, environ {per_minute} par minute "
              "({waiting} en attente). Rien n'est perdu.",
    "error": "Désolé, un problème est survenu de mon côté. Réessayez dans un instant.",
    "storage_down": "Ma mémoire de photos est indisponible. Réessayez dans une minute ; rien n'est perdu.",
    "repost": "Cette photo a déjà été publiée ici{when} : {link}",
    "repost_deleted": "J'ai retiré la republication d'une photo déjà partagée ici : {link}",
    "repost_video": "Cette vidéo a déjà été publiée ici{when} : {link}",
    "repost_video_deleted": "J'ai retiré la republication d'une vidéo déjà partagée ici : {link}",
    "original": "l'originale",
    "when_days": " il y a {n} jours",
    "when_days_one": " il y a {n} jour",
    "when_today": " aujourd'hui",
    "admins_only": "Seuls les admins du groupe peuvent changer cela.",
    "dupes_settings": "<b>Contrôle des republications</b> : {mode}\n"
                      "Sensibilité : {sensitivity}\n"
                      "Fenêtre : {window}\n"
                      "Alertes : {notify}\n"
                      "Transferts : {forwards}\n"
                      "Plus petite photo contrôlée : {minsize}\n"
                      "Membre qui republie sa propre photo : {self_reposts}\nGIF : {gifs}\n"
                      "\nAdmins : <code>/dupes reply|delete|off</code>, <code>/dupes sensitivity "
                      "low|normal|high</code>, <code>/dupes window JOURS</code>, <code>/dupes notify "
                      "public|admins</code>, <code>/dupes forwards on|off</code>, <code>/dupes minsize N</code>, "
                      "<code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>",
    "dupes_bad": "Je n'ai pas compris « {value} ». Admins : <code>/dupes reply|delete|off</code>, "
                 "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window JOURS</code> "
                 "(de 1 à {max_days})"
                 ", <code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, "
                 "<code>/dupes minsize N</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>.",
    "forgot": "C'est fait : j'ai effacé les {n} photos gardées pour ce groupe.",
    "forgot_private": "C'est fait : j'ai effacé les {n} photos gardées de notre discussion.",
    "forgot_private_one": "C'est fait : j'ai effacé {n} photo gardée de notre discussion.",
    "stats_private": "<b>Notre discussion</b> : {chat_posts}.\n"
                     "<b>Bibliothèque commune</b> : {public_posts}.\n"
                     "<b>Index</b> : version {release}, modèle appris : {heads}.{jobs}",
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
    "job_few_new_one": "{new} nouvelle publication avec légende, l'entraînement commence à {needed}",
    "job_too_few_to_train": "pas encore assez de publications avec légende ou hashtags pour s'entraîner",
    "job_few_unseen": "modèle actuel conservé : seulement {unseen} publications de contrôle pour comparer "
                      "(il en faut {needed})",
    "job_few_unseen_one": "modèle actuel conservé : seulement {unseen} publication de contrôle pour comparer (il en faut {needed})",
    "job_worse": "modèle actuel conservé : le nouveau était moins bon ({metrics})",
    "job_few_deleted": "{deleted} suppressions, trop peu pour reconstruire",
    "job_few_deleted_one": "{deleted} suppression, trop peu pour reconstruire",
    "job_shared_backend": "le stockage des vecteurs compacte lui-même les suppressions : pas de reconstruction",
    "job_unchanged": "rien n'a changé",
    "job_failed": "échec (voir les journaux) ; l'index actuel continue de servir",
    "stats": "<b>Ce groupe</b> : {chat_posts}.\n"
             "<b>Bibliothèque commune</b> : {public_posts}.\n"
             "Contrôle des republications : {mode}.\n"
             "<b>Index</b> : version {release}, modèle appris : {heads}.{jobs}",
    "job_line": "\n• {job} : {state}{detail}",
    "stats_reading": "\n<b>Texte dans les photos</b> : {text} avec du texte, {none} sans texte, {waiting} en attente de lecture.",
    "stats_reading_unreadable": " ({n} autres contiennent du texte dans une écriture que je ne sais pas encore lire.)",
    "stats_reading_unreadable_one": " ({n} autre contient du texte dans une écriture que je ne sais pas encore lire.)",
    "stats_migration": "\n• Nouvelle analyse des photos pour le nouveau modèle d’images : {done} / {total}",
    "groups_only": "Cette commande fonctionne dans les groupes.",
    "inline_none": "Aucune photo ne correspond",
    "mode_reply": "répondre avec un lien vers l'originale",
    "mode_delete": "supprimer les republications",
    "mode_off": "désactivé",
    "map_drawing": "Je dessine la carte de {n} photos… (quelques secondes ; la prochaine /map est immédiate)",
    "map_empty": "Pas encore de photos à placer ici : envoyez-m'en d'abord.",
    "map_public": "Cette discussion n'a pas encore de photos à elle : voici la collection publique.",
    "map_document": "Pleine résolution",
    "map_title": "{total}{about}{drawn} · {groups}",
    "map_about": " pour « {query} »",
    "map_drawn": ", {n} dessinées",
    "map_drawn_one": ", {n} dessinée",
    "map_groups_one": "{n} groupe",
    "map_groups": "{n} groupes",
    "cluster_line": "{number}. {size} — {tags}",
    "clusters_none": "{photos}, mais aucun groupe de photos semblables ne se détache (pour l'instant).",
    "clusters_rest": "Hors groupe : {photos}.",
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
    "why_in_the_photo": "écrit dans la photo",
    "notify_public": "dans le groupe",
    "notify_admins": "en privé, aux admins qui ont démarré une discussion avec moi",
    "forwards_on": "contrôlés comme toute publication",
    "forwards_off": "non contrôlés",
    "minsize_px": "{n} px sur le petit côté",
    "minsize_none": "toutes tailles",
    "self_on": "signalé",
    "self_off": "non signalé",
    "gifs_on": "vérifiés comme les vidéos",
    "gifs_off": "non vérifiés (republier des GIF est normal ; je les garde quand même pour /find)",
    "dupes_bad_notify": "« {value} » n'est pas un choix possible. Admins : <code>/dupes notify public|admins</code>.",
    "dupes_bad_forwards": "« {value} » n'est pas un choix possible. Admins : <code>/dupes forwards on|off</code>.",
    "dupes_bad_minsize": "« {value} » n'est pas une taille que j'accepte : des pixels sur le petit côté, de 0 (pas de "
                         "minimum) à 4096, par exemple <code>/dupes minsize 128</code>.",
    "dupes_bad_self": "« {value} » n'est pas un choix possible. Admins : <code>/dupes self on|off</code>.",
    "dupes_bad_gifs": "« {value} » n'est pas un choix possible. Admins : <code>/dupes gifs on|off</code>.",
    "dupes_needs_value": "Quelle valeur pour <code>/dupes {setting}</code> ? Voici les réglages et ce qu'ils acceptent :",
    "n_days_one": "{n} jour",
    "n_days": "{n} jours",
    "n_photos": "{n} photos",
    "n_photos_one": "{n} photo",
    "n_photos_stored": "{n} photos gardées",
    "n_photos_stored_one": "{n} photo gardée",
    "n_public_photos": "{n} photos publiques",
    "n_public_photos_one": "{n} photo publique",
    "button_not_repost": "✅ Pas une republication",
    "button_delete": "🗑 Supprimer",
    "button_admins_only": "Seuls les admins du groupe peuvent faire cela.",
    "button_cleared": "C'est noté : pas une republication. Je ne la signalerai plus pour cette photo-là.",
    "button_already_cleared": "Déjà fait : {name} a indiqué que ce n'est pas une republication.",
    "button_deleted": "Supprimée.",
    "button_already_deleted": "Déjà fait : cette republication a été supprimée.",
    "button_cannot_delete": "Je n'ai pas le droit de supprimer des messages dans ce groupe : nommez-moi admin avec « "
                            "Supprimer des messages ».",
    "button_gone": "Je n'ai plus cette photo (elle a été oubliée).",
    "flag_cleared": "✅ Pas une republication : validé par {name}.",
    "flag_cleared_still_deleted": "✅ Pas une republication : validé par {name}. "
                                  "La photo supprimée ne peut pas revenir (je ne peux pas republier le message d'un membre), mais elle peut être publiée de nouveau : elle ne sera plus prise pour une republication de cette photo.",
    "flag_deleted": "🗑 Supprimée par {name}.",
    "alert": "🔁 Une republication dans <b>{group}</b> par {author} : {repost}. Publiée une première "
             "fois{when} : {original}.",
    "the_repost": "la republication",
    "photo": "photo",
    "photo_today": "une photo d'aujourd'hui",
    "photo_days_ago": "une photo d'il y a {n} jours",
    "photo_days_ago_one": "une photo d'il y a {n} jour",
    "no_admin_reachable": "Les alertes de republication doivent aller aux admins en privé, mais aucun n'a encore démarré "
                          "de discussion avec moi (ouvrez @{bot} et appuyez sur Démarrer). En attendant, je signale les "
                          "republications ici.",
    "cannot_delete": "Admins : je dois supprimer les republications, mais je n'ai pas le droit de supprimer des "
                     "messages ici. Nommez-moi admin avec « Supprimer des messages », ou choisissez <code>/dupes "
                     "reply</code>. En attendant, je réponds avec un lien.",
    "privacy_blind": "⚠️ Je ne vois pas les photos que les membres publient ici : mon mode confidentialité est "
                     "activé et je ne suis pas admin de ce groupe. Nommez-moi admin (ou désactivez la "
                     "confidentialité avec /setprivacy dans @BotFather, puis ajoutez-moi de nouveau).",
    "forget_confirm": "Effacer les {n} photos que j'ai gardées de ce groupe ? C'est irréversible.",
    "forget_confirm_one": "Effacer {n} photo que j'ai gardée de ce groupe ? C'est irréversible.",
    "button_forget_yes": "Oui, les effacer",
    "button_forget_no": "Non, les garder",
    "forget_kept": "Rien n'a été effacé : je garde les photos.",
    "forgot_this_photo": "C'est fait : j'ai oublié cette photo.",
    "forgot_one": "C'est fait : j'ai effacé {n} photo gardée pour ce groupe.",
    "forget_not_yours": "Seuls l'auteur de la photo ou un admin peuvent me la faire oublier.",
    "forget_unknown": "Je n'ai pas gardé cette photo.",
    "forget_nothing": "Je n'ai aucune photo gardée pour ce groupe.",
    "forget_all_admins_only": "Seuls les admins du groupe peuvent me faire oublier toutes ses photos. Pour oublier l'une des vôtres, répondez-y par /forget.",
    "forget_not_a_photo": "Répondez à une photo par /forget pour que je l'oublie, ou envoyez /forget seul pour oublier toutes les photos du groupe.",
    "stats_reposts": "\n<b>Republications</b>, 7 / 30 derniers jours : {flagged_7d} / {flagged_30d} signalées, "
                     "{cleared_7d} / {cleared_30d} validées comme non-republications.",
    "stats_top_reposters": "\n<b>Qui republie le plus</b> :{lines}",
    "stats_top_reposted": "\n<b>Photos les plus republiées</b> :{lines}",
    "stats_rank_line": "\n• {name} : {n}",
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
    ("forget", "oublier une photo (en réponse) ou toutes celles d'ici"),
]
