"""The preview pane: the selected photo larger, with its name, date, size, dimensions, path and "Why this photo?"."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from photosearch.gui import wording
from photosearch.gui.heatmap import overlay_heatmap
from photosearch.gui.library_bridge import LibraryBridge
from photosearch.gui.readable_text import make_secondary

# Decoded no larger than this: plenty for a side pane, and quick to decode from a big camera file.
PREVIEW_PIXELS = 1200


@dataclass
class PreviewData:
    """What a background load brings back for one photo."""

    path: str
    image: QImage  # null when the photo cannot be decoded; `problem` says why
    info: Any
    problem: str = ""


def load_preview(library: Any, path: str) -> PreviewData:
    """Decode a downscaled, upright copy of the photo and fetch its catalog record (runs in a worker).

    Decoded by the core's image I/O, as the indexer decodes: every format the scanner indexes (HEIC, HEIF and
    AVIF with pillow-heif), EXIF orientation applied.
    """
    from photosearch.core import imageio

    info = library.photo_info(path) if library is not None else None
    try:
        decoded = imageio.decode(path, min_side=PREVIEW_PIXELS)  # JPEGs decode at a fraction of their size
    except imageio.UnreadableImage as error:
        return PreviewData(path, QImage(), info, str(error))
    picture = decoded.image
    picture.thumbnail((PREVIEW_PIXELS, PREVIEW_PIXELS))
    return PreviewData(path, pil_to_qimage(picture), info)


def pil_to_qimage(picture: Any) -> QImage:
    """A QImage copy of an RGB (or RGBA) PIL image."""
    if picture.mode not in ("RGB", "RGBA"):
        picture = picture.convert("RGB")
    fmt = QImage.Format.Format_RGBA8888 if picture.mode == "RGBA" else QImage.Format.Format_RGB888
    width, height = picture.size
    channels = len(picture.mode)
    return QImage(picture.tobytes(), width, height, channels * width, fmt).copy()


class PreviewPane(QFrame):
    """Shows one photo; loads it off the GUI thread and ignores loads that a newer selection overtook."""

    open_requested = Signal(str)
    reveal_requested = Signal(str)

    def __init__(self, bridge: LibraryBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("previewPane")
        self.setAccessibleName("Photo preview")
        self.setMinimumWidth(220)
        self._bridge = bridge
        self._path: str | None = None
        self._image = QImage()
        self._query: str | None = None  # the text query whose results are shown
        self._explain_available = False
        self._overlay = QImage()  # the photo with its heat-map, for (path, query) in _overlay_for
        self._overlay_for: tuple[str, str] | None = None
        self._why_for: tuple[str, str] | None = None  # the (path, query) "Why this photo?" was last set for

        self._picture = QLabel()
        self._picture.setObjectName("previewImage")
        self._picture.setAccessibleName("Selected photo")
        self._picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._picture.setMinimumWidth(200)
        self._picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

        self._name = QLabel()
        self._name.setObjectName("previewName")
        self._name.setWordWrap(True)
        self._name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self._name.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self._name.setFont(font)

        self._date, self._size, self._dimensions, self._folder = (self._detail_label() for _ in range(4))
        details = QFormLayout()
        details.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        details.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        details.setHorizontalSpacing(10)
        details.setVerticalSpacing(4)
        self._captions: list[QLabel] = []
        for caption, label in (("Taken", self._date), ("Size", self._size), ("Dimensions", self._dimensions),
                               ("Folder", self._folder)):
            self._captions.append(self._caption(caption))
            details.addRow(self._captions[-1], label)

        self._open = QPushButton("Open")
        self._open.setObjectName("previewOpenButton")
        self._open.setToolTip("Show the photo in this window (Enter)")
        self._open.setAccessibleName("Open photo")
        self._open.clicked.connect(lambda: self._path and self.open_requested.emit(self._path))
        self._reveal = QPushButton("Show in Folder")
        self._reveal.setObjectName("previewRevealButton")
        self._reveal.setToolTip("Open the folder that holds this photo")
        self._reveal.setAccessibleName("Show in folder")
        self._reveal.clicked.connect(lambda: self._path and self.reveal_requested.emit(self._path))
        self._why = QPushButton("Why this photo?")
        self._why.setObjectName("previewWhyButton")
        self._why.setCheckable(True)
        self._why.setAccessibleName("Why this photo")
        self._why.toggled.connect(self._on_why_toggled)
        self._why_note = QLabel()
        self._why_note.setObjectName("previewWhyNote")
        self._why_note.setWordWrap(True)
        make_secondary(self._why_note)
        # Two rows: the three buttons side by side need more than the pane's default width, and squeezed into
        # it they were cut ("Vhy this photo").
        buttons = QVBoxLayout()
        for row_buttons in ((self._open, self._reveal), (self._why,)):
            row = QHBoxLayout()
            for button in row_buttons:
                row.addWidget(button)
            row.addStretch(1)
            buttons.addLayout(row)

        self._hint = QLabel("Select a photo to see it here.")
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint.setWordWrap(True)
        make_secondary(self._hint)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        layout.addWidget(self._picture)
        layout.addWidget(self._name)
        layout.addLayout(details)
        layout.addLayout(buttons)
        layout.addWidget(self._why_note)
        # The hint takes the space while nothing is selected; otherwise the stretch keeps the details under the photo.
        layout.addWidget(self._hint, 10)
        layout.addStretch(1)
        bridge.explain_available.connect(self.set_explain_available)
        self.show_photo(None)

    def current_path(self) -> str | None:
        return self._path

    def follow_results(self, model: Any) -> None:
        """Empty when the results are replaced without the photo shown; results asked again (more photos
        indexed) that still hold it keep it, not blanked and loaded again."""
        def on_reset() -> None:
            if not (self._path and model.row_of(self._path) >= 0):
                self.show_photo(None)

        model.modelReset.connect(on_reset)

    def set_query(self, query: str | None) -> None:
        """The text query the shown results answer (None: no text query), which "Why this photo?" explains."""
        query = query.strip() if query and query.strip() else None
        if query == self._query:
            return
        self._query = query
        self._update_why()

    def set_explain_available(self, available: bool) -> None:
        """Whether the model has ADAPT weights (focal points can be shown)."""
        self._explain_available = bool(available)
        self._update_why()

    def showing_focal_points(self) -> bool:
        """True while the heat-map of the current photo and query is drawn over it."""
        return self._why.isChecked() and self._overlay_for == self._wanted_overlay() and not self._overlay.isNull()

    def show_photo(self, path: str | None) -> None:
        """Show `path` (None: nothing selected). The picture arrives from a worker a moment later."""
        self._path = path
        self._image = QImage()
        has_photo = path is not None
        for widget in (self._picture, self._name, self._open, self._reveal, self._why):
            widget.setVisible(has_photo)
        for label in (self._date, self._size, self._dimensions, self._folder):
            label.setText("")
        self._set_details_visible(has_photo)
        self._hint.setVisible(not has_photo)
        self._picture.clear()
        self._update_why()
        if path is None:
            return
        self._name.setText(os.path.basename(path))
        self._folder.setText(os.path.dirname(path))
        self._folder.setToolTip(path)
        self._bridge.call(partial(load_preview, path=path), self._on_loaded, partial(self._on_failed, path))

    def image(self) -> QImage:
        return self._image

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_picture()

    def _on_loaded(self, data: PreviewData) -> None:
        if data.path != self._path:
            return
        self._image = data.image
        info = data.info
        size_bytes = getattr(info, "size", None)
        if size_bytes is None:
            try:
                size_bytes = os.path.getsize(data.path)
            except OSError:
                size_bytes = None
        self._size.setText(wording.file_size(size_bytes))
        when = getattr(info, "captured", None) or getattr(info, "mtime", None)
        self._date.setText(wording.timestamp(when))
        width = getattr(info, "width", None) or (data.image.width() if not data.image.isNull() else None)
        height = getattr(info, "height", None) or (data.image.height() if not data.image.isNull() else None)
        self._dimensions.setText(f"{width} × {height}" if width and height else "")
        if data.image.isNull():
            self._picture.setText(f"This photo cannot be shown: {data.problem}" if data.problem
                                  else "This photo cannot be shown.")
        self._update_why()
        self._fit_picture()

    def _on_failed(self, path: str, message: str) -> None:
        if path == self._path:
            self._picture.setText(f"This photo cannot be shown: {message}")

    # "Why this photo?": ADAPT's focal points for the current query, computed in a worker on demand

    def _wanted_overlay(self) -> tuple[str, str] | None:
        return (self._path, self._query) if self._path is not None and self._query is not None else None

    def _update_why(self) -> None:
        usable = self._explain_available and self._wanted_overlay() is not None and not self._image.isNull()
        self._why.setEnabled(usable)
        if not self._explain_available:
            self._why.setToolTip("Needs ADAPT weights beside the model (training/train_adapt.py makes them)")
        elif self._query is None:
            self._why.setToolTip("Shows where the query's focal points are; search with words first")
        else:
            self._why.setToolTip("Show where in this photo the search looked for your words")
        if self._why_for != self._wanted_overlay():
            # Another photo or query: the heat-map explained the one before, so it is off until asked for again.
            # Keeping it on and fetching the new one looked the same as off while it was computed, and the click
            # meant to show it turned it off instead.
            self._why_for = self._wanted_overlay()
            self._why.setChecked(False)
        if not usable:
            self._why_note.clear()
        self._fit_picture()

    def _on_why_toggled(self, checked: bool) -> None:
        self._why_note.clear()
        if checked and self._overlay_for != self._wanted_overlay():
            self._request_overlay()
        self._fit_picture()

    def _request_overlay(self) -> None:
        wanted = self._wanted_overlay()
        if wanted is None or self._bridge.library is None:
            return
        self._why_note.setText("Finding the focal points…")
        self._bridge.call(lambda library: library.explain(*wanted), partial(self._on_heatmap, wanted),
                          partial(self._on_heatmap_failed, wanted))

    def _on_heatmap(self, wanted: tuple[str, str], heat: Any) -> None:
        if wanted != self._wanted_overlay() or self._image.isNull():
            return  # another photo or query since
        self._overlay = overlay_heatmap(self._image, heat)
        self._overlay_for = wanted
        self._why_note.setText("Warm colours: where the search looked for your words.")
        self._fit_picture()

    def _on_heatmap_failed(self, wanted: tuple[str, str], message: str) -> None:
        if wanted == self._wanted_overlay():
            self._why_note.setText(f"Cannot show the focal points: {message}")

    def _fit_picture(self) -> None:
        if self._image.isNull():
            return
        # As wide as the pane, as tall as the photo's shape asks, leaving room for the details below.
        margins = self.layout().contentsMargins()
        width = max(1, self.width() - margins.left() - margins.right())
        height = round(width * self._image.height() / max(1, self._image.width()))
        height = max(120, min(height, self.height() - 260))
        self._picture.setFixedHeight(height)
        box = QSize(width, height)
        pixmap = QPixmap.fromImage(self._overlay if self.showing_focal_points() else self._image)
        ratio = self.devicePixelRatioF()
        scaled = pixmap.scaled(
            box * ratio, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        scaled.setDevicePixelRatio(ratio)
        self._picture.setPixmap(scaled)

    def _set_details_visible(self, visible: bool) -> None:
        for widget in (self._date, self._size, self._dimensions, self._folder, *self._captions):
            widget.setVisible(visible)

    def _detail_label(self) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _caption(self, text: str) -> QLabel:
        caption = QLabel(text)
        make_secondary(caption)
        return caption

