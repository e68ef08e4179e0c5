"""Regenerates the screenshots in docs/: the real window, the bundled model, real photos, queries typed in.

    xvfb-run -s "-screen 0 1400x900x24" .venv/bin/python docs/screenshots.py --photos DIR [--limit 400]

DIR is any folder of photos (the docs' pictures use the Flickr8k dev photos of ../shared/data, which
is the default). The library is built in a temporary folder; nothing of the user's is touched. CJK queries
need a CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_PHOTOS = ROOT.parent / "shared" / "data" / "flickr8k" / "images"
# (file name in docs/, query typed): the languages the issue and the README promise.
SHOTS = (("screenshot-zh.png", "一只狗在草地上奔跑"), ("screenshot-ja.png", "自転車に乗る人"))


def dev_photos(folder: Path, limit: int) -> list[Path]:
    """The Flickr8k dev photos when `folder` is the shared data set's, else the first `limit` photos of it."""
    captions = folder.parent / "captions.jsonl"
    if captions.is_file():
        import json

        with open(captions, encoding="utf-8") as f:
            names = [row["image"] for row in map(json.loads, f) if row["split"] == "dev"]
        return [folder / n for n in names[:limit]]
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        raise SystemExit("no display: run under xvfb-run (see the docstring)")

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from photosearch.core.library import Library
    from photosearch.core.settings import Settings
    from photosearch.gui.main_window import MainWindow

    work = Path(tempfile.mkdtemp(prefix="photosearch-shots-"))
    try:
        photos = work / "Photos"
        photos.mkdir()
        for path in dev_photos(args.photos, args.limit):
            shutil.copy2(path, photos / path.name)
        library = Library(work / "data")
        library.add_folder(photos)
        for _ in library.index():
            pass
        app = QApplication.instance() or QApplication(sys.argv[:1])
        window = MainWindow(library=library, settings=Settings(), config_dir=work / "config")
        window.resize(1180, 760)
        window.show()

        def settle(ms: int) -> None:
            loop = QEventLoop()
            QTimer.singleShot(ms, loop.quit)
            loop.exec()

        def wait_for(condition, seconds: float = 60.0) -> None:
            for _ in range(int(seconds * 10)):
                if condition():
                    return
                settle(100)
            raise SystemExit("timed out waiting for the window")

        wait_for(lambda: getattr(library, "model_ready", False))
        for name, query in SHOTS:
            window.search_field.clear()
            window.search_field.setText(query)
            wait_for(lambda: window.results_model.rowCount() > 0)
            settle(1500)  # thumbnails decode in the pool
            window.results_view.setCurrentIndex(window.results_model.index(0, 0))
            settle(800)
            window.grab().save(str(args.out / name))
            print(f"{args.out / name}: {query!r}, {window.results_model.rowCount()} results")
        window.shutdown()
        app.quit()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
