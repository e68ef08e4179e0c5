"""Fixtures for the core tests: a tiny model whose image vectors tell drawn photos apart, and libraries."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest


def _calibration_pictures(count: int):
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(1234)
    for _ in range(count):
        image = Image.new("RGB", (96, 96), tuple(rng.randrange(256) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        for _ in range(4):
            x, y = rng.randrange(80), rng.randrange(80)
            draw.ellipse((x, y, x + rng.randrange(8, 60), y + rng.randrange(8, 60)),
                         fill=tuple(rng.randrange(256) for _ in range(3)))
        yield image


def build_distinct_model(source: Path, target: Path) -> Path:
    """The tiny random model with its BatchNorm statistics measured on drawn pictures.

    With the default running statistics (mean 0, variance 1) a random EfficientNet collapses every image to
    the same vector; measured statistics keep the activations in range, so different photos get different
    vectors and "this photo's nearest neighbour is itself" can be tested.
    """
    import torch

    from photosearch.model import load_joint_model, save_model
    from photosearch.model.preprocess import images_to_tensor

    model = load_joint_model(source).float()
    pictures = list(_calibration_pictures(32))
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = None  # cumulative average: one pass gives the batch statistics
            module.reset_running_stats()
    model.train()
    with torch.no_grad():
        model.encode_image(images_to_tensor(pictures, model.cfg.image_size))
    model.eval()
    save_model(model, target, half=False)
    return target


@pytest.fixture(scope="session")
def distinct_model_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_distinct_model(tiny_model_dir, tmp_path_factory.mktemp("distinct-model"))


@pytest.fixture(scope="session")
def distinct_encoder(distinct_model_dir: Path):
    from photosearch.model import load_model

    return load_model(distinct_model_dir, device="cpu")


@pytest.fixture()
def make_library(tmp_path: Path, distinct_encoder):
    """Open a Library in tmp_path/data (closed at the end of the test); extra kwargs go to Library."""
    from photosearch.core.library import Library

    opened = []

    def make(**kwargs):
        kwargs.setdefault("data_dir", tmp_path / "data")
        kwargs.setdefault("cache_dir", tmp_path / "cache")
        kwargs.setdefault("encoder", distinct_encoder)
        library = Library(**kwargs)
        opened.append(library)
        return library

    yield make
    for library in opened:
        library.close()


@pytest.fixture()
def wait_until() -> Callable[..., None]:
    """Poll a condition until it is true (pytest-qt's waitUntil, without Qt); fail after `timeout` seconds."""

    def wait(condition: Callable[[], object], timeout: float = 5.0, interval: float = 0.05) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s")
            time.sleep(interval)

    return wait


class CountingEncoder:
    """Wraps an Encoder and counts the images it embeds, to prove that some operation made no model call."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.images_embedded = 0

    def encode_arrays(self, arrays):
        self.images_embedded += len(arrays)
        return self._inner.encode_arrays(arrays)

    def encode_images(self, images, batch_size: int = 32):
        self.images_embedded += len(images)
        return self._inner.encode_images(images, batch_size)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


@pytest.fixture()
def counting_encoder(distinct_encoder) -> CountingEncoder:
    return CountingEncoder(distinct_encoder)
