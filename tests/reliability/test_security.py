"""Privacy and safety: no network, weights only through safetensors, no shell and no file name in a command."""

from __future__ import annotations

import ast
import socket
from pathlib import Path

import pytest

from tests.conftest import draw_photo

PACKAGE = Path(__file__).resolve().parents[2] / "photosearch"


class NetworkUsed(AssertionError):
    pass


@pytest.fixture()
def no_network(monkeypatch):
    """Every way to open a socket raises (and is recorded): the test fails if the app tries."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise NetworkUsed(f"network access attempted: {args!r}")

    class RefusingSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            refuse(*args)

    monkeypatch.setattr(socket, "socket", RefusingSocket)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_indexing_watching_and_searching_open_no_socket(tmp_path, no_network, tiny_model_dir, monkeypatch,
                                                        wait_until):
    from photosearch.core.library import Library

    for i in range(5):
        draw_photo(tmp_path / "photos" / f"p{i}.jpg", seed=i)
    monkeypatch.setenv("PHOTOSEARCH_WEIGHTS", str(tiny_model_dir))
    library = Library(tmp_path / "data", device="cpu", cache_dir=tmp_path / "cache")  # loads the model itself
    try:
        library.add_folder(tmp_path / "photos")
        list(library.index())
        assert len(library.search("ein Hund im Schnee + Strand", k=5)) == 5
        assert library.search_image(tmp_path / "photos" / "p1.jpg", k=1, keep_query=True)[0].path.endswith("p1.jpg")
        assert library.thumbnail(tmp_path / "photos" / "p2.jpg", 64) is not None
        library.watch()
        added = draw_photo(tmp_path / "photos" / "new.jpg", seed=9)
        wait_until(lambda: library.photo_count() == 6, timeout=10)
        assert str(added) in {r.path for r in library.search("x", k=10)}
        library.status()
    finally:
        library.close()
    assert no_network == []


def _python_files():
    return sorted(PACKAGE.rglob("*.py"))


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node, ast.unparse(node.func)


def test_weights_load_only_through_safetensors():
    offences = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                if any(n.split(".")[0] in ("pickle", "cPickle", "dill", "joblib", "shelve", "marshal") for n in names):
                    offences.append(f"{path}:{node.lineno} imports {names}")
        for call, name in _calls(tree):
            if name == "torch.load":
                safe = any(k.arg == "weights_only" and isinstance(k.value, ast.Constant) and k.value.value is True
                           for k in call.keywords)
                if not safe:
                    offences.append(f"{path}:{call.lineno} torch.load without weights_only=True")
            if name.endswith(("np.load", "numpy.load")):
                if any(k.arg == "allow_pickle" and getattr(k.value, "value", False) for k in call.keywords):
                    offences.append(f"{path}:{call.lineno} numpy.load with allow_pickle")
    assert offences == []
    weights = (PACKAGE / "model" / "weights.py").read_text(encoding="utf-8")
    assert "safetensors" in weights


def test_no_shell_and_no_command_built_from_a_file_name():
    offences = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call, name in _calls(tree):
            if name in ("os.system", "os.popen", "os.startfile", "os.execv", "os.execvp", "os.spawnl",
                        "commands.getoutput", "subprocess.getoutput", "subprocess.getstatusoutput"):
                offences.append(f"{path}:{call.lineno} {name}")
            if any(k.arg == "shell" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                   for k in call.keywords):
                offences.append(f"{path}:{call.lineno} {name}(shell=...)")
            if name.startswith("subprocess.") or name == "Popen":
                offences.append(f"{path}:{call.lineno} {name}: the app starts no programs; files open with the "
                                "platform's opener (QDesktopServices)")
    assert offences == []


def test_the_gui_opens_files_with_the_platform_opener():
    sources = {p: p.read_text(encoding="utf-8") for p in (PACKAGE / "gui").rglob("*.py")}
    if not sources:
        pytest.skip("no GUI in this checkout")
    assert any("QDesktopServices.openUrl(QUrl.fromLocalFile(" in text for text in sources.values())
    for path, text in sources.items():
        for word in ("xdg-open", "startfile", "webbrowser", "import subprocess", "from subprocess"):
            assert word not in text, f"{path} uses {word}"
