import string

import pytest

from bot.i18n import DEFAULT, MESSAGES, bad_photo_reason, megabytes, t
from models.errors import BadImageError, ImageTooLargeError


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("lang", sorted(MESSAGES))
def test_every_key_is_in_every_catalogue_with_the_same_placeholders(lang):
    reference = MESSAGES[DEFAULT]
    assert set(MESSAGES[lang]) == set(reference)
    for key, template in reference.items():
        assert placeholders(MESSAGES[lang][key]) == placeholders(template), key


def test_private_chats_are_never_called_a_group_in_french():
    for key in ("stats_private", "forgot_private"):
        assert "groupe" not in MESSAGES["fr"][key] and "group" not in MESSAGES["en"][key]


def test_sizes_are_in_telegrams_megabytes():
    assert megabytes(20 * 1024 * 1024) == "20"  # Telegram's "20 MB" download limit
    assert megabytes(22 * 1024 * 1024 + 600 * 1024) == "22.6"
    assert megabytes(22 * 1024 * 1024 + 600 * 1024, "fr") == "22,6"
    text = t("en", "too_big", size=megabytes(21 * 1024 * 1024), limit=megabytes(20 * 1024 * 1024))
    assert "(21 MB)" in text and "up to 20 MB" in text


def test_why_a_photo_was_unreadable_is_said_in_the_users_language():
    cases = {BadImageError("file is empty"): "le fichier est vide",
             BadImageError("not a supported image format"): "format",
             BadImageError("corrupt or truncated image: broken data stream"): "abîmé",
             ImageTooLargeError("image has too many pixels (x)"): "pixels"}
    for error, french in cases.items():
        text = t("fr", "bad_photo", reason=t("fr", bad_photo_reason(error)))
        assert french in text and str(error) not in text


def test_a_jobs_outcome_reads_in_the_users_language():
    import json
    import time

    from bot.handlers import job_detail

    state = {"state": "skipped", "finished_s": str(time.time() - 180),
             "result": json.dumps({"skipped": "12 new ...", "reason": "few_new", "new": 12, "needed": 200})}
    assert job_detail("en", state) == " 3 min ago: 12 new captioned posts, training starts at 200"
    assert job_detail("fr", state).startswith(" il y a 3 min : 12 nouvelles publications") or \
        job_detail("fr", state).startswith(" il y a 3 min: 12 nouvelles publications")
    failed = {"state": "failed", "result": json.dumps({"error": "Traceback: boom"})}
    assert "boom" not in job_detail("fr", failed) and "échec" in job_detail("fr", failed)
    for lang in ("en", "fr"):  # every outcome a job records has a sentence
        for reason in ("few_new", "too_few_to_train", "few_unseen", "worse", "few_deleted", "unchanged"):
            values = {"new": 1, "needed": 2, "unseen": 3, "metrics": "R@1", "deleted": 4}
            assert "{" not in job_detail(lang, {"result": json.dumps(dict(values, reason=reason))})
