"""Fixtures for the CLI tests: run `photosearch` in a subprocess against a tiny model and a temp library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture()
def cli_env(tiny_model_dir: Path, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PHOTOSEARCH_DATA_DIR", None)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("QT_QPA_PLATFORM", None)
    env["PHOTOSEARCH_WEIGHTS"] = str(tiny_model_dir)
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg-cache")  # thumbnails and the like stay in the test's folder
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture()
def photosearch(cli_env: dict[str, str], tmp_path: Path):
    """Run `python -m photosearch --data-dir tmp/data ARGS`; returns the CompletedProcess (and .json when asked)."""

    def run(*args: str, data_dir: bool = True, expect: int | None = 0, timeout: float = 120, stdin: str = ""):
        command = [sys.executable, "-m", "photosearch"]
        if data_dir:
            command += ["--data-dir", str(tmp_path / "data")]
        done = subprocess.run(command + list(args), capture_output=True, text=True, env=cli_env, timeout=timeout,
                              input=stdin)
        if expect is not None:
            assert done.returncode == expect, f"exit {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"
        lines = done.stdout.splitlines()
        done.json = json.loads(done.stdout) if "--json" in args and len(lines) == 1 else None
        done.json_lines = [json.loads(line) for line in lines] if "--json" in args else None
        return done

    return run
