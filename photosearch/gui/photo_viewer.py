"""The in-app viewer: one result of the current search at a time, fitted or zoomed, the previous and next a key away."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QImage, QKeyEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from photosearch.gui.library_bridge import LibraryBridge
from photosearch.gui.photo_canvas import PhotoCanvas
from photosearch.gui.preview_pane import pil_to_qimage
from photosearch.gui.results_grid import ResultsModel

# Larger photos are shown from a copy this size: 100 % of a 6144 px photo is still every pixel, and a
# 50-megapixel original would otherwise hold about 200 MB as a pixmap.
VIEWER_MAX_SIDE = 6144
# The photo on screen and its neighbours, decoded: stepping back and forth shows them at once.
CACHED_PHOTOS = 3
# The grid's thumbnail, standing in while a photo loads, is drawn as if the photo were this big: fitted, it fills
# the canvas, as most photos will.
STAND_IN_SIDE = 8192
# Up and Down move a zoomed photo by this much of the canvas.
PAN_FRACTION = 0.2
# As narrow as the grid may be (the window's splitter gives it that little); the title bar drops buttons to fit.
MIN_WIDTH = 300
BAR_MARGIN, BAR_SPACING = 8, 4
# What the bar keeps for the file name before it drops a button.
NAME_ROOM = 80


@dataclass
class ViewerImage:
    """One photo decoded for the viewer (in a worker)."""

    path: str
    image: QImage  # null when the photo cannot be shown; `problem` says why
    full_size: QSize  # the photo's own size, upright; `image` may be a smaller copy
    problem: str = ""


def load_viewer_image(_library: Any, path: str) -> ViewerImage:
    """Decode upright (EXIF orientation applied; every format the scanner indexes), at most VIEWER_MAX_SIDE."""
    from photosearch.core import imageio

    try:
        decoded = imageio.decode(path)
    except imageio.UnreadableImage as error:
        return ViewerImage(path, QImage(), QSize(), str(error))
    picture = decoded.image
    picture.thumbnail((VIEWER_MAX_SIDE, VIEWER_MAX_SIDE))
    # In the pixmap's own format already, so that turning it into one in the GUI thread is only a copy.
    image = pil_to_qimage(picture).convertToFormat(QImage.Format.Format_RGB32)
    return ViewerImage(path, image, QSize(decoded.width, decoded.height))


def _plain(event: QKeyEvent) -> bool:
    # Shift is part of typing "+" on many layouts; the keypad's flag says nothing about intent.
    extra = event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier)
    return extra == Qt.KeyboardModifier.NoModifier


def _ctrl(event: QKeyEvent) -> bool:
    extra = event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier)
    return extra == Qt.KeyboardModifier.ControlModifier


class PhotoViewer(QWidget):
    """A page showing one photo of the results model, moving through it in the grid's order.

    It decodes photos through the bridge's pool, shows the grid's thumbnail meanwhile, and says so plainly when a
    photo cannot be read. The window decides what leaving and full screen mean; the viewer only asks.
    """

    back_requested = Signal()  # Esc (not in full screen) or the Back button
    current_changed = Signal(str)  # the photo now shown
    full_screen_requested = Signal()  # F: toggle
    context_menu_requested = Signal(str, QPoint)  # the photo's actions (right click, the "⋯" button), where (global)

    def __init__(self, bridge: LibraryBridge, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoViewer")
        self.setAccessibleName("Photo viewer")
        self.setWhatsThis("Left and Right: previous and next photo. + and -: zoom, 0: fit, 1: 100 %. "
                          "F: full screen. Esc: back to the results.")
        self._bridge = bridge
        self._model = model
        self._path: str | None = None
        self._number = -1
        self._full_screen = False
        self._cache: OrderedDict[str, ViewerImage] = OrderedDict()
        self._loading: set[str] = set()
        self._direction = 1  # which neighbour to decode next: the way the person is going

        self.canvas = PhotoCanvas()
        self.canvas.zoom_changed.connect(lambda _zoom: self._update_title())
        self._name = QLabel()
        self._name.setObjectName("viewerName")
        self._name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        font = self._name.font()
        font.setBold(True)
        self._name.setFont(font)
        self._position = QLabel()
        self._position.setObjectName("viewerPosition")
        self._zoom = QLabel()
        self._zoom.setObjectName("viewerZoom")
        self._zoom.setMinimumWidth(self._zoom.fontMetrics().horizontalAdvance("1600 %") + 8)
        self._zoom.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        bar = QHBoxLayout()
        bar.setContentsMargins(BAR_MARGIN, 4, BAR_MARGIN, 4)
        bar.setSpacing(BAR_SPACING)
        self.back_button = self._button("‹ Results", "viewerBackButton", "Back to the results",
                                        "Back to the results (Esc)", self.back_requested.emit)
        previous, following = (
            self._button("◀", "viewerPreviousButton", "Previous photo", "Previous photo (Left, Page Up)",
                         lambda: self.step(-1)),
            self._button("▶", "viewerNextButton", "Next photo", "Next photo (Right, Page Down)", lambda: self.step(1)))
        zoom_buttons = [
            self._button("−", "viewerZoomOutButton", "Zoom out", "Zoom out (-, mouse wheel)", self.canvas.zoom_out),
            self._button("Fit", "viewerFitButton", "Fit to window", "The whole photo in the window (0)",
                         self.canvas.fit),
            self._button("+", "viewerZoomInButton", "Zoom in", "Zoom in (+, mouse wheel)", self.canvas.zoom_in)]
        self.full_screen_button = self._button("Full Screen", "viewerFullScreenButton", "Full screen",
                                               "Full screen (F)", self.full_screen_requested.emit)
        self.full_screen_button.setCheckable(True)
        self.more_button = self._button("⋯", "viewerMoreButton", "More actions",
                                        "Open with the system viewer, show in folder, copy the path, find similar "
                                        "photos (or right-click the photo)", self._show_more)
        for widget in (self.back_button, self._name, self._position, previous, following, *zoom_buttons,
                       self._zoom, self.full_screen_button, self.more_button):
            bar.addWidget(widget, 1 if widget is self._name else 0)
        self._always = [self.back_button, self._position, previous, following, self._zoom, self.more_button]
        # When the viewer is narrow, these go (the keys still work): first the zoom buttons, then full screen.
        self._optional = [[self.full_screen_button], zoom_buttons]
        self.setMinimumSize(MIN_WIDTH, 200)  # not the bar's full width: _arrange_bar makes it fit

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.canvas, 1)

    def _button(self, text: str, name: str, accessible: str, tip: str, slot: Callable[[], Any]) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        # Reached with Tab, but a click leaves the keyboard focus on the photo, where the arrows page.
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # what is shown

    def path(self) -> str | None:
        return self._path

    def position(self) -> tuple[int, int]:
        """(1-based number of the photo shown, number of results)."""
        return self._number + 1, self._model.rowCount()

    def title(self) -> str:
        return " · ".join(part for part in (self._name.text(), self._position.text(), self._zoom.text()) if part)

    def message(self) -> str:
        """What the canvas says over or instead of the photo ("Loading…", why it cannot be shown), or ""."""
        return self.canvas.text()

    def show_path(self, path: str) -> bool:
        """Show the result at `path`; False when it is not among the results."""
        number = self._model.row_of(path)
        if number < 0:
            return False
        self._show_number(number)
        return True

    def step(self, delta: int) -> None:
        """Go `delta` photos on (negative: back), stopping at the first and the last."""
        if self._number < 0:
            return
        number = max(0, min(self._model.rowCount() - 1, self._number + delta))
        if number != self._number:
            self._direction = 1 if delta > 0 else -1
            self._show_number(number)

    def follow_results(self) -> bool:
        """The results were replaced: find the shown photo among them; False when it is gone from them."""
        number = self._model.row_of(self._path) if self._path is not None else -1
        # Photos decoded for the old neighbours may have changed on disk; keep only the one on screen.
        for path in [p for p in self._cache if p != self._path]:
            del self._cache[path]
        if number < 0:
            return False
        self._number = number
        self._update_title()
        return True

    def release(self) -> None:
        """Forget the photos decoded so far (the viewer is being left): they are large."""
        self._path, self._number = None, -1
        self._cache.clear()
        self.canvas.show_pixmap(QPixmap())

    def set_full_screen(self, full_screen: bool) -> None:
        self._full_screen = full_screen
        self.full_screen_button.setChecked(full_screen)

    def _show_number(self, number: int) -> None:
        row = self._model.row(number)
        if row is None:
            return
        changed = row.path != self._path
        self._path, self._number = row.path, number
        self._name.setText(os.path.basename(row.path))
        self._name.setToolTip(row.path)
        cached = self._cache.get(row.path)
        if cached is not None:
            self._cache.move_to_end(row.path)
            self._display(cached)
            self._prefetch()
        else:
            self._show_stand_in(self._model.thumbnail(row))
            self._load(row.path)
        self._update_title()
        if changed:
            self.current_changed.emit(row.path)

    def _show_stand_in(self, thumbnail: QPixmap | None) -> None:
        """The grid's thumbnail, enlarged to about the size the photo will have, under "Loading…"."""
        if thumbnail is None or thumbnail.isNull():
            self.canvas.show_text("Loading…")
            return
        # Standing for a photo larger than any screen, it is fitted to the whole canvas, whatever its size.
        stand_for = thumbnail.size().scaled(QSize(STAND_IN_SIDE, STAND_IN_SIDE), Qt.AspectRatioMode.KeepAspectRatio)
        self.canvas.show_pixmap(thumbnail, stand_for, "Loading…")

    def _update_title(self) -> None:
        number, total = self.position()
        self._position.setText(f"{number} of {total}" if number > 0 else "")
        has_photo = self.canvas.has_photo() and not self.canvas.text()
        self._zoom.setText(f"{round(self.canvas.zoom() * 100)} %" if has_photo else "")
        self._zoom.setAccessibleName(f"Zoom {self._zoom.text()}" if has_photo else "Zoom")
        # The canvas has the focus: a screen reader reads this out for it.
        message = self.canvas.text().replace("\n", " ")
        self.canvas.setAccessibleDescription(f"{self.title()}. {message}" if message else self.title())

    # decoding, in the bridge's pool

    def _load(self, path: str) -> None:
        if path in self._loading or path in self._cache:
            return
        self._loading.add(path)
        self._bridge.call(partial(load_viewer_image, path=path), self._on_loaded,
                          lambda message: self._on_loaded(ViewerImage(path, QImage(), QSize(), message)))

    def _on_loaded(self, loaded: ViewerImage) -> None:
        self._loading.discard(loaded.path)
        if self._path is None:
            return  # the viewer was left meanwhile
        self._cache[loaded.path] = loaded
        self._cache.move_to_end(loaded.path)
        if self._path in self._cache:
            self._cache.move_to_end(self._path)  # never the one evicted
        while len(self._cache) > CACHED_PHOTOS:
            self._cache.popitem(last=False)
        if loaded.path == self._path:
            self._display(loaded)
            self._prefetch()

    def _display(self, loaded: ViewerImage) -> None:
        if loaded.image.isNull():
            self.canvas.show_text(f"This photo cannot be shown.\n{loaded.problem}" if loaded.problem
                                  else "This photo cannot be shown.")
        else:
            self.canvas.show_pixmap(QPixmap.fromImage(loaded.image), loaded.full_size)
        self._update_title()

    def _prefetch(self) -> None:
        row = self._model.row(self._number + self._direction)
        if row is not None:
            self._load(row.path)

    # actions and keys

    def _show_more(self) -> None:
        if self._path:
            where = self.more_button.mapToGlobal(self.more_button.rect().bottomLeft())
            self.context_menu_requested.emit(self._path, where)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange_bar()

    def _arrange_bar(self) -> None:
        room = self.width() - 2 * BAR_MARGIN - NAME_ROOM
        needed = sum(widget.sizeHint().width() + BAR_SPACING for widget in self._always)
        for group in self._optional:
            needed += sum(widget.sizeHint().width() + BAR_SPACING for widget in group)
            for widget in group:
                widget.setVisible(needed <= room)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if self._path:
            self.context_menu_requested.emit(self._path, event.globalPos())

    def _key_action(self, event: QKeyEvent) -> Callable[[], Any] | None:
        """What a key does here, or None for keys the window handles (Ctrl+F, Ctrl+Q...)."""
        key, Key = Qt.Key(event.key()), Qt.Key
        if _ctrl(event):
            zooms: dict[Qt.Key, Callable[[], Any]] = {
                Key.Key_Plus: self.canvas.zoom_in, Key.Key_Equal: self.canvas.zoom_in,
                Key.Key_Minus: self.canvas.zoom_out, Key.Key_0: self.canvas.fit}
            return zooms.get(key)
        if not _plain(event):
            return None
        pan = max(20.0, self.canvas.height() * PAN_FRACTION)
        keys: dict[Qt.Key, Callable[[], Any]] = {
            Key.Key_Escape: self.full_screen_requested.emit if self._full_screen else self.back_requested.emit,
            Key.Key_F: self.full_screen_requested.emit, Key.Key_F11: self.full_screen_requested.emit,
            Key.Key_Left: lambda: self.step(-1), Key.Key_PageUp: lambda: self.step(-1),
            Key.Key_Backspace: lambda: self.step(-1),
            Key.Key_Right: lambda: self.step(1), Key.Key_PageDown: lambda: self.step(1),
            Key.Key_Space: lambda: self.step(1),
            Key.Key_Home: lambda: self.step(-self._model.rowCount()),
            Key.Key_End: lambda: self.step(self._model.rowCount()),
            Key.Key_Plus: self.canvas.zoom_in, Key.Key_Equal: self.canvas.zoom_in,
            Key.Key_Minus: self.canvas.zoom_out, Key.Key_0: self.canvas.fit,
            Key.Key_1: lambda: self.canvas.set_zoom(1.0),
            Key.Key_Up: lambda: self.canvas.pan(0, pan), Key.Key_Down: lambda: self.canvas.pan(0, -pan),
        }
        return keys.get(key)

    def event(self, event: QEvent) -> bool:
        # The window's Esc clears the search; in here Esc (and every other key of ours) is the viewer's.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and self._key_action(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self._key_action(event)
        if action is None:
            super().keyPressEvent(event)
            return
        action()
        event.accept()
