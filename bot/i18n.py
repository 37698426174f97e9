"""Every sentence the bot says, in English and French. Add a language by adding a dict.

Messages are HTML (Telegram's parse mode): values put into them are escaped by `t()`.
Hashtags are never translated.
"""
from __future__ import annotations

import html

DEFAULT = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "start": "Hi {name}! I understand photos.\n\n"
                 "Send me a photo: I answer with hashtags that fit it and the most similar photos I know.\n"
                 "Or search: <code>/find dogs on a beach</code>\n\n/help shows everything I can do.",
        "help": "<b>What I do</b>\n"
                "• Send a photo → hashtags + similar photos (with a caption: hashtags from both)\n"
                "• Send a caption you are drafting (or <code>/hashtags your words</code>) → hashtags + "
                "matching photos\n"
                "• <code>/hashtags</code>, <code>/similar</code>, <code>/captions</code> — as a photo's caption "
                "or in reply to a photo\n"
                "• <code>/find dogs on a beach</code> → matching photos\n"
                "• <code>/find at night</code> in reply to a photo → like that photo, but at night\n"
                "• Inline: type <code>@{bot} red bicycle</code> in any chat\n"
                "• <code>/map</code> → this chat's photos grouped by similarity on one picture; "
                "<code>/map #food</code> or <code>/map dogs</code> for some of them; <code>/clusters</code> lists "
                "the groups\n\n"
                "<b>In groups</b> I collect the photos posted and flag re-posts.\n"
                "• <code>/dupes</code> — show the settings; admins: <code>/dupes reply|delete|off</code>, "
                "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window 30</code> (days)\n"
                "• <code>/stats</code> — what I know in this chat\n"
                "• <code>/forget</code> — admins: delete everything I stored for this chat",
        "hashtags": "<b>Hashtags</b> (tap to copy):\n<code>{line}</code>\n\n{scored}",
        "no_hashtags": "No hashtag fits this photo well enough yet: nothing I know is close to it.",
        "nothing_yet_hint": "I only know a few photos so far. Send me more photos with captions and my answers "
                            "will get better.",
        "nothing_yet_hint_group": "I only know a few photos so far. Post more photos with captions in this group "
                                  "and my answers will get better.",
        "text_hashtags": "<b>Hashtags for your text</b> (tap to copy):\n<code>{line}</code>\n\n{scored}",
        "no_text_hashtags": "I know no hashtags that fit these words yet.",
        "from_words": "✍️ from your caption: {tags}",
        "similar_none": "Nothing I know looks like this photo yet.",
        "similar_only_itself": "Nothing I know looks like this photo yet, apart from the photo itself.",
        "album_photo_none": "Photo {n}: no hashtag fits yet",
        "similar_caption": "{score:.2f} similar",
        "match_caption": "{score:.2f} match",
        "captions": "<b>Captions that fit</b>:\n{lines}",
        "no_captions": "I know no captions that fit this photo yet.",
        "find_results": "Photos matching “{query}”:",
        "find_none": "No photo matches “{query}” yet. Try other words.",
        "find_usage": "Tell me what to look for, e.g. <code>/find dogs on a beach</code>.",
        "need_photo": "Send this command as the caption of a photo, or reply with it to a photo.",
        "album": "Album of {n} photos:",
        "album_photo": "Photo {n}: <code>{line}</code>",
        "bad_photo": "I could not read this photo ({reason}). Please send a JPEG, PNG or WebP image.",
        "bad_photo_empty": "the file is empty",
        "bad_photo_format": "not an image format I read",
        "bad_photo_corrupt": "the file is damaged or cut short",
        "bad_photo_pixels": "it has too many pixels",
        "bad_photo_bytes": "the file is larger than I read",
        "too_big": "This file is too large ({size} MB); I read photos up to {limit} MB.",
        "not_a_photo": "I only understand photos. Send it as a photo, or as an image file.",
        "text_hint": "Send me a photo or a caption, or search with <code>/find your words</code>. "
                     "/help lists everything.",
        "unknown_command": "I do not know that command. /help lists what I can do.",
        "queued": "That is a lot at once: I answer everything in order, about {per_minute} a minute "
                  "({waiting} waiting). Nothing is lost.",
        "error": "Sorry, something went wrong on my side. Please try again in a moment.",
        "storage_down": "My photo memory is unavailable right now. Please try again in a minute; nothing was lost.",
        "repost": "This photo was already posted here{when}: {link}",
        "repost_deleted": "I removed a re-post of a photo already shared here: {link}",
        "original": "the original",
        "when_days": " {days} days ago",
        "when_today": " today",
        "admins_only": "Only the chat's admins can change this.",
        "dupes_settings": "<b>Re-post checks</b>: {mode}\nSensitivity: {sensitivity}\nWindow: {window} days\n\n"
                          "Admins: <code>/dupes reply|delete|off</code>, "
                          "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window DAYS</code>",
        "dupes_bad": "I did not understand that. Admins: <code>/dupes reply|delete|off</code>, "
                     "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window DAYS</code> "
                     "(1 to {max_days}).",
        "forgot": "Done: I deleted the {n} photos I had stored for this group.",
        "forgot_private": "Done: I deleted the {n} photos I had stored for our chat.",
        "stats_private": "<b>Our chat</b>: {chat_posts} photos stored.\n<b>Shared library</b>: {public_posts} photos.\n"
                         "<b>Index</b>: release {release}, learned model {heads}.{jobs}",
        "job_ago": " {minutes} min ago",
        "job_release": "release {release}",
        "job_name_retrain": "retraining",
        "job_name_rebuild": "index rebuild",
        "job_name_snapshot": "snapshot",
        "job_state_running": "running",
        "job_state_done": "done",
        "job_state_skipped": "skipped",
        "job_state_failed": "failed",
        "heads_none": "none yet (the cold-start bridge)",
        "sensitivity_low": "low",
        "sensitivity_normal": "normal",
        "sensitivity_high": "high",
        "job_few_new": "{new} new captioned posts, training starts at {needed}",
        "job_too_few_to_train": "not enough captioned or tagged posts to train on yet",
        "job_few_unseen": "kept the serving model: only {unseen} held-out posts to compare on (needs {needed})",
        "job_worse": "kept the serving model: the new one was worse ({metrics})",
        "job_few_deleted": "{deleted} deletions, too few to rebuild",
        "job_unchanged": "nothing changed",
        "job_failed": "failed (see the logs); the current index keeps serving",
        "stats": "<b>This group</b>: {chat_posts} photos stored.\n<b>Shared library</b>: {public_posts} photos.\n"
                 "Re-post checks: {mode}.\n<b>Index</b>: release {release}, learned model {heads}.{jobs}",
        "job_line": "\n• {job}: {state}{detail}",
        "groups_only": "This command works in groups.",
        "inline_none": "No matching photos",
        "mode_reply": "reply with a link to the original",
        "mode_delete": "delete re-posts",
        "mode_off": "off",
        "map_drawing": "Drawing the map of {n} photos… (a few seconds; the next /map is instant)",
        "map_empty": "No photos to map here yet: send me some first.",
        "map_public": "This chat has no photos of its own yet: here is the public collection.",
        "map_document": "Full resolution",
        "map_title": "{total} photos{about}{drawn} · {groups}",
        "map_title_public": "{total} public photos{about}{drawn} · {groups}",
        "map_about": " matching {query}",
        "map_drawn": ", {n} drawn",
        "map_groups_one": "1 group",
        "map_groups": "{n} groups",
        "cluster_line": "{number}. {size} photos — {tags}",
        "clusters_none": "{n} photos, but no group of similar ones stands out (yet).",
        "clusters_rest": "In no group: {n} photos.",
    },
    "fr": {
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
        "dupes_bad": "Je n'ai pas compris. Admins : <code>/dupes reply|delete|off</code>, "
                     "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window JOURS</code> "
                     "(de 1 à {max_days}).",
        "forgot": "C'est fait : j'ai effacé les {n} photos gardées pour ce groupe.",
        "forgot_private": "C'est fait : j'ai effacé les {n} photos gardées de notre discussion.",
        "stats_private": "<b>Notre discussion</b> : {chat_posts} photos gardées.\n<b>Bibliothèque commune</b> : "
                         "{public_posts} photos.\n<b>Index</b> : version {release}, modèle appris {heads}.{jobs}",
        "job_ago": " il y a {minutes} min",
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
                 "modèle appris {heads}.{jobs}",
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
    },
}


def megabytes(n_bytes: int, lang: str = DEFAULT) -> str:
    """A size in Telegram's megabytes (its "20 MB" limit is 20 x 1024 x 1024 bytes): 20, 21.5 (21,5 in French)."""
    value = f"{n_bytes / (1024 * 1024):.1f}".removesuffix(".0")
    return value.replace(".", ",") if lang == "fr" else value


def bad_photo_reason(error: Exception) -> str:
    """The message key that says, in the user's words, why a photo could not be read."""
    from models.errors import ImageTooLargeError

    text = str(error).lower()
    if isinstance(error, ImageTooLargeError):
        return "bad_photo_pixels" if "pixels" in text else "bad_photo_bytes"
    if "empty" in text:
        return "bad_photo_empty"
    if "not a supported image format" in text:
        return "bad_photo_format"
    return "bad_photo_corrupt"


def language(code: str | None) -> str:
    """'fr-CA' -> 'fr'; anything we have no catalogue for -> English."""
    base = (code or "").split("-")[0].lower()
    return base if base in MESSAGES else DEFAULT


def t(lang: str, key: str, **values) -> str:
    """The message `key` in `lang`, with values HTML-escaped (names and captions come from users)."""
    template = MESSAGES.get(lang, MESSAGES[DEFAULT]).get(key) or MESSAGES[DEFAULT][key]
    safe = {k: html.escape(v) if isinstance(v, str) and not k.endswith("_html") else v for k, v in values.items()}
    return template.format(**{k.removesuffix("_html"): v for k, v in safe.items()})
