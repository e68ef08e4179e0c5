"""The thumbnail size a person picks: its range and steps, and the slider for it in the results header."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSlider, QWidget

# The smallest and largest thumbnail the grid shows (the cells then grow to fill the width), and one step of
# the slider, of Ctrl+wheel and of Ctrl+= / Ctrl+-. The Settings dialog offers the same range.
SMALLEST = 64
LARGEST = 512
STEP = 16


def clamp(size: int) -> int:
    """`size` brought into the range (settings.json may hold any size the core accepts)."""
    return max(SMALLEST, min(LARGEST, int(size)))


class ThumbnailSizeSlider(QSlider):
    """`size_changed` on every move (the grid follows at once); `size_chosen` once a size is settled on, to save."""

    size_changed = Signal(int)
    size_chosen = Signal(int)

    def __init__(self, size: int, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("thumbnailSizeSlider")
        self.setAccessibleName("Thumbnail size")
        self.setToolTip("Thumbnail size (Ctrl+wheel over the photos, Ctrl+= and Ctrl+-)")
        self.setRange(SMALLEST, LARGEST)
        self.setSingleStep(STEP)
        self.setPageStep(4 * STEP)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFixedWidth(120)
        self.setValue(clamp(size))
        self.valueChanged.connect(self._on_value_changed)
        self.sliderReleased.connect(lambda: self.size_chosen.emit(self.value()))

    def set_size(self, size: int) -> None:
        """Show `size` without announcing it (it came from elsewhere: the Settings dialog)."""
        self.blockSignals(True)
        self.setValue(clamp(size))
        self.blockSignals(False)

    def step_by(self, steps: int) -> None:
        """Larger (steps > 0) or smaller thumbnails, as Ctrl+wheel and Ctrl+= / Ctrl+- ask."""
        self.setValue(self.value() + steps * STEP)

    def _on_value_changed(self, size: int) -> None:
        self.size_changed.emit(size)
        # While the handle is dragged only the grid follows; the size is saved when it is let go.
        if not self.isSliderDown():
            self.size_chosen.emit(size)
