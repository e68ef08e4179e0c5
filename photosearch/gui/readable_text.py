"""Secondary text that stays readable: a colour between the text and its background with WCAG AA contrast.

Labels that should look quieter than the main text (the summary over the grid, the heat-map legend, hints)
used to be disabled, which paints them pale grey on grey. Here their colour is mixed from the palette's own
text and background colours, as pale as it can be while still reaching 4.5:1, so it follows light and dark
themes and a change of theme while the app runs.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

# WCAG 2 level AA for body text; aimed a little above so rounding to 8-bit colours never lands under it.
AA_CONTRAST = 4.5
_TARGET = 4.8
# How far towards the background the secondary colour may go at most: beyond that it stops looking like text.
_MAX_MIX = 0.45


def relative_luminance(colour: QColor) -> float:
    """WCAG 2's relative luminance of an opaque sRGB colour (0 black, 1 white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(colour.red()) + 0.7152 * linear(colour.green()) + 0.0722 * linear(colour.blue())


def contrast_ratio(foreground: QColor, background: QColor) -> float:
    """WCAG 2's contrast ratio, from 1 (no contrast) to 21 (black on white); order does not matter."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mix(foreground: QColor, background: QColor, amount: float) -> QColor:
    """`amount` of the way from foreground to background (0: the foreground itself)."""
    return QColor(*(round(f + (b - f) * amount) for f, b in (
        (foreground.red(), background.red()), (foreground.green(), background.green()),
        (foreground.blue(), background.blue()))))


def secondary_colour(text: QColor, background: QColor) -> QColor:
    """The palest mix of `text` towards `background` that still reads at AA contrast (`text` if none does)."""
    amount = _MAX_MIX
    while amount > 0:
        colour = mix(text, background, amount)
        if contrast_ratio(colour, background) >= _TARGET:
            return colour
        amount -= 0.025
    return QColor(text)


class SecondaryText(QObject):
    """Gives a widget's foreground the secondary colour of the palette it inherits, and renews it on a new theme."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self._widget = widget
        widget.installEventFilter(self)
        self.apply()

    def apply(self) -> None:
        widget = self._widget
        parent = widget.parentWidget()
        inherited = parent.palette() if parent is not None else QApplication.palette(widget)
        palette = widget.palette()
        changed = False
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            colour = secondary_colour(inherited.color(group, widget.foregroundRole()),
                                      inherited.color(group, widget.backgroundRole()))
            if palette.color(group, widget.foregroundRole()) != colour:
                palette.setColor(group, widget.foregroundRole(), colour)
                changed = True
        if changed:
            widget.setPalette(palette)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange,
                            QEvent.Type.ParentChange):
            # Later, once Qt has handed the new palette down to every widget; apply() then finds nothing to do
            # for the PaletteChange its own setPalette causes.
            QTimer.singleShot(0, self, self.apply)
        return False


def make_secondary(widget: QWidget) -> QWidget:
    """Show `widget`'s text in the readable secondary colour (instead of disabling it to look pale)."""
    SecondaryText(widget)
    return widget
