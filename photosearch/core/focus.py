"""Focal points: ADAPT's heat-map of one photo for a query, and re-ranking search results with ADAPT.

Region features are not stored: 81 regions x 256 values per photo would be 41 KB (4 GB for 100k photos), so
both recompute the photo's backbone map on demand (about 0.1 s a photo on a CPU). That is quick for one
photo, and makes re-ranking cost that much per re-ranked result, which is why it is an option.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from photosearch.core import imageio

if TYPE_CHECKING:
    from photosearch.model.encoder import Encoder


def heatmap(encoder: Encoder, path: str, query: np.ndarray) -> np.ndarray:
    """(h, w) float32 in [0, 1] over the whole photo (1 where ADAPT looks most) for a query vector.

    Raises imageio.UnreadableImage for a photo that cannot be decoded, AdaptUnavailable without ADAPT weights.
    """
    encoder.adapt_head()  # fail on missing weights before decoding anything
    decoded = imageio.decode(path, encoder.image_size)
    (focus,) = encoder.focus(query, [encoder.preprocess_whole(decoded.image)])
    attention = focus.attention.astype(np.float32)
    return attention / max(float(attention.max()), 1e-12)


def rerank(encoder: Encoder, query: np.ndarray, paths: list[str], global_scores: list[float]) -> list[float]:
    """The mixed ADAPT score of each photo (same order); a photo that cannot be read keeps its global score."""
    head = encoder.adapt_head()
    arrays, readable = [], []
    for i, path in enumerate(paths):
        try:
            decoded = imageio.decode(path, encoder.image_size)  # as the indexer decodes, so as the vectors were made
        except imageio.UnreadableImage:
            continue
        arrays.append(encoder.preprocess(decoded.image))
        readable.append(i)
    scores = list(global_scores)
    mix = head.mix
    for i, focus in zip(readable, encoder.focus(query, arrays), strict=True):
        scores[i] = (1 - mix) * global_scores[i] + mix * focus.score
    return scores
