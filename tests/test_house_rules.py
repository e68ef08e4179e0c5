"""House rules that a reviewer would otherwise check by hand: the lower floors never reach up to Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "photosearch"
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")
HEADLESS = sorted(p for floor in ("model", "core") for p in (PACKAGE / floor).rglob("*.py"))
GUI = sorted((PACKAGE / "gui").rglob("*.py"))


def _qt_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value]  # importlib.import_module("PySide6...") or __import__("PySide6")
        else:
            continue
        found += [name for name in names if name.split(".")[0] in QT_MODULES]
    return found


def test_the_scan_finds_qt_imports_in_every_form():
    source = "import PySide6\nfrom shiboken6 import isValid\nimport importlib\nimportlib.import_module('PySide6.QtGui')"
    assert _qt_imports(source) == ["PySide6", "shiboken6", "PySide6.QtGui"]


def test_there_are_headless_modules_to_check():
    assert any(p.parent.name == "core" for p in HEADLESS) and any(p.parent.name == "model" for p in HEADLESS)


@pytest.mark.parametrize("path", HEADLESS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_model_and_core_do_not_import_qt(path):
    assert _qt_imports(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", HEADLESS + GUI, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_module_opens_with_a_one_line_docstring(path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")), clean=False)
    lines = (docstring or "").split("\n")
    # A one-line summary, optionally followed by a blank line and more detail (PEP 257).
    assert lines[0].strip() and (len(lines) == 1 or not lines[1].strip()), \
        f"{path} needs a one-line docstring saying what it owns"


def test_importing_the_core_loads_no_qt_even_indirectly():
    code = ("import sys, photosearch, photosearch.core.library, photosearch.core.watcher, photosearch.cli; "
            f"print([m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r}])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("path", GUI, ids=lambda p: f"gui/{p.name}")
def test_each_public_gui_class_says_what_it_is(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = [node.name for node in tree.body if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
            and not (ast.get_docstring(node) or "").strip()]
    assert bare == [], f"{path}: classes without a docstring"
