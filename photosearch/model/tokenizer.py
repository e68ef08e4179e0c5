"""Splits text in any script into word units and maps their characters to hashed ids; no vocabulary file.

Words are runs of letters, digits and marks. Scripts written without spaces (Chinese, Japanese,
Thai, ...) are split into one unit per character, and so are emoji and other symbols, so every
query yields units the character-level word encoder can read. With `cjk_bigrams`, each pair of
adjacent characters of such a script is a unit too: 自転車 reads as 自, 転, 車, 自転, 転車, which gives
those scripts the word-level features that spaces give the others.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PAD, BOW, EOW = 0, 1, 2
_RESERVED = 3
# Code points below this get their own id (Latin, Greek, Cyrillic, ...); the rest are hashed.
_DIRECT = 0x0500

# Scripts written without spaces between words: each character becomes its own unit.
_UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u2e80-\u2fdf"  # CJK radicals
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3100-\u312f\u31a0-\u31ff"  # Bopomofo, Katakana extensions
    "\u3400-\u4dbf\u4e00-\u9fff"  # CJK ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # CJK extensions B-G
)
_UNSPACED_CHAR = re.compile(rf"[{_UNSPACED}]")
_UNIT = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+|[^\w\s]", re.UNICODE)
_IGNORED_SYMBOLS = set(".,;:!?\"'`()[]{}<>/\\|_*&^%$#@~=«»„“”‘’‚‹›…·-–—")


def normalize(text: str) -> str:
    """Unicode NFKC plus case folding, so full-width, ligature and case variants read the same."""
    # Lone surrogates cannot be encoded anywhere; drop them instead of failing later.
    text = text.encode("utf-8", "ignore").decode("utf-8")
    return unicodedata.normalize("NFKC", text).casefold()


def split_units(text: str) -> list[str]:
    """Split text into word units (see the module docstring); punctuation is dropped."""
    units: list[str] = []
    for unit in _UNIT.findall(normalize(text)):
        category = unicodedata.category(unit[0])
        if len(unit) == 1 and category[0] == "M" and units:
            units[-1] += unit  # a Thai or Khmer vowel sign belongs to the character before it
        elif len(unit) == 1 and (unit in _IGNORED_SYMBOLS or category[0] in "PCZ"):
            continue
        else:
            units.append(unit)
    return units


def with_bigrams(units: list[str]) -> list[str]:
    """The units plus one unit for each two adjacent characters of a script written without spaces."""
    pairs = [a + b for a, b in itertools.pairwise(units)
             if len(a) == 1 and len(b) == 1 and _UNSPACED_CHAR.match(a) and _UNSPACED_CHAR.match(b)]
    return units + pairs


def char_id(char: str, buckets: int, salt: int = 0) -> int:
    """The id of one character: direct for small code points, a multiplicative hash for the rest."""
    cp = ord(char)
    if cp < _DIRECT and salt == 0:
        return cp + _RESERVED
    base = _RESERVED + (_DIRECT if salt == 0 else 0)
    return base + ((cp * (2654435761 + 40503 * salt)) & 0xFFFFFFFF) % (buckets - base)


def _ngram_id(gram: str, buckets: int) -> int:
    # FNV-1a over the code points: stable across runs and platforms (Python's hash() is salted).
    h = 2166136261
    for c in gram:
        h = ((h ^ ord(c)) * 16777619) & 0xFFFFFFFF
    return 1 + h % (buckets - 1)  # 0 is padding


@dataclass(frozen=True)
class TokenizerConfig:
    """What the tokenizer needs from the model configuration."""

    char_buckets: int
    max_word_chars: int
    max_words: int
    ngram_buckets: int = 0
    ngram_sizes: tuple[int, ...] = (3, 4)
    cjk_bigrams: bool = False


@dataclass
class TokenBatch:
    """A batch of texts as a table of its distinct words plus, per text, indices into that table.

    Captions repeat the same few hundred words, so the character network reads each distinct
    word once per batch instead of once per occurrence (and never reads padding slots).
    """

    chars: np.ndarray  # (U, C) int64: primary hashed character ids of each distinct word; row 0 is the empty word
    chars_alt: np.ndarray  # (U, C) int64: a second hash, so two characters rarely share both ids
    ngrams: np.ndarray  # (U, G) int64: hashed character n-grams of each distinct word (G may be 0)
    index: np.ndarray  # (N, W) int64: row of `chars` for each word of each text; 0 pads
    words: np.ndarray  # (N,) int64: number of units per text (0 for an empty text)


class Tokenizer:
    """Maps texts to `TokenBatch`es; stateless apart from its configuration."""

    def __init__(self, config: TokenizerConfig) -> None:
        self.config = config

    def word_ids(self, word: str) -> tuple[list[int], list[int], list[int]]:
        cfg = self.config
        # Keep the start and end of over-long words: endings carry inflection, starts the stem.
        if len(word) > cfg.max_word_chars - 2:
            half = (cfg.max_word_chars - 2) // 2
            word = word[:half] + word[-(cfg.max_word_chars - 2 - half):]
        chars = [BOW] + [char_id(c, cfg.char_buckets) for c in word] + [EOW]
        alt = [BOW] + [char_id(c, cfg.char_buckets, salt=1) for c in word] + [EOW]
        grams: list[int] = []
        if cfg.ngram_buckets:
            marked = f"<{word}>"
            grams.append(_ngram_id(marked, cfg.ngram_buckets))
            for n in cfg.ngram_sizes:
                grams.extend(_ngram_id(marked[i:i + n], cfg.ngram_buckets) for i in range(len(marked) - n + 1))
        return chars, alt, grams

    def encode(self, texts: Sequence[str]) -> TokenBatch:
        cfg = self.config
        per_text = [split_units(t)[: cfg.max_words] for t in texts]
        if cfg.cjk_bigrams:
            # The bigrams come after the words, so truncation keeps every character of a long text first.
            per_text = [with_bigrams(units)[: 2 * cfg.max_words] for units in per_text]
        table: dict[str, int] = {}
        for units in per_text:
            for unit in units:
                if unit not in table:
                    table[unit] = len(table) + 1  # row 0 is the empty padding word
        ids = [self.word_ids(w) for w in table]
        n_words = max((len(u) for u in per_text), default=0) or 1
        n_chars = max((len(c) for c, _, _ in ids), default=2)
        n_grams = max((len(g) for _, _, g in ids), default=0)
        chars = np.zeros((len(ids) + 1, n_chars), dtype=np.int64)
        alt = np.zeros_like(chars)
        grams = np.zeros((len(ids) + 1, n_grams), dtype=np.int64)
        for row, (c, a, g) in enumerate(ids, start=1):
            chars[row, : len(c)] = c
            alt[row, : len(a)] = a
            grams[row, : len(g)] = g
        index = np.zeros((len(texts), n_words), dtype=np.int64)
        lengths = np.zeros(len(texts), dtype=np.int64)
        for i, units in enumerate(per_text):
            lengths[i] = len(units)
            index[i, : len(units)] = [table[u] for u in units]
        return TokenBatch(chars=chars, chars_alt=alt, ngrams=grams, index=index, words=lengths)
