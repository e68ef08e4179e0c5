"""The corpus readers on tiny files written here: Karpathy JSON, Multi30k raw text, lexicons, shared layout."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from training.datasets import (
    flickr_id,
    read_karpathy,
    read_lexicon,
    read_multi30k_raw,
    read_parallel_task1,
    read_shared_flickr8k,
)


def test_karpathy_json_with_coco_subfolders(tmp_path):
    data = {"dataset": "coco", "images": [
        {"filepath": "val2014", "filename": "a.jpg", "split": "restval",
         "sentences": [{"raw": "A dog  on a bed.", "tokens": ["a", "dog"]}, {"raw": "A dog on a bed.", "tokens": []}]},
        {"filepath": "val2014", "filename": "b.jpg", "split": "val",
         "sentences": [{"tokens": ["two", "cats"]}]},
        {"filename": "c.jpg", "split": "test", "sentences": [{"raw": "Snow.", "tokens": ["snow"]}]},
    ]}
    path = tmp_path / "dataset_coco.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    corpus = read_karpathy(path, tmp_path / "images")
    assert corpus.name == "coco"
    assert [im.image for im in corpus.images] == ["val2014/a.jpg", "val2014/b.jpg", "c.jpg"]
    assert [im.split for im in corpus.images] == ["train", "dev", "test"]
    assert [c.text for c in corpus.images[0].captions] == ["A dog on a bed."]  # whitespace variant deduplicated
    assert corpus.images[1].captions[0].text == "two cats"  # tokens when there is no raw text


def test_multi30k_raw_text_files(tmp_path):
    (tmp_path / "train.en").write_text("A man rides a bike.\nTwo dogs play.\n", encoding="utf-8")
    (tmp_path / "train.de").write_text("Ein Mann fährt Rad.\nZwei Hunde spielen.\n", encoding="utf-8")
    (tmp_path / "train.fr").write_text("Un homme fait du vélo.\nDeux chiens jouent.\n", encoding="utf-8")
    (tmp_path / "train_images.txt").write_text("1.jpg\n2.jpg\n", encoding="utf-8")
    pairs, corpus = read_multi30k_raw(tmp_path, "train", image_list=tmp_path / "train_images.txt")
    assert {(p.lang_a, p.a, p.b) for p in pairs} == {
        ("de", "Ein Mann fährt Rad.", "A man rides a bike."), ("de", "Zwei Hunde spielen.", "Two dogs play."),
        ("fr", "Un homme fait du vélo.", "A man rides a bike."), ("fr", "Deux chiens jouent.", "Two dogs play.")}
    assert corpus is not None and [im.image for im in corpus.images] == ["1.jpg", "2.jpg"]
    assert {c.lang for c in corpus.images[0].captions} == {"en", "de", "fr"}


def test_multi30k_files_that_are_not_parallel_are_refused(tmp_path):
    (tmp_path / "train.en").write_text("one\ntwo\n", encoding="utf-8")
    (tmp_path / "train.de").write_text("eins\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not parallel"):
        read_multi30k_raw(tmp_path)


def test_lexicon_keeps_short_entries_in_caption_vocabulary(tmp_path):
    path = tmp_path / "de-en.tsv"
    path.write_text("Hund\tdog\nSchraubenschlüssel\twrench\nHund {m}\tdog\nFarbe (Lack\tpaint\n"
                    "ein sehr großer brauner Hund\ta very big brown dog\nKatze\tcat\n", encoding="utf-8")
    vocab = Counter({"dog": 5, "cat": 3, "paint": 3, "a": 9, "very": 3, "big": 3, "brown": 3})
    pairs = read_lexicon(path, "de", vocab)
    assert [(p.a, p.b) for p in pairs] == [("Hund", "dog"), ("Katze", "cat")]


def test_shared_layout_and_held_out_photos(tmp_path):
    (tmp_path / "flickr8k").mkdir()
    rows = [{"image": "123_ab.jpg", "split": "train", "captions": [
        {"lang": "en", "text": "A dog .", "source": "flickr8k"},
        {"lang": "en", "text": "A dog.", "source": "multi30k-task1"},
        {"lang": "de", "text": "Ein Hund.", "source": "multi30k-task1"}]},
        {"image": "456_cd.jpg", "split": "dev", "captions": [{"lang": "en", "text": "Sea.", "source": "flickr8k"}]}]
    (tmp_path / "flickr8k" / "captions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    corpus = read_shared_flickr8k(tmp_path)
    assert [len(im.captions) for im in corpus.images] == [2, 1]
    assert flickr_id(corpus.split("dev")[0].image) == "456"
    par = tmp_path / "task1.jsonl"
    par.write_text(json.dumps({"en": "Sea.", "de": "Meer.", "flickr_id": "456"}) + "\n"
                   + json.dumps({"en": "Sky.", "de": "Himmel.", "cs": "Nebe.", "flickr_id": "789"}) + "\n")
    pairs = read_parallel_task1(par, exclude_ids=frozenset({"456"}))
    assert [(p.lang_a, p.a) for p in pairs] == [("de", "Himmel."), ("cs", "Nebe.")]
