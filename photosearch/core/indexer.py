"""Bringing the catalog up to date with the disk: diff, move detection, parallel decoding, batched embedding."""

from __future__ import annotations

import collections
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from photosearch.core import scanner
from photosearch.core.catalog import Catalog, NewPhoto, PhotoRow, usable_vector
from photosearch.core.contenthash import content_hash
from photosearch.core.errors import UnreadableImage
from photosearch.core.paths import is_within
from photosearch.core.progress_rate import RateWindow
from photosearch.core.scanner import FoundFile

if TYPE_CHECKING:
    import numpy as np

    from photosearch.core.vector_store import VectorStore
    from photosearch.model.encoder import Encoder

log = logging.getLogger(__name__)

BATCH_SIZE = 32
# How many batches to keep decoding ahead of the model: preprocessed images are small (3 x S x S bytes),
# so a little look-ahead keeps the model busy for little memory. Two batches index as fast as three
# (8.9 photos/s each, A/B under load) and keep 6.5 MB less at the peak, which sits at the 600 MB target.
LOOKAHEAD_BATCHES = 2
DECODE_THREADS = max(2, min(4, os.cpu_count() or 2))
SAVE_EVERY_BATCHES = 20
# ...and never sooner than this many times the last save took since that save: a saved index of 1M photos is
# 1.2 GB to write and checksum (seconds), and saving every 20 batches would cost several % of the indexing time.
SAVE_COST_FACTOR = 50
SCAN_PROGRESS_EVERY = 500


@dataclass
class IndexProgress:
    """One progress report from `Library.index()`."""

    done: int
    total: int
    path: str
    phase: str  # "scanning" | "embedding" | "done"
    rate: float | None = None  # photos per second over the last batches; None while too few were measured
    eta_seconds: float | None = None
    skipped: int = 0


@dataclass
class Scope:
    """What one run looks at: the catalog rows under `catalog_paths` against the files `scan()` finds."""

    catalog_paths: list[str]
    scan: Callable[[], Iterable[FoundFile]]
    folder_of: Callable[[str], str]
    # Whether a library folder holds its photos now (see online.folder_online): a photo missing from an offline
    # folder is kept, not deleted.
    online: Callable[[str], bool] = os.path.isdir
    # The photos of offline library folders: a new file with one's content is that photo moved (a library
    # folder renamed, then indexed under its new name), so it keeps its vector.
    offline_photos: Callable[[], dict[str, PhotoRow]] = dict


@dataclass
class _Prepared:
    found: FoundFile
    row: PhotoRow | None
    hash: str = ""
    array: np.ndarray | None = None
    width: int = 0
    height: int = 0
    captured: float = 0.0
    captured_exif: bool = False
    reason: str | None = None


@dataclass
class RunCounts:
    """What one index run did, counted as it goes (the summary `index` prints)."""

    added: int = 0
    updated: int = 0
    moved: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped_paths: set[str] = field(default_factory=set)


class Indexer:
    """Brings the catalog and the vector index in line with the files of a Scope."""

    def __init__(self, catalog: Catalog, store: VectorStore, ensure_model: Callable[[], Encoder],
                 loaded_model: Callable[[], Encoder | None]) -> None:
        self.catalog = catalog
        self.store = store
        self.ensure_model = ensure_model
        self.loaded_model = loaded_model
        self.embedded = 0  # photos sent to the model over this object's life (tests count model work with it)

    def run(self, scope: Scope, cancel: threading.Event | None = None,
            counts: RunCounts | None = None) -> Iterator[IndexProgress]:
        """Yield progress while bringing `scope` up to date; closing the generator early keeps all work done."""
        counts = counts if counts is not None else RunCounts()
        cancel = cancel or threading.Event()

        found: dict[str, FoundFile] = {}
        for item in scope.scan():
            found[item.path] = item
            if len(found) % SCAN_PROGRESS_EVERY == 0:
                yield IndexProgress(len(found), 0, item.path, "scanning")
                if cancel.is_set():
                    return
        known = self.catalog.photos_under(scope.catalog_paths)
        known_skipped = self.catalog.skipped_under(scope.catalog_paths)

        todo: list[tuple[FoundFile, PhotoRow | None]] = []
        odd: list[FoundFile] = []
        for path, item in found.items():
            row = known.get(path)
            if item.problem is not None:  # a pipe, a device, a link loop named like a photo: never opened
                if row is None and path in known_skipped and known_skipped[path] == (item.size, item.mtime_ns,
                                                                                     item.problem):
                    counts.skipped_paths.add(path)
                else:
                    odd.append(item)
                    counts.removed += row is not None
            elif row is not None and row.has_vector and (row.size, row.mtime_ns) == (item.size, item.mtime_ns):
                counts.unchanged += 1
            elif row is None and path in known_skipped and known_skipped[path][:2] == (item.size, item.mtime_ns):
                counts.skipped_paths.add(path)  # unchanged since it failed: not worth another try
            else:
                todo.append((item, row))
        self.catalog.clear_skipped(p for p in known_skipped if p not in found)
        if odd:
            self.catalog.set_skipped([(f.path, f.size, f.mtime_ns, f.problem or "") for f in odd], within_folders=True)
            counts.skipped_paths.update(f.path for f in odd)

        online: dict[str, bool] = {}  # judged once per folder, after the scan (a drive may go during it)
        gone = [row for path, row in known.items() if path not in found and _really_gone(row.path, scope, online)]
        # Looked up only when there are new files: an offline drive's rows cost nothing to a run with none.
        elsewhere = list(scope.offline_photos().values()) if any(row is None for _, row in todo) else []
        if gone or elsewhere:
            todo, moved_ids = self._apply_moves(gone + elsewhere, todo, scope, counts)
        else:
            moved_ids = set()
        gone = [row for row in gone if row.id not in moved_ids]
        if gone:
            self.catalog.delete_photos([row.id for row in gone])
            counts.removed += len(gone)
        self.store_catch_up()

        yield from self._embed(todo, scope, cancel, counts)

    def store_catch_up(self) -> None:
        # Only with a model already loaded: deleting photos must not cost a model load; search catches up later.
        encoder = self.loaded_model()
        if encoder is not None:
            self.store.current(encoder.dim)

    def _apply_moves(self, gone: list[PhotoRow], todo: list[tuple[FoundFile, PhotoRow | None]], scope: Scope,
                     counts: RunCounts) -> tuple[list[tuple[FoundFile, PhotoRow | None]], set[int]]:
        """A new file whose content hash matches a vanished photo is that photo moved: keep its vector."""
        by_hash: dict[tuple[str, int], list[PhotoRow]] = collections.defaultdict(list)
        for vanished in gone:
            if vanished.has_vector:
                by_hash[(vanished.hash, vanished.size)].append(vanished)
        # Only a file of the same size as a vanished photo can be that photo: hash just those.
        sizes = {size for _, size in by_hash}
        candidates = [item for item, row in todo if row is None and item.size in sizes]
        with ThreadPoolExecutor(DECODE_THREADS) as pool:
            hashes = dict(zip([c.path for c in candidates], pool.map(_safe_hash, [c.path for c in candidates]),
                              strict=True))
        remaining = []
        moved_ids: set[int] = set()
        for item, row in todo:
            matches = by_hash.get((hashes.get(item.path, ""), item.size)) if row is None else None
            if matches:
                moved = matches.pop()
                self.catalog.move_photo(moved.id, item.path, scope.folder_of(item.path), item.size, item.mtime_ns)
                moved_ids.add(moved.id)
                counts.moved += 1
            else:
                remaining.append((item, row))
        return remaining, moved_ids

    def _embed(self, todo: list[tuple[FoundFile, PhotoRow | None]], scope: Scope, cancel: threading.Event,
               counts: RunCounts) -> Iterator[IndexProgress]:
        total = len(todo)
        yield IndexProgress(0, total, "", "embedding", skipped=len(counts.skipped_paths))
        if not total:
            return
        encoder = self.ensure_model()
        # JPEGs decode straight to the smallest DCT scale that still covers the model's input (1/8 for a 12 MP
        # photo): resizing a 4x larger decode cost about 25 ms more per photo and moved vectors by < 0.001 cosine.
        min_side = encoder.image_size
        done = 0
        batches = 0
        pace = RateWindow()
        saved_at, save_cost = time.monotonic(), 0.0
        pending: collections.deque[Future[_Prepared]] = collections.deque()
        work = iter(todo)
        pool = ThreadPoolExecutor(DECODE_THREADS, thread_name_prefix="photosearch-decode")
        try:
            def top_up() -> None:
                while len(pending) < BATCH_SIZE * LOOKAHEAD_BATCHES:
                    nxt = next(work, None)
                    if nxt is None:
                        return
                    pending.append(pool.submit(_prepare, nxt[0], nxt[1], encoder, min_side))

            top_up()
            while pending and not cancel.is_set():
                batch: list[_Prepared] = []
                while pending and len(batch) < BATCH_SIZE:
                    batch.append(pending.popleft().result())
                    top_up()
                self._commit(batch, encoder, scope, counts)
                done += len(batch)
                batches += 1
                pace.record(done)
                if batches % SAVE_EVERY_BATCHES == 0 and time.monotonic() - saved_at >= SAVE_COST_FACTOR * save_cost:
                    saving = time.monotonic()
                    self.store.save()  # a crash then costs at most a catch-up, never a rebuild
                    saved_at = time.monotonic()
                    save_cost = saved_at - saving
                event = IndexProgress(done, total, batch[-1].found.path, "embedding", pace.rate(),
                                      pace.seconds_left(total), len(counts.skipped_paths))
                # While the consumer holds this generator at its yield (the app's Pause button), nothing is indexed.
                pace.pause()
                yield event
                pace.resume()
        finally:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)

    def _commit(self, batch: list[_Prepared], encoder: Encoder, scope: Scope, counts: RunCounts) -> None:
        # The folder may be removed while this run decodes and embeds (the GUI does not wait for the run): the
        # catalog writes below keep only photos under a library folder, judged inside their write transaction.
        # Checking here first only saves the model the work.
        live = [folder for folder, _ in self.catalog.folders()]
        batch = [p for p in batch if any(is_within(p.found.path, folder) for folder in live)]
        good = [p for p in batch if p.reason is None]
        # A file that vanished since the scan is not "unreadable": a deleted one leaves at the next diff, and one
        # on a drive unplugged mid-run must keep its photo.
        bad = [p for p in batch if p.reason is not None and os.path.exists(p.found.path)]
        if good:
            arrays = []
            for p in good:
                assert p.array is not None  # _prepare sets it whenever it sets no reason
                arrays.append(p.array)
            import numpy as np  # here, not at the top: `status` and `remove` import this module, never embed

            vectors = encoder.encode_arrays(np.stack(arrays))
            self.embedded += len(good)
            # A vector the model got wrong (NaN from an odd image) would score NaN in every search: skip the file.
            usable = [usable_vector(v) for v in vectors]
            for p, ok in zip(good, usable, strict=True):
                if not ok and os.path.exists(p.found.path):
                    p.reason = "the model gave no usable vector for this image (not finite)"
                    bad.append(p)
            kept = [v for v, ok in zip(vectors, usable, strict=True) if ok]
            good = [p for p, ok in zip(good, usable, strict=True) if ok]
            ids = self.catalog.upsert_photos([
                NewPhoto(p.found.path, scope.folder_of(p.found.path), p.found.size, p.found.mtime_ns, p.hash,
                         p.captured, p.captured_exif, p.width, p.height, vector)
                for p, vector in zip(good, kept, strict=True)], within_folders=True)
            written = set(self.catalog.paths_of(ids).values()) if len(ids) != len(good) else None
            for p in good:
                if written is not None and p.found.path not in written:
                    continue  # its folder was removed meanwhile
                if p.row is None:
                    counts.added += 1
                else:
                    counts.updated += 1
        if bad:
            self.catalog.set_skipped([(p.found.path, p.found.size, p.found.mtime_ns, p.reason or "") for p in bad],
                                     within_folders=True)
            counts.skipped_paths.update(p.found.path for p in bad)
            counts.removed += sum(1 for p in bad if p.row is not None)
        self.store.current(encoder.dim)


def _really_gone(path: str, scope: Scope, online: dict[str, bool]) -> bool:
    """A photo the scan did not find is deleted only when its file is missing while its library folder is online:
    a drive unplugged or unmounted during the scan, or a folder that could not be listed, must not cost its
    photos. `online` caches the verdict per folder for this run."""
    if os.path.exists(path):
        return False
    folder = scope.folder_of(path)
    if folder not in online:
        online[folder] = scope.online(folder)
    return online[folder]


def _safe_hash(path: str) -> str:
    try:
        return content_hash(path)
    except OSError:
        return ""


def _prepare(item: FoundFile, row: PhotoRow | None, encoder: Encoder, min_side: int) -> _Prepared:
    """Runs in a decode thread: check, hash, decode and preprocess one file (never raises)."""
    from photosearch.core import imageio  # Pillow: only for a run that decodes, not for `status` or `remove`

    prepared = _Prepared(item, row)
    reason = scanner.check_magic(item.path)
    if reason is not None:
        prepared.reason = reason
        return prepared
    try:
        prepared.hash = content_hash(item.path)
        decoded = imageio.decode(item.path, min_side)
        prepared.array = encoder.preprocess(decoded.image)
    except UnreadableImage as error:
        prepared.reason = str(error)
        return prepared
    except OSError as error:
        prepared.reason = f"cannot read: {error.strerror or error}"
        return prepared
    except Exception as error:  # a decoder bug on one odd file must not stop the run
        log.exception("could not decode %s", item.path)
        prepared.reason = f"could not decode: {type(error).__name__}: {error}"
        return prepared
    prepared.width, prepared.height = decoded.width, decoded.height
    if decoded.captured is not None:
        prepared.captured, prepared.captured_exif = decoded.captured.timestamp(), True
    else:
        prepared.captured = item.mtime_ns / 1e9
    return prepared

