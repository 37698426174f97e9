import re
import string
from collections import Counter

import pytest
from telegram.constants import BotCommandLimit

from bot.i18n import COMMANDS, DEFAULT, MESSAGES, PLURAL_FORMS, bad_photo_reason, count_of, language, megabytes, t
from models.errors import BadImageError, ImageTooLargeError

_TAG = re.compile(r"<(/?)([a-z]+)\b[^>]*>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+);")
# What stays in English whatever the language: commands, hashtags, and the arguments a command takes.
_UNTRANSLATED = re.compile(r"/[a-z]+|#\w+|\b[a-z]+(?:\|[a-z]+)+\b")
GROUP_WORD = {  # how each language says "group", never said of a private chat
    "en": "group", "fr": "groupe", "es": "grupo", "de": "Gruppe", "it": "gruppo", "pt": "grupo", "ru": "групп",
}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("lang", sorted(MESSAGES))
def test_every_key_is_in_every_catalogue_with_the_same_placeholders(lang):
    reference = MESSAGES[DEFAULT]
    extra = set(MESSAGES[lang]) - set(reference)  # only the plural forms English has not (Russian's "few")
    assert set(MESSAGES[lang]) >= set(reference)
    for key in extra:
        base, _, form = key.rpartition("_")
        assert form in PLURAL_FORMS.get(lang, ()) and f"{base}_one" in reference, key
        assert placeholders(MESSAGES[lang][key]) == placeholders(reference[base]), key
    for key, template in reference.items():
        assert placeholders(MESSAGES[lang][key]) == placeholders(template), key


@pytest.mark.parametrize("lang", sorted(MESSAGES))
def test_every_message_renders_with_its_placeholders_filled(lang):
    for key, template in MESSAGES[lang].items():
        text = t(lang, key, **{name: 7 for name in placeholders(template)})  # 7 also fits {score:.2f}
        assert "{" not in text and "}" not in text, (key, text)


@pytest.mark.parametrize("lang", sorted(MESSAGES))
def test_every_message_has_the_english_html_tags_and_no_stray_markup(lang):
    for key, english in MESSAGES[DEFAULT].items():
        template = MESSAGES[lang][key]
        assert Counter(_TAG.findall(template)) == Counter(_TAG.findall(english)), key
        text = _ENTITY.sub("", _TAG.sub("", template))
        assert not set("<>&") & set(text), (key, "Telegram's HTML wants &lt; &gt; &amp; outside tags")


@pytest.mark.parametrize("lang", sorted(MESSAGES))
def test_commands_hashtags_and_arguments_are_never_translated(lang):
    def kept(template: str) -> Counter:
        return Counter(_UNTRANSLATED.findall(_TAG.sub(" ", template)))

    for key, english in MESSAGES[DEFAULT].items():
        assert kept(MESSAGES[lang][key]) == kept(english), key


@pytest.mark.parametrize("lang", sorted(COMMANDS))
def test_every_command_menu_lists_the_english_commands_in_order_within_telegrams_limits(lang):
    assert [command for command, _ in COMMANDS[lang]] == [command for command, _ in COMMANDS[DEFAULT]]
    for command, description in COMMANDS[lang]:
        # 3: the Bot API's minimum until 2021 (now 1); a shorter one would say nothing anyway
        assert 3 <= len(description) <= BotCommandLimit.MAX_DESCRIPTION, command
    assert set(COMMANDS) == set(MESSAGES)


def test_private_chats_are_never_called_a_group():
    for lang in MESSAGES:
        for key in ("stats_private", "forgot_private", "forgot_private_one"):
            assert GROUP_WORD[lang].lower() not in MESSAGES[lang][key].lower(), (lang, key)


def test_russian_counts_read_right_for_any_number():
    """A Russian noun takes three forms after a number (1 группа, 2 группы, 5 групп): a message with no _few
    form has one, so there a count is followed only by a word that never changes ("фото", abbreviations) or a
    preposition."""
    counts = {"n", "number", "size", "limit", "days", "minutes", "window", "max_days", "chat_posts", "public_posts",
              "total", "new", "needed", "unseen", "deleted", "waiting", "per_minute"}
    word_after = re.compile(r"\{(\w+)\} ([А-Яа-яЁё]+)")
    for key, template in MESSAGES["ru"].items():
        if f"{key}_few" in MESSAGES["ru"] or key.endswith(("_one", "_few")) and \
                f"{key.rpartition('_')[0]}_few" in MESSAGES["ru"]:
            continue  # worded for each form
        for name, word in word_after.findall(template):
            assert name not in counts or word in {"фото", "мин", "дн", "МБ", "в"}, (key, name, word)


def test_russian_nouns_take_their_form_after_any_number():
    forms = {1: "день", 2: "дня", 4: "дня", 5: "дней", 11: "дней", 12: "дней", 14: "дней", 21: "день", 22: "дня",
             25: "дней", 101: "день", 111: "дней", 0: "дней"}
    for n, word in forms.items():
        assert count_of("ru", "n_days", n) == f"{n} {word}", n
    assert count_of("ru", "map_groups", 3) == "3 группы" and count_of("ru", "map_groups", 21) == "21 группа"
    assert count_of("ru", "n_photos", 3) == "3 фото"  # no _few: the word does not change
    assert count_of("en", "n_days", 21) == "21 days" and count_of("fr", "n_days", 0) == "0 jour"
    assert count_of("ru", "stats_reading_unreadable", 21).startswith(" (ещё на 21 ")


def test_the_users_telegram_language_picks_the_catalogue():
    cases = {"fr-CA": "fr", "FR": "fr", "es-MX": "es", "es": "es", "de-AT": "de", "it": "it", "pt-BR": "pt",
             "pt-pt": "pt", "ru": "ru", "en-GB": "en", "zh-hans": "en", "uk": "en", "": "en", None: "en"}
    for code, lang in cases.items():
        assert language(code) == lang, code


def test_sizes_are_in_telegrams_megabytes():
    assert megabytes(20 * 1024 * 1024) == "20"  # Telegram's "20 MB" download limit
    assert megabytes(22 * 1024 * 1024 + 600 * 1024) == "22.6"
    for lang in ("fr", "es", "de", "it", "pt", "ru"):  # the languages that write a decimal comma
        assert megabytes(22 * 1024 * 1024 + 600 * 1024, lang) == "22,6"
    assert megabytes(22 * 1024 * 1024 + 600 * 1024, "xx") == "22.6"  # no catalogue: written as in English
    assert megabytes(20 * 1024 * 1024, "fr") == "20"
    text = t("en", "too_big", size=megabytes(21 * 1024 * 1024), limit=megabytes(20 * 1024 * 1024))
    assert "(21 MB)" in text and "up to 20 MB" in text


def test_why_a_photo_was_unreadable_is_said_in_the_users_language():
    cases = {BadImageError("file is empty"): "le fichier est vide",
             BadImageError("corrupt or truncated image: broken data stream"): "abîmé",
             ImageTooLargeError("image has too many pixels (x)"): "pixels"}
    for error, french in cases.items():
        text = t("fr", "bad_photo", reason=t("fr", bad_photo_reason(error)))
        assert french in text and str(error) not in text


def test_a_file_named_as_an_image_that_is_none_says_so_not_a_reason():
    from bot.errors import error_text
    from models.imaging import decode_image

    with pytest.raises(BadImageError) as raised:
        decode_image(b"%PDF-1.7\n1 0 obj << >> endobj\n")  # a PDF sent with a .png name
    assert error_text("fr", raised.value, 1 << 20) == t("fr", "not_an_image_file")
    corrupt = error_text("fr", BadImageError("corrupt or truncated image: x"), 1 << 20)
    assert corrupt.startswith("Je n'arrive pas à lire cette photo")


def test_a_jobs_outcome_reads_in_the_users_language():
    import json
    import time

    from bot.render import job_detail

    state = {"state": "skipped", "finished_s": str(time.time() - 180),
             "result": json.dumps({"skipped": "12 new ...", "reason": "few_new", "new": 12, "needed": 200})}
    assert job_detail("en", state) == " 3 min ago: 12 new captioned posts, training starts at 200"
    assert job_detail("fr", state).startswith(" il y a 3 min : 12 nouvelles publications") or \
        job_detail("fr", state).startswith(" il y a 3 min: 12 nouvelles publications")
    failed = {"state": "failed", "result": json.dumps({"error": "Traceback: boom"})}
    assert "boom" not in job_detail("fr", failed) and "échec" in job_detail("fr", failed)
    for lang in MESSAGES:  # every outcome a job records has a sentence
        for reason in ("few_new", "too_few_to_train", "few_unseen", "worse", "few_deleted", "unchanged"):
            values = {"new": 1, "needed": 2, "unseen": 3, "metrics": "R@1", "deleted": 4}
            assert "{" not in job_detail(lang, {"result": json.dumps(dict(values, reason=reason))})


def test_a_long_query_is_quoted_back_in_whole_words():
    from bot.i18n import shorten

    assert shorten("dogs  on a\nbeach", 200) == "dogs on a beach"
    said = shorten("A long day at the beach chasing the waves while the sun goes down " * 4, 60)
    assert len(said) <= 60 and said.endswith("…") and said[:-1] == said[:-1].rstrip() and "the su…" not in said


def test_a_flags_buttons_tell_the_language_it_was_written_in():
    from bot.i18n import MESSAGES, written_in

    keys = ("button_not_repost", "button_delete")
    for lang, messages in MESSAGES.items():
        assert written_in([messages["button_delete"]], keys, default="xx") == lang
        assert written_in([messages["button_not_repost"], "a link"], keys, default="xx") == lang
    assert written_in(["a link"], keys, default="xx") == "xx"  # no button of ours: the caller's default
