"""Fixtures for the fault-injection tests: the environment and runner of CLI subprocesses."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest


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
