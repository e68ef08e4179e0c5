"""The image tower: an EfficientNet-Lite backbone and its projection into the joint space."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

# (repeats, kernel, stride, expand ratio, input filters, output filters) of EfficientNet-Lite,
# as in TensorFlow's efficientnet_lite_builder.py.
_LITE_BLOCKS = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)

# width multiplier, depth multiplier, native input resolution
LITE_VARIANTS = {
    "efficientnet-lite0": (1.0, 1.0, 224),
    "efficientnet-lite1": (1.0, 1.1, 240),
    "efficientnet-lite2": (1.1, 1.2, 260),
    "efficientnet-lite3": (1.2, 1.4, 280),
    "efficientnet-lite4": (1.4, 1.8, 300),
}

FEATURE_CHANNELS = 1280  # the Lite head is not scaled with width


def _round_filters(filters: int, width: float, divisor: int = 8) -> int:
    scaled = filters * width
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * scaled:  # never round down by more than 10%
        rounded += divisor
    return int(rounded)


class SameConv2d(nn.Conv2d):
    """A convolution padded like TensorFlow's 'SAME', for any input size (the weights came from TF)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ih, iw = x.shape[-2:]
        kh, kw = self.weight.shape[-2:]
        sh, sw = self.stride
        pad_h = max((math.ceil(ih / sh) - 1) * sh + kh - ih, 0)
        pad_w = max((math.ceil(iw / sw) - 1) * sw + kw - iw, 0)
        if pad_h or pad_w:
            x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, momentum=0.01, eps=1e-3)


class MBConvBlock(nn.Module):
    """A mobile inverted bottleneck block without squeeze-excitation (the Lite variant)."""

    def __init__(self, kernel: int, stride: int, expand: int, in_ch: int, out_ch: int) -> None:
        super().__init__()
        mid = in_ch * expand
        self.expand = expand != 1
        if self.expand:
            self._expand_conv = SameConv2d(in_ch, mid, 1, bias=False)
            self._bn0 = _bn(mid)
        self._depthwise_conv = SameConv2d(mid, mid, kernel, stride=stride, groups=mid, bias=False)
        self._bn1 = _bn(mid)
        self._project_conv = SameConv2d(mid, out_ch, 1, bias=False)
        self._bn2 = _bn(out_ch)
        self.residual = stride == 1 and in_ch == out_ch

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        x = inputs
        if self.expand:
            x = F.relu6(self._bn0(self._expand_conv(x)))
        x = F.relu6(self._bn1(self._depthwise_conv(x)))
        x = self._bn2(self._project_conv(x))
        out: torch.Tensor = x + inputs if self.residual else x
        return out


class EfficientNetLite(nn.Module):
    """EfficientNet-Lite up to its last 1x1 convolution; parameter names match the public PyTorch port."""

    def __init__(self, variant: str = "efficientnet-lite2", tap_blocks: int = 0) -> None:
        super().__init__()
        self.tap_blocks = tap_blocks
        width, depth, _ = LITE_VARIANTS[variant]
        self._conv_stem = SameConv2d(3, 32, 3, stride=2, bias=False)  # the Lite stem is not scaled
        self._bn0 = _bn(32)
        blocks: list[MBConvBlock] = []
        last = len(_LITE_BLOCKS) - 1
        for i, (repeats, kernel, stride, expand, in_f, out_f) in enumerate(_LITE_BLOCKS):
            in_ch = 32 if i == 0 else _round_filters(in_f, width)
            out_ch = _round_filters(out_f, width)
            # Lite keeps the first and the last stage at their base depth.
            n = repeats if i in (0, last) else math.ceil(depth * repeats)
            for j in range(n):
                blocks.append(MBConvBlock(kernel, stride if j == 0 else 1, expand, in_ch if j == 0 else out_ch, out_ch))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = SameConv2d(_round_filters(320, width), FEATURE_CHANNELS, 1, bias=False)
        self._bn1 = _bn(FEATURE_CHANNELS)
        if not 0 <= tap_blocks <= len(blocks):
            raise ValueError(f"tap_blocks must be 0..{len(blocks)}, not {tap_blocks}")
        self.out_channels = FEATURE_CHANNELS + sum(b._bn2.num_features for b in blocks[len(blocks) - tap_blocks:])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the spatial feature map (N, out_channels, H/32, W/32): the head's 1280 channels, then the
        outputs of the last `tap_blocks` blocks (at the same resolution), which carry detail the head drops."""
        x = F.relu6(self._bn0(self._conv_stem(x)))
        taps = []
        first_tap = len(self._blocks) - self.tap_blocks
        for i, block in enumerate(self._blocks):
            x = block(x)
            if i >= first_tap:
                taps.append(x)
        head = F.relu6(self._bn1(self._conv_head(x)))
        return torch.cat([head, *taps], dim=1) if taps else head


@dataclass(frozen=True)
class ImageTowerOutput:
    """The joint-space vector of each image, and the spatial map it was pooled from (for ADAPT)."""

    pooled: torch.Tensor  # (N, C) backbone features after global average pooling
    feature_map: torch.Tensor  # (N, C, h, w); C = backbone.out_channels


class ImageProjection(nn.Module):
    """Maps pooled backbone features into the joint space (a residual two-layer MLP)."""

    feature_mean: torch.Tensor  # buffers, registered in __init__
    feature_std: torch.Tensor

    def __init__(self, in_dim: int, joint_dim: int, hidden: int) -> None:
        super().__init__()
        # Pooled backbone features are all positive and share one large common direction; training sets
        # these to the features' mean and spread so the projection sees centred, unit-scale inputs.
        self.register_buffer("feature_mean", torch.zeros(in_dim))
        self.register_buffer("feature_std", torch.ones(in_dim))
        self.linear = nn.Linear(in_dim, joint_dim)
        self.mlp = nn.Sequential(nn.Linear(in_dim, hidden), nn.GELU(), nn.Linear(hidden, joint_dim)) if hidden else None

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        pooled = (pooled - self.feature_mean) / self.feature_std
        out: torch.Tensor = self.linear(pooled)
        if self.mlp is not None:
            out = out + self.mlp(pooled)
        return out


class ImageTower(nn.Module):
    """Backbone plus projection: pixels in, joint-space vectors (not yet normalised) out."""

    def __init__(self, variant: str, joint_dim: int, hidden: int, tap_blocks: int = 0) -> None:
        super().__init__()
        self.backbone = EfficientNetLite(variant, tap_blocks)
        self.projection = ImageProjection(self.backbone.out_channels, joint_dim, hidden)

    def features(self, pixels: torch.Tensor) -> ImageTowerOutput:
        fmap = self.backbone(pixels)
        return ImageTowerOutput(pooled=fmap.mean(dim=(2, 3)), feature_map=fmap)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        vectors: torch.Tensor = self.projection(self.features(pixels).pooled)
        return vectors
