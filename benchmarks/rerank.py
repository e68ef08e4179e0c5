"""What ADAPT re-ranking costs a text query through `Library.search`: seconds per query and per re-ranked photo.

    nice .venv/bin/python benchmarks/rerank.py [--photos 40] [--queries 5] [--ranks 0,5,20] [--size 4000x3000]

Builds (once, under $PHOTOSEARCH_BENCH_DIR) a library of camera-sized JPEGs (benchmarks/fixtures.py's realistic
photos: the shared Flickr pictures when they are there, else drawn scenes, upscaled with sensor grain, about 3 MB
each) and indexes it with the benchmark weights (the shipped ones, with their ADAPT head). Then, with the model
loaded (the app's case: the GUI loads it at start-up), it times `Library.search(q, 20, rerank=N)` for each N over
the same queries; `per_photo_s` is the time added over rerank 0, divided by N. The first rerank query, which
loads the ADAPT head and warms the backbone, is reported apart. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures


def library_dir(photos: Path, weights_kind: str) -> Path:
    return fixtures.BENCH_ROOT / f"rerank-library-{photos.name}-{zlib.crc32(weights_kind.encode()):08x}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--queries", type=int, default=5)
    parser.add_argument("--ranks", default="0,5,20")
    parser.add_argument("--size", default="4000x3000")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    ranks = [int(v) for v in args.ranks.split(",")]
    _, kind = fixtures.use_bench_model()
    from photosearch.core.library import Library

    photos = fixtures.realistic_photos(args.photos, (width, height))
    data = library_dir(photos, kind)
    report: dict = {"benchmark": "rerank", "machine": fixtures.machine(), "weights": kind,
                    "command": " ".join(["benchmarks/rerank.py", *sys.argv[1:]]),
                    "photos": {"count": args.photos, "size": f"{width}x{height} JPEG q90"}, "k": 20, "rerank": {}}
    lib = Library(data_dir=data / "data", cache_dir=data / "cache", device="cpu")
    try:
        if not lib.folders():
            lib.add_folder(photos)
        started = time.perf_counter()
        for _ in lib.index():
            pass
        report["index_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        lib.ensure_model()
        report["model_load_s"] = round(time.perf_counter() - started, 2)
        texts = fixtures.QUERIES[:args.queries]
        for text in texts:  # the text tower and the index warm
            lib.search(text, 20)
        base = None
        for n in ranks:
            first = None
            if n:
                started = time.perf_counter()
                lib.search(fixtures.QUERIES[-1], 20, rerank=n)
                first = round(time.perf_counter() - started, 3)
            times = []
            for text in texts:
                started = time.perf_counter()
                lib.search(text, 20, rerank=n)
                times.append(time.perf_counter() - started)
            per_query = fixtures.median(times)
            if n == 0:
                base = per_query
            entry = {"per_query_s": round(per_query, 3), "max_s": round(max(times), 3), "first_query_s": first}
            if n and base is not None:
                entry["per_photo_s"] = round((per_query - base) / n, 3)
            report["rerank"][str(n)] = entry
    finally:
        lib.close()
    print(json.dumps(fixtures.finish(report), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
