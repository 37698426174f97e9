"""`/find` by a phrase seen in a photo (issue 19): the rendered set stored in one chat with the text the
reader read from each photo, then each text photo's longest line typed as a person would (lower case,
no accents, no punctuation) asked through the engine's `find` with the shipped floors, in the phrase's
language. Right when the answer's first photo (or one of its first five) carries that line: a phrase
drawn on several photos is found by any of them."""
from __future__ import annotations

import unicodedata

from bench.common import bench_engine, log_progress
from bench.ocr_set import TextPhoto
from indexing.search import PhotoInput
from models.textfold import fold

SCOPE = "chat:-1009900"


def typed(line: str) -> str:
    """A line as someone remembering it would type it: lower case, no accents, no punctuation."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", line) if not unicodedata.combining(ch))
    return " ".join("".join(ch if ch.isalnum() or ch == "'" else " " for ch in plain.lower()).split())


def find_by_phrase(args, rendered: list[TextPhoto], jpegs: list[bytes], reads: list[tuple]) -> dict:
    with bench_engine(args) as engine:
        log_progress(args, "storing %d photos with the text read from them", len(rendered))
        post_text: dict[int, str] = {}
        for photo, data, (status, text, lang, _) in zip(rendered, jpegs, reads):
            post_id = engine.add_photo(PhotoInput(data=data, scope=SCOPE, chat_id=-1009900)).post_id
            engine.put_read_text(post_id, status, text, lang)
            post_text[post_id] = fold(photo.text)
        asked = at1 = at5 = by_words = 0
        for photo in rendered:
            if not photo.text:
                continue
            line = max(photo.text.splitlines(), key=len)
            query, wanted = typed(line), fold(line)
            hits = engine.find(query, SCOPE, k=5, language=photo.lang)
            carries = [wanted in post_text.get(h.post.id, "") for h in hits]
            asked += 1
            at1 += bool(carries[:1] and carries[0])
            at5 += any(carries)
            by_words += bool(hits and hits[0].words > 0)
    return {"queries": asked, "R@1": round(100 * at1 / max(asked, 1), 2), "R@5": round(100 * at5 / max(asked, 1), 2),
            "first_found_by_words": round(100 * by_words / max(asked, 1), 2)}
