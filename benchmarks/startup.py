"""Start-up: process start -> window shown, -> model ready, -> first query answered (offscreen), and peak RSS.

    .venv/bin/python benchmarks/startup.py [--repeats 5] [--library 100000]

Each run is a fresh `python` process that opens the real window through `photosearch.gui.app.run` and types a
text query as soon as the library is open (it does not wait for the full model), on an empty
library and on the prebuilt synthetic library of benchmarks/search.py (built when missing). The clock starts
just before the parent spawns the process, so interpreter start and imports count. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures

QUERY = "a dog running on the beach"


def child(data_dir: str, config_dir: str, started: float) -> None:
    """Runs in the spawned process: open the app and note when each stage is reached."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    marks: dict[str, float] = {}

    def mark(name: str) -> None:
        marks.setdefault(name, time.time() - started)

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and watched.objectName() == "mainWindow":
                mark("window_shown_s")
            return False

    painted = FirstPaint()
    app.installEventFilter(painted)
    from photosearch.gui import app as gui_app
    from photosearch.gui.main_window import MainWindow

    def probe() -> None:
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if windows:
            window = windows[0]
            if window.model_is_ready:
                mark("model_ready_s")
            # The query is typed as soon as the library is open, as a person would: a text query does not wait
            # for the full model (the NumPy text tower answers it).
            if "asked" not in marks and window.library is not None:
                marks["asked"] = 0.0
                window.search_finished.connect(lambda outcome: answered(window, outcome))
                window.search_text(QUERY)
        QTimer.singleShot(5, probe)

    def answered(window, outcome) -> None:
        if "first_query_answered_s" in marks:
            return
        mark("first_query_answered_s")
        marks["results"] = float(len(getattr(outcome, "results", []) or []))
        QTimer.singleShot(0, lambda: close_when_ready(window))

    def close_when_ready(window) -> None:  # model_ready_s is still measured, then the window closes
        if window.model_is_ready:
            mark("model_ready_s")
            window.close()
        else:
            QTimer.singleShot(5, lambda: close_when_ready(window))

    QTimer.singleShot(0, probe)
    code = gui_app.run(data_dir, config_dir=config_dir)
    marks.pop("asked", None)
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps({**marks, "exit_code": code, "peak_rss_mb": round(peak_kb / 1024, 1)}))


def run_once(data_dir: Path, config_dir: Path) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.time()
    done = subprocess.run([sys.executable, __file__, "--child", str(data_dir), str(config_dir), repr(started)],
                          capture_output=True, text=True, env=env, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"child failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")
    return json.loads(lines[-1])


def summarise(runs: list[dict]) -> dict:
    keys = ["window_shown_s", "model_ready_s", "first_query_answered_s", "peak_rss_mb"]
    out = {f"{k}_median": round(fixtures.median([r[k] for r in runs]), 3) for k in keys}
    out["runs"] = runs
    return out


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--library", type=int, default=100_000, help="photos in the large library (0: skip)")
    args = parser.parse_args()

    weights, kind = fixtures.use_bench_model()
    report = {"benchmark": "startup", "machine": fixtures.machine(), "weights": kind,
              "command": " ".join(["benchmarks/startup.py", *sys.argv[1:]]), "platform": "offscreen",
              "query": QUERY, "libraries": {}}
    scratch = Path(tempfile.mkdtemp(prefix="bench-startup-", dir=fixtures.BENCH_ROOT))
    runs = []
    for n in range(args.repeats):
        runs.append(run_once(scratch / f"empty-{n}", scratch / "config"))
    report["libraries"]["empty"] = summarise(runs)
    if args.library:
        import search

        from photosearch.model.config import ModelConfig

        dim = ModelConfig.load(weights / "config.json").joint_dim
        if not (search.library_dir(args.library, dim) / "build.json").is_file():
            search.build_library(args.library, dim)
        runs = [run_once(search.library_dir(args.library, dim), scratch / "config") for _ in range(args.repeats)]
        report["libraries"][str(args.library)] = summarise(runs)
    report["targets"] = {"window_shown_s": 1.0, "first_query_answered_s": 1.5}
    print(json.dumps(fixtures.finish(report), ensure_ascii=False))


if __name__ == "__main__":
    main()
