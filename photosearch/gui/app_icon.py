"""The application icon: the SVG in resources/icons, rendered by Qt at whatever size the desktop asks for."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon, QPixmap

ICON_NAME = "photosearch.svg"


def icons_dir() -> Path:
    """resources/icons beside the package in a checkout, or inside a frozen bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources" / "icons"
    return Path(__file__).resolve().parents[2] / "resources" / "icons"


def app_icon() -> QIcon:
    """The app's icon; an empty icon (the desktop's default) when the file is not installed."""
    path = icons_dir() / ICON_NAME
    return QIcon(str(path)) if path.is_file() else QIcon()


def app_pixmap(size: int) -> QPixmap:
    return app_icon().pixmap(size, size)
