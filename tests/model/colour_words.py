"""Colour words in six scripts and drawn scenes of those colours, for the shipped weights' colour test."""

from __future__ import annotations

import random
from pathlib import Path

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
