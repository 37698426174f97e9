import json

import pytest

from indexing.sources import SourceError, detect_and_read


def test_jsonl_manifest_with_split(tmp_path):
    rows = [{"image": "images/a.jpg", "captions": ["a dog"], "tags": ["dog"], "flickr8k_split": "train"},
            {"image": "images/b.jpg", "captions": [], "tags": ["cat"], "flickr8k_split": "dev"}]
    (tmp_path / "annotations.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    items = detect_and_read(tmp_path)
    assert [i.path.name for i in items] == ["a.jpg", "b.jpg"]
    assert items[0].captions == ["a dog"] and items[1].tags == ["cat"]
    assert [i.path.name for i in detect_and_read(tmp_path / "annotations.jsonl", split="dev")] == ["b.jpg"]


def test_broken_manifest_line_names_the_line(tmp_path):
    (tmp_path / "m.jsonl").write_text('{"image": "a.jpg"}\n{nope\n')
    with pytest.raises(SourceError, match=":2:"):
        detect_and_read(tmp_path / "m.jsonl")


def test_flickr_csv_and_tab_formats(tmp_path):
    (tmp_path / "Images").mkdir()
    (tmp_path / "captions.txt").write_text("image,caption\n1.jpg,A dog runs, fast .\n1.jpg,A brown dog\n2.jpg,Kids\n")
    items = detect_and_read(tmp_path / "captions.txt")
    assert items[0].path == tmp_path / "Images" / "1.jpg"
    assert items[0].captions == ["A dog runs, fast .", "A brown dog"]
    (tmp_path / "Flickr8k.token.txt").write_text("1.jpg#0\tA dog\n1.jpg#1\tAnother dog\n")
    items = detect_and_read(tmp_path / "Flickr8k.token.txt")
    assert items[0].captions == ["A dog", "Another dog"]


def test_harrison_lists(tmp_path):
    (tmp_path / "data_list.txt").write_text("instagram_dataset/beach/image_1.jpg\ninstagram_dataset/sea/image_2.jpg\n")
    (tmp_path / "tag_list.txt").write_text("beach sea sun \nsea blue \n")
    items = detect_and_read(tmp_path / "data_list.txt")
    assert items[0].tags == ["beach", "sea", "sun"] and items[1].path.name == "image_2.jpg"
    (tmp_path / "tag_list.txt").unlink()
    with pytest.raises(SourceError, match="tag_list"):
        detect_and_read(tmp_path / "data_list.txt")


def test_folder_lists_every_visible_file(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.jpg", "sub/b.png", "notes.txt", ".hidden.jpg"):
        (tmp_path / name).write_bytes(b"x")
    assert sorted(i.path.name for i in detect_and_read(tmp_path)) == ["a.jpg", "b.png", "notes.txt"]


def test_missing_path(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        detect_and_read(tmp_path / "nope")
