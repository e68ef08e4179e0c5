"""The character-level, language-agnostic text encoder (after LIWE): characters -> words -> text vector."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from photosearch.model.config import ModelConfig
from photosearch.model.tokenizer import PAD, TokenBatch, Tokenizer


class WordEncoder(nn.Module):
    """Builds a vector for each word from its characters, so unseen words and scripts still get one."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        # Two hashed tables summed: characters that collide in one table rarely collide in both.
        self.chars = nn.Embedding(cfg.char_buckets, cfg.char_dim, padding_idx=PAD)
        self.chars_alt = nn.Embedding(cfg.char_buckets, cfg.char_dim, padding_idx=PAD)
        self.convs = nn.ModuleList(
            nn.Conv1d(cfg.char_dim, cfg.word_channels, k, padding=k // 2) for k in cfg.word_kernels
        )
        conv_out = cfg.word_channels * len(cfg.word_kernels)
        self.ngrams: nn.Module | None = (  # an nn.EmbeddingBag, or its float16 copy (compact_text_tables)
            nn.EmbeddingBag(cfg.ngram_buckets, cfg.ngram_dim, mode="mean", padding_idx=0)
            if cfg.ngram_buckets else None
        )
        in_dim = conv_out + (cfg.ngram_dim if self.ngrams is not None else 0)
        self.project = nn.Linear(in_dim, cfg.word_dim)
        self.highway_gate = nn.Linear(cfg.word_dim, cfg.word_dim)
        self.highway = nn.Linear(cfg.word_dim, cfg.word_dim)

    def forward(self, chars: torch.Tensor, chars_alt: torch.Tensor, ngrams: torch.Tensor) -> torch.Tensor:
        """(U, C) character ids of distinct words -> (U, word_dim) word vectors."""
        u, c = chars.shape
        x = (self.chars(chars) + self.chars_alt(chars_alt)).transpose(1, 2)  # (U, D, C)
        pad = (chars == PAD).unsqueeze(1)
        pooled = []
        for conv in self.convs:
            h = F.relu(conv(x))[..., :c]
            pooled.append(h.masked_fill(pad, 0.0).amax(dim=2))  # ReLU output >= 0, so 0 is a safe fill
        parts = [torch.cat(pooled, dim=1)]
        if self.ngrams is not None:
            grams = ngrams
            if grams.shape[1] == 0:
                grams = torch.zeros((u, 1), dtype=torch.long, device=chars.device)
            parts.append(self.ngrams(grams))
        h = self.project(torch.cat(parts, dim=1))
        gate = torch.sigmoid(self.highway_gate(h))
        mixed: torch.Tensor = gate * F.relu(self.highway(h)) + (1 - gate) * h
        return mixed


class TextEncoder(nn.Module):
    """Word vectors -> a text vector in the joint space (not yet normalised)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.words = WordEncoder(cfg)
        self.dropout = nn.Dropout(cfg.dropout)
        if cfg.sentence_encoder == "gru":
            self.rnn: nn.GRU | None = nn.GRU(cfg.word_dim, cfg.sentence_hidden, batch_first=True, bidirectional=True)
            pooled_dim = 4 * cfg.sentence_hidden  # max and mean of both directions
        elif cfg.sentence_encoder == "mean":
            self.rnn = None
            pooled_dim = cfg.word_dim
        else:
            raise ValueError(f"unknown sentence encoder {cfg.sentence_encoder!r}")
        # The bag of words reaches the output directly too: a robust path for one- and two-word queries.
        self.project = nn.Linear(pooled_dim + cfg.word_dim, cfg.joint_dim)
        self.sentence_bag = (
            nn.Linear(cfg.ngram_dim, cfg.joint_dim) if cfg.sentence_bag and self.words.ngrams is not None else None
        )

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        table = self.words(batch["chars"], batch["chars_alt"], batch["ngrams"])
        words = self.dropout(table[batch["index"]])
        lengths = batch["words"]
        mask = (torch.arange(words.shape[1], device=words.device)[None, :] < lengths[:, None]).unsqueeze(-1)
        count = mask.sum(dim=1).clamp(min=1)
        bag = (words * mask).sum(dim=1) / count
        if self.rnn is None:
            pooled = bag
        else:
            packed = nn.utils.rnn.pack_padded_sequence(
                words, lengths.clamp(min=1).cpu(), batch_first=True, enforce_sorted=False
            )
            out, _ = self.rnn(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=words.shape[1])
            mean = (out * mask).sum(dim=1) / count
            peak = out.masked_fill(~mask, float("-inf")).amax(dim=1)
            pooled = torch.cat([mean, torch.nan_to_num(peak, neginf=0.0)], dim=1)
        out = self.project(self.dropout(torch.cat([pooled, bag], dim=1)))
        if self.sentence_bag is not None and self.words.ngrams is not None and batch["ngrams"].shape[1]:
            # Every n-gram of every word of each text; id 0 pads and EmbeddingBag leaves it out of the mean.
            grams = batch["ngrams"][batch["index"]].flatten(1)
            out = out + self.sentence_bag(self.dropout(self.words.ngrams(grams)))
        # An empty text has no words: give it a zero vector (it then matches nothing).
        vectors: torch.Tensor = out * (lengths > 0).unsqueeze(1).to(out.dtype)
        return vectors


def batch_to_tensors(batch: TokenBatch, device: torch.device | str = "cpu") -> dict[str, torch.Tensor]:
    """Move a tokenised batch to tensors on `device`."""
    return {
        "chars": torch.from_numpy(batch.chars).to(device),
        "chars_alt": torch.from_numpy(batch.chars_alt).to(device),
        "ngrams": torch.from_numpy(batch.ngrams).to(device),
        "index": torch.from_numpy(batch.index).to(device),
        "words": torch.from_numpy(batch.words).to(device),
    }


def text_batches(tokenizer: Tokenizer, texts: Sequence[str], batch_size: int,
                 device: torch.device | str = "cpu") -> Iterator[tuple[int, dict[str, torch.Tensor]]]:
    """(offset of the batch in `texts`, its tensors on `device`) for each `batch_size` texts in order: the one
    batching loop of every text encoding (the app's Encoder, the training scripts); callers choose the grad mode."""
    texts = list(texts)
    for lo in range(0, len(texts), batch_size):
        yield lo, batch_to_tensors(tokenizer.encode(texts[lo:lo + batch_size]), device)
