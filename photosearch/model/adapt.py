"""ADAPT (text to image): the query filters an image's region vectors (FiLM) and pools them by attention.

The head sits on top of the shipped towers and never changes them. Each region of the backbone's feature
map goes through the image tower's own projection (standardisation + linear, + MLP when the model has one),
so with uniform attention and an identity filter the pooled vector is the global one. The query vector
predicts a per-channel scale and shift (FiLM) for the regions; attention weights over the regions (the
"focal points" heat-map) come from the filtered regions and the query; the attention-pooled, filtered vector
is the query-specific image vector, and its cosine with the query is the ADAPT score. The search score mixes
it with the global cosine: (1 - m) * global + m * adapt, m learned.

Stored beside the model as adapt.safetensors + adapt.json (hyper-parameters and the sha256 of the
model.safetensors it was trained against), so the main weights and their golden test are untouched and a
model without these files simply has no ADAPT.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn
from torch.nn import functional as F

ADAPT_WEIGHTS = "adapt.safetensors"
ADAPT_CONFIG = "adapt.json"
MODEL_WEIGHTS = "model.safetensors"


class AdaptUnavailable(RuntimeError):
    """There is no usable ADAPT head for these weights; str(error) says why."""


@dataclass(frozen=True)
class AdaptConfig:
    """What rebuilds the head, and which model it belongs to."""

    joint_dim: int = 256
    # Added to the learned tau: a floor on how much the query's likeness to a region draws the attention. Training
    # for retrieval alone drives tau to 0 (query-independent attention: flat heat-maps that explain nothing).
    min_tau: float = 0.0
    model_sha256: str = ""  # of the model.safetensors the head was trained on; another model's vectors differ
    extra: dict[str, Any] = field(default_factory=dict)  # training summary and dev figures

    def to_json(self) -> str:
        return json.dumps({"adapt": asdict(self)}, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> AdaptConfig:
        data = json.loads(text)["adapt"]
        return cls(joint_dim=int(data["joint_dim"]), min_tau=float(data.get("min_tau", 0.0)),
                   model_sha256=str(data.get("model_sha256", "")),
                   extra=dict(data.get("extra", {})))


@dataclass(frozen=True)
class AdaptOutput:
    """The ADAPT head's scores for queries against photos, with its attention."""

    scores: torch.Tensor  # (T, I) cosine of each query with its query-specific image vector (or (T, K))
    attention: torch.Tensor  # (T, I, R) weights over the regions, each row sums to 1


class AdaptHead(nn.Module):
    """FiLM filter + attention pooling over any number of region vectors; about 130k parameters at 256-d."""

    def __init__(self, cfg: AdaptConfig) -> None:
        super().__init__()
        self.cfg = cfg
        d = cfg.joint_dim
        # One linear map from the query to (scale - 1, shift); zero-initialised so the filter starts as identity.
        self.film = nn.Linear(d, 2 * d)
        nn.init.zeros_(self.film.weight)
        nn.init.zeros_(self.film.bias)
        # Attention logit of a region: <filtered region, tau * query + focus>. A region that looks like the query
        # draws the attention; `focus` learns what draws it whatever the query (salient things, not the sky).
        # Both start at 0: uniform attention, so an untrained head gives exactly the global vector. (Starting
        # from "attend where the region looks like the query" is worse: the shipped projection was trained on
        # pooled features, and single regions match words poorly; dev EN R@1 12.2 -> 10.8 with tau = 1.)
        self.tau = nn.Parameter(torch.zeros(()))
        self.focus = nn.Parameter(torch.zeros(d))
        # Share of the ADAPT score in the search score (a logit; sigmoid(0) = half).
        self.mix_logit = nn.Parameter(torch.zeros(()))

    @property
    def mix(self) -> float:
        return float(torch.sigmoid(self.mix_logit.detach()))

    def filters(self, queries: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(scale, shift), each (T, d), for normalised query vectors."""
        scale_shift = self.film(queries)
        d = self.cfg.joint_dim
        return 1.0 + scale_shift[:, :d], scale_shift[:, d:]

    def forward(self, queries: torch.Tensor, regions: torch.Tensor) -> AdaptOutput:
        """Queries (T, d) against region vectors: (I, R, d) scores every query with every image, (T, K, R, d)
        each query with its own K candidates (re-ranking). R, the number of regions, may be anything >= 1.

        The filter is affine, so the attention logits and the pooled vector factor through the unfiltered
        regions: nothing of size T x I x R x d is ever built (training scores 256 x 256 pairs of 81 regions).
        """
        q = F.normalize(queries.float(), dim=-1)
        regions = regions.float()
        pairs = "ird" if regions.dim() == 3 else "tird"  # every image for every query, or candidates per query
        scale, shift = self.filters(q)
        key = scale * ((self.cfg.min_tau + self.tau) * q + self.focus)  # (T, d)
        # <scale*r + shift, k> = <r, scale*k> + <shift, k>; the second term is the same for every region of an
        # image, so the softmax over regions ignores it.
        logits = torch.einsum(f"{pairs},td->tir", regions, key) / math.sqrt(self.cfg.joint_dim)
        attention = logits.softmax(dim=-1)
        pooled = torch.einsum(f"tir,{pairs}->tid", attention, regions)
        pooled = scale[:, None, :] * pooled + shift[:, None, :]  # the weights sum to 1, so the shift passes through
        scores = (F.normalize(pooled, dim=-1) * q[:, None, :]).sum(dim=-1)
        return AdaptOutput(scores, attention)

    def combine(self, global_scores: torch.Tensor, adapt_scores: torch.Tensor) -> torch.Tensor:
        """The search score: still a cosine-like number, so the relevance floor keeps its meaning."""
        m = torch.sigmoid(self.mix_logit)
        return (1 - m) * global_scores + m * adapt_scores


def region_vectors(projection: nn.Module, feature_map: torch.Tensor) -> torch.Tensor:
    """(N, C, h, w) backbone maps -> (N, h*w, d): every region through the image projection (row-major)."""
    regions = feature_map.flatten(2).transpose(1, 2)
    vectors: torch.Tensor = projection(regions)
    return vectors


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_adapt(head: AdaptHead, directory: Path, half: bool = True) -> None:
    """Write adapt.safetensors and adapt.json into `directory`, each atomically (float16 by default)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    state = {k: (v.detach().cpu().half() if half and v.is_floating_point() else v.detach().cpu()).contiguous()
             for k, v in head.state_dict().items()}
    for name, write in ((ADAPT_WEIGHTS, lambda tmp: save_file(state, tmp, metadata={"format": "pt"})),
                        (ADAPT_CONFIG, lambda tmp: Path(tmp).write_text(head.cfg.to_json(), encoding="utf-8"))):
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        os.close(fd)
        try:
            write(tmp)
            os.chmod(tmp, 0o644)  # shipped files are world-readable; mkstemp makes them private
            os.replace(tmp, directory / name)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def load_adapt(directory: Path, check_model: bool = True) -> AdaptHead:
    """The head stored in `directory` (float32, eval mode); AdaptUnavailable when absent or for other weights."""
    directory = Path(directory)
    config_path, weights_path = directory / ADAPT_CONFIG, directory / ADAPT_WEIGHTS
    if not config_path.is_file() or not weights_path.is_file():
        raise AdaptUnavailable(f"these model weights have no ADAPT head ({ADAPT_WEIGHTS} and {ADAPT_CONFIG} "
                               f"are not in {directory}); train one with training/train_adapt.py")
    try:
        cfg = AdaptConfig.from_json(config_path.read_text(encoding="utf-8"))
        state = {k: v.float() if v.is_floating_point() else v for k, v in load_file(str(weights_path)).items()}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AdaptUnavailable(f"cannot read the ADAPT head in {directory}: {error}") from error
    if check_model and cfg.model_sha256:
        model_file = directory / MODEL_WEIGHTS
        if model_file.is_file() and file_sha256(model_file) != cfg.model_sha256:
            raise AdaptUnavailable(f"the ADAPT head in {directory} was trained for other model weights; "
                                   "train it again with training/train_adapt.py")
    head = AdaptHead(cfg)
    try:
        head.load_state_dict(state, strict=True)
    except RuntimeError as error:
        raise AdaptUnavailable(f"the ADAPT head in {directory} does not fit this version: {error}") from error
    return head.eval()
