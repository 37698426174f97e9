"""Reading a Telegram Desktop export as Telegram Desktop writes it (export_output_json.cpp): one chat's
or a whole account's, text as a string or as parts, skip reasons, authors, dates, paths."""
import json
from datetime import datetime

import pytest

from indexing.post import ANIMATION, FORWARD, VIDEO, VIDEO_NOTE
from indexing.telegram_export import PHOTO, ExportError, bot_api_chat_id, read_export


def _chat(messages, chat_type="private_supergroup", bare=777):
    return {"name": "Group", "type": chat_type, "id": bare, "messages": messages}


def _write(folder, data, files=()):
    for name in files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"x")
    (folder / "result.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


MESSAGES = [
    {"id": 5, "type": "service", "date": "2025-01-01T10:00:00", "date_unixtime": "1735725600", "actor": "A",
     "actor_id": "user1", "action": "edit_group_photo", "photo": "photos/photo_1.jpg", "text": "", "text_entities": []},
    {"id": 6, "type": "message", "date": "2025-01-01T10:01:00", "date_unixtime": "1735725660", "from": "A",
     "from_id": "user42", "photo": "photos/photo_2.jpg", "width": 800, "height": 600,
     "text": ["sunset ", {"type": "hashtag", "text": "#beach"}, " and ", {"type": "bold", "text": "sea"}],
     "text_entities": [{"type": "plain", "text": "sunset "}, {"type": "hashtag", "text": "#beach"},
                       {"type": "plain", "text": " and "}, {"type": "bold", "text": "sea"}]},
    {"id": 7, "type": "message", "date": "2025-01-01T10:02:00", "date_unixtime": "1735725720", "from": "Group",
     "from_id": "channel777", "file": "video_files/v.mp4", "thumbnail": "video_files/v.mp4_thumb.jpg",
     "media_type": "video_file", "mime_type": "video/mp4", "duration_seconds": 3, "text": "", "text_entities": []},
    {"id": 8, "type": "message", "date": "2025-01-01T10:03:00", "date_unixtime": "1735725780", "from": "B",
     "from_id": "user43", "forwarded_from": "Memes", "file": "video_files/g.mp4", "media_type": "animation",
     "mime_type": "video/mp4", "text": "", "text_entities": []},
    {"id": 9, "type": "message", "date": "2025-01-01T10:04:00", "date_unixtime": "1735725840", "from": "B",
     "from_id": "user43", "file": "round_video_messages/r.mp4", "media_type": "video_message", "mime_type": "video/mp4",
     "text": "", "text_entities": []},
    {"id": 10, "type": "message", "date": "2025-01-01T10:05:00", "date_unixtime": "1735725900", "from": "B",
     "from_id": "user43", "file": "(File exceeds maximum size. Change data exporting settings to download.)",
     "media_type": "video_file", "mime_type": "video/mp4", "text": "", "text_entities": []},
    {"id": 11, "type": "message", "date": "2025-01-01T10:06:00", "date_unixtime": "1735725960", "from": "B",
     "from_id": "user43", "file": "files/scan.png", "mime_type": "image/png", "text": "", "text_entities": []},
    {"id": 12, "type": "message", "date": "2025-01-01T10:07:00", "date_unixtime": "1735726020", "from": "B",
     "from_id": "user43", "file": "stickers/s.webp", "media_type": "sticker", "sticker_emoji": "x", "text": "",
     "text_entities": []},
    {"id": 13, "type": "message", "date": "2025-01-01T10:08:00", "date_unixtime": "1735726080", "from": "B",
     "from_id": "user43", "file": "files/notes.pdf", "mime_type": "application/pdf", "text": "", "text_entities": []},
    {"id": 14, "type": "message", "date": "2025-01-01T10:09:00", "from": "B", "from_id": "user43",
     "photo": "../outside.jpg", "text": "", "text_entities": []},
    {"id": 15, "type": "message", "date": "2025-01-01T10:10:00", "from": "B", "from_id": "user43",
     "photo": "photos/photo_3.jpg", "text": "plain words #not_an_entity"},
    {"id": 16, "type": "unsupported"},
    {"id": 17, "type": "message", "date": "2025-01-01T10:11:00", "date_unixtime": "1735726260", "from": "B",
     "from_id": "user43", "text": "just words", "text_entities": [{"type": "plain", "text": "just words"}]},
]
FILES = ("photos/photo_1.jpg", "photos/photo_2.jpg", "video_files/v.mp4", "video_files/g.mp4",
         "round_video_messages/r.mp4", "files/scan.png", "stickers/s.webp", "files/notes.pdf", "photos/photo_3.jpg")


def test_a_chat_export_is_read_as_posts(tmp_path):
    chat = read_export(_write(tmp_path, _chat(MESSAGES), FILES), -100777)
    assert chat.messages == len(MESSAGES) and chat.other_files == {"sticker": 1, "other file": 1}
    media = {m.message_id: m for m in chat.media}
    assert sorted(media) == [6, 7, 8, 9, 10, 11, 14, 15]  # the group photo's change is a service message
    photo = media[6]
    assert (photo.media, photo.author_id, photo.date_s) == (PHOTO, 42, 1735725660.0)
    assert photo.caption == "sunset #beach and sea" and photo.tags == ["beach"]
    assert photo.path == (tmp_path / "photos/photo_2.jpg").resolve() and not photo.skip
    assert (media[7].media, media[7].author_id) == (VIDEO, -100777)  # the group posting as itself
    assert (media[8].media, media[8].origin) == (ANIMATION, FORWARD)
    assert media[9].media == VIDEO_NOTE and media[11].media == PHOTO  # a PNG sent as a file
    assert media[10].path is None and media[10].skip == "file over the export's size limit"
    assert media[14].skip.startswith("outside the export folder")
    # no date_unixtime (exports before 2022): the local time it shows; a plain string's tags are not entities
    assert media[15].date_s == datetime.fromisoformat("2025-01-01T10:10:00").timestamp() and media[15].tags == []


def test_an_account_export_is_searched_for_the_chat(tmp_path):
    data = {"about": "...", "chats": {"about": "...", "list": [
        _chat([], "personal_chat", 5), _chat(MESSAGES[1:2], "public_supergroup", 777)]},
            "left_chats": {"about": "...", "list": [_chat([], "private_channel", 9)]}}
    chat = read_export(_write(tmp_path, data, FILES), -100777)
    assert [m.message_id for m in chat.media] == [6]
    assert read_export(tmp_path, -1009).media == []  # a channel the account left: in left_chats
    with pytest.raises(ExportError, match=r"not in this export \(it has: 'Group' \(5\), 'Group' \(-100777\)"):
        read_export(tmp_path, -100123)
    assert bot_api_chat_id({"id": 55, "type": "private_group"}) == -55


def test_a_basic_group_cannot_be_imported(tmp_path):
    _write(tmp_path, _chat(MESSAGES, "private_group", 55))
    with pytest.raises(ExportError, match="only a supergroup"):
        read_export(tmp_path, -55)


def test_an_unreadable_export_is_a_clear_error(tmp_path):
    (tmp_path / "result.json").write_text("{not json")
    with pytest.raises(ExportError, match="cannot read"):
        read_export(tmp_path, -100777)
