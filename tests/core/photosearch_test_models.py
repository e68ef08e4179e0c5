"""A tiny model for tests whose image vectors tell drawn photos apart (the shared tiny model's do not)."""

from __future__ import annotations

from pathlib import Path


def _calibration_pictures(count: int):
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(1234)
    for _ in range(count):
        image = Image.new("RGB", (96, 96), tuple(rng.randrange(256) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        for _ in range(4):
            x, y = rng.randrange(80), rng.randrange(80)
            draw.ellipse((x, y, x + rng.randrange(8, 60), y + rng.randrange(8, 60)),
                         fill=tuple(rng.randrange(256) for _ in range(3)))
        yield image


def build_distinct_model(source: Path, target: Path) -> Path:
    """The tiny random model with its BatchNorm statistics measured on drawn pictures.

    With the default running statistics (mean 0, variance 1) a random EfficientNet collapses every image to
    the same vector; measured statistics keep the activations in range, so different photos get different
    vectors and "this photo's nearest neighbour is itself" can be tested.
    """
    import torch

    from photosearch.model import load_joint_model, save_model
    from photosearch.model.preprocess import images_to_tensor

    model = load_joint_model(source).float()
    pictures = list(_calibration_pictures(32))
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = None  # cumulative average: one pass gives the batch statistics
            module.reset_running_stats()
    model.train()
    with torch.no_grad():
        model.encode_image(images_to_tensor(pictures, model.cfg.image_size))
    model.eval()
    save_model(model, target, half=False)
    return target
