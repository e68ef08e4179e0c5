"""The readers and measures added for more languages, on tiny files written here: captions-more, MultiScript30k,
Framed Multi30k, NLLB sets, CLDR annotations, XTD200's held-out sets and translation accuracy."""

from __future__ import annotations

import json

import numpy as np

from training.datasets import (
    read_cldr_annotations,
    read_framed_pt,
    read_multiscript30k,
    read_nllb_sets,
    read_shared_flickr8k,
)
from training.metrics import translation_accuracy, xtd200_dev_images


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_captions_more_join_each_photo_and_skip_what_the_config_names(tmp_path):
    (tmp_path / "flickr8k").mkdir()
    _jsonl(tmp_path / "flickr8k" / "captions.jsonl", [
        {"image": "1_a.jpg", "split": "train", "captions": [{"lang": "en", "text": "a dog", "source": "flickr8k"}]}])
    _jsonl(tmp_path / "flickr8k" / "captions-more.jsonl", [
        {"image": "1_a.jpg", "split": "train", "captions": [
            {"lang": "zh", "text": "一只狗", "source": "flickr8k-cn"},
            {"lang": "zh", "text": "一条狗", "source": "multiscript30k-mt"},
            {"lang": "es", "text": "un perro", "source": "multiscript30k-mt"}]}])
    plain = read_shared_flickr8k(tmp_path)
    assert [c.text for c in plain.images[0].captions] == ["a dog"]  # runs without `more` read as before
    more = read_shared_flickr8k(tmp_path, more=True, skip=["multiscript30k-mt/zh"])
    got = [(c.lang, c.text) for c in more.images[0].captions]
    assert got == [("en", "a dog"), ("zh", "一只狗"), ("es", "un perro")]
    assert len(read_shared_flickr8k(tmp_path, more=True, skip=["multiscript30k-mt"]).images[0].captions) == 2


def test_multiscript_pairs_every_language_with_english_and_drops_held_out_photos(tmp_path):
    path = _jsonl(tmp_path / "m.jsonl", [
        {"flickr_id": "1", "en": "A cat.", "pt": "Um gato.", "zh": "一只猫。", "ar": ""},
        {"flickr_id": "2", "en": "A dev photo.", "pt": "Uma foto."}])
    pairs = read_multiscript30k(path, exclude_ids=frozenset({"2"}))
    assert {(p.lang_a, p.a, p.b) for p in pairs} == {("pt", "Um gato.", "A cat."), ("zh", "一只猫。", "A cat.")}


def test_framed_portuguese_meets_task2_english_of_the_same_photo(tmp_path):
    pt = _jsonl(tmp_path / "pt.jsonl", [{"flickr_id": "7", "pt": ["Um cão.", "Dois cães."]},
                                        {"flickr_id": "8", "pt": ["Sem inglês."]}])
    en = _jsonl(tmp_path / "en.jsonl", [{"flickr_id": "7", "en": ["A dog.", "Two dogs."], "de": []}])
    pairs = read_framed_pt(pt, en)
    assert [(p.a, p.b) for p in pairs] == [("Um cão.", "A dog."), ("Dois cães.", "Two dogs.")]


def test_nllb_sets_keep_only_what_may_be_trained_on(tmp_path):
    path = _jsonl(tmp_path / "n.jsonl", [
        {"coco_image": "x.jpg", "texts": {"en": "a red bus", "ja": "赤いバス", "ru": "красный автобус"}},
        {"coco_image": "y.jpg", "texts": {"en": "held out", "ja": "保留"}}])
    pairs = read_nllb_sets(path, "nllb-xtd", lambda row: row["coco_image"] != "y.jpg")
    assert sorted((p.lang_a, p.a) for p in pairs) == [("ja", "赤いバス"), ("ru", "красный автобус")]
    assert all(p.b == "a red bus" and p.source == "nllb-xtd" for p in pairs)


def test_cldr_annotations_pair_each_locale_name_with_the_english_name(tmp_path):
    def xml(entries):
        kind = {True: ' type="tts"', False: ""}
        body = "".join(f'<annotation cp="{cp}"{kind[tts]}>{text}</annotation>' for cp, text, tts in entries)
        return f"<ldml><annotations>{body}</annotations></ldml>"

    (tmp_path / "en.xml").write_text(xml([("🚲", "bike | cycle", False), ("🚲", "bicycle", True)]), "utf-8")
    (tmp_path / "ja.xml").write_text(xml([("🚲", "自転車 | 乗り物", False), ("🚲", "自転車", True)]), "utf-8")
    (tmp_path / "ko.xml").write_text(xml([("🚲", "자전거", True), ("🐈", "고양이", True)]), "utf-8")
    pairs = {(p.lang_a, p.a, p.b) for p in read_cldr_annotations(tmp_path)}
    # The emoji itself, each locale's spoken name; nothing for an emoji without an English name.
    assert pairs == {("emoji", "🚲", "bicycle"), ("ja", "自転車", "bicycle"), ("ko", "자전거", "bicycle")}


def test_xtd200_dev_sets_are_a_stable_subset(tmp_path):
    path = _jsonl(tmp_path / "x.jsonl", [{"coco_image": f"{i}.jpg", "texts": {}} for i in range(50)])
    held = xtd200_dev_images(path, count=10)
    assert len(held) == 10 and held == xtd200_dev_images(path, count=10)
    assert held != frozenset(f"{i}.jpg" for i in range(10))  # not merely the first lines of the file


def test_translation_accuracy_counts_each_sentence_whose_nearest_english_is_its_own():
    sets = [{"en": "a", "de": "A", "ja": "A"}, {"en": "b", "de": "B", "ja": "A"}, {"en": "c", "de": "C"}]
    vectors = {"a": [1, 0, 0], "b": [0, 1, 0], "c": [0, 0, 1], "A": [1, 0, 0], "B": [0, 1, 0], "C": [0, 0, 1]}

    def encode(texts):
        return np.array([vectors[t] for t in texts], dtype=np.float32)

    out = translation_accuracy(encode, sets, ["de", "ja"], "t")
    assert out["t.de"] == 100.0
    assert out["t.ja"] == 50.0  # the second set's "A" is nearest to the first set's English
    assert out["t.mean"] == 75.0
