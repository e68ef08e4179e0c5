"""On a CPU the text tower's hashed tables stay float16: half the memory, the same vectors as in float32."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from photosearch.model import load_joint_model, load_model
from photosearch.model.inference import HalfEmbedding, HalfEmbeddingBag, compact_text_tables
from photosearch.model.text_encoder import batch_to_tensors

TEXTS = ["a dog on the beach", "犬が浜辺を走る", "قطة سوداء", "🐶🏖️", "", "Ein Hund am Strand", "x" * 500]


def _table_bytes(model) -> int:
    words = model.text.words
    return sum(t.weight.numel() * t.weight.element_size() for t in (words.chars, words.chars_alt, words.ngrams))


def test_cpu_encoder_keeps_the_tables_in_half_and_its_vectors(tiny_model_dir):
    reference = load_joint_model(tiny_model_dir).eval()  # plain float32, never compacted
    encoder = load_model(tiny_model_dir, device="cpu")
    words = encoder.model.text.words
    assert isinstance(words.ngrams, HalfEmbeddingBag) and isinstance(words.chars, HalfEmbedding)
    assert words.ngrams.weight.dtype == torch.float16
    assert _table_bytes(encoder.model) * 2 == _table_bytes(reference)

    with torch.inference_mode():
        expected = reference.encode_text(batch_to_tensors(encoder.tokenizer.encode(TEXTS))).numpy()
    got = encoder.encode_texts(TEXTS)
    np.testing.assert_allclose(got, expected, atol=1e-3)
    cosines = [float(a @ b) for a, b in zip(got, expected, strict=True) if np.linalg.norm(b) > 0]
    assert min(cosines) > 0.9999
    assert not got[TEXTS.index("")].any()


def test_half_bag_matches_the_float_bag_with_padding_and_empty_bags():
    torch.manual_seed(0)
    bag = nn.EmbeddingBag(50, 8, mode="mean", padding_idx=0)
    bag.weight.data = bag.weight.data.half().float()  # the values a float16 file holds
    ids = torch.tensor([[3, 7, 0, 0], [0, 0, 0, 0], [49, 1, 2, 3]])
    half = HalfEmbeddingBag(bag)
    torch.testing.assert_close(half(ids), bag(ids), atol=2e-3, rtol=2e-3)
    assert not half(ids)[1].any()  # only padding: a zero vector, as EmbeddingBag gives


def test_only_mean_bags_are_compacted():
    with pytest.raises(ValueError, match="mean"):
        HalfEmbeddingBag(nn.EmbeddingBag(10, 4, mode="sum"))


def test_compacting_twice_changes_nothing(tiny_model_dir):
    model = compact_text_tables(load_joint_model(tiny_model_dir))
    table = model.text.words.ngrams
    assert compact_text_tables(model).text.words.ngrams is table
