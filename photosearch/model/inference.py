"""Readying a loaded network for inference only: BatchNorm folded into the convolution before it."""

from __future__ import annotations

import torch
from torch import nn

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
        if not isinstance(bn, nn.BatchNorm2d):
            continue  # already folded
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        shift = bn.bias - bn.running_mean * scale
        conv.weight.mul_(scale.reshape(-1, 1, 1, 1))
        bias = shift if conv.bias is None else conv.bias * scale + shift
        conv.bias = nn.Parameter(bias.to(conv.weight.dtype), requires_grad=False)
        setattr(owner, bn_name, nn.Identity())
    return model
