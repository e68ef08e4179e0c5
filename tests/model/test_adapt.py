"""The ADAPT head: shapes for any region count, identity filter at init, attention, storage, Encoder.focus."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch
from PIL import Image

from photosearch.model.adapt import (
    ADAPT_CONFIG,
    ADAPT_WEIGHTS,
    AdaptConfig,
    AdaptHead,
    AdaptUnavailable,
    file_sha256,
    load_adapt,
    region_vectors,
    save_adapt,
)
from photosearch.model.preprocess import scale_pixels


def _head(dim: int = 16, seed: int = 0, trained: bool = True) -> AdaptHead:
    torch.manual_seed(seed)
    head = AdaptHead(AdaptConfig(joint_dim=dim))
    if trained:  # random non-zero parameters, as after training
        with torch.no_grad():
            for p in head.parameters():
                p.add_(0.3 * torch.randn_like(p))
    return head.eval()


@pytest.mark.parametrize("regions", [1, 4, 81, 243])
def test_scores_and_attention_have_the_right_shapes_for_any_region_count(regions):
    head = _head()
    out = head(torch.randn(3, 16), torch.randn(5, regions, 16))
    assert out.scores.shape == (3, 5)
    assert out.attention.shape == (3, 5, regions)
    assert torch.allclose(out.attention.sum(-1), torch.ones(3, 5), atol=1e-5)
    assert (out.scores.abs() <= 1 + 1e-5).all()


def test_candidates_per_query_score_as_the_all_pairs_form():
    head = _head()
    queries, regions = torch.randn(4, 16), torch.randn(6, 9, 16)
    every = head(queries, regions)
    picks = torch.tensor([[0, 3], [5, 1], [2, 2], [4, 0]])
    own = head(queries, regions[picks])
    assert torch.allclose(own.scores, torch.gather(every.scores, 1, picks), atol=1e-5)


def test_a_tau_floor_makes_attention_follow_the_query_from_the_start():
    head = _head(trained=False)
    head.cfg = AdaptConfig(joint_dim=16, min_tau=8.0)
    query = torch.nn.functional.normalize(torch.randn(1, 16), dim=-1)
    regions = torch.randn(1, 5, 16)
    regions[0, 3] = 4 * query[0]  # one region looks like the query
    with torch.no_grad():
        attention = head(query, regions).attention[0, 0]
    assert int(attention.argmax()) == 3 and float(attention[3]) > 0.9


def test_the_filter_is_the_identity_at_init():
    head = _head(trained=False)
    scale, shift = head.filters(torch.nn.functional.normalize(torch.randn(7, 16), dim=-1))
    assert torch.equal(scale, torch.ones(7, 16)) and torch.equal(shift, torch.zeros(7, 16))


def test_an_untrained_head_attends_uniformly_and_gives_the_global_cosine(tiny_encoder):
    # Regions go through the model's own (linear) projection, so their mean is the pooled photo's vector.
    model = tiny_encoder.model
    head = _head(dim=model.cfg.joint_dim, trained=False)
    pixels = scale_pixels(torch.from_numpy(np.stack([tiny_encoder.preprocess(Image.new("RGB", (80, 80), c))
                                                     for c in ("red", "navy")])))
    with torch.no_grad():
        fmap = model.image.backbone(pixels)
        regions = region_vectors(model.image.projection, fmap)
        global_vectors = model.encode_image(pixels)
        query = torch.nn.functional.normalize(torch.randn(1, model.cfg.joint_dim), dim=-1)
        out = head(query, regions)
    assert torch.allclose(out.attention, torch.full_like(out.attention, 1 / regions.shape[1]), atol=1e-5)
    assert torch.allclose(out.scores[0], (global_vectors @ query.T)[:, 0], atol=1e-4)


def test_the_mixed_score_lies_between_the_global_and_the_adapt_score():
    head = _head()
    with torch.no_grad():
        mixed = head.combine(torch.tensor([0.2]), torch.tensor([0.6]))
    assert 0.2 < float(mixed) < 0.6
    assert float(mixed) == pytest.approx(0.2 + head.mix * 0.4)


def test_save_and_load_round_trip(tmp_path):
    head = _head()
    head.cfg = AdaptConfig(joint_dim=16, min_tau=2.5)
    save_adapt(head, tmp_path)
    assert (tmp_path / ADAPT_WEIGHTS).stat().st_size < 1_000_000
    loaded = load_adapt(tmp_path)
    queries, regions = torch.randn(2, 16), torch.randn(3, 9, 16)
    assert torch.allclose(head(queries, regions).scores, loaded(queries, regions).scores, atol=2e-3)
    assert loaded.mix == pytest.approx(head.mix, abs=1e-3)
    assert loaded.cfg.min_tau == 2.5


def test_missing_head_is_reported_clearly(tmp_path):
    with pytest.raises(AdaptUnavailable, match="no ADAPT head"):
        load_adapt(tmp_path)


def test_a_head_trained_for_other_weights_is_refused(tmp_path, tiny_model_dir):
    shutil.copytree(tiny_model_dir, tmp_path / "m")
    head = _head()
    head.cfg = AdaptConfig(joint_dim=16, model_sha256="0" * 64)
    save_adapt(head, tmp_path / "m")
    with pytest.raises(AdaptUnavailable, match="other model weights"):
        load_adapt(tmp_path / "m")


def test_encoder_without_a_head_says_so(tiny_encoder):
    assert not tiny_encoder.has_adapt
    with pytest.raises(AdaptUnavailable):
        tiny_encoder.focus(np.ones(tiny_encoder.dim, np.float32), [])


def test_encoder_focus_maps_the_whole_photo(tmp_path, tiny_model_dir):
    from photosearch.model import load_model

    directory = tmp_path / "m"
    shutil.copytree(tiny_model_dir, directory)
    head = _head(dim=32)
    head.cfg = AdaptConfig(joint_dim=32, model_sha256=file_sha256(directory / "model.safetensors"))
    save_adapt(head, directory)
    assert (directory / ADAPT_CONFIG).is_file()
    encoder = load_model(directory, device="cpu")
    assert encoder.has_adapt
    wide = encoder.preprocess_whole(Image.new("RGB", (256, 128), "green"))
    assert wide.shape == (3, 64, 128)  # shorter side at the model's input size, nothing cropped
    (focus,) = encoder.focus(encoder.encode_texts(["green"])[0], [wide])
    assert focus.attention.shape == (2, 4)
    assert focus.attention.sum() == pytest.approx(1.0, abs=1e-4)
    assert -1.0 <= focus.score <= 1.0
