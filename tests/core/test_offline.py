"""offline folders: known between queries (from index runs, the watcher, status), not looked up per query."""

from __future__ import annotations

import os

import pytest

from photosearch.core import offline as offline_module


@pytest.fixture()
def two_folders(tmp_path, make_library, photo_factory):
    """A library of a 'drive' folder (2 photos) and a 'home' folder (1 photo), indexed."""
    drive = [photo_factory(f"drive/d{i}.jpg", seed=i) for i in range(2)]
    home = [photo_factory("home/h0.jpg", seed=10)]
    library = make_library()
    library.add_folder(tmp_path / "photos" / "drive")
    library.add_folder(tmp_path / "photos" / "home")
    list(library.index())
    return library, drive, home


@pytest.fixture()
def disk_looks(monkeypatch):
    """Count each look at the disk for a library folder (the one test of it, `offline.folder_online`)."""
    looked: list[str] = []
    real = offline_module.folder_online

    def counting(catalog, folder: str) -> bool:
        looked.append(folder)
        return real(catalog, folder)

    monkeypatch.setattr(offline_module, "folder_online", counting)
    return looked


def _paths(library):
    return {r.path for r in library.search("x", k=50)}


def _statements(library, action):
    """The SQL statements this thread's catalog connection runs during `action()`."""
    seen: list[str] = []
    conn = library.catalog._conn()
    conn.set_trace_callback(seen.append)
    try:
        action()
    finally:
        conn.set_trace_callback(None)
    return seen


def test_a_query_neither_stats_the_folders_nor_reads_them_from_the_catalog(two_folders, disk_looks, monkeypatch):
    library, drive, home = two_folders
    monkeypatch.setattr(offline_module, "MAX_AGE_S", 3600.0)  # no re-check by age within this test
    library.search("x")  # the set was filled by the index run; nothing to look at now
    disk_looks.clear()
    statements = _statements(library, lambda: [library.search("x", k=50) for _ in range(5)])
    assert disk_looks == []
    assert not [s for s in statements if "folders" in s]
    # per query: the generation (to catch up with other processes) and the result paths, in one statement
    assert len(statements) == 10 and sum("SELECT id, path FROM photos WHERE id IN" in s for s in statements) == 5
    assert _paths(library) == {str(p) for p in drive + home}


def test_an_index_run_tells_search_which_folders_are_offline(two_folders, disk_looks, monkeypatch, tmp_path):
    library, drive, home = two_folders
    monkeypatch.setattr(offline_module, "MAX_AGE_S", 3600.0)
    os.rename(tmp_path / "photos" / "drive", tmp_path / "unplugged")
    assert _paths(library) == {str(p) for p in drive + home}  # not looked at yet: the set is fresh
    list(library.index())
    assert _paths(library) == {str(p) for p in home}
    disk_looks.clear()
    _paths(library)
    assert disk_looks == [str(tmp_path / "photos" / "drive")]  # only the offline folder: is it back?
    os.rename(tmp_path / "unplugged", tmp_path / "photos" / "drive")
    assert _paths(library) == {str(p) for p in drive + home}  # back at once


def test_without_a_watcher_a_query_looks_again_once_the_set_is_old(two_folders, monkeypatch, tmp_path):
    library, _drive, home = two_folders
    os.rename(tmp_path / "photos" / "drive", tmp_path / "unplugged")
    monkeypatch.setattr(offline_module, "MAX_AGE_S", 0.0)
    assert _paths(library) == {str(p) for p in home}


def test_status_tells_search_too(two_folders, monkeypatch, tmp_path):
    library, _drive, home = two_folders
    monkeypatch.setattr(offline_module, "MAX_AGE_S", 3600.0)
    os.rename(tmp_path / "photos" / "drive", tmp_path / "unplugged")
    assert [f["online"] for f in library.status()["folders"]] == [False, True]
    assert _paths(library) == {str(p) for p in home}


def test_the_offline_photos_are_read_again_only_when_the_catalog_changes(two_folders, monkeypatch, tmp_path,
                                                                         photo_factory):
    library, _drive, home = two_folders
    monkeypatch.setattr(offline_module, "MAX_AGE_S", 3600.0)
    reads = []
    real = library.catalog.ids_under
    monkeypatch.setattr(library.catalog, "ids_under", lambda folders: reads.append(folders) or real(folders))
    os.rename(tmp_path / "photos" / "drive", tmp_path / "unplugged")
    list(library.index())
    for _ in range(4):
        assert _paths(library) == {str(p) for p in home}
    assert len(reads) == 1
    home.append(photo_factory("home/h1.jpg", seed=11))
    list(library.index())  # a new generation: the photos below the offline folder may have changed
    assert _paths(library) == {str(p) for p in home}
    assert len(reads) == 2


def test_the_watcher_tells_search_when_a_folder_goes_away(two_folders, monkeypatch, tmp_path, wait_until):
    library, _drive, home = two_folders
    monkeypatch.setattr(offline_module, "MAX_AGE_S", 3600.0)
    monkeypatch.setattr("photosearch.core.watcher.FOLDER_CHECK_INTERVAL", 0.1)
    library.watch()
    try:
        folder = str(tmp_path / "photos" / "drive")
        os.rename(folder, tmp_path / "unplugged")
        wait_until(lambda: folder in library.offline.folders(), timeout=10)
        assert _paths(library) == {str(p) for p in home}
    finally:
        library.stop_watching()
