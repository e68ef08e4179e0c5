"""A text query end to end through `Library.search`, warm, on a 400-photo and a 100k-photo library, with a profile.

    .venv/bin/python benchmarks/query.py [--sizes 400,100000] [--queries 400] [--repeats 3]

Unlike benchmarks/search.py (the index alone, on libraries whose folders do not exist), each library here is
what a user has: library folders that exist on disk, so every per-query step (the offline-folder filter, the
catalog lookups, the relevance floor) runs as in the app.

- 400: real photos (the shared flickr8k pictures at their own size, drawn ones when absent) in three library
  folders, indexed by `Library.index` with the benchmark model;
- 100k: clustered synthetic vectors (benchmarks/fixtures.py) under four existing library folders (an empty file
  stands for each photo, so the folders read as online), written
  through `Catalog.upsert_photos`, the HNSW index rebuilt from the catalog and saved, as benchmarks/search.py does.

Each library is measured twice: with every folder there, and with one library folder offline (renamed away for
the run, as an unplugged drive: its photos stay in the library but must not be offered).

The library loads its own model (`Library(...).ensure_model()`); after 20 queries to warm up, each of the 40
texts of fixtures.QUERIES is asked in turn, `--queries` in all, timed around `Library.search(text, 20)`. A
second pass of the same queries under cProfile gives the share of each step (profiled time is slower; only the
proportions count). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures

SMALL_FOLDERS = ("family", "holidays", "phone")
LARGE_FOLDERS = 4
UPSERT_BATCH = 5000
TEN_YEARS_FROM, TEN_YEARS = 1_420_070_400.0, 10 * 365.25 * 86400  # 2015-01-01 UTC, then ten years


def small_library(count: int) -> Path:
    """`count` real photos in three library folders, indexed once by `Library.index` (reused later)."""
    from photosearch.core.library import Library

    root = fixtures.BENCH_ROOT / f"query-{count}"
    data = root / "data"
    if (root / ".complete").is_file():
        return data
    shutil.rmtree(root, ignore_errors=True)
    sources = sorted(fixtures.SHARED_IMAGES.glob("*.jpg"))[:count] if fixtures.SHARED_IMAGES.is_dir() else []
    for i in range(count):
        folder = root / "photos" / SMALL_FOLDERS[i % len(SMALL_FOLDERS)] / f"{2020 + i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"IMG_{i:05d}.jpg"
        if sources:
            shutil.copyfile(sources[i % len(sources)], target)
        else:
            fixtures._source_images(1)[0].save(target)
    with Library(data_dir=data, cache_dir=root / "cache", device="cpu") as lib:
        for name in SMALL_FOLDERS:
            lib.add_folder(root / "photos" / name)
        for _ in lib.index():
            pass
        if lib.photo_count() != count:
            raise SystemExit(f"indexed {lib.photo_count()} of {count} photos")
    (root / ".complete").write_text("ok")
    return data


def large_library(count: int, dim: int) -> Path:
    """`count` synthetic photos under existing library folders, written as the core writes them (reused later)."""
    from photosearch.core.catalog import CATALOG_FILE, Catalog, NewPhoto
    from photosearch.core.paths import normalise
    from photosearch.core.vector_store import VectorStore

    root = fixtures.BENCH_ROOT / f"query-{count}-d{dim}-dated-files"
    data = root / "data"
    if (root / ".complete").is_file():
        return data
    shutil.rmtree(root, ignore_errors=True)
    folders = [normalise(root / "photos" / f"drive{n}") for n in range(LARGE_FOLDERS)]
    for folder in folders:
        Path(folder).mkdir(parents=True)
    catalog = Catalog(data / CATALOG_FILE)
    for folder in folders:
        catalog.add_folder(folder)
    i = 0
    for chunk in fixtures.ClusteredVectors(count, dim).chunks():
        for lo in range(0, len(chunk), UPSERT_BATCH):
            rows = chunk[lo:lo + UPSERT_BATCH]
            photos = []
            for j, row in enumerate(rows):
                n = i + j
                folder = folders[n % LARGE_FOLDERS]
                # Dates taken spread over ten years, in an order unrelated to the vectors (benchmarks/filters.py).
                taken = TEN_YEARS_FROM + (n * 7919 % count) / count * TEN_YEARS
                photos.append(NewPhoto(f"{folder}/{n // 1000:04d}/IMG_{n:07d}.jpg", folder, 3_000_000 + n,
                                       1_700_000_000_000_000_000 + n, f"{n:032x}", taken, True, 4000, 3000, row))
            catalog.upsert_photos(photos)
            for photo in photos:
                # An empty file where each photo is: a library folder whose catalogued photos are all missing
                # reads as an unplugged drive (core/online.py), and its photos would not be offered.
                Path(photo.path).parent.mkdir(parents=True, exist_ok=True)
                Path(photo.path).touch()
            i += len(rows)
    store = VectorStore(catalog, data)
    store.current(dim)
    store.save()
    catalog.close()
    (root / ".complete").write_text("ok")
    return data


def offline_folder(data: Path) -> tuple[Path, int]:
    """The library folder the offline variant takes away: the last one (a third or a quarter of the photos)."""
    from photosearch.core.catalog import CATALOG_FILE, Catalog

    catalog = Catalog(data / CATALOG_FILE)
    try:
        folder = catalog.folders()[-1][0]
        return Path(folder), catalog.count_under(folder)
    finally:
        catalog.close()


def measure_offline(data: Path, queries: int, profile_queries: int) -> dict:
    folder, photos = offline_folder(data)
    aside = folder.with_name(folder.name + ".unplugged")
    folder.rename(aside)
    try:
        return {**measure(data, queries, profile_queries), "offline_folder": str(folder), "offline_photos": photos}
    finally:
        aside.rename(folder)


def measure(data: Path, queries: int, profile_queries: int) -> dict:
    from photosearch.core.library import Library

    texts = fixtures.QUERIES
    lib = Library(data_dir=data, cache_dir=data.parent / "cache", device="cpu")
    try:
        lib.ensure_model()
        started = time.perf_counter()
        lib.search(texts[0], 20)
        first = time.perf_counter() - started
        for text in texts[:20]:
            lib.search(text, 20)
        times = []
        for n in range(queries):
            started = time.perf_counter()
            results = lib.search(texts[n % len(texts)], 20)
            times.append(time.perf_counter() - started)
            if len(results) != 20:
                raise SystemExit(f"{texts[n % len(texts)]!r} gave {len(results)} results")
        profiler = cProfile.Profile()
        profiler.enable()
        for n in range(profile_queries):
            lib.search(texts[n % len(texts)], 20)
        profiler.disable()
        photos, folders = lib.photo_count(), len(lib.folders())
    finally:
        lib.close()
    return {"photos": photos, "library_folders": folders, "first_query_ms": round(1000 * first, 2),
            "queries": queries, "query_p50_ms": ms(times, 50), "query_p99_ms": ms(times, 99),
            "query_mean_ms": round(1000 * sum(times) / len(times), 3), "load_after": round(os.getloadavg()[0], 2),
            "profile": profile_table(profiler, profile_queries)}


def median_of(runs: list[dict], key: str) -> float:
    return round(fixtures.median([r[key] for r in runs]), 3)


def ms(values: list[float], q: float) -> float:
    return round(1000 * fixtures.percentile(values, q), 3)


def profile_table(profiler: cProfile.Profile, queries: int, top: int = 14) -> list[str]:
    """The functions with the most cumulative time per query, photosearch's own and sqlite/os calls."""
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_, calls, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        own = "photosearch" in filename
        if own or name.startswith(("<method 'execute'", "<built-in method posix.stat", "<method 'acquire'",
                                   "<method 'fetch")):
            where = f"{Path(filename).name}:{line} {name}" if own else name
            rows.append((cumulative, calls, where))
    rows.sort(reverse=True)
    return [f"{1000 * c / queries:8.3f} ms/query  {n / queries:6.1f} calls/query  {w}" for c, n, w in rows[:top]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="400,100000")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--profile-queries", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3, help="runs per library (fresh Library each)")
    args = parser.parse_args()

    weights, kind = fixtures.use_bench_model()
    from photosearch.model.config import ModelConfig

    dim = ModelConfig.load(weights / "config.json").joint_dim
    report = {"benchmark": "query", "machine": fixtures.machine(), "weights": kind,
              "command": " ".join(["benchmarks/query.py", *sys.argv[1:]]), "k": 20,
              "target": {"query_p50_ms": 5.0, "query_p99_ms": 20.0}, "sizes": {}}
    for count in (int(s) for s in args.sizes.split(",")):
        data = small_library(count) if count <= 5000 else large_library(count, dim)
        runs = [measure(data, args.queries, args.profile_queries) for _ in range(args.repeats)]
        offline = [measure_offline(data, args.queries, args.profile_queries) for _ in range(args.repeats)]
        report["sizes"][str(count)] = {
            "query_p50_ms_median": median_of(runs, "query_p50_ms"),
            "query_p99_ms_median": median_of(runs, "query_p99_ms"),
            "one_folder_offline": {"query_p50_ms_median": median_of(offline, "query_p50_ms"),
                                   "query_p99_ms_median": median_of(offline, "query_p99_ms"),
                                   "runs": offline},
            "runs": runs}
    print(json.dumps(fixtures.finish(report), ensure_ascii=False))


if __name__ == "__main__":
    main()
