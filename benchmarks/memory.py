"""Memory: peak RSS of the app's core with a 100k-photo library, searching and then indexing new photos.

    .venv/bin/python benchmarks/memory.py [--library 100000] [--python PATH ...] [--repeats 3] [--new-photos 32]

Each measurement is a fresh process (a copy of the synthetic library of benchmarks/search.py, built when
missing): open the Library, load the model, run 100 text queries (peak "searching"), then add a folder of
camera-sized photos (32, or `--new-photos N`) and index it (peak "indexing"). `--python` repeats it with other
interpreters, e.g. the installer's venv with the CPU-only torch that ships. The GUI's peak is in
benchmarks/startup.py. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures

NEW_PHOTOS = 32


def status_mb() -> dict[str, float]:
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            key = line.split(":")[0]
            if key in ("VmHWM", "VmRSS"):
                values[key] = round(int(line.split()[1]) / 1024, 1)
    return values


def child(data_dir: str, photos: str) -> None:
    started = time.perf_counter()
    import torch

    from photosearch.core.library import Library

    marks = {"imports": status_mb()}
    with Library(data_dir=data_dir, cache_dir=os.path.join(data_dir, "cache")) as lib:
        lib.ensure_model()
        marks["model_loaded"] = status_mb()
        for n in range(100):
            lib.search(fixtures.QUERIES[n % len(fixtures.QUERIES)], 20)
        marks["searching"] = status_mb()
        indexing = time.perf_counter()
        lib.add_folder(photos)
        for _ in lib.index():
            pass
        marks["indexing"] = status_mb()
        index_seconds = time.perf_counter() - indexing
        summary = lib.last_index_summary
    print(json.dumps({"marks": marks, "photos": summary["photos"], "added": summary["added"],
                      "torch": torch.__version__, "seconds": round(time.perf_counter() - started, 1),
                      "index_seconds": round(index_seconds, 1)}))


def run_once(python: str, library: Path, photos: Path) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="bench-memory-", dir=fixtures.BENCH_ROOT))
    try:
        data = scratch / "data"
        shutil.copytree(library, data, ignore=shutil.ignore_patterns("build.json", "cache"))
        done = subprocess.run([python, __file__, "--child", str(data), str(photos)], capture_output=True, text=True,
                              timeout=900, env=dict(os.environ, PYTHONPATH=str(fixtures.REPO_ROOT)))
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            raise SystemExit(f"child failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")
        return json.loads(lines[-1])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=int, default=100_000)
    parser.add_argument("--python", action="append", default=[], help="more interpreters to measure with")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--new-photos", type=int, default=NEW_PHOTOS,
                        help="photos to index; more than the indexer's look-ahead (64) fills it")
    args = parser.parse_args()

    weights, kind = fixtures.use_bench_model()
    import search

    from photosearch.model.config import ModelConfig

    dim = ModelConfig.load(weights / "config.json").joint_dim
    library = search.library_dir(args.library, dim)
    if not (library / "build.json").is_file():
        search.build_library(args.library, dim)
    photos = fixtures.realistic_photos(args.new_photos)
    report = {"benchmark": "memory", "machine": fixtures.machine(), "weights": kind,
              "command": " ".join(["benchmarks/memory.py", *sys.argv[1:]]), "library_photos": args.library,
              "new_photos": args.new_photos, "interpreters": {}}
    for python in [sys.executable, *args.python]:
        runs = [run_once(python, library, photos) for _ in range(args.repeats)]
        report["interpreters"][python] = {
            "torch": runs[0]["torch"],
            "peak_rss_mb_searching_median": fixtures.median([r["marks"]["searching"]["VmHWM"] for r in runs]),
            "peak_rss_mb_indexing_median": fixtures.median([r["marks"]["indexing"]["VmHWM"] for r in runs]),
            "runs": runs}
    report["target_peak_rss_mb"] = 600
    print(json.dumps(fixtures.finish(report), ensure_ascii=False))


if __name__ == "__main__":
    main()
