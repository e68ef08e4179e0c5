"""The model: parameters and weight size of each tower, text latency per query, image rate at batch 1/16/64.

    .venv/bin/python benchmarks/model.py [--repeats 5]

Prints one JSON object. On a machine with a CUDA GPU it adds fp32 and fp16 image rates on the GPU.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures

TOWERS = {"text": "text.", "image_backbone": "image.backbone.", "image_projection": "image.projection."}


def tower_sizes(weights: Path) -> dict:
    from safetensors import safe_open

    sizes: dict = {name: {"parameters": 0, "weight_bytes": 0} for name in [*TOWERS, "other"]}
    with safe_open(str(weights / "model.safetensors"), framework="pt") as handle:
        for key in handle.keys():
            tensor = handle.get_tensor(key)
            tower = next((name for name, prefix in TOWERS.items() if key.startswith(prefix)), "other")
            if tensor.is_floating_point() and "running_" not in key:
                sizes[tower]["parameters"] += tensor.numel()
            sizes[tower]["weight_bytes"] += tensor.numel() * tensor.element_size()
    sizes["file_bytes"] = (weights / "model.safetensors").stat().st_size
    return sizes


def image_rate(encoder, batch: int, repeats: int, photos: int) -> list[float]:
    """Photos per second with `batch` images per forward pass (the encoder's own pass size set to it)."""
    default, encoder.image_batch = encoder.image_batch, batch
    try:
        return _image_rate(encoder, batch, repeats, photos)
    finally:
        encoder.image_batch = default


def _image_rate(encoder, batch: int, repeats: int, photos: int) -> list[float]:
    rng = np.random.default_rng(0)
    pixels = rng.normal(0, 0.5, size=(batch, 3, encoder.image_size, encoder.image_size)).astype(np.float32)
    encoder.encode_arrays(pixels)  # first call picks kernels
    rates = []
    for _ in range(repeats):
        calls = max(1, photos // batch)
        started = time.perf_counter()
        for _ in range(calls):
            encoder.encode_arrays(pixels)
        rates.append(calls * batch / (time.perf_counter() - started))
    return rates


def text_latency(encoder, rounds: int) -> list[float]:
    for text in fixtures.QUERIES:
        encoder.encode_texts([text])
    times = []
    for n in range(rounds):
        text = fixtures.QUERIES[n % len(fixtures.QUERIES)]
        started = time.perf_counter()
        encoder.encode_texts([text])
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--photos", type=int, default=64, help="photos per timed repeat of each batch size")
    args = parser.parse_args()

    weights, kind = fixtures.use_bench_model()
    import torch

    import photosearch

    started = time.perf_counter()
    encoder = photosearch.load_model(weights, device="cpu")
    load_s = time.perf_counter() - started
    report = {"benchmark": "model", "machine": fixtures.machine(), "weights": kind,
              "command": " ".join(["benchmarks/model.py", *sys.argv[1:]]), "model": encoder.config.name,
              "backbone": encoder.config.image_backbone, "image_size": encoder.image_size, "dim": encoder.dim,
              "towers": tower_sizes(weights), "load_model_s": round(load_s, 3)}
    latency = text_latency(encoder, 300)
    report["text_query_ms"] = {"p50": round(1000 * fixtures.percentile(latency, 50), 3),
                               "p99": round(1000 * fixtures.percentile(latency, 99), 3)}
    report["cpu_images_per_s"] = {}
    report["cpu_image_batch_default"] = encoder.image_batch
    for batch in (1, 4, 8, 16, 32, 64):
        rates = image_rate(encoder, batch, args.repeats, args.photos)
        report["cpu_images_per_s"][str(batch)] = {"median": round(fixtures.median(rates), 2),
                                                  "runs": [round(r, 2) for r in rates]}
    if torch.cuda.is_available():
        from photosearch.model import load_joint_model
        from photosearch.model.encoder import Encoder
        from photosearch.model.inference import fold_batchnorm

        report["gpu_images_per_s"] = {}
        gpu16 = photosearch.load_model(weights, device="cuda")  # fp16 on CUDA
        gpu32 = Encoder(fold_batchnorm(load_joint_model(weights)), torch.device("cuda"))
        gpu32.dtype = torch.float32
        gpu32.model.float()
        for label, gpu in (("fp16", gpu16), ("fp32", gpu32)):
            for batch in (16, 64, 256):
                rates = image_rate(gpu, batch, args.repeats, 1024)
                report["gpu_images_per_s"][f"{label}_batch{batch}"] = round(fixtures.median(rates), 1)
    else:
        report["gpu_images_per_s"] = "no GPU on this machine"
    print(json.dumps(fixtures.finish(report), ensure_ascii=False))


if __name__ == "__main__":
    main()
