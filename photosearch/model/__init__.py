"""The language-agnostic image-text model: network, tokenizer, preprocessing and weights I/O (no Qt, no sqlite)."""

from photosearch.model.adapt import AdaptHead, AdaptUnavailable, load_adapt, save_adapt
from photosearch.model.config import ModelConfig
from photosearch.model.encoder import Encoder, load_model, pick_device
from photosearch.model.network import JointModel
from photosearch.model.weights import bundled_weights_dir, load_joint_model, save_model

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
