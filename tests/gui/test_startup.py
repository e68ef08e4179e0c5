"""Starting the app: no torch before the window shows, the model loads behind it, `run()` opens a library."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

TIMEOUT = 30_000


def test_the_gui_modules_import_without_torch_or_the_model():
    code = ("import sys, photosearch.gui.app, photosearch.gui.main_window; "
            "bad = [m for m in ('torch', 'photosearch.model') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_model_loads_in_the_background_and_a_waiting_query_then_runs(
        tmp_path, tiny_model_dir, photos, make_window, qtbot, monkeypatch):
    from photosearch.core.library import Library

    monkeypatch.setenv("PHOTOSEARCH_WEIGHTS", str(tiny_model_dir))
    lib = Library(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    try:
        lib.add_folder(photos[0].parent)
        window = make_window(lib)
        assert window.search_field.placeholderText() == "Loading model…"
        assert "Loading model" in window.status_label.text()
        qtbot.keyClicks(window.search_field, "beach")
        qtbot.waitUntil(lambda: window.results_model.rowCount() == len(photos), timeout=TIMEOUT)
        assert window.model_is_ready and window.search_field.placeholderText() != "Loading model…"
        assert "Model ready" in window.status_label.text()
        window.shutdown()
    finally:
        lib.close()


def test_run_opens_the_window_on_the_given_library(tmp_path, tiny_model_dir, qtbot, monkeypatch):
    from photosearch.gui import app
    from photosearch.gui.main_window import MainWindow

    monkeypatch.setenv("PHOTOSEARCH_WEIGHTS", str(tiny_model_dir))
    # A local loop stands in for QApplication.exec: leaving the real one would end every later test's event loops.
    loop = QEventLoop()
    monkeypatch.setattr(QApplication, "exec", lambda _app: loop.exec())
    seen = {}

    def check_then_close() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if windows and windows[0].model_is_ready:
            window = windows[0]
            seen["title"] = window.windowTitle()
            seen["data_dir"] = str(window.library.data_dir)
            seen["page"] = window.pages.currentWidget().objectName()
            window.close()
            loop.exit(0)
        else:
            QTimer.singleShot(20, check_then_close)

    QTimer.singleShot(0, check_then_close)
    assert app.run(str(tmp_path / "lib"), config_dir=tmp_path / "config") == 0
    assert "PhotoSearch" in seen["title"]
    assert seen["data_dir"] == str(tmp_path / "lib")
    assert seen["page"] == "welcomePage"


def test_text_queries_are_answered_while_the_image_tower_still_loads(
        tmp_path, mean_model_dir, photos, make_window, qtbot, monkeypatch):
    import threading

    from photosearch.core.library import Library

    monkeypatch.setenv("PHOTOSEARCH_WEIGHTS", str(mean_model_dir))
    with Library(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache") as first:
        first.add_folder(photos[0].parent)
        list(first.index())
    release = threading.Event()
    full_load = Library.ensure_model

    def slow_ensure_model(self):  # as torch and the image tower take seconds to load on a busy machine
        release.wait(60)
        return full_load(self)

    monkeypatch.setattr(Library, "ensure_model", slow_ensure_model)
    lib = Library(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    try:
        window = make_window(lib)
        qtbot.keyClicks(window.search_field, "beach")
        qtbot.waitUntil(lambda: window.results_model.rowCount() == len(photos), timeout=TIMEOUT)
        assert not window.model_is_ready and not lib.model_ready  # answered by the NumPy text tower alone
        window.search_by_image(str(photos[1]))  # a photo query needs the image tower: it waits for it
        QTimer.singleShot(300, release.set)
        qtbot.waitUntil(lambda: window.model_is_ready, timeout=TIMEOUT)
        qtbot.waitUntil(lambda: window.results_model.rowCount() == len(photos) - 1, timeout=TIMEOUT)
        assert str(photos[1]) not in {row.path for row in window.results_model.rows()}
        window.shutdown()
    finally:
        release.set()
        lib.close()
