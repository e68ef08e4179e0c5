"""Fixtures for the core tests: a tiny model whose image vectors tell drawn photos apart, and libraries."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from photosearch_test_models import build_distinct_model


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
