"""Backbone taps: the last blocks' outputs join the head's feature map, pooled and per region, and survive export."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from photosearch.model import JointModel, ModelConfig, load_joint_model, load_model, save_model
from photosearch.model.adapt import region_vectors
from photosearch.model.preprocess import images_to_tensor
from tests.conftest import TINY_CONFIG


def _model(taps: int) -> JointModel:
    torch.manual_seed(7)
    return JointModel(ModelConfig(**{**TINY_CONFIG, "image_tap_blocks": taps})).eval()


def _pixels(size: int) -> torch.Tensor:
    return images_to_tensor([Image.new("RGB", (90, 70), c) for c in ("red", "teal")], size)


def test_tapped_map_is_the_head_map_then_the_last_blocks_outputs():
    plain, tapped = _model(0), _model(2)
    tapped.image.backbone.load_state_dict(plain.image.backbone.state_dict())  # same weights, taps or not
    blocks = tapped.image.backbone._blocks
    # Lite0's last two blocks have 192 and 320 channels.
    assert tapped.image.backbone.out_channels == 1280 + 192 + 320
    assert tapped.image.projection.linear.in_features == tapped.image.backbone.out_channels
    pixels = _pixels(plain.cfg.image_size)
    with torch.no_grad():
        head = plain.image.backbone(pixels)
        both = tapped.image.backbone(pixels)
        x = pixels
        bb = tapped.image.backbone
        x = torch.nn.functional.relu6(bb._bn0(bb._conv_stem(x)))
        outs = []
        for block in blocks:
            x = block(x)
            outs.append(x)
    assert both.shape[1] == 1792 and both.shape[2:] == head.shape[2:]
    torch.testing.assert_close(both[:, :1280], head)
    torch.testing.assert_close(both[:, 1280:1472], outs[-2])
    torch.testing.assert_close(both[:, 1472:], outs[-1])


def test_tapped_model_encodes_exports_and_gives_regions(tmp_path):
    model = _model(2)
    save_model(model, tmp_path)
    loaded = load_joint_model(tmp_path)
    assert loaded.cfg.image_tap_blocks == 2
    encoder = load_model(tmp_path, device="cpu")
    images = [Image.new("RGB", (90, 70), c) for c in ("red", "teal")]
    vectors = encoder.encode_images(images)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    with torch.no_grad():
        fmap = loaded.image.backbone(_pixels(loaded.cfg.image_size))
        regions = region_vectors(loaded.image.projection, fmap)
    assert regions.shape == (2, fmap.shape[2] * fmap.shape[3], loaded.cfg.joint_dim)


def test_a_config_without_taps_loads_as_before():
    data = ModelConfig(**TINY_CONFIG).to_dict()
    del data["image_tap_blocks"]
    cfg = ModelConfig.from_dict(data)
    assert cfg.image_tap_blocks == 0
    assert JointModel(cfg).image.backbone.out_channels == 1280
