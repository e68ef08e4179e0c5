"""Indexing speed: decode-only, model-only and end-to-end `Library.index` rates on the same photos, in one run.

    .venv/bin/python benchmarks/indexing.py [--photos 120] [--repeats 3]

Prints one JSON object. The ratio end_to_end / min(decode_only, model_only) says how close the indexer comes
to its slower stage; on a machine where decoding and the model share the same cores it cannot reach 1.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures


def decode_only(paths: list[str], encoder, threads: int) -> tuple[float, list[np.ndarray]]:
    """The indexer's own per-file work (magic check, content hash, decode, preprocess) on its pool size."""
    from photosearch.core import indexer, scanner

    items = [scanner.stat_file(p) for p in paths]
    min_side = encoder.image_size  # as Indexer._embed decodes
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        prepared = list(pool.map(lambda item: indexer._prepare(item, None, encoder, min_side), items))
    elapsed = time.perf_counter() - started
    bad = [p.reason for p in prepared if p.reason]
    if bad:
        raise SystemExit(f"benchmark photos failed to decode: {bad[:3]}")
    return len(paths) / elapsed, [p.array for p in prepared]


def model_only(arrays: list[np.ndarray], encoder, batch: int) -> float:
    stacked = np.stack(arrays)
    started = time.perf_counter()
    for lo in range(0, len(stacked), batch):
        encoder.encode_arrays(stacked[lo:lo + batch])
    return len(stacked) / (time.perf_counter() - started)


def end_to_end(folder: Path, encoder) -> tuple[float, dict]:
    from photosearch.core.library import Library

    data = Path(tempfile.mkdtemp(prefix="bench-index-", dir=fixtures.BENCH_ROOT))
    try:
        with Library(data_dir=data / "data", cache_dir=data / "cache", encoder=encoder) as lib:
            lib.add_folder(folder)
            started = time.perf_counter()
            for _ in lib.index():
                pass
            elapsed = time.perf_counter() - started
            summary = dict(lib.last_index_summary)
        return summary["added"] / elapsed, summary
    finally:
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", default="4000x3000", help="photo size, WIDTHxHEIGHT")
    args = parser.parse_args()

    weights, kind = fixtures.use_bench_model()
    width, height = (int(v) for v in args.size.split("x"))
    folder = fixtures.realistic_photos(args.photos, (width, height))
    paths = sorted(str(p) for p in folder.glob("*.jpg"))
    report = {"benchmark": "indexing", "machine": fixtures.machine(), "weights": kind,
              "command": " ".join(["benchmarks/indexing.py", *sys.argv[1:]]),
              "photos": len(paths), "photo_size": args.size,
              "photo_mb_mean": round(sum(Path(p).stat().st_size for p in paths) / len(paths) / 1e6, 2)}

    import photosearch
    from photosearch.core import indexer

    encoder = photosearch.load_model(weights, device="cpu")
    report.update(decode_threads=indexer.DECODE_THREADS, batch_size=indexer.BATCH_SIZE)
    # Warm-up: first calls allocate and pick kernels; the page cache then holds the files for every stage.
    _, arrays = decode_only(paths[:indexer.BATCH_SIZE], encoder, indexer.DECODE_THREADS)
    encoder.encode_arrays(np.stack(arrays))

    runs = []
    for _ in range(args.repeats):
        decode_rate, arrays = decode_only(paths, encoder, indexer.DECODE_THREADS)
        model_rate = model_only(arrays, encoder, indexer.BATCH_SIZE)
        del arrays
        e2e_rate, summary = end_to_end(folder, encoder)
        if summary["added"] != len(paths):
            raise SystemExit(f"end-to-end indexed {summary['added']} of {len(paths)} photos: {summary['skipped'][:3]}")
        # Decoding and the model share the same cores: each photo costs the CPU time of both stages, so no
        # pipeline can beat 1 / (1/decode + 1/model) when each stage alone already fills every core.
        bound = 1 / (1 / decode_rate + 1 / model_rate)
        runs.append({"decode_only": decode_rate, "model_only": model_rate, "end_to_end": e2e_rate,
                     "ratio": e2e_rate / min(decode_rate, model_rate), "shared_core_bound": bound,
                     "ratio_to_shared_core_bound": e2e_rate / bound})
    for key in ("decode_only", "model_only", "end_to_end", "shared_core_bound"):
        report[f"{key}_median_photos_per_s"] = round(fixtures.median([r[key] for r in runs]), 3)
    for key in ("ratio", "ratio_to_shared_core_bound"):
        report[f"{key}_median"] = round(fixtures.median([r[key] for r in runs]), 3)
    report["runs"] = [{k: round(v, 3) for k, v in r.items()} for r in runs]
    report["target_ratio"] = 0.85
    print(json.dumps(fixtures.finish(report), ensure_ascii=False))


if __name__ == "__main__":
    main()
