"""Readying a loaded network for inference only: BatchNorm folded away, the text tables kept in float16 on a CPU."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from photosearch.model.image_tower import EfficientNetLite
from photosearch.model.network import JointModel


def _conv_bn_pairs(backbone: EfficientNetLite) -> list[tuple[nn.Module, str, str]]:
    """(owner, convolution attribute, BatchNorm attribute) for every convolution followed by a BatchNorm."""
    pairs: list[tuple[nn.Module, str, str]] = [(backbone, "_conv_stem", "_bn0"), (backbone, "_conv_head", "_bn1")]
    for block in backbone._blocks:
        if block.expand:
            pairs.append((block, "_expand_conv", "_bn0"))
        pairs += [(block, "_depthwise_conv", "_bn1"), (block, "_project_conv", "_bn2")]
    return pairs


@torch.no_grad()
def fold_batchnorm(model: JointModel) -> JointModel:
    """Fold each eval-mode BatchNorm of the image backbone into its convolution's weights and bias, in place.

    In eval mode a BatchNorm is a fixed per-channel scale and shift, so the convolution can apply it: one pass
    over each feature map instead of two. The model is then for inference only (its state dict changes), so
    only a model the caller owns (load_model's) is folded. Outputs agree to float32 rounding.
    """
    for owner, conv_name, bn_name in _conv_bn_pairs(model.image.backbone):
        conv, bn = getattr(owner, conv_name), getattr(owner, bn_name)
        if not isinstance(bn, nn.BatchNorm2d) or bn.running_var is None or bn.running_mean is None:
            continue  # already folded (every BatchNorm of the backbone tracks running statistics)
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        shift = bn.bias - bn.running_mean * scale
        conv.weight.mul_(scale.reshape(-1, 1, 1, 1))
        bias = shift if conv.bias is None else conv.bias * scale + shift
        conv.bias = nn.Parameter(bias.to(conv.weight.dtype), requires_grad=False)
        setattr(owner, bn_name, nn.Identity())
    return model


class HalfEmbedding(nn.Module):
    """An nn.Embedding whose table is stored in float16 and whose rows come out in float32 (the same values)."""

    weight: torch.Tensor  # a buffer, registered in __init__

    def __init__(self, table: nn.Embedding) -> None:
        super().__init__()
        self.register_buffer("weight", table.weight.detach().to(torch.float16), persistent=False)
        self.padding_idx = table.padding_idx

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return F.embedding(ids, self.weight, self.padding_idx).float()


class HalfEmbeddingBag(nn.Module):
    """A mean nn.EmbeddingBag whose table is stored in float16; the mean is rounded to float16, then float32."""

    weight: torch.Tensor  # a buffer, registered in __init__

    def __init__(self, bag: nn.EmbeddingBag) -> None:
        super().__init__()
        if bag.mode != "mean" or bag.max_norm is not None:
            raise ValueError("only a plain mean EmbeddingBag can be kept in float16")
        self.register_buffer("weight", bag.weight.detach().to(torch.float16), persistent=False)
        self.padding_idx = bag.padding_idx

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return F.embedding_bag(ids, self.weight, mode="mean", padding_idx=self.padding_idx).float()


@torch.no_grad()
def compact_text_tables(model: JointModel) -> JointModel:
    """Keep the text tower's hashed tables (7.9M of its 8.5M parameters) in float16, in place; for a CPU.

    The shipped weights are float16 already, so nothing is lost at rest: a float32 copy of the tables only costs
    16 MB of resident memory, which the indexing peak cannot spare (docs/PERFORMANCE.md). The n-gram mean is
    rounded to float16 once (relative 5e-4); every other layer stays float32. Call it after any dtype move.
    """
    words = model.text.words
    for name in ("chars", "chars_alt"):
        table = getattr(words, name)
        if isinstance(table, nn.Embedding):
            setattr(words, name, HalfEmbedding(table))
    if isinstance(words.ngrams, nn.EmbeddingBag):
        words.ngrams = HalfEmbeddingBag(words.ngrams)
    return model
