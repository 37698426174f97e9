"""Spanish (tú; neutral Spanish for Spain and Latin America, "es-MX" and the like get it too): every sentence
the bot says (HTML for Telegram) and its command menu."""

DECIMAL_SEPARATOR = ","  # in sizes: 21,5 MB

MESSAGES: dict[str, str] = {
    "start": "¡Hola, {name}! Entiendo las fotos.\n\n"
             "Mándame una foto: te respondo con hashtags que le van bien y las fotos más parecidas que conozco.\n"
             "O busca: <code>/find una taza de café</code>\n\n"
             "/help muestra todo lo que sé hacer.",
    "help": "<b>Qué hago</b>\n"
            "• Mándame una foto → hashtags + fotos parecidas (si lleva pie de foto: hashtags de la foto y del "
            "texto)\n"
            "• Los vídeos, GIF y videomensajes funcionan como las fotos (miro algunos de sus fotogramas)\n"
            "• Leo el texto de las fotos: <code>/find</code> encuentra una foto por sus palabras, <code>/captions</code> las muestra\n"
            "• Mándame un pie de foto que estés escribiendo (o <code>/hashtags tus palabras</code>) → hashtags + "
            "fotos que encajan\n"
            "• <code>/hashtags</code>, <code>/similar</code>, <code>/captions</code> — como pie de una foto o "
            "respondiendo a una foto\n"
            "• <code>/find una taza de café</code> → fotos que encajan\n"
            "• <code>/find de noche</code> respondiendo a una foto → como esa foto, pero de noche\n"
            "• Modo inline: escribe <code>@{bot} bicicleta roja</code> en cualquier chat\n"
            "• <code>/map</code> → las fotos de este chat agrupadas por parecido en una sola imagen; <code>/map "
            "#food</code> o <code>/map perros</code> para solo algunas; <code>/clusters</code> lista los grupos\n\n"
            "<b>En los grupos</b> reúno las fotos que se publican y aviso cuando alguien repite una, con "
            "botones para los admins («No es repetida», «Borrar»).\n"
            "• <code>/dupes</code> — ver la configuración; admins: <code>/dupes reply|delete|off</code>, "
            "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window 30</code> (días), "
            "<code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, <code>/dupes "
            "minsize 128</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>\n"
            "• <code>/stats</code> — lo que sé de este chat, y quién repite qué\n"
            "• <code>/forget</code> respondiendo a una foto — olvidar esa foto (quien la publicó o un "
            "admin); sola — admins: borrar todo lo que guardé de este chat",
    "hashtags": "<b>Hashtags</b> (toca para copiar):\n<code>{line}</code>\n{scored}",
    "no_hashtags": "Todavía ningún hashtag encaja lo bastante bien con esta foto: nada de lo que conozco se le "
                   "parece.",
    "nothing_yet_hint": "Por ahora conozco pocas fotos. Mándame más fotos con pie de foto y mis respuestas irán "
                        "mejorando.",
    "nothing_yet_hint_group": "Por ahora conozco pocas fotos. Publica más fotos con pie de foto en este grupo y mis "
                              "respuestas irán mejorando.",
    "text_hashtags": "<b>Hashtags para tu texto</b> (toca para copiar):\n<code>{line}</code>\n{scored}",
    "hashtag_scores": "<i>Puntuaciones, en orden: {scores}</i>",
    "hashtag_scores_one": "<i>Puntuación: {scores}</i>",
    "no_text_hashtags": "Todavía no conozco hashtags que encajen con estas palabras.",
    "from_words": "✍️ de tu pie de foto: {tags}",
    "from_photo_text": "🔤 escrito en la foto: {tags}",
    "similar_none": "Todavía no conozco ninguna foto que se parezca a esta.",
    "similar_only_itself": "Todavía no conozco ninguna foto que se parezca a esta, aparte de sus copias.",
    "no_hashtags_video": "Todavía ningún hashtag encaja lo bastante bien con este vídeo: nada de lo que conozco se le parece.",
    "similar_none_video": "Todavía no conozco nada que se parezca a este vídeo.",
    "similar_only_itself_video": "Todavía no conozco nada que se parezca a este vídeo, aparte de sus copias.",
    "no_captions_video": "Todavía no conozco pies de foto que encajen con este vídeo.",
    "video_text": "<b>Texto en este vídeo</b>:\n<blockquote>{text}</blockquote>",
    "similar_none_album": "Todavía no conozco ninguna foto que se parezca a estas.",
    "similar_only_themselves": "Todavía no conozco ninguna foto que se parezca a estas, aparte de ellas mismas.",
    "album_photo_none": "Foto {n}: todavía no encaja ningún hashtag",
    "similar_caption": "{score:.2f} de similitud",
    "match_caption": "{score:.2f} de coincidencia",
    "words_caption": "{score:.2f} de coincidencia con las palabras de la foto o de su pie",
    "captions": "<b>Pies de foto que encajan</b>:\n{lines}",
    "photo_text": "<b>Texto en esta foto</b>:\n<blockquote>{text}</blockquote>",
    "photo_text_unreadable": "<i>Esta foto tiene texto en una escritura que todavía no sé leer (leo idiomas con alfabeto latino, chino y japonés).</i>",
    "no_captions": "Todavía no conozco pies de foto que encajen con esta foto.",
    "find_results": "Fotos para «{query}»:",
    "find_none": "Todavía no hay fotos para «{query}». Prueba con otras palabras.",
    "find_usage": "Dime qué buscar, por ejemplo <code>/find una taza de café</code>.",
    "need_photo": "Envía este comando como pie de una foto o respondiendo a una foto.",
    "hashtags_usage": "Envía /hashtags como pie de una foto, respondiendo a una foto o seguido de unas palabras: <code>/hashtags un perro en la playa</code>.",
    "album": "Álbum de {n} fotos:",
    "album_photo": "Foto {n}: <code>{line}</code>",
    "bad_photo": "No pude leer esta foto ({reason}). Mándame una imagen JPEG, PNG, WebP o HEIC.",
    "bad_video": "No pude leer este vídeo ({reason}). Mándame un vídeo MP4 o un GIF.",
    "video_title": "Vídeo",  # an inline result showing a video without a caption
    "bad_photo_empty": "el archivo está vacío",
    "bad_photo_corrupt": "el archivo está dañado o incompleto",
    "bad_photo_pixels": "tiene demasiados píxeles",
    "bad_photo_bytes": "el archivo es más grande de lo que puedo leer",
    "too_big": "Este archivo es demasiado grande ({size} MB); leo fotos de hasta {limit} MB.",
    "not_an_image_file": "Este archivo no es una imagen que pueda leer. Envía una foto o un archivo de imagen (JPEG, PNG, WebP, HEIC).",
    "not_a_photo": "Solo entiendo fotos. Envíala como foto o como archivo de imagen.",
    "sticker_moving": "Solo puedo mirar stickers fijos, y este está animado. Envíame una foto, un archivo de imagen o un sticker fijo.",
    "text_hint": "Mándame una foto o un pie de foto, o busca con <code>/find tus palabras</code>. /help te lo "
                 "muestra todo.",
    "unknown_command": "No conozco ese comando. /help muestra lo que sé hacer.",
    "queued": "Es mucho de golpe: respondo a todo por orden, unas {per_minute} por minuto ({waiting} en espera). No "
              "se pierde nada.",
    "error": "Lo siento, algo falló por mi parte. Vuelve a intentarlo en un momento.",
    "storage_down": "Mi memoria de fotos no está disponible ahora mismo. Vuelve a intentarlo en un minuto; no se "
                    "perdió nada.",
    "repost": "Esta foto ya se publicó aquí{when}: {link}",
    "repost_deleted": "Borré una foto repetida que ya se había compartido aquí: {link}",
    "repost_video": "Este vídeo ya se publicó aquí{when}: {link}",
    "repost_video_deleted": "Borré un vídeo repetido que ya se había compartido aquí: {link}",
    "original": "la original",
    "when_days": " hace {n} días",
    "when_days_one": " hace {n} día",
    "when_today": " hoy",
    "admins_only": "Solo los administradores del grupo pueden cambiar esto.",
    "dupes_settings": "<b>Control de fotos repetidas</b>: {mode}\n"
                      "Sensibilidad: {sensitivity}\n"
                      "Periodo: {window}\n"
                      "Avisos: {notify}\n"
                      "Reenvíos: {forwards}\n"
                      "Foto más pequeña revisada: {minsize}\n"
                      "Un miembro que vuelve a publicar su propia foto: {self_reposts}\nGIF: {gifs}\n"
                      "\nAdmins: <code>/dupes reply|delete|off</code>, <code>/dupes sensitivity low|normal|high</code>, "
                      "<code>/dupes window DÍAS</code>, <code>/dupes notify public|admins</code>, <code>/dupes "
                      "forwards on|off</code>, <code>/dupes minsize N</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>",
    "dupes_bad": "No entendí «{value}». Admins: <code>/dupes reply|delete|off</code>, <code>/dupes sensitivity "
                 "low|normal|high</code>, <code>/dupes window DÍAS</code> (de 1 a {max_days})"
                 ", <code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, "
                 "<code>/dupes minsize N</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>.",
    "forgot": "Listo: borré las {n} fotos que tenía guardadas de este grupo.",
    "forgot_private": "Listo: borré las {n} fotos que tenía guardadas de nuestro chat.",
    "forgot_private_one": "Listo: borré {n} foto que tenía guardada de nuestro chat.",
    "stats_private": "<b>Nuestro chat</b>: {chat_posts}.\n"
                     "<b>Biblioteca compartida</b>: {public_posts}.\n"
                     "<b>Índice</b>: versión {release}, modelo aprendido {heads}.{jobs}",
    "job_ago": " hace {minutes} min",
    "colon": ": ",
    "job_release": "versión {release}",
    "job_name_retrain": "reentrenamiento",
    "job_name_rebuild": "reconstrucción del índice",
    "job_name_snapshot": "instantánea",
    "job_state_running": "en curso",
    "job_state_done": "terminado",
    "job_state_skipped": "omitido",
    "job_state_failed": "fallido",
    "heads_none": "ninguno todavía (arranque en frío)",
    "sensitivity_low": "baja",
    "sensitivity_normal": "normal",
    "sensitivity_high": "alta",
    "job_few_new": "{new} publicaciones nuevas con pie de foto; el entrenamiento empieza a partir de {needed}",
    "job_few_new_one": "{new} publicación nueva con pie de foto; el entrenamiento empieza a partir de {needed}",
    "job_too_few_to_train": "todavía no hay suficientes publicaciones con pie de foto o hashtags para entrenar",
    "job_few_unseen": "se mantiene el modelo actual: solo hay {unseen} publicaciones de control para comparar "
                      "(hacen falta {needed})",
    "job_few_unseen_one": "se mantiene el modelo actual: solo hay {unseen} publicación de control para comparar (hacen falta {needed})",
    "job_worse": "se mantiene el modelo actual: el nuevo era peor ({metrics})",
    "job_few_deleted": "{deleted} eliminaciones, demasiado pocas para reconstruir",
    "job_few_deleted_one": "{deleted} eliminación, demasiado pocas para reconstruir",
    "job_shared_backend": "el almacén de vectores compacta las eliminaciones por sí mismo: no hace falta reconstruir",
    "job_unchanged": "sin cambios",
    "job_failed": "fallido (mira los registros); el índice actual sigue funcionando",
    "stats": "<b>Este grupo</b>: {chat_posts}.\n"
             "<b>Biblioteca compartida</b>: {public_posts}.\n"
             "Control de fotos repetidas: {mode}.\n"
             "<b>Índice</b>: versión {release}, modelo aprendido {heads}.{jobs}",
    "job_line": "\n• {job}: {state}{detail}",
    "stats_reading": "\n<b>Texto en las fotos</b>: {text} con texto, {none} sin texto, {waiting} en cola para leer.",
    "stats_reading_unreadable": " ({n} más tienen texto en una escritura que aún no sé leer.)",
    "stats_reading_unreadable_one": " ({n} más tiene texto en una escritura que aún no sé leer.)",
    "stats_migration": "\n• Reprocesando las fotos para el nuevo modelo de imagen: {done} / {total}",
    "groups_only": "Este comando funciona en los grupos.",
    "inline_none": "No hay fotos que encajen",
    "mode_reply": "responder con un enlace a la original",
    "mode_delete": "borrar las repetidas",
    "mode_off": "desactivado",
    "map_drawing": "Estoy dibujando el mapa de {n} fotos… (unos segundos; el próximo /map será instantáneo)",
    "map_empty": "Todavía no hay fotos que poner en el mapa: mándame algunas primero.",
    "map_public": "Este chat aún no tiene fotos propias: aquí tienes la colección pública.",
    "map_document": "Resolución completa",
    "map_title": "{total}{about}{drawn} · {groups}",
    "map_about": " para «{query}»",
    "map_drawn": ", {n} en el mapa",
    "map_drawn_one": ", {n} en el mapa",
    "map_groups_one": "{n} grupo",
    "map_groups": "{n} grupos",
    "cluster_line": "{number}. {size} — {tags}",
    "clusters_none": "{photos}, pero (todavía) no destaca ningún grupo de fotos parecidas.",
    "clusters_rest": "Sin grupo: {photos}.",
    "dupes_bad_sensitivity": "«{value}» no es una sensibilidad. Admins: <code>/dupes sensitivity low|normal|high</code>.",
    "dupes_bad_window": "«{value}» no sirve como ventana: un número de días de 1 a {max_days}, "
                        "por ejemplo <code>/dupes window 30</code>.",
    "cluster_photo": "{number} {tags}",
    "why_neighbours": "visto en {count} publicaciones parecidas",
    "why_neighbours_one": "visto en una publicación parecida",
    "why_learned": "aprendido de publicaciones con hashtags",
    "why_caption_neighbours": "en {count} publicaciones cuyo texto encaja con la foto",
    "why_caption_neighbours_one": "en una publicación cuyo texto encaja con la foto",
    "why_zero_shot": "encaja con lo que muestra la foto",
    "why_imagenet": "se parece a lo que muestra la foto",
    "why_in_your_words": "en tus palabras",
    "why_similar_caption": "en {count} publicaciones con un texto parecido",
    "why_similar_caption_one": "en una publicación con un texto parecido",
    "why_means": "dice lo mismo que tus palabras",
    "why_often_here": "se usa mucho aquí",
    "why_in_the_photo": "escrito en la foto",
    "notify_public": "en el grupo",
    "notify_admins": "en privado, a los admins que iniciaron un chat conmigo",
    "forwards_on": "se revisan como cualquier foto",
    "forwards_off": "no se revisan",
    "minsize_px": "{n} px en el lado corto",
    "minsize_none": "cualquier tamaño",
    "self_on": "se avisa",
    "self_off": "no se avisa",
    "gifs_on": "se revisan como los vídeos",
    "gifs_off": "no se revisan (volver a publicar GIF es normal; igual los guardo para /find)",
    "dupes_bad_notify": "«{value}» no es una opción válida. Admins: <code>/dupes notify public|admins</code>.",
    "dupes_bad_forwards": "«{value}» no es una opción válida. Admins: <code>/dupes forwards on|off</code>.",
    "dupes_bad_minsize": "«{value}» no sirve como tamaño: píxeles del lado corto, de 0 (sin mínimo) a 4096, por ejemplo "
                         "<code>/dupes minsize 128</code>.",
    "dupes_bad_self": "«{value}» no es una opción válida. Admins: <code>/dupes self on|off</code>.",
    "dupes_bad_gifs": "«{value}» no es una opción válida. Admins: <code>/dupes gifs on|off</code>.",
    "dupes_needs_value": "¿Qué valor para <code>/dupes {setting}</code>? Estos son los ajustes y lo que aceptan:",
    "n_days_one": "{n} día",
    "n_days": "{n} días",
    "n_photos": "{n} fotos",
    "n_photos_one": "{n} foto",
    "n_photos_stored": "{n} fotos guardadas",
    "n_photos_stored_one": "{n} foto guardada",
    "n_public_photos": "{n} fotos públicas",
    "n_public_photos_one": "{n} foto pública",
    "button_not_repost": "✅ No es repetida",
    "button_delete": "🗑 Borrar",
    "button_admins_only": "Solo los administradores del grupo pueden hacer esto.",
    "button_cleared": "Anotado: no es repetida. No volveré a avisar de ella frente a esa foto.",
    "button_already_cleared": "Ya está: {name} indicó que no es repetida.",
    "button_deleted": "Borrada.",
    "button_already_deleted": "Ya está: esta foto repetida ya se borró.",
    "button_cannot_delete": "No tengo permiso para borrar mensajes en este grupo: hazme admin con «Eliminar mensajes».",
    "button_gone": "Ya no tengo esta foto (se olvidó).",
    "flag_cleared": "✅ No es repetida: lo indicó {name}.",
    "flag_cleared_still_deleted": "✅ No es una foto repetida: lo confirmó {name}. "
                                  "La foto borrada no puede volver (no puedo publicar de nuevo el mensaje de un miembro), pero puede publicarse otra vez: ya no se tomará por una repetición de esa foto.",
    "flag_deleted": "🗑 Borrada por {name}.",
    "alert": "🔁 Una foto repetida en <b>{group}</b>, de {author}: {repost}. Publicada por primera vez{when}: "
             "{original}.",
    "the_repost": "la foto repetida",
    "photo": "foto",
    "photo_today": "una foto de hoy",
    "photo_days_ago": "una foto de hace {n} días",
    "photo_days_ago_one": "una foto de hace {n} día",
    "no_admin_reachable": "Los avisos de fotos repetidas deben ir a los admins en privado, pero ninguno ha iniciado "
                          "todavía un chat conmigo (abre @{bot} y pulsa Iniciar). Mientras tanto, aviso aquí.",
    "cannot_delete": "Admins: debo borrar las fotos repetidas, pero no tengo permiso para borrar mensajes aquí. "
                     "Hacedme admin con «Eliminar mensajes», o elegid <code>/dupes reply</code>. Mientras tanto, "
                     "respondo con un enlace.",
    "privacy_blind": "⚠️ No veo las fotos que publican los miembros aquí: mi modo de privacidad está activado y no "
                     "soy admin de este grupo. Hazme admin (o desactiva la privacidad con /setprivacy en @BotFather "
                     "y vuelve a añadirme).",
    "forget_confirm": "¿Borrar las {n} fotos que guardé de este grupo? No se puede deshacer.",
    "forget_confirm_one": "¿Borrar {n} foto que guardé de este grupo? No se puede deshacer.",
    "button_forget_yes": "Sí, borrarlas",
    "button_forget_no": "No, conservarlas",
    "forget_kept": "No se borró nada: conservo las fotos.",
    "forgot_this_photo": "Hecho: olvidé esta foto.",
    "forgot_one": "Listo: borré {n} foto que tenía guardada de este grupo.",
    "forget_not_yours": "Solo quien publicó la foto o un admin pueden hacer que la olvide.",
    "forget_unknown": "No tengo guardada esta foto.",
    "forget_nothing": "No tengo fotos guardadas de este grupo.",
    "forget_all_admins_only": "Solo los admins del grupo pueden hacer que olvide todas sus fotos. Para olvidar una tuya, respóndela con /forget.",
    "forget_not_a_photo": "Responde a una foto con /forget para que la olvide, o envía /forget solo para olvidar todas las fotos del grupo.",
    "stats_reposts": "\n<b>Fotos repetidas</b>, últimos 7 / 30 días: avisadas {flagged_7d} / {flagged_30d}, marcadas "
                     "como no repetidas {cleared_7d} / {cleared_30d}.",
    "stats_top_reposters": "\n<b>Quién repite más</b>:{lines}",
    "stats_top_reposted": "\n<b>Fotos más repetidas</b>:{lines}",
    "stats_rank_line": "\n• {name}: {n}",
}

COMMANDS: list[tuple[str, str]] = [  # Telegram's command menu, in this order
    ("start", "qué hago"),
    ("help", "todos los comandos, con ejemplos"),
    ("hashtags", "hashtags para una foto (respondiendo a ella)"),
    ("find", "fotos que encajan con unas palabras: /find perros en una playa"),
    ("similar", "fotos parecidas a una foto (respondiendo a ella)"),
    ("captions", "pies de foto que le van a una foto"),
    ("map", "las fotos de este chat agrupadas por parecido: /map, /map #tag, /map perros"),
    ("clusters", "los grupos de fotos parecidas de este chat"),
    ("dupes", "grupos: control de fotos repetidas (lo ajustan los admins)"),
    ("stats", "lo que sé de este chat"),
    ("forget", "olvidar una foto (respondiendo) o todas las de este chat"),
]
