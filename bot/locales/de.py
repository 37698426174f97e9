"""German (du): every sentence the bot says (HTML for Telegram) and its command menu."""

DECIMAL_SEPARATOR = ","  # in sizes: 21,5 MB

MESSAGES: dict[str, str] = {
    "start": "Hallo {name}! Ich verstehe Fotos.\n\n"
             "Schick mir ein Foto: Ich antworte mit passenden Hashtags und den ähnlichsten Fotos, die ich kenne.\n"
             "Oder such nach Fotos: <code>/find eine Tasse Kaffee</code>\n\n"
             "/help zeigt alles, was ich kann.",
    "help": "<b>Was ich kann</b>\n"
            "• Schick ein Foto → Hashtags + ähnliche Fotos (mit Bildunterschrift: Hashtags aus Foto und Text)\n"
            "• Videos, GIFs und Videonachrichten behandle ich wie Fotos (ich sehe mir einige ihrer Bilder an)\n"
            "• Ich lese den Text in Fotos: <code>/find</code> findet ein Foto über seine Wörter, <code>/captions</code> zeigt sie\n"
            "• Schick eine Bildunterschrift, an der du gerade schreibst (oder <code>/hashtags dein Text</code>) → "
            "Hashtags + passende Fotos\n"
            "• <code>/hashtags</code>, <code>/similar</code>, <code>/captions</code> — als Bildunterschrift eines "
            "Fotos oder als Antwort auf ein Foto\n"
            "• <code>/find eine Tasse Kaffee</code> → passende Fotos\n"
            "• <code>/find bei Nacht</code> als Antwort auf ein Foto → wie dieses Foto, nur bei Nacht\n"
            "• Inline: Tippe <code>@{bot} rotes Fahrrad</code> in einem beliebigen Chat\n"
            "• <code>/map</code> → die Fotos dieses Chats, nach Ähnlichkeit gruppiert, auf einem Bild; <code>/map "
            "#food</code> oder <code>/map Hunde</code> für einen Teil davon; <code>/clusters</code> listet die "
            "Gruppen auf\n\n"
            "<b>In Gruppen</b> sammle ich die geposteten Fotos und weise auf Reposts hin, mit Knöpfen für "
            "die Admins („Kein Repost“, „Löschen“).\n"
            "• <code>/dupes</code> — Einstellungen anzeigen; Admins: <code>/dupes reply|delete|off</code>, "
            "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window 30</code> (Tage), "
            "<code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, <code>/dupes "
            "minsize 128</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>\n"
            "• <code>/stats</code> — was ich über diesen Chat weiß, und wer was erneut postet\n"
            "• <code>/forget</code> als Antwort auf ein Foto — dieses Foto vergessen (wer es gepostet hat "
            "oder ein Admin); allein — Admins: alles löschen, was ich für diesen Chat gespeichert habe",
    "hashtags": "<b>Hashtags</b> (zum Kopieren antippen):\n<code>{line}</code>\n{scored}",
    "no_hashtags": "Noch passt kein Hashtag gut genug zu diesem Foto: Nichts, was ich kenne, sieht ihm ähnlich.",
    "nothing_yet_hint": "Ich kenne bisher nur wenige Fotos. Schick mir mehr Fotos mit Bildunterschrift, dann werden "
                        "meine Antworten besser.",
    "nothing_yet_hint_group": "Ich kenne bisher nur wenige Fotos. Postet mehr Fotos mit Bildunterschrift in dieser "
                              "Gruppe, dann werden meine Antworten besser.",
    "text_hashtags": "<b>Hashtags für deinen Text</b> (zum Kopieren antippen):\n<code>{line}</code>\n{scored}",
    "hashtag_scores": "<i>Werte, der Reihe nach: {scores}</i>",
    "hashtag_scores_one": "<i>Wert: {scores}</i>",
    "no_text_hashtags": "Ich kenne noch keine Hashtags, die zu diesen Wörtern passen.",
    "from_words": "✍️ aus deiner Bildunterschrift: {tags}",
    "from_photo_text": "🔤 steht im Foto: {tags}",
    "similar_none": "Ich kenne noch kein Foto, das diesem ähnlich sieht.",
    "similar_only_itself": "Ich kenne noch kein Foto, das diesem ähnlich sieht – außer Kopien davon.",
    "no_hashtags_video": "Noch passt kein Hashtag gut genug zu diesem Video: Nichts, was ich kenne, sieht ihm ähnlich.",
    "similar_none_video": "Ich kenne noch nichts, das diesem Video ähnlich sieht.",
    "similar_only_itself_video": "Ich kenne noch nichts, das diesem Video ähnlich sieht – außer Kopien davon.",
    "no_captions_video": "Ich kenne noch keine Bildunterschrift, die zu diesem Video passt.",
    "video_text": "<b>Text in diesem Video</b>:\n<blockquote>{text}</blockquote>",
    "similar_none_album": "Ich kenne noch kein Foto, das diesen ähnlich sieht.",
    "similar_only_themselves": "Ich kenne noch kein Foto, das diesen ähnlich sieht – außer den Fotos selbst.",
    "album_photo_none": "Foto {n}: noch kein passender Hashtag",
    "similar_caption": "{score:.2f} Ähnlichkeit",
    "match_caption": "{score:.2f} Übereinstimmung",
    "words_caption": "{score:.2f} Übereinstimmung mit den Wörtern im Foto oder in seiner Bildunterschrift",
    "captions": "<b>Passende Bildunterschriften</b>:\n{lines}",
    "photo_text": "<b>Text in diesem Foto</b>:\n<blockquote>{text}</blockquote>",
    "photo_text_unreadable": "<i>Dieses Foto enthält Text in einer Schrift, die ich noch nicht lesen kann (ich lese Sprachen mit lateinischem Alphabet, Chinesisch und Japanisch).</i>",
    "no_captions": "Ich kenne noch keine Bildunterschrift, die zu diesem Foto passt.",
    "find_results": "Fotos zu „{query}“:",
    "find_none": "Zu „{query}“ passt noch kein Foto. Versuch es mit anderen Wörtern.",
    "find_usage": "Sag mir, wonach ich suchen soll, z. B. <code>/find eine Tasse Kaffee</code>.",
    "need_photo": "Schick diesen Befehl als Bildunterschrift eines Fotos oder als Antwort auf ein Foto.",
    "hashtags_usage": "Schick /hashtags als Bildunterschrift eines Fotos, als Antwort auf ein Foto oder mit ein paar Wörtern dahinter: <code>/hashtags ein Hund am Strand</code>.",
    "album": "Album mit {n} Fotos:",
    "album_photo": "Foto {n}: <code>{line}</code>",
    "bad_photo": "Ich konnte dieses Foto nicht lesen ({reason}). Bitte schick ein JPEG-, PNG-, WebP- oder HEIC-Bild.",
    "bad_video": "Ich konnte dieses Video nicht lesen ({reason}). Bitte schick ein MP4-Video oder ein GIF.",
    "video_title": "Video",  # an inline result showing a video without a caption
    "bad_photo_empty": "die Datei ist leer",
    "bad_photo_corrupt": "die Datei ist beschädigt oder unvollständig",
    "bad_photo_pixels": "es hat zu viele Pixel",
    "bad_photo_bytes": "die Datei ist größer, als ich lesen kann",
    "too_big": "Diese Datei ist zu groß ({size} MB); ich lese Fotos bis {limit} MB.",
    "not_an_image_file": "Diese Datei ist kein Bild, das ich lesen kann. Schick ein Foto oder eine Bilddatei (JPEG, PNG, WebP, HEIC).",
    "not_a_photo": "Ich verstehe nur Fotos. Schick es als Foto oder als Bilddatei.",
    "sticker_moving": "Ich kann nur unbewegte Sticker ansehen, und dieser ist animiert. Schick mir ein Foto, eine Bilddatei oder einen unbewegten Sticker.",
    "text_hint": "Schick mir ein Foto oder eine Bildunterschrift, oder such mit <code>/find deine Wörter</code>. "
                 "/help zeigt alles.",
    "unknown_command": "Diesen Befehl kenne ich nicht. /help zeigt, was ich kann.",
    "queued": "Das ist viel auf einmal: Ich beantworte alles der Reihe nach, etwa {per_minute} pro Minute "
              "({waiting} in der Warteschlange). Es geht nichts verloren.",
    "error": "Entschuldige, bei mir ist etwas schiefgelaufen. Versuch es gleich noch einmal.",
    "storage_down": "Mein Fotogedächtnis ist gerade nicht erreichbar. Versuch es in einer Minute noch einmal; es "
                    "ist nichts verloren gegangen.",
    "repost": "Dieses Foto wurde hier{when} schon einmal gepostet: {link}",
    "repost_deleted": "Ich habe ein Foto entfernt, das hier schon geteilt wurde: {link}",
    "repost_video": "Dieses Video wurde hier{when} schon einmal gepostet: {link}",
    "repost_video_deleted": "Ich habe ein Video entfernt, das hier schon geteilt wurde: {link}",
    "original": "das Original",
    "when_days": " vor {n} Tagen",
    "when_days_one": " vor {n} Tag",
    "when_today": " heute",
    "admins_only": "Das können nur die Admins der Gruppe ändern.",
    "dupes_settings": "<b>Repost-Erkennung</b>: {mode}\n"
                      "Empfindlichkeit: {sensitivity}\n"
                      "Zeitraum: {window}\n"
                      "Hinweise: {notify}\n"
                      "Weitergeleitete Fotos: {forwards}\n"
                      "Kleinstes geprüftes Foto: {minsize}\n"
                      "Mitglied postet sein eigenes Foto erneut: {self_reposts}\nGIFs: {gifs}\n"
                      "\nAdmins: <code>/dupes reply|delete|off</code>, <code>/dupes sensitivity low|normal|high</code>, "
                      "<code>/dupes window TAGE</code>, <code>/dupes notify public|admins</code>, <code>/dupes "
                      "forwards on|off</code>, <code>/dupes minsize N</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>",
    "dupes_bad": "„{value}“ habe ich nicht verstanden. Admins: <code>/dupes reply|delete|off</code>, <code>/dupes "
                 "sensitivity low|normal|high</code>, <code>/dupes window TAGE</code> (1 bis {max_days})"
                 ", <code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, "
                 "<code>/dupes minsize N</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>.",
    "forgot": "Erledigt: Ich habe die {n} Fotos gelöscht, die ich für diese Gruppe gespeichert hatte.",
    "forgot_private": "Erledigt: Ich habe die {n} Fotos gelöscht, die ich aus unserem Chat gespeichert hatte.",
    "forgot_private_one": "Erledigt: Ich habe {n} Foto gelöscht, das ich aus unserem Chat gespeichert hatte.",
    "stats_private": "<b>Unser Chat</b>: {chat_posts}.\n"
                     "<b>Gemeinsame Bibliothek</b>: {public_posts}.\n"
                     "<b>Index</b>: Version {release}, gelerntes Modell {heads}.{jobs}",
    "job_ago": " vor {minutes} Min.",
    "colon": ": ",
    "job_release": "Version {release}",
    "job_name_retrain": "Neutraining",
    "job_name_rebuild": "Index-Neuaufbau",
    "job_name_snapshot": "Snapshot",
    "job_state_running": "läuft",
    "job_state_done": "fertig",
    "job_state_skipped": "übersprungen",
    "job_state_failed": "fehlgeschlagen",
    "heads_none": "noch keins (Kaltstart-Überbrückung)",
    "sensitivity_low": "niedrig",
    "sensitivity_normal": "normal",
    "sensitivity_high": "hoch",
    "job_few_new": "{new} neue Posts mit Bildunterschrift, das Training beginnt ab {needed}",
    "job_few_new_one": "{new} neuer Post mit Bildunterschrift, das Training beginnt ab {needed}",
    "job_too_few_to_train": "noch nicht genug Posts mit Bildunterschrift oder Hashtags zum Trainieren",
    "job_few_unseen": "aktuelles Modell behalten: nur {unseen} zurückgehaltene Posts zum Vergleichen (nötig sind "
                      "{needed})",
    "job_few_unseen_one": "aktuelles Modell behalten: nur {unseen} zurückgehaltener Post zum Vergleichen (nötig sind {needed})",
    "job_worse": "aktuelles Modell behalten: Das neue war schlechter ({metrics})",
    "job_few_deleted": "{deleted} Löschungen, zu wenige für einen Neuaufbau",
    "job_few_deleted_one": "{deleted} Löschung, zu wenige für einen Neuaufbau",
    "job_shared_backend": "der Vektorspeicher verdichtet Löschungen selbst: kein Neuaufbau nötig",
    "job_unchanged": "nichts geändert",
    "job_failed": "fehlgeschlagen (siehe Logs); der aktuelle Index bleibt in Betrieb",
    "stats": "<b>Diese Gruppe</b>: {chat_posts}.\n"
             "<b>Gemeinsame Bibliothek</b>: {public_posts}.\n"
             "Repost-Erkennung: {mode}.\n"
             "<b>Index</b>: Version {release}, gelerntes Modell {heads}.{jobs}",
    "job_line": "\n• {job}: {state}{detail}",
    "stats_reading": "\n<b>Text in Fotos</b>: {text} mit Text, {none} ohne Text, {waiting} in der Warteschlange zum Lesen.",
    "stats_reading_unreadable": " ({n} weitere enthalten Text in einer Schrift, die ich noch nicht lesen kann.)",
    "stats_reading_unreadable_one": " ({n} weiteres enthält Text in einer Schrift, die ich noch nicht lesen kann.)",
    "stats_migration": "\n• Fotos werden für das neue Bildmodell neu berechnet: {done} / {total}",
    "groups_only": "Dieser Befehl funktioniert in Gruppen.",
    "inline_none": "Keine passenden Fotos",
    "mode_reply": "mit einem Link zum Original antworten",
    "mode_delete": "Reposts löschen",
    "mode_off": "aus",
    "map_drawing": "Ich zeichne die Karte mit {n} Fotos … (ein paar Sekunden; beim nächsten /map geht es sofort)",
    "map_empty": "Hier gibt es noch keine Fotos für eine Karte: Schick mir zuerst welche.",
    "map_public": "Dieser Chat hat noch keine eigenen Fotos: Hier ist die öffentliche Sammlung.",
    "map_document": "Volle Auflösung",
    "map_title": "{total}{about}{drawn} · {groups}",
    "map_about": " zu „{query}“",
    "map_drawn": ", {n} auf der Karte",
    "map_drawn_one": ", {n} auf der Karte",
    "map_groups_one": "{n} Gruppe",
    "map_groups": "{n} Gruppen",
    "cluster_line": "{number}. {size} — {tags}",
    "clusters_none": "{photos}, aber keine Gruppe ähnlicher Fotos sticht (bisher) heraus.",
    "clusters_rest": "In keiner Gruppe: {photos}.",
    "dupes_bad_sensitivity": "„{value}“ ist keine Empfindlichkeit. Admins: <code>/dupes sensitivity low|normal|high</code>.",
    "dupes_bad_window": "„{value}“ geht als Zeitraum nicht: eine Zahl von Tagen von 1 bis {max_days}, "
                        "z. B. <code>/dupes window 30</code>.",
    "cluster_photo": "{number} {tags}",
    "why_neighbours": "auf {count} ähnlichen Beiträgen gesehen",
    "why_neighbours_one": "auf einem ähnlichen Beitrag gesehen",
    "why_learned": "aus Beiträgen mit Hashtags gelernt",
    "why_caption_neighbours": "auf {count} Beiträgen, deren Text zum Foto passt",
    "why_caption_neighbours_one": "auf einem Beitrag, dessen Text zum Foto passt",
    "why_zero_shot": "passt zu dem, was das Foto zeigt",
    "why_imagenet": "sieht aus wie das, was das Foto zeigt",
    "why_in_your_words": "in deinen Worten",
    "why_similar_caption": "auf {count} Beiträgen mit ähnlichem Text",
    "why_similar_caption_one": "auf einem Beitrag mit ähnlichem Text",
    "why_means": "sagt dasselbe wie deine Worte",
    "why_often_here": "hier oft benutzt",
    "why_in_the_photo": "steht im Foto",
    "notify_public": "in der Gruppe",
    "notify_admins": "privat an die Admins, die einen Chat mit mir gestartet haben",
    "forwards_on": "werden wie jeder Post geprüft",
    "forwards_off": "werden nicht geprüft",
    "minsize_px": "{n} px an der kurzen Seite",
    "minsize_none": "jede Größe",
    "self_on": "wird gemeldet",
    "self_off": "wird nicht gemeldet",
    "gifs_on": "werden wie Videos geprüft",
    "gifs_off": "werden nicht geprüft (GIFs erneut zu posten ist normal; für /find speichere ich sie trotzdem)",
    "dupes_bad_notify": "„{value}“ steht nicht zur Wahl. Admins: <code>/dupes notify public|admins</code>.",
    "dupes_bad_forwards": "„{value}“ steht nicht zur Wahl. Admins: <code>/dupes forwards on|off</code>.",
    "dupes_bad_minsize": "„{value}“ geht als Größe nicht: Pixel an der kurzen Seite, von 0 (kein Minimum) bis 4096, z. "
                         "B. <code>/dupes minsize 128</code>.",
    "dupes_bad_self": "„{value}“ steht nicht zur Wahl. Admins: <code>/dupes self on|off</code>.",
    "dupes_bad_gifs": "„{value}“ steht nicht zur Wahl. Admins: <code>/dupes gifs on|off</code>.",
    "dupes_needs_value": "Welcher Wert für <code>/dupes {setting}</code>? Hier die Einstellungen und was sie annehmen:",
    "n_days_one": "{n} Tag",
    "n_days": "{n} Tage",
    "n_photos": "{n} Fotos",
    "n_photos_one": "{n} Foto",
    "n_photos_stored": "{n} Fotos gespeichert",
    "n_photos_stored_one": "{n} Foto gespeichert",
    "n_public_photos": "{n} öffentliche Fotos",
    "n_public_photos_one": "{n} öffentliches Foto",
    "button_not_repost": "✅ Kein Repost",
    "button_delete": "🗑 Löschen",
    "button_admins_only": "Das können nur die Admins der Gruppe.",
    "button_cleared": "Notiert: kein Repost. Ich melde es gegenüber diesem Foto nicht wieder.",
    "button_already_cleared": "Schon erledigt: {name} hat es als keinen Repost markiert.",
    "button_deleted": "Gelöscht.",
    "button_already_deleted": "Schon erledigt: Dieser Repost wurde gelöscht.",
    "button_cannot_delete": "Ich darf in dieser Gruppe keine Nachrichten löschen: macht mich zum Admin mit „Nachrichten "
                            "löschen“.",
    "button_gone": "Dieses Foto habe ich nicht mehr (es wurde vergessen).",
    "flag_cleared": "✅ Kein Repost: markiert von {name}.",
    "flag_cleared_still_deleted": "✅ Kein erneuter Post: bestätigt von {name}. "
                                  "Das gelöschte Foto kann nicht zurückkommen (ich kann die Nachricht eines Mitglieds nicht erneut senden), aber es darf wieder gepostet werden: Es gilt nicht mehr als erneuter Post jenes Fotos.",
    "flag_deleted": "🗑 Gelöscht von {name}.",
    "alert": "🔁 Ein Repost in <b>{group}</b> von {author}: {repost}. Zuerst gepostet{when}: {original}.",
    "the_repost": "der Repost",
    "photo": "Foto",
    "photo_today": "ein Foto von heute",
    "photo_days_ago": "ein {n} Tage altes Foto",
    "photo_days_ago_one": "ein {n} Tag altes Foto",
    "no_admin_reachable": "Repost-Hinweise sollen privat an die Admins gehen, aber noch keiner hat einen Chat mit mir "
                          "gestartet (öffnet @{bot} und tippt auf Starten). Bis dahin melde ich Reposts hier.",
    "cannot_delete": "Admins: Ich soll Reposts löschen, darf hier aber keine Nachrichten löschen. Macht mich zum "
                     "Admin mit „Nachrichten löschen“ oder wählt <code>/dupes reply</code>. Bis dahin antworte ich "
                     "mit einem Link.",
    "privacy_blind": "⚠️ Ich sehe die Fotos nicht, die Mitglieder hier posten: Mein Privatsphäre-Modus ist an und "
                     "ich bin kein Admin dieser Gruppe. Macht mich zum Admin (oder schaltet die Privatsphäre mit "
                     "/setprivacy bei @BotFather aus und fügt mich neu hinzu).",
    "forget_confirm": "Alle {n} Fotos löschen, die ich für diese Gruppe gespeichert habe? Das lässt sich nicht "
                      "rückgängig machen.",
    "forget_confirm_one": "{n} Foto löschen, das ich für diese Gruppe gespeichert habe? Das lässt sich nicht rückgängig machen.",
    "button_forget_yes": "Ja, löschen",
    "button_forget_no": "Nein, behalten",
    "forget_kept": "Nichts gelöscht: Ich behalte die Fotos.",
    "forgot_this_photo": "Erledigt: Ich habe dieses Foto vergessen.",
    "forgot_one": "Erledigt: Ich habe {n} Foto gelöscht, das ich für diese Gruppe gespeichert hatte.",
    "forget_not_yours": "Nur wer das Foto gepostet hat oder ein Admin kann es mich vergessen lassen.",
    "forget_unknown": "Dieses Foto habe ich nicht gespeichert.",
    "forget_nothing": "Ich habe keine Fotos dieser Gruppe gespeichert.",
    "forget_all_admins_only": "Nur die Admins der Gruppe können mich alle ihre Fotos vergessen lassen. Um eines deiner Fotos zu vergessen, antworte darauf mit /forget.",
    "forget_not_a_photo": "Antworte mit /forget auf ein Foto, damit ich es vergesse, oder sende /forget allein, um alle Fotos der Gruppe zu vergessen.",
    "stats_reposts": "\n<b>Reposts</b>, letzte 7 / 30 Tage: {flagged_7d} / {flagged_30d} gemeldet, {cleared_7d} / "
                     "{cleared_30d} als kein Repost markiert.",
    "stats_top_reposters": "\n<b>Wer am meisten erneut postet</b>:{lines}",
    "stats_top_reposted": "\n<b>Am häufigsten erneut gepostete Fotos</b>:{lines}",
    "stats_rank_line": "\n• {name}: {n}",
}

COMMANDS: list[tuple[str, str]] = [  # Telegram's command menu, in this order
    ("start", "was ich kann"),
    ("help", "alle Befehle, mit Beispielen"),
    ("hashtags", "Hashtags für ein Foto (als Antwort darauf)"),
    ("find", "Fotos, die zu Wörtern passen: /find Hunde am Strand"),
    ("similar", "Fotos, die einem Foto ähneln (als Antwort darauf)"),
    ("captions", "passende Bildunterschriften für ein Foto"),
    ("map", "die Fotos dieses Chats nach Ähnlichkeit gruppiert: /map, /map #tag, /map Hunde"),
    ("clusters", "die Gruppen ähnlicher Fotos in diesem Chat"),
    ("dupes", "Gruppen: Repost-Erkennung (Admins stellen sie ein)"),
    ("stats", "was ich über diesen Chat weiß"),
    ("forget", "ein Foto vergessen (als Antwort) oder alle dieses Chats"),
]
