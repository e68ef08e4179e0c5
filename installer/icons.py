"""Renders resources/icons/photosearch.svg into the PNG, ICO and ICNS files the desktops and installers need.

The renderings are committed; run this again (`python installer/icons.py`, or `build.py --icons`) only when
the SVG changes. It needs PySide6 (Qt's SVG renderer) and Pillow, both in the app's own environment.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SVG = ICONS / "photosearch.svg"
# The hicolor theme's usual sizes (the .deb installs each one); 22 is the size many panels use.
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# An .icns holds 16 to 512 points, each also at double resolution, so the largest picture is 1024 pixels.
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def png_path(size: int) -> Path:
    return ICONS / f"photosearch-{size}.png"


def render_png(size: int) -> bytes:
    """The SVG drawn by Qt into a transparent square of `size` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # QPainter wants a Gui application for its paint engine; offscreen needs no display.
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise ValueError(f"{SVG} is not an SVG that Qt can draw")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def render_all() -> list[Path]:
    """Write every PNG size, photosearch.ico and photosearch.icns next to the SVG; returns what was written."""
    from PIL import Image

    renders = {size: render_png(size) for size in sorted(set(PNG_SIZES) | set(ICO_SIZES) | set(ICNS_SIZES))}
    pictures = {size: Image.open(io.BytesIO(data)).convert("RGBA") for size, data in renders.items()}
    written = []
    for size in PNG_SIZES:
        _write(png_path(size), renders[size])
        written.append(png_path(size))
    # Each size drawn by Qt from the vectors, not scaled down from the largest: small sizes stay sharp.
    ico = io.BytesIO()
    largest = pictures[max(ICO_SIZES)]
    largest.save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                 append_images=[pictures[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    _write(ICONS / "photosearch.ico", ico.getvalue())
    icns = io.BytesIO()
    pictures[max(ICNS_SIZES)].save(icns, format="ICNS",
                                   append_images=[pictures[s] for s in ICNS_SIZES if s != max(ICNS_SIZES)])
    _write(ICONS / "photosearch.icns", icns.getvalue())
    return [*written, ICONS / "photosearch.ico", ICONS / "photosearch.icns"]


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def missing() -> list[Path]:
    """The renderings that are not on disk (a checkout always has them; a partial copy may not)."""
    wanted = [png_path(size) for size in PNG_SIZES] + [ICONS / "photosearch.ico", ICONS / "photosearch.icns"]
    return [path for path in wanted if not path.is_file()]


if __name__ == "__main__":
    for path in render_all():
        print(f"{path.relative_to(ICONS.parents[1])}  {path.stat().st_size:>8} bytes")
