"""Small monochrome toolbar glyphs drawn with QPainter, used when the desktop's icon theme has no match."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

Painter = Callable[[QPainter], None]


def _search(p: QPainter) -> None:
    p.drawEllipse(QRectF(3, 3, 12, 12))
    p.drawLine(QPointF(13.5, 13.5), QPointF(20, 20))


def _folder(p: QPainter) -> None:
    path = QPainterPath()
    path.moveTo(3, 6)
    path.lineTo(9, 6)
    path.lineTo(11, 8)
    path.lineTo(20, 8)
    path.lineTo(20, 19)
    path.lineTo(3, 19)
    path.closeSubpath()
    p.drawPath(path)


def _add_folder(p: QPainter) -> None:
    _folder(p)
    p.drawLine(QPointF(11.5, 10.5), QPointF(11.5, 16.5))
    p.drawLine(QPointF(8.5, 13.5), QPointF(14.5, 13.5))


def _folders(p: QPainter) -> None:
    # A list of folders: a bullet and a line per entry.
    for y in (6.0, 12.0, 18.0):
        p.drawLine(QPointF(9, y), QPointF(21, y))
        p.drawRect(QRectF(3, y - 1.5, 3, 3))


def _preview(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(3, 5, 18, 14), 2, 2)
    p.drawLine(QPointF(14, 5), QPointF(14, 19))


def _settings(p: QPainter) -> None:
    for y, knob in ((6.0, 8.0), (12.0, 15.0), (18.0, 10.0)):
        p.drawLine(QPointF(3, y), QPointF(21, y))
        p.save()
        p.setBrush(p.pen().color())
        p.drawEllipse(QPointF(knob, y), 2.2, 2.2)
        p.restore()


GLYPHS: dict[str, tuple[str, Painter]] = {
    "search": ("edit-find", _search),
    "add-folder": ("folder-new", _add_folder),
    "folders": ("folder", _folders),
    "preview": ("view-preview", _preview),
    "settings": ("preferences-system", _settings),
}


def glyph(name: str, color: QColor | None = None, use_theme: bool = True) -> QIcon:
    """The theme's icon for `name` when the desktop has one, else our drawn glyph in the palette's text colour."""
    theme_name, draw = GLYPHS[name]
    if use_theme and QIcon.hasThemeIcon(theme_name):
        return QIcon.fromTheme(theme_name)
    if color is None:
        color = QApplication.palette().color(QPalette.ColorRole.WindowText)
    icon = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(24 * scale, 24 * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.scale(scale, scale)
        pen = QPen(color, 1.7)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        draw(painter)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        icon.addPixmap(pixmap)
    return icon
