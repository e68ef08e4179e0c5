"""Watch latency as another process sees it: a photo copied into a library folder -> `photosearch status` shows it.

    .venv/bin/python benchmarks/watch.py [--photos 20] [--repeats 8] [--polling]

A `photosearch watch --json` process follows a library folder of real photos (the shared flickr8k pictures at
their own size, drawn ones when absent); once it has caught up, the benchmark copies one new photo at a time
into the folder and runs `photosearch status --json` processes back to back until one reports the new count.
The latency of a photo is from the end of its copy to the exit of the first status process that showed it, as
a script polling `status` sees it; the time of the watcher's own "changed" line is recorded beside it. Each
photo waits for the one before to be seen, plus a second of quiet. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures

GIVE_UP_S = 60.0


def code_root() -> str:
    """The folder holding the photosearch package under test: the child processes run in it and import it (with
    `python -m` or `-c` the working directory comes first on sys.path)."""
    import photosearch

    return str(Path(photosearch.__file__).resolve().parents[1])


def sources(count: int) -> list[Path]:
    """`count` distinct photo files to copy from (made once)."""
    folder = fixtures.BENCH_ROOT / f"watch-sources-{count}"
    if (folder / ".complete").is_file():
        return sorted(folder.glob("*.jpg"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    names = sorted(fixtures.SHARED_IMAGES.glob("*.jpg"))[-count:] if fixtures.SHARED_IMAGES.is_dir() else []
    if len(names) == count:
        for i, name in enumerate(names):
            shutil.copyfile(name, folder / f"SRC_{i:04d}.jpg")
    else:
        for i, image in enumerate(fixtures._source_images(count)):
            image.save(folder / f"SRC_{i:04d}.jpg", quality=90)
    (folder / ".complete").write_text("ok")
    return sorted(folder.glob("*.jpg"))


def status_photos(data: Path, env: dict[str, str]) -> tuple[int, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "photosearch", "--data-dir", str(data), "status", "--json"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=env["PYTHONPATH"])
    if done.returncode != 0:
        raise SystemExit(f"status failed: {done.stderr[-1000:]}")
    return json.loads(done.stdout)["photos"], time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20, help="photos in the library before the copies")
    parser.add_argument("--repeats", type=int, default=8, help="photos copied in, one at a time")
    parser.add_argument("--polling", action="store_true", help="watch with --polling instead of file events")
    args = parser.parse_args()

    fixtures.use_bench_model()
    files = sources(args.photos + args.repeats)
    root = fixtures.BENCH_ROOT / "watch-run"
    shutil.rmtree(root, ignore_errors=True)
    photos, data = root / "photos", root / "data"
    photos.mkdir(parents=True)
    for source in files[:args.photos]:
        shutil.copyfile(source, photos / source.name)
    env = dict(os.environ, PYTHONPATH=code_root(), PYTHONUNBUFFERED="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed app runs from compiled bytecode
    base = [sys.executable, "-m", "photosearch", "--data-dir", str(data)]
    done = subprocess.run([*base, "index", str(photos), "--device", "cpu", "--json"], capture_output=True,
                          text=True, timeout=600, env=env, cwd=env["PYTHONPATH"])
    if done.returncode != 0:
        raise SystemExit(f"index failed: {done.stderr[-1000:]}")

    report = {"benchmark": "watch", "machine": fixtures.machine(),
              "command": " ".join(["benchmarks/watch.py", *sys.argv[1:]]), "photos": args.photos,
              "observer": "polling" if args.polling else "native (inotify on Linux)", "target_s": 3.0}
    watch = subprocess.Popen([*base, "watch", "--device", "cpu", "--json", *(["--polling"] if args.polling else [])],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=env["PYTHONPATH"])
    lines: queue.Queue[tuple[float, dict]] = queue.Queue()

    def read() -> None:
        for line in watch.stdout:  # type: ignore[union-attr]
            with_time = (time.perf_counter(), json.loads(line))
            lines.put(with_time)

    threading.Thread(target=read, daemon=True).start()
    latencies, watcher_seen, status_runs, status_s = [], [], [], []
    try:
        deadline = time.monotonic() + 120
        while True:  # the watcher's own catch-up run first
            _, event = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if event.get("event") == "indexed":
                break
        time.sleep(1.0)
        expected = args.photos
        for source in files[args.photos:]:
            expected += 1
            shutil.copyfile(source, photos / source.name)
            copied = time.perf_counter()
            runs = 0
            while True:
                count, took = status_photos(data, env)
                runs += 1
                status_s.append(took)
                if count >= expected:
                    latencies.append(time.perf_counter() - copied)
                    break
                if time.perf_counter() - copied > GIVE_UP_S:
                    raise SystemExit(f"status never showed photo {expected} within {GIVE_UP_S:g} s")
            status_runs.append(runs)
            seen = None
            while seen is None or not lines.empty():
                try:
                    at, event = lines.get(timeout=5)
                except queue.Empty:
                    break
                if event.get("event") == "changed" and event.get("photos", 0) >= expected:
                    seen = at - copied
            watcher_seen.append(seen)
            time.sleep(1.0)
    finally:
        watch.send_signal(signal.SIGINT)
        try:
            watch.wait(timeout=60)
        except subprocess.TimeoutExpired:
            watch.kill()
    report.update(
        latency_s_median=round(fixtures.median(latencies), 3), latency_s_max=round(max(latencies), 3),
        latency_s=[round(t, 3) for t in latencies],
        watcher_changed_line_s=[None if t is None else round(t, 3) for t in watcher_seen],
        status_process_s_median=round(fixtures.median(status_s), 3), status_runs_per_photo=status_runs)
    print(json.dumps(fixtures.finish(report), ensure_ascii=False))


if __name__ == "__main__":
    main()
