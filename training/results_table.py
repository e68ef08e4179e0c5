"""Prints the markdown rows of training/RESULTS.md from run folders (summary.json + best_metrics.json).

    python training/results_table.py runs/liwe runs/liwe-e5 ...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

COLUMNS = [
    ("EN t2i R@1", "en.t2i.R@1"), ("R@5", "en.t2i.R@5"), ("R@10", "en.t2i.R@10"), ("EN i2t R@1", "en.i2t.R@1"),
    ("DE R@10", "de.t2i.R@10"), ("FR R@10", "fr.t2i.R@10"), ("CS R@10", "cs.t2i.R@10"),
    ("DE-task2 R@10", "de-task2.t2i.R@10"), ("noise ratio", "noise.ratio"), ("XTD10 mean", "xtd.mean"),
    ("IN en R@10", "imagenet.en.R@10"), ("IN ja R@10", "imagenet.ja.R@10"), ("IN zh R@10", "imagenet.zh.R@10"),
    ("IN ru R@10", "imagenet.ru.R@10"), ("IN pt R@10", "imagenet.pt.R@10"),
]


def row(run: Path) -> str:
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    best = summary["best"]
    m = best["metrics"]
    cells = [run.name, str(best.get("step")), f"{summary['wall_s'] / 60:.0f}"]
    cells += [f"{m[k]:.2f}" if k == "noise.ratio" else f"{m.get(k, float('nan')):.1f}" for _, k in COLUMNS]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    print("| run | best step | min | " + " | ".join(c for c, _ in COLUMNS) + " |")
    print("|" + "---|" * (3 + len(COLUMNS)))
    for arg in sys.argv[1:]:
        print(row(Path(arg)))


if __name__ == "__main__":
    main()
