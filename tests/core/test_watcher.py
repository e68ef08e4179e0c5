"""watcher: real file events reach the library (and another library on the same data dir) within seconds."""

from __future__ import annotations

import os

import pytest
from watchdog.events import FileClosedNoWriteEvent, FileCreatedEvent, FileMovedEvent, FileOpenedEvent

from photosearch.core import watcher as watcher_module


def _paths(library, k=50):
    return {r.path for r in library.search("photo", k=k)}


@pytest.fixture()
def watched(tmp_path, make_library, photo_factory):
    photo_factory("a.jpg", seed=1)
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    changes = []
    library.watch(on_change=lambda: changes.append(library.photo_count()))
    yield library, changes
    library.stop_watching()


def test_added_changed_moved_and_deleted_photos_are_followed(watched, tmp_path, photo_factory, wait_until):
    library, changes = watched
    folder = tmp_path / "photos"
    added = photo_factory("sub/new.jpg", seed=2)
    wait_until(lambda: str(added) in _paths(library), timeout=5)
    assert changes  # the callback ran after the batch

    before = library.catalog.photos_under([str(folder)])[str(added)]
    photo_factory("sub/new.jpg", seed=3, size=(90, 90))
    wait_until(lambda: library.catalog.photos_under([str(folder)])[str(added)].size != before.size)

    moved = folder / "renamed.jpg"
    os.rename(added, moved)
    wait_until(lambda: _paths(library) == {str(folder / "a.jpg"), str(moved)})
    assert library.catalog.photos_under([str(folder)])[str(moved)].id == before.id  # same row, same vector

    (folder / "a.jpg").unlink()
    wait_until(lambda: _paths(library) == {str(moved)})
    assert library.photo_count() == 1


def test_a_second_library_on_the_same_data_dir_sees_the_changes(watched, tmp_path, make_library, photo_factory,
                                                                wait_until):
    other = make_library()  # another process would open the same files the same way
    assert _paths(other) == {str(tmp_path / "photos" / "a.jpg")}
    added = photo_factory("b.jpg", seed=5)
    wait_until(lambda: str(added) in _paths(other), timeout=5)


def test_a_renamed_folder_moves_all_its_photos(watched, tmp_path, photo_factory, wait_until):
    library, _ = watched
    photo_factory("trip/x.jpg", seed=7)
    photo_factory("trip/y.jpg", seed=8)
    wait_until(lambda: library.photo_count() == 3)
    embedded = library.indexer.embedded
    os.rename(tmp_path / "photos" / "trip", tmp_path / "photos" / "holiday")
    wait_until(lambda: {os.path.basename(os.path.dirname(p)) for p in _paths(library)} == {"photos", "holiday"})
    assert library.indexer.embedded == embedded


def test_polling_is_used_when_asked_and_follows_changes(tmp_path, make_library, photo_factory, wait_until):
    (tmp_path / "photos").mkdir()
    library = make_library()
    folder = library.add_folder(tmp_path / "photos")
    library.watch(force_polling=True)
    assert library.watcher.watch_kinds() == {folder: "polling"}
    added = photo_factory("p.jpg", seed=4)
    wait_until(lambda: str(added) in _paths(library), timeout=6)
    library.stop_watching()


def test_falls_back_to_polling_when_native_watching_fails(tmp_path, make_library, monkeypatch):
    class Exhausted(watcher_module.Observer):
        def schedule(self, *args, **kwargs):
            raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watcher_module, "Observer", Exhausted)
    (tmp_path / "photos").mkdir()
    library = make_library()
    folder = library.add_folder(tmp_path / "photos")
    library.watch()
    assert library.watcher.watch_kinds() == {folder: "polling"}
    library.stop_watching()


def test_network_file_systems_are_polled(monkeypatch):
    monkeypatch.setattr(watcher_module, "mount_type", lambda path: "nfs4")
    assert watcher_module.needs_polling("/mnt/nas/photos")
    monkeypatch.setattr(watcher_module, "mount_type", lambda path: "ext4")
    assert not watcher_module.needs_polling("/home/me/Pictures")


def test_mount_type_of_the_root_is_known_on_linux():
    if not os.path.exists("/proc/mounts"):
        pytest.skip("no /proc/mounts here")
    assert watcher_module.mount_type("/") is not None


def test_the_event_handler_only_queues_changes():
    import queue

    changes = queue.Queue()
    handler = watcher_module._Enqueue(changes)
    handler.dispatch(FileOpenedEvent("/p/a.jpg"))  # our own indexer reading a photo
    handler.dispatch(FileClosedNoWriteEvent("/p/a.jpg"))
    assert changes.empty()
    handler.dispatch(FileCreatedEvent("/p/b.jpg"))
    handler.dispatch(FileMovedEvent("/p/c.jpg", "/p/d.jpg"))
    assert [changes.get_nowait() for _ in range(3)] == ["/p/b.jpg", "/p/c.jpg", "/p/d.jpg"]


def test_folders_added_while_watching_are_watched(tmp_path, make_library, photo_factory, wait_until):
    library = make_library()
    library.add_folder(tmp_path)  # an empty library folder first
    (tmp_path / "later").mkdir()
    library.watch()
    later = library.add_folder(tmp_path / "later")
    assert later not in library.watcher.watch_kinds()  # covered by the outer folder's recursive watch
    library.remove_folder(tmp_path)
    assert set(library.watcher.watch_kinds()) == {later}
    added = photo_factory("../later/x.jpg", seed=9)
    wait_until(lambda: str(added.resolve()) in _paths(library))
    library.stop_watching()


def test_the_watcher_needs_only_callbacks_and_retries_a_busy_batch(tmp_path, wait_until):
    from photosearch.core.errors import LibraryBusy

    folder = tmp_path / "plain"
    folder.mkdir()
    applied: list[set[str]] = []
    notices: list[str] = []
    busy_once = [True]

    def apply(paths):
        if busy_once.pop() if busy_once else False:
            raise LibraryBusy("another process is updating this library")  # the batch must come back
        applied.append(set(paths))
        return True

    changes = []
    watcher = watcher_module.Watcher(lambda: [str(folder)], apply, lambda: None, notices.append,
                                     on_change=lambda: changes.append(1), force_polling=True)
    watcher.start()
    try:
        (folder / "new.jpg").write_bytes(b"x")
        wait_until(lambda: any(str(folder / "new.jpg") in batch for batch in applied), timeout=15)
        wait_until(lambda: changes, timeout=5)
        assert watcher.watch_kinds() == {str(folder): "polling"} and watcher.last_error is None
    finally:
        watcher.stop()
