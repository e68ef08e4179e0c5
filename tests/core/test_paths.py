"""paths: default locations and path normalisation."""

from __future__ import annotations

import os

from photosearch.core import paths


def test_data_dir_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PHOTOSEARCH_DATA_DIR", str(tmp_path / "lib"))
    assert paths.default_data_dir() == tmp_path / "lib"


def test_default_dirs_are_per_user_and_named_after_the_app(monkeypatch):
    monkeypatch.delenv("PHOTOSEARCH_DATA_DIR", raising=False)
    for directory in (paths.default_data_dir(), paths.default_cache_dir(), paths.default_config_dir()):
        assert "PhotoSearch" in str(directory)


def test_normalise_resolves_dots_and_symlinked_folders(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    assert paths.normalise(tmp_path / "link") == str(real.resolve())
    assert paths.normalise(f"{real}/sub/..//") == str(real.resolve())


def test_normalise_file_keeps_the_name_and_is_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert paths.normalise_file("a/../b.jpg") == os.path.join(str(tmp_path), "b.jpg")


def test_is_within_does_not_confuse_sibling_prefixes():
    assert paths.is_within("/p/a/x.jpg", "/p/a")
    assert paths.is_within("/p/a", "/p/a")
    assert not paths.is_within("/p/ab/x.jpg", "/p/a")


def test_prefix_range_holds_exactly_the_paths_below():
    lo, hi = paths.prefix_range("/p/a")
    inside = ["/p/a/x.jpg", "/p/a/deep/y.png"]
    outside = ["/p/a", "/p/ab/x.jpg", "/p/a0.jpg", "/p/b/x.jpg"]
    assert all(lo <= p < hi for p in inside)
    assert not any(lo <= p < hi for p in outside)
