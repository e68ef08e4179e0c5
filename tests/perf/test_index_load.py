"""Loading a saved vector index looks points up one by one only when some of them are marked deleted."""

from __future__ import annotations

import numpy as np
import pytest

from photosearch.core.hnsw_index import HnswIndex


def unit_rows(n: int, dim: int = 16) -> np.ndarray:
    rows = np.random.default_rng(5).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def saved(tmp_path, deleted: list[int]) -> np.ndarray:
    index = HnswIndex(16)
    vectors = unit_rows(50)
    index.add(np.arange(1, 51), vectors)
    index.remove(deleted)
    index.generation, index.catalog_id = 4, "cat"
    index.save(tmp_path)
    return vectors


def test_an_index_without_deleted_points_loads_without_per_point_lookups(tmp_path, monkeypatch):
    vectors = saved(tmp_path, [])

    def per_point(*_args):
        raise AssertionError("per-point lookup on an index with no deleted points")

    monkeypatch.setattr(HnswIndex, "_live_labels", staticmethod(per_point))
    loaded = HnswIndex.load(tmp_path, 16, "cat")
    assert loaded is not None and len(loaded) == 50 and loaded.generation == 4
    assert loaded.search(vectors[9], 1)[0][0] == 10


@pytest.mark.parametrize("deleted", [[1], [3, 17, 50]])
def test_deleted_points_stay_deleted_after_loading(tmp_path, deleted):
    vectors = saved(tmp_path, deleted)
    loaded = HnswIndex.load(tmp_path, 16, "cat")
    assert loaded is not None and len(loaded) == 50 - len(deleted)
    assert not any(label in loaded for label in deleted)
    for label in deleted:
        assert label not in [hit for hit, _ in loaded.search(vectors[label - 1], 5)]
