"""vector_store: the index follows the catalog, also when another process wrote it."""

from __future__ import annotations

import numpy as np

from photosearch.core.catalog import Catalog, NewPhoto
from photosearch.core.hnsw_index import INDEX_FILE
from photosearch.core.vector_store import VectorStore


def _photo(path: str, seed: int) -> NewPhoto:
    vector = np.random.default_rng(seed).standard_normal(8).astype(np.float32)
    return NewPhoto(path, "/p", 1, 1, str(seed), 1.0, False, 4, 3, vector / np.linalg.norm(vector))


def test_catches_up_with_writes_from_another_catalog_connection(tmp_path):
    mine = Catalog(tmp_path / "c.sqlite3")
    store = VectorStore(mine, tmp_path)
    assert len(store.current(8)) == 0
    other = Catalog(tmp_path / "c.sqlite3")  # stands for another process
    ids = other.upsert_photos([_photo("/p/a.jpg", 1), _photo("/p/b.jpg", 2)])
    assert len(store.current(8)) == 2
    other.delete_photos(ids[:1])
    index = store.current(8)
    assert len(index) == 1 and ids[1] in index and store.rebuilds == 1  # only the first, empty build
    mine.close()
    other.close()


def test_saved_index_is_reused_and_a_broken_one_rebuilt(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    catalog.upsert_photos([_photo(f"/p/{i}.jpg", i) for i in range(10)])
    store = VectorStore(catalog, tmp_path)
    store.current(8)
    store.save()
    fresh = VectorStore(catalog, tmp_path)
    assert len(fresh.current(8)) == 10 and fresh.rebuilds == 0
    (tmp_path / INDEX_FILE).write_bytes(b"garbage")
    broken = VectorStore(catalog, tmp_path)
    assert len(broken.current(8)) == 10 and broken.rebuilds == 1
    catalog.close()


def test_an_index_older_than_the_catalog_is_caught_up_not_rebuilt(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    catalog.upsert_photos([_photo("/p/a.jpg", 1)])
    store = VectorStore(catalog, tmp_path)
    store.current(8)
    store.save()
    catalog.upsert_photos([_photo("/p/b.jpg", 2)])
    later = VectorStore(catalog, tmp_path)
    assert len(later.current(8)) == 2 and later.rebuilds == 0
    catalog.close()
