"""The joint image-text network: both towers and the shared, L2-normalised embedding space."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from photosearch.model.config import ModelConfig
from photosearch.model.image_tower import ImageTower
from photosearch.model.text_encoder import TextEncoder


class JointModel(nn.Module):
    """Text and image towers whose outputs are comparable by cosine similarity."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.text = TextEncoder(cfg)
        self.image = ImageTower(cfg.image_backbone, cfg.joint_dim, cfg.image_hidden, cfg.image_tap_blocks)
        # Temperature of the contrastive loss, kept with the model so a checkpoint resumes exactly.
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def encode_text(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return F.normalize(self.text(batch).float(), dim=-1)

    def encode_image(self, pixels: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.image(pixels).float(), dim=-1)

    def encode_pooled(self, pooled: torch.Tensor) -> torch.Tensor:
        """Joint vectors from cached backbone features (training runs on these)."""
        return F.normalize(self.image.projection(pooled).float(), dim=-1)
