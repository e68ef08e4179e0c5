"""The language-agnostic image-text model: network, tokenizer, preprocessing and weights I/O (no Qt, no sqlite)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from photosearch.model.adapt import AdaptHead, AdaptUnavailable, load_adapt, save_adapt
    from photosearch.model.config import ModelConfig
    from photosearch.model.encoder import Encoder, load_model, pick_device
    from photosearch.model.network import JointModel
    from photosearch.model.weights import bundled_weights_dir, load_joint_model, save_model

# Each name is imported from its module on first use, not here: `photosearch status` reads the weights folder
# and the model's name through this package, and importing the network here would import torch (seconds).
_HOMES = {
    "AdaptHead": "adapt", "AdaptUnavailable": "adapt", "load_adapt": "adapt", "save_adapt": "adapt",
    "ModelConfig": "config",
    "Encoder": "encoder", "load_model": "encoder", "pick_device": "encoder",
    "JointModel": "network",
    "bundled_weights_dir": "weights", "load_joint_model": "weights", "save_model": "weights",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'photosearch.model' has no attribute {name!r}")
    return getattr(importlib.import_module(f"photosearch.model.{home}"), name)


__all__ = [
    "AdaptHead",
    "AdaptUnavailable",
    "Encoder",
    "JointModel",
    "ModelConfig",
    "bundled_weights_dir",
    "load_adapt",
    "load_joint_model",
    "load_model",
    "pick_device",
    "save_adapt",
    "save_model",
]
