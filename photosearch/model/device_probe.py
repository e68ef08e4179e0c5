"""Which device the model would run on, found without importing torch (for `photosearch status`)."""

from __future__ import annotations

import ctypes
import importlib.util
import re
import sys
from pathlib import Path

# The devices a user can choose (settings, `--device`); "auto" picks CUDA, then Apple MPS, then the CPU.
DEVICES = ("auto", "cpu", "cuda", "mps")

# The CUDA driver library that torch's CUDA runtime loads; without it torch sees no GPU.
CUDA_DRIVER = {"win32": "nvcuda.dll"}.get(sys.platform, "libcuda.so.1")


def probe_device(requested: str | None = None) -> str | None:
    """The device type `encoder.pick_device(requested)` would choose ("cpu", "cuda"), or None when this cannot
    tell without torch (then ask pick_device). Importing torch takes seconds; this takes milliseconds.

    It answers only where it can be sure: "cpu" asked for; a torch built for the CPU only (no GPU support, not
    on macOS, where MPS needs torch to ask); a torch built for CUDA and the CUDA driver's own count of devices
    (what torch asks it too), with a driver new enough for that build.
    """
    if requested == "cpu":
        return "cpu"
    if requested not in (None, "auto") or sys.platform == "darwin" or "torch" in sys.modules:
        return None  # torch validates other requests; loaded anyway, it answers exactly
    build = torch_build()
    if build is None or build.get("hip") or build.get("xpu"):
        return None
    cuda = build.get("cuda")
    if not cuda:
        return "cpu"
    return cuda_devices_usable(cuda)


def torch_build() -> dict[str, str | None] | None:
    """The installed torch's build (torch/version.py: its CUDA, HIP and XPU versions), read as text, not run."""
    try:
        spec = importlib.util.find_spec("torch")
        if spec is None or not spec.submodule_search_locations:
            return None
        text = (Path(next(iter(spec.submodule_search_locations))) / "version.py").read_text(encoding="utf-8")
    except (OSError, ImportError, ValueError, StopIteration):
        return None
    build: dict[str, str | None] = {}
    for key in ("cuda", "hip", "xpu"):
        match = re.search(rf"^{key}\s*(?::[^=]*)?=\s*(None|'([^']*)'|\"([^\"]*)\")\s*$", text, re.MULTILINE)
        if match is None:
            return None  # a layout this does not know: let torch answer
        build[key] = match.group(2) or match.group(3) or None
    return build


def cuda_devices_usable(build_cuda: str, driver: str = CUDA_DRIVER) -> str | None:
    """"cuda" when the CUDA driver loads, sees a device and supports the build's CUDA major version, else "cpu";
    None when the driver answers in a way this does not understand."""
    try:
        lib = ctypes.CDLL(driver)
    except OSError:
        return "cpu"  # no NVIDIA driver installed: torch.cuda.is_available() is False too
    try:
        if lib.cuInit(0) != 0:  # e.g. CUDA_ERROR_NO_DEVICE, also with CUDA_VISIBLE_DEVICES=""
            return "cpu"
        count, version = ctypes.c_int(0), ctypes.c_int(0)
        if lib.cuDeviceGetCount(ctypes.byref(count)) != 0 or lib.cuDriverGetVersion(ctypes.byref(version)) != 0:
            return None
        needed_major = int(build_cuda.split(".")[0])
    except (AttributeError, ValueError, OSError):
        return None
    if count.value <= 0:
        return "cpu"
    # A CUDA runtime runs on any driver of its major version or later (minor version compatibility).
    return "cuda" if version.value // 1000 >= needed_major else "cpu"
