"""The Linux .deb: the one-folder bundle under /opt/photosearch, a launcher, a .desktop entry and hicolor icons."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINUX = Path(__file__).resolve().parent / "linux"
ICONS = REPO / "resources" / "icons"
PACKAGE = "photosearch"
INSTALL_DIR = Path("opt") / PACKAGE
DEFAULT_MAINTAINER = "PhotoSearch developers <photosearch@example.org>"

# What the Qt platform plugins and Qt libraries in the bundle load from the system (PySide6's wheel ships
# Qt itself, not the X11/xcb, GL and font libraries under it). Keyed by the soname a bundled library
# names in its ELF NEEDED list, so tests can check that nothing the bundle needs is left without a package.
# "a | b": the first name is Debian 13 / Ubuntu 24.04 (64-bit time_t rename), the second Debian 12 and older.
SYSTEM_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libdrm.so.2": "libdrm2",
    "libz.so.1": "zlib1g",
}
# Always there on a Debian or Ubuntu system new enough for the manylinux_2_28 wheels in the bundle.
BASE_LIBRARIES = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libutil.so.1",
                  "libgcc_s.so.1", "libstdc++.so.6", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1",
                  "libresolv.so.2"}
# The GCC release whose libstdc++ first defines each symbol version (the bundle uses the system's libstdc++).
GLIBCXX_GCC = {28: 10, 29: 11, 30: 12, 31: 13, 32: 14, 33: 14, 34: 15}


def elf_files(root: Path) -> list[Path]:
    """The ELF files (programs and shared libraries) under `root`."""
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def needed_sonames(elf: Path) -> list[str]:
    """The libraries `elf` names in its dynamic section (what the loader looks for), via binutils' readelf."""
    output = subprocess.run(["readelf", "-d", "-W", str(elf)], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", output)


def required_versions(elf: Path) -> dict[str, set[str]]:
    """Symbol versions `elf` requires, per providing library, e.g. {"libc.so.6": {"GLIBC_2.34", ...}}."""
    output = subprocess.run(["objdump", "-p", str(elf)], capture_output=True, text=True).stdout
    required: dict[str, set[str]] = {}
    provider = None
    for line in output.splitlines():
        header = re.match(r"\s*required from (\S+):", line)
        if header:
            provider = header.group(1)
        elif provider and re.match(r"\s+0x[0-9a-f]+ 0x[0-9a-f]+ \d+ (\S+)", line):
            required.setdefault(provider, set()).add(line.split()[-1])
        elif not line.startswith(" "):
            provider = None
    return required


def runtime_floor(bundle: Path) -> list[str]:
    """libc6 and libstdc++6 entries with the lowest versions that satisfy every file in the bundle.

    Worked out from the files, because a bundle carries libraries of the machine it was built on, and
    those need that machine's glibc: a bundle built on Debian 12 needs glibc 2.36 wherever it runs.
    """
    glibc, glibcxx = (2, 17), 0
    for elf in elf_files(bundle):
        for versions in required_versions(elf).values():
            for version in versions:
                if match := re.fullmatch(r"GLIBC_(\d+)\.(\d+)", version):
                    glibc = max(glibc, (int(match[1]), int(match[2])))
                elif match := re.fullmatch(r"GLIBCXX_3\.4\.(\d+)", version):
                    glibcxx = max(glibcxx, int(match[1]))
    entries = [f"libc6 (>= {glibc[0]}.{glibc[1]})"]
    if glibcxx > max(GLIBCXX_GCC):
        raise ValueError(f"GLIBCXX_3.4.{glibcxx} is newer than installer/debian.py knows; add it to GLIBCXX_GCC")
    gcc = max((g for v, g in GLIBCXX_GCC.items() if v <= glibcxx), default=None)
    entries.append(f"libstdc++6 (>= {gcc})" if gcc else "libstdc++6")
    return entries


def depends(bundle: Path) -> list[str]:
    """The Depends field: glibc and libstdc++ as new as the bundle needs, plus every package of SYSTEM_LIBRARIES."""
    packages = sorted(set(SYSTEM_LIBRARIES.values()))
    return [*runtime_floor(bundle), "libgcc-s1", *packages]


def architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], check=True, capture_output=True,
                          text=True).stdout.strip()


def _tree_size_kib(root: Path) -> int:
    total = sum(path.lstat().st_size for path in root.rglob("*") if path.is_file() and not path.is_symlink())
    return -(-total // 1024)


def _link_or_copy(source: str, target: str) -> None:
    # Hard links: the bundle is several hundred MB and staging a copy of it would double the build's disk
    # writes; dpkg-deb only reads the files.
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def control_text(version: str, arch: str, installed_kib: int, maintainer: str, depends: list[str]) -> str:
    description = (
        "Find photos on your own disk by what they show\n"
        " PhotoSearch indexes the photo folders you choose with a small bundled image-text\n"
        " model and finds photos from a query typed in any language (\"Hund im Schnee\",\n"
        " \"a dog in the snow\"). Everything runs on this computer; nothing is sent anywhere.\n"
        " .\n"
        " This package holds a self-contained build (Python, Qt, PyTorch and the model)\n"
        " under /opt/photosearch, the photosearch command and a desktop entry.\n"
    )
    return (f"Package: {PACKAGE}\nVersion: {version}\nSection: graphics\nPriority: optional\n"
            f"Architecture: {arch}\nMaintainer: {maintainer}\nInstalled-Size: {installed_kib}\n"
            f"Depends: {', '.join(depends)}\nDescription: {description}")


def stage(bundle: Path, root: Path, version: str, maintainer: str = DEFAULT_MAINTAINER) -> Path:
    """Lay out the package tree in `root` (emptied first): the files a .deb installs plus DEBIAN/control."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(bundle, root / INSTALL_DIR, symlinks=True, copy_function=_link_or_copy)
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    shutil.copy2(LINUX / "photosearch", bin_dir / "photosearch")
    (bin_dir / "photosearch").chmod(0o755)
    applications = root / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    shutil.copy2(LINUX / "photosearch.desktop", applications / "photosearch.desktop")
    hicolor = root / "usr" / "share" / "icons" / "hicolor"
    for png in sorted(ICONS.glob("photosearch-*.png")):
        size = png.stem.rsplit("-", 1)[1]
        target = hicolor / f"{size}x{size}" / "apps"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(png, target / "photosearch.png")
    scalable = hicolor / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy2(ICONS / "photosearch.svg", scalable / "photosearch.svg")
    # The icon cache and the desktop database are refreshed by the dpkg triggers of
    # hicolor-icon-theme and desktop-file-utils, so the package needs no maintainer scripts.
    for path in [root, *root.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    control = root / "DEBIAN"
    control.mkdir(mode=0o755)
    (control / "control").write_text(
        control_text(version, architecture(), _tree_size_kib(root), maintainer, depends(bundle)),
        encoding="utf-8")
    (control / "control").chmod(0o644)
    return root


def build_deb(bundle: Path, out_dir: Path, version: str, work_dir: Path, compression: str = "zstd",
              level: int = 3, maintainer: str = DEFAULT_MAINTAINER) -> Path:
    """Build dist/photosearch_<version>_<arch>.deb from the one-folder bundle; returns its path.

    zstd at level 3 is the default. Measured on the 751 MiB CPU bundle (2 cores): zstd:3 3 s, 230 MiB;
    gzip:1 9 s, 274 MiB; zstd:9 16 s, 209 MiB; xz:1 90 s, 198 MiB. dpkg reads zstd since 1.21.18
    (Debian 12, Ubuntu 21.10), older than any system whose glibc the bundle runs on.
    """
    if not (bundle / PACKAGE).is_file():
        raise FileNotFoundError(f"{bundle} is not a PhotoSearch bundle (no {PACKAGE} program in it)")
    root = stage(bundle, work_dir / "deb-root", version, maintainer)
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{PACKAGE}_{version}_{architecture()}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", f"-Z{compression}", f"-z{level}", "--build", str(root),
                    str(deb)], check=True)
    shutil.rmtree(root)
    return deb
