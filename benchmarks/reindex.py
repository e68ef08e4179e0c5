"""Re-indexing an unchanged library of 10k photos: `Library.index()` in-process and `photosearch index` as a command.

    .venv/bin/python benchmarks/reindex.py [--photos 10000] [--repeats 5]

The photos are small JPEG files (an unchanged run never decodes them; it lists the folders and compares each
file's size and modification time with the catalog). The catalog is filled once through Catalog.upsert_photos
with the files' real sizes, times and hashes, and stamped with the benchmark model, as a finished index run
leaves it. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures


def make_library(count: int, dim: int) -> tuple[Path, Path]:
    from PIL import Image

    from photosearch.core import scanner
    from photosearch.core.catalog import NewPhoto
    from photosearch.core.contenthash import content_hash
    from photosearch.core.library import Library

    root = fixtures.BENCH_ROOT / f"reindex-{count}"
    photos, data = root / "photos", root / "data"
    if (root / ".complete").is_file():
        with Library(data_dir=data, cache_dir=root / "cache") as lib:
            if lib.catalog.get_meta("model") == lib._model_fingerprint():
                return photos, data
        # Made with other weights: an index run would embed every photo again. Start over.
        import shutil

        shutil.rmtree(root)
    rng = np.random.default_rng(3)
    for i in range(count):
        folder = photos / f"{2000 + i // 2000}" / f"{i // 100:03d}"  # years / events, as people sort photos
        folder.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (64, 48), tuple(int(v) for v in rng.integers(0, 256, 3))).save(folder / f"IMG_{i:05d}.jpg")
    with Library(data_dir=data, cache_dir=root / "cache") as lib:
        folder = lib.add_folder(photos)
        found = list(scanner.walk(folder))
        vectors = np.concatenate(list(fixtures.ClusteredVectors(len(found), dim).chunks()))
        for lo in range(0, len(found), 2000):
            lib.catalog.upsert_photos([
                NewPhoto(f.path, folder, f.size, f.mtime_ns, content_hash(f.path), f.mtime_ns / 1e9, False, 64, 48,
                         vectors[lo + j]) for j, f in enumerate(found[lo:lo + 2000])])
        lib.catalog.set_meta("model", lib._model_fingerprint())
        lib.store.current(dim)
        lib.store.save()
    (root / ".complete").write_text("ok")
    return photos, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    weights, kind = fixtures.use_bench_model()
    from photosearch.core.library import Library
    from photosearch.model.config import ModelConfig

    photos, data = make_library(args.photos, ModelConfig.load(weights / "config.json").joint_dim)
    report = {"benchmark": "reindex", "machine": fixtures.machine(), "weights": kind,
              "command": " ".join(["benchmarks/reindex.py", *sys.argv[1:]]), "photos": args.photos}
    in_process, command = [], []
    for _ in range(args.repeats):
        started = time.perf_counter()
        with Library(data_dir=data, cache_dir=data.parent / "cache") as lib:
            for _ in lib.index():
                pass
            summary = lib.last_index_summary
        in_process.append(time.perf_counter() - started)
        if summary["unchanged"] != args.photos or summary["added"] or summary["removed"]:
            raise SystemExit(f"the library was not unchanged: {summary}")
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "photosearch", "--data-dir", str(data), "index", str(photos),
                               "--json"], capture_output=True, text=True, timeout=300,
                              env=dict(os.environ, PYTHONPATH=str(fixtures.REPO_ROOT)))
        command.append(time.perf_counter() - started)
        if done.returncode != 0 or json.loads(done.stdout)["unchanged"] != args.photos:
            raise SystemExit(f"photosearch index failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")
    report["library_index_s_median"] = round(fixtures.median(in_process), 3)
    report["cli_index_s_median"] = round(fixtures.median(command), 3)
    report["runs"] = {"library_index_s": [round(t, 3) for t in in_process],
                      "cli_index_s": [round(t, 3) for t in command]}
    report["target_s"] = 5.0
    print(json.dumps(fixtures.finish(report), ensure_ascii=False))


if __name__ == "__main__":
    main()
