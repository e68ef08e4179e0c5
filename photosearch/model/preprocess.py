"""Turns a PIL image into the image tower's input tensor; training and the app both use this one path."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

# EfficientNet-Lite was trained in TensorFlow on pixels scaled as (x - 127) / 128.
PIXEL_MEAN = 127.0
PIXEL_STD = 128.0


def to_rgb(image: Image.Image) -> Image.Image:
    """Return an RGB image; transparent areas become white, as a photo viewer shows them."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale to 8 bits by the actual range rather than clipping at 255.
        array = np.asarray(image, dtype=np.float32)
        top = float(array.max()) or 1.0
        return Image.fromarray((array * (255.0 / top)).clip(0, 255).astype(np.uint8)).convert("RGB")
    return image.convert("RGB")


def resize_and_crop(image: Image.Image, size: int) -> Image.Image:
    """Scale the shorter side to `size` and cut the centre square."""
    image = to_rgb(image)
    width, height = image.size
    scale = size / min(width, height)
    new_w, new_h = max(size, round(width * scale)), max(size, round(height * scale))
    image = image.resize((new_w, new_h), Image.Resampling.BICUBIC)
    left, top = (new_w - size) // 2, (new_h - size) // 2
    return image.crop((left, top, left + size, top + size))


def image_to_pixels(image: Image.Image, size: int) -> np.ndarray:
    """The (3, size, size) uint8 pixels the backbone takes, before scaling: a quarter of the float32 array's
    memory, which matters for the photos an indexer keeps decoded ahead of the model."""
    return np.asarray(resize_and_crop(image, size), dtype=np.uint8).transpose(2, 0, 1).copy()


def scale_pixels(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 pixels from `image_to_pixels` -> the backbone's float input; float input is taken as already scaled."""
    if pixels.dtype != torch.uint8:
        return pixels
    return (pixels.float() - PIXEL_MEAN) / PIXEL_STD


def image_to_array(image: Image.Image, size: int) -> np.ndarray:
    """A (3, size, size) float32 array ready for the backbone."""
    pixels = np.asarray(resize_and_crop(image, size), dtype=np.float32)
    return ((pixels - PIXEL_MEAN) / PIXEL_STD).transpose(2, 0, 1).copy()


def whole_image_to_array(image: Image.Image, size: int, max_side: int) -> np.ndarray:
    """A (3, H, W) float32 array of the whole photo, shorter side `size` (longer side at most `max_side`).

    For heat-maps: the backbone takes any size, and the map then covers the photo the user sees, not the crop.
    """
    image = to_rgb(image)
    width, height = image.size
    scale = min(size / min(width, height), max_side / max(width, height))
    image = image.resize((max(32, round(width * scale)), max(32, round(height * scale))), Image.Resampling.BICUBIC)
    pixels = np.asarray(image, dtype=np.float32)
    return ((pixels - PIXEL_MEAN) / PIXEL_STD).transpose(2, 0, 1).copy()


def images_to_tensor(images: Sequence[Image.Image], size: int) -> torch.Tensor:
    """Stack preprocessed images into one (N, 3, size, size) tensor."""
    if not images:
        return torch.empty((0, 3, size, size), dtype=torch.float32)
    return torch.from_numpy(np.stack([image_to_array(im, size) for im in images]))
