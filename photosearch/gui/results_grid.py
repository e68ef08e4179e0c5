"""The results grid: a list model over search results, the cell painter, and the icon-mode view that shows them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from photosearch.gui.readable_text import secondary_colour
from photosearch.gui.thumbnail_pixmaps import ThumbnailPixmaps

PATH_ROLE = Qt.ItemDataRole.UserRole + 1
SCORE_ROLE = Qt.ItemDataRole.UserRole + 2
WEAK_ROLE = Qt.ItemDataRole.UserRole + 3

# Padding around a thumbnail inside its cell, and the gap between the picture and its caption.
CELL_PADDING = 6
CAPTION_GAP = 6
# Weak matches are drawn faded: still reachable, clearly not presented as answers.
WEAK_OPACITY = 0.38


class Result(Protocol):
    """One search result as the grid reads it: the core's SearchResult, shown as it comes."""

    path: str
    score: float
    weak: bool


class ResultsModel(QAbstractListModel):
    """Search results, best first; asks for thumbnails only for the rows the view paints.

    Python reads rows through `row()` and `thumbnail()`, never through `index.data()`: PySide6 6.12 drops a
    reference to None each time QModelIndex.data() hands an empty QVariant to Python, and painting did that
    for every cell still waiting for its thumbnail until the interpreter died ("none_dealloc").
    """

    def __init__(self, thumbnails: ThumbnailPixmaps, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Result] = []
        self._row_of: dict[str, int] = {}
        self._thumbnails = thumbnails
        thumbnails.loaded.connect(self._on_thumbnail_loaded)

    def set_results(self, results: Iterable[Any]) -> None:
        self.beginResetModel()
        self._rows = list(results)
        self._row_of = {row.path: i for i, row in enumerate(self._rows)}
        self.endResetModel()

    def clear(self) -> None:
        self.set_results([])

    def rows(self) -> Sequence[Result]:
        return tuple(self._rows)

    def row(self, number: int) -> Result | None:
        return self._rows[number] if 0 <= number < len(self._rows) else None

    def thumbnail(self, row: Result) -> QPixmap | None:
        """The row's pixmap, owned by the thumbnail cache, or None while it loads (then it is asked for)."""
        return self._thumbnails.pixmap(row.path)

    def paths(self) -> list[str]:
        return [row.path for row in self._rows]

    def row_of(self, path: str) -> int:
        return self._row_of.get(path, -1)

    def strong_count(self) -> int:
        return sum(1 for row in self._rows if not row.weak)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        name = os.path.basename(row.path)
        if role == Qt.ItemDataRole.DisplayRole:
            return name
        if role == Qt.ItemDataRole.DecorationRole:
            # Never None (see the class docstring): a null pixmap while the thumbnail loads.
            pixmap = self._thumbnails.pixmap(row.path)
            return QPixmap() if pixmap is None else pixmap
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            note = " (weak match)" if row.weak else ""
            return f"{row.path}\nRelevance {row.score:.2f}{note}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return name
        if role == PATH_ROLE:
            return row.path
        if role == SCORE_ROLE:
            return row.score
        if role == WEAK_ROLE:
            return row.weak
        return None

    def _on_thumbnail_loaded(self, path: str) -> None:
        row = self._row_of.get(path)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class ThumbnailDelegate(QStyledItemDelegate):
    """Paints a cell: the thumbnail centred in a square, a placeholder while it loads, the file name below.

    `thumbnail_size` is the size the person chose; the view widens the square (`picture_size`) so that a whole
    number of columns fills its width.
    """

    def __init__(self, thumbnail_size: int, parent: Any = None) -> None:
        super().__init__(parent)
        self._size = thumbnail_size
        self._picture = thumbnail_size

    @property
    def thumbnail_size(self) -> int:
        return self._size

    @property
    def picture_size(self) -> int:
        return self._picture

    def set_thumbnail_size(self, size: int) -> None:
        self._size = self._picture = size

    def set_picture_size(self, size: int) -> None:
        self._picture = size

    def cell_size(self, font_metrics: QFontMetrics, picture: int) -> QSize:
        """A cell holding a `picture`-pixel square and one line of caption."""
        return QSize(picture + 2 * CELL_PADDING, picture + 2 * CELL_PADDING + CAPTION_GAP + font_metrics.height())

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:
        return self.cell_size(QFontMetrics(option.font), self._picture)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        # The pixmap is decoded near the cell's size, but a cell may be a little larger or smaller meanwhile.
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        palette: QPalette = option.palette
        cell = QRect(option.rect).adjusted(2, 2, -2, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected or hovered:
            highlight = QColor(palette.color(QPalette.ColorRole.Highlight))
            highlight.setAlpha(70 if selected else 30)
            path = QPainterPath()
            path.addRoundedRect(cell, 8, 8)
            painter.fillPath(path, highlight)
            if selected:
                painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1.5))
                painter.drawPath(path)

        model = index.model()
        row = model.row(index.row()) if isinstance(model, ResultsModel) else None
        if row is None:
            painter.restore()
            return
        if row.weak:
            painter.setOpacity(WEAK_OPACITY)
        square = QRect(cell.left() + CELL_PADDING - 2, cell.top() + CELL_PADDING - 2, self._picture, self._picture)
        # Straight from the cache, which keeps the pixmap alive while it is drawn; no round trip through a QVariant.
        pixmap = model.thumbnail(row)
        if pixmap is not None and not pixmap.isNull():
            # Thumbnails may come from a cache made at another size: fit, never upscale past the square.
            scaled = pixmap.size().scaled(square.size(), Qt.AspectRatioMode.KeepAspectRatio)
            # Bottom-aligned like a file manager's icons, so every caption sits right under its picture.
            target = QRect(0, 0, scaled.width(), scaled.height())
            target.moveCenter(square.center())
            target.moveBottom(square.bottom())
            painter.drawPixmap(target, pixmap)
        else:
            placeholder = QColor(palette.color(QPalette.ColorRole.Mid))
            placeholder.setAlpha(60)
            frame = QPainterPath()
            frame.addRoundedRect(square.adjusted(6, 6, -6, -6), 6, 6)
            painter.fillPath(frame, placeholder)

        caption = QRect(cell.left() + 4, square.bottom() + CAPTION_GAP, cell.width() - 8, option.fontMetrics.height())
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        name = caption_text(os.path.basename(row.path), option.fontMetrics, caption.width())
        painter.drawText(caption, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter), name)
        painter.restore()


def caption_text(name: str, metrics: QFontMetrics, width: int) -> str:
    """The file name as it fits under a thumbnail: cut at the end, as a file manager does ("IMG_2019_beach_holi…"),
    since the start of a name says more than the end of a hash."""
    return metrics.elidedText(name, Qt.TextElideMode.ElideRight, width)


class ResultsView(QListView):
    """An icon-mode grid that only builds what is on screen, with a message painted when it has nothing to show."""

    open_requested = Signal(str)
    leave_upwards = Signal()
    zoom_requested = Signal(int)  # +1: larger thumbnails, -1: smaller (Ctrl+wheel, Ctrl+= and Ctrl+-)
    picture_size_changed = Signal(int)  # the side of a thumbnail as painted now, in pixels

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        # Batched layout keeps a 10k-result reset from freezing the window while it lays out.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(500)
        self.setSpacing(2)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)
        self.setDragEnabled(False)
        self.setAcceptDrops(False)
        self.viewport().setAcceptDrops(False)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._message = ""
        self._detail = ""
        self._wheel_rest = 0
        self.activated.connect(self._on_activated)

    def update_grid(self) -> None:
        """Fit a whole number of columns to the width: each cell grows from the chosen size until they fill it.

        The width kept for the scroll bar is left out whether the bar shows or not, so that its coming and
        going cannot change the number of columns, and with it the rows that made it come.
        """
        delegate = self.itemDelegate()
        if not isinstance(delegate, ThumbnailDelegate):
            return
        metrics = self.fontMetrics()
        smallest = delegate.cell_size(metrics, delegate.thumbnail_size).width() + self.spacing()
        width = max(1, self.viewport().width() - 1)
        bar = self.verticalScrollBar()
        if not bar.isVisible():
            width = max(1, width - self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, bar))
        columns = max(1, width // smallest)
        column = width // columns
        picture = max(1, column - self.spacing() - 2 * CELL_PADDING)
        if picture != delegate.picture_size:
            delegate.set_picture_size(picture)
        grid = QSize(column, delegate.cell_size(metrics, picture).height() + self.spacing())
        if grid != self.gridSize():
            self.setGridSize(grid)
            self.picture_size_changed.emit(picture)

    def columns(self) -> int:
        """How many cells a row holds now."""
        return max(1, (self.viewport().width() - 1) // max(1, self.gridSize().width()))

    def wheelEvent(self, event: QWheelEvent) -> None:
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(event)
            return
        # Ctrl+wheel zooms, one step a notch; a touchpad's small deltas add up to notches.
        self._wheel_rest += event.angleDelta().y()
        steps = int(self._wheel_rest / 120)
        if steps:
            self._wheel_rest -= steps * 120
            self.zoom_requested.emit(steps)
        event.accept()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.update_grid()

    def set_message(self, message: str, detail: str = "") -> None:
        """What the empty grid says (e.g. 'No photos match …'); painted only while there are no rows."""
        self._message, self._detail = message, detail
        self.viewport().update()

    def message(self) -> str:
        return self._message

    def current_path(self) -> str | None:
        return self._path_at(self.currentIndex())

    def _path_at(self, index: QModelIndex) -> str | None:
        model = self.model()
        row = model.row(index.row()) if index.isValid() and isinstance(model, ResultsModel) else None
        return None if row is None else row.path

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        zoom = _zoom_steps(event)
        if zoom:
            self.zoom_requested.emit(zoom)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            path = self.current_path()
            if path:
                self.open_requested.emit(path)
                return
        if key == Qt.Key.Key_Up and self.model() is not None:
            # Up from the first row goes back to the search field, as in a browser's suggestion list.
            index = self.currentIndex()
            above = self.moveCursor(QAbstractItemView.CursorAction.MoveUp, Qt.KeyboardModifier.NoModifier)
            if not index.isValid() or above == index or not above.isValid():
                self.leave_upwards.emit()
                return
        super().keyPressEvent(event)

    def paintEvent(self, event: Any) -> None:
        super().paintEvent(event)
        model = self.model()
        if (model is not None and model.rowCount() > 0) or not self._message:
            return
        painter = QPainter(self.viewport())
        rect = self.viewport().rect().adjusted(24, 24, -24, -24)
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        painter.setFont(font)
        palette = self.palette()
        painter.setPen(secondary_colour(palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base)))
        metrics = QFontMetrics(font)
        line = metrics.height()
        headline = QRect(rect.left(), rect.center().y() - line, rect.width(), line)
        flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap)
        # One line, cut with "…" (it may quote a pasted query of any length).
        painter.drawText(headline, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                         metrics.elidedText(self._message, Qt.TextElideMode.ElideRight, headline.width()))
        if self._detail:
            painter.setFont(self.font())
            detail = QRect(rect.left(), headline.bottom() + 8, rect.width(), rect.bottom() - headline.bottom())
            painter.drawText(detail, flags, self._detail)
        painter.end()

    def _on_activated(self, index: QModelIndex) -> None:
        path = self._path_at(index)
        if path:
            self.open_requested.emit(path)


def _zoom_steps(event: QKeyEvent) -> int:
    """+1 for Ctrl+= or Ctrl++ (zoom in), -1 for Ctrl+- (zoom out), 0 for any other key."""
    if event.matches(QKeySequence.StandardKey.ZoomIn):
        return 1
    if event.matches(QKeySequence.StandardKey.ZoomOut):
        return -1
    if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
        return 0
    # Ctrl+= is Ctrl++ without Shift on most layouts, and not every platform's ZoomIn lists it.
    return {Qt.Key.Key_Equal: 1, Qt.Key.Key_Plus: 1, Qt.Key.Key_Minus: -1}.get(Qt.Key(event.key()), 0)
