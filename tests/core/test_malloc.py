"""The malloc arena cap: applied once on glibc, harmless elsewhere."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_the_arena_cap_is_applied_in_a_fresh_process_and_memory_still_works():
    code = ("from photosearch.core.malloc import limit_malloc_arenas as cap; import threading;"
            "ok = cap(); again = cap();"
            "blocks = []; t = [threading.Thread(target=lambda: blocks.append(bytearray(1 << 22))) for _ in range(8)];"
            "[x.start() for x in t]; [x.join() for x in t];"
            "print(ok, again, len(blocks))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["True", "True", "8"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_the_cap_starts_no_subprocess_and_does_not_search_for_libc():
    # In a fresh process: any subprocess (ldconfig through ctypes.util.find_library) or library search is recorded.
    code = ("import subprocess, ctypes.util; calls = [];"
            "real = subprocess.Popen.__init__;"
            "subprocess.Popen.__init__ = lambda self, *a, **k: (calls.append(a[0]), real(self, *a, **k))[1];"
            "ctypes.util.find_library = lambda name: calls.append(('find_library', name));"
            "from photosearch.core.malloc import limit_malloc_arenas; import photosearch.core.library;"
            "print(limit_malloc_arenas(), calls)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "True []"
