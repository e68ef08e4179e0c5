"""One real training run on the CPU: tiny model, drawn photos, three scripts; train, export, load, encode."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from photosearch.model import load_model
from tests.training.tiny_corpus import SCENES, tiny_toml
from training.export import export
from training.train import train


@pytest.mark.slow
def test_train_export_load_encode(tmp_path, tiny_data):
    config = tmp_path / "tiny.toml"
    config.write_text(tiny_toml(steps=40), encoding="utf-8")
    run = tmp_path / "run"
    summary = train(config, tiny_data, run, tmp_path / "cache", device_name="cpu", quiet=True)

    losses = [h["img"] for h in summary["history"] if "img" in h]
    assert len(losses) >= 4
    assert losses[-1] < 0.7 * losses[0], losses
    assert "en.t2i.R@10" in summary["best"]["metrics"]  # the end-of-run dev benchmark ran (2 dev photos: R@10 is 100)
    assert (run / "checkpoint.pt").is_file()

    target = tmp_path / "export"
    export(run, target)
    encoder = load_model(target, device="cpu")
    texts = ["a red ball on green grass", "ein blaues Auto", "浜辺を走る二匹の犬", ""]
    vecs = encoder.encode_texts(texts)
    assert vecs.shape == (4, encoder.dim) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs[:3], axis=1), 1.0, atol=1e-4)
    assert not vecs[3].any()
    photos = [Image.open(p) for p in sorted((tiny_data / "flickr8k" / "images").iterdir())[:3]]
    image_vecs = encoder.encode_images(photos)
    assert image_vecs.shape == (3, encoder.dim)
    np.testing.assert_allclose(np.linalg.norm(image_vecs, axis=1), 1.0, atol=1e-4)

    # It learned something: each of the 6 training captions finds its photo among its best 2 of the 6 photos far
    # more often than chance (2/6). Measured: 6 of 6 (every true photo ranked first or second); at most 2 misses.
    train_photos = [Image.open(p) for p in sorted((tiny_data / "flickr8k" / "images").iterdir())[:6]]
    sims = encoder.encode_texts([en for en, _, _ in SCENES[:6]]) @ encoder.encode_images(train_photos).T
    found = sum(int((sims[i] > sims[i, i]).sum()) < 2 for i in range(6))
    assert found >= 4, sims.round(3)


def test_resume_continues_from_checkpoint(tmp_path, tiny_data):
    config = tmp_path / "tiny.toml"
    config.write_text(tiny_toml(steps=10), encoding="utf-8")
    run = tmp_path / "run"
    train(config, tiny_data, run, tmp_path / "cache", device_name="cpu", quiet=True)
    summary = train(config, tiny_data, run, tmp_path / "cache", max_steps=15, device_name="cpu", quiet=True)
    steps = [h["step"] for h in summary["history"] if "img" in h]
    assert steps == [5, 10, 15]


def test_distributed_code_path_with_one_gloo_process(tmp_path, tiny_data, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for key, value in {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "RANK": "0", "LOCAL_RANK": "0",
                       "WORLD_SIZE": "1"}.items():
        monkeypatch.setenv(key, value)
    config = tmp_path / "tiny.toml"
    config.write_text(tiny_toml(steps=5, loss="both"), encoding="utf-8")
    summary = train(config, tiny_data, tmp_path / "run", tmp_path / "cache", device_name="cpu", quiet=True)
    assert summary["world_size"] == 1 and summary["steps"] == 5


def test_training_with_backbone_taps_caches_and_exports_the_wider_features(tmp_path, tiny_data):
    from training.features import cache_path

    config = tmp_path / "taps.toml"
    config.write_text(tiny_toml(steps=6, image_tap_blocks=2), encoding="utf-8")
    train(config, tiny_data, tmp_path / "run", tmp_path / "cache", device_name="cpu", quiet=True)
    tapped = np.load(cache_path(tmp_path / "cache", "efficientnet-lite0", "flickr8k", 64, tap_blocks=2))
    assert tapped["center"].shape[1] == 1280 + 192 + 320  # Lite0's last two blocks
    assert not cache_path(tmp_path / "cache", "efficientnet-lite0", "flickr8k", 64).exists()
    export(tmp_path / "run", tmp_path / "export")
    encoder = load_model(tmp_path / "export", device="cpu")
    assert encoder.model.cfg.image_tap_blocks == 2
    photo = Image.open(sorted((tiny_data / "flickr8k" / "images").iterdir())[0])
    np.testing.assert_allclose(np.linalg.norm(encoder.encode_images([photo]), axis=1), 1.0, atol=1e-4)
