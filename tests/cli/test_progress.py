"""The progress bar: drawn on a terminal with count, rate and time left; silent otherwise."""

from __future__ import annotations

import io

from photosearch.cli import ProgressBar
from photosearch.core.indexer import IndexProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_shows_count_rate_and_time_left_on_a_terminal():
    stream = Terminal()
    bar = ProgressBar(stream)
    bar.update(IndexProgress(40, 100, "/p/x.jpg", "embedding", rate=12.5, eta_seconds=125, skipped=2))
    bar.finish()
    text = stream.getvalue()
    assert "40/100" in text and "12.5 photos/s" in text and "2:05 left" in text and "2 skipped" in text
    assert text.endswith("\n")


def test_nothing_is_written_when_stderr_is_not_a_terminal():
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar.update(IndexProgress(1, 2, "/p/x.jpg", "embedding", rate=1.0, eta_seconds=1))
    bar.finish()
    assert stream.getvalue() == ""
