"""Answering queries: terms to one vector, nearest photos from the vector index, scores and the relevance floor."""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from photosearch.core import imageio
from photosearch.core.catalog import Catalog
from photosearch.core.filters import PhotoFilter
from photosearch.core.hnsw_index import HnswIndex
from photosearch.core.offline import OfflineFolders
from photosearch.core.paths import normalise_file
from photosearch.core.query import QueryError, Term, as_image_path, parse_query
from photosearch.core.vector_store import VectorStore

if TYPE_CHECKING:
    from photosearch.model.encoder import Encoder
    from photosearch.model.text_tower import TextTower

# The floor is relative to the library itself: a score counts as a match when it stands out from the scores
# of random photos of this library for the same query (mean + FLOOR_SIGMAS standard deviations). Absolute
# cosine values differ between models and between text and image queries; this holds for both.
FLOOR_SIGMAS = 2.0
BACKGROUND_SAMPLE = 1024
# Below this many photos the background statistics are noise; fall back to a fixed cosine floor.
MIN_BACKGROUND = 30
FIXED_FLOOR = 0.2
Progress = Callable[[int, int], None]  # (photos re-ranked so far, photos to re-rank)
# A filter that lets at most this share of the library through is answered by an exact scan of the photos it
# lets through (one matrix product over vectors cached per filter); a wider one by HNSW, dropping the rest.
EXACT_FILTER_SHARE = 0.2


@dataclass(frozen=True)
class SearchResult:
    """One photo found for a query, with its score."""

    path: str
    score: float
    weak: bool  # below the relevance floor: shown as "maybe", not as a match


class Searcher:
    """Answers queries from the vector index: text, photos, both combined; filters; re-ranking."""

    def __init__(self, catalog: Catalog, store: VectorStore, ensure_model: Callable[[], Encoder],
                 offline: OfflineFolders | None = None,
                 ensure_text: Callable[[], Encoder | TextTower] | None = None) -> None:
        self.catalog = catalog
        self.store = store
        self.ensure_model = ensure_model
        # A query of text alone needs only a text tower: the NumPy one answers without importing torch.
        self.ensure_text = ensure_text if ensure_text is not None else ensure_model
        self.offline = offline if offline is not None else OfflineFolders(catalog)
        self._background: tuple[int, np.ndarray] | None = None  # (index size when sampled, vectors)
        # (filter, index generation, ids it lets through, and either their vectors, when few enough for an exact
        # scan, or the same ids as a set for HNSW to test each candidate against)
        self._filtered: tuple[PhotoFilter, int, np.ndarray, np.ndarray | frozenset[int]] | None = None
        self._lock = threading.Lock()
        self._rng = np.random.default_rng(0)

    def search(self, query: str, k: int = 20, rerank: int = 0, keep_query: bool = False,
               where: PhotoFilter | None = None, progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None) -> list[SearchResult]:
        return self.search_terms(parse_query(query), k, rerank, keep_query, where, progress, cancelled)

    def search_image(self, path: str, k: int = 20, keep_query: bool = False,
                     where: PhotoFilter | None = None) -> list[SearchResult]:
        resolved = as_image_path(str(path))
        if resolved is None:
            raise QueryError(f"not an image file: {path}")
        return self.search_terms([Term(resolved, 1.0, is_path=True)], k, keep_query=keep_query, where=where)

    def query_vector(self, terms: list[Term], encoder: Encoder | TextTower) -> np.ndarray:
        """The terms combined into one unit vector (weighted sum of each term's unit vector)."""
        texts = [t.text for t in terms if not t.is_path]
        text_vectors = iter(encoder.encode_texts(texts)) if texts else iter(())
        # Only the ratios of the weights matter: dividing by the largest, and summing in float64, means no weight
        # can overflow the sum (a float32 sum with a weight of 1e20 became a zero or NaN query vector).
        scale = max(abs(t.weight) for t in terms)
        if not (math.isfinite(scale) and scale > 0):
            raise QueryError("the weights of the query are not usable numbers")
        combined = np.zeros(encoder.dim, dtype=np.float64)
        for term in terms:
            vector = np.asarray(self._image_vector(term.text, self.ensure_model()) if term.is_path
                                else next(text_vectors), dtype=np.float64)
            norm = float(np.linalg.norm(vector))
            if norm > 0 and math.isfinite(norm):
                combined += (term.weight / scale) * vector / norm
        norm = float(np.linalg.norm(combined))
        if not norm >= 1e-6:
            raise QueryError("the terms of the query cancel each other out")
        return (combined / norm).astype(np.float32)

    def search_terms(self, terms: list[Term], k: int, rerank: int = 0, keep_query: bool = False,
                     where: PhotoFilter | None = None, progress: Progress | None = None,
                     cancelled: Callable[[], bool] | None = None) -> list[SearchResult]:
        """The k best photos; with `rerank` > 0 the best `rerank` of them are re-ordered by ADAPT (text queries
        only: ADAPT was trained on text vectors). Raises AdaptUnavailable when the model has no ADAPT head;
        `progress(done, total)` follows the re-ranking, and `cancelled()` turning true stops it (SearchCancelled).

        A photo of the query is left out of the answers (it would come first, at 1.000) unless `keep_query`;
        `where` limits the answers to a folder and a range of dates taken."""
        has_photo = any(t.is_path for t in terms)
        rerank = max(0, int(rerank)) if not has_photo else 0
        encoder = self.ensure_model() if has_photo or rerank else self.ensure_text()
        combined = self.query_vector(terms, encoder)
        index = self.store.current(encoder.dim)
        shown = set() if keep_query else {normalise_file(p) for t in terms if t.is_path
                                          for p in (t.text, os.path.realpath(t.text))}
        # Photos of offline folders (an unplugged drive) are kept but not offered: a click could not open them.
        # The set is known between queries (index.generation was just caught up with the catalog's).
        wanted = max(0, int(k), rerank if k > 0 else 0) + len(shown)
        hidden = self.offline.hidden_ids(index.generation)
        if where is None or where.is_empty:
            hits = index.search(combined, wanted, hidden)
        else:
            hits = self._filtered_search(combined, wanted, hidden, where, index)
        paths = self.catalog.paths_of(label for label, _ in hits)
        found = [(paths[label], score) for label, score in hits if label in paths and paths[label] not in shown]
        if rerank and found:
            from photosearch.core.focus import rerank as adapt_rerank

            top = found[:rerank]
            mixed = adapt_rerank(self.ensure_model(), combined, [p for p, _ in top], [s for _, s in top],
                                 progress, cancelled)
            found = sorted(zip([p for p, _ in top], mixed, strict=True), key=lambda ps: -ps[1]) + found[rerank:]
        floor = self._floor(combined, index)
        if not math.isfinite(floor):
            floor = FIXED_FLOOR
        # A score that is not a number is never shown (it would make the JSON output invalid and sort anywhere);
        # "weak" is written so that anything not clearly above the floor is weak.
        return [SearchResult(path, score, not score >= floor) for path, score in found[:max(0, int(k))]
                if math.isfinite(score)]

    def _filtered_search(self, query: np.ndarray, k: int, hidden: frozenset[int], where: PhotoFilter,
                         index: HnswIndex) -> list[tuple[int, float]]:
        """The k nearest photos that `where` lets through: an exact scan when they are few, else HNSW."""
        with self._lock:
            cached = self._filtered
            if cached is None or cached[0] != where or cached[1] != index.generation:
                after, before = where.timestamps()
                ids = self.catalog.ids_matching(where.folder, after, before)
                through: np.ndarray | frozenset[int]
                if len(ids) <= EXACT_FILTER_SHARE * max(len(index), 1):
                    ids = np.array([i for i in ids.tolist() if i in index], dtype=np.int64)
                    through = index.vectors_of(ids.tolist())
                else:
                    through = frozenset(ids.tolist())
                cached = self._filtered = (where, index.generation, ids, through)
        _, _, ids, through = cached
        if isinstance(through, frozenset):
            # Most photos pass: ask HNSW for enough more neighbours that k of them pass (three times the expected
            # need), and only when too few do, search again testing each candidate (a Python call per node).
            share = len(through) / max(len(index), 1)
            wider = index.search(query, min(len(index), math.ceil(3 * k / max(share, 1e-6))), hidden)
            passed = [(label, score) for label, score in wider if label in through]
            if len(passed) >= k or len(wider) >= len(index) - len(hidden):
                return passed[:k]
            return index.search(query, k, hidden, only=through)
        vectors = through
        if hidden:
            keep = ~np.isin(ids, np.fromiter(hidden, dtype=np.int64, count=len(hidden)))
            ids, vectors = ids[keep], vectors[keep]
        if not len(ids) or k <= 0:
            return []
        scores = vectors @ query
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]

    def _image_vector(self, path: str, encoder: Encoder) -> np.ndarray:
        """The photo's stored vector when it is in the library, else the image embedded now."""
        for candidate in (normalise_file(path), normalise_file(os.path.realpath(path))):
            stored = self.catalog.vector_of(candidate)
            if stored is not None and stored.shape[0] == encoder.dim:
                return stored
        try:
            decoded = imageio.decode(path, encoder.image_size)  # as the indexer decodes
        except imageio.UnreadableImage as error:
            raise QueryError(f"cannot read {path}: {error}") from error
        vector: np.ndarray = encoder.encode_arrays([encoder.preprocess(decoded.image)])[0]
        return vector

    def _floor(self, query: np.ndarray, index: HnswIndex) -> float:
        with self._lock:
            size = len(index)
            if self._background is None or abs(self._background[0] - size) > 0.1 * max(size, 1):
                labels = index.sample_labels(BACKGROUND_SAMPLE, self._rng)
                self._background = (size, index.vectors_of(labels))
            background = self._background[1]
        if len(background) < MIN_BACKGROUND:
            return FIXED_FLOOR
        scores = background @ query
        return float(scores.mean() + FLOOR_SIGMAS * scores.std())
