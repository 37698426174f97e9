"""English: every sentence the bot says (HTML for Telegram) and its command menu.

The reference catalogue: every other language has the same keys and the same placeholders.
"""

DECIMAL_SEPARATOR = "."  # in sizes: 21.5 MB

MESSAGES: dict[str, str] = {
    "start": "Hi {name}! I understand photos.\n\n"
             "Send me a photo: I answer with hashtags that fit it and the most similar photos I know.\n"
             "Or search: <code>/find a cup of coffee</code>\n\n/help shows everything I can do.",
    "help": "<b>What I do</b>\n"
            "• Send a photo → hashtags + similar photos (with a caption: hashtags from both)\n"
            "• Videos, GIFs and video notes work like photos (I look at a few of their frames)\n"
            "• I read the text in photos: <code>/find</code> finds a photo by its words, <code>/captions</code> shows them\n"
            "• Send a caption you are drafting (or <code>/hashtags your words</code>) → hashtags + "
            "matching photos\n"
            "• <code>/hashtags</code>, <code>/similar</code>, <code>/captions</code> — as a photo's caption "
            "or in reply to a photo\n"
            "• <code>/find a cup of coffee</code> → matching photos\n"
            "• <code>/find at night</code> in reply to a photo → like that photo, but at night\n"
            "• Inline: type <code>@{bot} red bicycle</code> in any chat\n"
            "• <code>/map</code> → this chat's photos grouped by similarity on one picture; "
            "<code>/map #food</code> or <code>/map dogs</code> for some of them; <code>/clusters</code> lists "
            "the groups\n\n"
            "<b>In groups</b> I collect the photos posted and flag re-posts, with buttons for the admins "
            "(“Not a re-post”, “Delete”).\n"
            "• <code>/dupes</code> — show the settings; admins: <code>/dupes reply|delete|off</code>, "
            "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window 30</code> (days), "
            "<code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, "
            "<code>/dupes minsize 128</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>\n"
            "• <code>/stats</code> — what I know in this chat, and who re-posts what\n"
            "• <code>/forget</code> in reply to a photo — forget that photo (its poster or an admin); alone — "
            "admins: delete everything I stored for this chat",
    "hashtags": "<b>Hashtags</b> (tap to copy):\n<code>{line}</code>\n{scored}",
    "no_hashtags": "No hashtag fits this photo well enough yet: nothing I know is close to it.",
    "nothing_yet_hint": "I only know a few photos so far. Send me more photos with captions and my answers "
                        "will get better.",
    "nothing_yet_hint_group": "I only know a few photos so far. Post more photos with captions in this group "
                              "and my answers will get better.",
    "text_hashtags": "<b>Hashtags for your text</b> (tap to copy):\n<code>{line}</code>\n{scored}",
    "hashtag_scores": "<i>Scores, in order: {scores}</i>",
    "hashtag_scores_one": "<i>Score: {scores}</i>",
    "no_text_hashtags": "I know no hashtags that fit these words yet.",
    "from_words": "✍️ from your caption: {tags}",
    "from_photo_text": "🔤 written in the photo: {tags}",
    "similar_none": "Nothing I know looks like this photo yet.",
    "similar_only_itself": "Nothing I know looks like this photo yet, apart from copies of it.",
    "no_hashtags_video": "No hashtag fits this video well enough yet: nothing I know is close to it.",
    "similar_none_video": "Nothing I know looks like this video yet.",
    "similar_only_itself_video": "Nothing I know looks like this video yet, apart from copies of it.",
    "no_captions_video": "I know no captions that fit this video yet.",
    "video_text": "<b>Text in this video</b>:\n<blockquote>{text}</blockquote>",
    "similar_none_album": "Nothing I know looks like these photos yet.",
    "similar_only_themselves": "Nothing I know looks like these photos yet, apart from the photos themselves.",
    "album_photo_none": "Photo {n}: no hashtag fits yet",
    "similar_caption": "{score:.2f} similar",
    "match_caption": "{score:.2f} match",
    "words_caption": "{score:.2f} match of the words in the photo or its caption",
    "captions": "<b>Captions that fit</b>:\n{lines}",
    "photo_text": "<b>Text in this photo</b>:\n<blockquote>{text}</blockquote>",
    "photo_text_unreadable": "<i>This photo has text in a script I cannot read yet (I read Latin-alphabet languages, Chinese and Japanese).</i>",
    "no_captions": "I know no captions that fit this photo yet.",
    "find_results": "Photos matching “{query}”:",
    "find_none": "No photo matches “{query}” yet. Try other words.",
    "find_usage": "Tell me what to look for, e.g. <code>/find a cup of coffee</code>.",
    "need_photo": "Send this command as the caption of a photo, or reply with it to a photo.",
    "hashtags_usage": "Send /hashtags as the caption of a photo, reply with it to a photo, or write words after it: <code>/hashtags a dog on the beach</code>.",
    "album": "Album of {n} photos:",
    "album_photo": "Photo {n}: <code>{line}</code>",
    "bad_photo": "I could not read this photo ({reason}). Please send a JPEG, PNG, WebP or HEIC image.",
    "bad_video": "I could not read this video ({reason}). Please send an MP4 video or a GIF.",
    "video_title": "Video",  # an inline result showing a video without a caption
    "bad_photo_empty": "the file is empty",
    "bad_photo_corrupt": "the file is damaged or cut short",
    "bad_photo_pixels": "it has too many pixels",
    "bad_photo_bytes": "the file is larger than I read",
    "too_big": "This file is too large ({size} MB); I read photos up to {limit} MB.",
    "not_an_image_file": "This file is not an image I can read. Send a photo, or an image file (JPEG, PNG, WebP, HEIC).",
    "not_a_photo": "I only understand photos. Send it as a photo, or as an image file.",
    "sticker_moving": "I can only look at still stickers, and this one moves. Send me a photo, an image file or a still sticker.",
    "text_hint": "Send me a photo or a caption, or search with <code>/find your words</code>. "
                 "/help lists everything.",
    "unknown_command": "I do not know that command. /help lists what I can do.",
    "queued": "That is a lot at once: I answer everything in order, about {per_minute} a minute "
              "({waiting} waiting). Nothing is lost.",
    "error": "Sorry, something went wrong on my side. Please try again in a moment.",
    "storage_down": "My photo memory is unavailable right now. Please try again in a minute; nothing was lost.",
    "repost": "This photo was already posted here{when}: {link}",
    "repost_deleted": "I removed a re-post of a photo already shared here: {link}",
    "repost_video": "This video was already posted here{when}: {link}",
    "repost_video_deleted": "I removed a re-post of a video already shared here: {link}",
    "original": "the original",
    "when_days": " {n} days ago",
    "when_days_one": " {n} day ago",
    "when_today": " today",
    "admins_only": "Only the chat's admins can change this.",
    "dupes_settings": "<b>Re-post checks</b>: {mode}\nSensitivity: {sensitivity}\nWindow: {window}\n"
                      "Alerts: {notify}\nForwards: {forwards}\nSmallest photo checked: {minsize}\n"
                      "Members posting their own photo again: {self_reposts}\nGIFs: {gifs}\n\n"
                      "Admins: <code>/dupes reply|delete|off</code>, "
                      "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window DAYS</code>, "
                      "<code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, "
                      "<code>/dupes minsize N</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>",
    "dupes_bad": "I did not understand “{value}”. Admins: <code>/dupes reply|delete|off</code>, "
                 "<code>/dupes sensitivity low|normal|high</code>, <code>/dupes window DAYS</code> "
                 "(1 to {max_days})"
                 ", <code>/dupes notify public|admins</code>, <code>/dupes forwards on|off</code>, "
                 "<code>/dupes minsize N</code>, <code>/dupes self on|off</code>, <code>/dupes gifs on|off</code>.",
    "forgot": "Done: I deleted the {n} photos I had stored for this group.",
    "forgot_private": "Done: I deleted the {n} photos I had stored for our chat.",
    "forgot_private_one": "Done: I deleted the {n} photo I had stored for our chat.",
    "stats_private": "<b>Our chat</b>: {chat_posts}.\n"
                     "<b>Shared library</b>: {public_posts}.\n"
                     "<b>Index</b>: release {release}, learned model {heads}.{jobs}",
    "job_ago": " {minutes} min ago",
    "colon": ": ",  # before a detail ("3 min ago: 12 new posts"); French puts a space before it
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
    "job_few_new_one": "{new} new captioned post, training starts at {needed}",
    "job_too_few_to_train": "not enough captioned or tagged posts to train on yet",
    "job_few_unseen": "kept the serving model: only {unseen} held-out posts to compare on (needs {needed})",
    "job_few_unseen_one": "kept the serving model: only {unseen} held-out post to compare on (needs {needed})",
    "job_worse": "kept the serving model: the new one was worse ({metrics})",
    "job_few_deleted": "{deleted} deletions, too few to rebuild",
    "job_few_deleted_one": "{deleted} deletion, too few to rebuild",
    "job_shared_backend": "the vector store compacts deletions itself: no rebuild needed",
    "job_unchanged": "nothing changed",
    "job_failed": "failed (see the logs); the current index keeps serving",
    "stats": "<b>This group</b>: {chat_posts}.\n"
             "<b>Shared library</b>: {public_posts}.\n"
             "Re-post checks: {mode}.\n"
             "<b>Index</b>: release {release}, learned model {heads}.{jobs}",
    "job_line": "\n• {job}: {state}{detail}",
    "stats_reading": "\n<b>Text in photos</b>: {text} read with text, {none} without text, {waiting} waiting to be read.",
    "stats_reading_unreadable": " ({n} more hold text in a script I cannot read yet.)",
    "stats_reading_unreadable_one": " ({n} more holds text in a script I cannot read yet.)",
    "stats_migration": "\n• Re-embedding photos for the new image model: {done} / {total}",
    "groups_only": "This command works in groups.",
    "inline_none": "No matching photos",
    "mode_reply": "reply with a link to the original",
    "mode_delete": "delete re-posts",
    "mode_off": "off",
    "map_drawing": "Drawing the map of {n} photos… (a few seconds; the next /map is instant)",
    "map_empty": "No photos to map here yet: send me some first.",
    "map_public": "This chat has no photos of its own yet: here is the public collection.",
    "map_document": "Full resolution",
    "map_title": "{total}{about}{drawn} · {groups}",
    "map_about": " matching {query}",
    "map_drawn": ", {n} drawn",
    "map_drawn_one": ", {n} drawn",
    "map_groups_one": "{n} group",
    "map_groups": "{n} groups",
    "cluster_line": "{number}. {size} — {tags}",
    "clusters_none": "{photos}, but no group of similar ones stands out (yet).",
    "clusters_rest": "In no group: {photos}.",
    "dupes_bad_sensitivity": "“{value}” is not a sensitivity. Admins: <code>/dupes sensitivity low|normal|high</code>.",
    "dupes_bad_window": "“{value}” is not a window I take: a number of days from 1 to {max_days}, "
                        "e.g. <code>/dupes window 30</code>.",
    "cluster_photo": "{number} {tags}",
    "why_neighbours": "seen on {count} similar posts",
    "why_neighbours_one": "seen on a similar post",
    "why_learned": "learned from tagged posts",
    "why_caption_neighbours": "on {count} posts whose caption fits the photo",
    "why_caption_neighbours_one": "on a post whose caption fits the photo",
    "why_zero_shot": "matches what the photo shows",
    "why_imagenet": "looks like what the photo shows",
    "why_in_your_words": "in your words",
    "why_similar_caption": "on {count} posts with a similar caption",
    "why_similar_caption_one": "on a post with a similar caption",
    "why_means": "means what your words say",
    "why_often_here": "often used here",
    "why_in_the_photo": "written in the photo",
    "notify_public": "in the group",
    "notify_admins": "privately, to the admins who started a chat with me",
    "forwards_on": "checked like any post",
    "forwards_off": "not checked",
    "minsize_px": "{n} px on the short side",
    "minsize_none": "any size",
    "self_on": "flagged",
    "self_off": "not flagged",
    "gifs_on": "checked like videos",
    "gifs_off": "not checked (re-posting GIFs is normal; they are still kept for /find)",
    "dupes_bad_notify": "“{value}” is not a choice here. Admins: <code>/dupes notify public|admins</code>.",
    "dupes_bad_forwards": "“{value}” is not a choice here. Admins: <code>/dupes forwards on|off</code>.",
    "dupes_bad_minsize": "“{value}” is not a size I take: pixels on the short side, from 0 (no minimum) to 4096, "
                         "e.g. <code>/dupes minsize 128</code>.",
    "dupes_bad_self": "“{value}” is not a choice here. Admins: <code>/dupes self on|off</code>.",
    "dupes_bad_gifs": "“{value}” is not a choice here. Admins: <code>/dupes gifs on|off</code>.",
    "dupes_needs_value": "Which value for <code>/dupes {setting}</code>? Here are the settings and what they take:",
    "n_days_one": "{n} day",
    "n_days": "{n} days",
    "n_photos": "{n} photos",
    "n_photos_one": "{n} photo",
    "n_photos_stored": "{n} photos stored",
    "n_photos_stored_one": "{n} photo stored",
    "n_public_photos": "{n} public photos",
    "n_public_photos_one": "{n} public photo",
    "button_not_repost": "✅ Not a re-post",
    "button_delete": "🗑 Delete",
    "button_admins_only": "Only the group's admins can do this.",
    "button_cleared": "Noted: not a re-post. I will not flag it against that photo again.",
    "button_already_cleared": "Already done: {name} said it is not a re-post.",
    "button_deleted": "Deleted.",
    "button_already_deleted": "Already done: this re-post was deleted.",
    "button_cannot_delete": "I am not allowed to delete messages in this group: make me an admin with "
                            "“Delete messages”.",
    "button_gone": "I no longer have this photo (it was forgotten).",
    "flag_cleared": "✅ Not a re-post: cleared by {name}.",
    "flag_cleared_still_deleted": "✅ Not a re-post: cleared by {name}. "
                                  "The deleted photo cannot come back (I cannot post a member's message again), but it may be posted again: it will not be taken for a re-post of that photo.",
    "flag_deleted": "🗑 Deleted by {name}.",
    "alert": "🔁 A re-post in <b>{group}</b> by {author}: {repost}. First posted{when}: {original}.",
    "the_repost": "the re-post",
    "photo": "photo",
    "photo_today": "a photo from today",
    "photo_days_ago": "a photo from {n} days ago",
    "photo_days_ago_one": "a photo from {n} day ago",
    "no_admin_reachable": "Re-post alerts are set to go to the admins privately, but none of them has started a "
                          "chat with me yet (open @{bot} and press Start). Until one does, I flag re-posts here.",
    "cannot_delete": "Admins: I am set to delete re-posts, but I am not allowed to delete messages here. Make me "
                     "an admin with “Delete messages”, or choose <code>/dupes reply</code>. Until then I reply "
                     "with a link.",
    "privacy_blind": "⚠️ I cannot see the photos members post here: my privacy mode is on and I am not an admin "
                     "of this group. Make me an admin (or turn privacy off with /setprivacy in @BotFather, then "
                     "add me again).",
    "forget_confirm": "Delete all {n} photos I stored for this group? This cannot be undone.",
    "forget_confirm_one": "Delete the {n} photo I stored for this group? This cannot be undone.",
    "button_forget_yes": "Yes, delete them",
    "button_forget_no": "No, keep them",
    "forget_kept": "Nothing deleted: I keep the photos.",
    "forgot_this_photo": "Done: I forgot this photo.",
    "forgot_one": "Done: I deleted the {n} photo I had stored for this group.",
    "forget_not_yours": "Only the photo's poster or an admin can make me forget it.",
    "forget_unknown": "I have not stored this photo.",
    "forget_nothing": "I have no photos stored for this group.",
    "forget_all_admins_only": "Only the group's admins can make me forget all its photos. To forget one of yours, reply to it with /forget.",
    "forget_not_a_photo": "Reply to a photo with /forget to make me forget it, or send /forget alone to forget all the group's photos.",
    "stats_reposts": "\n<b>Re-posts</b>, last 7 / 30 days: {flagged_7d} / {flagged_30d} flagged, "
                     "{cleared_7d} / {cleared_30d} cleared as not a re-post.",
    "stats_top_reposters": "\n<b>Who re-posts most</b>:{lines}",
    "stats_top_reposted": "\n<b>Most re-posted photos</b>:{lines}",
    "stats_rank_line": "\n• {name}: {n}",
}

COMMANDS: list[tuple[str, str]] = [  # Telegram's command menu, in this order
    ("start", "what I do"),
    ("help", "every command, with examples"),
    ("hashtags", "hashtags for a photo (reply to it)"),
    ("find", "photos matching words: /find dogs on a beach"),
    ("similar", "photos similar to a photo (reply to it)"),
    ("captions", "captions that fit a photo"),
    ("map", "this chat's photos grouped by similarity: /map, /map #tag, /map dogs"),
    ("clusters", "the groups of similar photos in this chat"),
    ("dupes", "groups: re-post checks (admins change them)"),
    ("stats", "what I know in this chat"),
    ("forget", "forget a photo (reply to it), or all of this chat's"),
]
