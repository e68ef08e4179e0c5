"""The model's hyper-parameters, stored beside the weights as config.json."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from photosearch.model.tokenizer import TokenizerConfig

FORMAT_VERSION = 1


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild the network before its weights are loaded."""

    joint_dim: int = 256
    # image tower
    image_backbone: str = "efficientnet-lite2"
    image_size: int = 260
    image_hidden: int = 1024  # hidden width of the residual MLP in the image projection; 0 = linear
    # The outputs of the backbone's last N blocks join the head's features (pooled and per region): in the
    # probe of training/RESULTS.md the last two added 3 points of EN R@10 for 560 more input features.
    image_tap_blocks: int = 0
    # text tower: characters -> word vectors
    char_buckets: int = 16384
    char_dim: int = 48
    max_word_chars: int = 20
    max_words: int = 48
    word_kernels: tuple[int, ...] = (2, 3, 4, 5)
    word_channels: int = 128  # per kernel width
    word_dim: int = 256
    ngram_buckets: int = 0  # hashed character n-gram bag added to each word vector; 0 = off
    # The shipped weights use 256: the mean of 128-d rows spans only half of the 256-d joint space, and in the
    # probe of training/RESULTS.md the row width, more than the bucket count, bounded R@1.
    ngram_dim: int = 128
    ngram_sizes: tuple[int, ...] = (3, 4)
    # Adjacent characters of Chinese, Japanese, Thai, ... as extra units (tokenizer.with_bigrams): the word-level
    # features those scripts get no other way, since they are split one unit per character.
    cjk_bigrams: bool = False
    # text tower: word vectors -> text vector
    sentence_encoder: str = "gru"  # "gru" or "mean"
    sentence_hidden: int = 256
    # The mean of all the text's character n-grams (the word tables' rows) projected straight into the joint
    # space beside the word path: a shallow route that learns in a few hundred steps (see training/RESULTS.md).
    sentence_bag: bool = False
    dropout: float = 0.1
    # bookkeeping
    format_version: int = FORMAT_VERSION
    name: str = "photosearch-liwe"
    extra: dict[str, Any] = field(default_factory=dict)  # provenance, training summary

    def tokenizer_config(self) -> TokenizerConfig:
        return TokenizerConfig(
            char_buckets=self.char_buckets,
            max_word_chars=self.max_word_chars,
            max_words=self.max_words,
            ngram_buckets=self.ngram_buckets,
            ngram_sizes=tuple(self.ngram_sizes),
            cjk_bigrams=self.cjk_bigrams,
        )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        version = data.get("format_version", FORMAT_VERSION)
        if version > FORMAT_VERSION:
            raise ValueError(f"model format {version} is newer than this PhotoSearch understands ({FORMAT_VERSION})")
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for key in ("word_kernels", "ngram_sizes"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> ModelConfig:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
