"""The bot's replies as text: pure functions of what the engine answered and the reader's language.

No Telegram and no engine here (the unit tests call these directly); everything is HTML, user text
escaped (by `t`, or `html.escape` where a caption is put in as is).
"""
from __future__ import annotations

import html
import json
import time
from typing import Sequence

from bot.i18n import DEFAULT, MESSAGES, count_of, plural_key, shorten, t, thousands
from indexing.search import ONLY_ITSELF, PUBLIC, TOO_FEW_POSTS, CaptionHit, ChatSettings, Hit, SettingError

JOB_NAMES = ("rebuild", "retrain", "snapshot")  # the scheduler's jobs /stats reports (indexing/jobs.py)
MAP_CAPTION_CHARS = 1000  # Telegram's photo caption takes 1,024
PHOTO_TEXT_CHARS = 1500  # of a photo's text, shown above /captions (a message takes 4,096)
MAP_CAPTION_GROUPS = 12  # groups listed under a /map photo
JOB_COUNTS = {"few_new": "new", "few_unseen": "unseen", "few_deleted": "deleted"}  # the count a job outcome is worded by


def tag_line(tags) -> str:
    """'#coffee #espresso': one line to copy."""
    return " ".join(f"#{s.tag}" for s in tags)


def hashtag_text(lang: str, tags, for_text: bool = False) -> str:
    """Suggested hashtags (not none: see `nothing_fits`): one copyable line, then their scores in its order
    (not the tags again); for a photo with a caption, which of them came from its words."""
    scores = " · ".join(f"{s.score:.2f}" for s in tags)  # one tag: "Score", whatever the language's plural rule
    scored = t(lang, "hashtag_scores_one" if len(tags) == 1 else "hashtag_scores", scores=scores)
    out = t(lang, "text_hashtags" if for_text else "hashtags", line=tag_line(tags), scored_html=scored)
    words = [s for s in tags if s.from_words]
    if words and not for_text:
        out += "\n" + t(lang, "from_words", tags=tag_line(words))
    in_photo = [s for s in tags if getattr(s, "from_photo_text", False)]
    if in_photo:
        out += "\n" + t(lang, "from_photo_text", tags=tag_line(in_photo))
    return out


def why_text(lang: str, reason: str, count: int = 0) -> str:
    """Why a hashtag is suggested, from its reason code (indexing.search.TagSuggestion.reason) and the
    count some reasons carry ("seen on 7 similar posts"; a `why_<reason>_one` says it of one)."""
    key = f"why_{reason}"
    return t(lang, f"{key}_one" if count == 1 and f"{key}_one" in MESSAGES[DEFAULT] else key, count=count)


# "nothing but itself": what an empty similar answer says when the only close photo is a copy of the query
BUT_ITSELF = {"similar_none": "similar_only_itself", "similar_none_video": "similar_only_itself_video",
              "similar_none_album": "similar_only_themselves"}


def nothing_fits(lang: str, key: str, why_empty: str | None, hint: str | None = None, **values) -> str:
    """The reply to an empty answer (the relevance floors left nothing: indexing/relevance.py): "apart
    from the photo itself" when the only close one is a copy of it; with `hint` ("private" or "group"),
    what would help while the collection is too small to know."""
    if why_empty == ONLY_ITSELF and key in BUT_ITSELF:
        return t(lang, BUT_ITSELF[key])
    text = t(lang, key, **values)
    if why_empty == TOO_FEW_POSTS and hint is not None:
        text += "\n" + t(lang, "nothing_yet_hint" if hint == "private" else "nothing_yet_hint_group")
    return text


def hit_caption(lang: str, hit: Hit, label: str = "similar_caption") -> str:
    """'0.83 similar · a cup of espresso': under a result photo ('0.78 match of its words' when its
    words matched better than its meaning: text read in it, or its caption's)."""
    caption = t(lang, "words_caption", score=hit.words) if hit.words > hit.score else t(lang, label, score=hit.score)
    if hit.post.captions:
        caption += " · " + html.escape(hit.post.captions[0][:300])
    return caption


def photo_text(lang: str, read, video: bool = False) -> str:
    """Above /captions: the text read from the photo (models.ocr.ReadText; a video's: from its middle
    frame), or that it is in a script the reader cannot spell; nothing when there is none."""
    if read is None or read.status not in ("text", "unreadable"):
        return ""
    if read.status == "unreadable":
        return t(lang, "photo_text_unreadable") + "\n\n"
    return t(lang, "video_text" if video else "photo_text", text=read.text[:PHOTO_TEXT_CHARS]) + "\n\n"


def captions_text(lang: str, captions: Sequence[CaptionHit]) -> str:
    lines = "\n".join(f"• {html.escape(h.caption)} <i>({h.score:.2f})</i>" for h in captions)
    return t(lang, "captions", lines_html=lines)


def album_text(lang: str, tags_per_photo: list) -> str:
    """An album's hashtags, one line per photo (a lone part, e.g. one that came after the rest had been
    answered, is answered as a photo: never "Album of 1 photos")."""
    if len(tags_per_photo) == 1:
        tags = tags_per_photo[0]
        return hashtag_text(lang, tags, False) if tags else t(lang, "no_hashtags")
    lines = [t(lang, "album_photo", n=n, line=tag_line(tags)) if tags else t(lang, "album_photo_none", n=n)
             for n, tags in enumerate(tags_per_photo, 1)]
    return t(lang, "album", n=len(tags_per_photo)) + "\n" + "\n".join(lines)


def job_detail(lang: str, state: dict[str, str], now: float | None = None) -> str:
    """One short clause about a scheduled job's state: its progress, or when it finished and how."""
    if state.get("state") == "running":
        return f" ({state['progress']})" if state.get("progress") else ""
    finished = float(state.get("finished_s", 0) or 0)
    now = time.time() if now is None else now
    ago = t(lang, "job_ago", minutes=max(0, int((now - finished) // 60))) if finished else ""
    try:
        result = json.loads(state.get("result", "{}"))
    except ValueError:
        result = {}
    if result.get("reason"):  # the job's outcome in the reader's language (jobs.py records why)
        key, counted = f"job_{result['reason']}", JOB_COUNTS.get(result["reason"])
        if counted and isinstance(result.get(counted), int):  # "1 deletion", not "1 deletions"
            key = plural_key(lang, key, result[counted])
        what = t(lang, key, **{k: v for k, v in result.items() if isinstance(v, (int, str))})
    elif result.get("error"):
        what = t(lang, "job_failed")  # the error itself is in the logs, in English
    else:
        what = t(lang, "job_release", release=result["release"]) if result.get("release") else ""
    return f"{ago}" + (t(lang, "colon") + what[:160] if what else "")


def stats_text(lang: str, private: bool, chat: dict, public: dict, settings: ChatSettings) -> str:
    """/stats: the chat's photos, the shared library's, the index and the scheduled jobs (engine.stats)."""
    jobs = "".join(t(lang, "job_line", job=t(lang, f"job_name_{name}"),
                     state=t(lang, f"job_state_{state.get('state', 'running')}"), detail=job_detail(lang, state))
                   for name, state in sorted(chat.get("jobs", {}).items()) if name in JOB_NAMES)
    migration = chat.get("image_migration")  # the photos embedded again by a new image model, while it runs
    if migration:
        jobs += t(lang, "stats_migration", done=thousands(lang, migration["done"]),
                  total=thousands(lang, migration["total"]))
    reading = chat.get("reading")  # the chat's photos whose text was read, or waits to be (indexing/reading.py)
    if reading:
        jobs += t(lang, "stats_reading", text=thousands(lang, reading["text"]),
                  none=thousands(lang, reading["none"] + reading["error"]), waiting=thousands(lang, reading["waiting"]))
        if reading["unreadable"]:  # text was seen, in a script the reader has no model for: not "without text"
            jobs += count_of(lang, "stats_reading_unreadable", reading["unreadable"])
    heads = chat.get("projector", "none")
    mode = t(lang, f"mode_{settings.dupes}")
    if settings.dupes != "off" and settings.notify == "admins":  # flags go to the admins, not the group
        mode += f" ({t(lang, 'notify_admins')})"
    return t(lang, "stats_private" if private else "stats",
             chat_posts=count_of(lang, "n_photos_stored", chat.get("posts_in_scope", 0)),
             public_posts=count_of(lang, "n_photos", public.get("posts_in_scope", 0)), mode=mode,
             release=chat.get("release", "none"), heads=heads if heads != "none" else t(lang, "heads_none"),
             jobs_html=jobs)


def dupes_text(lang: str, settings: ChatSettings, blind: bool = False) -> str:
    """/dupes: the chat's re-post settings (and, when the bot cannot see members' photos, why and how
    to fix it)."""
    minsize = t(lang, "minsize_px", n=settings.minsize) if settings.minsize else t(lang, "minsize_none")
    text = t(lang, "dupes_settings", mode=t(lang, f"mode_{settings.dupes}"),
             sensitivity=t(lang, f"sensitivity_{settings.sensitivity}"),
             window=count_of(lang, "n_days", settings.window_days),
             notify=t(lang, f"notify_{settings.notify}"), forwards=t(lang, f"forwards_{settings.forwards}"),
             minsize=minsize, self_reposts=t(lang, f"self_{settings.self_reposts}"),
             gifs=t(lang, f"gifs_{settings.gifs}"))
    return blind_warning(lang) + text if blind else text


def blind_warning(lang: str) -> str:
    """Above /stats and /dupes when privacy mode keeps members' photos from the bot."""
    return t(lang, "privacy_blind") + "\n\n"


SETTING_ERRORS = {"sensitivity": "dupes_bad_sensitivity", "window_days": "dupes_bad_window",
                  "notify": "dupes_bad_notify", "forwards": "dupes_bad_forwards", "minsize": "dupes_bad_minsize",
                  "self_reposts": "dupes_bad_self", "gifs": "dupes_bad_gifs"}


def setting_error_text(lang: str, error: SettingError) -> str:
    """What was wrong with a /dupes change, precisely (indexing.chats.SettingError says which setting)."""
    return t(lang, SETTING_ERRORS.get(error.setting, "dupes_bad"), value=str(error.value)[:40],
             max_days=error.max_days)


def message_link(lang: str, chat_id: int, message_id: int | None, label_key: str, label: str | None = None) -> str:
    """A link to a message (Telegram links to messages of supergroups only; elsewhere its number),
    worded by `label_key` or, when given, by `label` (plain text)."""
    label = html.escape(label or t(lang, label_key))
    chat = str(chat_id)
    if chat.startswith("-100") and message_id:
        return f'<a href="https://t.me/c/{chat[4:]}/{message_id}">{label}</a>'
    return f"{label} (#{message_id})" if message_id else label


def _days_since(created_s: float, now: float | None) -> int:
    return int(((time.time() if now is None else now) - created_s) // 86400)


def _when(lang: str, created_s: float, now: float | None) -> str:
    days = _days_since(created_s, now)
    return t(lang, "when_today") if days == 0 else count_of(lang, "when_days", days)


def _photo_when(lang: str, created_s: float, now: float | None) -> str:
    """An uncaptioned photo named by its age: "a photo from today", "a photo from 3 days ago"."""
    days = _days_since(created_s, now)
    return t(lang, "photo_today") if days == 0 else count_of(lang, "photo_days_ago", days)


def repost_text(lang: str, chat_id: int, original_message_id: int | None, original_created_s: float,
                deleted: bool, now: float | None = None, media: str = "") -> str:
    """The notice under a re-post (or after deleting it): when the photo (a video, GIF or video note:
    `media`, the original's Post.media) was first posted, and a link to that message."""
    link = message_link(lang, chat_id, original_message_id, "original")
    key = "repost_video" if media else "repost"
    if deleted:
        return t(lang, f"{key}_deleted", link_html=link)
    return t(lang, key, when_html=_when(lang, original_created_s, now), link_html=link)


def alert_text(lang: str, group: str, chat_id: int, repost_message_id: int, author: str,
               original_message_id: int | None, original_created_s: float, now: float | None = None) -> str:
    """An admin's private alert: which group, who re-posted, links to the re-post and to the original."""
    return t(lang, "alert", group=group, author=author or "?",
             repost_html=message_link(lang, chat_id, repost_message_id, "the_repost"),
             when_html=_when(lang, original_created_s, now),
             original_html=message_link(lang, chat_id, original_message_id, "original"))


def flag_done(lang: str, flag: str, action: str, name: str, still_deleted: bool = False) -> str:
    """A flag once an admin pressed a button: what it said, then who cleared or deleted it (a re-post
    cleared after the bot deleted it stays deleted: the bot cannot post a member's message again)."""
    if action == "clear":
        return f"{flag}\n\n" + t(lang, "flag_cleared_still_deleted" if still_deleted else "flag_cleared", name=name)
    return f"{flag}\n\n" + t(lang, "flag_deleted", name=name)


def moderation_text(lang: str, chat_id: int, stats) -> str:
    """/stats in a group, after the counts: re-posts flagged and cleared in 7 and 30 days, who re-posts
    most, and the most re-posted photos with links (an indexing.search.ModerationStats)."""
    text = t(lang, "stats_reposts", flagged_7d=stats.flagged_7d, flagged_30d=stats.flagged_30d,
             cleared_7d=stats.cleared_7d, cleared_30d=stats.cleared_30d)
    if stats.top_reposters:
        lines = "".join(t(lang, "stats_rank_line", name=name or str(user_id), n=n)
                        for user_id, name, n in stats.top_reposters)
        text += t(lang, "stats_top_reposters", lines_html=lines)
    if stats.top_reposted:
        # labelled by the caption, else by when it was posted ("a photo from 3 days ago"): not all "photo"
        lines = "".join(t(lang, "stats_rank_line", n=n, name_html=message_link(
            lang, chat_id, post.message_id, "photo", shorten(post.captions[0], 40) if post.captions else
            _photo_when(lang, post.created_s, None))) for post, n in stats.top_reposted)
        text += t(lang, "stats_top_reposted", lines_html=lines)
    return text


def cluster_line(lang: str, cluster) -> str:
    """'3. 12 photos — #espresso #coffee' (a photomap.Cluster)."""
    return t(lang, "cluster_line", number=cluster.number, size=count_of(lang, "n_photos", cluster.size),
             tags=" ".join(f"#{x}" for x in cluster.tags) or "—")


def cluster_caption(lang: str, cluster) -> str:
    """Under a group's typical photo in /clusters: its number and hashtags, as the map labels it."""
    return t(lang, "cluster_photo", number=cluster.number, tags=" ".join(f"#{x}" for x in cluster.tags)).strip()


def map_title(lang: str, photo_map) -> str:
    """'40 photos matching #food, 30 drawn · 3 groups' (an indexing.maps.PhotoMap)."""
    layout, groups = photo_map.layout, len(photo_map.layout.clusters)
    total = count_of(lang, "n_public_photos" if photo_map.scope == PUBLIC else "n_photos", layout.total)
    return t(lang, "map_title", total=total,
             about=t(lang, "map_about", query=photo_map.query) if photo_map.query else "",
             drawn=count_of(lang, "map_drawn", len(layout.ids)) if len(layout.ids) < layout.total else "",
             groups=count_of(lang, "map_groups", groups))


def map_caption(lang: str, photo_map) -> str:
    """The /map photo's caption: its title and its biggest groups, cut at a line within Telegram's limit."""
    lines = [f"<b>{map_title(lang, photo_map)}</b>"]
    lines += [cluster_line(lang, c) for c in photo_map.layout.clusters[:MAP_CAPTION_GROUPS]]
    caption = "\n".join(lines)
    return caption if len(caption) <= MAP_CAPTION_CHARS else caption[:caption.rfind("\n", 0, MAP_CAPTION_CHARS)]


def clusters_text(lang: str, photo_map, shown: list) -> str:
    """/clusters: the map's title, then one line per group shown and how many photos are in none."""
    lines = [cluster_line(lang, c) for c in shown]
    if photo_map.layout.unclustered:
        lines.append(t(lang, "clusters_rest", photos=count_of(lang, "n_photos", photo_map.layout.unclustered)))
    return f"<b>{map_title(lang, photo_map)}</b>\n" + "\n".join(lines)


def clusters_none(lang: str, total: int) -> str:
    """/clusters when no group stands out: how many photos were looked at."""
    return t(lang, "clusters_none", photos=count_of(lang, "n_photos", total))
