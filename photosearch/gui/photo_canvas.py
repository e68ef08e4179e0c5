"""The viewer's canvas: one photo fitted to the widget or zoomed around a point, panned by dragging."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

# Each zoom step (a key press, a wheel notch) multiplies or divides the zoom by this.
ZOOM_STEP = 1.25
# 1600 %: single pixels are big squares by then; nobody needs more to check focus or noise.
MAX_ZOOM = 16.0
# Below this zoom relative to the pixmap, a smoothly pre-scaled copy is drawn: plain bilinear
# drawing of a big photo at a small size would alias (moiré on fine detail).
PRESCALE_BELOW = 1.0
# From this zoom up, pixels are drawn as crisp squares, as viewers do, rather than blurred together.
CRISP_FROM = 2.0


class PhotoCanvas(QWidget):
    """Draws a pixmap that stands for a photo of `full_size` pixels, at `zoom` photo pixels per screen pixel.

    Fitted (the default), the whole photo shows, never enlarged past 100 %, and it stays fitted as the widget
    is resized. Zooming (wheel, or the viewer's keys) keeps the point under the cursor or the centre in place.
    """

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewerCanvas")
        self.setAccessibleName("Photo")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 90)
        self._pixmap = QPixmap()
        self._full = QSizeF()
        self._text = ""
        self._zoom = 1.0
        self._fitted = True
        self._centre = QPointF()  # the photo point (in full-size pixels) shown at the widget's centre
        self._drag_from: QPointF | None = None
        self._prescaled = QPixmap()

    # what is shown

    def show_pixmap(self, pixmap: QPixmap, full_size: QSize | None = None, text: str = "") -> None:
        """Show `pixmap` fitted; `full_size` is the photo's own size when the pixmap is a smaller copy of it.

        `text` is drawn over it (e.g. "Loading…" over a thumbnail standing in for the photo).
        """
        self._pixmap = pixmap
        self._full = QSizeF(full_size if full_size is not None and full_size.isValid() else pixmap.size())
        self._text = text
        self._prescaled = QPixmap()
        self._drag_from = None
        self.fit()

    def show_text(self, text: str) -> None:
        """Only `text` (a photo that cannot be shown), no picture."""
        self.show_pixmap(QPixmap(), None, text)

    def text(self) -> str:
        return self._text

    def has_photo(self) -> bool:
        return not self._pixmap.isNull()

    def pixmap(self) -> QPixmap:
        return self._pixmap

    # zoom

    def zoom(self) -> float:
        """Photo pixels per screen (device) pixel: 1.0 is 100 %."""
        return self._zoom

    def is_fitted(self) -> bool:
        return self._fitted

    def fit_zoom(self) -> float:
        """The zoom at which the whole photo fits, at most 100 %."""
        if self._full.isEmpty():
            return 1.0
        ratio = self.devicePixelRatioF()
        room = QSizeF(self.width() * ratio, self.height() * ratio)
        return min(1.0, room.width() / self._full.width(), room.height() / self._full.height())

    def fit(self) -> None:
        self._fitted = True
        self._centre = QPointF(self._full.width() / 2, self._full.height() / 2)
        self._apply_zoom(self.fit_zoom())

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom to `zoom`, keeping the photo point under `anchor` (widget coordinates; default the centre) there."""
        if not self.has_photo():
            return
        zoom = max(min(self.fit_zoom(), 1.0), min(MAX_ZOOM, zoom))
        if anchor is not None:
            centre = QPointF(self.width() / 2, self.height() / 2)
            before = self._to_photo(anchor)
            scale = zoom / self.devicePixelRatioF()
            self._centre = before - (anchor - centre) / scale
        self._fitted = False
        self._apply_zoom(zoom)

    def zoom_in(self, steps: float = 1.0, anchor: QPointF | None = None) -> None:
        self.set_zoom(self._zoom * ZOOM_STEP ** steps, anchor)

    def zoom_out(self, steps: float = 1.0, anchor: QPointF | None = None) -> None:
        self.set_zoom(self._zoom / ZOOM_STEP ** steps, anchor)

    def pan(self, dx: float, dy: float) -> None:
        """Move the photo by (dx, dy) widget pixels (a drag, an arrow key); nothing moves when it fits."""
        scale = self._zoom / self.devicePixelRatioF()
        self._centre -= QPointF(dx, dy) / scale
        self._clamp()
        self.update()

    def photo_rect(self) -> QRectF:
        """Where the whole photo lies, in widget coordinates (mostly outside the widget when zoomed in)."""
        scale = self._zoom / self.devicePixelRatioF()
        size = self._full * scale
        top_left = QPointF(self.width() / 2, self.height() / 2) - self._centre * scale
        return QRectF(top_left, size)

    def _to_photo(self, point: QPointF) -> QPointF:
        scale = self._zoom / self.devicePixelRatioF()
        return self._centre + (point - QPointF(self.width() / 2, self.height() / 2)) / scale

    def _apply_zoom(self, zoom: float) -> None:
        changed = abs(zoom - self._zoom) > 1e-9
        self._zoom = zoom
        self._prescaled = QPixmap()
        self._clamp()
        self.update()
        if changed:
            self.zoom_changed.emit(zoom)

    def _clamp(self) -> None:
        """Centre a photo smaller than the widget; otherwise keep its edges from coming inside the widget."""
        scale = self._zoom / self.devicePixelRatioF()
        self._centre = QPointF(_clamp_axis(self._centre.x(), self.width(), self._full.width(), scale),
                               _clamp_axis(self._centre.y(), self.height(), self._full.height(), scale))

    # events

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.fit()
        else:
            self._clamp()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120  # trackpads send fractions of a notch
        if not steps or not self.has_photo():
            event.ignore()
            return
        self.zoom_in(steps, event.position())
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.has_photo():
            self._drag_from = event.position()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            delta = event.position() - self._drag_from
            self._drag_from = event.position()
            self.pan(delta.x(), delta.y())
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = None
            self.unsetCursor()
        super().mouseReleaseEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Dark).darker(160))
        if self.has_photo():
            self._paint_photo(painter)
        if self._text:
            self._paint_text(painter)
        painter.end()

    def _paint_photo(self, painter: QPainter) -> None:
        target = self.photo_rect()
        ratio = self.devicePixelRatioF()
        per_pixmap_pixel = target.width() * ratio / max(1, self._pixmap.width())
        if per_pixmap_pixel < PRESCALE_BELOW:
            wanted = QSize(max(1, round(target.width() * ratio)), max(1, round(target.height() * ratio)))
            if self._prescaled.size() != wanted:
                self._prescaled = self._pixmap.scaled(wanted, Qt.AspectRatioMode.IgnoreAspectRatio,
                                                      Qt.TransformationMode.SmoothTransformation)
                self._prescaled.setDevicePixelRatio(ratio)
            painter.drawPixmap(target.topLeft(), self._prescaled)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, per_pixmap_pixel < CRISP_FROM)
        # Only the part on screen: a zoomed 24-megapixel photo is mostly outside the widget.
        visible = target.intersected(QRectF(self.rect()))
        if visible.isEmpty():
            return
        scale = self._pixmap.width() / target.width()
        source = QRectF((visible.topLeft() - target.topLeft()) * scale, visible.size() * scale)
        painter.drawPixmap(visible, self._pixmap, source)

    def _paint_text(self, painter: QPainter) -> None:
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        painter.setFont(font)
        box = QRectF(self.rect()).adjusted(24, 24, -24, -24)
        flags = int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        bounds = painter.boundingRect(box, flags, self._text).adjusted(-12, -8, 12, 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 150))
        painter.drawRoundedRect(bounds, 8, 8)
        painter.setPen(QColor(235, 235, 235))
        painter.drawText(box, flags, self._text)


def _clamp_axis(centre: float, room: float, extent: float, scale: float) -> float:
    """Along one axis: the photo's middle when it fits in `room`, else `centre` kept off the photo's edges."""
    if extent * scale <= room:
        return extent / 2
    half = room / 2 / scale
    return min(max(centre, half), extent - half)
