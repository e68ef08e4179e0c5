"""Draws a small demo library of scenes (cars, beaches, houses, snowy forests...) for the screenshots in docs/.

The docs show the app on pictures drawn here rather than on anyone's photos or the training data: the scenes are
simple, but the shipped model recognises them, and anyone can regenerate the same library.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = (640, 480)
W, H = SIZE


def _sky(draw: ImageDraw.ImageDraw, top: tuple[int, int, int], bottom: tuple[int, int, int], height: int) -> None:
    for y in range(height):
        t = y / max(1, height - 1)
        draw.line([(0, y), (W, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))


def _sun(draw: ImageDraw.ImageDraw, rng: random.Random, colour: tuple[int, int, int] = (250, 230, 90)) -> None:
    x, y, r = rng.randint(40, W - 40), rng.randint(30, 90), rng.randint(16, 26)
    draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)


def _clouds(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 3)):
        x, y = rng.randint(0, W - 120), rng.randint(20, 110)
        for dx in (0, 25, 50):
            draw.ellipse([x + dx, y, x + dx + 45, y + 24], fill=(255, 255, 255))


def car(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (140, 180, 230), (200, 225, 245), 300)
    draw.rectangle([0, 300, W, H], fill=(70, 70, 75))
    for x in range(0, W, 80):
        draw.rectangle([x + 10, 385, x + 55, 393], fill=(240, 240, 240))
    colour = rng.choice([(200, 30, 30), (210, 40, 35), (30, 80, 190), (235, 190, 30)])
    x = rng.randint(60, 300)
    draw.rounded_rectangle([x, 250, x + 260, 330], 18, fill=colour)
    draw.polygon([(x + 50, 250), (x + 90, 195), (x + 190, 195), (x + 225, 250)], fill=colour)
    draw.polygon([(x + 70, 248), (x + 98, 207), (x + 135, 207), (x + 135, 248)], fill=(190, 220, 240))
    draw.polygon([(x + 145, 248), (x + 145, 207), (x + 182, 207), (x + 208, 248)], fill=(190, 220, 240))
    for wx in (x + 55, x + 205):
        draw.ellipse([wx - 28, 302, wx + 28, 358], fill=(25, 25, 25))
        draw.ellipse([wx - 12, 318, wx + 12, 342], fill=(170, 170, 170))


def beach(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (80, 160, 230), (180, 220, 245), 200)
    _sun(draw, rng)
    for y in range(200, 290):
        draw.line([(0, y), (W, y)], fill=(20, 90 + (y - 200) // 2, 170))
    draw.rectangle([0, 290, W, H], fill=rng.choice([(240, 215, 160), (235, 205, 150), (230, 225, 130)]))
    ux = rng.randint(120, 480)
    draw.line([(ux, 300), (ux, 420)], fill=(90, 60, 40), width=5)
    draw.pieslice([ux - 70, 270, ux + 70, 350], 180, 360, fill=rng.choice([(220, 60, 50), (240, 120, 40)]))
    px = rng.choice([40, W - 60])
    draw.line([(px, H), (px + 20, 200)], fill=(110, 80, 50), width=10)
    for dx, dy in ((-70, 20), (70, 20), (-50, -10), (50, -10), (0, -30)):
        draw.line([(px + 20, 200), (px + 20 + dx, 200 + dy)], fill=(40, 130, 50), width=9)


def house(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (120, 180, 235), (200, 230, 250), 330)
    _sun(draw, rng)
    _clouds(draw, rng)
    draw.rectangle([0, 330, W, H], fill=(70, 170, 70))
    x = rng.randint(140, 320)
    wall = rng.choice([(235, 220, 190), (240, 240, 230), (220, 190, 160)])
    draw.rectangle([x, 230, x + 200, 360], fill=wall)
    draw.polygon([(x - 20, 232), (x + 100, 150), (x + 220, 232)], fill=rng.choice([(160, 40, 40), (120, 60, 40)]))
    draw.rectangle([x + 85, 290, x + 120, 360], fill=(120, 80, 50))
    for wx in (x + 25, x + 145):
        draw.rectangle([wx, 255, wx + 35, 285], fill=(170, 210, 240))


def snowy_forest(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (190, 200, 220), (230, 235, 245), 300)
    draw.rectangle([0, 300, W, H], fill=(248, 250, 252))
    for _ in range(rng.randint(4, 7)):
        x, base, h = rng.randint(20, W - 20), rng.randint(330, 420), rng.randint(110, 190)
        draw.rectangle([x - 6, base, x + 6, base + 25], fill=(90, 60, 40))
        for i in range(3):
            top = base - h + i * h // 3
            half = 25 + i * 18
            draw.polygon([(x, top), (x - half, top + h // 2), (x + half, top + h // 2)], fill=(30, 100, 60))
            draw.polygon([(x, top), (x - half // 3, top + h // 8), (x + half // 3, top + h // 8)], fill=(250, 250, 250))
    for _ in range(160):
        x, y = rng.randint(0, W), rng.randint(0, H)
        draw.ellipse([x, y, x + 4, y + 4], fill=(255, 255, 255))


def mountains(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (100, 160, 225), (200, 225, 245), 320)
    _clouds(draw, rng)
    draw.rectangle([0, 320, W, H], fill=(90, 150, 80))
    for _ in range(3):
        x, h, half = rng.randint(60, W - 60), rng.randint(170, 260), rng.randint(130, 200)
        peak = 340 - h
        draw.polygon([(x, peak), (x - half, 340), (x + half, 340)], fill=(110, 110, 125))
        draw.polygon([(x, peak), (x - half // 4, peak + h // 4), (x + half // 4, peak + h // 4)], fill=(250, 250, 250))


def city_night(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (10, 15, 45), (40, 40, 80), H)
    draw.ellipse([W - 110, 40, W - 70, 80], fill=(245, 245, 220))
    x = 0
    while x < W:
        w, h = rng.randint(50, 100), rng.randint(150, 350)
        draw.rectangle([x, H - h, x + w, H], fill=(35, 35, 50))
        for wy in range(H - h + 12, H - 10, 22):
            for wx in range(x + 8, x + w - 10, 16):
                if rng.random() < 0.45:
                    draw.rectangle([wx, wy, wx + 7, wy + 10], fill=(250, 210, 110))
        x += w + rng.randint(2, 10)


def sunset(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (250, 120, 60), (255, 200, 120), 280)
    sx = rng.randint(150, 490)
    draw.ellipse([sx - 45, 230, sx + 45, 320], fill=(255, 90, 40))
    for y in range(280, H):
        draw.line([(0, y), (W, y)], fill=(60, 50 + (y - 280) // 6, 110))
    for y in range(290, H, 14):
        draw.line([(sx - 60 + rng.randint(-10, 10), y), (sx + 60, y)], fill=(250, 140, 70), width=3)


def meadow(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (130, 190, 240), (210, 235, 250), 240)
    _sun(draw, rng)
    draw.rectangle([0, 240, W, H], fill=(90, 170, 70))
    colours = [(240, 90, 140), (250, 220, 60), (250, 250, 250), (200, 80, 200)]
    for _ in range(260):
        x, y = rng.randint(0, W), rng.randint(250, H)
        r = 3 + (y - 240) // 50
        draw.ellipse([x - r, y - r, x + r, y + r], fill=rng.choice(colours))


# The scene kinds, and the file names a person might give such photos (the names play no part in search).
SCENES: dict[str, tuple[Callable[[ImageDraw.ImageDraw, random.Random], None], tuple[str, ...]]] = {
    "car": (car, ("red-car", "das-rote-Auto", "машина", "my-car", "roadtrip")),
    "beach": (beach, ("beach-day", "playa", "海辺", "Strand Mallorca", "beach-holiday")),
    "house": (house, ("our-house", "Ferienhaus", "cottage", "بيت الجدة", "la-maison")),
    "snow": (snowy_forest, ("雪の森", "winter-forest", "Schneewald", "ski-trip", "snow-walk")),
    "mountains": (mountains, ("Alpen", "mountains", "山", "hike", "summit")),
    "city": (city_night, ("city-lights", "夜景", "downtown", "Großstadt", "night-out")),
    "sunset": (sunset, ("sunset", "puesta-de-sol", "夕日", "Abendrot", "evening-sea")),
    "meadow": (meadow, ("flower-meadow", "Blumenwiese", "spring", "花畑", "picnic")),
}


def draw_scene(kind: str, seed: int) -> Image.Image:
    """One picture of `kind` (a key of SCENES); the same seed draws the same picture."""
    image = Image.new("RGB", SIZE)
    SCENES[kind][0](ImageDraw.Draw(image), random.Random(f"{kind}-{seed}"))
    return image


def write_library(root: Path, per_kind: int = 5) -> list[Path]:
    """`per_kind` pictures of every scene in root/<Holidays|Home>, dated (file time) over 2019-2024 for the filters."""
    written = []
    rng = random.Random(7)
    for kind, (_, names) in SCENES.items():
        for i in range(per_kind):
            folder = root / ("Holidays" if kind in ("beach", "mountains", "sunset", "snow") else "Home")
            folder.mkdir(parents=True, exist_ok=True)
            name = names[i % len(names)] + ("" if i < len(names) else f"-{i}")
            path = folder / f"{name}.jpg"
            draw_scene(kind, i).save(path, quality=90)
            taken = datetime(rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 28), rng.randint(8, 19))
            os.utime(path, (taken.timestamp(), taken.timestamp()))
            written.append(path)
    return written
