"""The desktop app: PySide6 widgets and Qt models over the headless core (photosearch.core)."""

import sys

from photosearch.gui.refcount_guard import protect_none

protect_none()  # before any widget paints: see refcount_guard
# The GUI thread shares the GIL with the workers (scanning, the watcher's own threads). Python's default 5 ms
# switch interval let three busy workers keep it from the event loop for 0.25-0.33 s at a time while a folder of
# 10,000 subfolders was added (tests/gui/test_responsive.py); at 1 ms the loop gets it back within tens of ms.
sys.setswitchinterval(0.001)
