"""Fixtures shared by the whole suite: a tiny randomly initialised model, drawn photos, the shared data path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(os.environ.get("PHOTOSEARCH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
REPO_ROOT = Path(__file__).resolve().parents[1]

# A model small enough to build and run in well under a second: same architecture, tiny widths.
TINY_CONFIG = dict(
    joint_dim=32,
    image_backbone="efficientnet-lite0",
    image_size=64,
    image_hidden=0,
    char_buckets=2048,
    char_dim=16,
    word_kernels=(2, 3),
    word_channels=16,
    word_dim=32,
    ngram_buckets=512,
    ngram_dim=16,
    sentence_hidden=32,
    dropout=0.0,
    name="tiny-test-model",
)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with config.json + model.safetensors of a tiny random model (seeded, so stable)."""
    import torch

    from photosearch.model import JointModel, ModelConfig, save_model

    torch.manual_seed(0)
    directory = tmp_path_factory.mktemp("tiny-model")
    save_model(JointModel(ModelConfig(**TINY_CONFIG)), directory)
    return directory


@pytest.fixture(scope="session")
def tiny_encoder(tiny_model_dir: Path):
    """The tiny model loaded on the CPU, shared by the tests that only read from it."""
    from photosearch.model import load_model

    return load_model(tiny_model_dir, device="cpu")


@pytest.fixture()
def shared_data() -> Path:
    """../shared/data, or skip the test when it is not there (CI without the data, a user's checkout)."""
    if not (SHARED_DATA / "flickr8k" / "captions.jsonl").is_file():
        pytest.skip("../shared/data is not available")
    return SHARED_DATA


def draw_photo(path: Path, seed: int, size: tuple[int, int] = (160, 120), fmt: str | None = None) -> Path:
    """Draw a distinct little picture (background colour plus shapes chosen by `seed`) and save it."""
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x0, y0 = rng.randrange(size[0]), rng.randrange(size[1])
        x1, y1 = x0 + rng.randrange(10, size[0]), y0 + rng.randrange(10, size[1])
        color = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0, y0, x1, y1), fill=color)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format=fmt)
    return path


@pytest.fixture()
def photo_factory(tmp_path: Path):
    """Call it with a relative name (and optionally a seed) to get a drawn photo under tmp_path/photos."""
    counter = iter(range(10_000))

    def make(name: str, seed: int | None = None, **kwargs) -> Path:
        return draw_photo(tmp_path / "photos" / name, next(counter) if seed is None else seed, **kwargs)

    return make
