"""Time to answer hostile queries (control characters, lone surrogates, 10,000-character texts) on a small library.

    .venv/bin/python benchmarks/hostile_queries.py [--photos 12] [--repeats 3]

The queries are those of tests/reliability/test_hostile_queries.py, which checks what they return; this measures
how long each takes (a query is answered in milliseconds; a slow one means runaway work: a quadratic parser, a
hang). The library is drawn photos in a temporary folder, indexed with the bench model. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import fixtures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    _, kind = fixtures.use_bench_model()
    report = {"benchmark": "hostile_queries", "weights": kind, "photos": args.photos, "machine": fixtures.machine()}

    from photosearch.core.library import Library
    from photosearch.core.query import QueryError
    from tests.conftest import draw_photo
    from tests.reliability.test_hostile_queries import SPECIAL

    with tempfile.TemporaryDirectory(prefix="hostile-") as scratch:
        root = Path(scratch)
        for i in range(args.photos):
            draw_photo(root / "photos" / f"p{i}.jpg", seed=i)
        with Library(root / "data", cache_dir=root / "cache", device="cpu") as library:
            library.add_folder(root / "photos")
            list(library.index())
            library.search("warm-up", k=5)
            seconds = []
            for query in SPECIAL:
                best = float("inf")
                for _ in range(args.repeats):
                    started = time.perf_counter()
                    try:
                        library.search(query, k=5)
                    except QueryError:
                        pass
                    best = min(best, time.perf_counter() - started)
                seconds.append((best, len(query)))
    times = [s for s, _ in seconds]
    slowest, length = max(seconds)
    report.update(queries=len(SPECIAL), median_ms=round(fixtures.median(times) * 1000, 2),
                  p95_ms=round(fixtures.percentile(times, 95) * 1000, 2), max_ms=round(slowest * 1000, 2),
                  slowest_query_length=length)
    print(json.dumps(fixtures.finish(report), indent=2))


if __name__ == "__main__":
    main()
