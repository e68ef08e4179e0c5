"""`status`, `remove`, `--version` and `--help` answer without importing torch (it takes seconds to import)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Runs a photosearch command in this interpreter, then prints on stderr whether torch was imported.
WRAPPER = ("import sys; from photosearch.cli import main\n"
           "try:\n    code = main(sys.argv[1:])\nexcept SystemExit as stop:\n    code = stop.code\n"
           "print('TORCH_IMPORTED=' + str('torch' in sys.modules), file=sys.stderr); sys.exit(code or 0)")


@pytest.fixture()
def wrapped(cli_env, tmp_path):
    def run(*args: str, data_dir: bool = True) -> tuple[subprocess.CompletedProcess, bool]:
        command = [sys.executable, "-c", WRAPPER]
        if data_dir:
            command += ["--data-dir", str(tmp_path / "data")]
        done = subprocess.run(command + list(args), capture_output=True, text=True, env=cli_env, timeout=120)
        assert done.returncode == 0, done.stderr
        marks = [line for line in done.stderr.splitlines() if line.startswith("TORCH_IMPORTED=")]
        assert len(marks) == 1, done.stderr
        return done, marks[0] == "TORCH_IMPORTED=True"

    return run


@pytest.fixture()
def indexed(photosearch, photo_factory, tmp_path):
    for i in range(3):
        photo_factory(f"p{i}.jpg", seed=i)
    photo_factory("more/q.jpg", seed=9)
    photosearch("index", str(tmp_path / "photos"), str(tmp_path / "photos" / "more"), "--device", "cpu")
    return str((tmp_path / "photos").resolve())


def test_status_does_not_import_torch_and_says_what_it_said_before(wrapped, indexed):
    done, torch_imported = wrapped("status", "--json")
    status = json.loads(done.stdout)
    assert not torch_imported
    assert status["photos"] == 4 and status["device"] == "cpu" and status["model"].startswith("tiny-test-model (")
    assert [(f["path"], f["photos"], f["online"]) for f in status["folders"]] == [
        (indexed, 4, True), (f"{indexed}/more", 1, True)]
    text, torch_imported = wrapped("status")
    assert not torch_imported and "model: tiny-test-model (" in text.stdout and "device: cpu" in text.stdout


def test_remove_does_not_import_torch(wrapped, indexed):
    done, torch_imported = wrapped("remove", f"{indexed}/more", "--json")
    assert not torch_imported
    assert json.loads(done.stdout) == {"removed": f"{indexed}/more", "photos": 4}  # the outer folder covers it


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["index", "--help"], ["status", "--help"],
                                  ["remove", "--help"]])
def test_version_and_help_do_not_import_torch(wrapped, args):
    done, torch_imported = wrapped(*args, data_dir=False)
    assert not torch_imported and done.stdout.strip()


def test_the_check_sees_torch_where_a_command_needs_the_model(wrapped, indexed):
    # The tiny test model's GRU sentence encoder has no NumPy twin: its text queries take the torch tower.
    done, torch_imported = wrapped("search", "a dog", "--json")
    assert torch_imported and len(json.loads(done.stdout)["results"]) == 4


def test_a_text_search_does_not_import_torch(wrapped, photosearch, photo_factory, cli_env, mean_model_dir, tmp_path):
    cli_env["PHOTOSEARCH_WEIGHTS"] = str(mean_model_dir)
    for i in range(3):
        photo_factory(f"p{i}.jpg", seed=i)
    photosearch("index", str(tmp_path / "photos"), "--device", "cpu")
    done, torch_imported = wrapped("search", "a dog", "--json")
    assert not torch_imported and len(json.loads(done.stdout)["results"]) == 3
    # A photo as the query needs the image tower (and is left out of its own answers).
    done, torch_imported = wrapped("search", "--image", str(tmp_path / "photos" / "p0.jpg"), "--json")
    results = json.loads(done.stdout)["results"]
    assert torch_imported and sorted(r["path"].rsplit("/", 1)[1] for r in results) == ["p1.jpg", "p2.jpg"]


# What `status`, `remove` and `--version` leave out besides torch: numpy, Pillow and hnswlib cost a third of a
# second to import between them (benchmarks/status.py), and these commands handle no vectors or pixels.
HEAVY = ("numpy", "PIL", "hnswlib", "torch")
HEAVY_WRAPPER = ("import sys; from photosearch.cli import main\n"
                 "try:\n    code = main(sys.argv[1:])\nexcept SystemExit as stop:\n    code = stop.code\n"
                 f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
                 "sys.exit(code or 0)")


@pytest.mark.parametrize("args", [["status", "--json"], ["remove", "{indexed}/more"], ["--version"]])
def test_light_commands_import_no_numpy_pillow_or_hnswlib(cli_env, tmp_path, indexed, args):
    command = [sys.executable, "-c", HEAVY_WRAPPER, "--data-dir", str(tmp_path / "data")]
    done = subprocess.run(command + [a.format(indexed=indexed) for a in args], capture_output=True, text=True,
                          env=cli_env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "HEAVY=\n" in done.stderr, done.stderr
