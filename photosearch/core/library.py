"""The Library facade: what the GUI and the CLI call (folders, index, search, watch, thumbnails, details)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photosearch.core import online, recovery, scanner
from photosearch.core.errors import CatalogError, CatalogIOError, LibraryBusy, LibraryError, UnreadableImage
from photosearch.core.indexer import IndexProgress, RunCounts, Scope
from photosearch.core.malloc import limit_malloc_arenas
from photosearch.core.offline import OfflineFolders
from photosearch.core.paths import (
    covering_root,
    default_cache_dir,
    default_data_dir,
    hidden_below,
    is_within,
    normalise,
    normalise_file,
    outermost_folders,
)
from photosearch.core.writelock import WriteLock
from photosearch.model.weights import bundled_weights_dir, weights_fingerprint

if TYPE_CHECKING:
    from photosearch.core.filters import PhotoFilter
    from photosearch.core.indexer import Indexer
    from photosearch.core.search import Searcher, SearchResult
    from photosearch.core.thumbnails import ThumbnailCache
    from photosearch.core.vector_store import VectorStore
    from photosearch.core.watcher import Watcher
    from photosearch.model.encoder import Encoder
    from photosearch.model.text_tower import TextTower

log = logging.getLogger(__name__)

__all__ = ["FolderStats", "IndexProgress", "Library", "LibraryBusy", "LibraryError", "PhotoInfo", "SearchResult"]


def __getattr__(name: str) -> Any:
    if name == "SearchResult":  # from search.py, which imports numpy: not at `import photosearch.core.library`
        from photosearch.core.search import SearchResult

        return SearchResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

@dataclass(frozen=True)
class FolderStats:
    """One library folder as `status` and the folders dialog show it."""

    path: str
    photos: int
    online: bool  # the folder exists now (an unplugged drive keeps its photos in the library)
    watched: bool


@dataclass(frozen=True)
class PhotoInfo:
    """What the details pane shows about one photo."""

    path: str
    size: int  # bytes
    mtime: float  # seconds since the epoch
    captured: dt.datetime | None  # EXIF DateTimeOriginal, naive local time
    width: int | None
    height: int | None


class Library:
    """A photo library in `data_dir`: the catalog, the vector index and the model that fills them.

    Safe to use from several threads at once (index in one, search in another, thumbnails in a pool).
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, device: str | None = None,
                 encoder: Encoder | None = None, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.data_dir = Path(os.path.abspath(Path(data_dir).expanduser() if data_dir is not None
                                             else default_data_dir()))
        self.cache_dir = Path(os.path.abspath(Path(cache_dir).expanduser() if cache_dir is not None
                                              else default_cache_dir()))
        self.device = device
        limit_malloc_arenas()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._encoder = encoder
        self._model_lock = threading.Lock()
        # A given encoder answers text queries too (its weights made the vectors); else the NumPy text tower.
        self._text: Encoder | TextTower | None = encoder
        self._text_lock = threading.Lock()
        # One index run or watcher batch at a time: two diffs racing over the same files would double-count.
        # The thread lock orders this process's writers, the file lock orders processes (two GUIs, a GUI and a
        # `photosearch watch`); readers take neither.
        self._write_lock = threading.Lock()
        self.process_lock = WriteLock(self.data_dir)
        self.notices: list[str] = []  # things the user should hear about (a catalog that had to be replaced)
        recovery.remove_stale_temp_files(self.data_dir)
        opener = recovery.CatalogOpener(self.data_dir, self.process_lock, self.notices)
        self.catalog = opener.open()
        self.read_only = opener.read_only  # the disk is full: the catalog is read as it is, searches work, updates wait
        self.offline = OfflineFolders(self.catalog)  # fed by index runs, the watcher and status; read by search
        # The vector index, the indexer, the searcher and the thumbnails are made on first use: they import numpy,
        # hnswlib and Pillow, which `photosearch status` and `remove` never need (a third of a second).
        self._parts_lock = threading.Lock()
        self._engine: tuple[VectorStore, Indexer, Searcher] | None = None
        self._thumbnails: ThumbnailCache | None = None
        self.last_index_summary: dict[str, Any] = {}
        self._watcher: Watcher | None = None

    # the parts made on first use

    def _engine_parts(self) -> tuple[VectorStore, Indexer, Searcher]:
        engine = self._engine
        if engine is None:
            with self._parts_lock:
                if self._engine is None:
                    from photosearch.core.indexer import Indexer
                    from photosearch.core.search import Searcher
                    from photosearch.core.vector_store import VectorStore

                    store = VectorStore(self.catalog, self.data_dir)
                    self._engine = (store, Indexer(self.catalog, store, self.ensure_model, lambda: self._encoder),
                                    Searcher(self.catalog, store, self.ensure_model, self.offline, self.text_encoder))
                engine = self._engine
        return engine

    @property
    def store(self) -> VectorStore:
        """The vector index kept in step with the catalog."""
        return self._engine_parts()[0]

    @property
    def indexer(self) -> Indexer:
        return self._engine_parts()[1]

    @property
    def searcher(self) -> Searcher:
        return self._engine_parts()[2]

    @property
    def thumbnails(self) -> ThumbnailCache:
        with self._parts_lock:
            if self._thumbnails is None:
                from photosearch.core.thumbnails import ThumbnailCache

                self._thumbnails = ThumbnailCache(self.cache_dir / "thumbnails")
            return self._thumbnails

    # the model

    def ensure_model(self) -> Encoder:
        """The encoder, loaded on first use (thread-safe: concurrent callers wait for the one load)."""
        encoder = self._encoder
        if encoder is not None:
            return encoder
        with self._model_lock:
            if self._encoder is None:
                # Imported here: loading the model imports torch, which `status` and `remove` never need.
                from photosearch.model.encoder import load_model

                try:
                    self._encoder = load_model(device=self.device)
                except (OSError, ValueError, KeyError, RuntimeError) as error:
                    raise LibraryError(f"cannot load the model: {error}") from error
            return self._encoder

    def text_encoder(self) -> Encoder | TextTower:
        """What turns a text query into a vector: the bundled weights' text tower in NumPy, loaded in a few
        milliseconds without torch, or the full encoder when these weights need torch for their text tower."""
        text = self._text
        if text is not None:
            return text
        with self._text_lock:
            if self._text is None:
                from photosearch.model.text_tower import TextTowerUnavailable, load_text_tower

                try:
                    self._text = load_text_tower(bundled_weights_dir())
                except TextTowerUnavailable:
                    self._text = self.ensure_model()
                except (OSError, ValueError, KeyError) as error:
                    raise LibraryError(f"cannot load the model: {error}") from error
            return self._text

    @property
    def model_ready(self) -> bool:
        return self._encoder is not None

    @property
    def device_name(self) -> str | None:
        return self._encoder.describe_device() if self._encoder is not None else None

    def _device_type(self) -> str:
        if self._encoder is not None:
            return self._encoder.device.type
        # Found without torch where it can be (status would otherwise wait seconds for torch to import).
        from photosearch.model.device_probe import probe_device

        probed = probe_device(self.device)
        if probed is not None:
            return probed
        from photosearch.model.encoder import pick_device

        try:
            return pick_device(self.device).type
        except RuntimeError:
            return str(self.device)

    def _model_fingerprint(self) -> str | None:
        if self._encoder is not None:
            source = self._encoder.source
            return weights_fingerprint(source) or f"{self._encoder.config.name}/{self._encoder.dim}"
        return weights_fingerprint(bundled_weights_dir())

    def _check_model(self) -> None:
        """When the model changed since the vectors were made, drop them so this run embeds everything again."""
        fingerprint = self._model_fingerprint()
        if fingerprint is None:
            return
        stored = self.catalog.get_meta("model")
        if stored != fingerprint:
            if stored is not None:
                dropped = self.catalog.forget_vectors()
                self.store.forget()
                log.info("the model changed: %d photos will be embedded again", dropped)
            self.catalog.set_meta("model", fingerprint)

    # the catalog file

    def _writable(self) -> None:
        if self.read_only:
            raise LibraryError(f"cannot update the library in {self.data_dir}: "
                               f"{recovery.disk_full(self.data_dir) or 'the disk was full when it was opened'}; "
                               "free some space and try again (searching still works)")

    def _try_lock(self) -> bool:
        return recovery.try_lock(self.process_lock)

    def _save_folders(self) -> None:
        recovery.save_folders(self.data_dir, self.folders())

    # folders

    def add_folder(self, path: str | os.PathLike[str]) -> str:
        folder = normalise(path)
        if not os.path.isdir(folder):
            raise LibraryError(f"not a folder: {path}")
        self._writable()
        self.catalog.add_folder(folder)
        online.remember(self.catalog, folder)
        self._save_folders()
        self._folders_changed()
        return folder

    def remove_folder(self, path: str | os.PathLike[str]) -> None:
        folder = normalise(path)
        known = [f for f, _ in self.catalog.folders()]
        if folder not in known:
            raise LibraryError(f"not a library folder: {path}")
        self._writable()
        # No write lock: a running index() must not block the caller (often the GUI thread); the indexer
        # drops photos of folders that are gone when it commits its next batch.
        self.catalog.remove_folder(folder, known)
        self._save_folders()
        if self._engine is not None:  # else no index is loaded that could still hold the photos
            self.indexer.store_catch_up()
        self._folders_changed()

    def folders(self) -> list[str]:
        return [f for f, _ in self.catalog.folders()]

    def folder_stats(self) -> list[FolderStats]:
        folders = self.catalog.folders()
        there = {f: online.folder_online(self.catalog, f) for f, _ in folders}
        self.offline.update(f for f, here in there.items() if not here)  # looked anyway: searches profit
        return [FolderStats(f, self.catalog.count_under(f), there[f], watched) for f, watched in folders]

    def check_folders(self) -> list[str]:
        """Look at the disk for which library folders are there now, so that searches know without looking;
        returns the online ones. Index runs call it, and the watcher every second while it runs."""
        return self.offline.check()

    def _online_roots(self) -> list[str]:
        return self.check_folders()

    def _folders_changed(self) -> None:
        if self._watcher is not None:
            self._watcher.refresh_folders()  # checks the folders as it goes
        else:
            self.check_folders()

    # indexing

    def index(self, cancel: threading.Event | None = None) -> Iterator[IndexProgress]:
        """Bring the library up to date, yielding progress; stopping early (cancel, close) keeps the work done.

        While another process updates the same library this waits its turn, yielding "waiting" events whose
        `path` names that process. A write that fails (a full disk) raises LibraryError saying what failed;
        everything committed before it stays in the catalog.
        """
        self._writable()
        with self._write_lock:
            while not self._try_lock():
                yield IndexProgress(0, 0, self.process_lock.holder(), "waiting")
                if cancel is not None and cancel.wait(0.25):
                    return
                time.sleep(0.25)
            try:
                from photosearch.core.hnsw_index import INDEX_FILE, STAMP_FILE

                recovery.remove_stale_temp_files(self.data_dir, (INDEX_FILE, STAMP_FILE))
                started = time.monotonic()
                counts = RunCounts()
                roots = self._online_roots()
                try:
                    try:
                        self._check_model()
                        recovery.repair_catalog(self.catalog, roots, self.notices)
                        scope = self._scope(roots)
                        offline = {f: self.catalog.count_under(f) for f in self.folders() if f not in roots}
                        yield from self.indexer.run(scope, cancel, counts)
                        self._retire_renamed(offline, counts)
                    finally:
                        try:
                            self.last_index_summary = self._summary(counts, roots, time.monotonic() - started)
                        except CatalogError as summary_error:  # the run's own error, if any, is the one to raise
                            log.warning("no summary of this index run: %s", summary_error)
                    self._save_index_or_raise()
                except BaseException as error:  # also GeneratorExit (the caller stopped early): keep the work
                    try:
                        self._save_index_or_raise()
                    except LibraryError as save_error:  # logged; the error that stopped the run is raised
                        log.warning("%s", save_error)
                    if isinstance(error, (CatalogIOError, OSError)):
                        raise self._storage_error(error) from error
                    raise
            finally:
                self.process_lock.release()
        total = counts.added + counts.updated + len(counts.skipped_paths)
        yield IndexProgress(total, total, "", "done", skipped=len(self.last_index_summary["skipped"]))

    def _retire_renamed(self, offline: dict[str, int], counts: RunCounts) -> None:
        """An offline folder whose photos all moved during this run (to a folder indexed under its new name) and
        whose path is gone was renamed: it leaves the library rather than stay as an empty offline folder."""
        if not counts.moved:
            return
        for folder, had in offline.items():
            if had and not os.path.lexists(folder) and not self.catalog.ids_under([folder]):
                self.catalog.remove_folder(folder, self.folders())
                notice = f"{folder} is gone and all its {had} photos were found in another library folder, which " \
                         "kept their vectors; it was removed from the library"
                log.info("%s", notice)
                self.notices.append(notice)
                self._save_folders()
                self._folders_changed()

    def _storage_error(self, error: CatalogIOError | OSError) -> LibraryError:
        full = recovery.disk_full(self.data_dir)
        because = f" ({full})" if full else ""
        if isinstance(error, CatalogIOError):
            return LibraryError(f"cannot write the catalog {self.catalog.path}: {error}{because}; the photos "
                                "indexed before this error are kept")
        return LibraryError(f"cannot save the vector index in {self.data_dir}: {error.strerror or error}{because}; "
                            "the catalog is intact and the index will be rebuilt from it")

    def _save_index_or_raise(self) -> None:
        """Write the vector index when this process holds the write lock or can take it now (else skip: the
        writer saves it, and a reader's copy is only a cache). Raises LibraryError when the write fails."""
        if self._encoder is None or self.read_only or not self._try_lock():
            return
        try:
            self.store.save()
        except OSError as error:
            log.warning("could not save the vector index: %s", error)
            raise self._storage_error(error) from error
        finally:
            self.process_lock.release()

    def save_index(self) -> None:
        """Save the vector index now if it moved on (the watcher does this now and then); failures are logged."""
        try:
            self._save_index_or_raise()
        except LibraryError as error:  # a cache: the next start rebuilds it from the catalog
            log.warning("%s", error)

    def _scope(self, roots: list[str], only: list[str] | None = None) -> Scope:
        """All of the library folders `roots`, or `only` some paths below them (what file events touched)."""
        outermost = outermost_folders(roots)

        def scan() -> Iterable[scanner.FoundFile]:
            if only is not None:
                return scanner.scan_paths(only)
            # Nested library folders are walked once, as part of the outer one: no photo twice.
            return itertools.chain.from_iterable(scanner.walk(r) for r in outermost)

        def offline_photos() -> dict[str, Any]:
            return self.catalog.photos_under([f for f in self.folders() if f not in roots])

        return Scope(roots if only is None else only, scan, lambda p: covering_root(p, outermost),
                     lambda folder: online.folder_online(self.catalog, folder), offline_photos)

    def _summary(self, counts: RunCounts, roots: list[str], seconds: float) -> dict[str, Any]:
        skipped = [s for s in self.catalog.skipped() if any(is_within(s["path"], r) for r in roots)]
        return {"added": counts.added, "updated": counts.updated, "moved": counts.moved, "removed": counts.removed,
                "unchanged": counts.unchanged, "skipped": skipped, "photos": self.catalog.photo_count(),
                "seconds": round(seconds, 3), "device": self._device_type()}

    def apply_changes(self, paths: Iterable[str]) -> bool:
        """Bring just these paths (files or folders, e.g. from file events) up to date; True when something changed."""
        roots = self._online_roots()
        wanted = sorted({normalise_file(p) for p in paths})
        wanted = [p for p in wanted if any(is_within(p, r) and not hidden_below(p, r) for r in roots)]
        if not wanted:
            return False
        self._writable()
        with self._write_lock:
            if not recovery.wait_for_lock(self.process_lock, timeout=1.0):
                raise LibraryBusy(f"{self.process_lock.holder()} is updating this library")
            try:
                self._check_model()
                counts = RunCounts()
                before = self.catalog.generation()
                for _ in self.indexer.run(self._scope(roots, only=wanted), None, counts):
                    pass
                return self.catalog.generation() != before
            finally:
                self.process_lock.release()

    def status(self) -> dict[str, Any]:
        """What `photosearch status` shows: folders, counts, skipped files, device and model (no model load)."""
        return {
            "data_dir": str(self.data_dir),
            "folders": [dataclasses.asdict(f) for f in self.folder_stats()],
            "photos": self.photo_count(),
            "skipped": self.skipped_files(),
            "device": self.device_name or self._device_type(),
            "model": self._model_description(),
            "schema_version": self.catalog.schema_version(),
        }

    def _model_description(self) -> str:
        if self._encoder is not None:
            return f"{self._encoder.config.name} ({self._encoder.source})"
        directory = bundled_weights_dir()
        try:
            name = json.loads((directory / "config.json").read_text(encoding="utf-8")).get("name", "?")
        except (OSError, ValueError, AttributeError):
            return f"not found in {directory}"
        return f"{name} ({directory})"

    def skipped_files(self) -> list[dict[str, str]]:
        return self.catalog.skipped()

    def photo_count(self) -> int:
        return self.catalog.photo_count()

    # searching

    def search(self, query: str, k: int = 20, rerank: int = 0, where: PhotoFilter | None = None, *,
               progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> list[SearchResult]:
        """The k best photos for `query`; `rerank` > 0 re-orders the best `rerank` with ADAPT (slower: each of
        them is read and run through the image backbone again). LibraryError when there are no ADAPT weights.
        `where` limits the answers to a folder and a range of dates taken. While re-ranking, `progress(done,
        total)` is called after each photo, and `cancelled()` turning true stops it with SearchCancelled."""
        if not rerank:
            return self.searcher.search(query, k, where=where)
        from photosearch.model.adapt import AdaptUnavailable

        try:
            return self.searcher.search(query, k, rerank, where=where, progress=progress, cancelled=cancelled)
        except AdaptUnavailable as error:
            raise LibraryError(f"cannot re-rank: {error}") from error

    def search_image(self, path: str | os.PathLike[str], k: int = 20, keep_query: bool = False,
                     where: PhotoFilter | None = None) -> list[SearchResult]:
        """The k photos most like the one at `path`; the photo itself is left out unless `keep_query`."""
        return self.searcher.search_image(os.fspath(path), k, keep_query, where)

    # single photos

    def photo_info(self, path: str | os.PathLike[str]) -> PhotoInfo | None:
        """Size, dates and dimensions of a photo (from the catalog when indexed, else from the file)."""
        name = normalise_file(path)
        try:
            st = os.stat(name)
        except OSError:
            return None
        row = self.catalog.details(name)
        if row is not None and row.size == st.st_size and row.mtime_ns == st.st_mtime_ns:
            captured = dt.datetime.fromtimestamp(row.captured) if row.captured_exif and row.captured else None
            return PhotoInfo(name, st.st_size, st.st_mtime, captured, row.width, row.height)
        from photosearch.core import imageio

        try:
            width, height, captured = imageio.read_header(name)
        except UnreadableImage as error:
            log.info("no details for %s: %s", name, error)
            return None
        return PhotoInfo(name, st.st_size, st.st_mtime, captured, width, height)

    def explain_available(self) -> bool:
        """Whether the model has ADAPT weights, so `explain` and re-ranking work (loads the model)."""
        return bool(self.ensure_model().has_adapt)

    def explain(self, path: str | os.PathLike[str], query: str) -> Any:
        """"Why this photo?": a numpy (h, w) float32 heat-map in [0, 1] over the whole photo, highest where the
        query's focal points are (ADAPT's attention over the backbone's regions, recomputed now, ~0.1 s).

        Raises LibraryError when the model has no ADAPT weights, the query has a photo in it (ADAPT reads text
        queries), or the photo cannot be read; QueryError for an empty query.
        """
        from photosearch.core import focus
        from photosearch.core.query import parse_query
        from photosearch.model.adapt import AdaptUnavailable

        terms = parse_query(query)
        if any(t.is_path for t in terms):
            raise LibraryError("focal points are shown for text queries only")
        encoder = self.ensure_model()
        try:
            return focus.heatmap(encoder, os.fspath(path), self.searcher.query_vector(terms, encoder))
        except AdaptUnavailable as error:
            raise LibraryError(f"cannot show focal points: {error}") from error
        except UnreadableImage as error:
            raise LibraryError(f"cannot read {os.fspath(path)}: {error}") from error

    def thumbnail(self, path: str | os.PathLike[str], size: int = 256) -> Path | None:
        return self.thumbnails.thumbnail(path, size)

    # following changes

    def watch(self, on_change: Callable[[], None] | None = None, *, force_polling: bool = False) -> None:
        """Follow changes under the library folders in background threads until `stop_watching()`."""
        from photosearch.core.watcher import Watcher

        if self._watcher is not None:
            self._watcher.on_change = on_change
            return
        self._watcher = Watcher(self.check_folders, self.apply_changes, self.save_index, self.notices.append,
                                on_change, force_polling=force_polling)
        self._watcher.start()

    @property
    def watcher(self) -> Watcher | None:
        """The running watcher (its folders and their kind of watch, its last error), None when not watching."""
        return self._watcher

    def stop_watching(self) -> None:
        """Stop following changes (watch() starts again); the library stays open."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()

    def close(self) -> None:
        """Stop watching, save the vector index and close the catalog (cancel a running index() first)."""
        self.stop_watching()
        # Wait for a running index() or watcher batch to finish its transaction, but never hang an exiting app.
        locked = self._write_lock.acquire(timeout=30)
        try:
            self.save_index()  # a cache: failing to write it costs a rebuild at the next start, not an error now
        finally:
            if locked:
                self._write_lock.release()
        self.catalog.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
