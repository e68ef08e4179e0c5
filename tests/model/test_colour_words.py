"""The shipped weights find drawn scenes of six colours from the colour's word in six scripts, through the app.

Latin, CJK, Hangul, Cyrillic, Arabic and Devanagari: each script's words go through the real path (Library
index of the drawn scenes, then `Library.search`). Issue 17 asks for every script to find its colours; the
shipped weights (liwe18-seed1) do not yet: the floors below are what they reach (liwe17's in the comment),
so the test guards against a step back and shows, per script, how far the target is.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "model"

COLOURS = {  # name: RGB of the scene
    "red": (205, 30, 35), "green": (40, 150, 55), "blue": (35, 70, 200),
    "yellow": (240, 215, 40), "black": (15, 15, 18), "white": (245, 245, 242),
}
WORDS = {  # script: one language's word for each colour, in COLOURS' order
    "Latin (en)": ["red", "green", "blue", "yellow", "black", "white"],
    "CJK (zh)": ["红色", "绿色", "蓝色", "黄色", "黑色", "白色"],
    "CJK (ja)": ["赤", "緑", "青", "黄色", "黒", "白"],
    "Hangul (ko)": ["빨간색", "초록색", "파란색", "노란색", "검은색", "흰색"],
    "Cyrillic (ru)": ["красный", "зелёный", "синий", "жёлтый", "чёрный", "белый"],
    "Arabic (ar)": ["أحمر", "أخضر", "أزرق", "أصفر", "أسود", "أبيض"],
    "Devanagari (hi)": ["लाल", "हरा", "नीला", "पीला", "काला", "सफ़ेद"],
}


def draw_scene(path: Path, rgb: tuple[int, int, int], seed: int) -> Path:
    """A scene in one colour: a field of it with a few shapes in lighter and darker shades of the same hue."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (320, 240), rgb)
    draw = ImageDraw.Draw(image)
    for _ in range(5):
        shade = rng.uniform(0.75, 1.15)
        colour = tuple(max(0, min(255, int(c * shade))) for c in rgb)
        x, y, r = rng.randrange(320), rng.randrange(240), rng.randrange(20, 70)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, quality=92)
    return path

# Of the six colours, how many find their own scene first, per script: the shipped weights' figure (liwe17's
# before it), measured with `python tests/model/test_colour_words.py`; the test asks for at least that many.
MIN_FOUND = {"Latin (en)": 5, "CJK (zh)": 4, "CJK (ja)": 3, "Hangul (ko)": 3,  # liwe17: 5, 3, 4, 2
             "Cyrillic (ru)": 1, "Arabic (ar)": 4, "Devanagari (hi)": 1}  # liwe17: 1, 2, 1


def found_first(library, words: list[str]) -> list[str]:
    return [Path(library.search(word, k=1)[0].path).stem for word in words]


@pytest.fixture(scope="module")
def colour_library(tmp_path_factory):
    from photosearch.core.library import Library

    root = tmp_path_factory.mktemp("colours")
    for i, (name, rgb) in enumerate(COLOURS.items()):
        draw_scene(root / "photos" / f"{name}.jpg", rgb, seed=i)
    old = os.environ.pop("PHOTOSEARCH_WEIGHTS", None)  # the shipped weights, as the app loads them
    library = Library(root / "data", cache_dir=root / "cache", device="cpu")
    try:
        library.add_folder(root / "photos")
        list(library.index())
        yield library
    finally:
        library.close()
        if old is not None:
            os.environ["PHOTOSEARCH_WEIGHTS"] = old


@pytest.mark.skipif(not (SHIPPED / "model.safetensors").is_file(), reason="no shipped weights in resources/model")
@pytest.mark.parametrize("script", list(WORDS))
def test_colour_words_find_their_scene(colour_library, script):
    got = found_first(colour_library, WORDS[script])
    found = sum(g == name for g, name in zip(got, COLOURS, strict=True))
    answers = dict(zip(WORDS[script], got, strict=True))
    assert found >= MIN_FOUND[script], f"{script}: {found} of 6 colours first ({answers})"


if __name__ == "__main__":  # the per-script figures for the model card: python tests/model/test_colour_words.py
    import tempfile

    from photosearch.core.library import Library

    root = Path(tempfile.mkdtemp())
    for i, (name, rgb) in enumerate(COLOURS.items()):
        draw_scene(root / "photos" / f"{name}.jpg", rgb, seed=i)
    with Library(root / "data", cache_dir=root / "cache", device="cpu") as library:
        library.add_folder(root / "photos")
        list(library.index())
        for script, words in WORDS.items():
            got = found_first(library, words)
            print(f"{script:16s} {sum(g == n for g, n in zip(got, COLOURS, strict=True))}/6  {got}")
