"""Tokenizer: word units in every script, hashed ids, and the per-batch table of distinct words."""

from __future__ import annotations

import numpy as np

from photosearch.model.tokenizer import BOW, EOW, Tokenizer, TokenizerConfig, char_id, split_units

CFG = TokenizerConfig(char_buckets=4096, max_word_chars=12, max_words=16, ngram_buckets=1024)


def test_latin_words_are_folded_and_punctuation_dropped():
    assert split_units("Two DOGS, running!") == ["two", "dogs", "running"]
    assert split_units("Straße ﬁsh Ｆｕｌｌ") == ["strasse", "fish", "full"]


def test_cjk_and_kana_are_one_unit_per_character():
    assert split_units("犬が走る") == ["犬", "が", "走", "る"]
    assert split_units("猫 cat") == ["猫", "cat"]


def test_arabic_and_cyrillic_words_stay_whole():
    assert split_units("قطة سوداء") == ["قطة", "سوداء"]
    assert split_units("Чёрная кошка") == ["чёрная", "кошка"]


def test_thai_marks_stay_with_their_character():
    units = split_units("แมว")
    assert "".join(units) == "แมว"
    assert all(not ("\u0e31" <= u[0] <= "\u0e3a" or "\u0e47" <= u[0] <= "\u0e4e") for u in units)
    assert split_units("ที่") == ["ที่"]  # consonant + two combining marks: one unit


def test_emoji_are_units():
    assert split_units("dog 🐶 beach") == ["dog", "🐶", "beach"]


def test_empty_and_whitespace_only_give_no_units():
    batch = Tokenizer(CFG).encode(["", "   ", "..."])
    assert batch.words.tolist() == [0, 0, 0]
    assert batch.index.shape[0] == 3 and not batch.index.any()


def test_very_long_input_is_capped():
    batch = Tokenizer(CFG).encode(["word " * 2000, "x" * 10_000])
    assert batch.words.tolist() == [CFG.max_words, 1]
    assert batch.chars.shape[1] <= CFG.max_word_chars


def test_distinct_words_are_read_once_and_indexed():
    tok = Tokenizer(CFG)
    batch = tok.encode(["a dog and a dog", "dog"])
    assert len(batch.chars) == 1 + 3  # padding row + a, dog, and
    first, second = batch.index[0], batch.index[1]
    assert first[1] == first[4] == second[0]
    assert first[0] == first[3]
    dog = tok.word_ids("dog")[0]
    assert batch.chars[second[0], : len(dog)].tolist() == dog
    assert dog[0] == BOW and dog[-1] == EOW


def test_character_ids_are_in_range_for_any_code_point():
    for ch in ("a", "é", "Ж", "犬", "🐶", "\U0010fffd"):
        for salt in (0, 1):
            assert 3 <= char_id(ch, CFG.char_buckets, salt) < CFG.char_buckets
    assert char_id("犬", CFG.char_buckets, 0) != char_id("犬", CFG.char_buckets, 1)


def test_ngrams_are_padded_per_word():
    batch = Tokenizer(CFG).encode(["a dog", "elephant"])
    assert batch.ngrams.shape[0] == len(batch.chars)
    assert (batch.ngrams[0] == 0).all()
    assert np.count_nonzero(batch.ngrams[batch.index[1, 0]]) > np.count_nonzero(batch.ngrams[batch.index[0, 0]])


def test_cjk_bigrams_add_a_unit_per_adjacent_pair_only_when_configured():
    from dataclasses import replace

    plain = Tokenizer(CFG).encode(["自転車 bike"])
    assert plain.words.tolist() == [4]
    with_pairs = Tokenizer(replace(CFG, cjk_bigrams=True))
    batch = with_pairs.encode(["自転車 bike", "ภาษาไทย", "a dog"])
    # 自 転 車 bike + 自転 転車; Thai gets its pairs too; a Latin text is unchanged.
    assert batch.words.tolist()[0] == 6
    assert batch.words.tolist()[1] > len(split_units("ภาษาไทย"))
    assert batch.words.tolist()[2] == 2
    row_of = {}
    for units, row in zip(["自", "転", "車", "bike", "自転", "転車"], batch.index[0][:6], strict=True):
        row_of[units] = row
        assert batch.chars[row, 1] == char_id(units[0], CFG.char_buckets)
    assert len(set(row_of.values())) == 6  # the pairs are distinct words of the batch
