"""The text tower for inference in NumPy alone: a text query is answered without importing torch.

The network is defined once, in text_encoder.py (torch), and trained there; this module evaluates the same
layers on the same weights for the shipped "mean" sentence encoder. torch costs seconds to import (4-9 s on
a busy two-core machine) against a few milliseconds for a query, so `photosearch search "a dog"` and the
app's first query use this tower while the full model (image tower, ADAPT) loads only for what needs it.
tests/model/test_text_tower.py holds it to the torch tower's vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from photosearch.model.config import ModelConfig
from photosearch.model.tokenizer import PAD, TokenBatch, Tokenizer
from photosearch.model.weights import CONFIG_FILE, WEIGHTS_FILE


class TextTowerUnavailable(RuntimeError):
    """These weights need the torch text tower (a sentence encoder this module does not evaluate)."""


def _relu(x: np.ndarray) -> np.ndarray:
    np.maximum(x, 0.0, out=x)
    return x


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return out


def _mean_rows(table: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Mean of the rows `ids` (B, G) of a float16 table, leaving out id 0 (padding) as EmbeddingBag does.

    The mean is rounded to float16, like the torch tower's float16 bag, then widened again.
    """
    if ids.shape[1] == 0:
        return np.zeros((len(ids), table.shape[1]), dtype=np.float32)
    rows = table[ids].astype(np.float32)
    keep = (ids != 0)[..., None]
    count = keep.sum(axis=1)
    total = (rows * keep).sum(axis=1)
    mean = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
    rounded: np.ndarray = mean.astype(np.float16).astype(np.float32)
    return rounded


class TextTower:
    """Texts in, L2-normalised float32 vectors out, from the weights' `text.*` tensors; thread-safe."""

    def __init__(self, config: ModelConfig, tensors: dict[str, np.ndarray]) -> None:
        if config.sentence_encoder != "mean":
            raise TextTowerUnavailable(f"the {config.sentence_encoder!r} sentence encoder needs torch")
        self.config = config
        self.tokenizer = Tokenizer(config.tokenizer_config())

        def dense(name: str) -> np.ndarray:
            return np.ascontiguousarray(tensors[name], dtype=np.float32)

        # The hashed tables stay float16 (7.9M of the 8.5M parameters; the rows widen when read).
        self._chars = tensors["text.words.chars.weight"]
        self._chars_alt = tensors["text.words.chars_alt.weight"]
        self._convs = []
        for i, kernel in enumerate(config.word_kernels):
            weight = dense(f"text.words.convs.{i}.weight")  # (out, in, k)
            # As one matrix over windows of k characters: row j * in + d is weight[:, d, j].
            flat = np.ascontiguousarray(weight.transpose(2, 1, 0).reshape(kernel * weight.shape[1], -1))
            self._convs.append((kernel, flat, dense(f"text.words.convs.{i}.bias")))
        self._ngrams = tensors.get("text.words.ngrams.weight") if config.ngram_buckets else None
        self._project = (dense("text.words.project.weight").T.copy(), dense("text.words.project.bias"))
        self._gate = (dense("text.words.highway_gate.weight").T.copy(), dense("text.words.highway_gate.bias"))
        self._highway = (dense("text.words.highway.weight").T.copy(), dense("text.words.highway.bias"))
        self._out = (dense("text.project.weight").T.copy(), dense("text.project.bias"))
        self._bag = None
        if config.sentence_bag and self._ngrams is not None:
            self._bag = (dense("text.sentence_bag.weight").T.copy(), dense("text.sentence_bag.bias"))

    @property
    def dim(self) -> int:
        return self.config.joint_dim

    def _words(self, batch: TokenBatch) -> np.ndarray:
        """(U, word_dim) vectors of the batch's distinct words: the WordEncoder's layers."""
        chars = batch.chars
        length = chars.shape[1]
        x = self._chars[chars].astype(np.float32) + self._chars_alt[batch.chars_alt].astype(np.float32)
        pad = (chars == PAD)[..., None]
        pooled = []
        for kernel, weight, bias in self._convs:
            half = kernel // 2
            padded = np.pad(x, ((0, 0), (half, half), (0, 0)))
            # Conv1d with padding k // 2, cut to the input's length as the torch tower does for even k.
            windows = np.concatenate([padded[:, j:j + length] for j in range(kernel)], axis=2)
            h = _relu(windows @ weight + bias)
            h[np.broadcast_to(pad, h.shape)] = 0.0  # ReLU output >= 0, so 0 is a safe fill before the max
            pooled.append(h.max(axis=1))
        parts = [np.concatenate(pooled, axis=1)]
        if self._ngrams is not None:
            parts.append(_mean_rows(self._ngrams, batch.ngrams))
        h = np.concatenate(parts, axis=1) @ self._project[0] + self._project[1]
        gate = _sigmoid(h @ self._gate[0] + self._gate[1])
        words: np.ndarray = gate * _relu(h @ self._highway[0] + self._highway[1]) + (1 - gate) * h
        return words

    def _encode(self, batch: TokenBatch) -> np.ndarray:
        table = self._words(batch)
        words = table[batch.index]  # (N, W, word_dim)
        lengths = batch.words
        mask = (np.arange(words.shape[1])[None, :] < lengths[:, None])[..., None]
        count = np.maximum(mask.sum(axis=1), 1)
        bag = (words * mask).sum(axis=1) / count
        out = np.concatenate([bag, bag], axis=1) @ self._out[0] + self._out[1]
        if self._bag is not None and self._ngrams is not None and batch.ngrams.shape[1]:
            grams = batch.ngrams[batch.index].reshape(len(batch.index), -1)
            out = out + _mean_rows(self._ngrams, grams) @ self._bag[0] + self._bag[1]
        out = out * (lengths > 0)[:, None]  # an empty text has no words: a zero vector matches nothing
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        unit: np.ndarray = (out / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit

    def encode_texts(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        """(len(texts), dim) float32, L2-normalised rows; an empty text gives a zero row."""
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for lo in range(0, len(texts), batch_size):
            vectors = self._encode(self.tokenizer.encode(texts[lo:lo + batch_size]))
            out[lo:lo + len(vectors)] = vectors
        return out


def load_text_tower(directory: str | Path) -> TextTower:
    """The text tower of the weights in `directory` (config.json + model.safetensors), read with safetensors."""
    from safetensors import safe_open

    directory = Path(directory)
    config_path, weights_path = directory / CONFIG_FILE, directory / WEIGHTS_FILE
    if not config_path.is_file() or not weights_path.is_file():
        raise FileNotFoundError(f"no model in {directory}: expected {CONFIG_FILE} and {WEIGHTS_FILE}")
    config = ModelConfig.load(config_path)
    with safe_open(str(weights_path), framework="numpy") as weights:
        tensors = {key: weights.get_tensor(key) for key in weights.keys() if key.startswith("text.")}
    return TextTower(config, tensors)
