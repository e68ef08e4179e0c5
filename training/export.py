"""Builds the shippable model from a training run: pretrained backbone + trained text encoder and projection.

    python training/export.py runs/<name> resources/model [--checkpoint best.pt]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from photosearch.model.config import ModelConfig
from photosearch.model.network import JointModel
from photosearch.model.weights import save_model
from training.backbone import pretrained_backbone

MAX_TEXT_PARAMS = 10_000_000
MAX_WEIGHTS_BYTES = 30 * 1024 * 1024


def export(run: Path, target: Path, checkpoint: str = "best.pt", extra: dict | None = None) -> JointModel:
    """Write model.safetensors + config.json for the run's chosen checkpoint into `target`."""
    cfg = ModelConfig.load(run / "model_config.json")
    # Written by train.py in this run folder: plain tensors only, and weights_only refuses anything else.
    trained = torch.load(run / checkpoint, map_location="cpu", weights_only=True)
    model = JointModel(cfg)
    model.image.backbone.load_state_dict(pretrained_backbone(cfg.image_backbone).state_dict())
    missing, unexpected = model.load_state_dict(trained, strict=False)
    not_backbone = [k for k in missing if not k.startswith("image.backbone.")]
    if not_backbone or unexpected:
        raise SystemExit(f"{run / checkpoint} does not fit the config: missing {not_backbone}, unexpected {unexpected}")
    n_text = sum(p.numel() for p in model.text.parameters())
    if n_text > MAX_TEXT_PARAMS:
        raise SystemExit(f"text encoder has {n_text:,} parameters; the limit is {MAX_TEXT_PARAMS:,}")
    provenance = {"run": run.name, "checkpoint": checkpoint}
    summary = run / "best_metrics.json"
    if summary.is_file():
        best = json.loads(summary.read_text(encoding="utf-8"))
        provenance["step"] = best.get("step")
    model.cfg = dataclasses.replace(cfg, extra={**cfg.extra, "training": provenance, **(extra or {})})
    save_model(model.eval(), target)
    size = (target / "model.safetensors").stat().st_size
    if size > MAX_WEIGHTS_BYTES:
        raise SystemExit(f"{target / 'model.safetensors'} is {size / 2**20:.1f} MiB; the limit is 30 MiB")
    print(f"exported {run} ({checkpoint}) -> {target}: {size / 2**20:.1f} MiB, text encoder {n_text / 1e6:.2f}M params")
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--checkpoint", default="best.pt")
    args = parser.parse_args()
    export(args.run, args.target, args.checkpoint)


if __name__ == "__main__":
    main()
