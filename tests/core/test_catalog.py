"""catalog: schema migrations, writes as transactions with a generation counter, per-thread connections."""

from __future__ import annotations

import contextlib
import sqlite3
import threading

import numpy as np
import pytest

from photosearch.core.catalog import MIGRATIONS, SCHEMA_VERSION, Catalog, CatalogError, NewPhoto


def _photo(path: str, seed: int = 0, size: int = 10, mtime: int = 1, content: str = "h") -> NewPhoto:
    vector = np.random.default_rng(seed).standard_normal(8).astype(np.float32)
    return NewPhoto(path, "/p", size, mtime, content, 1.0, False, 4, 3, vector)


def _journal_mode(path) -> str:
    """The file's journal mode as another connection sees it (WAL is a property of the file, kept across opens)."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]


def test_new_catalog_is_at_the_latest_schema_in_wal_mode(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    assert catalog.schema_version() == SCHEMA_VERSION
    assert _journal_mode(catalog.path) == "wal"
    catalog.close()


def test_version_1_catalog_is_migrated_step_by_step_keeping_its_photos(tmp_path):
    path = tmp_path / "c.sqlite3"
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('generation', '3'), ('catalog_id', 'old')")
    conn.execute("INSERT INTO folders VALUES ('/p', 0)")
    conn.execute("INSERT INTO photos (path, folder, size, mtime_ns, hash, vector, changed_gen) "
                 "VALUES ('/p/a.jpg', '/p', 1, 1, 'h', ?, 3)", (np.ones(8, np.float32).tobytes(),))
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    catalog = Catalog(path)
    assert catalog.schema_version() == SCHEMA_VERSION == 4
    assert catalog.folders() == [("/p", True)]  # the column added in step 2 has its default
    assert catalog.vector_of("/p/a.jpg") is not None and catalog.generation() == 3
    assert catalog.skipped() == []
    catalog.close()


def test_a_newer_schema_is_refused_with_a_message(tmp_path):
    path = tmp_path / "c.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(CatalogError, match="newer PhotoSearch"):
        Catalog(path)


def test_every_write_moves_the_generation_and_changes_since_reports_it(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    start = catalog.generation()
    a, b = catalog.upsert_photos([_photo("/p/a.jpg", 1), _photo("/p/b.jpg", 2)])
    after_insert = catalog.generation()
    assert after_insert == start + 1
    catalog.move_photo(a, "/p/c.jpg", "/p", 10, 2)
    catalog.delete_photos([b])
    ids, vectors, gone, generation = catalog.changes_since(after_insert)
    assert list(ids) == [a] and vectors.shape == (1, 8) and gone == [b] and generation == start + 3
    assert catalog.vector_of("/p/c.jpg") is not None and catalog.vector_of("/p/a.jpg") is None
    catalog.close()


def test_upsert_replaces_by_path_and_keeps_the_id(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    (first,) = catalog.upsert_photos([_photo("/p/a.jpg", 1)])
    (second,) = catalog.upsert_photos([_photo("/p/a.jpg", 2, size=99)])
    assert first == second and catalog.photo_count() == 1
    assert catalog.photos_under(["/p"])["/p/a.jpg"].size == 99
    catalog.close()


def test_skipped_files_replace_photos_and_clear_again(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    catalog.upsert_photos([_photo("/p/a.jpg")])
    catalog.set_skipped([("/p/a.jpg", 5, 6, "corrupt")])
    assert catalog.photo_count() == 0
    assert catalog.skipped() == [{"path": "/p/a.jpg", "reason": "corrupt"}]
    catalog.upsert_photos([_photo("/p/a.jpg")])
    assert catalog.skipped() == []
    catalog.close()


def test_remove_folder_keeps_photos_another_folder_covers(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    for folder in ("/p", "/p/inner", "/q"):
        catalog.add_folder(folder)
    catalog.upsert_photos([_photo("/p/a.jpg"), _photo("/p/inner/b.jpg"), _photo("/q/c.jpg")])
    catalog.remove_folder("/p", ["/p", "/p/inner", "/q"])
    assert sorted(catalog.photos_under(["/p", "/q"])) == ["/p/inner/b.jpg", "/q/c.jpg"]
    assert [f for f, _ in catalog.folders()] == ["/p/inner", "/q"]
    catalog.close()


def test_each_thread_gets_its_own_connection_and_concurrent_writes_all_land(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    connections, errors = set(), []

    def work(n: int) -> None:
        try:
            connections.add(id(catalog._conn()))
            for i in range(10):
                catalog.upsert_photos([_photo(f"/p/{n}-{i}.jpg", i)])
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(connections) == 4 and catalog.photo_count() == 40
    catalog.close()


def test_two_catalog_objects_on_one_file_see_each_other(tmp_path):
    writer, reader = Catalog(tmp_path / "c.sqlite3"), Catalog(tmp_path / "c.sqlite3")
    assert writer.catalog_id == reader.catalog_id
    writer.upsert_photos([_photo("/p/a.jpg")])
    assert reader.generation() == writer.generation() and reader.photo_count() == 1
    writer.close()
    reader.close()


def test_a_move_onto_another_photo_logs_that_photo_as_removed(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    a, b = catalog.upsert_photos([_photo("/p/a.jpg", 1), _photo("/p/b.jpg", 2)])
    generation = catalog.generation()
    catalog.move_photo(a, "/p/b.jpg", "/p", 10, 2)
    ids, _, gone, _ = catalog.changes_since(generation)
    assert list(ids) == [a] and gone == [b] and catalog.photo_count() == 1
    catalog.close()


def test_opening_waits_while_another_process_writes_the_new_file(tmp_path):
    # Two first runs at one moment: sqlite refuses the switch to WAL at once while the other holds a write.
    import time

    path = tmp_path / "catalog.sqlite"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE scratch (x)")
    with pytest.raises(sqlite3.OperationalError, match="locked"):  # the behaviour the catalog must absorb
        sqlite3.connect(path, timeout=5, isolation_level=None).execute("PRAGMA journal_mode=WAL")
    releaser = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    releaser.start()
    started = time.monotonic()
    catalog = Catalog(path)
    assert time.monotonic() - started >= 0.4
    assert _journal_mode(catalog.path) == "wal"
    assert catalog.schema_version() > 0
    catalog.close()
    releaser.join()
    other.close()
