"""SIGKILL of an indexing `photosearch` process at random moments: after a restart everything is consistent,
every photo is in the library exactly once, and indexing resumes where it stopped instead of starting over."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from photosearch.core.catalog import CATALOG_FILE
from tests.conftest import CountingEncoder, draw_photo
from tests.reliability.conftest import photos_in_catalog

PHOTOS = 40
TRIALS = 10
# Time-triggered kills land anywhere in the first seconds of a run (start-up, scan, model load, embedding, save).
RANDOM_KILL_WINDOW = 3.0
# Small batches and frequent index saves: more commit and save moments for a kill to land in.
CHILD = ("import photosearch.core.indexer as indexer; indexer.BATCH_SIZE = 4; "
         "indexer.SAVE_EVERY_BATCHES = 2; from photosearch.cli import main; "
         "print('ready', flush=True); raise SystemExit(main())")


def _committed(data_dir) -> int:
    try:
        conn = sqlite3.connect(f"file:{data_dir / CATALOG_FILE}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT COUNT(*) FROM photos WHERE vector IS NOT NULL").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:  # not created yet, or its tables not yet
        return -1


def _kill_at_random(command, env, data_dir, rng):
    """Start an index run and SIGKILL it: either once `threshold` photos are committed (kills land inside
    the embedding phase, between and during commits and saves), or after a random time (any phase)."""
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        started = time.monotonic()
        if rng.random() < 0.6:
            threshold = rng.randrange(0, PHOTOS)
            while child.poll() is None and _committed(data_dir) < threshold and time.monotonic() - started < 60:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.05))
            moment = f"after {threshold} committed photos"
        else:
            delay = rng.uniform(0, RANDOM_KILL_WINDOW)
            while child.poll() is None and time.monotonic() - started < delay:
                time.sleep(0.005)
            moment = f"{delay:.2f} s after start"
        finished = child.poll() is not None
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        return moment, finished
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def _check_consistent(data_dir, folder, encoder) -> int:
    """Catalog and index agree, no photo twice, nothing outside the folder; returns the committed count.

    The library is opened first, as a restart would: a kill before the catalog's first transaction committed
    leaves an empty file, which opening completes.
    """
    from photosearch.core.library import Library

    library = Library(data_dir, encoder=encoder, cache_dir=data_dir / "cache")
    try:
        assert library.notices == []  # nothing had to be replaced
        conn = sqlite3.connect(data_dir / CATALOG_FILE)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
        paths = photos_in_catalog(data_dir)
        assert len(paths) == len(set(paths)), "a photo is in the catalog twice"
        assert all(os.path.dirname(p) == str(folder) for p in paths)
        index = library.store.current(encoder.dim)
        assert len(index) == library.photo_count() == len(paths)
        found = [r.path for r in library.search("a photo", k=100)]
        assert sorted(found) == sorted(paths)
    finally:
        library.close()
    return len(paths)


def _trial(number, folder, tiny_encoder, cli_env, tmp_path, rng):
    """Kill an index run (twice, every fourth trial: a crash of the restarted run), check, resume, check."""
    from photosearch.core.library import Library

    data_dir = tmp_path / f"data-{number}"
    command = [sys.executable, "-c", CHILD, "--data-dir", str(data_dir), "index", str(folder)]
    moment, finished = _kill_at_random(command, cli_env, data_dir, rng)
    if number % 4 == 3:
        again, finished = _kill_at_random(command, cli_env, data_dir, rng)
        moment += f", then {again}"
    if not (data_dir / CATALOG_FILE).exists():
        return moment, "killed before the catalog existed", 0
    counting = CountingEncoder(tiny_encoder)
    committed = _check_consistent(data_dir, folder, counting)
    # The restart: the same command again (the folder may not have been added when the first run died).
    library = Library(data_dir, encoder=counting, cache_dir=data_dir / "cache")
    try:
        library.add_folder(folder)
        list(library.index())
        summary = library.last_index_summary
    finally:
        library.close()
    # Resumed, not restarted: only the photos missing from the catalog went through the model.
    assert counting.images_embedded == PHOTOS - committed, (moment, committed)
    assert (summary["added"], summary["unchanged"], summary["photos"]) == (PHOTOS - committed, committed, PHOTOS)
    assert _check_consistent(data_dir, folder, counting) == PHOTOS
    leftovers = [p.name for p in data_dir.iterdir() if p.name.startswith(".vectors.")]
    assert leftovers == [], "temp files of a killed save were left behind"
    return moment, "finished before the kill" if finished else "killed", committed


@pytest.mark.slow
def test_sigkill_at_random_moments_then_resume(tmp_path, tiny_encoder, cli_env):
    folder = tmp_path / "photos"
    for i in range(PHOTOS):
        draw_photo(folder / f"p{i:02d}.jpg", seed=i)
    folder = folder.resolve()
    seed = int(os.environ.get("PHOTOSEARCH_CRASH_SEED", "20261128"))
    started = time.monotonic()
    # Two trials at a time: each waits on its child process most of the time.
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(lambda n: _trial(n, folder, tiny_encoder, cli_env, tmp_path, random.Random(seed + n)),
                                 range(TRIALS)))
    print(f"\n{TRIALS} SIGKILL trials in {time.monotonic() - started:.1f} s (seed {seed}):")
    for moment, what, committed in outcomes:
        print(f"  {what} {moment}: {committed}/{PHOTOS} photos committed, the rest embedded on restart")
    # The kills must have hit the interesting part: mid-way through the embedding.
    assert sum(0 < committed < PHOTOS for _, _, committed in outcomes) >= TRIALS // 3
