"""Regenerates the screenshots in docs/: the real window, the bundled model, queries typed in, under a virtual X server.

    apt-get install -y xvfb libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 fonts-noto-cjk
    xvfb-run -s "-screen 0 1400x900x24" .venv/bin/python docs/screenshots.py [--photos DIR]

By default the library is the drawn scenes of docs/demo_scenes.py (no one's photos, no training data); --photos
takes any folder of photos instead. Everything happens in a temporary folder; nothing of the user's is touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))

# (file name in docs/, query typed): an English and a Japanese query the shipped model answers on the drawn scenes.
GRID_SHOTS = (("screenshot.png", "a red car on the road"), ("screenshot-ja.png", "赤い車"))
INDEXING_SHOT = "screenshot-indexing.png"
VIEWER_SHOT = "screenshot-viewer.png"  # the first result of the first query, opened with Enter
# The filters in use: one folder and a range of months (the drawn scenes' file times spread over 2019-2024).
FILTER_SHOT = ("screenshot-filters.png", "a beach with an umbrella", "Holidays", (2020, 1), (2023, 12))
INDEXING_QUERY = "a beach with an umbrella"  # typed while indexing (Holidays is indexed first): results fill in as batches land


def make_photos(target: Path, source: Path | None, per_kind: int) -> None:
    if source is None:
        from demo_scenes import write_library

        write_library(target, per_kind)
        return
    target.mkdir(parents=True)
    for path in sorted(source.rglob("*")):
        if path.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"):
            shutil.copy2(path, target / path.name)


class Shooter:
    """Drives the real main window and saves what it shows."""

    def __init__(self, out: Path) -> None:
        from PySide6.QtWidgets import QApplication

        self.out = out
        self.app = QApplication.instance() or QApplication(sys.argv[:1])

    def settle(self, ms: int) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_for(self, condition: Callable[[], bool], seconds: float = 120.0, what: str = "the window") -> None:
        for _ in range(int(seconds * 10)):
            if condition():
                return
            self.settle(100)
        raise SystemExit(f"timed out waiting for {what}")

    def save(self, window, name: str, what: str) -> None:
        path = self.out / name
        window.grab().save(str(path))
        print(f"{path}: {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=Path, default=None, help="a folder of photos instead of the drawn scenes")
    parser.add_argument("--per-kind", type=int, default=40, help="drawn pictures of each scene kind")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        raise SystemExit("no display: run under xvfb-run (see the docstring)")

    from photosearch.core.library import Library
    from photosearch.core.settings import Settings
    from photosearch.gui.main_window import MainWindow

    work = Path(tempfile.mkdtemp(prefix="photosearch-shots-"))
    try:
        photos = work / "Photos"
        make_photos(photos, args.photos, args.per_kind)
        library = Library(work / "data")
        for folder in sorted(p for p in photos.iterdir() if p.is_dir()) or [photos]:
            library.add_folder(folder)
        shooter = Shooter(args.out)
        window = MainWindow(library=library, settings=Settings(), config_dir=work / "config")
        window.resize(1180, 760)
        window.show()

        # The window indexes the new folders itself once the model is loaded: catch it half-way.
        panel = window.index_panel
        shooter.wait_for(lambda: panel.progress.value() > 0, what="indexing to start")
        window.search_field.setText(INDEXING_QUERY)
        shooter.wait_for(lambda: panel.progress.maximum() > 0 and panel.progress.value() > panel.progress.maximum() // 3
                         and "left" in panel.label.text(), what="indexing progress")
        shooter.settle(1500)  # the live refresh and the thumbnails of what is indexed so far
        shooter.save(window, INDEXING_SHOT, f"indexing: {panel.label.text()}, {window.results_model.rowCount()} results")
        finished = []
        window.indexing_finished.connect(finished.append)
        shooter.wait_for(lambda: bool(finished), seconds=600, what="the end of indexing")

        for name, query in GRID_SHOTS:
            window.search_field.clear()
            window.search_field.setText(query)
            shooter.wait_for(lambda: window.results_model.rowCount() > 0, what=f"results for {query!r}")
            shooter.settle(1500)  # thumbnails decode in the pool
            window.results_view.setCurrentIndex(window.results_model.index(0, 0))
            shooter.settle(1000)
            shooter.save(window, name, f"{query!r}, {window.results_model.rowCount()} results")
            if name == GRID_SHOTS[0][0]:
                from PySide6.QtCore import Qt
                from PySide6.QtTest import QTest

                QTest.keyClick(window.results_view, Qt.Key.Key_Right)  # the second result, as a person would
                QTest.keyClick(window.results_view, Qt.Key.Key_Return)
                shooter.wait_for(lambda: window.viewing.active and "Loading" not in window.viewing.viewer.message(),
                                 what="the viewer")
                shooter.settle(1000)
                shooter.save(window, VIEWER_SHOT, f"viewer: {window.viewing.viewer.title()}")
                QTest.keyClick(window.viewing.viewer.canvas, Qt.Key.Key_Escape)
        name, query, folder, first, last = FILTER_SHOT
        bar = window.pages.filter_bar
        bar.folder.setCurrentIndex(bar.folder.findText(folder))
        bar.set_months(first, last)
        window.search_field.setText(query)
        shooter.wait_for(lambda: folder in window.summary.text() and query in window.summary.text(),
                         what="filtered results")
        shooter.settle(1500)
        shooter.save(window, name, window.summary.text())
        window.shutdown()
        shooter.app.quit()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
