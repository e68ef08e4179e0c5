"""Two writers on one data dir: the second waits its turn (and says so), readers keep working, nothing breaks."""

from __future__ import annotations

import json
import os
import subprocess
import threading

from photosearch.core.writelock import WriteLock
from tests.conftest import draw_photo
from tests.reliability.conftest import photos_in_catalog


def test_a_second_index_run_waits_for_the_first_and_says_who_it_waits_for(tmp_path, make_library,
                                                                         counting_encoder):
    for i in range(6):
        draw_photo(tmp_path / "photos" / f"p{i}.jpg", seed=i)
    first = make_library(encoder=counting_encoder)
    first.add_folder(tmp_path / "photos")
    second = make_library(encoder=counting_encoder)  # another app on the same data dir
    running = first.index()
    next(running)  # the first run holds the write lock from here on
    cancel = threading.Event()
    waiting = next(second.index(cancel))
    assert waiting.phase == "waiting" and f"pid {os.getpid()}" in waiting.path
    list(running)
    assert counting_encoder.images_embedded == 6
    list(second.index())  # its turn now: nothing left to do
    assert second.last_index_summary["unchanged"] == 6 and counting_encoder.images_embedded == 6
    assert len(second.search("x", k=20)) == 6


def test_the_cli_waits_politely_while_readers_keep_working(tmp_path, make_library, cli_env, cli_command):
    for i in range(4):
        draw_photo(tmp_path / "photos" / f"p{i}.jpg", seed=i)
    data = tmp_path / "data"
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    draw_photo(tmp_path / "photos" / "new.jpg", seed=9)
    other_writer = WriteLock(data)  # e.g. a GUI in the middle of an index run
    assert other_writer.acquire(timeout=5)
    writer = subprocess.Popen(cli_command(data, "index", "--json"), env=cli_env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        first_line = writer.stderr.readline()
        assert "is updating this library; waiting" in first_line and f"pid {os.getpid()}" in first_line
        for reader in (("status", "--json"), ("search", "a dog", "--json")):  # not blocked by either writer
            done = subprocess.run(cli_command(data, *reader), env=cli_env, capture_output=True, text=True,
                                  timeout=60)
            assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["results"]
    finally:
        other_writer.release()
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    summary = json.loads(out)
    assert (summary["added"], summary["photos"]) == (1, 5)


def test_two_index_processes_at_once_embed_each_photo_once(tmp_path, cli_env, cli_command):
    for i in range(16):
        draw_photo(tmp_path / "photos" / f"p{i:02d}.jpg", seed=i)
    data = tmp_path / "data"
    runs = [subprocess.Popen(cli_command(data, "index", str(tmp_path / "photos"), "--json"), env=cli_env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err for _, err in results]
    summaries = [json.loads(out) for out, _ in results]
    # One of them did the work; the other waited, then found everything done (without the lock both embed all).
    assert sorted(s["added"] for s in summaries) == [0, 16]
    paths = photos_in_catalog(data)
    assert len(paths) == len(set(paths)) == 16


def test_a_watcher_waits_for_another_writer_then_applies_the_change(tmp_path, make_library, wait_until):
    draw_photo(tmp_path / "photos" / "a.jpg", seed=1)
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    library.watch()
    other_writer = WriteLock(tmp_path / "data")
    try:
        assert other_writer.acquire(timeout=5)
        added = draw_photo(tmp_path / "photos" / "b.jpg", seed=2)
        wait_until(lambda: library.watcher.last_error is not None, timeout=10)
        assert "is updating this library" in library.watcher.last_error and library.photo_count() == 1
        other_writer.release()
        wait_until(lambda: str(added) in {r.path for r in library.search("x", k=10)}, timeout=10)
    finally:
        other_writer.release()
        library.stop_watching()


def test_the_lock_dies_with_its_process(tmp_path, cli_env):
    import sys

    (tmp_path / "data").mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from photosearch.core.writelock import "
                               "WriteLock; assert WriteLock(sys.argv[1]).acquire(); print('held', flush=True); "
                               "time.sleep(60)", str(tmp_path / "data")], stdout=subprocess.PIPE, text=True,
                              env=cli_env)
    try:
        assert holder.stdout.readline().strip() == "held"
        lock = WriteLock(tmp_path / "data")
        assert not lock.try_acquire()
        holder.kill()
        holder.wait(timeout=10)
        assert lock.acquire(timeout=5)  # a crashed writer never leaves the library locked
        lock.release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
