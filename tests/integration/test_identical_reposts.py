"""The very same file posted again: in a group each message is a post of its own (its author, its caption,
its flag, its "not a re-post", its /forget); in a private chat and in imports the bytes are stored once.
The search facade and the re-post policy against a real Redis server and real encoders."""
import hashlib

from indexing.search import NOT_A_REPOST, ChatSettings, PhotoInput
from tests.conftest import jpeg_bytes, sample_image

CHAT_ID = -1007
CHAT = f"chat:{CHAT_ID}"
ANN, BOB, EVE, DAVE = 601, 602, 603, 604


def _post(engine, data: bytes, message_id: int, user_id: int, caption: str = ""):
    """A group's photo as the bot handles it: checked against the chat's policy, then stored."""
    verdict = engine.check_repost(data, CHAT, ChatSettings(), message_id, author_id=user_id)
    stored = engine.add_photo(PhotoInput(data=data, scope=CHAT, chat_id=CHAT_ID, message_id=message_id,
                                         user_id=user_id, repost_of=verdict.original_id,
                                         captions=[caption] if caption else []))
    return verdict, stored


def _copy(name: str) -> bytes:
    im = sample_image(name)
    return jpeg_bytes(im.resize((im.width * 2 // 3, im.height * 2 // 3)), quality=70)


def test_the_same_file_from_two_members_is_two_posts_each_flagged_and_counted(engine_factory):
    engine = engine_factory()
    cat = jpeg_bytes(sample_image("chelsea"))
    _, first = _post(engine, cat, 10, ANN)
    verdict, second = _post(engine, cat, 11, BOB)
    assert verdict.repost.original.id == first.post_id
    assert second.created and second.post_id != first.post_id
    copy = engine.post(second.post_id)
    assert (copy.message_id, copy.user_id, copy.repost_of) == (11, BOB, first.post_id)
    assert engine.post_by_message(CHAT, 10).id == first.post_id
    assert engine.post_by_message(CHAT, 11).id == second.post_id
    assert engine.store.find_by_sha(CHAT, hashlib.sha256(cat).hexdigest()) == first.post_id  # still the first

    verdict3, third = _post(engine, cat, 12, EVE)
    assert verdict3.repost.original.id == first.post_id and third.created
    # two identical re-posts: two flags, both counted
    assert engine.moderation.record_flag(CHAT, second.post_id, first.post_id, BOB, "Bob")
    assert engine.moderation.record_flag(CHAT, third.post_id, first.post_id, EVE, "Eve")
    stats = engine.moderation.stats(CHAT)
    assert stats.flagged_30d == 2 and [(p.id, n) for p, n in stats.top_reposted] == [(first.post_id, 2)]

    # the same message delivered twice: seen, and stored once
    assert engine.check_repost(cat, CHAT, ChatSettings(), 12, author_id=EVE) is NOT_A_REPOST
    again = engine.add_photo(PhotoInput(data=cat, scope=CHAT, chat_id=CHAT_ID, message_id=12, user_id=EVE))
    assert (again.post_id, again.created) == (third.post_id, False)
    assert engine.post_count(CHAT) == 3


def test_a_cleared_copy_and_forgetting_a_copy_or_its_original(engine_factory):
    engine = engine_factory()
    cat = jpeg_bytes(sample_image("chelsea"))
    _, first = _post(engine, cat, 10, ANN)
    _, second = _post(engine, cat, 11, BOB)
    assert engine.moderation.clear_repost(CHAT, second.post_id, first.post_id, ANN, "Ann") is True
    assert engine.moderation.cleared_by(CHAT, second.post_id, first.post_id) == "Ann"
    assert engine.post(second.post_id).repost_of is None and engine.post(first.post_id).repost_of is None
    # The same file a third time: never flagged against the original it was cleared from, but against
    # the cleared copy (the policy's rule for a cleared photo posted again).
    verdict, third = _post(engine, cat, 12, EVE)
    assert verdict.repost.original.id == second.post_id and engine.post(third.post_id).repost_of == second.post_id

    # forgetting a copy keeps the original (and its place as the first post of the bytes)
    sha = hashlib.sha256(cat).hexdigest()
    assert engine.forget_post(third.post_id) is True
    for view in (engine, engine_factory()):  # here, and after a restart
        assert view.post_by_message(CHAT, 12) is None and view.post_by_message(CHAT, 10).id == first.post_id
        assert view.store.find_by_sha(CHAT, sha) == first.post_id
        assert first.post_id in [pid for pid, _, _ in view.duplicate_candidates(_copy("chelsea"), CHAT)]
    # forgetting the original keeps the copy findable: by its message, its bytes, and as a re-post's original
    assert engine.forget_post(first.post_id) is True
    assert engine.post_by_message(CHAT, 11).id == second.post_id
    assert engine.store.find_by_sha(CHAT, sha) == second.post_id  # the earliest copy left takes over
    assert engine.check_repost(_copy("chelsea"), CHAT, ChatSettings(), 13).repost.original.id == second.post_id
    assert engine.forget_post(second.post_id) is True
    assert engine.store.find_by_sha(CHAT, sha) is None
    assert engine.add_photo(PhotoInput(data=cat, scope=CHAT, chat_id=CHAT_ID, message_id=14)).created


def test_the_first_poster_sending_their_photo_again_after_a_cleared_copy_is_not_flagged(engine_factory):
    """A newcomer's case: Ann posts a photo, Bob's copy is cleared ("not a re-post"), then Ann posts her
    photo again: her own photo, recorded against her first post, never flagged against Bob's copy."""
    engine = engine_factory()
    cat = jpeg_bytes(sample_image("chelsea"))
    _, first = _post(engine, cat, 10, ANN)
    _, second = _post(engine, cat, 11, BOB)
    assert engine.moderation.clear_repost(CHAT, second.post_id, first.post_id, ANN, "Ann") is True
    verdict, again = _post(engine, cat, 12, ANN)
    assert verdict.repost is None and verdict.original_id == first.post_id
    assert engine.post(again.post_id).repost_of == first.post_id
    bob_again, _ = _post(engine, cat, 13, BOB)  # Bob's own cleared photo again: his, not flagged either
    assert bob_again.repost is None and bob_again.original_id == second.post_id
    flagged = engine.check_repost(cat, CHAT, ChatSettings(self_reposts="on"), 14, author_id=ANN)
    assert flagged.repost is not None  # a chat that flags self re-posts still does


def test_private_chats_and_imports_store_the_same_bytes_once(engine):
    cat = jpeg_bytes(sample_image("chelsea"))
    private = dict(scope="chat:77", chat_id=77)
    first = engine.add_photo(PhotoInput(data=cat, message_id=1, **private))
    again = engine.add_photo(PhotoInput(data=cat, message_id=2, **private))
    assert first.created and (again.post_id, again.created) == (first.post_id, False)
    imported = engine.add_photo(PhotoInput(data=cat, scope="public", source="a.jpg"))
    assert imported.created
    assert engine.add_photo(PhotoInput(data=cat, scope="public", source="b.jpg")).post_id == imported.post_id
    assert engine.post_count("chat:77") == 1 and engine.post_count("public") == 1


def test_an_edited_caption_changes_the_post_of_the_edited_message(engine):
    cat = jpeg_bytes(sample_image("chelsea"))
    _, first = _post(engine, cat, 10, ANN, caption="my cat #cat")
    _, second = _post(engine, cat, 11, BOB, caption="look at this")
    assert engine.update_caption_of_message(CHAT, 11, ["a sleepy kitten #kitten"], ["kitten"]) is True
    assert engine.post(second.post_id).captions == ["a sleepy kitten #kitten"]
    assert engine.post(second.post_id).tags == ["kitten"]
    assert engine.post(first.post_id).captions == ["my cat #cat"]  # the original keeps its own
    assert engine.update_caption_of_message(CHAT, 99, ["nothing"], []) is False
    # the message's photo replaced by another one: not this post's caption any more
    assert engine.update_caption_of_message(CHAT, 11, ["a dog"], [], sha256="0" * 64) is False
    assert engine.post(second.post_id).captions == ["a sleepy kitten #kitten"]
    # by bytes (a private chat's later message of stored bytes): the first post of them
    assert engine.update_caption(CHAT, hashlib.sha256(cat).hexdigest(), ["a cat"], []) is True
    assert engine.post(first.post_id).captions == ["a cat"]
    assert engine.post(second.post_id).captions == ["a sleepy kitten #kitten"]


def test_answers_in_a_group_show_the_same_file_once(engine, samples):
    cat = samples["chelsea"]
    _, first = _post(engine, cat, 10, ANN, caption="my tabby cat")
    _, second = _post(engine, cat, 11, BOB, caption="this cat again")
    for n, name in enumerate(("coffee", "rocket", "astronaut", "coins", "moon")):
        _post(engine, samples[name], 20 + n, EVE)
    copies = {first.post_id, second.post_id}
    # both copies are stored and visible ...
    assert copies <= set(engine.scope_ids(CHAT))
    # ... but an answer shows one of them, and none when asked about the photo itself (or a copy of it)
    hits = [h.post.id for h in engine.similar(samples["camera"], CHAT, k=10)]
    assert len(copies & set(hits)) == 1 and len(hits) == 6, hits
    assert not copies & {h.post.id for h in engine.similar(cat, CHAT, k=10)}
    assert not copies & {h.post.id for h in engine.similar(_copy("chelsea"), CHAT, k=10)}
    assert not copies & {h.post.id for h in engine.similar(first.post_id, CHAT, k=5)}
    found = [h.post.id for h in engine.find("a cat", CHAT, k=10)]
    assert len(copies & set(found)) == 1, found
    # the photo's own captions are never suggested for it, whichever member's message it was
    assert not copies & {h.post_id for h in engine.captions(cat, CHAT)}
    assert engine.store.posts_by_sha(CHAT, hashlib.sha256(cat).hexdigest()) == [first.post_id, second.post_id]
