"""One search as the bridge runs it: the request (query or photo, and filter), the call in a worker, the outcome."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from photosearch.core.errors import SearchCancelled
from photosearch.core.filters import PhotoFilter


@dataclass(frozen=True)
class SearchRequest:
    """A text query, or a photo to find similar ones to (then `image` is its path), within a filter."""

    text: str = ""
    image: str | None = None
    where: PhotoFilter | None = None  # a folder and a range of dates taken; None or empty: the whole library

    @property
    def empty(self) -> bool:
        return not self.text.strip() and not self.image

    def describe(self) -> str:
        return f"photos like {os.path.basename(self.image)}" if self.image else f"“{self.text.strip()}”"


@dataclass
class SearchOutcome:
    """The core's results for one request (`generation` orders requests), and how long the search took."""

    generation: int
    request: SearchRequest
    results: list[Any]
    seconds: float = 0.0
    cancelled: bool = False  # stopped because a newer request came (no results, nothing to tell)


def run_search(library: Any, request: SearchRequest, k: int, rerank: int, generation: int,
               progress: Callable[[int, int], None], cancel: threading.Event) -> SearchOutcome:
    """The core's answer to `request` (in a worker thread); `progress` and `cancel` reach a re-ranking."""
    start = time.perf_counter()
    where = {"where": request.where} if request.where is not None and not request.where.is_empty else {}
    if request.image:
        results = library.search_image(request.image, k, **where)
    elif rerank:
        try:
            results = library.search(request.text.strip(), k, rerank=rerank, progress=progress,
                                     cancelled=cancel.is_set, **where)
        except SearchCancelled:  # a newer request is waiting: an answer nobody will see, not an error
            return SearchOutcome(generation, request, [], time.perf_counter() - start, cancelled=True)
    else:
        results = library.search(request.text.strip(), k, **where)
    return SearchOutcome(generation, request, list(results), time.perf_counter() - start)
