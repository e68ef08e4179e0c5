"""The training sampler: one caption per photo, and character noise only where the config asks for it."""

from __future__ import annotations

from difflib import SequenceMatcher

import torch

from training.config import TrainConfig
from training.sampler import ImageCaptionSet, Sampler

CAPTIONS = [
    "a black dog runs through the deep snow next to a wooden fence",
    "two children in red jackets are building a snowman in the park",
    "a woman with a blue umbrella walks along a rainy city street",
    "a brown horse grazes in a green field below the mountains",
]


def _images() -> ImageCaptionSet:
    return ImageCaptionSet(features=torch.zeros((len(CAPTIONS), 2, 1280)),
                           captions=[{"en": [caption]} for caption in CAPTIONS])


def test_without_noise_the_captions_are_untouched():
    texts, feats = Sampler(_images(), {}, TrainConfig(batch_size=4, char_noise=0.0), seed=0).image_batch()
    assert sorted(texts) == sorted(CAPTIONS)
    assert feats.shape == (4, 1280)


def test_char_noise_deletes_or_replaces_some_characters_reproducibly():
    config = TrainConfig(batch_size=4, char_noise=1.0)
    texts, _ = Sampler(_images(), {}, config, seed=0).image_batch()
    again, _ = Sampler(_images(), {}, config, seed=0).image_batch()
    assert texts == again  # the sampler's own RNG: a resumed run draws the same noise
    assert not set(texts) & set(CAPTIONS)
    for text in texts:
        original = max(CAPTIONS, key=lambda c: SequenceMatcher(None, c, text).ratio())
        assert len(text) <= len(original)  # characters are deleted or replaced, never added
        # About 10% of the characters are touched, never the whole caption.
        assert SequenceMatcher(None, original, text).ratio() >= 0.8
