"""Following changes on disk: watchdog observers feed a debounced queue that a worker applies to the library."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from photosearch.core.errors import LibraryBusy
from photosearch.core.paths import outermost_folders

# Events come in bursts (a copy writes a file in many chunks, a camera import adds hundreds of files):
# wait until the folder has been quiet this long, so one burst becomes one batch.
DEBOUNCE_SECONDS = 0.5
# ...but never hold a batch longer than this, so a folder that never goes quiet is still followed.
MAX_BATCH_DELAY = 1.5
POLL_INTERVAL = 1.0
# How often the worker looks for library folders that vanished or came back (a stat per folder).
FOLDER_CHECK_INTERVAL = 1.0
# How often the worker rewrites the vector index file; other processes catch up from the catalog anyway,
# so the file only saves a little work at the next start.
SAVE_INTERVAL = 30.0

# Event kinds that mean content or names changed; "opened" and "closed_no_write" come from reading files
# (our own indexer reads every photo it embeds) and would otherwise feed back into the queue forever.
RELEVANT_EVENTS = frozenset({"created", "modified", "deleted", "moved", "closed"})

# File systems where inotify/FSEvents do not see changes made by other machines.
NETWORK_FILE_SYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smbfs", "smb3", "ncpfs", "afs", "9p", "fuse.sshfs", "fuse.rclone", "davfs",
    "fuse.s3fs", "fuse.gvfsd-fuse", "glusterfs", "ceph", "lustre",
})

log = logging.getLogger(__name__)


def mount_type(path: str) -> str | None:
    """The file system type of the mount holding `path` (Linux: from /proc/mounts), or None when unknown."""
    if not sys.platform.startswith("linux"):
        return None
    best, best_type = "", None
    try:
        with open("/proc/mounts", encoding="utf-8", errors="replace") as mounts:
            for line in mounts:
                fields = line.split()
                if len(fields) < 3:
                    continue
                mount_point = fields[1].replace("\\040", " ")
                if (path == mount_point or path.startswith(mount_point.rstrip("/") + "/")) and \
                        len(mount_point) > len(best):
                    best, best_type = mount_point, fields[2]
    except OSError:
        return None
    return best_type


def needs_polling(path: str) -> bool:
    """Whether `path` is on a network file system, where file events miss changes made on other machines."""
    return mount_type(path) in NETWORK_FILE_SYSTEMS


class _Enqueue(FileSystemEventHandler):
    """Runs on the observer's thread: it only puts paths on the queue, never touches sqlite or the model."""

    def __init__(self, changes: queue.Queue[str]) -> None:
        self.changes = changes

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in RELEVANT_EVENTS:
            return
        if event.event_type == "modified" and event.is_directory:
            return  # a folder's mtime changing says nothing the events for its files do not
        self.changes.put(os.fsdecode(event.src_path))
        dest = getattr(event, "dest_path", "")
        if dest:
            self.changes.put(os.fsdecode(dest))


class Watcher:
    """Follows the library folders on disk and hands each debounced batch of changed paths to `apply_changes`.

    It knows the library only through callbacks: `online_folders` (which folders are there now), `apply_changes`
    (True when the batch changed something; LibraryBusy while another process writes), `save_index` and
    `notify` (a message for the user).
    """

    def __init__(self, online_folders: Callable[[], list[str]], apply_changes: Callable[[Iterable[str]], bool],
                 save_index: Callable[[], None], notify: Callable[[str], None],
                 on_change: Callable[[], None] | None = None, force_polling: bool = False) -> None:
        self.online_folders = online_folders
        self.apply_changes = apply_changes
        self.save_index = save_index
        self.notify = notify
        self.on_change = on_change
        self.force_polling = force_polling or bool(os.environ.get("PHOTOSEARCH_WATCH_POLLING"))
        self.changes: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()
        self._observers: dict[str, BaseObserver] = {}
        self._watches: dict[str, tuple[str, ObservedWatch]] = {}  # folder -> (observer kind, watch handle)
        self._lock = threading.Lock()
        self._worker = threading.Thread(target=self._run, name="photosearch-watcher", daemon=True)
        self.last_error: str | None = None

    def start(self) -> None:
        self.refresh_folders()
        self._worker.start()

    def watch_kinds(self) -> dict[str, str]:
        """folder -> "native" or "polling"."""
        with self._lock:
            return {folder: kind for folder, (kind, _) in self._watches.items()}

    def _observer(self, kind: str) -> BaseObserver:
        observer = self._observers.get(kind)
        if observer is None:
            observer = PollingObserver(timeout=POLL_INTERVAL) if kind == "polling" else Observer()
            observer.daemon = True
            observer.start()
            self._observers[kind] = observer
        return observer

    def notice(self, message: str) -> None:
        """Tell the user (why a folder is polled); the CLI prints these, the GUI may show them."""
        log.info("%s", message)
        self.notify(message)

    def refresh_folders(self) -> list[str]:
        """Watch exactly the library's online folders (call after adding or removing one).

        Returns the folders that are newly watched. A folder that vanished (unplugged drive, unmounted
        share) is dropped, and watched again when it comes back: the observers stop following a folder
        that disappears, so a watch is never kept for a folder that is not there.
        """
        # Through the library, which also tells its searches which folders are offline now.
        # A folder inside another watched one is already covered by the recursive watch of the outer one.
        wanted = set(outermost_folders(self.online_folders()))
        with self._lock:
            for folder in list(self._watches):
                if folder not in wanted or not self._alive(folder):
                    kind, handle = self._watches.pop(folder)
                    with contextlib.suppress(KeyError, OSError):
                        self._observers[kind].unschedule(handle)
            added = sorted(wanted - set(self._watches))
            for folder in added:
                self._schedule(folder)
        return added

    def _alive(self, folder: str) -> bool:
        """False once the observer gave up on the folder (it vanished, even if it is back by now)."""
        kind, handle = self._watches[folder]
        emitter = getattr(self._observers.get(kind), "_emitter_for_watch", {}).get(handle)
        return emitter is None or emitter.is_alive()

    def _schedule(self, folder: str) -> None:
        handler = _Enqueue(self.changes)
        network = needs_polling(folder)
        if not self.force_polling and not network:
            try:
                self._watches[folder] = ("native", self._observer("native").schedule(handler, folder, recursive=True))
                return
            except OSError as error:
                # Typically the inotify watch or instance limit ("inotify watch limit reached"); polling
                # costs a stat per file per second but always works.
                self.notice(f"cannot follow changes in {folder} with file events ({error.strerror or error}); "
                            f"checking it every {POLL_INTERVAL:g} s instead")
        elif network:
            self.notice(f"{folder} is on a network file system ({mount_type(folder)}), where file events miss "
                        f"changes made elsewhere; checking it every {POLL_INTERVAL:g} s instead")
        try:
            self._watches[folder] = ("polling", self._observer("polling").schedule(handler, folder, recursive=True))
        except OSError as error:  # vanished between the check and now: the next refresh tries again
            log.info("cannot watch %s: %s", folder, error)

    def _next_batch(self) -> set[str]:
        try:
            first = self.changes.get(timeout=0.2)
        except queue.Empty:
            return set()
        batch = {first}
        started = time.monotonic()
        quiet_until = started + DEBOUNCE_SECONDS
        while not self._stop.is_set():
            now = time.monotonic()
            wait = min(quiet_until, started + MAX_BATCH_DELAY) - now
            if wait <= 0:
                break
            try:
                batch.add(self.changes.get(timeout=wait))
                quiet_until = time.monotonic() + DEBOUNCE_SECONDS
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        last_save = last_check = time.monotonic()
        while not self._stop.is_set():
            if time.monotonic() - last_check > FOLDER_CHECK_INTERVAL:
                last_check = time.monotonic()
                self._check_folders()
            batch = self._next_batch()
            if batch and not self._stop.is_set():
                try:
                    changed = self.apply_changes(batch)
                    self.last_error = None
                except LibraryBusy as error:  # another process is indexing: try this batch again after it
                    self.last_error = str(error)
                    for path in batch:
                        self.changes.put(path)
                    self._stop.wait(1.0)
                    changed = False
                except Exception as error:  # keep following changes even if one batch fails
                    log.exception("could not apply file changes")
                    self.last_error = f"{type(error).__name__}: {error}"
                    changed = False
                if changed and self.on_change is not None:
                    try:
                        self.on_change()
                    except Exception:
                        log.exception("on_change callback failed")
            if time.monotonic() - last_save > SAVE_INTERVAL:
                self._save()
                last_save = time.monotonic()
        self._save()

    def _check_folders(self) -> None:
        """Follow folders that went away or came back; what changed while a folder was away is caught up."""
        try:
            returned = self.refresh_folders()
        except Exception:
            log.exception("could not refresh the watched folders")
            return
        for folder in returned:
            self.changes.put(folder)

    def _save(self) -> None:
        try:
            self.save_index()
        except Exception:
            log.exception("could not save the vector index")

    def stop(self) -> None:
        self._stop.set()
        for observer in self._observers.values():
            observer.stop()
        for observer in self._observers.values():
            with contextlib.suppress(RuntimeError):
                observer.join(timeout=5)
        if self._worker.is_alive() and threading.current_thread() is not self._worker:
            self._worker.join(timeout=30)
