"""Folders that vanish and return, folders added twice or nested, and files that change while they are read."""

from __future__ import annotations

import os

from photosearch.core import imageio, scanner
from tests.conftest import draw_photo
from tests.reliability.conftest import photos_in_catalog


def test_an_unplugged_folder_is_kept_hidden_from_results_and_returns_without_embedding(
        tmp_path, make_library, counting_encoder):
    drive, home = tmp_path / "drive", tmp_path / "home"
    on_drive = [draw_photo(drive / f"d{i}.jpg", seed=i) for i in range(4)]
    at_home = [draw_photo(home / f"h{i}.jpg", seed=10 + i) for i in range(3)]
    library = make_library(encoder=counting_encoder)
    drive_folder = library.add_folder(drive)
    library.add_folder(home)
    list(library.index())
    assert len(library.search("x", k=50)) == 7

    os.rename(drive, tmp_path / "unplugged")  # the mount point is empty now
    list(library.index())
    assert library.last_index_summary["removed"] == 0 and library.photo_count() == 7  # kept
    assert {r.path for r in library.search("x", k=50)} == {str(p) for p in at_home}  # hidden
    assert library.search_image(at_home[0], k=50, keep_query=True)[0].path == str(at_home[0])
    assert {s.path: (s.photos, s.online) for s in library.folder_stats()}[drive_folder] == (4, False)

    os.rename(tmp_path / "unplugged", drive)  # plugged in again
    counting_encoder.images_embedded = 0
    assert {r.path for r in library.search("x", k=50)} == {str(p) for p in on_drive + at_home}  # back at once
    list(library.index())
    assert library.last_index_summary["unchanged"] == 7 and counting_encoder.images_embedded == 0

    library.remove_folder(drive_folder)  # only an explicit remove forgets
    assert library.photo_count() == 3


def test_a_folder_that_vanishes_during_the_scan_keeps_its_photos(tmp_path, make_library, monkeypatch):
    drive = tmp_path / "drive"
    for i in range(5):
        draw_photo(drive / "sub" / f"d{i}.jpg", seed=i)
    library = make_library()
    library.add_folder(drive)
    list(library.index())
    real_walk = scanner.walk

    def unplugged_mid_scan(folder):
        os.rename(drive, tmp_path / "gone")  # yanked before the scan got to the files
        yield from real_walk(folder)

    monkeypatch.setattr(scanner, "walk", unplugged_mid_scan)
    list(library.index())
    assert library.last_index_summary["removed"] == 0 and library.photo_count() == 5


def test_a_subfolder_that_cannot_be_listed_keeps_its_photos(tmp_path, make_library, monkeypatch):
    draw_photo(tmp_path / "photos" / "a.jpg", seed=1)
    draw_photo(tmp_path / "photos" / "flaky" / "b.jpg", seed=2)
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    real_scandir = os.scandir

    def failing(path="."):
        if os.fspath(path).endswith("flaky"):
            raise OSError(5, "Input/output error")  # a flaky disk or network share
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", failing)
    list(library.index())
    assert library.last_index_summary["removed"] == 0 and library.photo_count() == 2


def test_a_folder_added_twice_under_other_names_or_nested_holds_each_photo_once(tmp_path, make_library):
    for i in range(3):
        draw_photo(tmp_path / "photos" / f"a{i}.jpg", seed=i)
        draw_photo(tmp_path / "photos" / "inner" / f"b{i}.jpg", seed=10 + i)
    (tmp_path / "alias").symlink_to(tmp_path / "photos")
    library = make_library()
    outer = library.add_folder(tmp_path / "photos")
    assert library.add_folder(tmp_path / "photos" / ".." / "photos" / "") == outer
    assert library.add_folder(tmp_path / "alias") == outer  # a symlink to it is the same folder
    library.add_folder(tmp_path / "photos" / "inner")
    list(library.index())
    list(library.index())
    paths = photos_in_catalog(tmp_path / "data")
    assert len(paths) == len(set(paths)) == 6
    assert len(library.search("x", k=50)) == 6


def test_a_file_that_changes_while_it_is_indexed_ends_up_with_its_final_content(tmp_path, make_library,
                                                                               monkeypatch):
    photos = [draw_photo(tmp_path / "photos" / f"p{i}.jpg", seed=i) for i in range(4)]
    target = photos[2]
    real_decode = imageio.decode
    rewritten = []

    def decode_while_an_editor_saves(path, *args, **kwargs):
        if str(path) == str(target) and not rewritten:
            rewritten.append(True)
            draw_photo(target, seed=99, size=(200, 150))  # saved by another program mid-read
            os.utime(target, ns=(1, 1_000_000_000))  # a different mtime even on coarse clocks
        return real_decode(path, *args, **kwargs)

    monkeypatch.setattr(imageio, "decode", decode_while_an_editor_saves)
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    assert rewritten and library.photo_count() == 4
    list(library.index())  # the next run sees a size/mtime other than the one it stored, and embeds it again
    assert library.last_index_summary["updated"] == 1

    # The stored vector is the one a fresh library makes of the file as it is now.
    draw_photo(tmp_path / "reference" / "final.jpg", seed=99, size=(200, 150))
    reference = make_library(data_dir=tmp_path / "reference-data")
    reference.add_folder(tmp_path / "reference")
    list(reference.index())
    final = reference.catalog.vector_of(str(tmp_path / "reference" / "final.jpg"))
    assert float(library.catalog.vector_of(str(target)) @ final) > 0.999


def test_a_file_truncated_while_it_is_indexed_is_skipped_then_retried(tmp_path, make_library, monkeypatch):
    photos = [draw_photo(tmp_path / "photos" / f"p{i}.jpg", seed=i) for i in range(3)]
    target = photos[1]
    whole = target.read_bytes()
    real_decode = imageio.decode
    calls = []

    def decode_during_a_slow_copy(path, *args, **kwargs):
        if str(path) == str(target) and not calls:
            calls.append(True)
            target.write_bytes(whole[: len(whole) // 3])  # the copy has not finished yet
        return real_decode(path, *args, **kwargs)

    monkeypatch.setattr(imageio, "decode", decode_during_a_slow_copy)
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    assert library.photo_count() == 2 and [s["path"] for s in library.skipped_files()] == [str(target)]
    target.write_bytes(whole)  # the copy finished
    list(library.index())
    assert library.photo_count() == 3 and library.skipped_files() == []
