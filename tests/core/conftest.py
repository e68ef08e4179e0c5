"""Fixtures for the core tests: a second tiny model with other weights."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def other_encoder(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The tiny model with a different image projection: other weights, same dimension."""
    import torch

    from photosearch.model import load_joint_model, load_model, save_model

    model = load_joint_model(tiny_model_dir)
    with torch.no_grad():
        model.image.projection.linear.weight.mul_(-1.0)
    directory = tmp_path_factory.mktemp("other-model")
    save_model(model, directory, half=False)
    return load_model(directory, device="cpu")
