"""The window as a first user sees it at its default size: nothing cut off, nothing pushed off-screen, text readable."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QPushButton, QStyle

from photosearch.gui.library_bridge import SearchRequest
from photosearch.gui.readable_text import AA_CONTRAST, contrast_ratio
from photosearch.gui.settings_dialog import SettingsDialog

TIMEOUT = 30_000
DEFAULT_SIZE = (1180, 760)
LONG_QUERY = ("a long walk along the beach at sunset with the dog and the children " * 8)[:500]


def test_a_500_character_query_leaves_the_window_its_width(indexed_window, qtbot):
    """Issue 19, bug 1: the summary over the grid quoted the whole query and widened the window to 3,636 px."""
    window = indexed_window
    assert (window.width(), window.height()) == DEFAULT_SIZE
    window.search_field.setText(LONG_QUERY)
    with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT):
        window.searches.search_now()
    qtbot.wait(50)  # let the layouts settle
    assert LONG_QUERY.strip() in window.summary.text()
    assert window.width() == DEFAULT_SIZE[0]
    assert window.summary.geometry().right() < window.pages.width()
    assert LONG_QUERY.strip() in window.summary.toolTip()  # cut on screen, whole in its tooltip
    window.pages.show_waiting(SearchRequest(LONG_QUERY))  # "Waiting for the model to search for …"
    qtbot.wait(50)
    assert window.width() == DEFAULT_SIZE[0]
    window.clear_search()
    qtbot.wait(50)
    assert window.width() == DEFAULT_SIZE[0]
    assert window.toolbar.geometry().right() <= window.width()
    assert window.preview.geometry().right() <= window.splitter.width()


def _text_width_with_margins(button: QPushButton) -> int:
    margin = button.style().pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, None, button)
    return button.fontMetrics().horizontalAdvance(button.text()) + 2 * margin


def test_buttons_are_not_cut_at_the_default_size(window, photos, qtbot):
    """Issue 19, bug 3: the preview's button read "Vhy this photo" (its first letter and "?" cut)."""
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.welcome, timeout=TIMEOUT)
    window.preview.show_photo(str(photos[0]))
    qtbot.wait(50)
    assert (window.width(), window.height()) == DEFAULT_SIZE
    buttons = [b for b in window.findChildren(QAbstractButton) if b.isVisibleTo(window) and b.text()]
    assert {"Why this photo?", "Open", "Show in Folder", "Add a Folder…"} <= {b.text() for b in buttons}
    for button in buttons:
        assert button.width() >= button.sizeHint().width(), f"{button.text()!r} is cut"
        if isinstance(button, QPushButton):
            assert button.width() >= _text_width_with_margins(button), f"{button.text()!r} is cut"


def test_the_welcome_sentence_is_not_cut_at_the_default_size(window, qtbot):
    """Issue 19, bug 3: on an empty library the welcome page's sentence was cut at its top and bottom."""
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.welcome, timeout=TIMEOUT)
    qtbot.wait(50)
    assert (window.width(), window.height()) == DEFAULT_SIZE
    sentence = window.welcome.findChild(QLabel, "welcomeText")
    assert sentence.isVisible()
    assert sentence.height() >= sentence.heightForWidth(sentence.width())


def _dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, QColor(45, 45, 48)),
                         (QPalette.ColorRole.WindowText, QColor(230, 230, 230)),
                         (QPalette.ColorRole.Base, QColor(30, 30, 32)),
                         (QPalette.ColorRole.Text, QColor(230, 230, 230)),
                         (QPalette.ColorRole.Button, QColor(60, 60, 64)),
                         (QPalette.ColorRole.ButtonText, QColor(230, 230, 230)),
                         (QPalette.ColorRole.Highlight, QColor(60, 120, 200))):
        palette.setColor(role, colour)
    for role, colour in ((QPalette.ColorRole.WindowText, QColor(110, 110, 110)),
                         (QPalette.ColorRole.Text, QColor(110, 110, 110))):
        palette.setColor(QPalette.ColorGroup.Disabled, role, colour)
    return palette


@pytest.fixture(params=["default", "dark"])
def theme(request, qapp, window):
    """The default palette, or a dark one set while the window is open (as when the desktop's theme changes)."""
    original = QPalette(qapp.palette())
    if request.param == "dark":
        qapp.setPalette(_dark_palette())
    yield request.param
    qapp.setPalette(original)
    QApplication.processEvents()


def _contrast(widget) -> float:
    group = QPalette.ColorGroup.Active if widget.isEnabled() else QPalette.ColorGroup.Disabled
    palette = widget.palette()
    return contrast_ratio(palette.color(group, widget.foregroundRole()), palette.color(group, widget.backgroundRole()))


def test_quiet_text_reads_at_aa_contrast_in_light_and_dark_themes(theme, window, photos, qtbot):
    """Issue 19, bug 8: the summary line (disabled to look pale), the heat-map legend and the settings hints were
    pale grey on grey."""
    window.summary.setText("6 photos for “beach” · 12 ms")
    window.preview.show_photo(str(photos[0]))
    window.preview._why_note.setText("Warm colours: where the search looked for your words.")
    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    qtbot.wait(50)  # a new theme reaches the labels on the next turn of the event loop
    labels = {"summary": window.summary, "heat-map legend": window.preview._why_note,
              "settings hint": dialog.findChild(QLabel, "deviceNote"),
              "preview hint": window.preview._hint, **{f"caption {c.text()}": c for c in window.preview._captions}}
    background = window.palette().color(QPalette.ColorRole.Window)
    assert (background.lightness() < 128) == (theme == "dark")
    for name, label in labels.items():
        assert _contrast(label) >= AA_CONTRAST, f"{name}: {_contrast(label):.2f}:1 in the {theme} theme"
