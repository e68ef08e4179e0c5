"""Focal points land where the answer is: a red disc in one corner, a blue one in another, "red" looks at red.

Two questions. (1) Does the head learn to look at what the query names? The tiny random model knows no colours
and its random backbone smears every region over the whole picture, so this test fits a head (well under a
second) on region features a fixed colour "backbone" makes (each cell of a 4 x 4 grid: its mean colour through
a fixed random lift), with queries from the tiny model's text tower, on drawn two-disc pictures named by their
colours; then asks for the attention on new pictures. (2) The issue's test: the shipped weights with their
trained head, a red disc in one corner, the query "red" (skipped when no trained head is there).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from photosearch.model.adapt import AdaptConfig, AdaptHead

COLOURS = {"red": (225, 25, 25), "blue": (25, 50, 225), "green": (30, 170, 40), "yellow": (245, 225, 30)}
CORNERS = ((0, 0), (0, 1), (1, 0), (1, 1))  # (row, column) of a 2 x 2 grid


def disc_picture(discs: dict[str, tuple[int, int]], rng: random.Random, size: int = 128) -> Image.Image:
    """A grey picture with a disc of each colour in its corner (row, column), jittered a little."""
    image = Image.new("RGB", (size, size), tuple(rng.randrange(110, 150) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    half = size // 2
    for colour, (row, col) in discs.items():
        r = rng.randrange(half // 3, half // 2 - 2)
        cx = col * half + half // 2 + rng.randrange(-3, 4)
        cy = row * half + half // 2 + rng.randrange(-3, 4)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=COLOURS[colour])
    return image


def random_pair(rng: random.Random) -> dict[str, tuple[int, int]]:
    first, second = rng.sample(list(COLOURS), 2)
    a, b = rng.sample(CORNERS, 2)
    return {first: a, second: b}


def colour_regions(image: Image.Image, lift: torch.Tensor, grid: int = 4) -> torch.Tensor:
    """(grid*grid, d) region features of a fixed colour backbone: mean colour of each cell, lifted to d dims."""
    pixels = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0 - 0.5).permute(2, 0, 1)[None]
    cells = torch.nn.functional.adaptive_avg_pool2d(pixels, grid).flatten(2).transpose(1, 2)[0]
    return cells @ lift


def peak(heat: np.ndarray) -> tuple[int, int]:
    """The quadrant (row, column) of the heat-map's maximum."""
    h, w = heat.shape
    row, col = np.unravel_index(int(heat.argmax()), heat.shape)
    return int(row * 2 // h), int(col * 2 // w)


@pytest.fixture()
def one_thread():
    # A few hundred tiny steps: a second thread only adds contention (seconds of it on a busy machine).
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_a_fitted_head_looks_at_the_disc_the_query_names(tiny_encoder, one_thread):
    rng = random.Random(0)
    torch.manual_seed(0)
    lift = torch.randn(3, tiny_encoder.dim)
    scenes = [random_pair(rng) for _ in range(96)]
    regions = torch.stack([colour_regions(disc_picture(s, rng), lift) for s in scenes])
    queries = torch.from_numpy(tiny_encoder.encode_texts(list(COLOURS)))
    # Each picture should score high for both of its colours and low for the other two.
    target = torch.tensor([[0.5 if c in s else 0.0 for c in COLOURS] for s in scenes])
    head = AdaptHead(AdaptConfig(joint_dim=tiny_encoder.dim))
    scale = torch.nn.Parameter(torch.tensor(10.0))
    optimiser = torch.optim.Adam([*head.parameters(), scale], lr=0.03)
    for _ in range(200):
        loss = torch.nn.functional.cross_entropy(scale * head(queries, regions).scores.T, target)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    head.eval()
    red, blue = queries[0:1], queries[1:2]
    for red_corner, blue_corner in ((CORNERS[0], CORNERS[3]), (CORNERS[3], CORNERS[0]),
                                    (CORNERS[1], CORNERS[2]), (CORNERS[2], CORNERS[1])):
        picture = colour_regions(disc_picture({"red": red_corner, "blue": blue_corner}, rng), lift)[None]
        with torch.no_grad():
            on_red = head(red, picture).attention[0, 0].reshape(4, 4).numpy()
            on_blue = head(blue, picture).attention[0, 0].reshape(4, 4).numpy()
        assert peak(on_red) == red_corner
        assert peak(on_blue) == blue_corner


def test_the_shipped_head_finds_a_red_disc(tmp_path):
    """The issue's test on the real model: a red disc in one corner of a plain picture, the query "red"."""
    from photosearch.model import load_model
    from photosearch.model.weights import bundled_weights_dir

    directory = bundled_weights_dir()
    if not (directory / "adapt.safetensors").is_file():
        pytest.skip("no trained ADAPT head beside the shipped weights")
    encoder = load_model(directory, device="cpu")
    if not encoder.has_adapt:
        pytest.skip("the shipped ADAPT head belongs to other weights (re-run training/train_adapt.py)")
    (red,) = encoder.encode_texts(["red"])
    for corner in CORNERS:
        image = Image.new("RGB", (400, 400), (235, 235, 230))
        row, col = corner
        cx, cy = 100 + 200 * col, 100 + 200 * row
        ImageDraw.Draw(image).ellipse((cx - 70, cy - 70, cx + 70, cy + 70), fill=COLOURS["red"])
        (focus,) = encoder.focus(red, [encoder.preprocess_whole(image)])
        assert peak(focus.attention) == corner
