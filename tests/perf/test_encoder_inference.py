"""The inference fast paths give the answers of the plain network: folded BatchNorm, channels-last, text thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from PIL import Image, ImageDraw

from photosearch.model import load_joint_model, load_model
from photosearch.model.inference import fold_batchnorm

TEXTS = ["a dog on the beach", "ein Hund im Schnee", "雪の中の家", "собака", "", "beach dog people sunset red"]


def pictures(count: int) -> list[Image.Image]:
    out = []
    for i in range(count):
        image = Image.new("RGB", (90 + 7 * i, 70), (30 * i % 256, 90, 200 - 20 * i % 200))
        ImageDraw.Draw(image).ellipse((5 + i, 5, 60, 40 + i), fill=(250, 200 - 10 * i, 40))
        out.append(image)
    return out


def plain_image_vectors(model_dir, images: list[Image.Image]) -> np.ndarray:
    """The network as trained: BatchNorm layers, NCHW tensors, no Encoder."""
    from photosearch.model.preprocess import images_to_tensor

    model = load_joint_model(model_dir)
    with torch.inference_mode():
        return model.encode_image(images_to_tensor(images, model.cfg.image_size)).numpy()


def test_folded_channels_last_encoder_matches_the_plain_network(tiny_model_dir):
    images = pictures(5)
    expected = plain_image_vectors(tiny_model_dir, images)
    encoder = load_model(tiny_model_dir, device="cpu")
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in encoder.model.image.modules())
    np.testing.assert_allclose(encoder.encode_images(images), expected, atol=1e-5)
    # The photos must differ, or matching vectors would prove nothing.
    assert float(np.abs(expected[0] - expected[1]).max()) > 1e-3


def test_folding_twice_changes_nothing(tiny_model_dir):
    model = fold_batchnorm(load_joint_model(tiny_model_dir))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    fold_batchnorm(model)
    after = model.state_dict()
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_encode_arrays_takes_a_list_or_a_stacked_array(tiny_encoder):
    arrays = [tiny_encoder.preprocess(im) for im in pictures(3)]
    np.testing.assert_allclose(tiny_encoder.encode_arrays(arrays), tiny_encoder.encode_arrays(np.stack(arrays)),
                               atol=1e-6)


def test_texts_encode_the_same_on_the_single_thread_path_and_in_big_batches(tiny_encoder):
    one_by_one = np.concatenate([tiny_encoder.encode_texts([t]) for t in TEXTS])
    many = TEXTS * 4  # more than the single-thread path takes: the caller's thread, all cores
    batched = tiny_encoder.encode_texts(many)[: len(TEXTS)]
    np.testing.assert_allclose(one_by_one, batched, atol=1e-5)
    assert not one_by_one[TEXTS.index("")].any()


def test_loading_a_model_leaves_the_process_thread_count_alone(tiny_model_dir):
    before = torch.get_num_threads()
    load_model(tiny_model_dir, device="cpu")
    assert torch.get_num_threads() == before
    seen = []
    thread = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    thread.start()
    thread.join()
    assert seen == [before]


def test_text_and_image_calls_from_many_threads_give_the_sequential_answers(tiny_encoder):
    rounds = 3
    images = pictures(4)
    want_images = tiny_encoder.encode_images(images)
    want_texts = {t: tiny_encoder.encode_texts([t])[0] for t in TEXTS}

    def image_job(_):
        return tiny_encoder.encode_images(images)

    def text_job(text):
        return text, tiny_encoder.encode_texts([text])[0]

    with ThreadPoolExecutor(6) as pool:
        image_runs = [pool.submit(image_job, i) for i in range(rounds)]
        text_runs = [pool.submit(text_job, t) for t in TEXTS * rounds]
        for run in image_runs:
            np.testing.assert_allclose(run.result(), want_images, atol=1e-5)
        for run in text_runs:
            text, vector = run.result()
            np.testing.assert_allclose(vector, want_texts[text], atol=1e-5)


def test_more_images_than_one_forward_pass_takes_come_back_in_order(tiny_model_dir):
    encoder = load_model(tiny_model_dir, device="cpu")
    images = pictures(7)
    one_by_one = np.concatenate([encoder.encode_images([im]) for im in images])
    encoder.image_batch = 3  # 7 images: passes of 3, 3 and 1
    np.testing.assert_allclose(encoder.encode_arrays([encoder.preprocess(im) for im in images]), one_by_one,
                               atol=1e-5)


def test_preprocessed_photos_are_bytes_and_embed_as_the_float_input_does(tiny_encoder):
    # The indexer keeps photos decoded ahead of the model: as uint8 they take a quarter of the memory.
    from photosearch.model.preprocess import image_to_array

    images = pictures(2)
    pixels = [tiny_encoder.preprocess(im) for im in images]
    assert all(p.dtype == np.uint8 and p.shape == (3, tiny_encoder.image_size, tiny_encoder.image_size)
               for p in pixels)
    floats = [image_to_array(im, tiny_encoder.image_size) for im in images]
    np.testing.assert_allclose(tiny_encoder.encode_arrays(pixels), tiny_encoder.encode_arrays(floats), atol=1e-5)
    assert not np.allclose(tiny_encoder.encode_arrays(pixels)[0], tiny_encoder.encode_arrays(pixels)[1])
