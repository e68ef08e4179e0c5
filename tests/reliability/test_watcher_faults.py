"""Following changes when the file events fail: inotify exhausted, network shares, folders that come and go."""

from __future__ import annotations

import os

import pytest

from photosearch.core import watcher as watcher_module
from tests.conftest import draw_photo


def _paths(library):
    return {r.path for r in library.search("photo", k=50)}


@pytest.fixture()
def fast_checks(monkeypatch):
    monkeypatch.setattr(watcher_module, "POLL_INTERVAL", 0.2)
    monkeypatch.setattr(watcher_module, "FOLDER_CHECK_INTERVAL", 0.2)


def test_inotify_exhausted_falls_back_to_polling_with_a_message(tmp_path, make_library, monkeypatch, wait_until,
                                                                fast_checks):
    class Exhausted(watcher_module.Observer):
        def schedule(self, *args, **kwargs):
            raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watcher_module, "Observer", Exhausted)
    (tmp_path / "photos").mkdir()
    library = make_library()
    folder = library.add_folder(tmp_path / "photos")
    library.watch()
    try:
        assert library.watcher.watch_kinds() == {folder: "polling"}
        (notice,) = library.notices
        assert folder in notice and "inotify watch limit reached" in notice and "checking it every" in notice
        added = draw_photo(tmp_path / "photos" / "new.jpg", seed=1)
        wait_until(lambda: str(added) in _paths(library), timeout=10)
    finally:
        library.stop_watching()


def test_a_network_share_is_polled_with_a_message(tmp_path, make_library, monkeypatch, wait_until, fast_checks):
    monkeypatch.setattr(watcher_module, "mount_type", lambda path: "cifs")
    (tmp_path / "share").mkdir()
    library = make_library()
    folder = library.add_folder(tmp_path / "share")
    library.watch()
    try:
        assert library.watcher.watch_kinds() == {folder: "polling"}
        assert any("network file system (cifs)" in n for n in library.notices)
        added = draw_photo(tmp_path / "share" / "new.jpg", seed=1)
        wait_until(lambda: str(added) in _paths(library), timeout=10)
    finally:
        library.stop_watching()


@pytest.mark.parametrize("polling", [True, False], ids=["polling", "native"])
def test_a_watched_folder_that_vanishes_and_returns_is_followed_again(tmp_path, make_library, wait_until,
                                                                     fast_checks, polling):
    drive = tmp_path / "drive"
    kept = draw_photo(drive / "kept.jpg", seed=1)
    library = make_library()
    folder = library.add_folder(drive)
    list(library.index())
    embedded = library.indexer.embedded
    library.watch(force_polling=polling)
    try:
        os.rename(drive, tmp_path / "unplugged")
        wait_until(lambda: folder not in library.watcher.watch_kinds(), timeout=10)
        assert library.photo_count() == 1 and _paths(library) == set()  # kept, hidden
        draw_photo(tmp_path / "unplugged" / "while-away.jpg", seed=2)  # added on another computer
        os.rename(tmp_path / "unplugged", drive)
        wait_until(lambda: folder in library.watcher.watch_kinds(), timeout=10)
        # what changed while it was away is caught up, and the watch works again
        wait_until(lambda: _paths(library) == {str(kept), str(drive / "while-away.jpg")}, timeout=10)
        later = draw_photo(drive / "later.jpg", seed=3)
        wait_until(lambda: str(later) in _paths(library), timeout=10)
        assert library.indexer.embedded == embedded + 2  # the photo that was kept was not embedded again
        assert library.watcher.last_error is None
    finally:
        library.stop_watching()
