"""One module per language the bot speaks: its MESSAGES (every sentence, HTML for Telegram), its
COMMANDS (the command menu) and its DECIMAL_SEPARATOR. Add a language by adding a module and listing it here."""
from __future__ import annotations

from types import ModuleType

from bot.locales import de, en, es, fr, it, pt, ru

LOCALES: dict[str, ModuleType] = {  # ISO 639-1 code -> module; English is the reference
    "en": en, "fr": fr, "es": es, "de": de, "it": it, "pt": pt, "ru": ru,
}
