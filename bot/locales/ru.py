"""Russian (ты): every sentence the bot says (HTML for Telegram) and its command menu.

Russian has three plural forms, and a message has one: counts are written to read right with any number.
"фото" does not decline ("1 фото", "3 фото", "5 фото"); other nouns come before their number ("групп: 5",
"в очереди: 3") or are abbreviated ("3 дн. назад"). The bot never speaks of itself in a gendered past tense."""

DECIMAL_SEPARATOR = ","  # in sizes: 21,5 МБ

MESSAGES: dict[str, str] = {
    "start": "Привет, {name}! Я понимаю фотографии.\n\n"
             "Пришли мне фото — я отвечу подходящими хештегами и самыми похожими фото, которые знаю.\n"
             "Или поищи: <code>/find чашка кофе</code>\n\n"
             "/help — всё, что я умею.",
    "help": "<b>Что я умею</b>\n"
            "• Пришли фото → хештеги + похожие фото (если есть подпись — хештеги и по фото, и по тексту)\n"
            "• Видео, GIF и видеосообщения я разбираю как фото (смотрю на несколько их кадров)\n"
            "• Я читаю текст на фото: <code>/find</code> находит фото по его словам, <code>/captions</code> показывает их\n"
            "• Пришли подпись, которую сейчас пишешь (или <code>/hashtags твои слова</code>) → хештеги + подходящие "
            "фото\n"
            "• <code>/hashtags</code>, <code>/similar</code>, <code>/captions</code> — в подписи к фото или в ответ "
            "на фото\n"
            "• <code>/find чашка кофе</code> → подходящие фото\n"
            "• <code>/find ночью</code> в ответ на фото → как это фото, только ночью\n"
            "• Инлайн-режим: набери <code>@{bot} красный велосипед</code> в любом чате\n"
            "• <code>/map</code> → фото этого чата на одной картинке, сгруппированные по сходству; <code>/map "
            "#food</code> или <code>/map собаки</code> — только часть из них; <code>/clusters</code> — список "
            "групп\n\n"
            "<b>В группах</b> я собираю публикуемые фото и отмечаю повторы, с кнопками для админов («Не "
            "повтор», «Удалить»).\n"
            "• <code>/dupes</code> — показать настройки; админы: <code>/dupes reply|delete|off</code>, "
            "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window 30</code> (в днях), "
            "<code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, <code>/dupes "
            "minsize 128</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>\n"
            "• <code>/stats</code> — что я знаю об этом чате и кто что повторяет\n"
            "• <code>/forget</code> ответом на фото — забыть это фото (автор или админ); без ответа — "
            "админы: удалить всё, что сохранено для этого чата",
    "hashtags": "<b>Хештеги</b> (нажми, чтобы скопировать):\n<code>{line}</code>\n{scored}",
    "no_hashtags": "Пока ни один хештег не подходит к этому фото достаточно хорошо: ничего похожего я не знаю.",
    "nothing_yet_hint": "Пока я знаю мало фото. Присылай ещё фото с подписями — и мои ответы станут лучше.",
    "nothing_yet_hint_group": "Пока я знаю мало фото. Публикуйте в этой группе больше фото с подписями — и мои "
                              "ответы станут лучше.",
    "text_hashtags": "<b>Хештеги для твоего текста</b> (нажми, чтобы скопировать):\n<code>{line}</code>\n{scored}",
    "hashtag_scores": "<i>Оценки по порядку: {scores}</i>",
    "hashtag_scores_one": "<i>Оценка: {scores}</i>",
    "no_text_hashtags": "Пока не знаю хештегов, которые подходят к этим словам.",
    "from_words": "✍️ из твоей подписи: {tags}",
    "from_photo_text": "🔤 написано на фото: {tags}",
    "similar_none": "Пока я не знаю ни одного фото, похожего на это.",
    "similar_only_itself": "Пока я не знаю ни одного фото, похожего на это, кроме его копий.",
    "no_hashtags_video": "Пока ни один хештег не подходит к этому видео достаточно хорошо: ничего похожего я не знаю.",
    "similar_none_video": "Пока я не знаю ничего похожего на это видео.",
    "similar_only_itself_video": "Пока я не знаю ничего похожего на это видео, кроме его копий.",
    "no_captions_video": "Пока не знаю подписей, которые подошли бы к этому видео.",
    "video_text": "<b>Текст в этом видео</b>:\n<blockquote>{text}</blockquote>",
    "similar_none_album": "Пока я не знаю ни одного фото, похожего на эти.",
    "similar_only_themselves": "Пока я не знаю ни одного фото, похожего на эти, кроме них самих.",
    "album_photo_none": "Фото {n}: пока ни один хештег не подходит",
    "similar_caption": "сходство {score:.2f}",
    "match_caption": "совпадение {score:.2f}",
    "words_caption": "совпадение со словами на фото или в подписи: {score:.2f}",
    "captions": "<b>Подходящие подписи</b>:\n{lines}",
    "photo_text": "<b>Текст на этом фото</b>:\n<blockquote>{text}</blockquote>",
    "photo_text_unreadable": "<i>На этом фото текст в письменности, которую я пока не умею читать (я читаю языки на латинице, китайский и японский).</i>",
    "no_captions": "Пока не знаю подписей, которые подошли бы к этому фото.",
    "find_results": "Фото по запросу «{query}»:",
    "find_none": "По запросу «{query}» пока ничего не нашлось. Попробуй другие слова.",
    "find_usage": "Напиши, что искать, например: <code>/find чашка кофе</code>.",
    "need_photo": "Отправь эту команду в подписи к фото или в ответ на фото.",
    "hashtags_usage": "Отправь /hashtags в подписи к фото, в ответ на фото или с несколькими словами после команды: <code>/hashtags собака на пляже</code>.",
    "album": "Альбом из {n} фото:",
    "album_photo": "Фото {n}: <code>{line}</code>",
    "bad_photo": "Не получается прочитать это фото ({reason}). Пришли изображение в формате JPEG, PNG, WebP или HEIC.",
    "bad_video": "Не получается прочитать это видео ({reason}). Пришли видео в формате MP4 или GIF.",
    "video_title": "Видео",  # an inline result showing a video without a caption
    "bad_photo_empty": "файл пустой",
    "bad_photo_corrupt": "файл повреждён или обрезан",
    "bad_photo_pixels": "в нём слишком много пикселей",
    "bad_photo_bytes": "файл больше, чем я могу прочитать",
    "too_big": "Этот файл слишком большой ({size} МБ); я читаю фото размером до {limit} МБ.",
    "not_an_image_file": "Этот файл — не изображение, которое я могу прочитать. Пришлите фото или файл изображения (JPEG, PNG, WebP, HEIC).",
    "not_a_photo": "Я понимаю только фото. Отправь его как фото или как файл изображения.",
    "sticker_moving": "Я умею смотреть только статичные стикеры, а этот анимированный. Отправь фото, файл изображения или статичный стикер.",
    "text_hint": "Пришли мне фото или подпись либо поищи: <code>/find твои слова</code>. /help — всё, что я умею.",
    "unknown_command": "Такой команды я не знаю. /help — всё, что я умею.",
    "queued": "Многовато за раз: я отвечаю на всё по порядку, примерно {per_minute} в минуту (в очереди: "
              "{waiting}). Ничего не потеряется.",
    "error": "Извини, у меня что-то пошло не так. Попробуй ещё раз чуть позже.",
    "storage_down": "Моя память с фото сейчас недоступна. Попробуй ещё раз через минуту; ничего не потерялось.",
    "repost": "Это фото здесь уже публиковали{when}: {link}",
    "repost_deleted": "Удалён повтор фото, которое здесь уже публиковали: {link}",
    "repost_video": "Это видео здесь уже публиковали{when}: {link}",
    "repost_video_deleted": "Удалён повтор видео, которое здесь уже публиковали: {link}",
    "original": "оригинал",
    "when_days": " {n} дней назад",
    "when_days_one": " {n} день назад",
    "when_days_few": " {n} дня назад",
    "when_today": " сегодня",
    "admins_only": "Изменить это могут только админы группы.",
    "dupes_settings": "<b>Проверка повторов</b>: {mode}\n"
                      "Чувствительность: {sensitivity}\n"
                      "Период: {window}\n"
                      "Уведомления: {notify}\n"
                      "Пересланные: {forwards}\n"
                      "Минимальный размер фото: {minsize}\n"
                      "Участник снова публикует своё фото: {self_reposts}\nGIF: {gifs}\n"
                      "\nАдмины: <code>/dupes reply|delete|off</code>, <code>/dupes sensitivity low|normal|high</code>, "
                      "<code>/dupes window ДНИ</code>, <code>/dupes notify public|admins</code>, <code>/dupes "
                      "forwards on|off</code>, <code>/dupes minsize N</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>",
    "dupes_bad": "Не понимаю «{value}». Админы: <code>/dupes reply|delete|off</code>, <code>/dupes sensitivity "
                 "low|normal|high</code>, <code>/dupes window ДНИ</code> (от 1 до {max_days})"
                 ", <code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, "
                 "<code>/dupes minsize N</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>.",
    "forgot": "Готово: все фото, сохранённые для этой группы, удалены (всего {n}).",
    "forgot_private": "Готово: все фото, сохранённые из нашего чата, удалены (всего {n}).",
    "forgot_private_one": "Готово: все фото, сохранённые из нашего чата, удалены (всего {n}).",
    "stats_private": "<b>Наш чат</b>: {chat_posts}.\n"
                     "<b>Общая библиотека</b>: {public_posts}.\n"
                     "<b>Индекс</b>: версия {release}, обученная модель — {heads}.{jobs}",
    "job_ago": " {minutes} мин назад",
    "colon": ": ",
    "job_release": "версия {release}",
    "job_name_retrain": "обучение модели",
    "job_name_rebuild": "перестройка индекса",
    "job_name_snapshot": "снимок",
    "job_state_running": "выполняется",
    "job_state_done": "готово",
    "job_state_skipped": "пропущено",
    "job_state_failed": "ошибка",
    "heads_none": "пока нет (холодный старт)",
    "sensitivity_low": "низкая",
    "sensitivity_normal": "обычная",
    "sensitivity_high": "высокая",
    "job_few_new": "новых постов с подписью — {new}; обучение начнётся, когда их будет {needed}",
    "job_few_new_one": "новых постов с подписью — {new}; обучение начнётся, когда их будет {needed}",
    "job_too_few_to_train": "пока мало постов с подписями или хештегами, чтобы обучаться",
    "job_few_unseen": "оставлена текущая модель: контрольных постов для сравнения {unseen}, а нужно {needed}",
    "job_few_unseen_one": "оставлена текущая модель: контрольных постов для сравнения {unseen}, а нужно {needed}",
    "job_worse": "оставлена текущая модель: новая оказалась хуже ({metrics})",
    "job_few_deleted": "удалений всего {deleted} — слишком мало для перестройки",
    "job_few_deleted_one": "удалений всего {deleted} — слишком мало для перестройки",
    "job_shared_backend": "хранилище векторов само уплотняет удаления — перестройка не нужна",
    "job_unchanged": "ничего не изменилось",
    "job_failed": "ошибка (подробности в логах); текущий индекс продолжает работать",
    "stats": "<b>Эта группа</b>: {chat_posts}.\n"
             "<b>Общая библиотека</b>: {public_posts}.\n"
             "Проверка повторов: {mode}.\n"
             "<b>Индекс</b>: версия {release}, обученная модель — {heads}.{jobs}",
    "job_line": "\n• {job}: {state}{detail}",
    "stats_reading": "\n<b>Текст на фото</b>: с текстом — {text}, без текста — {none}, в очереди на чтение — {waiting}.",
    "stats_reading_unreadable": " (ещё на {n} — текст в письменности, которую я пока не умею читать.)",
    "stats_reading_unreadable_one": " (ещё на {n} — текст в письменности, которую я пока не умею читать.)",
    "stats_migration": "\n• Фото пересчитываются для новой модели изображений: {done} из {total}",
    "groups_only": "Эта команда работает в группах.",
    "inline_none": "Подходящих фото нет",
    "mode_reply": "отвечать ссылкой на оригинал",
    "mode_delete": "удалять повторы",
    "mode_off": "выключена",
    "map_drawing": "Рисую карту из {n} фото… (несколько секунд; повторный /map сработает сразу)",
    "map_empty": "Здесь пока нет фото для карты: сначала пришли мне несколько.",
    "map_public": "В этом чате пока нет своих фото: вот общая коллекция.",
    "map_document": "Полное разрешение",
    "map_title": "{total}{about}{drawn} · {groups}",
    "map_about": " по запросу «{query}»",
    "map_drawn": ", на карте {n}",
    "map_drawn_one": ", на карте {n}",
    "map_groups_one": "{n} группа",
    "map_groups_few": "{n} группы",
    "map_groups": "{n} групп",
    "cluster_line": "{number}. {size} — {tags}",
    "clusters_none": "{photos}, но ни одна группа похожих (пока) не выделяется.",
    "clusters_rest": "Вне групп: {photos}.",
    "dupes_bad_sensitivity": "«{value}» — не чувствительность. Админы: <code>/dupes sensitivity low|normal|high</code>.",
    "dupes_bad_window": "«{value}» не подходит для окна: нужно число дней от 1 до {max_days}, "
                        "например <code>/dupes window 30</code>.",
    "cluster_photo": "{number} {tags}",
    "why_neighbours": "есть у похожих публикаций (всего {count})",
    "why_neighbours_one": "есть у похожей публикации",
    "why_learned": "выучено по публикациям с хештегами",
    "why_caption_neighbours": "есть у публикаций, чья подпись подходит к фото (всего {count})",
    "why_caption_neighbours_one": "есть у публикации, чья подпись подходит к фото",
    "why_zero_shot": "подходит к тому, что на фото",
    "why_imagenet": "похоже на то, что на фото",
    "why_in_your_words": "в твоих словах",
    "why_similar_caption": "есть у публикаций с похожей подписью (всего {count})",
    "why_similar_caption_one": "есть у публикации с похожей подписью",
    "why_means": "значит то же, что твои слова",
    "why_often_here": "часто используется здесь",
    "why_in_the_photo": "написано на фото",
    "notify_public": "в группе",
    "notify_admins": "в личку админам, которые начали чат со мной",
    "forwards_on": "проверяются как обычные",
    "forwards_off": "не проверяются",
    "minsize_px": "{n} px по короткой стороне",
    "minsize_none": "любой",
    "self_on": "отмечается",
    "self_off": "не отмечается",
    "gifs_on": "проверяются, как видео",
    "gifs_off": "не проверяются (повторять GIF — нормально; для /find я их всё равно сохраняю)",
    "dupes_bad_notify": "«{value}» — нет такого варианта. Админы: <code>/dupes notify public|admins</code>.",
    "dupes_bad_forwards": "«{value}» — нет такого варианта. Админы: <code>/dupes forwards on|off</code>.",
    "dupes_bad_minsize": "«{value}» не подходит как размер: нужно число пикселей по короткой стороне, от 0 (без "
                         "минимума) до 4096, например <code>/dupes minsize 128</code>.",
    "dupes_bad_self": "«{value}» — нет такого варианта. Админы: <code>/dupes self on|off</code>.",
    "dupes_bad_gifs": "«{value}» — нет такого варианта. Админы: <code>/dupes gifs on|off</code>.",
    "dupes_needs_value": "Какое значение для <code>/dupes {setting}</code>? Вот настройки и что они принимают:",
    "n_days_one": "{n} день",
    "n_days_few": "{n} дня",
    "n_days": "{n} дней",
    "n_photos": "{n} фото",
    "n_photos_one": "{n} фото",
    "n_photos_stored": "сохранено {n} фото",
    "n_photos_stored_one": "сохранено {n} фото",
    "n_public_photos": "Общие фото: {n}",
    "n_public_photos_one": "Общие фото: {n}",
    "button_not_repost": "✅ Не повтор",
    "button_delete": "🗑 Удалить",
    "button_admins_only": "Это могут только админы группы.",
    "button_cleared": "Принято: не повтор. Больше не буду отмечать его по этому фото.",
    "button_already_cleared": "Уже сделано: {name} отметил(а), что это не повтор.",
    "button_deleted": "Удалено.",
    "button_already_deleted": "Уже сделано: этот повтор удалён.",
    "button_cannot_delete": "Мне нельзя удалять сообщения в этой группе: сделайте меня админом с правом «Удалять сообщения».",
    "button_gone": "Этого фото у меня больше нет (его забыли).",
    "flag_cleared": "✅ Не повтор: отметил(а) {name}.",
    "flag_cleared_still_deleted": "✅ Не повтор: подтвердил(а) {name}. "
                                  "Удалённое фото не вернуть (я не могу заново отправить сообщение участника), но его можно опубликовать снова: повтором того фото оно считаться не будет.",
    "flag_deleted": "🗑 Удалил(а) {name}.",
    "alert": "🔁 Повтор в <b>{group}</b> от {author}: {repost}. Впервые опубликовано{when}: {original}.",
    "the_repost": "повтор",
    "photo": "фото",
    "photo_today": "сегодняшнее фото",
    "photo_days_ago": "фото {n} дней назад",
    "photo_days_ago_one": "фото {n} день назад",
    "photo_days_ago_few": "фото {n} дня назад",
    "no_admin_reachable": "Уведомления о повторах должны приходить админам в личку, но никто из них ещё не начал чат со "
                          "мной (откройте @{bot} и нажмите «Запустить»). Пока что отмечаю повторы здесь.",
    "cannot_delete": "Админы: мне велено удалять повторы, но здесь мне нельзя удалять сообщения. Сделайте меня "
                     "админом с правом «Удалять сообщения» или выберите <code>/dupes reply</code>. Пока что отвечаю "
                     "ссылкой.",
    "privacy_blind": "⚠️ Я не вижу фото, которые здесь публикуют участники: у меня включён режим приватности и я не "
                     "админ этой группы. Сделайте меня админом (или отключите приватность командой /setprivacy в "
                     "@BotFather и добавьте меня заново).",
    "forget_confirm": "Удалить все сохранённые для этой группы фото (всего: {n})? Это нельзя отменить.",
    "forget_confirm_one": "Удалить все сохранённые для этой группы фото (всего: {n})? Это нельзя отменить.",
    "button_forget_yes": "Да, удалить",
    "button_forget_no": "Нет, оставить",
    "forget_kept": "Ничего не удалено: фото остаются.",
    "forgot_this_photo": "Готово: я забыл это фото.",
    "forgot_one": "Готово: все фото, сохранённые для этой группы, удалены (всего {n}).",
    "forget_not_yours": "Заставить меня забыть фото может только его автор или админ.",
    "forget_unknown": "Это фото у меня не сохранено.",
    "forget_nothing": "У меня нет сохранённых фото этой группы.",
    "forget_all_admins_only": "Заставить меня забыть все фото группы могут только её админы. Чтобы забыть своё фото, ответьте на него командой /forget.",
    "forget_not_a_photo": "Ответьте на фото командой /forget, чтобы я его забыл, или отправьте /forget отдельно, чтобы забыть все фото группы.",
    "stats_reposts": "\n<b>Повторы</b> за 7 / 30 дн.: отмечено {flagged_7d} / {flagged_30d}, признано не повтором "
                     "{cleared_7d} / {cleared_30d}.",
    "stats_top_reposters": "\n<b>Чаще всех повторяют</b>:{lines}",
    "stats_top_reposted": "\n<b>Чаще всего повторяемые фото</b>:{lines}",
    "stats_rank_line": "\n• {name}: {n}",
}

COMMANDS: list[tuple[str, str]] = [  # Telegram's command menu, in this order
    ("start", "что я умею"),
    ("help", "все команды с примерами"),
    ("hashtags", "хештеги для фото (ответом на него)"),
    ("find", "фото по словам: /find собаки на пляже"),
    ("similar", "похожие фото (ответом на фото)"),
    ("captions", "подходящие подписи к фото"),
    ("map", "фото этого чата, сгруппированные по сходству: /map, /map #tag, /map собаки"),
    ("clusters", "группы похожих фото в этом чате"),
    ("dupes", "группы: проверка повторов (настраивают админы)"),
    ("stats", "что я знаю об этом чате"),
    ("forget", "забыть фото (ответом на него) или все фото чата"),
]
