"""Damaged or unwritable files in the data dir: a full disk, a broken vector index, a corrupt catalog."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess

import pytest

from photosearch.core import atomicfile
from photosearch.core.catalog import CATALOG_FILE
from photosearch.core.hnsw_index import INDEX_FILE, STAMP_FILE, HnswIndex
from photosearch.core.library import Library, LibraryError
from tests.conftest import draw_photo
from tests.reliability.conftest import photos_in_catalog


def _photos(folder, count, start=0):
    return [draw_photo(folder / f"p{i:03d}.jpg", seed=i) for i in range(start, start + count)]


def _temp_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(atomicfile.TEMP_SUFFIX))


def test_a_full_disk_while_saving_the_index_keeps_the_old_one_and_tells_the_caller(tmp_path, make_library,
                                                                                  counting_encoder, monkeypatch):
    folder, data = tmp_path / "photos", tmp_path / "data"
    first = _photos(folder, 6)
    library = make_library(encoder=counting_encoder)
    library.add_folder(folder)
    list(library.index())
    saved = (data / INDEX_FILE).read_bytes(), (data / STAMP_FILE).read_bytes()
    _photos(folder, 3, start=6)

    real_replace = os.replace

    def full_disk(src, dst, *args, **kwargs):
        if os.path.basename(os.fspath(dst)) in (INDEX_FILE, STAMP_FILE):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(LibraryError, match=r"cannot save the vector index.*No space left on device"):
        list(library.index())
    assert ((data / INDEX_FILE).read_bytes(), (data / STAMP_FILE).read_bytes()) == saved
    assert _temp_files(data) == []  # the half-written temp file went away with the error
    assert library.photo_count() == 9  # the catalog, the source of truth, has the new photos
    assert library.search_image(first[0], k=1, keep_query=True)[0].path == str(first[0])  # still usable in this process
    library.close()  # closing tries to save again: logged, not raised

    monkeypatch.setattr(os, "replace", real_replace)
    counting_encoder.images_embedded = 0
    reopened = make_library(encoder=counting_encoder)
    assert HnswIndex.load(data, counting_encoder.dim, reopened.catalog.catalog_id) is not None  # old file loads
    assert len(reopened.search("x", k=50)) == 9 and reopened.store.rebuilds == 0  # caught up from the catalog
    list(reopened.index())
    assert reopened.last_index_summary["unchanged"] == 9 and counting_encoder.images_embedded == 0


def _limit_catalog_growth(library):
    """Make sqlite report SQLITE_FULL ("database or disk is full") as soon as the catalog file needs a new page."""
    conn = library.catalog._conn()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    return conn


def test_a_full_disk_while_writing_the_catalog_keeps_what_was_committed(tmp_path, make_library, counting_encoder,
                                                                        monkeypatch):
    from photosearch.core import indexer

    monkeypatch.setattr(indexer, "BATCH_SIZE", 4)
    folder = tmp_path / "photos"
    _photos(folder, 4)
    library = make_library(encoder=counting_encoder)
    library.add_folder(folder)
    list(library.index())
    _photos(folder, 28, start=4)  # 28 rows with their vectors need new pages
    conn = _limit_catalog_growth(library)
    with pytest.raises(LibraryError, match=r"cannot write the catalog .*full"):
        list(library.index())
    assert not conn.in_transaction  # the failed transaction was rolled back: the connection stays usable
    committed = library.photo_count()
    assert 4 <= committed < 32
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(library.search("x", k=100)) == committed  # still answers

    conn.execute("PRAGMA max_page_count = 1000000")  # space freed
    counting_encoder.images_embedded = 0
    list(library.index())
    assert library.photo_count() == 32 and counting_encoder.images_embedded == 32 - committed
    paths = photos_in_catalog(tmp_path / "data")
    assert len(paths) == len(set(paths)) == 32


def test_the_cli_reports_a_full_disk_in_one_line(tmp_path, make_library, cli_env, cli_command):
    folder, data = tmp_path / "photos", tmp_path / "data"
    _photos(folder, 2)
    library = make_library()
    library.add_folder(folder)
    list(library.index())
    library.close()
    _photos(folder, 40, start=2)
    # The kernel's own ENOSPC is out of reach without root tricks; RLIMIT_FSIZE gives the same failed write
    # (EFBIG) from the kernel, for every file the process writes, with SIGXFSZ ignored.
    limit = (data / CATALOG_FILE).stat().st_size + 4096  # per file: the 40 new rows do not fit
    script = (f"import resource, signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
              f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
              f"from photosearch.cli import main; raise SystemExit(main())")
    command = cli_command(data, "index")
    done = subprocess.run([command[0], "-c", script, *command[3:]], capture_output=True, text=True, env=cli_env,
                          timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "photosearch index: cannot" in done.stderr
    reopened = make_library()
    with contextlib.closing(sqlite3.connect(reopened.catalog.path)) as conn:  # as any other reader sees the file
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert 2 <= reopened.photo_count() <= 42


def _garbage(path):
    path.write_bytes(os.urandom(path.stat().st_size))


def _truncate(path):
    path.write_bytes(path.read_bytes()[:100])


def _delete(path):
    path.unlink()


def _stale_stamp(path):
    stamp = path.with_name(STAMP_FILE)
    stamp.write_text(stamp.read_text().replace('"generation": ', '"generation": 1'))


@pytest.mark.parametrize("damage", [_delete, _truncate, _garbage, _stale_stamp])
def test_a_broken_index_file_is_rebuilt_from_the_catalog_without_embedding(tmp_path, make_library,
                                                                           counting_encoder, damage):
    photos = _photos(tmp_path / "photos", 8)
    library = make_library(encoder=counting_encoder)
    library.add_folder(tmp_path / "photos")
    list(library.index())
    library.close()
    damage(tmp_path / "data" / INDEX_FILE)

    counting_encoder.images_embedded = 0
    reopened = make_library(encoder=counting_encoder)
    assert reopened.search_image(photos[5], k=1, keep_query=True)[0].path == str(photos[5])
    assert len(reopened.search("x", k=50)) == 8
    assert counting_encoder.images_embedded == 0
    list(reopened.index())
    assert reopened.last_index_summary["unchanged"] == 8 and counting_encoder.images_embedded == 0
    catalog_id = reopened.catalog.catalog_id
    reopened.close()
    assert HnswIndex.load(tmp_path / "data", counting_encoder.dim, catalog_id) is not None  # saved again, whole


def _catalog_garbage(path):
    path.write_bytes(b"this is no longer a database" * 100)


def _catalog_torn_page(path):
    data = bytearray(path.read_bytes())
    page = 4096
    data[2 * page: 4 * page] = os.urandom(2 * page)  # pages of the tables, not the header
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_catalog_garbage, _catalog_torn_page])
def test_a_corrupt_catalog_is_kept_aside_and_rebuilt_from_the_folders(tmp_path, make_library, damage):
    _photos(tmp_path / "photos", 20)
    library = make_library()
    folder = library.add_folder(tmp_path / "photos")
    list(library.index())
    library.close()
    data = tmp_path / "data"
    conn = sqlite3.connect(data / CATALOG_FILE)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, as after a clean exit
    conn.close()
    damage(data / CATALOG_FILE)
    broken = (data / CATALOG_FILE).read_bytes()

    reopened = make_library()
    (notice,) = reopened.notices
    assert "damaged" in notice and "indexed again" in notice
    (aside,) = [p for p in data.iterdir() if ".damaged-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert aside.read_bytes() == broken  # the broken file is kept for the user (or a recovery tool)
    assert reopened.folders() == [folder]
    list(reopened.index())
    assert reopened.last_index_summary["added"] == 20 and len(reopened.search("x", k=50)) == 20
    reopened.close()
    again = make_library()  # no crash loop: the next start is a normal one
    assert again.notices == [] and again.photo_count() == 20


def test_the_cli_says_the_catalog_was_replaced_once_then_works(tmp_path, cli_env, cli_command, make_library):
    _photos(tmp_path / "photos", 3)
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    library.close()
    _catalog_garbage(tmp_path / "data" / CATALOG_FILE)
    for attempt in range(2):
        done = subprocess.run(cli_command(tmp_path / "data", "index", "--json"), capture_output=True, text=True,
                              env=cli_env, timeout=120)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert ("damaged" in done.stderr) == (attempt == 0)
        assert '"photos": 3' in done.stdout


def test_a_catalog_from_a_newer_version_is_refused_not_replaced(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    conn = sqlite3.connect(data / CATALOG_FILE)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(Exception, match="newer PhotoSearch"):
        Library(data, cache_dir=tmp_path / "cache")
    assert [p.name for p in data.iterdir() if "damaged" in p.name] == []


def test_temp_files_of_a_killed_save_are_cleaned_up(tmp_path, make_library):
    _photos(tmp_path / "photos", 2)
    data = tmp_path / "data"
    library = make_library()
    library.add_folder(tmp_path / "photos")
    leftovers = [data / f".{INDEX_FILE}.abc123{atomicfile.TEMP_SUFFIX}",
                 data / f".settings.json.x{atomicfile.TEMP_SUFFIX}"]
    for leftover in leftovers:
        leftover.write_bytes(b"half an index")
    list(library.index())  # holds the write lock: nobody else can be writing an index temp file
    assert not leftovers[0].exists() and leftovers[1].exists()
    os.utime(leftovers[1], (1, 1))  # a day old: no save can still be writing it
    library.close()
    make_library()
    assert _temp_files(data) == []
