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
from PySide6.QtGui import QColor, QFontMetrics, QKeyEvent, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

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
    """Paints a cell: the thumbnail centred in a square, a placeholder while it loads, the file name below."""

    def __init__(self, thumbnail_size: int, parent: Any = None) -> None:
        super().__init__(parent)
        self._size = thumbnail_size

    def set_thumbnail_size(self, size: int) -> None:
        self._size = size

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:
        line = QFontMetrics(option.font).height()
        return QSize(self._size + 2 * CELL_PADDING, self._size + 2 * CELL_PADDING + CAPTION_GAP + line)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
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
        square = QRect(cell.left() + CELL_PADDING - 2, cell.top() + CELL_PADDING - 2, self._size, self._size)
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
        name = option.fontMetrics.elidedText(os.path.basename(row.path), Qt.TextElideMode.ElideMiddle,
                                             caption.width())
        painter.drawText(caption, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter), name)
        painter.restore()


class ResultsView(QListView):
    """An icon-mode grid that only builds what is on screen, with a message painted when it has nothing to show."""

    open_requested = Signal(str)
    leave_upwards = Signal()

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
        self.activated.connect(self._on_activated)

    def update_grid(self) -> None:
        """Spread the columns over the whole width: cells grow a little rather than leave a ragged gap."""
        delegate = self.itemDelegate()
        if not isinstance(delegate, ThumbnailDelegate):
            return
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        cell = delegate.sizeHint(option, QModelIndex())
        width = max(1, self.viewport().width() - 2 * self.spacing() - 1)
        columns = max(1, width // (cell.width() + self.spacing()))
        grid = QSize(width // columns - self.spacing(), cell.height() + self.spacing())
        if grid != self.gridSize():
            self.setGridSize(grid)

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
        color = QColor(self.palette().color(QPalette.ColorRole.Text))
        color.setAlpha(150)
        painter.setPen(color)
        line = QFontMetrics(font).height()
        headline = QRect(rect.left(), rect.center().y() - line, rect.width(), line)
        flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap)
        painter.drawText(headline, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), self._message)
        if self._detail:
            painter.setFont(self.font())
            color.setAlpha(120)
            painter.setPen(color)
            detail = QRect(rect.left(), headline.bottom() + 8, rect.width(), rect.bottom() - headline.bottom())
            painter.drawText(detail, flags, self._detail)
        painter.end()

    def _on_activated(self, index: QModelIndex) -> None:
        path = self._path_at(index)
        if path:
            self.open_requested.emit(path)
