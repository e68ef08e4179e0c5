"""Fixtures for the fault-injection tests: the environment and runner of CLI subprocesses."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


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
