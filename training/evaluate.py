"""Dev-split evaluation of exported weights through the app's own path (JPEG -> load_model -> vectors).

    python training/evaluate.py --weights resources/model --data ../shared/data --split dev [--json]
    python training/evaluate.py --run runs/<name> [--json]     # fast: cached backbone features, for model selection
    python training/evaluate.py --run resources/model [--json] # the same fast figures for exported weights
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.metrics import DevData, format_table, run_benchmark

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _open(path: Path) -> Image.Image:
    with Image.open(path) as im:
        return ImageOps.exif_transpose(im).convert("RGB")


def encode_folder(encoder, folder: Path, names: list[str], batch: int = 32) -> np.ndarray:
    out = []
    for lo in range(0, len(names), batch):
        out.append(encoder.encode_images([_open(folder / n) for n in names[lo:lo + batch]]))
    return np.concatenate(out)


def evaluate_weights(weights: Path, data: Path, split: str = "dev", device: str = "cpu") -> dict[str, float]:
    """Every dev figure for the weights in `weights`, with photos decoded and preprocessed as the app does."""
    from photosearch.model import load_model

    dev = DevData.load(data, split)
    encoder = load_model(weights, device=device)
    dev_vecs = encode_folder(encoder, data / "flickr8k" / "images", dev.dev_images)
    imagenet_vecs = encode_folder(encoder, data / "imagenet-sample" / "images", [r.image for r in dev.imagenet])
    return run_benchmark(lambda texts: encoder.encode_texts(list(texts)), dev_vecs, imagenet_vecs, dev)


def evaluate_run(run: Path, data: Path, cache: Path, checkpoint: str = "best.pt") -> dict[str, float]:
    """The same figures from a run folder and the cached backbone features (no JPEG decoding)."""
    import torch

    from photosearch.model.config import ModelConfig
    from photosearch.model.network import JointModel
    from photosearch.model.tokenizer import Tokenizer
    from training.train import fast_benchmark

    if (run / "model.safetensors").is_file():  # an export (resources/model): the same fast figures for it
        from photosearch.model.weights import load_joint_model

        model = load_joint_model(run)
        cfg = model.cfg
    else:
        cfg = ModelConfig.load(run / "model_config.json")
        model = JointModel(cfg)
        model.load_state_dict(torch.load(run / checkpoint, map_location="cpu", weights_only=True), strict=False)
    metrics = fast_benchmark(model, Tokenizer(cfg.tokenizer_config()), DevData.load(data), cache, torch.device("cpu"))
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--weights", type=Path, help="a folder with model.safetensors + config.json")
    source.add_argument("--run", type=Path, help="a training run folder (fast mode, cached features)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--cache", type=Path, default=Path("runs/cache"))
    parser.add_argument("--checkpoint", default="best.pt")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not (args.data / "flickr8k" / "captions.jsonl").is_file():
        raise SystemExit(f"no evaluation data in {args.data} (expected flickr8k/captions.jsonl)")
    start = time.time()
    if args.weights:
        metrics = evaluate_weights(args.weights, args.data, args.split, args.device)
    else:
        if args.split != "dev":
            raise SystemExit("fast mode evaluates the dev split only")
        metrics = evaluate_run(args.run, args.data, args.cache, args.checkpoint)
    if args.json:
        print(json.dumps(metrics, indent=1, sort_keys=True))
    else:
        print(format_table(metrics))
        print(f"({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
