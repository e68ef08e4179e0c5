"""The preview's "Why this photo?" heat-map overlay, its colour map, and the re-ranking choice in Settings."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt

from photosearch.gui.heatmap import colourise
from photosearch.gui.results_grid import PATH_ROLE
from photosearch.gui.settings_dialog import SettingsDialog

TIMEOUT = 30_000


@pytest.fixture()
def adapt_library(make_library, tiny_adapt_encoder):
    return make_library(encoder=tiny_adapt_encoder)


def _index_and_select(window, photos, qtbot, query: str = "sun"):
    with qtbot.waitSignal(window.indexing_finished, timeout=TIMEOUT):
        assert window.add_folder(str(photos[0].parent))
    with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT):
        window.search_text(query)
    window.results_view.setCurrentIndex(window.results_model.index(0))
    qtbot.waitUntil(lambda: not window.preview.image().isNull(), timeout=TIMEOUT)
    return window.preview


def test_why_this_photo_overlays_the_heatmap(make_window, adapt_library, photos, qtbot):
    window = make_window(adapt_library)
    preview = _index_and_select(window, photos, qtbot)
    button = preview._why
    qtbot.waitUntil(button.isEnabled, timeout=TIMEOUT)
    plain = preview._picture.pixmap().toImage()
    button.click()
    qtbot.waitUntil(preview.showing_focal_points, timeout=TIMEOUT)
    overlaid = preview._picture.pixmap().toImage()
    assert overlaid.size() == plain.size() and overlaid != plain
    button.click()  # off again: the plain photo
    assert not preview.showing_focal_points()
    assert preview._picture.pixmap().toImage() == plain


def test_why_this_photo_is_disabled_without_adapt_weights(window, photos, qtbot):
    preview = _index_and_select(window, photos, qtbot)
    qtbot.wait(200)  # the availability check runs in the pool
    assert not preview._why.isEnabled()
    assert "ADAPT" in preview._why.toolTip()


def test_why_this_photo_needs_a_text_query(make_window, adapt_library, photos, qtbot):
    window = make_window(adapt_library)
    preview = _index_and_select(window, photos, qtbot)
    qtbot.waitUntil(preview._why.isEnabled, timeout=TIMEOUT)
    with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT):
        window.search_by_image(str(photos[0]))
    window.results_view.setCurrentIndex(window.results_model.index(0))
    qtbot.waitUntil(lambda: not window.preview.image().isNull(), timeout=TIMEOUT)
    assert not preview._why.isEnabled()


def test_settings_dialog_sets_reranking_and_searches_use_it(make_window, adapt_library, photos, qtbot):
    window = make_window(adapt_library)
    _index_and_select(window, photos, qtbot)
    dialog = SettingsDialog(window.settings, window)
    assert dialog.rerank.currentData() == 0  # off by default
    dialog.rerank.setCurrentIndex(dialog.rerank.findData(20))
    calls = []
    search = adapt_library.search
    adapt_library.search = lambda *a, **kw: calls.append(kw.get("rerank", 0)) or search(*a, **kw)
    with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT):
        assert window.apply_settings(dialog.settings())
    assert window.settings.rerank_top == 20
    assert calls and calls[-1] == 20


def test_colourise_keeps_the_photo_visible_and_marks_hot_regions():
    rgba = colourise(np.array([[0.0, 0.5, 1.0]], dtype=np.float32))
    assert rgba.shape == (1, 3, 4) and rgba.dtype == np.uint8
    alpha = rgba[0, :, 3]
    assert alpha[0] < alpha[1] < alpha[2] < 255
    assert rgba[0, 2, 0] > rgba[0, 2, 2] and rgba[0, 0, 2] > rgba[0, 0, 0]  # hot is red, cold is blue


def test_one_click_shows_the_heatmap_of_a_newly_selected_photo(make_window, adapt_library, photos, qtbot):
    """Issue 19, bug 2: with the heat-map on and another photo selected, "Why this photo?" ignored the first click
    (it turned off the heat-map still being computed for the new photo) and showed it on the second."""
    window = make_window(adapt_library)
    preview = _index_and_select(window, photos, qtbot)
    qtbot.waitUntil(preview._why.isEnabled, timeout=TIMEOUT)
    qtbot.mouseClick(preview._why, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(preview.showing_focal_points, timeout=TIMEOUT)
    # The real model takes a moment per heat-map; hold the next one back as long as that moment lasts.
    ready = threading.Event()
    explain = adapt_library.explain
    adapt_library.explain = lambda *args: ready.wait(TIMEOUT / 1000) and explain(*args)
    window.results_view.setCurrentIndex(window.results_model.index(1))
    other = window.results_model.index(1).data(PATH_ROLE)
    qtbot.waitUntil(lambda: preview.current_path() == other and not preview.image().isNull(), timeout=TIMEOUT)
    assert not preview.showing_focal_points()  # never the previous photo's map over this one
    qtbot.wait(100)
    qtbot.mouseClick(preview._why, Qt.MouseButton.LeftButton)
    ready.set()
    qtbot.waitUntil(preview.showing_focal_points, timeout=TIMEOUT)
    assert preview._overlay_for[0] == other
