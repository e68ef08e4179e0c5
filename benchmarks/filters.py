"""Search filters at 100k photos: a text query through `Library.search`, warm, with and without a filter.

    .venv/bin/python benchmarks/filters.py [--photos 100000] [--queries 300]

The library is benchmarks/query.py's large one: clustered synthetic vectors in four existing library folders,
dates taken spread over 2015-2024. Each filter is timed over the same queries: none; three months (about 2.5%
of the photos: an exact scan of the photos it lets through); one folder (25%); five years (50%: HNSW skipping
the rest); one folder and one year together. The first query of each filter, which reads the ids it lets
through from the catalog, is reported apart. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures
import query


def filters(data: Path) -> dict:
    from photosearch.core.filters import PhotoFilter
    from photosearch.core.paths import normalise

    drive = normalise(data.parent / "photos" / "drive1")
    return {
        "none": None,
        "three_months": PhotoFilter(after=dt.datetime(2019, 6, 1), before=dt.datetime(2019, 9, 1)),
        "one_folder": PhotoFilter(folder=drive),
        "five_years": PhotoFilter(after=dt.datetime(2017, 1, 1), before=dt.datetime(2022, 1, 1)),
        "folder_and_year": PhotoFilter(folder=drive, after=dt.datetime(2020, 1, 1), before=dt.datetime(2021, 1, 1)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    weights, kind = fixtures.use_bench_model()
    from photosearch.core.library import Library
    from photosearch.model.config import ModelConfig

    data = query.large_library(args.photos, ModelConfig.load(weights / "config.json").joint_dim)
    texts = fixtures.QUERIES
    report = {"benchmark": "filters", "machine": fixtures.machine(), "weights": kind,
              "command": " ".join(["benchmarks/filters.py", *sys.argv[1:]]), "k": 20, "filters": {}}
    lib = Library(data_dir=data, cache_dir=data.parent / "cache", device="cpu")
    try:
        for text in texts[:20]:
            lib.search(text, 20)
        for name, where in filters(data).items():
            started = time.perf_counter()
            first = lib.search(texts[0], 20, where=where)
            first_ms = 1000 * (time.perf_counter() - started)
            times, counts = [], set()
            for n in range(args.queries):
                started = time.perf_counter()
                results = lib.search(texts[n % len(texts)], 20, where=where)
                times.append(time.perf_counter() - started)
                counts.add(len(results))
            report["filters"][name] = {"first_query_ms": round(first_ms, 2), "query_p50_ms": query.ms(times, 50),
                                       "query_p99_ms": query.ms(times, 99), "results": sorted(counts),
                                       "first_results": len(first)}
        report["photos"] = lib.photo_count()
    finally:
        lib.close()
    print(json.dumps(fixtures.finish(report), ensure_ascii=False))


if __name__ == "__main__":
    main()
