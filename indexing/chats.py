"""Per-chat settings (duplicate handling), validated here so the bot and the CLI share the rules."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

DUPES_MODES = ("reply", "delete", "off")
SENSITIVITIES = ("low", "normal", "high")
MAX_WINDOW_DAYS = 3650


@dataclass(frozen=True)
class Thresholds:
    """A re-post: feature cosine >= min_cosine, or pHash distance <= max_hamming with cosine >= min_cosine_with_hash."""

    # Chosen by `python -m bench dedup` on flickr8k_fullres and held out on food photos, Lite0+Lite2+mirror
    # features (docs/BENCHMARKS.md). Look-alike scenes (the same dish, breed, beach) reach cosine 0.83
    # with distant hashes; a re-post either keeps its hash (recompressed, resized, mirrored) or its
    # features (cropped, framed).
    max_hamming: int = 12
    min_cosine_with_hash: float = 0.80
    min_cosine: float = 0.86

    def scaled(self, sensitivity: str) -> "Thresholds":
        """`normal` = the calibrated defaults; `low` flags only near-identical copies; `high` also looser crops."""
        if sensitivity == "low":
            return Thresholds(max(4, self.max_hamming // 2), round(min(0.95, self.min_cosine_with_hash + 0.10), 2),
                              round(min(0.97, self.min_cosine + 0.08), 2))
        if sensitivity == "high":
            return Thresholds(self.max_hamming + 4, round(max(0.3, self.min_cosine_with_hash - 0.1), 2),
                              round(max(0.5, self.min_cosine - 0.07), 2))
        return self

    def matches(self, cosine, hamming):
        """Whether two photos this close (feature cosine, pHash distance) are copies of one photo; on
        numbers, or element-wise on numpy arrays."""
        return (cosine >= self.min_cosine) | ((hamming <= self.max_hamming) & (cosine >= self.min_cosine_with_hash))


class SettingError(ValueError):
    """A chat setting given a value it does not take. `setting` says which ("dupes", "sensitivity",
    "window_days") and `value` what was given, so each caller says it in its own words (the bot in the
    user's language); the message is the English one the CLI and the logs show."""

    def __init__(self, setting: str, value: object, message: str) -> None:
        super().__init__(message)
        self.setting = setting
        self.value = value
        self.max_days = MAX_WINDOW_DAYS


def window_days(text: str) -> int:
    """'30' or '30d' as days; SettingError when it is no number (the range is checked by `changed`)."""
    digits = text.strip().lower().removesuffix("d")
    if not digits.isdigit():
        raise SettingError("window_days", text, f"the window is 1 to {MAX_WINDOW_DAYS} days")
    return int(digits)


@dataclass(frozen=True)
class ChatSettings:
    dupes: str = "reply"  # what to do with a re-post: reply with a link, delete it, or nothing
    sensitivity: str = "normal"
    window_days: int = 30  # only posts this recent count as originals

    @classmethod
    def from_redis(cls, raw: dict[str, str]) -> "ChatSettings":
        base = cls()
        try:
            window = int(raw.get("window_days", base.window_days))
        except ValueError:
            window = base.window_days
        return cls(raw.get("dupes") if raw.get("dupes") in DUPES_MODES else base.dupes,
                   raw.get("sensitivity") if raw.get("sensitivity") in SENSITIVITIES else base.sensitivity,
                   min(max(window, 1), MAX_WINDOW_DAYS))

    def to_redis(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}

    def changed(self, dupes: str | None = None, sensitivity: str | None = None,
                window_days: int | None = None) -> "ChatSettings":
        """A copy with new values; SettingError says which one is not allowed."""
        if dupes is not None and dupes not in DUPES_MODES:
            raise SettingError("dupes", dupes, f"mode must be one of {', '.join(DUPES_MODES)}")
        if sensitivity is not None and sensitivity not in SENSITIVITIES:
            raise SettingError("sensitivity", sensitivity, f"sensitivity must be one of {', '.join(SENSITIVITIES)}")
        if window_days is not None and not 1 <= window_days <= MAX_WINDOW_DAYS:
            raise SettingError("window_days", window_days, f"the window is 1 to {MAX_WINDOW_DAYS} days")
        return replace(self, **{k: v for k, v in (("dupes", dupes), ("sensitivity", sensitivity),
                                                  ("window_days", window_days)) if v is not None})
