"""The Encoder on the tiny random model: every script, empty and huge input, round trip through safetensors."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from photosearch.model import JointModel, ModelConfig, load_joint_model, load_model, save_model
from tests.conftest import TINY_CONFIG

TEXTS = ["a dog on the beach", "犬が浜辺を走る", "قطة سوداء على الأريكة", "🐶🏖️", "แมวนอนบนโซฟา",
         "Ein Hund am Strand", "x" * 10_000, "ÉCOLE  d'été", "狗 dog 犬"]


def test_texts_in_every_script_give_unit_vectors(tiny_encoder):
    vecs = tiny_encoder.encode_texts(TEXTS)
    assert vecs.shape == (len(TEXTS), tiny_encoder.dim) and vecs.dtype == np.float32
    assert np.isfinite(vecs).all()
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert len({tuple(np.round(v, 5)) for v in vecs}) == len(TEXTS)


def test_empty_inputs_do_not_crash(tiny_encoder):
    assert tiny_encoder.encode_texts([]).shape == (0, tiny_encoder.dim)
    assert tiny_encoder.encode_images([]).shape == (0, tiny_encoder.dim)
    assert tiny_encoder.encode_arrays([]).shape == (0, tiny_encoder.dim)
    vecs = tiny_encoder.encode_texts(["", "dog", "   "])
    assert not vecs[0].any() and not vecs[2].any()
    assert np.linalg.norm(vecs[1]) > 0.99


def test_text_vector_does_not_depend_on_its_batch(tiny_encoder):
    alone = tiny_encoder.encode_texts(["a red bicycle"])
    together = tiny_encoder.encode_texts(["something much longer about a dog and a cat", "a red bicycle", ""])
    np.testing.assert_allclose(alone[0], together[1], atol=1e-5)


def test_images_of_any_mode_and_size(tiny_encoder):
    images = [Image.new("RGB", (300, 120), "red"), Image.new("L", (20, 50), 128),
              Image.new("RGBA", (64, 64), (0, 0, 255, 0)), Image.new("P", (33, 33))]
    vecs = tiny_encoder.encode_images(images)
    assert vecs.shape == (4, tiny_encoder.dim)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_save_load_round_trip_is_exact_at_half_precision(tmp_path):
    torch.manual_seed(3)
    model = JointModel(ModelConfig(**TINY_CONFIG)).eval()
    save_model(model, tmp_path)
    loaded = load_joint_model(tmp_path)
    assert loaded.cfg == model.cfg
    for key, value in model.state_dict().items():
        expected = value.half().float() if value.is_floating_point() else value
        assert torch.equal(loaded.state_dict()[key], expected), key
    encoder = load_model(tmp_path, device="cpu")
    again = load_model(tmp_path, device="cpu")
    np.testing.assert_array_equal(encoder.encode_texts(TEXTS), again.encode_texts(TEXTS))


def _sentence_bag_model() -> JointModel:
    torch.manual_seed(5)
    return JointModel(ModelConfig(**{**TINY_CONFIG, "sentence_bag": True})).eval()


def test_sentence_bag_path_reads_every_ngram_of_the_text():
    from photosearch.model.text_encoder import batch_to_tensors
    from photosearch.model.tokenizer import Tokenizer

    model = _sentence_bag_model()
    tokenizer = Tokenizer(model.cfg.tokenizer_config())
    texts = ["a dog in the snow", "犬", ""]
    tokens = batch_to_tensors(tokenizer.encode(texts))
    with torch.no_grad():
        with_bag = model.text(tokens)
        # The path adds a projection of the mean of the text's n-gram rows; its manual value must match.
        grams = tokens["ngrams"][tokens["index"]].flatten(1)
        expected = model.text.sentence_bag(model.text.words.ngrams(grams))
        bag = model.text.sentence_bag
        model.text.sentence_bag = None
        without = model.text(tokens)
        model.text.sentence_bag = bag
    torch.testing.assert_close(with_bag[:2] - without[:2], expected[:2])
    assert not torch.allclose(with_bag[0], without[0])
    assert torch.count_nonzero(with_bag[2]) == 0  # the empty text still matches nothing


def test_sentence_bag_survives_save_and_load(tmp_path):
    model = _sentence_bag_model()
    save_model(model, tmp_path)
    loaded = load_joint_model(tmp_path)
    assert loaded.cfg.sentence_bag and loaded.text.sentence_bag is not None
    encoder = load_model(tmp_path, device="cpu")
    vecs = encoder.encode_texts(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1)[np.linalg.norm(vecs, axis=1) > 0], 1.0, atol=1e-5)


def test_focal_points_run_on_one_torch_thread_on_a_cpu(tiny_encoder):
    # Two OpenMP threads made a re-ranked photo take 0.4-0.9 s instead of 0.1 s whenever the CPU was shared.
    assert tiny_encoder._focus_thread.submit(torch.get_num_threads).result() == 1
