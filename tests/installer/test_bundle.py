"""The built artefacts: the one-folder bundle runs headless without Python, and the .deb unpacks into a working app."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from photosearch import __version__
from tests.conftest import draw_photo
from tests.installer.installer_scripts import REPO, load_installer_module

pytestmark = pytest.mark.slow

SHIPPED_WEIGHTS = REPO / "resources" / "model" / "model.safetensors"


def run(program: Path, *args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(program), *args], capture_output=True, text=True, env=env, timeout=timeout)


def draw_photos(folder: Path, count: int = 4) -> list[Path]:
    return [draw_photo(folder / f"photo-{seed}.jpg", seed) for seed in range(count)]


def test_build_makes_both_artefacts_and_reports_their_sizes_and_times(built):
    assert built.program.is_file() and os.access(built.program, os.X_OK)
    assert built.deb is not None and built.deb.stat().st_size > 0
    summary = built.log[built.log.rindex("PhotoSearch "):]
    assert re.search(r"bundle\s+[\d.]+ MiB", summary) and re.search(r"\.deb\s+[\d.]+ MiB", summary), summary
    assert re.search(r"PyInstaller bundle\s+[\d.]+ s", summary) and re.search(r"total\s+[\d.]+ s", summary), summary


def test_bundled_program_prints_its_version(built, bundle_env):
    result = run(built.program, "--version", env=bundle_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"PhotoSearch {__version__}"


def test_bundled_program_indexes_and_searches_with_json(built, bundle_env, tiny_model_dir, tmp_path):
    photos = draw_photos(tmp_path / "photos")
    env = {**bundle_env, "PHOTOSEARCH_WEIGHTS": str(tiny_model_dir)}
    data = ["--data-dir", str(tmp_path / "library")]

    indexed = run(built.program, *data, "index", str(tmp_path / "photos"), "--json", env=env)
    assert indexed.returncode == 0, indexed.stderr
    summary = json.loads(indexed.stdout)
    assert (summary["added"], summary["photos"], summary["skipped"]) == (len(photos), len(photos), [])
    assert summary["device"] == "cpu"

    found = run(built.program, *data, "search", "a red circle on a blue sky", "--json", env=env)
    assert found.returncode == 0, found.stderr
    answer = json.loads(found.stdout)
    assert answer["query"] == "a red circle on a blue sky"
    assert sorted(Path(r["path"]).name for r in answer["results"]) == sorted(p.name for p in photos)
    assert all(-1.0 <= r["score"] <= 1.0 for r in answer["results"])

    # The model really runs in the bundle: a copy of a photo, outside the library, finds the photo first.
    copy = tmp_path / "copy.jpg"
    shutil.copyfile(photos[2], copy)
    similar = run(built.program, *data, "search", "--image", str(copy), "-k", "2", "--json", env=env)
    assert similar.returncode == 0, similar.stderr
    best = json.loads(similar.stdout)["results"][0]
    assert Path(best["path"]).name == photos[2].name and best["score"] > 0.99


@pytest.mark.skipif(not SHIPPED_WEIGHTS.is_file(), reason="no trained weights in resources/model in this checkout")
def test_bundle_carries_the_shipped_weights(built, bundle_env, tmp_path):
    bundled = built.bundle / "_internal" / "resources" / "model"
    assert (bundled / "model.safetensors").read_bytes() == SHIPPED_WEIGHTS.read_bytes()
    draw_photos(tmp_path / "photos", 2)
    data = ["--data-dir", str(tmp_path / "library")]
    indexed = run(built.program, *data, "index", str(tmp_path / "photos"), "--json", env=bundle_env)
    assert indexed.returncode == 0, indexed.stderr
    assert json.loads(indexed.stdout)["photos"] == 2
    found = run(built.program, *data, "search", "ein Hund im Schnee", "--json", env=bundle_env)
    assert found.returncode == 0, found.stderr
    assert len(json.loads(found.stdout)["results"]) == 2


def test_bundle_leaves_out_what_the_app_never_loads(built):
    internal = built.bundle / "_internal"
    assert (internal / "resources" / "icons" / "photosearch.svg").is_file()
    assert (internal / "torch" / "bin" / "torch_shm_manager").is_file()  # `import torch` looks for it
    for unwanted in ("torchvision", "training", "torch/test", "torch/bin/protoc", "libstdc++.so.6"):
        assert not (internal / unwanted).exists(), unwanted


def test_every_system_library_the_bundle_needs_has_a_package(built):
    debian = load_installer_module("debian")
    shipped = {path.name for path in built.bundle.rglob("*")}
    missing = {}
    for elf in debian.elf_files(built.bundle):
        for soname in debian.needed_sonames(elf):
            if soname not in shipped and soname not in debian.BASE_LIBRARIES | set(debian.SYSTEM_LIBRARIES):
                missing.setdefault(soname, []).append(str(elf.relative_to(built.bundle)))
    assert not missing, f"libraries neither bundled nor in the .deb's Depends: {missing}"


def test_gui_starts_offscreen_and_keeps_running(built, bundle_env, tiny_model_dir, tmp_path):
    env = {**bundle_env, "QT_QPA_PLATFORM": "offscreen", "PHOTOSEARCH_WEIGHTS": str(tiny_model_dir)}
    process = subprocess.Popen([str(built.program), "--data-dir", str(tmp_path / "library")], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # A bundle that lacks a Qt plugin or module exits within a second or two; a working one
        # shows its window and waits for the user until it is terminated.
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=30)
    assert "Traceback" not in err and "Could not load the Qt platform plugin" not in err, err


@pytest.fixture(scope="module")
def unpacked_deb(built, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg", "-x", str(built.deb), str(root)], check=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_deb_launcher_runs_the_bundle(unpacked_deb, bundle_env, tiny_model_dir, tmp_path):
    launcher = unpacked_deb / "usr" / "bin" / "photosearch"
    assert os.access(launcher, os.X_OK)
    assert (unpacked_deb / "opt" / "photosearch" / "photosearch").is_file()
    version = run(launcher, "--version", env=bundle_env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"PhotoSearch {__version__}"
    draw_photos(tmp_path / "photos", 2)
    env = {**bundle_env, "PHOTOSEARCH_WEIGHTS": str(tiny_model_dir)}
    indexed = run(launcher, "--data-dir", str(tmp_path / "library"), "index", str(tmp_path / "photos"), "--json",
                  env=env)
    assert indexed.returncode == 0, indexed.stderr
    assert json.loads(indexed.stdout)["photos"] == 2


def test_deb_installs_desktop_entry_and_icons(unpacked_deb, built):
    share = unpacked_deb / "usr" / "share"
    assert (share / "applications" / "photosearch.desktop").is_file()
    for size in (16, 32, 48, 128, 256, 512):
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "photosearch.png").is_file(), size
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "photosearch.svg").is_file()
    fields = subprocess.run(["dpkg-deb", "-f", str(built.deb), "Package", "Architecture", "Depends"],
                            capture_output=True, text=True, check=True).stdout
    assert "Package: photosearch" in fields
    for package in ("libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "libgl1", "libfontconfig1", "libdbus-1-3"):
        assert package in fields, package


def test_deb_desktop_file_is_valid(unpacked_deb, desktop_file_validate):
    result = subprocess.run([desktop_file_validate, str(unpacked_deb / "usr/share/applications/photosearch.desktop")],
                            capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("objdump") is None, reason="needs binutils' objdump to read the machine code")
def test_bundled_hnswlib_is_portable_machine_code(built):
    # Built with -march=native on a machine with AVX2/AVX-512, hnswlib's distance loops use the ymm/zmm
    # registers and die with "illegal instruction" on older CPUs; HNSWLIB_NO_NATIVE=1 keeps them to SSE.
    (library,) = (built.bundle / "_internal").glob("hnswlib*.so")
    code = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(library)], capture_output=True, text=True,
                          check=True).stdout
    assert "xmm" in code and not re.search(r"%[yz]mm\d", code)


@pytest.mark.skipif(shutil.which("apt-get") is None or not list(Path("/var/lib/apt/lists").glob("*_Packages*")),
                    reason="needs apt-get with package lists (apt-get update) to resolve the Depends")
def test_deb_depends_resolve_against_the_distribution(built):
    # A simulated install changes nothing; it fails when a Depends entry names no package of this release.
    result = subprocess.run(["apt-get", "install", "--simulate", "-qq", str(built.deb)], capture_output=True,
                            text=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^Inst photosearch ", result.stdout, re.M), result.stdout
