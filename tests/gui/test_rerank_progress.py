"""Re-ranking with ADAPT in the window: its progress in the summary line, and a newer query cancelling it."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from photosearch.core import focus
from photosearch.core.settings import load_settings

TIMEOUT = 30_000


@pytest.fixture()
def gate(monkeypatch):
    """Each re-ranked photo waits for a permit (`release`), so the test sees the re-ranking half done."""
    permits = threading.Semaphore(0)
    opened = threading.Event()
    decode = focus._pixels

    def gated(encoder, path):
        if not opened.is_set():
            permits.acquire(timeout=20)
        return decode(encoder, path)

    monkeypatch.setattr(focus, "_pixels", gated)
    yield permits, opened
    opened.set()
    permits.release(100)


@pytest.fixture()
def rerank_window(make_window, make_library, tiny_adapt_encoder, photos, config_dir, qtbot):
    window = make_window(make_library(encoder=tiny_adapt_encoder),
                         dataclasses.replace(load_settings(config_dir), rerank_top=6))
    with qtbot.waitSignal(window.indexing_finished, timeout=TIMEOUT):
        assert window.add_folder(str(photos[0].parent))
    return window


def test_the_summary_counts_the_photos_re_ranked_so_far(rerank_window, gate, qtbot):
    window, (permits, opened) = rerank_window, gate
    window.search_text("sun")
    qtbot.waitUntil(lambda: window.summary.text() == "Re-ordering the best 6 for “sun” with ADAPT… 0 of 6",
                    timeout=TIMEOUT)
    permits.release(2)
    qtbot.waitUntil(lambda: window.summary.text().endswith("… 2 of 6"), timeout=TIMEOUT)
    assert window.search_field.isEnabled()
    with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT):
        opened.set()
        permits.release(4)
    assert "for “sun”" in window.summary.text() and "Re-ordering" not in window.summary.text()
    assert window.results_model.rowCount() == 6


def test_a_newer_query_cancels_the_re_ranking_of_an_older_one(rerank_window, gate, qtbot):
    window, (permits, opened) = rerank_window, gate
    progress, cancelled = [], []
    window.searches.progress.connect(lambda request, done, total: progress.append((request.text, done)))
    window.bridge.search_done.connect(lambda outcome: cancelled.append((outcome.request.text, outcome.cancelled)))
    window.search_text("sun")
    permits.release(1)
    qtbot.waitUntil(lambda: ("sun", 1) in progress, timeout=TIMEOUT)
    with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT) as finished:
        window.search_text("tree")  # "sun" stops at its next photo instead of going through all six
        opened.set()
        permits.release(100)
    assert finished.args[0].request.text == "tree"
    assert cancelled == [("sun", True), ("tree", False)]
    assert max(done for text, done in progress if text == "sun") < 6
    assert ("tree", 6) in progress
    assert "for “tree”" in window.summary.text() and "sun" not in window.summary.text()
