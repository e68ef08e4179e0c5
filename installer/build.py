"""The one command that builds PhotoSearch for installation: `python installer/build.py [--deb]`.

Steps: a build venv (CPU-only torch by default, reused while pyproject.toml is unchanged) -> the app
installed into it non-editable -> PyInstaller's one-folder bundle in dist/photosearch (PhotoSearch.app
on macOS) -> on request the platform package (.deb on Linux, Inno Setup on Windows). Ends with the
sizes and times of each step.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import buildenv  # a sibling of this script, found through the line above
import debian
import icons

REPO = buildenv.REPO
SPEC = REPO / "installer" / "photosearch.spec"
INNO_SCRIPT = REPO / "installer" / "windows" / "photosearch.iss"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="installer/build.py", description=__doc__.splitlines()[0])
    parser.add_argument("--deb", action="store_true", help="also build the .deb (Linux; needs dpkg-deb)")
    parser.add_argument("--inno", action="store_true", help="also build the Windows installer (needs Inno Setup's "
                        "ISCC.exe on PATH or in its default folder)")
    parser.add_argument("--torch", choices=("cpu", "cuda"), default="cpu",
                        help="cpu (default): CPU-only torch, a local wheel pip knows of or PyTorch's CPU index; "
                        "cuda: PyPI's default torch, with the NVIDIA libraries on Linux (a bundle of several GB)")
    parser.add_argument("--torch-wheel", metavar="WHL", help="install torch from this wheel file")
    parser.add_argument("--venv", type=Path, default=Path(os.environ.get("PHOTOSEARCH_BUILD_VENV",
                                                                         buildenv.DEFAULT_VENV)),
                        help="the build venv (default: $PHOTOSEARCH_BUILD_VENV, else build/installer-venv)")
    parser.add_argument("--rebuild-venv", action="store_true", help="make the build venv again from nothing")
    parser.add_argument("--skip-venv", action="store_true",
                        help="use the build venv as it is (no check against pyproject.toml; the app is still "
                        "reinstalled from the checkout)")
    parser.add_argument("--icons", action="store_true", help="render the PNG/ICO/ICNS icons from the SVG again")
    parser.add_argument("--dist", type=Path, default=REPO / "dist", help="where the artefacts go (default dist/)")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default build/pyinstaller)")
    parser.add_argument("--deb-compression", default="zstd:3", metavar="KIND:LEVEL",
                        help="dpkg-deb compressor and level (default zstd:3; zstd:19 or xz:6 for a smaller "
                        "release, gzip:1 for dpkg older than 1.21.18)")
    parser.add_argument("--maintainer", default=debian.DEFAULT_MAINTAINER, help="the .deb's Maintainer field")
    return parser.parse_args(argv)


def human(size: int) -> str:
    """Sizes in MiB, the unit the README's table uses."""
    return f"{size / 2**20:.1f} MiB"


def tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def app_version(python: Path) -> str:
    return subprocess.run([str(python), "-c", "import photosearch; print(photosearch.__version__)"],
                          check=True, capture_output=True, text=True).stdout.strip()


def run_pyinstaller(python: Path, dist: Path, work: Path) -> Path:
    """Build the bundle; returns the one-folder bundle (the .app on macOS)."""
    command = [str(python), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", str(dist),
               "--workpath", str(work), str(SPEC)]
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=REPO)
    return dist / ("PhotoSearch.app" if sys.platform == "darwin" else "photosearch")


def find_iscc() -> str | None:
    found = shutil.which("ISCC") or shutil.which("iscc")
    if found:
        return found
    for base in (os.environ.get("ProgramFiles(x86)"), os.environ.get("ProgramFiles")):
        candidate = Path(base or "") / "Inno Setup 6" / "ISCC.exe"
        if base and candidate.is_file():
            return str(candidate)
    return None


def build_inno(version: str, dist: Path) -> Path:
    iscc = find_iscc()
    if iscc is None:
        raise SystemExit("build.py: Inno Setup's ISCC.exe was not found; install Inno Setup 6 (jrsoftware.org)")
    subprocess.run([iscc, f"/DAppVersion={version}", f"/DBundleDir={dist / 'photosearch'}", f"/O{dist}",
                    str(INNO_SCRIPT)], check=True)
    return dist / f"PhotoSearch-{version}-setup.exe"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.deb and not sys.platform.startswith("linux"):
        raise SystemExit("build.py: --deb builds on Linux only")
    if args.inno and sys.platform != "win32":
        raise SystemExit("build.py: --inno builds on Windows only")
    times: dict[str, float] = {}
    artefacts: dict[str, Path] = {}
    started = time.monotonic()

    step = time.monotonic()
    venv_dir = args.venv.resolve()
    if args.skip_venv:
        python = buildenv.venv_python(venv_dir)
        if not python.exists():
            raise SystemExit(f"build.py: --skip-venv, but there is no venv at {venv_dir}")
        buildenv.install_app(python)
    else:
        torch = buildenv.choose_torch(args.torch, args.torch_wheel)
        python = buildenv.ensure_venv(venv_dir, torch, rebuild=args.rebuild_venv)
    times["build venv + app install"] = time.monotonic() - step
    if args.icons or icons.missing():
        # In the venv: rendering needs Qt's SVG renderer, which the Python running this script may lack.
        subprocess.run([str(python), str(Path(icons.__file__))], check=True, env={**os.environ,
                       "QT_QPA_PLATFORM": "offscreen"})

    step = time.monotonic()
    bundle = run_pyinstaller(python, args.dist.resolve(), args.work.resolve())
    times["PyInstaller bundle"] = time.monotonic() - step
    artefacts["bundle"] = bundle
    version = app_version(python)

    if args.deb:
        step = time.monotonic()
        kind, _, level = args.deb_compression.partition(":")
        artefacts[".deb"] = debian.build_deb(bundle, args.dist.resolve(), version, args.work.resolve(),
                                             compression=kind, level=int(level or 6), maintainer=args.maintainer)
        times[f".deb ({args.deb_compression})"] = time.monotonic() - step
    if args.inno:
        step = time.monotonic()
        artefacts["Windows installer"] = build_inno(version, args.dist.resolve())
        times["Inno Setup"] = time.monotonic() - step

    times["total"] = time.monotonic() - started
    print(f"\nPhotoSearch {version} built with {sys.platform} Python {sys.version.split()[0]}")
    for name, path in artefacts.items():
        print(f"  {name:<20} {human(tree_size(path)):>9}  {path}")
    for name, seconds in times.items():
        print(f"  {name:<32} {seconds:7.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
