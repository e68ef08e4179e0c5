"""Readers for image-caption and parallel-text corpora: ../shared/data, Karpathy JSON, Multi30k raw text, lexicons."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from photosearch.model.tokenizer import split_units


@dataclass
class Caption:
    text: str
    lang: str
    source: str


@dataclass
class CaptionedImage:
    """One photo and every caption written for it, in any language."""

    image: str  # file name relative to the image folder
    split: str  # "train", "dev", "test", ...
    captions: list[Caption] = field(default_factory=list)


@dataclass
class ImageCorpus:
    name: str
    image_dir: Path
    images: list[CaptionedImage]

    def split(self, name: str) -> list[CaptionedImage]:
        return [im for im in self.images if im.split == name]


@dataclass(frozen=True)
class TextPair:
    """Two texts that mean the same thing (a translation, a lexicon entry, a class name)."""

    a: str
    b: str
    lang_a: str
    lang_b: str
    source: str


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _dedupe(captions: Iterable[Caption]) -> list[Caption]:
    # Multi30k repeats Flickr8k's English captions with slightly different spacing; keep one of each.
    seen: set[tuple[str, str]] = set()
    out = []
    for c in captions:
        key = (c.lang, " ".join(split_units(c.text)))
        if c.text and key not in seen:
            seen.add(key)
            out.append(c)
    return out


def read_shared_flickr8k(data: Path) -> ImageCorpus:
    """../shared/data/flickr8k: captions.jsonl (5 English captions plus Multi30k translations per photo)."""
    images = []
    with open(data / "flickr8k" / "captions.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            caps = [Caption(_clean(c["text"]), c["lang"], c["source"]) for c in row["captions"]]
            images.append(CaptionedImage(row["image"], row["split"], _dedupe(caps)))
    return ImageCorpus("flickr8k", data / "flickr8k" / "images", images)


def read_karpathy(json_path: Path, image_root: Path, lang: str = "en") -> ImageCorpus:
    """Karpathy's dataset_coco.json / dataset_flickr30k.json / dataset_flickr8k.json plus the image folder.

    COCO keeps photos in filepath sub-folders (train2014/, val2014/); "restval" counts as train.
    """
    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    images = []
    for row in data["images"]:
        name = f"{row['filepath']}/{row['filename']}" if row.get("filepath") else row["filename"]
        split = "train" if row["split"] in ("train", "restval") else ("dev" if row["split"] == "val" else row["split"])
        caps = [Caption(_clean(s.get("raw") or " ".join(s["tokens"])), lang, data.get("dataset", "karpathy"))
                for s in row["sentences"]]
        images.append(CaptionedImage(name, split, _dedupe(caps)))
    return ImageCorpus(data.get("dataset", Path(json_path).stem), Path(image_root), images)


def read_multi30k_raw(folder: Path, split: str = "train", langs: tuple[str, ...] = ("en", "de", "fr", "cs"),
                      image_list: Path | None = None, image_root: Path | None = None
                      ) -> tuple[list[TextPair], ImageCorpus | None]:
    """Multi30k raw text files (train.en, train.de, ...: line i of each is a translation of the others).

    Returns English-anchored translation pairs, and, when the split's image list (e.g.
    train_images.txt, one Flickr30k file name per line) and the image folder are given, an image
    corpus with every language's caption attached to its photo.
    """
    folder = Path(folder)
    lines: dict[str, list[str]] = {}
    for lang in langs:
        path = folder / f"{split}.{lang}"
        if path.is_file():
            lines[lang] = [_clean(x) for x in path.read_text(encoding="utf-8").splitlines()]
    if "en" not in lines:
        raise FileNotFoundError(f"{folder / (split + '.en')} is missing: Multi30k needs the English side")
    n = len(lines["en"])
    for lang, texts in lines.items():
        if len(texts) != n:
            raise ValueError(f"{split}.{lang} has {len(texts)} lines but {split}.en has {n}: not parallel")
    pairs = [TextPair(lines[lang][i], lines["en"][i], lang, "en", "multi30k")
             for lang in lines if lang != "en" for i in range(n) if lines[lang][i] and lines["en"][i]]
    corpus = None
    if image_list is not None:
        names = [x.strip() for x in Path(image_list).read_text(encoding="utf-8").splitlines()]
        if len(names) != n:
            raise ValueError(f"{image_list} lists {len(names)} images for {n} sentences")
        images = [CaptionedImage(name, "train" if split == "train" else split,
                                 _dedupe(Caption(lines[lang][i], lang, "multi30k") for lang in lines))
                  for i, name in enumerate(names)]
        corpus = ImageCorpus("multi30k", Path(image_root or folder), images)
    return pairs, corpus


def flickr_id(image_name: str) -> str:
    """'1000268201_693b08cb0e.jpg' -> '1000268201', the id Multi30k uses."""
    return image_name.split("_")[0].split(".")[0]


def read_parallel_task1(path: Path, langs: tuple[str, ...] = ("de", "fr", "cs"),
                        exclude_ids: frozenset[str] = frozenset()) -> list[TextPair]:
    """parallel/multi30k-task1.jsonl: each foreign sentence paired with its English original.

    `exclude_ids` drops the captions of evaluation photos (their translations are dev queries).
    """
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if str(row.get("flickr_id")) in exclude_ids:
                continue
            en = _clean(row.get("en") or "")
            for lang in langs:
                text = _clean(row.get(lang) or "")
                if en and text:
                    pairs.append(TextPair(text, en, lang, "en", "multi30k-task1"))
    return pairs


def read_parallel_task2(path: Path, exclude_ids: frozenset[str] = frozenset()) -> list[TextPair]:
    """parallel/multi30k-task2.jsonl: independent German and English descriptions of one photo (comparable)."""
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if str(row.get("flickr_id")) in exclude_ids:
                continue
            for de, en in zip(row.get("de", []), row.get("en", []), strict=False):
                if de and en:
                    pairs.append(TextPair(_clean(de), _clean(en), "de", "en", "multi30k-task2"))
    return pairs


def caption_vocabulary(texts: Iterable[str], min_count: int = 3) -> Counter[str]:
    counts: Counter[str] = Counter()
    for t in texts:
        counts.update(split_units(t))
    return Counter({w: c for w, c in counts.items() if c >= min_count})


def read_lexicon(path: Path, lang: str, english_vocab: Counter[str], max_words: int = 3,
                 per_english: int = 4) -> list[TextPair]:
    """A tab-separated lexicon (foreign, English), keeping short entries whose English side is caption vocabulary.

    The lexicons are domain-general and noisy (technical terms, abbreviations); entries whose every
    English word occurs in the training captions are the ones a photo search needs.
    """
    kept: dict[str, list[TextPair]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2:
                continue
            foreign, english = (_clean(p) for p in parts)
            foreign = re.sub(r"\s*[\(\[\{].*?[\)\]\}]\s*", " ", foreign).strip()
            english = re.sub(r"\s*[\(\[\{].*?[\)\]\}]\s*", " ", english).strip()
            f_units, e_units = split_units(foreign), split_units(english)
            if not f_units or not e_units or len(e_units) > max_words or len(foreign) > 24:
                continue
            if lang not in ("ja", "zh") and len(f_units) > max_words:
                continue
            if any(u not in english_vocab for u in e_units) or any(ch in foreign for ch in "…()[]{}"):
                continue
            key = " ".join(e_units)
            bucket = kept.setdefault(key, [])
            if len(bucket) < per_english and all(p.a != foreign for p in bucket):
                bucket.append(TextPair(foreign, english, lang, "en", f"lexicon-{lang}"))
    return [p for bucket in kept.values() for p in bucket]


@dataclass
class ImageNetName:
    image: str
    class_index: int
    names: dict[str, str]


def read_imagenet_names(data: Path) -> list[ImageNetName]:
    rows = []
    with open(data / "imagenet-sample" / "names.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            names = {k: _clean(v) for k, v in row["names"].items() if not k.endswith("-babel") and v}
            rows.append(ImageNetName(row["image"], row["class_index"], names))
    return rows


def imagenet_is_heldout(class_index: int) -> bool:
    """Half of the sample's classes are never used as training text, so their name retrieval stays held out."""
    return class_index % 4 == 2


def imagenet_name_pairs(rows: list[ImageNetName]) -> list[TextPair]:
    """Class names of the non-held-out classes, each language paired with English (text only, never the photos)."""
    pairs = []
    for row in rows:
        en = row.names.get("en")
        if not en or imagenet_is_heldout(row.class_index):
            continue
        for lang, name in row.names.items():
            if lang != "en" and name != en:
                pairs.append(TextPair(name, en, lang, "en", "imagenet-names"))
    return pairs


def read_xtd10(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        return [{k: _clean(v) for k, v in json.loads(line).items() if k != "coco_image"} for line in f]
