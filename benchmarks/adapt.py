"""ADAPT's added cost on this machine: one heat-map, re-ranking the top N by recomputed maps, the head alone.

    .venv/bin/python benchmarks/adapt.py [--photos 20] [--threads 1] [--repeats 3]

Uses the weights of benchmarks/fixtures.py (the shipped ones) with their ADAPT head; without one, a random head
(speed does not depend on the values). Photos: camera-sized JPEGs (4000 x 3000, made once). Prints one JSON
object: `explain_ms` (Library.explain's work for one photo: decode, whole-photo backbone pass, head),
`rerank_ms_per_photo` and `rerank_ms` for the top 10/20/50 (each photo decoded and run through the backbone
again: what the app's re-ranking option costs a query), and `head_ms` (the head alone on 100 candidates whose
region vectors were at hand: the floor of any stored-regions design).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from photosearch.core import focus
    from photosearch.model import load_model
    from photosearch.model.adapt import AdaptConfig, AdaptHead, file_sha256, save_adapt

    weights, kind = fixtures.model_dir()
    scratch = None
    if not (weights / "adapt.safetensors").is_file():
        scratch = Path(tempfile.mkdtemp(prefix="adapt-bench-"))
        shutil.copytree(weights, scratch / "model")
        weights = scratch / "model"
        dim = json.loads((weights / "config.json").read_text())["joint_dim"]
        save_adapt(AdaptHead(AdaptConfig(joint_dim=dim, model_sha256=file_sha256(weights / "model.safetensors"))),
                   weights)
        kind += " + random ADAPT head"
    report: dict = {"machine": fixtures.machine(), "weights": kind, "threads": args.threads}
    encoder = load_model(weights, device="cpu")
    folder = fixtures.realistic_photos(args.photos)
    paths = sorted(str(p) for p in folder.glob("*.jpg"))[:args.photos]
    query = encoder.encode_texts(["a dog running on the beach"])[0]
    focus.heatmap(encoder, paths[0], query)  # warm-up: first-call allocations

    explain = []
    for _ in range(args.repeats):
        for path in paths[:5]:
            tick = time.perf_counter()
            focus.heatmap(encoder, path, query)
            explain.append(time.perf_counter() - tick)
    report["explain_ms"] = {"median": round(1000 * fixtures.median(explain), 1),
                            "p90": round(1000 * fixtures.percentile(explain, 90), 1)}

    per_photo = []
    for _ in range(args.repeats):
        tick = time.perf_counter()
        focus.rerank(encoder, query, paths, [0.3] * len(paths))
        per_photo.append((time.perf_counter() - tick) / len(paths))
    ms = 1000 * fixtures.median(per_photo)
    report["rerank_ms_per_photo"] = round(ms, 1)
    report["rerank_ms"] = {f"top{n}": round(ms * n) for n in (10, 20, 50, 100)}

    head = encoder.adapt_head()
    q = torch.from_numpy(query)[None]
    head_times = {}
    for regions in (81, 9):
        cand = torch.randn(1, 100, regions, encoder.dim)
        times = []
        with torch.inference_mode():
            for _ in range(50):
                tick = time.perf_counter()
                head(q, cand)
                times.append(time.perf_counter() - tick)
        head_times[f"top100_{regions}regions"] = round(1000 * fixtures.median(times), 2)
    report["head_ms"] = head_times
    report["photos"] = {"count": len(paths), "size": "4000x3000 JPEG q90"}
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(fixtures.finish(report), indent=1))


if __name__ == "__main__":
    main()
