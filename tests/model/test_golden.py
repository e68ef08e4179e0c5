"""Golden values of the shipped weights: fixed strings and a drawn photo must keep encoding to the stored vectors.

Catches an accidental change of the tokenizer, the preprocessing or the architecture. After shipping new
weights on purpose, regenerate the values with: python tests/model/test_golden.py --write
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

GOLDEN = Path(__file__).with_name("golden.json")
WEIGHTS = Path(__file__).resolve().parents[2] / "resources" / "model"
TEXTS = ["a dog running on the beach", "zwei Kinder spielen im Schnee", "犬が浜辺を走る", "🐶", "",
         "un homme fait du vélo", "Кошка спит на диване"]
DIMS = 24  # leading dimensions stored per vector: enough to catch any change, small enough to read


def drawn_photo():
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), (40, 120, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 140, 320, 200), fill=(230, 210, 150))
    draw.ellipse((200, 20, 260, 80), fill=(250, 240, 80))
    draw.polygon([(40, 140), (90, 60), (140, 140)], fill=(90, 90, 90))
    return image


def weights_digest() -> str:
    return hashlib.sha256((WEIGHTS / "model.safetensors").read_bytes()).hexdigest()


def current_values() -> dict:
    from photosearch.model import load_model
    from photosearch.model.preprocess import image_to_array

    encoder = load_model(WEIGHTS, device="cpu")
    return {
        "weights_sha256": weights_digest(),
        "texts": TEXTS,
        "text_vectors": np.round(encoder.encode_texts(TEXTS)[:, :DIMS], 5).tolist(),
        "image_vector": np.round(encoder.encode_images([drawn_photo()])[0, :DIMS], 5).tolist(),
        "preprocessed_mean": round(float(image_to_array(drawn_photo(), encoder.image_size).mean()), 5),
    }


@pytest.mark.skipif(not (WEIGHTS / "model.safetensors").is_file(), reason="no shipped weights in resources/model")
def test_shipped_weights_encode_to_the_golden_values():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert golden["weights_sha256"] == weights_digest(), (
        "resources/model/model.safetensors changed: if on purpose, run python tests/model/test_golden.py --write")
    now = current_values()
    assert now["texts"] == golden["texts"]
    np.testing.assert_allclose(now["text_vectors"], golden["text_vectors"], atol=2e-3)
    np.testing.assert_allclose(now["image_vector"], golden["image_vector"], atol=2e-3)
    assert now["preprocessed_mean"] == pytest.approx(golden["preprocessed_mean"], abs=1e-4)


if __name__ == "__main__":
    if "--write" not in sys.argv:
        raise SystemExit("usage: python tests/model/test_golden.py --write")
    GOLDEN.write_text(json.dumps(current_values(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
