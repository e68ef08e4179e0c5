"""Fixtures for the fault-injection tests: libraries on temp folders, an encoder that counts, CLI subprocesses."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest


class CountingEncoder:
    """Wraps an Encoder and counts the images it embeds, to prove that a recovery made no model call."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.images_embedded = 0

    def encode_arrays(self, arrays):
        self.images_embedded += len(arrays)
        return self._inner.encode_arrays(arrays)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


@pytest.fixture()
def counting_encoder(tiny_encoder) -> CountingEncoder:
    return CountingEncoder(tiny_encoder)


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
    """Poll a condition until it is true; fail after `timeout` seconds."""

    def wait(condition: Callable[[], object], timeout: float = 5.0, interval: float = 0.05) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s")
            time.sleep(interval)

    return wait


@pytest.fixture()
def cli_env(tiny_model_dir: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of a `photosearch` subprocess: the tiny model, the test's own cache and config dirs."""
    env = dict(os.environ)
    for name in ("PHOTOSEARCH_DATA_DIR", "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    env["PHOTOSEARCH_WEIGHTS"] = str(tiny_model_dir)
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg-cache")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture()
def cli_command() -> Callable[..., list[str]]:
    """The argv of `photosearch --data-dir DIR ARGS` run with this interpreter."""

    def command(data_dir: Path, *args: str) -> list[str]:
        return [sys.executable, "-m", "photosearch", "--data-dir", str(data_dir), *args]

    return command


def photos_in_catalog(data_dir: Path) -> list[str]:
    """Every photo path in the catalog file, read with plain sqlite (duplicates would show twice)."""
    import sqlite3

    conn = sqlite3.connect(data_dir / "catalog.sqlite3")
    try:
        return [row[0] for row in conn.execute("SELECT path FROM photos WHERE vector IS NOT NULL")]
    finally:
        conn.close()
