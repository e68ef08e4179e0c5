"""Fixtures for the window tests: a real Library on temporary folders with the tiny model, and the main window."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Before any QApplication exists: no display needed, the same rendering everywhere.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture()
def config_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "config"
    directory.mkdir()
    return directory


@pytest.fixture()
def library(make_library):
    """A real Library in tmp_path with the tiny encoder preloaded; closed after the test."""
    return make_library()


@pytest.fixture()
def make_window(qtbot, config_dir: Path):
    """Build main windows on a library; each is shut down (workers, watcher) at the end of the test."""
    from photosearch.core.settings import load_settings
    from photosearch.gui.main_window import MainWindow

    windows = []

    def make(lib, settings=None) -> MainWindow:
        window = MainWindow(library=lib, settings=settings or load_settings(config_dir), config_dir=config_dir)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()


@pytest.fixture()
def window(make_window, library):
    return make_window(library)


@pytest.fixture()
def photos(photo_factory) -> list[Path]:
    """Six drawn photos in tmp_path/photos (one in a subfolder)."""
    names = ["beach.jpg", "house.png", "tree.jpg", "sun.jpg", "dog.webp", "trips/lake.jpg"]
    return [photo_factory(name, seed=i) for i, name in enumerate(names)]


@pytest.fixture()
def indexed_window(window, photos, qtbot):
    """The window after adding the photos folder and the first indexing run finished."""
    folder = photos[0].parent
    with qtbot.waitSignal(window.indexing_finished, timeout=30_000) as finished:
        assert window.add_folder(str(folder))
    assert finished.args == [True]
    return window
