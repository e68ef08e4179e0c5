"""The NumPy text tower gives the torch tower's vectors, for the shipped weights and other configurations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photosearch.model.text_tower import TextTowerUnavailable, load_text_tower

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "model"
TEXTS = ["a dog running on the beach", "zwei Kinder spielen im Schnee", "犬が浜辺を走る", "一只狗在草地上奔跑",
         "🐶", "", "   ", "un homme fait du vélo", "Кошка спит на диване", "قطة سوداء", "बिल्ली", "강아지",
         "x" * 500, " ".join(["word"] * 80), "a", "ok ok ok"]


def _torch_vectors(directory: Path, texts: list[str]) -> np.ndarray:
    from photosearch.model import load_model

    return load_model(directory, device="cpu").encode_texts(texts)


def _save_tiny(directory: Path, **overrides) -> Path:
    import torch

    from photosearch.model import JointModel, ModelConfig, save_model

    torch.manual_seed(1)
    config = dict(joint_dim=32, image_backbone="efficientnet-lite0", image_size=64, image_hidden=0,
                  char_buckets=2048, char_dim=16, word_kernels=(2, 3, 4, 5), word_channels=16, word_dim=32,
                  ngram_buckets=512, ngram_dim=16, sentence_encoder="mean", sentence_bag=True)
    config.update(overrides)
    model = JointModel(ModelConfig(**config)).eval()
    save_model(model, directory, half=True)
    return directory


@pytest.mark.skipif(not (SHIPPED / "model.safetensors").is_file(), reason="no shipped weights")
def test_shipped_weights_give_the_torch_vectors():
    expected = _torch_vectors(SHIPPED, TEXTS)
    got = load_text_tower(SHIPPED).encode_texts(TEXTS)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=2e-4)
    assert not got[TEXTS.index("")].any() and not got[TEXTS.index("   ")].any()


@pytest.mark.parametrize("overrides", [{}, {"cjk_bigrams": True}, {"sentence_bag": False},
                                       {"ngram_buckets": 0, "sentence_bag": False}, {"word_kernels": (3,)}],
                         ids=["default", "bigrams", "no-sentence-bag", "no-ngrams", "one-odd-kernel"])
def test_other_configurations_give_the_torch_vectors(tmp_path, overrides):
    directory = _save_tiny(tmp_path, **overrides)
    got = load_text_tower(directory).encode_texts(TEXTS, batch_size=5)  # several batches
    np.testing.assert_allclose(got, _torch_vectors(directory, TEXTS), atol=2e-4)


def test_a_gru_sentence_encoder_is_refused_with_a_clear_error(tmp_path):
    directory = _save_tiny(tmp_path, sentence_encoder="gru", sentence_hidden=16)
    with pytest.raises(TextTowerUnavailable, match="gru"):
        load_text_tower(directory)


def test_missing_weights_say_where_they_were_looked_for(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"model\.safetensors"):
        load_text_tower(tmp_path)


@pytest.mark.skipif(not (SHIPPED / "model.safetensors").is_file(), reason="no shipped weights")
def test_a_text_query_imports_no_torch():
    code = ("import sys, json; from photosearch.model.text_tower import load_text_tower; "
            f"v = load_text_tower({str(SHIPPED)!r}).encode_texts(['a dog']); "
            "print(json.dumps({'torch': 'torch' in sys.modules, 'norm': float((v * v).sum())}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["torch"] is False
    assert result["norm"] == pytest.approx(1.0, abs=1e-5)
