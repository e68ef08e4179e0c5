"""The installer's inputs, checked without a build: icons, the desktop entry, the Inno script, the .deb's fields."""

from __future__ import annotations

import platform
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from PIL import Image

from tests.installer.installer_scripts import INSTALLER, REPO, load_installer_module

ICONS = REPO / "resources" / "icons"


def test_every_icon_rendering_is_there_at_its_size():
    icons = load_installer_module("icons")
    assert icons.missing() == []
    for size in icons.PNG_SIZES:
        with Image.open(icons.png_path(size)) as png:
            assert png.size == (size, size) and png.mode == "RGBA"
            assert png.getpixel((0, 0))[3] == 0, "the corners are transparent (rounded square)"
            assert png.getpixel((size // 2, size // 2))[3] == 255
    with Image.open(ICONS / "photosearch.ico") as ico:
        assert set(ico.info["sizes"]) == {(s, s) for s in icons.ICO_SIZES}
    with Image.open(ICONS / "photosearch.icns") as icns:
        assert (512, 512, 2) in icns.info["sizes"] and (16, 16, 2) in icns.info["sizes"]


def test_desktop_entry_is_valid(desktop_file_validate):
    result = subprocess.run([desktop_file_validate, str(INSTALLER / "linux" / "photosearch.desktop")],
                            capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_desktop_entry_names_the_launcher_and_the_icon_the_deb_installs():
    entry = dict(line.split("=", 1) for line in (INSTALLER / "linux" / "photosearch.desktop").read_text().splitlines()
                 if "=" in line)
    assert entry["Exec"] == "photosearch" and entry["Icon"] == "photosearch"
    # Wayland matches a window to its entry by the app id, which the app sets with setDesktopFileName.
    assert 'setDesktopFileName("photosearch")' in (REPO / "photosearch" / "gui" / "app.py").read_text()


def test_inno_script_installs_the_windowed_program_the_spec_builds():
    iss = (INSTALLER / "windows" / "photosearch.iss").read_text()
    spec = (INSTALLER / "photosearch.spec").read_text()
    assert 'name="photosearchw"' in spec
    assert re.search(r'\[Icons\]\nName: "\{autoprograms\}\\PhotoSearch"; Filename: "\{app\}\\photosearchw\.exe"', iss)
    icon = re.search(r"^SetupIconFile=(.+)$", iss, re.M).group(1)
    assert (INSTALLER / "windows" / icon.replace("\\", "/")).resolve() == ICONS / "photosearch.ico"


def test_build_venv_takes_the_app_requirements_but_not_torchvision():
    buildenv = load_installer_module("buildenv")
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    kept = buildenv.project_dependencies()
    assert not any(r.startswith(("torch", "torchvision")) for r in kept)
    assert set(kept) == {r for r in declared if not r.startswith("torch")}
    assert buildenv.choose_torch("cuda", None).kind == "pypi"
    assert buildenv.choose_torch("cpu", "some/torch.whl").pip_args(">=2.2") == [str(Path("some/torch.whl").resolve())]
    assert buildenv.TorchChoice("cpu-index", buildenv.PYTORCH_CPU_INDEX).pip_args(">=2.2") == [
        "torch>=2.2", "--index-url", buildenv.PYTORCH_CPU_INDEX]


def test_app_never_imports_torchvision_so_the_bundle_may_leave_it_out():
    for source in (REPO / "photosearch").rglob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+torchvision", source.read_text(), re.M), source


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("objdump") is None,
                    reason="reads ELF files with binutils on Linux")
def test_glibc_floor_is_read_from_the_files(tmp_path):
    debian = load_installer_module("debian")
    shutil.copy2(Path(sys.executable).resolve(), tmp_path / "python")
    libc, libstdcxx = debian.runtime_floor(tmp_path)
    floor = tuple(int(n) for n in re.fullmatch(r"libc6 \(>= (\d+)\.(\d+)\)", libc).groups())
    running = tuple(int(n) for n in platform.libc_ver()[1].split(".")[:2])
    assert (2, 17) <= floor <= running  # this Python runs here, so it needs no newer glibc than this one
    assert libstdcxx.startswith("libstdc++6")


def test_deb_control_lists_the_qt_runtime_libraries(tmp_path):
    debian = load_installer_module("debian")
    control = debian.control_text("1.2.3", "amd64", 1000, debian.DEFAULT_MAINTAINER,
                                  ["libc6 (>= 2.36)", *sorted(set(debian.SYSTEM_LIBRARIES.values()))])
    fields = dict(re.findall(r"^(\S+): (.*)$", control, re.M))
    assert fields["Package"] == "photosearch" and fields["Version"] == "1.2.3"
    for package in ("libxcb-cursor0", "libxkbcommon-x11-0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0",
                    "libxcb-render-util0", "libegl1", "libgl1", "libfontconfig1", "libdbus-1-3"):
        assert package in fields["Depends"].split(", "), package
    assert all(line.startswith(" ") for line in control.split("Description: ", 1)[1].splitlines()[1:])
