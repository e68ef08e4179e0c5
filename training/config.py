"""A training run's configuration: the [model], [train] and [data] sections of its TOML file.

A file may start with `base = "other.toml"` (relative to itself): it then states only what differs, section
by section, key by key; everything else comes from the base, and the base may have a base of its own.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from photosearch.model.config import ModelConfig

SECTIONS = ("model", "train", "data")


@dataclass
class TrainConfig:
    """The [train] section of a run's TOML file."""

    steps: int = 3000
    batch_size: int = 256  # image-caption pairs per step (distinct photos)
    parallel_batch: int = 128  # text pairs per step for cross-language alignment (CLMR)
    lr: float = 2e-3
    weight_decay: float = 1e-4
    warmup: int = 200
    loss: str = "infonce"  # "infonce", "jwe" or "both"
    margin: float = 0.2
    beta: float = 0.999  # J_WE: k = 1 - beta^step
    jwe_weight: float = 1.0  # the weight of J_WE when loss = "both"; J_WE sums over the batch, InfoNCE averages
    clmr_weight: float = 1.0
    embedding_init_std: float = 0.05
    image_dropout: float = 0.0  # dropout on the standardised pooled image features (training only)
    # share of captions that get about 10% of their characters deleted or replaced, as a hurried typist would
    char_noise: float = 0.0
    init_scale: float = 14.0  # initial logit scale (inverse temperature) of InfoNCE
    max_scale: float = 100.0
    # probability of each caption language when a photo has captions in it (re-normalised per photo)
    lang_weights: dict[str, float] = field(default_factory=lambda: {"en": 0.55, "de": 0.2, "fr": 0.12, "cs": 0.13})
    # sampling weight of each parallel-text source (sources absent from the data are skipped)
    parallel_weights: dict[str, float] = field(default_factory=lambda: {
        "multi30k-task1": 0.55, "multi30k-task2": 0.1, "lexicon-de": 0.05, "lexicon-ja": 0.08, "lexicon-pt": 0.03,
        "lexicon-fr": 0.03, "imagenet-names": 0.15})
    teacher_weight: float = 0.0  # relational distillation from multilingual-e5-small; 0 = off
    teacher_batch: int = 192
    teacher_pool: int = 12000  # texts whose teacher embeddings are cached
    # Teacher vocabulary (training/vocabulary.py): E5's word pieces of many scripts, mapped into our space by a
    # linear map fitted at `vocab_from_step` on English texts, become targets for the text encoder. 0 = off.
    vocab_weight: float = 0.0
    vocab_from_step: int = 600
    vocab_batch: int = 256
    eval_every: int = 500
    log_every: int = 50
    seed: int = 0
    num_threads: int = 0  # 0 = torch's default
    # Start from exported weights (a folder with model.safetensors + config.json, e.g. an earlier run's export)
    # instead of random tables: a run that adds languages to a trained model needs far fewer steps.
    init_from: str = ""
    # The weight of a caption language that `lang_weights` does not name (e.g. the ~200 NLLB languages of a
    # few photos): small, so that a photo with 200 translations is still mostly described in its main languages.
    other_lang_weight: float = 0.05


@dataclass
class DataConfig:
    """The [data] section: which corpora to read. Paths are relative to --data unless absolute."""

    shared_flickr8k: bool = True
    karpathy_json: str = ""  # e.g. /data/coco/dataset_coco.json
    karpathy_images: str = ""  # the folder the json's file names are relative to
    multi30k_dir: str = ""  # a folder with train.en/train.de/...; optional train_images.txt + images folder
    multi30k_images: str = ""
    parallel_task1: bool = True
    parallel_task2: bool = True
    lexicons: tuple[str, ...] = ("de", "ja", "pt", "fr")
    imagenet_names: bool = True
    backbone_views: tuple[str, ...] = ("center", "flip")
    # flickr8k/captions-more.jsonl: zh (Flickr8k-CN) and pt (Framed Multi30k) written by people, machine
    # translations in es/uk/zh/ar/..., ~200 NLLB languages for a few photos. `skip_captions` leaves out a
    # source ("nllb-flickr30k-200") or one language of it ("multiscript30k-mt/zh": people wrote zh captions).
    captions_more: bool = False
    skip_captions: tuple[str, ...] = ()
    # More parallel text (see ../shared/data/README.md): MultiScript30k (pt by people, the rest by machine),
    # Framed Multi30k's Portuguese against Multi30k task 2's English (comparable), NLLB's ~200 languages of
    # Flickr30k test captions and of the XTD sets that are not held out (training/metrics.py: xtd200_dev_ids).
    parallel_multiscript: bool = False
    parallel_framed_pt: bool = False
    parallel_nllb_flickr: bool = False
    parallel_nllb_xtd: bool = False
    # Packaged word lists (the `train` extra / apt, see training/README): CLDR emoji annotations in ~147
    # locales (pairs by code point) and CC-CEDICT's zh-en entries.
    cldr_annotations: bool = False
    cedict: bool = False


def resolved_toml(path: Path, _seen: tuple[Path, ...] = ()) -> dict[str, dict[str, Any]]:
    """The file's sections with its chain of bases merged in (the file's own keys win)."""
    path = Path(path).resolve()
    if path in _seen:
        raise SystemExit(f"{path}: the chain of base configs runs in a circle: {[str(p) for p in _seen]}")
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(raw) - {*SECTIONS, "base"}
    if unknown:
        raise SystemExit(f"{path}: unknown sections {sorted(unknown)}")
    merged: dict[str, dict[str, Any]] = {s: {} for s in SECTIONS}
    if "base" in raw:
        merged = resolved_toml(path.parent / raw["base"], (*_seen, path))
    for section in SECTIONS:
        merged[section] = {**merged[section], **raw.get(section, {})}
    return merged


def load_toml(path: Path) -> tuple[ModelConfig, TrainConfig, DataConfig]:
    """The three sections of a run's TOML file (after its bases), checked for unknown keys."""
    raw = resolved_toml(path)
    model = ModelConfig.from_dict(raw["model"])

    def build(cls, section):
        values = raw[section]
        names = {f.name for f in dataclasses.fields(cls)}
        bad = set(values) - names
        if bad:
            raise SystemExit(f"{path}: unknown keys in [{section}]: {sorted(bad)}")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        return cls(**values)

    return model, build(TrainConfig, "train"), build(DataConfig, "data")
