"""Index runs save the vector index every few batches, but never more often than the saves' own cost allows."""

from __future__ import annotations

import pytest

from photosearch.core import indexer
from photosearch.core.library import Library
from tests.conftest import draw_photo


@pytest.fixture()
def library(tmp_path, make_library, monkeypatch):
    for i in range(6):
        draw_photo(tmp_path / "photos" / f"p{i}.png", seed=i, fmt="PNG")
    monkeypatch.setattr(indexer, "BATCH_SIZE", 1)
    monkeypatch.setattr(indexer, "SAVE_EVERY_BATCHES", 1)
    lib = make_library()
    lib.add_folder(tmp_path / "photos")
    saves = []
    original = lib.store.save
    monkeypatch.setattr(lib.store, "save", lambda: (saves.append(1), original())[1])
    return lib, saves


def test_cheap_saves_happen_every_few_batches(library, monkeypatch):
    lib, saves = library
    monkeypatch.setattr(indexer, "SAVE_COST_FACTOR", 0)
    list(lib.index())
    assert lib.last_index_summary["added"] == 6
    assert len(saves) == 6 + 1  # after each of the 6 batches, and once more when the run ends


def test_expensive_saves_are_spaced_out_but_the_run_still_ends_saved(library, monkeypatch, tmp_path, tiny_encoder):
    lib, saves = library
    monkeypatch.setattr(indexer, "SAVE_COST_FACTOR", 1e9)  # any save "costs" more than this run lasts
    list(lib.index())
    assert lib.last_index_summary["added"] == 6
    assert len(saves) == 1 + 1  # the first save, then only the one at the end
    again = Library(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache2", encoder=tiny_encoder)
    try:
        assert len(again.search("anything", k=10)) == 6
        assert again.store.rebuilds == 0
    finally:
        again.close()
