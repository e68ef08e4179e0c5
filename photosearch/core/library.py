"""The Library facade: what the GUI and the CLI call (folders, index, search, watch, thumbnails, details)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photosearch.core import atomicfile, imageio, online, scanner
from photosearch.core.catalog import CATALOG_FILE, Catalog, CatalogCorrupt, CatalogError, is_corruption, key_path
from photosearch.core.filters import PhotoFilter
from photosearch.core.indexer import Indexer, IndexProgress, RunCounts, Scope, covering_root
from photosearch.core.malloc import limit_malloc_arenas
from photosearch.core.offline import OfflineFolders
from photosearch.core.paths import default_cache_dir, default_data_dir, is_within, normalise, normalise_file
from photosearch.core.search import Searcher, SearchResult
from photosearch.core.thumbnails import ThumbnailCache
from photosearch.core.vectors import INDEX_FILE, STAMP_FILE, VectorIndex
from photosearch.core.vectorstore import VectorStore
from photosearch.core.writelock import WriteLock

if TYPE_CHECKING:
    from photosearch.core.watcher import Watcher
    from photosearch.model.encoder import Encoder
    from photosearch.model.text_tower import TextTower

log = logging.getLogger(__name__)

__all__ = ["FolderStats", "IndexProgress", "Library", "LibraryBusy", "LibraryError", "PhotoInfo", "SearchResult"]

# The library folders, also kept outside the catalog: if the catalog file is ever damaged beyond reading,
# a new one starts with the user's folders rather than with nothing.
FOLDERS_FILE = "folders.json"


class LibraryError(Exception):
    """An operation the user asked for cannot be done; str(error) says why."""


class LibraryBusy(LibraryError):
    """Another process is updating this library right now."""


@dataclass(frozen=True)
class FolderStats:
    path: str
    photos: int
    online: bool  # the folder exists now (an unplugged drive keeps its photos in the library)
    watched: bool


@dataclass(frozen=True)
class PhotoInfo:
    path: str
    size: int  # bytes
    mtime: float  # seconds since the epoch
    captured: dt.datetime | None  # EXIF DateTimeOriginal, naive local time
    width: int | None
    height: int | None


def _weights_fingerprint(directory: Path | None) -> str | None:
    """Identifies the model that made the stored vectors; vectors from another model are meaningless."""
    if directory is None:
        return None
    digest = hashlib.blake2b(digest_size=16)
    try:
        for name in ("config.json", "model.safetensors"):
            with open(Path(directory) / name, "rb") as handle:
                for block in iter(lambda h=handle: h.read(1 << 20), b""):
                    digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


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
        self.read_only = False  # the disk is full: the catalog is read as it is, searches work, updates wait
        _remove_stale_temp_files(self.data_dir)
        self.catalog = self._open_catalog()
        self.store = VectorStore(self.catalog, self.data_dir)
        self.indexer = Indexer(self.catalog, self.store, self.ensure_model, lambda: self._encoder)
        self.offline = OfflineFolders(self.catalog)  # fed by index runs, the watcher and status; read by search
        self.searcher = Searcher(self.catalog, self.store, self.ensure_model, self.offline, self.text_encoder)
        self.thumbnails = ThumbnailCache(self.cache_dir / "thumbnails")
        self.last_index_summary: dict[str, Any] = {}
        self._watcher: Watcher | None = None

    # the model

    def ensure_model(self) -> Encoder:
        """The encoder, loaded on first use (thread-safe: concurrent callers wait for the one load)."""
        encoder = self._encoder
        if encoder is not None:
            return encoder
        with self._model_lock:
            if self._encoder is None:
                import photosearch

                try:
                    self._encoder = photosearch.load_model(device=self.device)
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
                from photosearch.model.weights import bundled_weights_dir

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
            return _weights_fingerprint(source) or f"{self._encoder.config.name}/{self._encoder.dim}"
        from photosearch.model.weights import bundled_weights_dir

        return _weights_fingerprint(bundled_weights_dir())

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

    def _open_catalog(self) -> Catalog:
        """The catalog; a damaged one is moved aside and replaced, once, with a clear notice (never a crash loop)."""
        path = self.data_dir / CATALOG_FILE
        try:
            catalog = Catalog(path)
        except (sqlite3.DatabaseError, OSError) as error:
            if isinstance(error, sqlite3.DatabaseError) and is_corruption(error):
                return self._replace_damaged_catalog(path, error)
            full = disk_full(self.data_dir)
            if full is None or not path.is_file() or path.stat().st_size == 0:
                raise
            return self._open_read_only(path, full, error)
        try:
            catalog.check_integrity()
        except (sqlite3.DatabaseError, CatalogCorrupt) as error:
            catalog.close()
            if isinstance(error, sqlite3.DatabaseError) and not is_corruption(error):
                raise
            return self._replace_damaged_catalog(path, error)
        if catalog.created:
            self._adopt_lost_catalog(catalog)
        return catalog

    def _open_read_only(self, path: Path, full: str, error: Exception) -> Catalog:
        """A full disk: sqlite cannot open a WAL database for reading without room for its -shm file, so the
        catalog is read as it stands on disk. Searching and status work; anything that writes says why not."""
        try:
            catalog = Catalog(path, read_only=True)
        except (sqlite3.Error, CatalogError) as read_error:
            raise LibraryError(f"cannot open the catalog {path}: {full} ({error}; read-only: {read_error})") from error
        self.read_only = True
        unmerged = os.path.exists(f"{path}-wal") and os.path.getsize(f"{path}-wal") > 0
        unseen = "; the latest changes (still in the -wal file) are not seen" if unmerged else ""
        notice = (f"{full}: the library is open read-only, searching works but nothing can be indexed or saved "
                  f"until there is free space{unseen}")
        log.warning("%s", notice)
        self.notices.append(notice)
        return catalog

    def _writable(self) -> None:
        if self.read_only:
            raise LibraryError(f"cannot update the library in {self.data_dir}: "
                               f"{disk_full(self.data_dir) or 'the disk was full when it was opened'}; "
                               "free some space and try again (searching still works)")

    def _try_lock(self) -> bool:
        """The process lock without waiting; a lock file that cannot be used is a LibraryError saying why."""
        try:
            return self.process_lock.try_acquire()
        except OSError as error:
            what = ("it is a folder, not a file; remove it (it holds nothing) and try again"
                    if isinstance(error, IsADirectoryError) else (error.strerror or str(error)))
            raise LibraryError(f"cannot use the lock file {self.process_lock.path}: {what}") from error

    def _lock(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self._try_lock():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    def _adopt_lost_catalog(self, catalog: Catalog) -> None:
        """A catalog created just now where one existed (deleted, or emptied: sqlite takes an empty file for a new
        database, so no damage check can fire): start it with the folders of folders.json and say so."""
        folders = self._saved_folders()
        index_left = (self.data_dir / INDEX_FILE).exists() or (self.data_dir / STAMP_FILE).exists()
        if not folders and not index_left:
            return  # a new library
        for folder in folders:
            catalog.add_folder(folder)
        notice = (f"the catalog {catalog.path} was missing or empty, but this library had "
                  f"{len(folders)} folder{'s' if len(folders) != 1 else ''} (in {FOLDERS_FILE})"
                  f"{' and a vector index' if index_left else ''}; a new catalog was started with "
                  f"{'those folders' if folders else 'no folders'}, whose photos will be indexed again"
                  f"{' (the old index file is kept until then)' if index_left else ''}")
        log.warning("%s", notice)
        self.notices.append(notice)

    def _replace_damaged_catalog(self, path: Path, error: Exception) -> Catalog:
        if not self._lock(timeout=60):
            raise LibraryError(f"the catalog {path} is damaged ({error}) and {self.process_lock.holder()} "
                               "holds the library; close it and try again")
        try:
            with contextlib.suppress(sqlite3.DatabaseError, CatalogCorrupt):  # another process replaced it already
                catalog = Catalog(path)
                try:
                    catalog.check_integrity()
                except BaseException:
                    catalog.close()
                    raise
                return catalog
            folders = sorted(set(_salvage_folders(path)) | set(self._saved_folders()))
            aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                os.replace(path, aside)
                for suffix in ("-wal", "-shm"):
                    if os.path.exists(f"{path}{suffix}"):
                        os.replace(f"{path}{suffix}", f"{aside}{suffix}")
            except OSError as move_error:
                raise LibraryError(f"the catalog {path} is damaged ({error}) and cannot be moved aside: "
                                   f"{move_error.strerror or move_error}") from error
            VectorIndex.remove_files(self.data_dir)
            catalog = Catalog(path)
            for folder in folders:
                catalog.add_folder(folder)
        finally:
            self.process_lock.release()
        notice = (f"the catalog {path} was damaged ({error}); it was kept as {aside.name} and a new one started "
                  f"with {len(folders)} library folder{'s' if len(folders) != 1 else ''}, whose photos will be "
                  "indexed again")
        log.warning("%s", notice)
        self.notices.append(notice)
        return catalog

    def _saved_folders(self) -> list[str]:
        try:
            folders = json.loads((self.data_dir / FOLDERS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [f for f in folders if isinstance(f, str)] if isinstance(folders, list) else []

    def _save_folders(self) -> None:
        try:
            atomicfile.write_text(self.data_dir / FOLDERS_FILE, json.dumps(self.folders(), ensure_ascii=True))
        except OSError as error:  # only a spare copy: the catalog holds the folders
            log.warning("cannot write %s: %s", FOLDERS_FILE, error)

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
                _remove_stale_temp_files(self.data_dir, (INDEX_FILE, STAMP_FILE))
                started = time.monotonic()
                counts = RunCounts()
                roots = self._online_roots()
                try:
                    try:
                        self._check_model()
                        self._repair_catalog(roots)
                        scope = self._scope(roots)
                        offline = {f: self.catalog.count_under(f) for f in self.folders() if f not in roots}
                        yield from self.indexer.run(scope, cancel, counts)
                        self._retire_renamed(offline, counts)
                    finally:
                        with contextlib.suppress(sqlite3.Error):
                            self.last_index_summary = self._summary(counts, roots, time.monotonic() - started)
                    self._save_index()
                except BaseException as error:  # also GeneratorExit (the caller stopped early): keep the work
                    with contextlib.suppress(LibraryError):
                        self._save_index()
                    if isinstance(error, (sqlite3.Error, OSError)):
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

    def _repair_catalog(self, roots: list[str]) -> None:
        """What every index run checks before its diff (holding the write lock): photos below no library folder
        go, vectors that fail their checksum are dropped so this run embeds those photos again, and the online
        folders' device and mount state is recorded for telling an unmounted drive from an emptied folder."""
        orphans = self.catalog.sweep_orphans()
        if orphans:
            log.warning("removed %d photos that belonged to no library folder", orphans)
        damaged = self.catalog.drop_damaged_vectors()
        if damaged:
            notice = (f"{len(damaged)} stored vector{'s were' if len(damaged) != 1 else ' was'} damaged in the "
                      f"catalog {self.catalog.path} (e.g. {damaged[0]}); {'they are' if len(damaged) != 1 else 'it is'}"
                      " embedded again")
            log.warning("%s", notice)
            self.notices.append(notice)
        for root in roots:
            online.remember(self.catalog, root)

    def _storage_error(self, error: sqlite3.Error | OSError) -> LibraryError:
        full = disk_full(self.data_dir)
        because = f" ({full})" if full else ""
        if isinstance(error, sqlite3.Error):
            return LibraryError(f"cannot write the catalog {self.catalog.path}: {error}{because}; the photos "
                                "indexed before this error are kept")
        return LibraryError(f"cannot save the vector index in {self.data_dir}: {error.strerror or error}{because}; "
                            "the catalog is intact and the index will be rebuilt from it")

    def _save_index(self) -> None:
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
        with contextlib.suppress(LibraryError):
            self._save_index()

    def _scope(self, roots: list[str], only: list[str] | None = None) -> Scope:
        """All of the library folders `roots`, or `only` some paths below them (what file events touched)."""
        outermost = [r for r in roots if not any(o != r and is_within(r, o) for o in roots)]

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
        wanted = [p for p in wanted if any(is_within(p, r) and not _hidden_below(p, r) for r in roots)]
        if not wanted:
            return False
        self._writable()
        with self._write_lock:
            if not self._lock(timeout=1.0):
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
        from photosearch.model.weights import bundled_weights_dir

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

    def search(self, query: str, k: int = 20, rerank: int = 0, where: PhotoFilter | None = None) -> list[SearchResult]:
        """The k best photos for `query`; `rerank` > 0 re-orders the best `rerank` with ADAPT (slower: each of
        them is read and run through the image backbone again). LibraryError when there are no ADAPT weights.
        `where` limits the answers to a folder and a range of dates taken."""
        if not rerank:
            return self.searcher.search(query, k, where=where)
        from photosearch.model.adapt import AdaptUnavailable

        try:
            return self.searcher.search(query, k, rerank, where=where)
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
        try:
            from PIL import Image

            with Image.open(name) as image:
                width, height = image.size
                if int(image.getexif().get(imageio.ORIENTATION, 1)) in (5, 6, 7, 8):
                    width, height = height, width
        except Exception:
            return None
        return PhotoInfo(name, st.st_size, st.st_mtime, imageio.read_capture_date(name), width, height)

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
        except imageio.UnreadableImage as error:
            raise LibraryError(f"cannot read {os.fspath(path)}: {error}") from error

    def thumbnail(self, path: str | os.PathLike[str], size: int = 256) -> Path | None:
        return self.thumbnails.thumbnail(path, size)

    # following changes

    def watch(self, on_change: Callable[[], None] | None = None, *, force_polling: bool = False) -> None:
        """Follow changes under the library folders in background threads until `stop()`."""
        from photosearch.core.watcher import Watcher

        if self._watcher is not None:
            self._watcher.on_change = on_change
            return
        self._watcher = Watcher(self, on_change, force_polling=force_polling)
        self._watcher.start()

    @property
    def watching(self) -> bool:
        return self._watcher is not None

    def stop(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()

    def close(self) -> None:
        """Stop watching, save the vector index and close the catalog (cancel a running index() first)."""
        self.stop()
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


def disk_full(folder: Path) -> str | None:
    """"the disk holding FOLDER (mounted at M) is full (N bytes free)" when it has less than sqlite needs to open
    a database (its -shm file), else None."""
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):  # AttributeError: Windows has no statvfs
        return None
    free = st.f_bavail * st.f_frsize
    if free >= FULL_BELOW:
        return None
    mount = Path(os.path.abspath(folder))
    while not os.path.ismount(mount) and mount.parent != mount:
        mount = mount.parent
    return f"the disk holding {folder} (mounted at {mount}) is full ({free:,} bytes free)"


# Less free space than this is "full": sqlite's -shm file alone takes 32 KiB, a catalog write a few pages.
FULL_BELOW = 1 << 20


def _salvage_folders(path: Path) -> list[str]:
    """The library folders a damaged catalog still gives away (often the folders table survives)."""
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            return [key_path(row[0]) for row in conn.execute("SELECT path FROM folders")]
        finally:
            conn.close()
    except (sqlite3.Error, ValueError):
        return []


def _remove_stale_temp_files(folder: Path, targets: Iterable[str] | None = None) -> None:
    """Temp files of a process killed while saving (they never become the real file, only take space).

    Those of `targets` are removed whatever their age (call it holding the write lock: no live process writes
    them then); any other is removed once a day old, when no save can still be under way.
    """
    prefixes = tuple(f".{name}." for name in targets or ())
    cutoff = time.time() - 24 * 3600
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith(".") and entry.name.endswith(atomicfile.TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    if entry.name.startswith(prefixes) or entry.stat().st_mtime < cutoff:
                        os.remove(entry.path)


def _hidden_below(path: str, root: str) -> bool:
    """A path inside a hidden folder or a hidden file (editors' temp files) below a library folder."""
    relative = os.path.relpath(path, root)
    return any(part.startswith(".") for part in Path(relative).parts if part != ".")
