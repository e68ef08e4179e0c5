"""Focal points: ADAPT's heat-map of one photo for a query, and re-ranking search results with ADAPT.

Region features are not stored: 81 regions x 256 values per photo would be 41 KB (4 GB for 100k photos), so
both recompute the photo's backbone map on demand (about 0.1 s a photo on a quiet 2-core CPU, measured by
benchmarks/rerank.py). That is quick for one photo, and makes re-ranking cost that much per re-ranked result,
which is why it is an option.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from photosearch.core import imageio
from photosearch.core.errors import SearchCancelled

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


def rerank(encoder: Encoder, query: np.ndarray, paths: list[str], global_scores: list[float],
           progress: Callable[[int, int], None] | None = None,
           cancelled: Callable[[], bool] | None = None) -> list[float]:
    """The mixed ADAPT score of each photo (same order); a photo that cannot be read keeps its global score.

    `progress(done, total)` is called before the first photo and after each; when `cancelled()` turns true the
    re-ranking stops before the next photo with SearchCancelled (a newer query is waiting).
    """
    head = encoder.adapt_head()
    scores = list(global_scores)
    mix = head.mix
    total = len(paths)
    if progress is not None:
        progress(0, total)
    # One thread decodes the next photos while the backbone looks at this one: Pillow's decoder lets go of the
    # GIL, and decoding (draft-scaled, ~60 ms for 12 MP) is about half of a photo's cost.
    decoder = ThreadPoolExecutor(1, thread_name_prefix="photosearch-rerank-decode")
    try:
        ahead = [decoder.submit(_pixels, encoder, path) for path in paths]
        for i, future in enumerate(ahead):
            if cancelled is not None and cancelled():
                raise SearchCancelled("the re-ranking was cancelled")
            pixels = future.result()
            if pixels is not None:
                (focus,) = encoder.focus(query, [pixels])
                scores[i] = (1 - mix) * global_scores[i] + mix * focus.score
            if progress is not None:
                progress(i + 1, total)
    finally:
        decoder.shutdown(wait=True, cancel_futures=True)
    return scores


def _pixels(encoder: Encoder, path: str) -> np.ndarray | None:
    try:
        decoded = imageio.decode(path, encoder.image_size)  # as the indexer decodes, so as the vectors were made
    except imageio.UnreadableImage:
        return None
    return encoder.preprocess(decoded.image)
