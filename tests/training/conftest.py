"""Fixtures of the training tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.training.tiny_corpus import write_tiny_data


@pytest.fixture()
def tiny_data(tmp_path: Path) -> Path:
    """Drawn photos with English, German and Japanese captions, laid out like ../shared/data."""
    return write_tiny_data(tmp_path / "data")
