"""Which library folders are offline (an unplugged drive, an unmounted share), known between queries."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from photosearch.core.catalog import Catalog
from photosearch.core.online import folder_online

# How old the offline set may get before a query looks at the disk itself. The watcher looks every second
# while it runs and every index run looks too, so then a query never does; without them (a `photosearch
# search` process, a library nobody watches) a query looks at most this often instead of at every keystroke.
MAX_AGE_S = 2.0


class OfflineFolders:
    """The library folders that are offline now and the ids of their photos, for search to leave out.

    Photos of an offline folder stay in the library (the drive comes back) but are not offered as results a
    click could not open. Finding them costs a stat per folder and a catalog query, too much for every query;
    so the set is kept here, fed by what looks at the disk anyway (`check()`: index runs, the watcher's folder
    check, status), and a query reads it without I/O unless it is older than MAX_AGE_S.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._lock = threading.Lock()
        self._offline: frozenset[str] = frozenset()
        self._checked: float | None = None  # time.monotonic() of the last check; None: never checked
        self._ids: frozenset[int] = frozenset()
        self._ids_for: tuple[frozenset[str], int] | None = None  # (offline folders, catalog generation) of _ids

    def check(self) -> list[str]:
        """Look at the disk (online.folder_online per library folder), record the offline ones; returns the rest."""
        folders = [folder for folder, _ in self.catalog.folders()]
        online = [folder for folder in folders if folder_online(self.catalog, folder)]
        self.update(set(folders).difference(online))
        return online

    def update(self, offline: Iterable[str]) -> None:
        """Record the folders found offline now (for a caller that checked them itself)."""
        with self._lock:
            self._offline = frozenset(offline)
            self._checked = time.monotonic()

    def folders(self) -> frozenset[str]:
        """The offline folders as last checked; checked again now when that is older than MAX_AGE_S or one of
        them is back (a stat per offline folder, usually none: a returning drive's photos show at once)."""
        with self._lock:
            offline, checked = self._offline, self._checked
        stale = checked is None or time.monotonic() - checked > MAX_AGE_S
        if stale or any(folder_online(self.catalog, f) for f in offline):
            self.check()
            with self._lock:
                offline = self._offline
        return offline

    def hidden_ids(self, generation: int) -> frozenset[int]:
        """Ids of the photos below the offline folders; read from the catalog again only when those folders or
        the catalog's `generation` (which the caller has just read) changed."""
        offline = self.folders()
        if not offline:
            return frozenset()
        with self._lock:
            if self._ids_for == (offline, generation):
                return self._ids
        ids = frozenset(self.catalog.ids_under(sorted(offline)))
        with self._lock:
            self._ids, self._ids_for = ids, (offline, generation)
        return ids
