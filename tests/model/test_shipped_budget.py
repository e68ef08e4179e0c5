"""The shipped weights stay inside the size budget of issue 8: text encoder <= 10M parameters, all files <= 30 MB."""

from __future__ import annotations

from pathlib import Path

import pytest

WEIGHTS = Path(__file__).resolve().parents[2] / "resources" / "model"
SHIPPED_FILES = ("model.safetensors", "config.json", "adapt.safetensors", "adapt.json")


@pytest.mark.skipif(not (WEIGHTS / "model.safetensors").is_file(), reason="no shipped weights in resources/model")
def test_shipped_text_encoder_has_at_most_ten_million_parameters():
    from safetensors import safe_open

    with safe_open(str(WEIGHTS / "model.safetensors"), framework="pt") as weights:
        text = sum(_numel(weights.get_slice(name)) for name in weights.keys() if name.startswith("text."))
    assert 1_000_000 < text <= 10_000_000, f"text encoder has {text} parameters"


def _numel(tensor_slice) -> int:
    count = 1
    for size in tensor_slice.get_shape():
        count *= size
    return count


@pytest.mark.skipif(not (WEIGHTS / "model.safetensors").is_file(), reason="no shipped weights in resources/model")
def test_all_shipped_weight_files_fit_in_thirty_megabytes():
    total = sum((WEIGHTS / name).stat().st_size for name in SHIPPED_FILES if (WEIGHTS / name).is_file())
    assert total <= 30_000_000, f"shipped weights take {total / 1e6:.1f} MB"
