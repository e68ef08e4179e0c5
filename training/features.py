"""Caches frozen-backbone features of training and evaluation images, so training runs on vectors."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from photosearch.model.image_tower import LITE_VARIANTS
from photosearch.model.preprocess import images_to_tensor
from training.backbone import pretrained_backbone

# Feature views cached per image: the plain centre crop and its mirror image (a free augmentation).
VIEWS = ("center", "flip")


def cache_path(cache_dir: Path, variant: str, name: str, image_size: int | None = None, tap_blocks: int = 0) -> Path:
    """Features at the backbone's native resolution and without taps keep the plain name; others say theirs."""
    stem = name if not tap_blocks else f"{name}-taps{tap_blocks}"
    if image_size is None or image_size == LITE_VARIANTS[variant][2]:
        return cache_dir / variant / f"{stem}.npz"
    return cache_dir / variant / f"{stem}-{image_size}px.npz"


def spatial_path(cache_file: Path) -> Path:
    """Where the centre view's feature maps of a cache file live."""
    return cache_file.with_name(cache_file.stem + "-spatial.npy")


def extract(paths: list[Path], variant: str, views: tuple[str, ...], batch_size: int = 32,
            device: str = "cpu", log_every: int = 20, image_size: int | None = None,
            spatial_file: Path | None = None, tap_blocks: int = 0) -> dict[str, np.ndarray]:
    """Pooled features (1280-d, more with `tap_blocks`) of every image in each view, float16.

    With `spatial_file`, the centre view's whole feature map (N, H*W, C) is written there too
    (a memory-mappable .npy), for training ADAPT's region attention from the same single pass.
    """
    size = image_size or LITE_VARIANTS[variant][2]
    backbone = pretrained_backbone(variant, tap_blocks).to(device)
    channels = backbone.out_channels
    out = {view: np.zeros((len(paths), channels), dtype=np.float16) for view in views}
    spatial = None
    start = time.time()
    for b, lo in enumerate(range(0, len(paths), batch_size)):
        images = [Image.open(p) for p in paths[lo:lo + batch_size]]
        images = [ImageOps.exif_transpose(im).convert("RGB") for im in images]
        for view in views:
            batch = images if view == "center" else [ImageOps.mirror(im) for im in images]
            with torch.inference_mode():
                maps = backbone(images_to_tensor(batch, size).to(device))
                feats = maps.mean(dim=(2, 3))
            if spatial_file is not None and view == "center":
                if spatial is None:
                    spatial_file.parent.mkdir(parents=True, exist_ok=True)
                    regions = maps.shape[2] * maps.shape[3]
                    spatial = np.lib.format.open_memmap(spatial_file.with_suffix(".tmp.npy"), mode="w+",
                                                        dtype=np.float16, shape=(len(paths), regions, channels))
                spatial[lo:lo + len(images)] = maps.flatten(2).transpose(1, 2).float().cpu().numpy()
            out[view][lo:lo + len(images)] = feats.float().cpu().numpy().astype(np.float16)
        if b % log_every == 0:
            done = lo + len(images)
            rate = done / max(time.time() - start, 1e-6)
            print(f"  {done}/{len(paths)} images, {rate:.1f}/s", flush=True)
    if spatial is not None:
        spatial.flush()
        del spatial
        spatial_file.with_suffix(".tmp.npy").replace(spatial_file)
    return out


def ensure_cached(image_dir: Path, names: list[str], cache_file: Path, variant: str,
                  views: tuple[str, ...] = VIEWS, device: str = "cpu",
                  image_size: int | None = None, spatial: bool = False, tap_blocks: int = 0
                  ) -> dict[str, np.ndarray]:
    """Load the cached features for `names`, extracting (and saving) them first if needed."""
    spatial_file = spatial_path(cache_file) if spatial else None
    if cache_file.exists() and (spatial_file is None or spatial_file.exists()):
        data = np.load(cache_file, allow_pickle=False)
        cached_names = list(data["names"])
        if cached_names == names and all(v in data for v in views):
            return {v: data[v] for v in views} | {"names": data["names"]}
    print(f"extracting {variant} features of {len(names)} images from {image_dir} -> {cache_file}", flush=True)
    feats = extract([image_dir / n for n in names], variant, views, device=device, image_size=image_size,
                    spatial_file=spatial_file, tap_blocks=tap_blocks)
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache_file.with_suffix(".tmp.npz")
    np.savez(tmp, names=np.array(names), **feats)
    tmp.replace(cache_file)
    return feats | {"names": np.array(names)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, default=Path("runs/cache"))
    parser.add_argument("--backbone", default="efficientnet-lite2")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--tap-blocks", type=int, default=0, help="the model config's image_tap_blocks")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    import json

    rows = [json.loads(line) for line in open(args.data / "flickr8k" / "captions.jsonl", encoding="utf-8")]
    ensure_cached(args.data / "flickr8k" / "images", [r["image"] for r in rows],
                  cache_path(args.cache, args.backbone, "flickr8k", tap_blocks=args.tap_blocks), args.backbone,
                  device=args.device, spatial=True, tap_blocks=args.tap_blocks)
    with open(args.data / "imagenet-sample" / "names.jsonl", encoding="utf-8") as f:
        names = [json.loads(line)["image"] for line in f]
    ensure_cached(args.data / "imagenet-sample" / "images", names,
                  cache_path(args.cache, args.backbone, "imagenet-sample", tap_blocks=args.tap_blocks), args.backbone,
                  device=args.device, tap_blocks=args.tap_blocks)


if __name__ == "__main__":
    main()
