"""Reads and writes model weights: safetensors plus config.json, never pickle."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from photosearch.filedigest import blake2b_files

if TYPE_CHECKING:
    from photosearch.model.network import JointModel

WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"


def bundled_weights_dir() -> Path:
    """Where the shipped weights live: beside the package in a checkout, or inside a frozen bundle."""
    override = os.environ.get("PHOTOSEARCH_WEIGHTS")
    if override:
        return Path(override)
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources" / "model"
    return Path(__file__).resolve().parents[2] / "resources" / "model"


def weights_fingerprint(directory: Path | None) -> str | None:
    """Identifies the model that made the stored vectors (vectors from another model are meaningless); None when
    the weights cannot be read."""
    if directory is None:
        return None
    try:
        return blake2b_files([Path(directory) / CONFIG_FILE, Path(directory) / WEIGHTS_FILE])
    except OSError:
        return None


def _replace_readable(tmp: str, target: Path) -> None:
    # mkstemp creates files readable by the owner only; shipped weights must be world-readable.
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


def save_model(model: JointModel, directory: Path, half: bool = True) -> None:
    """Write model.safetensors and config.json into `directory`, each atomically.

    Floating-point tensors are stored as float16 by default: it halves the download and the
    embeddings change by far less than the differences between photos.
    """
    from safetensors.torch import save_file  # torch: imported by the functions that need it (see load_joint_model)

    directory.mkdir(parents=True, exist_ok=True)
    state = {}
    for key, tensor in model.state_dict().items():
        tensor = tensor.detach().cpu()
        if half and tensor.is_floating_point():
            tensor = tensor.half()
        state[key] = tensor.contiguous()
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    os.close(fd)
    try:
        save_file(state, tmp, metadata={"format": "pt", "name": model.cfg.name})
        _replace_readable(tmp, directory / WEIGHTS_FILE)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    os.close(fd)
    model.cfg.save(Path(tmp))
    _replace_readable(tmp, directory / CONFIG_FILE)


def load_joint_model(directory: Path) -> JointModel:
    """Build the network from config.json and fill it from model.safetensors (float32, eval mode)."""
    # torch is imported here, not at the top: `photosearch status` asks bundled_weights_dir() where the model is,
    # and must answer without waiting seconds for torch.
    from safetensors.torch import load_file

    from photosearch.model.network import JointModel

    directory = Path(directory)
    config_path, weights_path = directory / CONFIG_FILE, directory / WEIGHTS_FILE
    if not config_path.is_file() or not weights_path.is_file():
        raise FileNotFoundError(f"no model in {directory}: expected {CONFIG_FILE} and {WEIGHTS_FILE}")
    from photosearch.model.config import ModelConfig  # numpy, via the tokenizer: not for `status`

    cfg = ModelConfig.load(config_path)
    model = JointModel(cfg)
    state = {k: (v.float() if v.is_floating_point() else v) for k, v in load_file(str(weights_path)).items()}
    model.load_state_dict(state, strict=True)
    return model.eval()
