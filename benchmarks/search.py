"""Search speed: text query -> top-20 latency at 10k/100k/1M photos, HNSW recall@10, index build time and size.

    .venv/bin/python benchmarks/search.py [--sizes 10000,100000,1000000] [--queries 400] [--rebuild]

Each library is written through the core's own storage path (Catalog.upsert_photos, then the VectorStore
rebuilds the HNSW index from the catalog and saves it) with clustered synthetic vectors, once; later runs
reuse it and its recorded build figures. Queries are real texts through the real text encoder and
`Library.search`. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures

UPSERT_BATCH = 5000


def library_dir(count: int, dim: int) -> Path:
    return fixtures.BENCH_ROOT / f"library-{count}-d{dim}"


def photo_path(i: int) -> str:
    return f"/bench-photos/{i // 1000:04d}/IMG_{i:07d}.jpg"


def build_library(count: int, dim: int) -> dict:
    """Catalog rows with vectors, then the HNSW index rebuilt from them and saved, as the app does it."""
    import shutil

    from photosearch.core.catalog import CATALOG_FILE, Catalog, NewPhoto
    from photosearch.core.hnsw_index import INDEX_FILE
    from photosearch.core.vector_store import VectorStore

    folder = library_dir(count, dim)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    catalog = Catalog(folder / CATALOG_FILE)
    started = time.perf_counter()
    i = 0
    for chunk in fixtures.ClusteredVectors(count, dim).chunks():
        for lo in range(0, len(chunk), UPSERT_BATCH):
            rows = chunk[lo:lo + UPSERT_BATCH]
            catalog.upsert_photos([
                NewPhoto(photo_path(i + j), "/bench-photos", 3_000_000 + i + j, 1_700_000_000_000_000_000 + i + j,
                         f"{i + j:032x}", 1.7e9, False, 4000, 3000, row) for j, row in enumerate(rows)])
            i += len(rows)
    fill = time.perf_counter() - started
    store = VectorStore(catalog, folder)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    store.current(dim)
    build = time.perf_counter() - started
    started = time.perf_counter()
    store.save()
    save = time.perf_counter() - started
    catalog.close()
    record = {"photos": count, "catalog_fill_s": round(fill, 2), "index_build_from_catalog_s": round(build, 2),
              "index_save_s": round(save, 2), "index_file_mb": round((folder / INDEX_FILE).stat().st_size / 1e6, 1),
              "catalog_file_mb": round((folder / CATALOG_FILE).stat().st_size / 1e6, 1),
              "built": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_at_build": round(load_before, 2),
              "nice": os.nice(0)}
    (folder / "build.json").write_text(json.dumps(record))
    return record


def measure(count: int, encoder, queries: int, recall_queries: int) -> dict:
    from photosearch.core.library import Library

    dim = encoder.dim
    folder = library_dir(count, dim)
    build = json.loads((folder / "build.json").read_text())
    lib = Library(data_dir=folder, cache_dir=fixtures.BENCH_ROOT / "cache", encoder=encoder)
    try:
        texts = fixtures.QUERIES
        started = time.perf_counter()
        lib.search(texts[0], 20)  # loads the saved index (checksum, labels) on the first query
        first = time.perf_counter() - started
        for text in texts[:20]:
            lib.search(text, 20)
        total, encode, hnsw, lookup = [], [], [], []
        index = lib.store.current(dim)
        for n in range(queries):
            text = texts[n % len(texts)]
            started = time.perf_counter()
            results = lib.search(text, 20)
            total.append(time.perf_counter() - started)
            if len(results) != 20:
                raise SystemExit(f"{text!r} gave {len(results)} results")
            t0 = time.perf_counter()
            vector = encoder.encode_texts([text])[0]
            t1 = time.perf_counter()
            hits = index.search(vector, 20)
            t2 = time.perf_counter()
            lib.catalog.paths_of(label for label, _ in hits)
            t3 = time.perf_counter()
            encode.append(t1 - t0)
            hnsw.append(t2 - t1)
            lookup.append(t3 - t2)

        space = fixtures.ClusteredVectors(count, dim)
        ids_ok = lib.catalog.paths_of([1, count]) == {1: photo_path(0), count: photo_path(count - 1)}
        if not ids_ok:
            raise SystemExit("catalog ids are not 1..N in insertion order; rebuild the library (--rebuild)")
        held_out = space.held_out(recall_queries)
        text_vectors = encoder.encode_texts(texts)
        recall_held_out = recall_at_10(index, space, held_out)
        recall_text = recall_at_10(index, space, text_vectors)
    finally:
        lib.close()

    def ms(values: list[float], q: float) -> float:
        return round(1000 * fixtures.percentile(values, q), 3)

    return {**build, "first_query_ms": round(1000 * first, 1), "queries": queries,
            "query_p50_ms": ms(total, 50), "query_p99_ms": ms(total, 99),
            "text_encode_p50_ms": ms(encode, 50), "text_encode_p99_ms": ms(encode, 99),
            "hnsw_top20_p50_ms": ms(hnsw, 50), "hnsw_top20_p99_ms": ms(hnsw, 99),
            "catalog_lookup_p50_ms": ms(lookup, 50), "catalog_lookup_p99_ms": ms(lookup, 99),
            "recall_at_10_held_out": round(recall_held_out, 4), "recall_at_10_text_queries": round(recall_text, 4),
            "recall_queries": recall_queries}


def recall_at_10(index, space: fixtures.ClusteredVectors, queries: np.ndarray) -> float:
    """Share of the exact top 10 (brute force over all vectors) that the HNSW search returns, as the app asks."""
    exact_top: list[set[int]] = [set() for _ in range(len(queries))]
    best = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    best_ids = np.zeros((len(queries), 10), dtype=np.int64)
    offset = 0
    for chunk in space.chunks():
        scores = queries @ chunk.T
        merged = np.concatenate([best, scores], axis=1)
        merged_ids = np.concatenate([best_ids, np.broadcast_to(np.arange(offset, offset + len(chunk)) + 1,
                                                               scores.shape)], axis=1)
        top = np.argpartition(-merged, 10, axis=1)[:, :10]
        best = np.take_along_axis(merged, top, axis=1)
        best_ids = np.take_along_axis(merged_ids, top, axis=1)
        offset += len(chunk)
    for i, row in enumerate(best_ids):
        exact_top[i] = {int(v) for v in row}
    found = 0
    for i, query in enumerate(queries):
        found += len(exact_top[i] & {label for label, _ in index.search(query, 10)})
    return found / (10 * len(queries))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--recall-queries", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="build the libraries again (and time the build)")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()

    weights, kind = fixtures.use_bench_model()
    import photosearch

    encoder = photosearch.load_model(weights, device="cpu")
    report = {"benchmark": "search", "machine": fixtures.machine(), "weights": kind,
              "command": " ".join(["benchmarks/search.py", *sys.argv[1:]]), "k": 20, "sizes": {}}
    from photosearch.core import hnsw_index, search

    report.update(hnsw_M=hnsw_index.HNSW_M, hnsw_ef_construction=hnsw_index.HNSW_EF_CONSTRUCTION,
                  hnsw_min_ef=hnsw_index.MIN_EF, background_sample=search.BACKGROUND_SAMPLE)
    for count in (int(s) for s in args.sizes.split(",")):
        if args.rebuild or not (library_dir(count, encoder.dim) / "build.json").is_file():
            build_library(count, encoder.dim)
        if not args.build_only:
            report["sizes"][str(count)] = measure(count, encoder, args.queries, args.recall_queries)
    print(json.dumps(fixtures.finish(report), ensure_ascii=False))


if __name__ == "__main__":
    main()
