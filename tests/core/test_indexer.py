"""indexer: stopping early keeps the work, folders nest without duplicates, offline folders keep their photos."""

from __future__ import annotations

import functools
import itertools
import os
import threading

import pytest

from photosearch.core import indexer
from photosearch.core.progress_rate import RateWindow


@pytest.fixture()
def small_batches(monkeypatch):
    monkeypatch.setattr(indexer, "BATCH_SIZE", 4)


def _consistent(library) -> bool:
    index = library.store.current(library.ensure_model().dim)
    return len(index) == library.photo_count()


def test_closing_the_generator_keeps_what_was_embedded_and_the_next_run_resumes(
        tmp_path, make_library, counting_encoder, photo_factory, small_batches):
    for i in range(20):
        photo_factory(f"p{i:02d}.jpg", seed=i)
    library = make_library(encoder=counting_encoder)
    library.add_folder(tmp_path / "photos")
    run = library.index()
    embedding = list(itertools.islice((e for e in run if e.phase == "embedding" and e.done), 2))
    assert embedding[-1].done == 8 and embedding[-1].total == 20
    run.close()  # what the GUI does when the user cancels
    assert library.photo_count() == 8 and _consistent(library)
    assert library.last_index_summary["added"] == 8

    counting_encoder.images_embedded = 0
    list(library.index())
    assert library.last_index_summary["added"] == 12 and library.last_index_summary["unchanged"] == 8
    assert counting_encoder.images_embedded == 12 and _consistent(library)


def test_cancel_event_stops_between_batches(tmp_path, make_library, photo_factory, small_batches):
    for i in range(12):
        photo_factory(f"p{i:02d}.jpg", seed=i)
    library = make_library()
    library.add_folder(tmp_path / "photos")
    cancel = threading.Event()
    for event in library.index(cancel):
        if event.phase == "embedding" and event.done:
            cancel.set()
    assert library.photo_count() == 4 and _consistent(library)


def test_photos_of_a_run_are_searchable_batch_by_batch_before_it_ends(tmp_path, make_library, photo_factory,
                                                                     small_batches):
    for i in range(12):
        photo_factory(f"p{i:02d}.jpg", seed=i)
    library = make_library()
    library.add_folder(tmp_path / "photos")
    run = library.index()
    next(e for e in run if e.phase == "embedding" and e.done == 4)
    assert len(library.search("a photo", k=50)) == 4
    next(e for e in run if e.phase == "embedding" and e.done == 8)
    assert len(library.search("a photo", k=50)) == 8
    run.close()


class _FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class _TimedEncoder:
    """An encoder whose every batch takes `seconds` on the fake clock."""

    def __init__(self, inner, clock: _FakeClock, seconds: float) -> None:
        self._inner, self._clock, self._seconds = inner, clock, seconds

    def encode_arrays(self, arrays):
        self._clock.now += self._seconds
        return self._inner.encode_arrays(arrays)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


def test_the_rate_is_estimating_at_first_and_leaves_out_the_time_held_at_a_pause(
        tmp_path, make_library, tiny_encoder, photo_factory, small_batches, monkeypatch):
    clock = _FakeClock()
    monkeypatch.setattr(indexer, "RateWindow", functools.partial(RateWindow, clock))
    for i in range(24):
        photo_factory(f"p{i:02d}.jpg", seed=i)
    library = make_library(encoder=_TimedEncoder(tiny_encoder, clock, 1.0))  # 4 photos a second
    library.add_folder(tmp_path / "photos")
    run = (e for e in library.index() if e.phase == "embedding" and e.done)
    first = next(run)
    assert first.rate is None and first.eta_seconds is None  # "estimating…": the first batch is only a baseline
    next(run)
    third = next(run)
    assert third.rate == pytest.approx(4.0) and third.eta_seconds == pytest.approx((24 - 12) / 4.0)
    clock.now += 600.0  # the run held at its yield for ten minutes: the window's Pause
    after = next(run)
    assert after.rate == pytest.approx(4.0) and after.eta_seconds == pytest.approx((24 - 16) / 4.0)
    run.close()


def test_nested_and_repeated_folders_do_not_duplicate_photos(tmp_path, make_library, photo_factory):
    photo_factory("a.jpg")
    photo_factory("inner/b.jpg")
    library = make_library()
    outer = library.add_folder(tmp_path / "photos")
    assert library.add_folder(tmp_path / "photos" / ".." / "photos") == outer
    inner = library.add_folder(tmp_path / "photos" / "inner")
    assert library.folders() == [outer, inner]
    list(library.index())
    assert library.photo_count() == 2 and len(library.search("x", k=10)) == 2
    assert {s.path: s.photos for s in library.folder_stats()} == {outer: 2, inner: 1}
    library.remove_folder(outer)  # the inner folder still holds b.jpg
    assert [r.path for r in library.search("x", k=10)] == [str(tmp_path / "photos" / "inner" / "b.jpg")]
    library.remove_folder(inner)
    assert library.photo_count() == 0 and library.search("x") == []


def test_an_offline_folder_keeps_its_photos(tmp_path, make_library, photo_factory):
    photo_factory("a.jpg")
    library = make_library()
    folder = library.add_folder(tmp_path / "photos")
    list(library.index())
    os.rename(tmp_path / "photos", tmp_path / "unplugged")
    list(library.index())
    assert library.last_index_summary["removed"] == 0 and library.photo_count() == 1
    assert [(s.path, s.online) for s in library.folder_stats()] == [(folder, False)]


def test_a_photo_that_becomes_unreadable_leaves_the_index_and_is_listed_as_skipped(tmp_path, make_library,
                                                                                   photo_factory):
    good, broken = photo_factory("good.jpg"), photo_factory("broken.jpg")
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    broken.write_bytes(b"garbage now")
    list(library.index())
    assert library.last_index_summary["removed"] == 1
    assert [r.path for r in library.search("x")] == [str(good)]
    assert [s["path"] for s in library.skipped_files()] == [str(broken)]
    list(library.index())  # unchanged since it failed: not tried again, still reported
    assert [s["path"] for s in library.last_index_summary["skipped"]] == [str(broken)]


def test_a_changed_model_embeds_everything_again(tmp_path, make_library, photo_factory, other_encoder):
    photo_factory("a.jpg")
    photo_factory("b.jpg")
    first = make_library()
    first.add_folder(tmp_path / "photos")
    list(first.index())
    first.close()
    second = make_library(encoder=other_encoder)  # other weights, same dimension
    list(second.index())
    assert second.last_index_summary["updated"] == 2 and second.photo_count() == 2


def test_indexing_and_searching_from_different_threads(tmp_path, make_library, photo_factory, small_batches):
    for i in range(16):
        photo_factory(f"p{i:02d}.jpg", seed=i)
    library = make_library()
    library.add_folder(tmp_path / "photos")
    errors, searches = [], 0
    worker = threading.Thread(target=lambda: list(library.index()))
    worker.start()
    while worker.is_alive() or searches == 0:
        try:
            results = library.search("a red circle", k=5)
            assert all(r.path.endswith(".jpg") for r in results)
            library.thumbnail(tmp_path / "photos" / "p00.jpg", 32)
        except Exception as error:  # collected and reported below
            errors.append(error)
        searches += 1
    worker.join()
    assert not errors and library.photo_count() == 16 and _consistent(library)


def test_removing_a_folder_during_a_run_does_not_wait_and_its_photos_stay_out(tmp_path, make_library,
                                                                             photo_factory, small_batches):
    for i in range(8):
        photo_factory(f"a/p{i}.jpg", seed=i)
        photo_factory(f"b/p{i}.jpg", seed=100 + i)
    library = make_library()
    folder_a = library.add_folder(tmp_path / "photos" / "a")
    library.add_folder(tmp_path / "photos" / "b")
    run = library.index()
    next(e for e in run if e.phase == "embedding" and e.done)  # the run holds its lock between batches
    library.remove_folder(folder_a)
    list(run)
    assert all("/b/" in r.path for r in library.search("x", k=50))
    assert library.photo_count() == len(library.search("x", k=50)) and _consistent(library)
