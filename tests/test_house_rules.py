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


ALL_MODULES = sorted(PACKAGE.rglob("*.py"))
# Where every public class must say in one line what it is (gui/ has its own test above).
DOCUMENTED = HEADLESS + sorted(p for p in PACKAGE.glob("*.py"))


def _top_package_imports(path: Path, package: Path = PACKAGE) -> list[str]:
    """`import photosearch` and `from photosearch import x` (or a relative import of it) in the module at `path`."""
    depth = len(path.relative_to(package.parent).parts) - 1  # photosearch/core/x.py: 2 packages deep
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name == PACKAGE.name]
        elif isinstance(node, ast.ImportFrom) and node.module in (PACKAGE.name, None):
            absolute = node.level == 0 and node.module == PACKAGE.name
            relative = node.level and node.module is None and node.level == depth
            if absolute or relative:
                found.append(f"from {'.' * node.level}{node.module or ''} import ...")
    return found


def test_the_top_package_scan_finds_both_forms(tmp_path):
    inner = tmp_path / PACKAGE.name / "core"
    inner.mkdir(parents=True)
    (inner / "x.py").write_text("import photosearch\nfrom photosearch import load_model\nfrom .. import Library\n"
                                "from photosearch.model import weights\n", encoding="utf-8")
    assert _top_package_imports(inner / "x.py", tmp_path / PACKAGE.name) == [
        "import photosearch", "from photosearch import ...", "from .. import ..."]


@pytest.mark.parametrize("path", [p for p in ALL_MODULES if p != PACKAGE / "__init__.py"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_inside_the_package_imports_the_top_package(path):
    # The top package is the users' API (photosearch.load_model, photosearch.Library): it imports from below,
    # so anything below that imported it would be a circle.
    assert _top_package_imports(path) == [], f"{path} imports the top-level package; import the module itself"


@pytest.mark.parametrize("path", DOCUMENTED, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_public_class_has_a_one_line_docstring(path):
    missing = [node.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
               and not (ast.get_docstring(node) or "").split("\n")[0].strip()]
    assert missing == [], f"{path}: classes without a docstring: {', '.join(missing)}"
