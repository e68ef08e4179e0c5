"""What the benchmarks measure on: the model folder, realistic photos, clustered vectors and prebuilt libraries."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
# Everything a benchmark makes lives outside the repository and is reused by later runs.
BENCH_ROOT = Path(os.environ.get("PHOTOSEARCH_BENCH_DIR", "/tmp/photosearch-bench"))
SHARED_DATA = Path(os.environ.get("PHOTOSEARCH_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
SHARED_IMAGES = SHARED_DATA / "flickr8k" / "images"

# Queries a person might type, in several scripts; written here, not taken from any data set.
QUERIES = [
    "a dog running on the beach", "two children playing in the snow", "sunset over the sea", "a red car",
    "people at a wedding", "a cat sleeping on a sofa", "mountains with clouds", "birthday cake with candles",
    "ein Hund im Schnee", "Kinder spielen im Park", "Sonnenuntergang am Meer", "ein Mann auf einem Fahrrad",
    "un chien sur la plage", "une femme avec un parapluie", "perro corriendo en el parque", "niños en la playa",
    "雪の中の家", "公園で遊ぶ子供たち", "海辺の犬", "一只狗在草地上", "собака на пляже", "дети играют в снегу",
    "beach + dog - people", "2:mountain + lake", "city street at night", "a boy jumping into a pool",
    "a group of people hiking", "an old bridge over a river", "skier", "football match", "flowers in a garden",
    "a man climbing a rock wall", "a black and white dog catching a frisbee", "crowd at a concert",
    "kayak on a lake", "a girl in a pink dress", "bicycle race", "horse in a field", "fireworks", "graduation",
]


def model_dir() -> tuple[Path, str]:
    """The weights to time: $PHOTOSEARCH_WEIGHTS, else the shipped ones, else a random default-config model.

    Speed does not depend on the weight values, so a random model with the shipped architecture times the same.
    """
    override = os.environ.get("PHOTOSEARCH_WEIGHTS")
    if override:
        return Path(override), "PHOTOSEARCH_WEIGHTS"
    shipped = REPO_ROOT / "resources" / "model"
    if (shipped / "model.safetensors").is_file() and (shipped / "config.json").is_file():
        return shipped, "shipped"
    random_dir = BENCH_ROOT / "random-model"
    if not _loads(random_dir):  # missing, or made by an older version of the network
        import torch

        from photosearch.model import JointModel, ModelConfig, save_model

        torch.manual_seed(0)
        model = JointModel(ModelConfig())
        try:  # ImageNet weights in the backbone (when the train extra is there) give realistic activations
            sys.path.insert(0, str(REPO_ROOT))
            from training.backbone import pretrained_backbone

            model.image.backbone.load_state_dict(pretrained_backbone(model.cfg.image_backbone).state_dict())
        except (ImportError, SystemExit):
            pass
        save_model(model, random_dir)
    return random_dir, "random weights, default ModelConfig"


def _loads(directory: Path) -> bool:
    from photosearch.model import load_joint_model

    try:
        load_joint_model(directory)
    except (OSError, RuntimeError, KeyError, ValueError):
        return False
    return True


def use_bench_model() -> tuple[Path, str]:
    """Point PHOTOSEARCH_WEIGHTS (read by load_model and by child processes) at the weights to time."""
    directory, kind = model_dir()
    os.environ["PHOTOSEARCH_WEIGHTS"] = str(directory)
    return directory, kind


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    import hnswlib  # noqa: F401  (version below when it has one)
    import PIL
    import torch

    return {"cpu": cpu, "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "torch": torch.__version__, "pillow": PIL.__version__,
            "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None, "commit": commit,
            "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "load_before": os.getloadavg()[0]}


def finish(report: dict[str, Any]) -> dict[str, Any]:
    report["machine"]["load_after"] = os.getloadavg()[0]
    return report


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def median(values: list[float]) -> float:
    return float(np.median(np.asarray(values, dtype=np.float64)))


# ----------------------------------------------------------------------------------------- photos

def _source_images(count: int) -> list[Any]:
    from PIL import Image, ImageDraw

    names = sorted(SHARED_IMAGES.glob("*.jpg"))[:count] if SHARED_IMAGES.is_dir() else []
    if names:
        return [Image.open(n).convert("RGB") for n in names]
    rng = np.random.default_rng(7)
    drawn = []
    for _ in range(count):  # no shared data: drawn scenes instead
        image = Image.new("RGB", (500, 375), tuple(int(v) for v in rng.integers(0, 256, 3)))
        draw = ImageDraw.Draw(image)
        for _ in range(30):
            x, y = (int(v) for v in rng.integers(0, 480, 2))
            draw.ellipse((x, y, x + int(rng.integers(10, 200)), y + int(rng.integers(10, 200))),
                         fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
        drawn.append(image)
    return drawn


def realistic_photos(count: int, size: tuple[int, int] = (4000, 3000), quality: int = 90) -> Path:
    """`count` camera-sized JPEGs (EXIF date, quality 90), made once and reused; the folder path.

    Upscaled pictures alone are too smooth: their JPEGs are small and decode faster than a real photo's.
    Grain like a camera sensor's (sigma 8 levels) brings them to the size of real 12 MP photos (about 3 MB).
    """
    from PIL import Image

    folder = BENCH_ROOT / f"photos-{size[0]}x{size[1]}-q{quality}-{count}"
    done = folder / ".complete"
    if done.is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    sources = _source_images(min(count, 40))
    rng = np.random.default_rng(11)
    for i in range(count):
        source = sources[i % len(sources)]
        big = source.resize(size, Image.Resampling.BICUBIC)
        if i >= len(sources):  # repeated sources differ: mirrored and shifted in tone
            big = big.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        pixels = np.asarray(big, dtype=np.int16) + rng.normal(0, 8, (size[1], size[0], 3)).astype(np.int16)
        big = Image.fromarray(pixels.clip(0, 255).astype(np.uint8))
        exif = Image.Exif()
        exif.get_ifd(0x8769)[36867] = f"2023:07:{1 + i % 28:02d} 12:{i % 60:02d}:00"
        big.save(folder / f"IMG_{i:05d}.jpg", quality=quality, exif=exif)
    done.write_text("ok")
    return folder


# ----------------------------------------------------------------------------------------- vectors

class ClusteredVectors:
    """L2-normalised rows like photo embeddings: clusters (events, places) in a cone, made in chunks.

    Real image embeddings sit in a narrow cone (a shared mean direction) with most of their variance in a few
    dozen directions; isotropic random vectors would make the index's job both harder and less realistic.
    Row i of the library is the same on every run (seeded per chunk), so a library built once is reused.
    """

    def __init__(self, count: int, dim: int, seed: int = 0) -> None:
        self.count, self.dim, self.seed = count, dim, seed
        rng = np.random.default_rng(seed)
        self.rank = min(64, dim)
        self.basis, _ = np.linalg.qr(rng.normal(size=(dim, self.rank)))
        mean = rng.normal(size=dim)
        mean /= np.linalg.norm(mean)
        self.clusters = max(8, count // 100)  # about a hundred photos per event
        self.centres = 0.9 * mean + (self.basis @ rng.normal(size=(self.rank, self.clusters))).T / np.sqrt(self.rank)

    def _rows(self, n: int, stream: list[int]) -> np.ndarray:
        rng = np.random.default_rng(stream)
        which = rng.integers(0, self.clusters, n)
        rows = (self.centres[which] + 0.5 * (rng.normal(size=(n, self.rank)) / np.sqrt(self.rank)) @ self.basis.T
                + 0.15 * rng.normal(size=(n, self.dim)) / np.sqrt(self.dim))
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        return rows.astype(np.float32)

    def chunks(self, chunk: int = 50_000) -> Iterator[np.ndarray]:
        for lo in range(0, self.count, chunk):
            yield self._rows(min(chunk, self.count - lo), [self.seed, lo])

    def all(self) -> np.ndarray:
        return np.concatenate(list(self.chunks()))

    def held_out(self, n: int) -> np.ndarray:
        """Rows from the same distribution that are not in the library (stream ids no chunk uses)."""
        return self._rows(n, [self.seed, -1 % (1 << 32), 7])
