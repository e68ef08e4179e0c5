"""Keeping a library usable after damage: opening or replacing its catalog, a full disk, stale temp files, repairs."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

from photosearch.core import atomicfile, online
from photosearch.core.catalog import CATALOG_FILE, Catalog, salvage_folders
from photosearch.core.errors import CatalogCorrupt, CatalogError, CatalogIOError, LibraryError
from photosearch.core.writelock import WriteLock

log = logging.getLogger(__name__)

# The library folders, also kept outside the catalog: if the catalog file is ever damaged beyond reading,
# a new one starts with the user's folders rather than with nothing.
FOLDERS_FILE = "folders.json"

# Less free space than this is "full": sqlite's -shm file alone takes 32 KiB, a catalog write a few pages.
FULL_BELOW = 1 << 20


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


def remove_stale_temp_files(folder: Path, targets: Iterable[str] | None = None) -> None:
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


def saved_folders(data_dir: Path) -> list[str]:
    """The library folders of the spare copy folders.json ([] when it is missing or unreadable)."""
    try:
        folders = json.loads((data_dir / FOLDERS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [f for f in folders if isinstance(f, str)] if isinstance(folders, list) else []


def save_folders(data_dir: Path, folders: list[str]) -> None:
    """Write the spare copy folders.json; a failure is logged, not raised (the catalog holds the folders)."""
    try:
        atomicfile.write_text(data_dir / FOLDERS_FILE, json.dumps(folders, ensure_ascii=True))
    except OSError as error:
        log.warning("cannot write %s: %s", FOLDERS_FILE, error)


def try_lock(lock: WriteLock) -> bool:
    """The process lock without waiting; a lock file that cannot be used is a LibraryError saying why."""
    try:
        return lock.try_acquire()
    except OSError as error:
        what = ("it is a folder, not a file; remove it (it holds nothing) and try again"
                if isinstance(error, IsADirectoryError) else (error.strerror or str(error)))
        raise LibraryError(f"cannot use the lock file {lock.path}: {what}") from error


def wait_for_lock(lock: WriteLock, timeout: float) -> bool:
    """The process lock, waiting up to `timeout` seconds for it; False when another process kept it."""
    deadline = time.monotonic() + timeout
    while not try_lock(lock):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


class CatalogOpener:
    """Opens a library's catalog whatever state it is in: damaged (moved aside, replaced), lost, on a full disk."""

    def __init__(self, data_dir: Path, lock: WriteLock, notices: list[str]) -> None:
        self.data_dir = data_dir
        self.lock = lock
        self.notices = notices  # what the user should hear about is appended here
        self.read_only = False  # set when the disk is full and the catalog could only be opened for reading

    def _notice(self, notice: str) -> None:
        log.warning("%s", notice)
        self.notices.append(notice)

    def open(self) -> Catalog:
        """The catalog; a damaged one is moved aside and replaced, once, with a clear notice (never a crash loop)."""
        path = self.data_dir / CATALOG_FILE
        try:
            catalog = Catalog(path)
        except (CatalogCorrupt, CatalogIOError, OSError) as error:
            if isinstance(error, CatalogCorrupt):
                return self._replace_damaged(path, error)
            full = disk_full(self.data_dir)
            if full is None or not path.is_file() or path.stat().st_size == 0:
                raise
            return self._open_read_only(path, full, error)
        try:
            catalog.check_integrity()
        except CatalogError as error:
            catalog.close()
            if not isinstance(error, CatalogCorrupt):
                raise
            return self._replace_damaged(path, error)
        if catalog.created:
            self._adopt_lost(catalog)
        return catalog

    def _open_read_only(self, path: Path, full: str, error: Exception) -> Catalog:
        """A full disk: sqlite cannot open a WAL database for reading without room for its -shm file, so the
        catalog is read as it stands on disk. Searching and status work; anything that writes says why not."""
        try:
            catalog = Catalog(path, read_only=True)
        except CatalogError as read_error:
            raise LibraryError(f"cannot open the catalog {path}: {full} ({error}; read-only: {read_error})") from error
        self.read_only = True
        unmerged = os.path.exists(f"{path}-wal") and os.path.getsize(f"{path}-wal") > 0
        unseen = "; the latest changes (still in the -wal file) are not seen" if unmerged else ""
        self._notice(f"{full}: the library is open read-only, searching works but nothing can be indexed or saved "
                     f"until there is free space{unseen}")
        return catalog

    def _adopt_lost(self, catalog: Catalog) -> None:
        """A catalog created just now where one existed (deleted, or emptied: sqlite takes an empty file for a new
        database, so no damage check can fire): start it with the folders of folders.json and say so."""
        from photosearch.core.hnsw_index import INDEX_FILE, STAMP_FILE  # hnswlib and numpy: only when needed

        folders = saved_folders(self.data_dir)
        index_left = (self.data_dir / INDEX_FILE).exists() or (self.data_dir / STAMP_FILE).exists()
        if not folders and not index_left:
            return  # a new library
        for folder in folders:
            catalog.add_folder(folder)
        self._notice(f"the catalog {catalog.path} was missing or empty, but this library had "
                     f"{len(folders)} folder{'s' if len(folders) != 1 else ''} (in {FOLDERS_FILE})"
                     f"{' and a vector index' if index_left else ''}; a new catalog was started with "
                     f"{'those folders' if folders else 'no folders'}, whose photos will be indexed again"
                     f"{' (the old index file is kept until then)' if index_left else ''}")

    def _replace_damaged(self, path: Path, error: Exception) -> Catalog:
        if not wait_for_lock(self.lock, timeout=60):
            raise LibraryError(f"the catalog {path} is damaged ({error}) and {self.lock.holder()} "
                               "holds the library; close it and try again")
        try:
            with contextlib.suppress(CatalogCorrupt, CatalogIOError):  # another process replaced it already
                catalog = Catalog(path)
                try:
                    catalog.check_integrity()
                except BaseException:
                    catalog.close()
                    raise
                return catalog
            folders = sorted(set(salvage_folders(path)) | set(saved_folders(self.data_dir)))
            aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                os.replace(path, aside)
                for suffix in ("-wal", "-shm"):
                    if os.path.exists(f"{path}{suffix}"):
                        os.replace(f"{path}{suffix}", f"{aside}{suffix}")
            except OSError as move_error:
                raise LibraryError(f"the catalog {path} is damaged ({error}) and cannot be moved aside: "
                                   f"{move_error.strerror or move_error}") from error
            from photosearch.core.hnsw_index import HnswIndex

            HnswIndex.remove_files(self.data_dir)
            catalog = Catalog(path)
            for folder in folders:
                catalog.add_folder(folder)
        finally:
            self.lock.release()
        self._notice(f"the catalog {path} was damaged ({error}); it was kept as {aside.name} and a new one started "
                     f"with {len(folders)} library folder{'s' if len(folders) != 1 else ''}, whose photos will be "
                     "indexed again")
        return catalog


def repair_catalog(catalog: Catalog, roots: list[str], notices: list[str]) -> None:
    """What every index run checks before its diff (holding the write lock): photos below no library folder
    go, vectors that fail their checksum are dropped so this run embeds those photos again, and the online
    folders' device and mount state is recorded for telling an unmounted drive from an emptied folder."""
    orphans = catalog.sweep_orphans()
    if orphans:
        log.warning("removed %d photos that belonged to no library folder", orphans)
    damaged = catalog.drop_damaged_vectors()
    if damaged:
        notice = (f"{len(damaged)} stored vector{'s were' if len(damaged) != 1 else ' was'} damaged in the "
                  f"catalog {catalog.path} (e.g. {damaged[0]}); {'they are' if len(damaged) != 1 else 'it is'}"
                  " embedded again")
        log.warning("%s", notice)
        notices.append(notice)
    for root in roots:
        online.remember(catalog, root)
