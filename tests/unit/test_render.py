"""The bot's replies as text (bot/render.py): pure functions of what the engine answered, in every language."""
import html
import json
import time
from types import SimpleNamespace

import pytest

from bot import render
from bot.i18n import MESSAGES
from indexing.chats import MAX_WINDOW_DAYS, ChatSettings, SettingError, min_size, window_days
from indexing.maps import PhotoMap
from indexing.photomap import Cluster, MapLayout
from indexing.relevance import NOTHING_CLOSE, ONLY_ITSELF, TOO_FEW_POSTS
from indexing.scopes import PUBLIC
from indexing.store import Post

REASONS_WITH_COUNTS = ("neighbours", "caption_neighbours", "similar_caption")
REASONS = REASONS_WITH_COUNTS + ("learned", "zero_shot", "imagenet", "in_your_words", "means", "often_here")


def tag(name, score, from_words=False):
    return SimpleNamespace(tag=name, score=score, from_words=from_words)


def photo_map(total, drawn, clusters, scope="chat:-1001", query="", unclustered=0):
    layout = MapLayout(ids=list(range(drawn)), cells=[(i, 0) for i in range(drawn)], columns=drawn, rows=1,
                       cluster_of=[0] * drawn, clusters=clusters, total=total, unclustered=unclustered)
    return PhotoMap(layout, scope, query, "h", "f", cached=False)


def test_hashtags_are_one_copyable_line_then_their_scores_and_those_from_the_caption_said():
    text = render.hashtag_text("en", [tag("coffee", 0.712), tag("paris", 0.5, from_words=True)])
    lines = text.splitlines()
    assert lines[0].startswith("<b>Hashtags</b>") and lines[1] == "<code>#coffee #paris</code>"
    assert lines[2] == "<i>Scores, in order: 0.71 · 0.50</i>" and lines[-1] == "✍️ from your caption: #paris"
    for_text = render.hashtag_text("fr", [tag("paris", 0.5, from_words=True)], for_text=True)
    assert "votre texte" in for_text and "légende" not in for_text  # a text is all words: nothing to single out


@pytest.mark.parametrize("lang", sorted(MESSAGES))
def test_each_hashtag_is_listed_once_for_a_photo_and_for_a_text(lang):
    for for_text in (False, True):
        one = render.hashtag_text(lang, [tag("space", 0.46)], for_text=for_text)
        assert one.count("#space") == 1 and "0.46" in one, (lang, one)
        two = render.hashtag_text(lang, [tag("space", 0.46), tag("moon", 0.3)], for_text=for_text)
        assert two.count("#space") == two.count("#moon") == 1 and "0.46 · 0.30" in two, (lang, two)
    assert render.hashtag_text("en", [tag("space", 0.46)], for_text=True) == (
        "<b>Hashtags for your text</b> (tap to copy):\n<code>#space</code>\n<i>Score: 0.46</i>")


def test_a_tag_is_escaped_in_the_copyable_line():
    assert "<code>#a&lt;b</code>" in render.hashtag_text("en", [tag("a<b", 0.3)])


@pytest.mark.parametrize("lang", sorted(MESSAGES))
def test_every_hashtag_reason_has_a_sentence_with_its_count(lang):
    said = {reason: render.why_text(lang, reason, 7) for reason in REASONS}
    assert len(set(said.values())) == len(REASONS)  # no two reasons read alike
    for reason in REASONS_WITH_COUNTS:
        assert "7" in said[reason] and "1" not in render.why_text(lang, reason, 1), (lang, reason)
    assert all("{" not in s and s.strip() for s in said.values())


def test_reasons_read_naturally_in_english_and_french():
    assert render.why_text("en", "neighbours", 7) == "seen on 7 similar posts"
    assert render.why_text("en", "neighbours", 1) == "seen on a similar post"
    assert render.why_text("fr", "in_your_words") == "dans vos mots"


def test_an_empty_answer_says_why_and_the_hint_only_when_asked():
    assert render.nothing_fits("en", "similar_none", ONLY_ITSELF) == \
        "Nothing I know looks like this photo yet, apart from copies of it."
    assert render.nothing_fits("fr", "similar_none_album", ONLY_ITSELF) == \
        "Je ne connais encore aucune photo qui ressemble à celles-ci, à part elles-mêmes."  # an album: plural
    assert render.nothing_fits("fr", "similar_none_album", NOTHING_CLOSE) == \
        "Je ne connais encore aucune photo qui ressemble à celles-ci."
    assert render.nothing_fits("en", "no_captions", ONLY_ITSELF) == "I know no captions that fit this photo yet."
    # a video is not called a photo
    assert render.nothing_fits("fr", "similar_none_video", ONLY_ITSELF) == \
        "Je ne connais encore rien qui ressemble à cette vidéo, à part ses copies."
    assert render.nothing_fits("de", "no_hashtags_video", NOTHING_CLOSE).startswith(
        "Noch passt kein Hashtag gut genug zu diesem Video")
    bare = render.nothing_fits("en", "find_none", TOO_FEW_POSTS, query="dogs")
    assert bare == "No photo matches “dogs” yet. Try other words."
    private = render.nothing_fits("en", "find_none", TOO_FEW_POSTS, "private", query="dogs")
    group = render.nothing_fits("fr", "find_none", TOO_FEW_POSTS, "group", query="dogs")
    assert private.startswith(bare) and "Send me more photos" in private
    assert "dans ce groupe" in group
    assert render.nothing_fits("en", "find_none", NOTHING_CLOSE, "private", query="x").count("\n") == 0


def test_a_result_photo_is_captioned_with_its_score_and_the_posts_caption_escaped():
    hit = SimpleNamespace(score=0.834, words=0.0, post=SimpleNamespace(captions=["<b>espresso</b> " + "x" * 400]))
    caption = render.hit_caption("en", hit, "match_caption")
    assert caption.startswith("0.83 match · &lt;b&gt;espresso") and len(caption) < 360
    assert render.hit_caption("fr", SimpleNamespace(score=0.5, words=0.0, post=SimpleNamespace(captions=[]))) == \
        "0.50 semblable"
    # found by the words read in it (or its caption's): that match is the one shown
    by_words = SimpleNamespace(score=0.12, words=0.78, post=SimpleNamespace(captions=[]))
    assert render.hit_caption("en", by_words, "match_caption") == "0.78 match of the words in the photo or its caption"
    assert render.hit_caption("fr", by_words, "match_caption") == "0.78 de correspondance avec les mots de la photo ou de sa légende"


def test_captions_and_albums_list_one_line_each():
    captions = [SimpleNamespace(caption="a cup & saucer", score=0.61), SimpleNamespace(caption="coffee", score=0.4)]
    text = render.captions_text("en", captions)
    assert "• a cup &amp; saucer <i>(0.61)</i>\n• coffee <i>(0.40)</i>" in text
    album = render.album_text("en", [[tag("cat", 0.9), tag("pets", 0.5)], []])
    assert album == "Album of 2 photos:\nPhoto 1: <code>#cat #pets</code>\nPhoto 2: no hashtag fits yet"


def test_a_jobs_state_reads_as_its_progress_or_when_and_how_it_ended():
    now = time.time()
    assert render.job_detail("en", {"state": "running", "progress": "40%"}) == " (40%)"
    done = {"state": "done", "finished_s": str(now - 125), "result": json.dumps({"release": "r7"})}
    assert render.job_detail("en", done, now) == " 2 min ago: release r7"
    assert render.job_detail("en", {"state": "done", "result": "not json"}) == ""


def test_stats_say_private_chats_and_groups_apart_and_list_only_the_schedulers_jobs():
    chat = {"posts_in_scope": 12, "release": "r3", "projector": "none",
            "jobs": {"retrain": {"state": "running"}, "migrate": {"state": "done"}}}
    group = render.stats_text("en", False, chat, {"posts_in_scope": 40}, ChatSettings(dupes="delete"))
    assert group.startswith("<b>This group</b>: 12 photos") and "40 photos" in group and "delete re-posts" in group
    assert "learned model none yet" in group and "• retraining: running" in group and "migrate" not in group
    private = render.stats_text("fr", True, dict(chat, projector="p2"), {}, ChatSettings())
    assert private.startswith("<b>Notre discussion</b>") and "p2" in private and "groupe" not in private


def test_stats_show_an_image_migration_while_it_runs_with_counts_written_as_each_language_does():
    chat = {"posts_in_scope": 3, "image_migration": {"state": "running", "done": 1234, "total": 5000}}
    english = render.stats_text("en", True, chat, {}, ChatSettings())
    assert "• Re-embedding photos for the new image model: 1,234 / 5,000" in english
    assert "1.234 / 5.000" in render.stats_text("de", False, chat, {}, ChatSettings())
    assert "1\u202f234 из 5\u202f000" in render.stats_text("ru", False, chat, {}, ChatSettings())
    assert "Re-embedding" not in render.stats_text("en", True, {"posts_in_scope": 3}, {}, ChatSettings())


def test_stats_show_the_reading_of_text_in_the_chats_photos_in_every_language():
    chat = {"posts_in_scope": 20, "reading": {"waiting": 1234, "text": 7, "none": 5, "unreadable": 2, "error": 1}}
    english = render.stats_text("en", True, chat, {}, ChatSettings())
    assert ("<b>Text in photos</b>: 7 read with text, 6 without text, 1,234 waiting to be read."
            " (2 more hold text in a script I cannot read yet.)") in english  # unreadable is not "without text"
    assert "avec du texte" in render.stats_text("fr", False, chat, {}, ChatSettings())
    for lang in MESSAGES:
        shown = render.stats_text(lang, False, chat, {}, ChatSettings())
        assert "7" in shown and "6" in shown and render.thousands(lang, 1234) in shown, lang
    one = dict(chat, reading=dict(chat["reading"], unreadable=1))
    assert "(1 more holds text" in render.stats_text("en", True, one, {}, ChatSettings())
    none = dict(chat, reading=dict(chat["reading"], unreadable=0))
    assert "script" not in render.stats_text("en", True, none, {}, ChatSettings())
    assert "Text in photos" not in render.stats_text("en", True, {"posts_in_scope": 3}, {}, ChatSettings())


def test_settings_errors_say_which_setting_was_wrong_in_the_users_language():
    with pytest.raises(SettingError) as sensitivity:
        ChatSettings().changed(sensitivity="extreme")
    with pytest.raises(SettingError) as window:
        ChatSettings().changed(window_days=window_days("9999"))
    with pytest.raises(SettingError) as not_a_number:
        window_days("soon")
    with pytest.raises(SettingError) as mode:
        ChatSettings().changed(dupes="louder")
    assert window_days("30d") == 30
    text = render.setting_error_text("en", sensitivity.value)
    assert "“extreme” is not a sensitivity" in text and "/dupes sensitivity low|normal|high" in text
    assert f"1 to {MAX_WINDOW_DAYS}" in render.setting_error_text("en", window.value)
    assert "« soon »" in render.setting_error_text("fr", not_a_number.value)
    assert "“louder”" in render.setting_error_text("en", mode.value)
    assert "&lt;b&gt;" in render.setting_error_text("en", SettingError("dupes", "<b>", "x"))  # the admin's text


def test_the_settings_read_in_the_users_language():
    text = render.dupes_text("fr", ChatSettings(dupes="off", sensitivity="high", window_days=7))
    assert "désactivé" in text and "Sensibilité : haute" in text and "7 jours" in text


def test_a_repost_links_to_the_original_in_a_supergroup_and_numbers_it_elsewhere():
    now = time.time()
    linked = render.repost_text("en", -1001234, 55, now - 3 * 86400 - 10, deleted=False, now=now)
    assert linked == 'This photo was already posted here 3 days ago: <a href="https://t.me/c/1234/55">the original</a>'
    assert render.repost_text("en", -42, 55, now, deleted=False, now=now) == \
        "This photo was already posted here today: the original (#55)"
    deleted = render.repost_text("fr", -42, None, now, deleted=True)  # as Telegram shows the HTML
    assert html.unescape(deleted) == "J'ai retiré la republication d'une photo déjà partagée ici : l'originale"


def test_the_new_settings_read_in_the_users_language_and_a_blind_bot_says_how_to_fix_it():
    settings = ChatSettings(notify="admins", forwards="off", minsize=200, self_reposts="on")
    text = render.dupes_text("en", settings)
    assert "Alerts: privately, to the admins" in text and "Forwards: not checked" in text
    assert "Smallest photo checked: 200 px on the short side" in text and "own photo again: flagged" in text
    assert "privacy" not in text
    assert "any size" in render.dupes_text("en", ChatSettings(minsize=0))
    for lang in MESSAGES:
        blind = render.dupes_text(lang, settings, blind=True)
        assert blind.startswith("⚠️") and "/setprivacy" in blind and "@BotFather" in blind and "200 px" in blind
        assert "/dupes minsize N" in blind and "/dupes notify public|admins" in blind


def test_errors_of_the_new_settings_name_the_setting_and_its_choices():
    for kwargs, said in (({"notify": "everyone"}, "/dupes notify public|admins"),
                         ({"forwards": "maybe"}, "/dupes forwards on|off"),
                         ({"minsize": 5000}, "/dupes minsize 128"),
                         ({"self_reposts": "yes"}, "/dupes self on|off")):
        with pytest.raises(SettingError) as error:
            ChatSettings().changed(**kwargs)
        for lang in MESSAGES:
            text = render.setting_error_text(lang, error.value)
            assert said in text and str(next(iter(kwargs.values()))) in text, (lang, text)
    with pytest.raises(SettingError) as not_a_number:
        min_size("big")
    assert "“big” is not a size" in render.setting_error_text("en", not_a_number.value)


def moderation_stats(reposters=(), reposted=()):
    return SimpleNamespace(flagged_7d=3, flagged_30d=11, cleared_7d=1, cleared_30d=2,
                           top_reposters=list(reposters), top_reposted=list(reposted))


def stored_post(post_id, message_id, captions=(), days_ago=3):
    return Post(id=post_id, scope="chat:-1001234", sha256="s", phash=0, chat_id=-1001234, message_id=message_id,
                captions=list(captions), created_s=time.time() - days_ago * 86400 - 60)


def test_group_stats_say_flags_clears_who_reposts_and_what_with_links_in_every_language():
    stats = moderation_stats([(502, "Bob <b>", 4), (503, "", 2)],
                             [(stored_post(7, 55), 4), (stored_post(8, 60, ["Homemade pizza & a very long story about it"]), 1)])
    text = render.moderation_text("en", -1001234, stats)
    assert "last 7 / 30 days: 3 / 11 flagged, 1 / 2 cleared as not a re-post" in text
    assert "<b>Who re-posts most</b>:\n• Bob &lt;b&gt;: 4\n• 503: 2" in text  # no name known: the user id
    # no caption: told apart by when it was posted
    assert '<b>Most re-posted photos</b>:\n• <a href="https://t.me/c/1234/55">a photo from 3 days ago</a>: 4' in text
    assert '<a href="https://t.me/c/1234/60">Homemade pizza &amp; a very long story…</a>: 1' in text  # its caption
    for lang in MESSAGES:
        said = render.moderation_text(lang, -1001234, stats)
        assert all(x in said for x in ("3", "11", "Bob &lt;b&gt;", "https://t.me/c/1234/55", "https://t.me/c/1234/60"))
    quiet = render.moderation_text("en", -42, moderation_stats())
    assert "re-posts most" not in quiet and "Most re-posted" not in quiet
    assert "a photo from 3 days ago (#55)" in render.moderation_text("en", -42,
                                                                    moderation_stats(reposted=[(stored_post(7, 55), 2)]))


def test_an_uncaptioned_re_posted_photo_is_named_by_its_age():
    def label(lang, days_ago):
        text = render.moderation_text(lang, -42, moderation_stats(reposted=[(stored_post(7, 55, days_ago=days_ago), 2)]))
        return html.unescape(text.split("\n• ")[-1]).split(" (#55)")[0]

    assert [label("en", d) for d in (0, 1, 3)] == ["a photo from today", "a photo from 1 day ago",
                                                   "a photo from 3 days ago"]
    assert [label("fr", d) for d in (0, 1, 3)] == ["une photo d'aujourd'hui", "une photo d'il y a 1 jour",
                                                   "une photo d'il y a 3 jours"]
    for lang in MESSAGES:
        assert "{" not in label(lang, 1) and label(lang, 0) != label(lang, 3), lang


def test_an_admins_alert_names_the_group_and_links_both_messages():
    now = time.time()
    text = render.alert_text("en", "Club <3", -1001234, 77, "Carol", 55, now - 2 * 86400 - 5, now=now)
    assert text == ('🔁 A re-post in <b>Club &lt;3</b> by Carol: <a href="https://t.me/c/1234/77">the re-post</a>. '
                    'First posted 2 days ago: <a href="https://t.me/c/1234/55">the original</a>.')
    for lang in MESSAGES:
        said = render.alert_text(lang, "Club", -1001234, 77, "Carol", 55, now, now=now)
        assert "/1234/77" in said and "/1234/55" in said and "Carol" in said


def test_a_done_flag_keeps_what_it_said_and_tells_who_decided():
    flag = 'This photo was already posted here today: <a href="https://t.me/c/1234/55">the original</a>'
    assert render.flag_done("en", flag, "clear", "Ann <x>") == flag + "\n\n✅ Not a re-post: cleared by Ann &lt;x&gt;."
    assert render.flag_done("fr", flag, "delete", "Ann").endswith("🗑 Supprimée par Ann.")


def test_map_titles_and_captions_in_the_readers_language():
    clusters = [Cluster(n, 10 - n, ["food", "pasta"][:n % 3], sample=n) for n in range(1, 4)]
    public = photo_map(40, 30, clusters, scope=PUBLIC, query="#food")
    assert render.map_title("en", public) == "40 public photos matching #food, 30 drawn · 3 groups"
    assert render.map_title("fr", photo_map(5, 5, clusters[:1])) == "5 photos · 1 groupe"
    caption = render.map_caption("en", public)
    assert caption.splitlines()[1:] == ["1. 9 photos — #food", "2. 8 photos — #food #pasta", "3. 7 photos — —"]
    assert render.cluster_caption("en", clusters[1]) == "2 #food #pasta"
    assert render.cluster_caption("en", clusters[2]) == "3"
    listed = render.clusters_text("en", photo_map(40, 40, clusters, unclustered=16), clusters[:2])
    assert listed.splitlines()[0] == "<b>40 photos · 3 groups</b>" and listed.endswith("In no group: 16 photos.")


def test_a_long_map_caption_is_cut_at_a_line_within_telegrams_limit():
    clusters = [Cluster(n, 5, [f"tag{n}_{i}_{'x' * 20}" for i in range(4)], sample=n) for n in range(1, 13)]
    caption = render.map_caption("en", photo_map(60, 60, clusters))
    assert len(caption) <= render.MAP_CAPTION_CHARS and caption.splitlines()[-1].endswith("x")


def test_group_stats_say_where_flags_go_when_only_the_admins_are_told():
    chat, public = {"posts_in_scope": 3}, {"posts_in_scope": 9}
    public_flags = render.stats_text("en", False, chat, public, ChatSettings())
    private_flags = render.stats_text("en", False, chat, public, ChatSettings(notify="admins"))
    assert "privately" not in public_flags and "privately, to the admins" in private_flags
    assert "privately" not in render.stats_text("en", False, chat, public, ChatSettings(dupes="off", notify="admins"))


def test_the_window_says_one_day_as_each_language_does():
    assert "Window: 1 day\n" in render.dupes_text("en", ChatSettings(window_days=1))
    assert "Window: 30 days\n" in render.dupes_text("en", ChatSettings())
    assert "Fenêtre : 1 jour\n" in render.dupes_text("fr", ChatSettings(window_days=1))
    assert "Fenêtre : 2 jours\n" in render.dupes_text("fr", ChatSettings(window_days=2))


def test_a_cleared_flag_says_a_deleted_photo_stays_deleted_but_may_be_posted_again():
    kept = render.flag_done("en", "flag", "clear", "Ann")
    gone = render.flag_done("en", "flag", "clear", "Ann", still_deleted=True)
    assert "cleared by Ann" in kept and "posted again" not in kept
    assert "cleared by Ann" in gone and "it may be posted again" in gone
    assert "Deleted by Ann" in render.flag_done("en", "flag", "delete", "Ann", still_deleted=True)


def test_captions_start_with_the_text_read_from_the_photo_in_every_language():
    from models.ocr import ReadText

    read = ReadText("text", "Meeting moved\nto <5 pm>", "en", ("Meeting moved", "to <5 pm>"))
    assert render.photo_text("en", read) == ("<b>Text in this photo</b>:\n<blockquote>Meeting moved\nto &lt;5 pm&gt;"
                                             "</blockquote>\n\n")
    for lang in MESSAGES:
        assert "Meeting moved" in render.photo_text(lang, read)
        assert render.photo_text(lang, ReadText("unreadable", "", "")).startswith("<i>")
    assert render.photo_text("en", read, video=True).startswith("<b>Text in this video</b>")
    assert render.photo_text("en", ReadText("none", "", "")) == render.photo_text("en", None) == ""
    assert render.photo_text("en", ReadText("error", "", "")) == ""


def test_hashtags_written_in_the_photo_are_marked_in_every_language():
    from indexing.search import TagSuggestion

    tags = [TagSuggestion("paris", 0.8, "in_the_photo", from_photo_text=True),
            TagSuggestion("cat", 0.7, "in_your_words", from_words=True), TagSuggestion("pet", 0.6, "neighbours", 2)]
    english = render.hashtag_text("en", tags)
    assert "✍️ from your caption: #cat" in english and "🔤 written in the photo: #paris" in english
    assert render.why_text("en", "in_the_photo") == "written in the photo"
    for lang in MESSAGES:
        assert "🔤" in render.hashtag_text(lang, tags) and render.why_text(lang, "in_the_photo")
    assert "🔤" not in render.hashtag_text("en", tags[1:])


def test_a_video_repost_and_the_gif_setting_are_said_in_every_language():
    for lang in MESSAGES:
        photo = render.repost_text(lang, -1001234, 7, time.time(), deleted=False)
        video = render.repost_text(lang, -1001234, 7, time.time(), deleted=False, media="video")
        gone = render.repost_text(lang, -1001234, 7, time.time(), deleted=True, media="animation")
        assert video != photo and "t.me/c/1234/7" in video and "t.me/c/1234/7" in gone
        shown = render.dupes_text(lang, ChatSettings(gifs="on"))
        assert "/dupes gifs on|off" in shown and render.dupes_text(lang, ChatSettings()) != shown
        with pytest.raises(SettingError) as error:
            ChatSettings().changed(gifs="maybe")
        assert "/dupes gifs on|off" in render.setting_error_text(lang, error.value)
    assert render.repost_text("en", -1001234, 7, time.time(), False, media="video").startswith(
        "This video was already posted here")


def test_counted_photos_groups_and_days_read_right_for_one_and_two_in_english_and_french():
    def stats(lang, private, n):
        return render.stats_text(lang, private, {"posts_in_scope": n}, {"posts_in_scope": n}, ChatSettings())

    assert stats("en", False, 1).startswith("<b>This group</b>: 1 photo stored.\n<b>Shared library</b>: 1 photo.\n")
    assert stats("en", True, 2).startswith("<b>Our chat</b>: 2 photos stored.\n<b>Shared library</b>: 2 photos.\n")
    assert stats("fr", False, 1).startswith("<b>Ce groupe</b> : 1 photo gardée.\n<b>Bibliothèque commune</b> : 1 photo.")
    assert stats("fr", True, 0).startswith("<b>Notre discussion</b> : 0 photo gardée.")  # French: 0 is singular
    assert stats("fr", True, 2).startswith("<b>Notre discussion</b> : 2 photos gardées.\n<b>Bibliothèque commune</b> : 2 photos.")
    one = [Cluster(1, 1, ["food"], sample=1)]
    assert render.map_title("en", photo_map(1, 1, one)) == "1 photo · 1 group"
    assert render.map_title("fr", photo_map(1, 1, [])) == "1 photo · 0 groupe"
    assert render.map_title("en", photo_map(2, 2, [])) == "2 photos · 0 groups"
    assert render.map_title("fr", photo_map(3, 1, one * 2, scope=PUBLIC)) == "3 photos publiques, 1 dessinée · 2 groupes"
    assert render.map_title("en", photo_map(1, 1, [], scope=PUBLIC)) == "1 public photo · 0 groups"
    assert render.cluster_line("en", one[0]) == "1. 1 photo — #food"
    assert render.clusters_none("en", 1) == "1 photo, but no group of similar ones stands out (yet)."
    assert render.clusters_none("fr", 2).startswith("2 photos, mais aucun groupe")
    listed = render.clusters_text("fr", photo_map(3, 3, one, unclustered=1), one)
    assert listed.endswith("Hors groupe : 1 photo.")
    now = time.time()
    assert render.repost_text("en", -42, 7, now - 86400 - 60, deleted=False, now=now).startswith(
        "This photo was already posted here 1 day ago:")
    assert render.repost_text("fr", -42, 7, now - 2 * 86400 - 60, deleted=False, now=now).startswith(
        "Cette photo a déjà été publiée ici il y a 2 jours :")


def test_forgetting_says_how_many_photos_in_the_right_number():
    from bot.i18n import count_of

    assert count_of("en", "forgot", 1) == "Done: I deleted the 1 photo I had stored for this group."
    assert count_of("en", "forgot", 2) == "Done: I deleted the 2 photos I had stored for this group."
    assert count_of("fr", "forgot", 1) == "C'est fait : j'ai effacé 1 photo gardée pour ce groupe."
    assert count_of("fr", "forgot", 2) == "C'est fait : j'ai effacé les 2 photos gardées pour ce groupe."
    assert count_of("en", "forgot_private", 1).startswith("Done: I deleted the 1 photo I")
    assert count_of("fr", "forget_confirm", 1).startswith("Effacer 1 photo que j'ai gardée")
    assert count_of("en", "forget_confirm", 3).startswith("Delete all 3 photos")


def test_a_jobs_count_reads_right_for_one():
    def outcome(lang, **result):
        return render.job_detail(lang, {"state": "skipped", "result": json.dumps(result)})

    assert outcome("en", reason="few_deleted", deleted=1) == ": 1 deletion, too few to rebuild"
    assert outcome("en", reason="few_deleted", deleted=2) == ": 2 deletions, too few to rebuild"
    assert outcome("fr", reason="few_new", new=1, needed=200).startswith(" : 1 nouvelle publication avec légende,")
    assert outcome("en", reason="few_unseen", unseen=1, needed=50).endswith("only 1 held-out post to compare on (needs 50)")
