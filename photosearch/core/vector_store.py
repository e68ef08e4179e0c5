"""The vector store: the HNSW index kept in step with the catalog (loaded, caught up, rebuilt when stale, saved)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from photosearch.core.catalog import Catalog
from photosearch.core.hnsw_index import HnswIndex

# Rebuild once deleted points are most of the graph: they still cost memory and search time.
REBUILD_WASTE = 0.5
REBUILD_MIN_POINTS = 1000

log = logging.getLogger(__name__)


class VectorStore:
    """Owns the process's HnswIndex; `current()` returns it caught up with the catalog's generation.

    Another process (a `photosearch watch`, the GUI) may write the catalog at any time; comparing the
    catalog's generation counter with the index's is one cheap query, so every search does it.
    """

    def __init__(self, catalog: Catalog, folder: Path) -> None:
        self.catalog = catalog
        self.folder = folder
        self._lock = threading.RLock()
        self._index: HnswIndex | None = None
        self._saved_generation = -1
        self.rebuilds = 0  # how often the index was rebuilt from the catalog (tests and status read it)

    def current(self, dim: int) -> HnswIndex:
        with self._lock:
            if self._index is None or self._index.dim != dim:
                loaded = HnswIndex.load(self.folder, dim, self.catalog.catalog_id)
                if loaded is None:
                    loaded = self._rebuild(dim)
                else:
                    self._saved_generation = loaded.generation
                self._index = loaded
            self._catch_up(self._index)
            # _catch_up may have rebuilt it: the index to hand out is the one held now
            current: HnswIndex = self._index
            return current

    def _rebuild(self, dim: int) -> HnswIndex:
        ids, vectors, generation = self.catalog.all_vectors()
        index = HnswIndex(dim)
        if len(ids) and vectors.shape[1] != dim:
            log.warning("catalog vectors have dimension %d, the model %d; index left empty", vectors.shape[1], dim)
            ids, vectors = ids[:0], vectors[:0]
        index.rebuild(ids, vectors, generation, self.catalog.catalog_id)
        self._index = index
        self.rebuilds += 1
        log.info("vector index rebuilt from the catalog: %d photos", len(index))
        return index

    def _catch_up(self, index: HnswIndex) -> None:
        generation = self.catalog.generation()
        if generation == index.generation:
            return
        if generation < index.generation or index.catalog_id != self.catalog.catalog_id:
            self._rebuild(index.dim)  # the catalog was replaced or restored: the index describes another one
            return
        ids, vectors, gone, generation = self.catalog.changes_since(index.generation)
        with index.lock:
            index.remove(gone)
            if len(ids):
                if vectors.shape[1] != index.dim:
                    self._rebuild(index.dim)
                    return
                index.add(ids, vectors)
            index.generation = generation
        if len(index) + 1 > REBUILD_MIN_POINTS and index.wasted_fraction() > REBUILD_WASTE:
            self._rebuild(index.dim)

    def save(self) -> None:
        """Write the index to disk when it moved on since the last save (a rebuild-free start next time)."""
        with self._lock:
            if self._index is not None and self._index.generation != self._saved_generation:
                if len(self._index) == 0 and HnswIndex.saved_photos_of_other_catalog(self.folder,
                                                                                       self._index.catalog_id):
                    # A catalog started anew (deleted, emptied) has nothing yet: the old file is all that is left
                    # of the old one, so it stays until this catalog has photos to write in its place.
                    log.info("not replacing the vector index of another catalog with an empty one")
                    return
                self._index.save(self.folder)
                self._saved_generation = self._index.generation

    def forget(self) -> None:
        """Drop the in-memory index and its files (the model changed: the old vectors mean nothing now)."""
        with self._lock:
            self._index = None
            self._saved_generation = -1
            HnswIndex.remove_files(self.folder)
