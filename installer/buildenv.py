"""The build virtual environment: a CPU-only (or CUDA) torch, PyInstaller and the app installed non-editable."""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import venv
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VENV = REPO / "build" / "installer-venv"
STAMP_FILE = ".photosearch-build-stamp.json"

# PyTorch's own index of CPU-only wheels: the same torch without the CUDA libraries (a few hundred MB
# instead of several GB), which is what a user without an NVIDIA GPU wants in a bundle.
PYTORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
BUILD_TOOLS = ["pyinstaller>=6.10,<7", "pyinstaller-hooks-contrib>=2024.8", "setuptools>=68", "wheel"]
# The app never imports torchvision (the image tower is our own EfficientNet-Lite code), so the
# bundle leaves it out; it stays a dependency of the project for training and development only.
NOT_BUNDLED = {"torchvision"}
# Bump when the recipe below changes in a way the stamp's other fields do not capture.
RECIPE_VERSION = 1


@dataclass(frozen=True)
class TorchChoice:
    """Where torch comes from: a local wheel file, PyTorch's CPU index, or PyPI's default (CUDA on Linux)."""

    kind: str  # "wheel", "cpu-index" or "pypi"
    source: str  # the wheel path, the index URL, or "" for PyPI

    def pip_args(self, version_spec: str) -> list[str]:
        if self.kind == "wheel":
            return [self.source]
        if self.kind == "cpu-index":
            # The CPU index mirrors torch's own dependencies (sympy, filelock, ...), so it can stand alone.
            return [f"torch{version_spec}", "--index-url", self.source]
        return [f"torch{version_spec}"]

    def describe(self) -> str:
        return {"wheel": f"local wheel {Path(self.source).name}", "cpu-index": f"CPU-only index {self.source}",
                "pypi": "PyPI default build (CUDA libraries included on Linux)"}[self.kind]


def project_dependencies() -> list[str]:
    """The runtime requirements of pyproject.toml, less torch (chosen separately) and what the bundle leaves out."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    kept = []
    for requirement in project["dependencies"]:
        name = requirement.split(";")[0].strip()
        for stop in "<>=!~[ ":
            name = name.split(stop)[0]
        if name.lower() not in NOT_BUNDLED | {"torch"}:
            kept.append(requirement)
    return kept


def torch_version_spec() -> str:
    """The version range pyproject.toml asks of torch, e.g. '>=2.2'."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        if requirement.replace(" ", "").lower().startswith("torch") and not requirement.lower().startswith(
                "torchvision"):
            return requirement[len("torch"):].strip()
    return ""


def _pip_find_links() -> list[Path]:
    """Folders pip is configured to look in for wheels (PIP_FIND_LINKS, pip.conf), where local CPU wheels may lie."""
    entries = os.environ.get("PIP_FIND_LINKS", "").split()
    for config in (Path("/etc/pip.conf"), Path("/etc/xdg/pip/pip.conf"), Path.home() / ".config/pip/pip.conf",
                   Path.home() / ".pip/pip.conf"):
        parser = configparser.ConfigParser()
        try:
            parser.read(config)
        except configparser.Error:
            continue
        for section in ("global", "install"):
            entries += parser.get(section, "find-links", fallback="").split()
    return [Path(entry.removeprefix("file://")) for entry in entries if not entry.startswith(("http:", "https:"))]


def find_local_cpu_wheel() -> Path | None:
    """The newest CPU-only torch wheel for this Python among pip's find-links folders, if any."""
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    found = [wheel for folder in _pip_find_links() if folder.is_dir()
             for wheel in folder.glob(f"torch-*+cpu-{tag}-{tag}-*.whl")]
    return max(found, key=lambda wheel: wheel.name) if found else None


def choose_torch(flavour: str, wheel: str | None) -> TorchChoice:
    """`flavour` is "cpu" (a local CPU wheel when pip knows one, else PyTorch's CPU index) or "cuda" (PyPI)."""
    if wheel:
        return TorchChoice("wheel", str(Path(wheel).resolve()))
    if flavour == "cuda":
        return TorchChoice("pypi", "")
    local = find_local_cpu_wheel()
    return TorchChoice("wheel", str(local)) if local else TorchChoice("cpu-index", PYTORCH_CPU_INDEX)


def venv_python(venv_dir: Path) -> Path:
    return venv_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _stamp(torch: TorchChoice) -> dict[str, object]:
    pyproject = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()
    return {"recipe": RECIPE_VERSION, "python": sys.version.split()[0], "pyproject_sha256": pyproject,
            "torch": asdict(torch), "build_tools": BUILD_TOOLS}


def _pip(python: Path, *args: str, env: dict[str, str] | None = None) -> None:
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args]
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, env=env)


def ensure_venv(venv_dir: Path, torch: TorchChoice, rebuild: bool = False) -> Path:
    """Create or reuse the build venv (reused while pyproject.toml and the recipe are unchanged); returns its python."""
    stamp_path = venv_dir / STAMP_FILE
    wanted = _stamp(torch)
    python = venv_python(venv_dir)
    current = None
    if stamp_path.is_file() and python.exists() and not rebuild:
        try:
            current = json.loads(stamp_path.read_text(encoding="utf-8"))
        except ValueError:
            current = None
    if current != wanted:
        print(f"creating the build venv {venv_dir} (torch: {torch.describe()})", flush=True)
        if venv_dir.exists():
            shutil.rmtree(venv_dir)
        venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
        _pip(python, *torch.pip_args(torch_version_spec()))
        # hnswlib is compiled here; without -march=native, so the bundle runs on CPUs older than the build
        # machine's. --no-cache-dir: pip's wheel cache may hold a native build made without the variable.
        _pip(python, "--no-cache-dir", "--no-binary", "hnswlib", "hnswlib>=0.8",
             env={**os.environ, "HNSWLIB_NO_NATIVE": "1"})
        _pip(python, *project_dependencies(), *BUILD_TOOLS)
        stamp_path.write_text(json.dumps(wanted, indent=1), encoding="utf-8")
    else:
        print(f"reusing the build venv {venv_dir}", flush=True)
    install_app(python)
    return python


def install_app(python: Path) -> None:
    """Install the current source of the app into the venv, non-editable, without touching the checkout.

    The package is copied to a temporary folder first because setuptools builds in the source tree and
    would leave build/lib and egg-info behind, whose stale modules could end up in a later bundle.
    """
    with tempfile.TemporaryDirectory(prefix="photosearch-src-") as tmp:
        source = Path(tmp)
        shutil.copytree(REPO / "photosearch", source / "photosearch",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(REPO / name, source / name)
        _pip(python, "--no-deps", "--no-build-isolation", "--force-reinstall", str(source))
