"""Run configs that inherit: `base = "other.toml"` states only what differs, and mistakes are named."""

from __future__ import annotations

import pytest

from training.config import load_toml


def test_a_config_inherits_its_base_key_by_key(tmp_path):
    (tmp_path / "a.toml").write_text('[model]\njoint_dim = 64\nngram_buckets = 128\n[train]\nsteps = 100\nlr = 0.1\n'
                                     '[data]\nlexicons = ["de"]\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('base = "a.toml"\n[train]\nsteps = 5\n', encoding="utf-8")
    (tmp_path / "c.toml").write_text('base = "b.toml"\n[model]\nngram_buckets = 256\n', encoding="utf-8")
    model, train, data = load_toml(tmp_path / "c.toml")
    assert (model.joint_dim, model.ngram_buckets) == (64, 256)
    assert (train.steps, train.lr) == (5, 0.1)
    assert data.lexicons == ("de",)


def test_unknown_keys_and_circles_are_named(tmp_path):
    (tmp_path / "a.toml").write_text('base = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('base = "a.toml"\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="circle"):
        load_toml(tmp_path / "a.toml")
    (tmp_path / "c.toml").write_text('[train]\nstepz = 5\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="stepz"):
        load_toml(tmp_path / "c.toml")


def test_the_shipped_configs_load():
    from pathlib import Path

    configs = Path(__file__).resolve().parents[2] / "training" / "configs"
    for path in sorted(configs.glob("*.toml")) + sorted((configs / "archive").glob("*.toml")):
        load_toml(path)
