"""The desktop app: PySide6 widgets and Qt models over the headless core (photosearch.core)."""

from photosearch.gui.refcount_guard import protect_none

protect_none()  # before any widget paints: see refcount_guard
