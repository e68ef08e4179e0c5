"""The "Why this photo?" overlay: a cold-to-hot colour map of ADAPT's heat-map, laid over the photo."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter

# A colour map that reads as "cold to hot" also for most colour-blind viewers (blue -> cyan -> yellow -> red).
_STOPS = np.array([[0.0, 40, 60, 200], [0.35, 0, 200, 220], [0.65, 250, 230, 40], [1.0, 230, 30, 20]])


def colourise(heat: np.ndarray) -> np.ndarray:
    """(h, w, 4) uint8 RGBA of a [0, 1] heat-map: cold regions faint, hot ones strong, for an overlay."""
    heat = np.clip(np.asarray(heat, dtype=np.float32), 0.0, 1.0)
    rgba = np.empty((*heat.shape, 4), dtype=np.uint8)
    for channel in range(3):
        rgba[..., channel] = np.interp(heat, _STOPS[:, 0], _STOPS[:, channel + 1]).round().astype(np.uint8)
    # The photo must stay visible under the overlay, most of all where ADAPT does not look.
    rgba[..., 3] = (60 + 140 * heat).round().astype(np.uint8)
    return rgba


def overlay_heatmap(image: QImage, heat: Any) -> QImage:
    """The photo with the focal-point heat-map (a small numpy grid) stretched over it, semi-transparent."""
    rgba = colourise(heat)
    height, width = rgba.shape[:2]
    grid = QImage(rgba.tobytes(), width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()
    # The map is coarse (9 x 9 for a square photo); smooth scaling turns its cells into soft blobs.
    layer = grid.scaled(image.size(), Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
    out = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(out)
    painter.drawImage(0, 0, layer)
    painter.end()
    return out
