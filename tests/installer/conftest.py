"""Fixtures for the installer tests: one build of the bundle and the .deb per run, and what runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.installer.installer_scripts import INSTALLER, REPO


class Artefacts:
    """What one run of `python installer/build.py --deb` made, and how long it took."""

    def __init__(self, dist: Path, seconds: float, log: str) -> None:
        self.dist = dist
        self.bundle = dist / "photosearch"
        self.program = self.bundle / "photosearch"
        debs = sorted(dist.glob("photosearch_*.deb"))
        self.deb = debs[0] if debs else None
        self.seconds = seconds
        self.log = log


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory):
    """Run the documented build command once per session (the build venv in build/ is reused between runs).

    The artefacts go to a temporary folder, not dist/, and are deleted afterwards: together they are
    about a gigabyte.
    """
    out = tmp_path_factory.mktemp("installer-build")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(INSTALLER / "build.py"), "--deb", "--dist", str(out / "dist"), "--work",
         str(REPO / "build" / "pyinstaller-test")],
        cwd=REPO, capture_output=True, text=True, env={k: v for k, v in os.environ.items()
                                                       if k != "PHOTOSEARCH_WEIGHTS"})
    log = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"installer/build.py failed with exit code {result.returncode}:\n{log[-6000:]}")
    yield Artefacts(out / "dist", time.monotonic() - started, log)
    shutil.rmtree(out, ignore_errors=True)


@pytest.fixture()
def bundle_env(tmp_path: Path) -> dict[str, str]:
    """An environment for the bundled program: no display, the user's folders inside the test's tmp_path."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PHOTOSEARCH_DATA_DIR", "PHOTOSEARCH_WEIGHTS", "DISPLAY", "WAYLAND_DISPLAY",
                        "QT_QPA_PLATFORM", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg-cache")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    return env


@pytest.fixture(scope="session")
def desktop_file_validate() -> str:
    """Debian's desktop-file-validate; installed with apt when missing and possible, else the test is skipped."""
    found = shutil.which("desktop-file-validate")
    if found is None and shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "desktop-file-utils"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run(install, capture_output=True, env=env).returncode != 0:
            # A fresh machine has no package lists yet.
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True, env=env)
            subprocess.run(install, capture_output=True, env=env)
        found = shutil.which("desktop-file-validate")
    if found is None:
        pytest.skip("desktop-file-validate is not installed and could not be installed with apt-get "
                    "(needs Debian's desktop-file-utils, root and the package registry)")
    return found
