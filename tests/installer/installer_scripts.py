"""Access to installer/'s modules from the tests: installer/ holds scripts, not a package, so they load by path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INSTALLER = REPO / "installer"


def load_installer_module(name: str):
    """installer/<name>.py as a module (build.py imports its siblings by their plain names, so they load alike)."""
    if str(INSTALLER) not in sys.path:
        sys.path.insert(0, str(INSTALLER))
    key = f"photosearch_installer_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, INSTALLER / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]
