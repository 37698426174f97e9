"""Per-chat settings (duplicate handling), validated here so the bot and the CLI share the rules."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

DUPES_MODES = ("reply", "delete", "off")
SENSITIVITIES = ("low", "normal", "high")
NOTIFY_MODES = ("public", "admins")  # flags in the group, or privately to each admin
ON_OFF = ("on", "off")
OFF_ON = ("off", "on")
MAX_WINDOW_DAYS = 3650
MAX_MIN_SIZE = 4096  # px on the short side


@dataclass(frozen=True)
class Thresholds:
    """A re-post: feature cosine >= min_cosine, or pHash distance <= max_hamming with cosine >= min_cosine_with_hash
    (and, where both photos were read, every line of the stored text found in the new one: min_text_match)."""

    # Chosen by `python -m bench dedup` on flickr8k_fullres and held out on food photos, for the default
    # image model's features (int8 Lite0 with its mirror + int8 Lite2; docs/BENCHMARKS.md). Look-alike
    # scenes (the same dish, breed, beach) come close in features with distant hashes; a re-post either
    # keeps its hash (recompressed, resized, mirrored) or its features (cropped, framed).
    max_hamming: int = 4
    min_cosine_with_hash: float = 0.80
    min_cosine: float = 0.82
    # Two photos that pass the above and were both read with text are copies only if one text holds
    # the other, line by line, this much (indexing/search/reposttext.py): one meme template with other
    # words is no re-post. `bench dedup --memes` finds 0.35-0.9 equal on flickr8k_fullres (0.55 its
    # middle); 0.45 scores better on food held out, and is what `bench dedup` was measured with.
    min_text_match: float = 0.45

    def scaled(self, sensitivity: str) -> "Thresholds":
        """`normal` = the calibrated defaults; `low` flags only near-identical copies; `high` also looser crops."""
        if sensitivity == "low":
            return Thresholds(max(4, self.max_hamming // 2), round(min(0.95, self.min_cosine_with_hash + 0.10), 2),
                              round(min(0.97, self.min_cosine + 0.08), 2), self.min_text_match)
        if sensitivity == "high":
            return Thresholds(self.max_hamming + 4, round(max(0.3, self.min_cosine_with_hash - 0.1), 2),
                              round(max(0.5, self.min_cosine - 0.07), 2), self.min_text_match)
        return self

    def matches(self, cosine, hamming):
        """Whether two photos this close (feature cosine, pHash distance) are copies of one photo; on
        numbers, or element-wise on numpy arrays."""
        return (cosine >= self.min_cosine) | ((hamming <= self.max_hamming) & (cosine >= self.min_cosine_with_hash))


class SettingError(ValueError):
    """A chat setting given a value it does not take. `setting` says which ("dupes", "sensitivity",
    "window_days", "notify", "forwards", "minsize", "self_reposts", "gifs") and `value` what was given, so each
    caller says it in its own words (the bot in the user's language); `choices` are the values a
    setting of a few words takes, `max_days` and `max_size` the top of the numeric ones. The message is
    the English one the CLI and the logs show."""

    def __init__(self, setting: str, value: object, message: str, choices: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.setting = setting
        self.value = value
        self.choices = choices
        self.max_days = MAX_WINDOW_DAYS
        self.max_size = MAX_MIN_SIZE


def window_days(text: str) -> int:
    """'30' or '30d' as days; SettingError when it is no number (the range is checked by `changed`)."""
    digits = text.strip().lower().removesuffix("d")
    if not digits.isdigit():
        raise SettingError("window_days", text, f"the window is 1 to {MAX_WINDOW_DAYS} days")
    return int(digits)


def min_size(text: str) -> int:
    """'128' or '128px' as pixels; SettingError when it is no number (the range is checked by `changed`)."""
    digits = text.strip().lower().removesuffix("px")
    if not digits.isdigit():
        raise SettingError("minsize", text, f"the minimum size is 0 to {MAX_MIN_SIZE} pixels")
    return int(digits)


# Settings of a few words: the values each takes, the first one the default.
CHOICES = {"dupes": DUPES_MODES, "sensitivity": SENSITIVITIES, "notify": NOTIFY_MODES, "forwards": ON_OFF,
           "self_reposts": OFF_ON, "gifs": OFF_ON}


@dataclass(frozen=True)
class ChatSettings:
    dupes: str = "reply"  # what to do with a re-post: reply with a link, delete it, or nothing
    sensitivity: str = "normal"
    window_days: int = 30  # only posts this recent count as originals
    notify: str = "public"  # flags in the group, or only to its admins in private
    forwards: str = "on"  # whether photos forwarded from other chats are checked
    minsize: int = 128  # photos smaller than this on their short side are never flagged (0: no minimum)
    self_reposts: str = "off"  # whether a member re-posting their own photo is flagged
    gifs: str = "off"  # whether GIFs (animations) are checked: off by default, re-posting them is normal

    @classmethod
    def from_redis(cls, raw: dict[str, str]) -> "ChatSettings":
        """Stored settings; a value missing or no longer valid reads as the default."""
        base = cls()
        words = {name: raw[name] if raw.get(name) in values else getattr(base, name)
                 for name, values in CHOICES.items()}
        return cls(**words, window_days=_int_in(raw.get("window_days"), base.window_days, 1, MAX_WINDOW_DAYS),
                   minsize=_int_in(raw.get("minsize"), base.minsize, 0, MAX_MIN_SIZE))

    def to_redis(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}

    def changed(self, dupes: str | None = None, sensitivity: str | None = None, window_days: int | None = None,
                notify: str | None = None, forwards: str | None = None, minsize: int | None = None,
                self_reposts: str | None = None, gifs: str | None = None) -> "ChatSettings":
        """A copy with new values; SettingError says which one is not allowed."""
        words = {"dupes": dupes, "sensitivity": sensitivity, "notify": notify, "forwards": forwards,
                 "self_reposts": self_reposts, "gifs": gifs}
        for name, value in words.items():
            if value is not None and value not in CHOICES[name]:
                label = "mode" if name == "dupes" else name.replace("_", " ")
                raise SettingError(name, value, f"{label} must be one of {', '.join(CHOICES[name])}", CHOICES[name])
        if window_days is not None and not 1 <= window_days <= MAX_WINDOW_DAYS:
            raise SettingError("window_days", window_days, f"the window is 1 to {MAX_WINDOW_DAYS} days")
        if minsize is not None and not 0 <= minsize <= MAX_MIN_SIZE:
            raise SettingError("minsize", minsize, f"the minimum size is 0 to {MAX_MIN_SIZE} pixels")
        new = dict(words, window_days=window_days, minsize=minsize)
        return replace(self, **{k: v for k, v in new.items() if v is not None})


def _int_in(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(raw), low), high) if raw is not None else default
    except ValueError:
        return default
