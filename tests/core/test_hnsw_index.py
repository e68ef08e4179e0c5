"""vectors: the hnswlib index: search, replace, delete, growth, and files that are checked before loading."""

from __future__ import annotations

import numpy as np

from photosearch.core.hnsw_index import INDEX_FILE, INITIAL_CAPACITY, HnswIndex


def _unit(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_each_vector_finds_itself_first_with_cosine_one():
    vectors = _unit(50)
    index = HnswIndex(16)
    index.add(np.arange(100, 150), vectors)
    for i in (0, 17, 49):
        label, score = index.search(vectors[i], 3)[0]
        assert label == 100 + i and abs(score - 1.0) < 1e-4


def test_replace_and_remove():
    vectors = _unit(3)
    index = HnswIndex(16)
    index.add([1, 2, 3], vectors)
    index.add([1], vectors[2:3])  # photo 1 changed: it now looks like photo 3
    assert {label for label, _ in index.search(vectors[2], 2)} == {1, 3}
    index.remove([3, 42])  # 42 was never there: ignored
    assert len(index) == 2 and [label for label, _ in index.search(vectors[2], 5)] == [1, 2]
    index.add([3], vectors[2:3])  # a deleted label can come back
    assert len(index) == 3


def test_index_grows_past_its_initial_capacity():
    index = HnswIndex(16)
    vectors = _unit(INITIAL_CAPACITY + 10, seed=1)
    for lo in range(0, len(vectors), 300):
        index.add(np.arange(lo, min(lo + 300, len(vectors))), vectors[lo:lo + 300])
    assert len(index) == len(vectors)
    assert index.search(vectors[-1], 1)[0][0] == len(vectors) - 1


def test_k_larger_than_the_index_and_empty_index():
    index = HnswIndex(16)
    assert index.search(_unit(1)[0], 5) == []
    index.add([7], _unit(1))
    assert [label for label, _ in index.search(_unit(1)[0], 5)] == [7]


def test_save_and_load_round_trip(tmp_path):
    index = HnswIndex(16)
    vectors = _unit(20)
    index.add(np.arange(20), vectors)
    index.remove([5])
    index.generation, index.catalog_id = 9, "cat"
    index.save(tmp_path)
    loaded = HnswIndex.load(tmp_path, 16, "cat")
    assert loaded is not None and loaded.generation == 9 and len(loaded) == 19 and 5 not in loaded
    assert loaded.search(vectors[3], 1)[0][0] == 3


def test_truncated_or_foreign_files_are_not_loaded(tmp_path):
    index = HnswIndex(16)
    index.add(np.arange(20), _unit(20))
    index.catalog_id = "cat"
    index.save(tmp_path)
    assert HnswIndex.load(tmp_path, 16, "another catalog") is None
    assert HnswIndex.load(tmp_path, 32, "cat") is None
    data = (tmp_path / INDEX_FILE).read_bytes()
    (tmp_path / INDEX_FILE).write_bytes(data[: len(data) // 2])
    assert HnswIndex.load(tmp_path, 16, "cat") is None
    (tmp_path / INDEX_FILE).unlink()
    assert HnswIndex.load(tmp_path, 16, "cat") is None


def test_exact_fallback_matches_the_graph_search():
    index = HnswIndex(16)
    vectors = _unit(30)
    index.add(np.arange(30), vectors)
    graph = index.search(vectors[4], 5)
    exact = index._exact_search(vectors[4], 5)
    assert [label for label, _ in graph] == [label for label, _ in exact]


def test_only_the_allowed_labels_come_back_nearest_first_and_hidden_ones_never():
    vectors = _unit(400, seed=3)
    index = HnswIndex(16)
    index.add(np.arange(400), vectors)
    allowed = frozenset(range(0, 400, 7))
    query = vectors[10]
    exact = sorted(allowed - {14}, key=lambda label: -float(vectors[label] @ query))[:5]
    got = index.search(query, 5, hidden=frozenset({14}), only=allowed)
    assert [label for label, _ in got] == exact
    assert index.search(query, 5, only=frozenset()) == []
    assert len(index.search(query, 500, only=frozenset({1, 2, 999}))) == 2  # 999 is not in the index
