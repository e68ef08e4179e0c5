"""Fixtures for the core tests: libraries on temp folders, and an encoder that counts its calls."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture()
def make_library(tmp_path: Path, tiny_encoder):
    """Open a Library in tmp_path/data (closed at the end of the test); extra kwargs go to Library."""
    from photosearch.core.library import Library

    opened = []

    def make(**kwargs):
        kwargs.setdefault("data_dir", tmp_path / "data")
        kwargs.setdefault("cache_dir", tmp_path / "cache")
        kwargs.setdefault("encoder", tiny_encoder)
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
def counting_encoder(tiny_encoder) -> CountingEncoder:
    return CountingEncoder(tiny_encoder)


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
