"""J_WE, InfoNCE and relational distillation on hand-made similarity matrices."""

from __future__ import annotations

import pytest
import torch

from training.losses import (
    hinge_costs,
    info_nce,
    relational_distillation,
    we_weight,
    weighted_ranking_loss,
)

SIM = torch.tensor([[0.9, 0.5, 0.1],
                    [0.8, 0.6, 0.2],
                    [0.0, 0.7, 0.3]])
MARGIN = 0.2


def hinges_by_hand():
    """Every hinge written out: image i vs text j (rows), text j vs image i (columns)."""
    ab, ba = {}, {}
    for i in range(3):
        for j in range(3):
            if i != j:
                ab[i, j] = max(0.0, MARGIN + SIM[i, j].item() - SIM[i, i].item())
                ba[i, j] = max(0.0, MARGIN + SIM[i, j].item() - SIM[j, j].item())
    return ab, ba


def test_k0_is_the_sum_of_all_hinges():
    ab, ba = hinges_by_hand()
    got = weighted_ranking_loss(SIM, k=0.0, margin=MARGIN).item()
    assert got == pytest.approx(sum(ab.values()) + sum(ba.values()), abs=1e-6)


def test_k1_is_the_max_violation_hinge():
    ab, ba = hinges_by_hand()
    hardest_ab = sum(max(ab[i, j] for j in range(3) if j != i) for i in range(3))
    hardest_ba = sum(max(ba[i, j] for i in range(3) if i != j) for j in range(3))
    got = weighted_ranking_loss(SIM, k=1.0, margin=MARGIN).item()
    assert got == pytest.approx(hardest_ab + hardest_ba, abs=1e-6)


def test_intermediate_k_mixes_linearly():
    k = 0.3
    mix = (1 - k) * weighted_ranking_loss(SIM, 0.0, MARGIN) + k * weighted_ranking_loss(SIM, 1.0, MARGIN)
    assert weighted_ranking_loss(SIM, k, MARGIN).item() == pytest.approx(mix.item(), abs=1e-6)


def test_positives_and_ignored_pairs_cost_nothing():
    ignore = torch.zeros(3, 3, dtype=torch.bool)
    ignore[1, 0] = True
    ab, ba = hinge_costs(SIM, MARGIN, ignore)
    assert ab.diagonal().abs().sum() == 0 and ba.diagonal().abs().sum() == 0
    assert ab[1, 0] == 0 and ba[1, 0] == 0
    assert ab[2, 1] > 0


def test_k_schedule_grows_from_zero_to_one():
    assert we_weight(0, 0.999) == 0.0
    assert we_weight(1000, 0.999) == pytest.approx(1 - 0.999**1000)
    assert 0.99 < we_weight(10_000, 0.999) < 1.0


def test_info_nce_prefers_the_diagonal():
    good = torch.eye(4) * 0.9
    bad = 0.9 - good
    assert info_nce(good, 10.0) < info_nce(bad, 10.0)
    assert info_nce(good, 10.0).item() == pytest.approx(
        torch.nn.functional.cross_entropy(good * 10, torch.arange(4)).item(), abs=1e-6)


def test_relational_distillation_is_zero_when_relations_match():
    torch.manual_seed(0)
    x = torch.nn.functional.normalize(torch.randn(6, 8), dim=1)
    same = relational_distillation(x, x, student_scale=20.0, teacher_scale=20.0)
    other = relational_distillation(x, torch.nn.functional.normalize(torch.randn(6, 5), dim=1), 20.0, 20.0)
    assert same.item() == pytest.approx(0.0, abs=1e-6)
    assert other.item() > 0.01
