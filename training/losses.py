"""Training objectives: the exponentially weighted ranking loss J_WE, symmetric InfoNCE, relational distillation."""

from __future__ import annotations

import torch
from torch.nn import functional as F


def hinge_costs(sim: torch.Tensor, margin: float, ignore: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """Hinge costs of every negative in both directions for a square similarity matrix (positives on the diagonal).

    sim[i, j] compares query-side item i (e.g. image i) with key-side item j (text j).
    Returns (cost_ab, cost_ba): cost_ab[i, j] = max(0, margin + sim[i, j] - sim[i, i]) ranks the keys
    for query i; cost_ba[i, j] = max(0, margin + sim[i, j] - sim[j, j]) ranks the queries for key j.
    Positives and the entries in `ignore` (true duplicates) cost nothing.
    """
    diag = sim.diagonal()
    mask = torch.eye(sim.shape[0], dtype=torch.bool, device=sim.device)
    if ignore is not None:
        mask = mask | ignore
    cost_ab = (margin + sim - diag[:, None]).clamp(min=0).masked_fill(mask, 0.0)
    cost_ba = (margin + sim - diag[None, :]).clamp(min=0).masked_fill(mask, 0.0)
    return cost_ab, cost_ba


def weighted_ranking_loss(sim: torch.Tensor, k: float, margin: float = 0.2,
                          ignore: torch.Tensor | None = None) -> torch.Tensor:
    """J_WE = (1 - k) * sum of the hinge over all negatives + k * sum over queries of the max-violating hinge.

    Both directions are summed. k = 0 is the classic sum-of-hinges loss (Kiros et al.), k = 1 the
    max-violation loss (VSE++); `we_weight` schedules k from 0 towards 1 during training.
    """
    cost_ab, cost_ba = hinge_costs(sim, margin, ignore)
    total = cost_ab.sum() + cost_ba.sum()
    hardest = cost_ab.amax(dim=1).sum() + cost_ba.amax(dim=0).sum()
    return (1.0 - k) * total + k * hardest


def we_weight(step: int, beta: float) -> float:
    """k = 1 - beta^t: all negatives early (stable gradients), the hardest ones later."""
    return 1.0 - beta ** step


def info_nce(sim: torch.Tensor, scale: torch.Tensor | float, ignore: torch.Tensor | None = None) -> torch.Tensor:
    """Symmetric cross-entropy over the rows and columns of scale * sim (positives on the diagonal)."""
    logits = sim * scale
    if ignore is not None:
        logits = logits.masked_fill(ignore & ~torch.eye(sim.shape[0], dtype=torch.bool, device=sim.device), -1e4)
    target = torch.arange(sim.shape[0], device=sim.device)
    return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target))


def relational_distillation(student: torch.Tensor, teacher: torch.Tensor, student_scale: float = 20.0,
                            teacher_scale: float = 100.0) -> torch.Tensor:
    """KL from the teacher's to the student's softmax over each row of the text-text similarity matrix.

    Only relations are matched, not coordinates, so the teacher may live in a space of another
    dimension; the diagonal (self-similarity) is left out.
    """
    n = student.shape[0]
    off = ~torch.eye(n, dtype=torch.bool, device=student.device)
    s = (student @ student.t())[off].reshape(n, n - 1) * student_scale
    t = (teacher @ teacher.t())[off].reshape(n, n - 1) * teacher_scale
    return F.kl_div(F.log_softmax(s, dim=1), F.log_softmax(t, dim=1), log_target=True, reduction="batchmean")


def duplicate_mask(texts: list[str], device: torch.device) -> torch.Tensor:
    """True where two texts of a batch are the same string: a caption repeated is no negative of itself."""
    ids = {t: i for i, t in enumerate(texts)}
    keys = torch.tensor([ids[t] for t in texts], device=device)
    return keys[:, None] == keys[None, :]


def pair_loss(sim: torch.Tensor, step: int, kind: str, scale: torch.Tensor, ignore: torch.Tensor | None = None,
              beta: float = 0.999, margin: float = 0.2, jwe_weight: float = 1.0) -> torch.Tensor:
    """The configured objective ("infonce", "jwe" or "both") on a square similarity matrix."""
    if kind == "infonce":
        return info_nce(sim, scale, ignore)
    k = we_weight(step, beta)
    if kind == "jwe":
        return weighted_ranking_loss(sim, k, margin, ignore)
    if kind == "both":
        # J_WE sums over the batch, InfoNCE averages: divide so that jwe_weight means the same at any batch size.
        jwe = weighted_ranking_loss(sim, k, margin, ignore) / sim.shape[0]
        return info_nce(sim, scale, ignore) + jwe_weight * jwe
    raise SystemExit(f"unknown loss {kind!r}: use infonce, jwe or both")
