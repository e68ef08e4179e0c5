"""Fixtures for the CLI tests: run `photosearch` in a subprocess against a tiny model and a temp library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


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
