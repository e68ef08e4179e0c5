"""What a training step sees: the photos' cached features and captions, the parallel-text pools, and the sampler."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from training.config import DataConfig, TrainConfig
from training.datasets import (
    ImageCorpus,
    TextPair,
    caption_vocabulary,
    imagenet_name_pairs,
    read_cedict,
    read_cldr_annotations,
    read_framed_pt,
    read_imagenet_names,
    read_karpathy,
    read_lexicon,
    read_multi30k_raw,
    read_multiscript30k,
    read_nllb_sets,
    read_parallel_task1,
    read_parallel_task2,
    read_shared_flickr8k,
)
from training.metrics import add_noise, xtd200_dev_images

# Debian's unicode-cldr-core (see training/README.md for the apt line).
CLDR_ANNOTATIONS = Path("/usr/share/unicode/cldr/common/annotations")


@dataclass
class ImageCaptionSet:
    """Training photos as cached backbone features plus, per photo, its captions grouped by language."""

    features: torch.Tensor  # (N, V, 1280) float32
    captions: list[dict[str, list[str]]]


def _resolve(data: Path, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else data / path


def load_image_sets(dcfg: DataConfig, data: Path, cache: Path, backbone: str, image_size: int,
                    split: str = "train", tap_blocks: int = 0) -> ImageCaptionSet:
    from training.features import cache_path, ensure_cached

    corpora: list[ImageCorpus] = []
    if dcfg.shared_flickr8k:
        corpora.append(read_shared_flickr8k(data, dcfg.captions_more, dcfg.skip_captions))
    if dcfg.karpathy_json:
        corpora.append(read_karpathy(_resolve(data, dcfg.karpathy_json), _resolve(data, dcfg.karpathy_images)))
    if dcfg.multi30k_dir and dcfg.multi30k_images:
        folder = _resolve(data, dcfg.multi30k_dir)
        _, corpus = read_multi30k_raw(folder, "train", image_list=folder / "train_images.txt",
                                      image_root=_resolve(data, dcfg.multi30k_images))
        if corpus is not None:
            corpora.append(corpus)
    feats, captions = [], []
    for corpus in corpora:
        names = [im.image for im in corpus.images]
        cache_file = cache_path(cache, backbone, corpus.name, image_size, tap_blocks)
        cached = ensure_cached(corpus.image_dir, names, cache_file, backbone, views=tuple(dcfg.backbone_views),
                               image_size=image_size, tap_blocks=tap_blocks)
        keep = [i for i, im in enumerate(corpus.images) if im.split == split and im.captions]
        stacked = np.stack([cached[v][keep] for v in dcfg.backbone_views], axis=1)
        feats.append(torch.from_numpy(stacked.astype(np.float32)))
        for i in keep:
            by_lang: dict[str, list[str]] = defaultdict(list)
            for c in corpus.images[i].captions:
                by_lang[c.lang].append(c.text)
            captions.append(dict(by_lang))
    if not captions:
        raise SystemExit("no training images: check the [data] section and --data")
    return ImageCaptionSet(torch.cat(feats), captions)


def load_parallel(dcfg: DataConfig, data: Path, english_captions: list[str],
                  exclude_ids: frozenset[str] = frozenset()) -> dict[str, list[TextPair]]:
    """Parallel text grouped by source ("multi30k-task1", "lexicon-ja", "imagenet-names", ...)."""
    pools: dict[str, list[TextPair]] = defaultdict(list)
    par = data / "parallel"
    if dcfg.parallel_task1 and (par / "multi30k-task1.jsonl").is_file():
        pools["multi30k-task1"] = read_parallel_task1(par / "multi30k-task1.jsonl", exclude_ids=exclude_ids)
    if dcfg.parallel_task2 and (par / "multi30k-task2.jsonl").is_file():
        pools["multi30k-task2"] = read_parallel_task2(par / "multi30k-task2.jsonl", exclude_ids=exclude_ids)
    if dcfg.multi30k_dir:
        pairs, _ = read_multi30k_raw(_resolve(data, dcfg.multi30k_dir), "train")
        pools["multi30k-task1"].extend(pairs)
    if dcfg.lexicons:
        vocab = caption_vocabulary(english_captions, min_count=3)
        for lang in dcfg.lexicons:
            path = data / "lexicons" / f"{lang}-en.tsv"
            if path.is_file():
                pools[f"lexicon-{lang}"] = read_lexicon(path, lang, vocab)
    if dcfg.imagenet_names and (data / "imagenet-sample" / "names.jsonl").is_file():
        pools["imagenet-names"] = imagenet_name_pairs(read_imagenet_names(data))
    if dcfg.parallel_multiscript and (par / "multiscript30k.jsonl").is_file():
        pools["multiscript30k"] = read_multiscript30k(par / "multiscript30k.jsonl", exclude_ids)
    if dcfg.parallel_framed_pt and (par / "framed-multi30k-pt.jsonl").is_file():
        pools["framed-pt"] = read_framed_pt(par / "framed-multi30k-pt.jsonl", par / "multi30k-task2.jsonl",
                                            exclude_ids)
    if dcfg.parallel_nllb_flickr and (par / "nllb-flickr30k-200.jsonl").is_file():
        # Only the photos of our train split: the others may be photos an independent evaluation keeps back.
        pools["nllb-flickr"] = read_nllb_sets(par / "nllb-flickr30k-200.jsonl", "nllb-flickr",
                                              lambda row: row.get("split") == "train")
    if dcfg.parallel_nllb_xtd and (par / "nllb-xtd200.jsonl").is_file():
        held_out = xtd200_dev_images(par / "nllb-xtd200.jsonl")
        pools["nllb-xtd"] = read_nllb_sets(par / "nllb-xtd200.jsonl", "nllb-xtd",
                                           lambda row: row["coco_image"] not in held_out)
    if dcfg.cldr_annotations and CLDR_ANNOTATIONS.is_dir():
        pools["cldr"] = read_cldr_annotations(CLDR_ANNOTATIONS)
    if dcfg.cedict:
        pools["cedict"] = read_cedict(caption_vocabulary(english_captions, min_count=3))
    return {k: v for k, v in pools.items() if v}


class Sampler:
    """Draws the texts and features of one step; its own RNG so a resumed run draws the same batches."""

    def __init__(self, images: ImageCaptionSet, parallel: dict[str, list[TextPair]], tcfg: TrainConfig,
                 seed: int) -> None:
        self.images, self.parallel, self.tcfg = images, parallel, tcfg
        self.rng = random.Random(seed)
        self.order: list[int] = []
        sources = [s for s in tcfg.parallel_weights if s in parallel and tcfg.parallel_weights[s] > 0]
        self.sources = sources
        self.source_weights = [tcfg.parallel_weights[s] for s in sources]

    def _next_images(self, n: int) -> list[int]:
        # Epochs over the photos without replacement: every photo is seen once per epoch.
        out = []
        while len(out) < n:
            if not self.order:
                self.order = list(range(len(self.images.captions)))
                self.rng.shuffle(self.order)
            idx = self.order.pop()
            if idx not in out:
                out.append(idx)
        return out

    def image_batch(self) -> tuple[list[str], torch.Tensor]:
        idx = self._next_images(min(self.tcfg.batch_size, len(self.images.captions)))
        texts = []
        for i in idx:
            by_lang = self.images.captions[i]
            langs = list(by_lang)
            weights = [self.tcfg.lang_weights.get(lang, self.tcfg.other_lang_weight) for lang in langs]
            lang = self.rng.choices(langs, weights)[0]
            text = self.rng.choice(by_lang[lang])
            if self.tcfg.char_noise and self.rng.random() < self.tcfg.char_noise:
                text = add_noise(text, 0.10, self.rng)
            texts.append(text)
        views = torch.tensor([self.rng.randrange(self.images.features.shape[1]) for _ in idx])
        feats = self.images.features[torch.tensor(idx), views]
        return texts, feats

    def parallel_batch(self) -> list[TextPair]:
        if not self.sources or self.tcfg.parallel_batch <= 0:
            return []
        out = []
        for _ in range(self.tcfg.parallel_batch):
            source = self.rng.choices(self.sources, self.source_weights)[0]
            out.append(self.rng.choice(self.parallel[source]))
        return out

    def state(self) -> dict:
        return {"rng": self.rng.getstate(), "order": list(self.order)}

    def load_state(self, state: dict) -> None:
        rng = state["rng"]
        self.rng.setstate((rng[0], tuple(rng[1]), rng[2]))
        self.order = list(state["order"])
