"""A tiny stand-in for ../shared/data and a tiny training config, written by the tests themselves."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import TINY_CONFIG, draw_photo

# Invented captions; each photo gets English, German and Japanese ones.
SCENES = [
    ("a red ball on green grass", "ein roter Ball auf grünem Gras", "緑の芝生の上の赤いボール"),
    ("a blue car in the street", "ein blaues Auto auf der Straße", "通りの青い車"),
    ("two dogs running on a beach", "zwei Hunde rennen am Strand", "浜辺を走る二匹の犬"),
    ("a child eating ice cream", "ein Kind isst Eis", "アイスを食べる子供"),
    ("a yellow house with a garden", "ein gelbes Haus mit Garten", "庭のある黄色い家"),
    ("snow on a mountain top", "Schnee auf einem Berggipfel", "山頂の雪"),
    ("a man riding a bicycle", "ein Mann fährt Fahrrad", "自転車に乗る男"),
    ("boats in a small harbour", "Boote in einem kleinen Hafen", "小さな港の船"),
]
XTD_KEYS = ("en", "es", "it", "ko", "pl", "ru", "tr", "zh", "de", "fr", "ja")


def write_tiny_data(root: Path) -> Path:
    images = root / "flickr8k" / "images"
    rows = []
    for i, (en, de, ja) in enumerate(SCENES):
        name = f"{1000 + i}_abc.jpg"
        draw_photo(images / name, seed=100 + i, size=(96, 80))
        rows.append({"image": name, "split": "dev" if i >= 6 else "train", "captions": [
            {"lang": "en", "text": en, "source": "flickr8k"},
            {"lang": "en", "text": en.replace("a ", "the ", 1), "source": "flickr8k"},
            {"lang": "de", "text": de, "source": "multi30k-task1"},
            {"lang": "ja", "text": ja, "source": "multi30k-task1"},
        ]})
    (root / "flickr8k" / "captions.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    parallel = root / "parallel"
    parallel.mkdir()
    (parallel / "multi30k-task1.jsonl").write_text("".join(
        json.dumps({"en": en, "de": de, "fr": en.upper(), "flickr_id": str(2000 + i)}, ensure_ascii=False) + "\n"
        for i, (en, de, _) in enumerate(SCENES[:6])), encoding="utf-8")
    (parallel / "xtd10.jsonl").write_text("".join(
        json.dumps({k: (ja if k in ("ja", "zh") else de if k != "en" else en) for k in XTD_KEYS},
                   ensure_ascii=False) + "\n" for en, de, ja in SCENES), encoding="utf-8")
    return root


def tiny_toml(steps: int = 30, loss: str = "infonce", extra_train: str = "", **model_overrides) -> str:
    def value(v):
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, tuple | list):
            return "[" + ", ".join(str(x) for x in v) + "]"
        return str(v)

    model = "\n".join(f"{k} = {value(v)}" for k, v in {**TINY_CONFIG, **model_overrides}.items())
    return f"""[model]
{model}

[train]
steps = {steps}
batch_size = 6
parallel_batch = 4
lr = 5e-3
warmup = 2
loss = "{loss}"
eval_every = 0
log_every = 5
seed = 1
num_threads = 1
lang_weights = {{ en = 0.4, de = 0.3, ja = 0.3 }}
{extra_train}

[data]
lexicons = []
imagenet_names = false
parallel_task2 = false
"""
