"""The inference object the app and scripts use: texts and PIL images in, normalised float32 vectors out."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from photosearch.model.adapt import AdaptHead, AdaptUnavailable, load_adapt, region_vectors
from photosearch.model.config import ModelConfig
from photosearch.model.inference import compact_text_tables, fold_batchnorm
from photosearch.model.network import JointModel
from photosearch.model.preprocess import image_to_pixels, scale_pixels, whole_image_to_array
from photosearch.model.text_encoder import text_batches
from photosearch.model.tokenizer import Tokenizer
from photosearch.model.weights import bundled_weights_dir, load_joint_model

# Up to this many texts are encoded on one CPU thread: a query is a few dozen tiny operations, for which
# waking a second thread costs more than it saves, and much more when the other core is busy (indexing).
SINGLE_THREAD_TEXTS = 8
# Images per forward pass. On a CPU a few at a time are as fast as many (the activations of a small batch
# stay in the caches) and keep the peak memory low: a batch of 32 at 260 px needs about 550 MB of activations.
# A GPU wants wide batches.
CPU_IMAGE_BATCH = 4
GPU_IMAGE_BATCH = 64
# A heat-map is computed on the whole photo, not the centre crop; a panorama is capped at this many times the
# model's input size on its longer side (a 9 x 27 map for Lite2), which bounds the time and memory it takes.
WHOLE_IMAGE_MAX_RATIO = 3


@dataclass(frozen=True)
class Focus:
    """ADAPT's view of one photo for one query."""

    score: float  # cosine of the query with the query-specific image vector
    attention: np.ndarray  # (h, w) float32 weights over the backbone's regions, summing to 1


def _one_torch_thread() -> None:
    torch.set_num_threads(1)


def pick_device(device: str | None = None) -> torch.device:
    """'auto' (or None) picks CUDA, then Apple MPS, then the CPU; anything else is taken as given."""
    if device in (None, "auto"):
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if device == "gpu":
        device = "cuda"
    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        if torch.version.cuda:
            why = f"this torch ({torch.__version__}, CUDA {torch.version.cuda}) finds no usable NVIDIA GPU or driver"
        elif getattr(torch.version, "hip", None):
            why = f"this torch ({torch.__version__}, ROCm {torch.version.hip}) finds no usable GPU"
        else:
            why = f"this torch ({torch.__version__}) is built for the CPU only"
        raise RuntimeError(f"a CUDA GPU was asked for, but torch sees none: {why}; choose the device auto or cpu")
    return resolved


def device_description(device: torch.device) -> str:
    """A human-readable name for the device, e.g. the GPU model."""
    if device.type == "cuda":
        return f"GPU ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "GPU (Apple)"
    return "CPU"


class Encoder:
    """Wraps a JointModel (readied for inference in place) on one device; safe to call from several threads."""

    def __init__(self, model: JointModel, device: torch.device, source: Path | None = None) -> None:
        self.device = device
        self.source = source
        self.config: ModelConfig = model.cfg
        self.tokenizer = Tokenizer(model.cfg.tokenizer_config())
        # fp16 halves the memory traffic on a GPU; CPUs gain nothing from it, so they keep fp32.
        self.dtype = torch.float16 if device.type == "cuda" else torch.float32
        self.model = model.to(device=device, dtype=self.dtype).eval()
        if device.type == "cpu":
            compact_text_tables(self.model)  # after the move to float32, which would undo it
        # Channels-last is the layout oneDNN's and cuDNN's convolutions work in; NCHW costs a reorder per layer.
        self.model.image.to(memory_format=torch.channels_last)
        # Inference in eval mode keeps no state in the modules, so the two towers run at the same time: a query
        # typed during indexing waits for no image batch. Each tower takes one call at a time.
        self._image_lock = threading.Lock()
        self._text_lock = threading.Lock()
        self._text_thread: ThreadPoolExecutor | None = None
        # ADAPT's maps (re-ranking, heat-maps) run one photo at a time while the person waits. On two threads a
        # photo took 0.06 s on a quiet 2-core CPU but 0.4-0.9 s once anything else ran (OpenMP's threads wait for
        # each other when one is descheduled: 20 re-ranked photos took 3-18 s); on one thread 0.09-0.13 s, always.
        self._focus_thread: ThreadPoolExecutor | None = None
        if device.type == "cpu":
            self._text_thread = _single_torch_thread()
            self._focus_thread = _single_torch_thread("photosearch-focus")
        self.image_batch = CPU_IMAGE_BATCH if device.type == "cpu" else GPU_IMAGE_BATCH
        self._adapt: AdaptHead | AdaptUnavailable | None = None
        self._adapt_lock = threading.Lock()

    @property
    def dim(self) -> int:
        return self.config.joint_dim

    @property
    def image_size(self) -> int:
        return self.config.image_size

    def describe_device(self) -> str:
        return device_description(self.device)

    def encode_texts(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        """(len(texts), dim) float32, L2-normalised rows; an empty text gives a zero row."""
        texts = list(texts)
        if self._text_thread is not None and len(texts) <= SINGLE_THREAD_TEXTS:
            return self._text_thread.submit(self._encode_texts, texts, batch_size).result()
        return self._encode_texts(texts, batch_size)

    def _encode_texts(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for lo, tokens in text_batches(self.tokenizer, texts, batch_size, self.device):
            with self._text_lock, torch.inference_mode():
                vectors = self.model.encode_text(tokens)
            out[lo:lo + len(vectors)] = vectors.float().cpu().numpy()
        return out

    def preprocess(self, image: Image.Image) -> np.ndarray:
        """The (3, S, S) uint8 pixels the image tower takes; runs anywhere, e.g. in a decode thread."""
        return image_to_pixels(image, self.image_size)

    def _device_pixels(self, array: np.ndarray) -> torch.Tensor:
        """Preprocessed pixels (uint8, or float already scaled) -> the tower's input on the model's device."""
        pixels = scale_pixels(torch.from_numpy(np.ascontiguousarray(array)))
        return pixels.to(self.device, self.dtype).contiguous(memory_format=torch.channels_last)

    def encode_arrays(self, arrays: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """Embed already preprocessed images (see `preprocess`; float arrays from `image_to_array` work too)."""
        if len(arrays) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        stacked = arrays if isinstance(arrays, np.ndarray) else np.stack(list(arrays))
        out = np.zeros((len(stacked), self.dim), dtype=np.float32)
        step = self.image_batch
        for lo in range(0, len(stacked), step):
            pixels = self._device_pixels(stacked[lo:lo + step])
            with self._image_lock, torch.inference_mode():
                vectors = self.model.encode_image(pixels)
            out[lo:lo + len(vectors)] = vectors.float().cpu().numpy()
        return out

    def encode_images(self, images: Sequence[Image.Image], batch_size: int = 32) -> np.ndarray:
        """(len(images), dim) float32, L2-normalised rows."""
        images = list(images)
        out = np.zeros((len(images), self.dim), dtype=np.float32)
        for lo in range(0, len(images), batch_size):
            chunk = images[lo:lo + batch_size]
            out[lo:lo + len(chunk)] = self.encode_arrays([self.preprocess(im) for im in chunk])
        return out

    # ADAPT: query-aware re-ranking and focal points (see adapt.py)

    def adapt_head(self) -> AdaptHead:
        """The ADAPT head stored beside these weights, loaded once; raises AdaptUnavailable when there is none."""
        with self._adapt_lock:
            if self._adapt is None:
                if self.source is None:
                    self._adapt = AdaptUnavailable("this model was not loaded from a folder, so it has no ADAPT head")
                else:
                    try:
                        self._adapt = load_adapt(self.source)
                    except AdaptUnavailable as error:
                        self._adapt = error
            if isinstance(self._adapt, AdaptUnavailable):
                raise AdaptUnavailable(str(self._adapt))
            return self._adapt

    @property
    def has_adapt(self) -> bool:
        try:
            self.adapt_head()
        except AdaptUnavailable:
            return False
        return True

    def preprocess_whole(self, image: Image.Image) -> np.ndarray:
        """The whole photo (no crop) as the image tower's input, for a heat-map that covers all of it."""
        return whole_image_to_array(image, self.image_size, WHOLE_IMAGE_MAX_RATIO * self.image_size)

    def focus(self, query: np.ndarray, arrays: Sequence[np.ndarray]) -> list[Focus]:
        """ADAPT score and attention map of each preprocessed image (any sizes) for one query vector."""
        if self._focus_thread is not None:
            return self._focus_thread.submit(self._focus, query, arrays).result()
        return self._focus(query, arrays)

    def _focus(self, query: np.ndarray, arrays: Sequence[np.ndarray]) -> list[Focus]:
        head = self.adapt_head()
        q = torch.from_numpy(np.asarray(query, dtype=np.float32)).reshape(1, -1)
        out = []
        for array in arrays:
            pixels = self._device_pixels(array[None])
            with self._image_lock, torch.inference_mode():
                fmap = self.model.image.backbone(pixels)
                regions = region_vectors(self.model.image.projection, fmap).float().cpu()
            with torch.inference_mode():
                result = head(q, regions)
            h, w = fmap.shape[-2:]
            out.append(Focus(float(result.scores[0, 0]), result.attention[0, 0].reshape(h, w).numpy()))
        return out


def load_model(weights: str | Path | None = None, device: str | None = None) -> Encoder:
    """Load the bundled weights (or those in `weights`, a folder) onto `device` ('auto' by default)."""
    directory = Path(weights) if weights is not None else bundled_weights_dir()
    # The network loaded here is ours alone, so it may be changed for inference: BatchNorm folded away.
    return Encoder(fold_batchnorm(load_joint_model(directory)), pick_device(device), source=directory)


def _single_torch_thread(name: str = "photosearch-text") -> ThreadPoolExecutor:
    """A worker thread whose torch operations run on one core, leaving the rest of the process as it was.

    torch.set_num_threads sets the calling thread's OpenMP team size and a process-wide default that threads
    adopt on their first parallel operation; the default is put back at once, so only the worker keeps 1.
    """
    before = torch.get_num_threads()
    worker = ThreadPoolExecutor(1, thread_name_prefix=name, initializer=_one_torch_thread)
    worker.submit(torch.get_num_threads).result()
    torch.set_num_threads(before)
    return worker
