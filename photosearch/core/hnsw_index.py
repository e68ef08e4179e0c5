"""The HNSW index: an hnswlib inner-product index over the catalog's vectors, a cache that can always be rebuilt."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hnswlib
import numpy as np

from photosearch.core import atomicfile
from photosearch.filedigest import blake2b_files

INDEX_FILE = "vectors.hnsw"
STAMP_FILE = "vectors.json"
# Graph quality: M=16 / ef_construction=200 keeps recall@10 above 0.99 at our sizes for a few MB of links.
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 200
# Search breadth. Library-like queries need little (recall@10 1.00 at ef=100), but a text query sits outside the
# cone the photo vectors fill, the hard case for a graph index: at 100k photos its recall@10 was 0.79 at ef=100,
# 0.92 at 200, 0.97 at 400 (benchmarks/search.py), for about 1 ms more CPU per query (0.5 -> 1.6 ms, loaded).
MIN_EF = 400
INITIAL_CAPACITY = 1024

log = logging.getLogger(__name__)


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """The rows scaled to unit length (a zero row stays zero), as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    scaled: np.ndarray = vectors / np.maximum(norms, 1e-12)
    return scaled


class HnswIndex:
    """hnswlib cosine search (inner product on L2-normalised rows); labels are catalog row ids.

    hnswlib's add_items and knn_query must not run at the same time, so every call holds one lock.
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.lock = threading.RLock()
        self.generation = -1  # the catalog generation this index reflects
        self.catalog_id = ""
        self._labels: set[int] = set()
        self._new_index(INITIAL_CAPACITY)

    def _new_index(self, capacity: int) -> None:
        self._index = hnswlib.Index(space="ip", dim=self.dim)
        self._index.init_index(max_elements=capacity, ef_construction=HNSW_EF_CONSTRUCTION, M=HNSW_M)
        self._index.set_ef(MIN_EF)
        self._labels = set()

    def __len__(self) -> int:
        return len(self._labels)

    def __contains__(self, label: int) -> bool:
        return label in self._labels

    def add(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        """Add or replace vectors (a label already present gets its new vector)."""
        if len(ids) == 0:
            return
        ids = np.asarray(ids, dtype=np.int64)
        vectors = normalise_rows(np.asarray(vectors, dtype=np.float32).reshape(len(ids), self.dim))
        with self.lock:
            needed = self._index.element_count + len(ids)
            if needed > self._index.get_max_elements():
                # Doubling keeps the number of (slow) resizes logarithmic in the library size.
                self._index.resize_index(max(needed, 2 * self._index.get_max_elements()))
            self._index.add_items(vectors, ids)
            self._labels.update(int(i) for i in ids)

    def remove(self, ids: Sequence[int]) -> None:
        with self.lock:
            for label in ids:
                label = int(label)
                if label in self._labels:
                    self._index.mark_deleted(label)
                    self._labels.discard(label)

    def search(self, vector: np.ndarray, k: int, hidden: frozenset[int] = frozenset(),
               only: frozenset[int] | None = None) -> list[tuple[int, float]]:
        """The k nearest labels with cosine similarity, best first, leaving out the `hidden` labels and, when
        `only` is given, every label not in it (a search filter that lets most of the library through)."""
        query = normalise_rows(np.asarray(vector, dtype=np.float32).reshape(1, self.dim))
        if only is not None:
            allowed = only - hidden if hidden else only
            with self.lock:
                k = min(k, len(allowed))
                if k <= 0:
                    return []
                self._index.set_ef(max(MIN_EF, 2 * k))
                try:
                    labels, distances = self._index.knn_query(query, k=k, filter=allowed.__contains__)
                except RuntimeError:
                    return self._exact_search(query[0], k, frozenset(self._labels - allowed))
            return [(int(label), float(1.0 - dist)) for label, dist in zip(labels[0], distances[0], strict=True)
                    if np.isfinite(dist)]
        with self.lock:
            visible = len(self._labels) - len(hidden)  # at least this many: some hidden ids may not be here
            if visible < k:  # only then count exactly: the intersection is a lookup per hidden id
                visible = len(self._labels) - len(hidden & self._labels) if hidden else len(self._labels)
            k = min(k, visible)
            if k <= 0:
                return []
            self._index.set_ef(max(MIN_EF, 2 * k))
            try:
                if hidden:
                    labels, distances = self._index.knn_query(query, k=k, filter=lambda label: label not in hidden)
                else:
                    labels, distances = self._index.knn_query(query, k=k)
            except RuntimeError:
                # Many deleted points can leave fewer than k reachable; an exact scan of the live vectors answers.
                return self._exact_search(query[0], k, hidden)
        # hnswlib's "ip" distance is 1 - dot product. A non-finite one means a damaged vector: never a result.
        return [(int(label), float(1.0 - dist)) for label, dist in zip(labels[0], distances[0], strict=True)
                if np.isfinite(dist)]

    def _exact_search(self, query: np.ndarray, k: int, hidden: frozenset[int] = frozenset()) -> list[tuple[int, float]]:
        labels = np.fromiter(self._labels - hidden, dtype=np.int64)
        scores = np.asarray(self._index.get_items(labels), dtype=np.float32) @ query
        order = np.argsort(-scores)[:k]
        return [(int(labels[i]), float(scores[i])) for i in order]

    def vectors_of(self, ids: Sequence[int]) -> np.ndarray:
        with self.lock:
            present = [int(i) for i in ids if int(i) in self._labels]
            if not present:
                return np.zeros((0, self.dim), dtype=np.float32)
            return np.asarray(self._index.get_items(present), dtype=np.float32)

    def sample_labels(self, n: int, rng: np.random.Generator) -> list[int]:
        with self.lock:
            labels = list(self._labels)
        if len(labels) <= n:
            return labels
        return [labels[i] for i in rng.choice(len(labels), size=n, replace=False)]

    def rebuild(self, ids: np.ndarray, vectors: np.ndarray, generation: int, catalog_id: str) -> None:
        with self.lock:
            self._new_index(max(INITIAL_CAPACITY, int(len(ids) * 1.25)))
            if len(ids):
                self.add(ids, vectors)
            self.generation = generation
            self.catalog_id = catalog_id

    def wasted_fraction(self) -> float:
        """How much of the graph is deleted points (worth a rebuild when it is most of it)."""
        with self.lock:
            total = self._index.element_count
            return 0.0 if total == 0 else 1.0 - len(self._labels) / total

    # files

    def save(self, folder: Path) -> None:
        """Write the index, then a stamp naming its generation, catalog and checksum (each atomically)."""
        with self.lock:
            index_path = folder / INDEX_FILE
            atomicfile.write_with(index_path, self._index.save_index)
            stamp = {"generation": self.generation, "catalog_id": self.catalog_id, "dim": self.dim,
                     "count": len(self._labels), "digest": blake2b_files([index_path])}
        atomicfile.write_text(folder / STAMP_FILE, json.dumps(stamp))

    @classmethod
    def load(cls, folder: Path, dim: int, catalog_id: str) -> HnswIndex | None:
        """The saved index, or None when it is missing, corrupt, for another catalog or another dimension.

        The checksum is checked before hnswlib reads the file: hnswlib trusts its input, and a truncated file
        must become a rebuild, not a crash.
        """
        index_path, stamp_path = folder / INDEX_FILE, folder / STAMP_FILE
        try:
            stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
            if not isinstance(stamp, dict):  # valid JSON of another shape ([], null, 3) is as damaged as garbage
                log.info("vector index stamp %s is not an object; the index will be rebuilt", stamp_path)
                return None
            if stamp.get("dim") != dim or stamp.get("catalog_id") != catalog_id:
                return None
            if blake2b_files([index_path]) != stamp.get("digest"):
                log.info("vector index %s does not match its stamp; it will be rebuilt", index_path)
                return None
            loaded = cls(dim)
            loaded._index = hnswlib.Index(space="ip", dim=dim)
            loaded._index.load_index(str(index_path), max_elements=0)
            loaded._index.set_ef(MIN_EF)  # ef is not stored in the file
            loaded._labels = {int(i) for i in loaded._index.get_ids_list()}
            if len(loaded._labels) != stamp.get("count"):
                # The list includes points marked deleted; finding those is one lookup per point (about 1 s per
                # 100k photos), so it is done only when the stamp's count of live points says there are some.
                loaded._labels = cls._live_labels(loaded._index, loaded._labels)
            if len(loaded._labels) != stamp.get("count"):
                return None
            loaded.generation = int(stamp["generation"])
            loaded.catalog_id = catalog_id
            return loaded
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
            log.info("vector index in %s unusable (%s); it will be rebuilt", folder, error)
            return None

    @staticmethod
    def _live_labels(index: hnswlib.Index, labels: set[int]) -> set[int]:
        # get_ids_list includes points marked deleted; get_items refuses exactly those.
        live = set()
        for label in labels:
            with contextlib.suppress(RuntimeError):
                index.get_items([label])
                live.add(label)
        return live

    @staticmethod
    def read_stamp(folder: Path) -> dict[str, Any] | None:
        """The stamp as a dict, or None when it is missing or damaged (valid JSON of another shape included)."""
        try:
            stamp = json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return stamp if isinstance(stamp, dict) else None

    @classmethod
    def saved_photos_of_other_catalog(cls, folder: Path, catalog_id: str) -> bool:
        """Whether the saved index holds photos of a catalog other than `catalog_id` (or cannot tell whose)."""
        if not (folder / INDEX_FILE).exists():
            return False
        stamp = cls.read_stamp(folder)
        if stamp is None:
            return True
        return stamp.get("catalog_id") != catalog_id and stamp.get("count") != 0

    @staticmethod
    def remove_files(folder: Path) -> None:
        for name in (INDEX_FILE, STAMP_FILE):
            with contextlib.suppress(FileNotFoundError):
                os.remove(folder / name)
