"""Device selection on a CPU: auto, cpu, a CUDA GPU asked for but absent, and the torch-free probe `status` uses."""

from __future__ import annotations

import os
import subprocess
import sys
import types

import pytest
import torch

from photosearch.model import device_probe
from photosearch.model.encoder import pick_device


def _no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


def test_auto_picks_the_cpu_without_a_gpu_and_a_gpu_when_there_is_one(monkeypatch):
    _no_gpu(monkeypatch)
    assert pick_device(None).type == pick_device("auto").type == "cpu"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert pick_device("auto").type == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device("auto").type == "cuda"  # CUDA before MPS


def test_cpu_is_taken_as_given(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device("cpu").type == "cpu"


@pytest.mark.parametrize("asked", ["cuda", "gpu", "cuda:0"])
def test_cuda_asked_for_but_unavailable_says_so_and_what_to_choose(monkeypatch, asked):
    _no_gpu(monkeypatch)
    with pytest.raises(RuntimeError) as raised:
        pick_device(asked)
    message = str(raised.value)
    assert "CUDA GPU was asked for" in message and torch.__version__ in message and "auto or cpu" in message


def test_a_cpu_only_torch_is_named_as_such(monkeypatch):
    _no_gpu(monkeypatch)
    monkeypatch.setattr(torch.version, "cuda", None)
    monkeypatch.setattr(torch.version, "hip", None)
    with pytest.raises(RuntimeError, match="built for the CPU only"):
        pick_device("cuda")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_the_command_line_reports_a_missing_gpu_clearly(cli_env_for_model, tmp_path):
    done = subprocess.run([sys.executable, "-m", "photosearch", "--data-dir", str(tmp_path / "data"), "search",
                           "a dog", "--device", "cuda"], capture_output=True, text=True, timeout=120,
                          env=cli_env_for_model)
    assert done.returncode == 1, done.stderr
    assert "photosearch search: cannot load the model: a CUDA GPU was asked for, but torch sees none" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture()
def cli_env_for_model(tiny_model_dir, tmp_path):
    env = dict(os.environ, PHOTOSEARCH_WEIGHTS=str(tiny_model_dir), XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.pop("PHOTOSEARCH_DATA_DIR", None)
    return env


# the probe: what `auto` would pick, without importing torch


def test_the_probe_agrees_with_torch_on_this_machine():
    # torch is imported in this process, so ask in a fresh one, as `photosearch status` does.
    code = ("import sys; from photosearch.model.device_probe import probe_device; "
            "print(probe_device(None), probe_device('cpu'), 'torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    auto, cpu, imported = done.stdout.split()
    assert (cpu, imported) == ("cpu", "False"), done.stderr
    assert auto in ("None", pick_device(None).type)
    if sys.platform.startswith("linux") and not getattr(torch.version, "hip", None):
        assert auto == pick_device(None).type  # on Linux it always answers for a CUDA or CPU build


def _version_file(tmp_path, monkeypatch, text):
    package = tmp_path / "torch"
    package.mkdir()
    (package / "version.py").write_text(text)

    class Spec:
        submodule_search_locations = (str(package),)

    monkeypatch.setattr(device_probe.importlib.util, "find_spec", lambda name: Spec())
    # A Linux process without torch loaded (the probe defers to torch when it is loaded, as it is here).
    monkeypatch.setattr(device_probe, "sys", types.SimpleNamespace(platform="linux", modules={}))


def test_a_cpu_only_build_is_the_cpu(tmp_path, monkeypatch):
    _version_file(tmp_path, monkeypatch, "__version__ = '2.14.1+cpu'\ncuda: Optional[str] = None\n"
                  "hip: Optional[str] = None\nxpu: Optional[str] = None\n")
    assert device_probe.probe_device(None) == device_probe.probe_device("auto") == "cpu"
    assert device_probe.probe_device("cuda") is None  # torch checks explicit requests and says why


def test_builds_it_does_not_know_are_left_to_torch(tmp_path, monkeypatch):
    _version_file(tmp_path, monkeypatch, "cuda = None\nhip = '6.2.4'\nxpu = None\n")
    assert device_probe.probe_device(None) is None


def test_an_unreadable_version_file_is_left_to_torch(tmp_path, monkeypatch):
    _version_file(tmp_path, monkeypatch, "from .build import *\n")
    assert device_probe.probe_device(None) is None


def test_macos_is_left_to_torch(tmp_path, monkeypatch):
    _version_file(tmp_path, monkeypatch, "cuda = None\nhip = None\nxpu = None\n")
    device_probe.sys.platform = "darwin"
    assert device_probe.probe_device(None) is None


class FakeDriver:
    """libcuda's three calls the probe makes, answering as a driver with `count` devices would."""

    def __init__(self, init: int = 0, count: int = 1, version: int = 13000) -> None:
        self.init, self.count, self.version = init, count, version

    def cuInit(self, flags):
        return self.init

    def cuDeviceGetCount(self, ref):
        ref._obj.value = self.count
        return 0

    def cuDriverGetVersion(self, ref):
        ref._obj.value = self.version
        return 0


@pytest.mark.parametrize(("driver", "expected"), [
    (None, "cpu"),  # no driver library
    (FakeDriver(init=100), "cpu"),  # CUDA_ERROR_NO_DEVICE
    (FakeDriver(count=0), "cpu"),
    (FakeDriver(count=2, version=13000), "cuda"),
    (FakeDriver(count=1, version=13020), "cuda"),
    (FakeDriver(count=1, version=12080), "cpu"),  # too old for a CUDA 13 build: torch cannot use it
])
def test_a_cuda_build_asks_the_driver(tmp_path, monkeypatch, driver, expected):
    _version_file(tmp_path, monkeypatch, "cuda: Optional[str] = '13.0'\nhip: Optional[str] = None\n"
                  "xpu: Optional[str] = None\n")

    def load(name):
        if driver is None:
            raise OSError(f"{name}: cannot open shared object file")
        return driver

    monkeypatch.setattr(device_probe.ctypes, "CDLL", load)  # restored after the test
    assert device_probe.probe_device(None) == expected
