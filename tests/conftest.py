"""Fixtures shared by the whole suite: a tiny model, drawn photos, libraries on temp folders, the shared data path."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

SHARED_DATA = Path(os.environ.get("PHOTOSEARCH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
REPO_ROOT = Path(__file__).resolve().parents[1]

# A model small enough to build and run in well under a second: same architecture, tiny widths.
TINY_CONFIG = dict(
    joint_dim=32,
    image_backbone="efficientnet-lite0",
    image_size=64,
    image_hidden=0,
    char_buckets=2048,
    char_dim=16,
    word_kernels=(2, 3),
    word_channels=16,
    word_dim=32,
    ngram_buckets=512,
    ngram_dim=16,
    sentence_hidden=32,
    dropout=0.0,
    name="tiny-test-model",
)


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


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with config.json + model.safetensors of a tiny random model (seeded, so stable).

    With the default BatchNorm statistics (mean 0, variance 1) a random EfficientNet maps every image
    to the same vector; statistics measured on drawn pictures keep the activations in range, so
    different photos get different vectors and "a photo's nearest neighbour is itself" can be tested.
    """
    import torch

    from photosearch.model import JointModel, ModelConfig, save_model
    from photosearch.model.preprocess import images_to_tensor

    torch.manual_seed(0)
    model = JointModel(ModelConfig(**TINY_CONFIG))
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = None  # cumulative average: one pass gives the batch statistics
            module.reset_running_stats()
    model.train()
    with torch.no_grad():
        model.encode_image(images_to_tensor(list(_calibration_pictures(32)), model.cfg.image_size))
    model.eval()
    directory = tmp_path_factory.mktemp("tiny-model")
    save_model(model, directory, half=False)
    return directory


@pytest.fixture(scope="session")
def tiny_encoder(tiny_model_dir: Path):
    """The tiny model loaded on the CPU, shared by the tests that only read from it."""
    from photosearch.model import load_model

    return load_model(tiny_model_dir, device="cpu")


@pytest.fixture()
def shared_data() -> Path:
    """../shared/data, or skip the test when it is not there (CI without the data, a user's checkout)."""
    if not (SHARED_DATA / "flickr8k" / "captions.jsonl").is_file():
        pytest.skip("../shared/data is not available")
    return SHARED_DATA


def draw_photo(path: Path, seed: int, size: tuple[int, int] = (160, 120), fmt: str | None = None) -> Path:
    """Draw a distinct little picture (background colour plus shapes chosen by `seed`) and save it."""
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x0, y0 = rng.randrange(size[0]), rng.randrange(size[1])
        x1, y1 = x0 + rng.randrange(10, size[0]), y0 + rng.randrange(10, size[1])
        color = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0, y0, x1, y1), fill=color)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format=fmt)
    return path


@pytest.fixture()
def photo_factory(tmp_path: Path):
    """Call it with a relative name (and optionally a seed) to get a drawn photo under tmp_path/photos."""
    counter = iter(range(10_000))

    def make(name: str, seed: int | None = None, **kwargs) -> Path:
        return draw_photo(tmp_path / "photos" / name, next(counter) if seed is None else seed, **kwargs)

    return make


@pytest.fixture()
def cli_env(tiny_model_dir: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of a `photosearch` subprocess: the tiny model, the test's own cache and config dirs."""
    env = dict(os.environ)
    for name in ("PHOTOSEARCH_DATA_DIR", "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    env["PHOTOSEARCH_WEIGHTS"] = str(tiny_model_dir)
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg-cache")  # thumbnails and the like stay in the test's folder
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture()
def make_library(tmp_path: Path, tiny_encoder):
    """Open a Library in tmp_path/data (closed at the end of the test); extra kwargs go to Library."""
    from photosearch.core.library import Library

    opened = []

    def make(**kwargs):
        kwargs.setdefault("data_dir", tmp_path / "data")
        kwargs.setdefault("cache_dir", tmp_path / "cache")
        kwargs.setdefault("encoder", tiny_encoder)
        library = Library(**kwargs)
        opened.append(library)
        return library

    yield make
    for library in opened:
        library.close()


@pytest.fixture()
def wait_until() -> Callable[..., None]:
    """Poll a condition until it is true (pytest-qt's waitUntil, without Qt); fail after `timeout` seconds."""

    def wait(condition: Callable[[], object], timeout: float = 5.0, interval: float = 0.05) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s")
            time.sleep(interval)

    return wait


class CountingEncoder:
    """Wraps an Encoder and counts the images it embeds, to prove that some operation made no model call."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.images_embedded = 0

    def encode_arrays(self, arrays):
        self.images_embedded += len(arrays)
        return self._inner.encode_arrays(arrays)

    def encode_images(self, images, batch_size: int = 32):
        self.images_embedded += len(images)
        return self._inner.encode_images(images, batch_size)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


@pytest.fixture()
def counting_encoder(tiny_encoder) -> CountingEncoder:
    return CountingEncoder(tiny_encoder)


@pytest.fixture(scope="session")
def tiny_adapt_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the tiny model with an ADAPT head beside it (random, seeded: shapes and plumbing, not quality)."""
    import shutil

    import torch

    from photosearch.model.adapt import AdaptConfig, AdaptHead, file_sha256, save_adapt

    directory = tmp_path_factory.mktemp("tiny-adapt") / "model"
    shutil.copytree(tiny_model_dir, directory)
    torch.manual_seed(1)
    head = AdaptHead(AdaptConfig(joint_dim=TINY_CONFIG["joint_dim"],
                                 model_sha256=file_sha256(directory / "model.safetensors")))
    with torch.no_grad():
        for parameter in head.parameters():
            parameter.add_(0.3 * torch.randn_like(parameter))
    save_adapt(head, directory, half=False)
    return directory


@pytest.fixture(scope="session")
def tiny_adapt_encoder(tiny_adapt_dir: Path):
    from photosearch.model import load_model

    return load_model(tiny_adapt_dir, device="cpu")


@pytest.fixture(scope="session")
def mean_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random model whose sentence encoder is the shipped kind ("mean"): the NumPy text tower reads it."""
    import torch

    from photosearch.model import JointModel, ModelConfig, save_model

    torch.manual_seed(0)
    directory = tmp_path_factory.mktemp("mean-model")
    config = ModelConfig(**{**TINY_CONFIG, "sentence_encoder": "mean", "sentence_bag": True})
    save_model(JointModel(config).eval(), directory)
    return directory
