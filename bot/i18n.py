"""Every sentence the bot says, in every language of `bot/locales/` (one module each, listed in its
`LOCALES`: add a language by adding a module there), and how to pick and fill one.

Messages are HTML (Telegram's parse mode): values put into them are escaped by `t()`.
Hashtags are never translated.
"""
from __future__ import annotations

import html

from bot.locales import LOCALES

DEFAULT = "en"

MESSAGES: dict[str, dict[str, str]] = {lang: locale.MESSAGES for lang, locale in LOCALES.items()}
COMMANDS: dict[str, list[tuple[str, str]]] = {lang: locale.COMMANDS for lang, locale in LOCALES.items()}  # the menus


def megabytes(n_bytes: int, lang: str = DEFAULT) -> str:
    """A size in Telegram's megabytes (its "20 MB" limit is 20 x 1024 x 1024 bytes): 20, 21.5 (21,5 in the
    languages that write a decimal comma)."""
    value = f"{n_bytes / (1024 * 1024):.1f}".removesuffix(".0")
    return value.replace(".", LOCALES.get(lang, LOCALES[DEFAULT]).DECIMAL_SEPARATOR)


def bad_photo_reason(error: Exception) -> str:
    """The message key that says, in the user's words, why a photo could not be read."""
    from indexing.search import ImageTooLargeError

    text = str(error).lower()
    if isinstance(error, ImageTooLargeError):
        return "bad_photo_pixels" if "pixels" in text else "bad_photo_bytes"
    if "empty" in text:
        return "bad_photo_empty"
    return "bad_photo_corrupt"


def shorten(text: str, limit: int) -> str:
    """A user's text quoted back: whole words, with "…" when it was cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


def language(code: str | None) -> str:
    """'fr-CA' -> 'fr'; anything we have no catalogue for -> English."""
    base = (code or "").split("-")[0].lower()
    return base if base in MESSAGES else DEFAULT


def written_in(texts, keys: tuple[str, ...], default: str = DEFAULT) -> str:
    """The language a message of ours was written in, found from some of its texts (e.g. its buttons'
    labels) that are messages `keys` of one catalogue: so an edit keeps the message's language."""
    found = set(texts)
    for lang, messages in MESSAGES.items():
        if any(messages.get(key) in found for key in keys):
            return lang
    return default


THOUSANDS = {"en": ",", "fr": "\u202f", "ru": "\u202f"}  # else "." (de, es, it, pt)


def thousands(lang: str, n: int) -> str:
    """A count grouped by thousands as the language writes it (1,234; 1 234; 1.234)."""
    return f"{n:,}".replace(",", THOUSANDS.get(lang, "."))


SINGULAR_ZERO = {"fr", "pt"}  # "0 jour", as 1: CLDR's plural rule of these languages
PLURAL_FORMS = {"ru": ("one", "few")}  # forms a language has besides its message's own (CLDR's other/many)


def plural_form(lang: str, n: int) -> str:
    """CLDR's plural category of a whole number `n`: "one", "few" (Russian: 2 дня, 22 дня) or "other"."""
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "one"  # 1, 21, 101 день
        return "few" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else "other"  # 5, 11, 12 дней
    return "one" if n == 1 or (n == 0 and lang in SINGULAR_ZERO) else "other"


def plural_key(lang: str, key: str, n: int) -> str:
    """The message to say `n` things with: `key_one` or `key_few` where the language has that form for `n`
    and a message for it (a Russian message whose words do not change with the number has none), else `key`."""
    form = plural_form(lang, n)
    found = f"{key}_{form}"
    return found if form != "other" and found in MESSAGES.get(lang, MESSAGES[DEFAULT]) else key


def count_of(lang: str, key: str, n: int, **values) -> str:
    """`n` things in words ("1 photo", "2 photos"): the message `key` or `key_one`, filled with n and `values`."""
    return t(lang, plural_key(lang, key, n), n=n, **values)


def t(lang: str, key: str, **values) -> str:
    """The message `key` in `lang`, with values HTML-escaped (names and captions come from users)."""
    template = MESSAGES.get(lang, MESSAGES[DEFAULT]).get(key) or MESSAGES[DEFAULT][key]
    safe = {k: html.escape(v) if isinstance(v, str) and not k.endswith("_html") else v for k, v in values.items()}
    return template.format(**{k.removesuffix("_html"): v for k, v in safe.items()})
