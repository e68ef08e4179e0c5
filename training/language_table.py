"""Prints the model card's table of languages from `evaluate.py --json` figures: how well each language works.

    python training/evaluate.py --weights resources/model --json > /tmp/m.json
    python training/language_table.py /tmp/m.json [--all]

Each row: dev photo search from human or machine captions (t2i R@10 relative to English), XTD200 (the
sentence finds its English translation among the 200 held-out sets, acc@1) and ImageNet class names (R@10
relative to English). Without --all, the languages the issue names plus those with caption figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.metrics import XTD200_MAIN

NAMES = {
    "en": "English", "de": "German", "fr": "French", "cs": "Czech", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish",
    "ar": "Arabic", "he": "Hebrew", "fa": "Persian", "hi": "Hindi", "bn": "Bengali", "ja": "Japanese",
    "zh": "Chinese (simplified)", "zh-Hant": "Chinese (traditional)", "ko": "Korean", "vi": "Vietnamese",
    "th": "Thai", "id": "Indonesian", "ms": "Malay", "sv": "Swedish", "da": "Danish", "fi": "Finnish",
    "el": "Greek", "hu": "Hungarian", "ro": "Romanian", "bg": "Bulgarian",
}
CAPTION_SOURCE = {"en": "people", "de": "translated by people", "fr": "translated by people",
                  "cs": "translated by people", "zh": "people", "pt": "people", "es": "machine", "ar": "machine",
                  "uk": "machine"}


def verdict(values: list[float]) -> str:
    """A plain word from the figures a user would care about (the relative ones first)."""
    if not values:
        return "not measured"
    best = min(values)
    return "good" if best >= 0.85 else "fair" if best >= 0.6 else "weak" if best >= 0.3 else "poor"


def table(metrics: dict[str, float], every: bool = False) -> str:
    en10, in_en = metrics.get("en.t2i.R@10", 0.0), metrics.get("imagenet.en.R@10", 0.0)
    langs = ["en", "de", "fr", "cs", "zh", "pt", "es", "ar", "uk"]
    langs += [x for x in XTD200_MAIN if x not in CAPTION_SOURCE]
    if every:
        measured = {k.split(".")[1] for k in metrics if k.startswith("xtd200.")}
        langs += sorted(measured - set(langs) - {"main", "mean", "n"})
    lines = ["| language | photo search R@10 (captions by) / EN | XTD200 acc@1 | ImageNet names R@10 / EN | verdict |",
             "|---|---|---|---|---|"]
    for lang in langs:
        cells, relative = [], []
        cap = metrics.get(f"{lang}.t2i.R@10")
        if cap is not None:
            relative.append(cap / max(en10, 1e-9))
            cells.append(f"{cap:.1f} ({CAPTION_SOURCE.get(lang, '?')}) / {relative[-1]:.2f}")
        else:
            cells.append("-")
        xtd = metrics.get(f"xtd200.{lang}")
        cells.append(f"{xtd:.1f}" if xtd is not None else "-")
        if xtd is not None and lang != "en":
            relative.append(xtd / 100 / 0.75)  # 75% acc@1 counts as "good" (the teacher's level on XTD10 was 83)
        names = metrics.get(f"imagenet.{lang}.R@10")
        cells.append(f"{names:.1f} / {names / max(in_en, 1e-9):.2f}" if names is not None else "-")
        lines.append(f"| {NAMES.get(lang, lang)} (`{lang}`) | " + " | ".join(cells) + f" | {verdict(relative)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("metrics", type=Path, help="the JSON that evaluate.py --json printed")
    parser.add_argument("--all", action="store_true", help="every XTD200 language, not only the main 30")
    args = parser.parse_args()
    print(table(json.loads(args.metrics.read_text(encoding="utf-8")), args.all))


if __name__ == "__main__":
    main()
