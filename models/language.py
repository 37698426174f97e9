"""Which language a text is in, offline: py3langid (langid.py's model, in the wheel, ~0.05 ms a text).

Short queries are ambiguous ("snow" reads as Polish, "plage" as German), so callers ask for the
probability that a text is English rather than for one label, and may pass the language the user's
Telegram client reports as a prior. The candidate languages are the ones the multilingual text
encoder was trained on: a French query is never called Breton.
"""
from __future__ import annotations

import threading

from models.encoders.use_m3 import LANGUAGES

# Weight of the user's own language in the prior (the rest spread evenly): enough to settle a
# one-word query, never enough to overrule a clear sentence in another language.
HINT_PRIOR = 0.5

_identifier = None
_lock = threading.Lock()


def _model():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(LANGUAGES))
                _identifier = identifier
    return _identifier


def language_probabilities(text: str, hint: str | None = None) -> dict[str, float]:
    """P(language | text), over the encoder's languages; `hint` (e.g. 'fr-CA') is the user's language."""
    ranked = dict(_model().rank(text))
    base = (hint or "").split("-")[0].lower()
    if base in ranked:
        rest = (1 - HINT_PRIOR) / (len(ranked) - 1)
        ranked = {lang: p * (HINT_PRIOR if lang == base else rest) for lang, p in ranked.items()}
    total = sum(ranked.values()) or 1.0
    return {lang: p / total for lang, p in ranked.items()}


def english_probability(text: str, hint: str | None = None) -> float:
    if not text.strip():
        return 1.0
    return language_probabilities(text, hint).get("en", 0.0)


def detect(text: str, hint: str | None = None) -> str:
    probs = language_probabilities(text, hint)
    return max(probs, key=probs.get)
