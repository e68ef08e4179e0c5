"""The catalog: the sqlite database that is the source of truth (folders, photos with their vectors, skipped files)."""

from __future__ import annotations

import contextlib
import functools
import inspect
import sqlite3
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from photosearch.core.errors import CatalogCorrupt, CatalogError, CatalogIOError, catalog_error, is_corruption
from photosearch.core.paths import is_within, prefix_range

__all__ = ["CATALOG_FILE", "Catalog", "CatalogCorrupt", "CatalogError", "CatalogIOError", "FolderIdentity",
           "NewPhoto", "PhotoDetails", "PhotoRow", "is_corruption", "key_path", "path_key"]

if TYPE_CHECKING:
    import numpy as np

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

CATALOG_FILE = "catalog.sqlite3"

# Each step takes the schema from version i to i + 1; a step is never edited once released, only appended to.
MIGRATIONS: list[list[str]] = [
    [  # 0 -> 1: folders, photos with vectors, key/value meta
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE folders (path TEXT PRIMARY KEY, added REAL NOT NULL)",
        """CREATE TABLE photos (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL UNIQUE,
            folder TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            hash TEXT NOT NULL,
            captured REAL,
            captured_exif INTEGER NOT NULL DEFAULT 0,
            width INTEGER,
            height INTEGER,
            vector BLOB,
            changed_gen INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX photos_hash ON photos (hash)",
        "CREATE INDEX photos_changed_gen ON photos (changed_gen)",
    ],
    [  # 1 -> 2: skipped files with reasons, a log of removed photos (so other processes can update their
        # index without a rebuild), and a per-folder watch switch
        "CREATE TABLE skipped (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, "
        "reason TEXT NOT NULL)",
        "CREATE TABLE removed (id INTEGER NOT NULL, gen INTEGER NOT NULL)",
        "CREATE INDEX removed_gen ON removed (gen)",
        "ALTER TABLE folders ADD COLUMN watched INTEGER NOT NULL DEFAULT 1",
    ],
    [  # 2 -> 3: what a library folder was when last seen online (device id, whether it was a mount point), so
        # an unmounted drive that leaves an empty folder reads as offline; a checksum per stored vector, so bytes
        # garbled inside the catalog file (which sqlite's own checks cannot see) are found and embedded again
        "ALTER TABLE folders ADD COLUMN device INTEGER",
        "ALTER TABLE folders ADD COLUMN mount INTEGER",
        "ALTER TABLE photos ADD COLUMN vector_crc INTEGER",
    ],
    [  # 3 -> 4: the date taken (EXIF, else the file's time) is searched by range: a filter answers from an index
        "CREATE INDEX photos_captured ON photos (captured)",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)


# File names are bytes on Linux; a name that is not valid UTF-8 reaches Python with lone surrogates
# (os.fsdecode's "surrogateescape") that sqlite cannot store as text. Each such surrogate is stored as a code
# point of Supplementary Private Use Area-A instead: still text, still sorted under its folder, and reversed on
# the way out, so such a photo is indexed like any other.
_ESCAPE_BASE = 0xF0000
_TO_KEY = {0xDC00 + byte: _ESCAPE_BASE + byte for byte in range(0x80, 0x100)}
_FROM_KEY = {value: key for key, value in _TO_KEY.items()}


def path_key(path: str) -> str:
    """The catalog's text for a path (see _ESCAPE_BASE); the path itself when it is valid Unicode."""
    return path if path.isascii() else path.translate(_TO_KEY)


def key_path(key: str) -> str:
    """The path a catalog text stands for (path_key reversed)."""
    return key if key.isascii() else key.translate(_FROM_KEY)


def _sqlite_errors_as_catalog_errors(method: Callable[P, R]) -> Callable[P, R]:
    """The catalog's boundary: what sqlite raises leaves as a CatalogError, so no caller needs to know sqlite."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as error:
            raise catalog_error(error) from error

    return wrapper


def _at_the_boundary(cls: type[T]) -> type[T]:
    """Every public method of `cls` (and its constructor) through _sqlite_errors_as_catalog_errors."""
    for name, value in list(vars(cls).items()):
        if (name == "__init__" or not name.startswith("_")) and inspect.isfunction(value):
            setattr(cls, name, _sqlite_errors_as_catalog_errors(value))
    return cls


@dataclass(frozen=True)
class PhotoRow:
    """A photo as the index diff needs it: identity, file state, whether it has a vector."""

    id: int
    path: str
    size: int
    mtime_ns: int
    hash: str
    has_vector: bool


@dataclass(frozen=True)
class PhotoDetails:
    """A photo as the details pane needs it: size, dates and dimensions."""

    id: int
    path: str
    size: int
    mtime_ns: int
    captured: float | None
    captured_exif: bool
    width: int | None
    height: int | None


@dataclass
class NewPhoto:
    """A photo to insert or update, with its vector."""

    path: str
    folder: str
    size: int
    mtime_ns: int
    hash: str
    captured: float
    captured_exif: bool
    width: int
    height: int
    vector: np.ndarray


# How long a connection waits for another process's write (an index run, a second GUI) before giving up.
BUSY_TIMEOUT_S = 30


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL, waiting for other writers: sqlite answers "database is locked" at once, without its busy
    handler, while another process holds a write on a database not yet in WAL (two first runs at one moment)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


# numpy is imported by the functions that handle vectors, not here: `status` and `remove` never need it.


def _vector_blob(vector: np.ndarray) -> bytes:
    import numpy as np

    return np.ascontiguousarray(vector, dtype=np.float32).tobytes()


def _blob_vector(blob: bytes) -> np.ndarray:
    import numpy as np

    return np.frombuffer(blob, dtype=np.float32)


def vector_crc(blob: bytes) -> int:
    return zlib.crc32(blob)


def usable_vector(vector: np.ndarray) -> bool:
    """Finite, not zero, and no overflow once squared: a vector the index can normalise and score."""
    import numpy as np

    if vector.size == 0 or not np.isfinite(vector).all():
        return False
    norm = float(np.linalg.norm(vector.astype(np.float64)))
    return 1e-6 < norm < 1e6


def _usable_rows(blobs: list[bytes]) -> np.ndarray:
    """usable_vector for many blobs at once (numpy over the whole stack, not a call per vector)."""
    import numpy as np

    ok = np.zeros(len(blobs), dtype=bool)
    by_length: dict[int, list[int]] = {}
    for i, blob in enumerate(blobs):
        if blob is not None and len(blob) and len(blob) % 4 == 0:
            by_length.setdefault(len(blob), []).append(i)
    for length, rows in by_length.items():
        stack = np.frombuffer(b"".join(blobs[i] for i in rows), dtype=np.float32).reshape(len(rows), length // 4)
        wide = stack.astype(np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            norms = np.sqrt(np.einsum("ij,ij->i", wide, wide))
        ok[rows] = np.isfinite(norms) & (norms > 1e-6) & (norms < 1e6)  # a NaN or inf anywhere makes the norm so
    return ok


def _good_rows(rows: Sequence[tuple[Any, ...]]) -> list[bool]:
    """For rows (id, blob, crc, ...): whether each stored vector is trusted, in bulk. upsert_photos stores only
    usable vectors, so a matching checksum is enough; a row from before checksums is checked for usability."""
    ok = [False] * len(rows)
    legacy = []
    for i, (_, blob, crc, *_) in enumerate(rows):
        if blob is None:
            continue
        if crc is None:
            legacy.append(i)
        else:
            ok[i] = vector_crc(blob) == crc
    if legacy:
        for i, usable in zip(legacy, _usable_rows([rows[i][1] for i in legacy]), strict=True):
            ok[i] = bool(usable)
    return ok


def _vector_ok(blob: bytes | None, crc: int | None) -> bool:
    return _good_rows([(0, blob, crc)])[0]


@dataclass(frozen=True)
class FolderIdentity:
    """A library folder as last seen online: its device id and whether it was a mount point."""

    device: int
    mount: bool


@_at_the_boundary
class Catalog:
    """One sqlite file in WAL mode; each thread gets its own connection, every write is one transaction."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        """With `read_only` the file is read as it is on disk, with no lock and no -shm file: for a full disk,
        where sqlite cannot even size the -shm file a WAL reader needs. Writes then fail."""
        self.path = Path(path)
        self.read_only = read_only
        self.created = False
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._closed = False
        if read_only:
            version = self.schema_version()
            if version != SCHEMA_VERSION:
                raise CatalogError(f"{self.path} has schema {version} and cannot be updated to {SCHEMA_VERSION} "
                                   "without writing to it")
        else:
            self._migrate()

    # connections and transactions

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise CatalogError("the catalog is closed")
            # check_same_thread=False only so that close() may close every thread's connection; each connection
            # is otherwise used by the thread that opened it.
            if self.read_only:
                # immutable: no locks and no -shm. Commits still in the -wal file are not seen.
                conn = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro&immutable=1", uri=True,
                                       isolation_level=None, check_same_thread=False)
            else:
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                       check_same_thread=False)
                _enable_wal(conn)
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        # IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading read locks.
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            # sqlite may already have rolled back (a full disk does that), and a COMMIT that failed leaves the
            # transaction open: either way the connection must end up outside a transaction, and the caller
            # must see the first error, not "cannot rollback - no transaction is active".
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    def _migrate(self) -> None:
        with self._transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            # A new database: sqlite takes a missing or emptied file for one, so the library checks this against
            # the files a catalog leaves beside it (folders.json, the index) before trusting an empty catalog.
            self.created = version == 0
            if version > SCHEMA_VERSION:
                raise CatalogError(f"{self.path} was written by a newer PhotoSearch (schema {version}, this one "
                                   f"knows {SCHEMA_VERSION}); update PhotoSearch or use another data dir")
            for step in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[step]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {step + 1}")
            if version == 0:
                conn.execute("INSERT INTO meta VALUES ('generation', '0'), ('catalog_id', ?)", (uuid.uuid4().hex,))

    def check_integrity(self) -> None:
        """Raise CatalogCorrupt when sqlite's quick check finds damage (it reads every page once: fast)."""
        problems = [row[0] for row in self._conn().execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise CatalogCorrupt("; ".join(problems))

    def schema_version(self) -> int:
        return int(self._conn().execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self._closed = True
        with self._connections_lock:
            for conn in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()

    # meta and the generation counter

    def get_meta(self, key: str) -> str | None:
        row = self._conn().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as conn:
            conn.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         (key, value))

    def generation(self) -> int:
        """Grows with every change to the photos; another process compares it to see that it must catch up."""
        return int(self.get_meta("generation") or 0)

    @property
    def catalog_id(self) -> str:
        return self.get_meta("catalog_id") or ""

    @staticmethod
    def _next_generation(conn: sqlite3.Connection) -> int:
        conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
        return int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    # folders

    def add_folder(self, path: str) -> None:
        with self._transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO folders (path, added) VALUES (?, ?)", (path_key(path), time.time()))

    def folder_identity(self, path: str) -> FolderIdentity | None:
        row = self._conn().execute("SELECT device, mount FROM folders WHERE path = ?", (path_key(path),)).fetchone()
        return None if row is None or row[0] is None else FolderIdentity(int(row[0]), bool(row[1]))

    def set_folder_identity(self, path: str, identity: FolderIdentity) -> None:
        if self.folder_identity(path) == identity:
            return  # the common case: no write, so a full disk or a reader never needs one
        with self._transaction() as conn:
            conn.execute("UPDATE folders SET device = ?, mount = ? WHERE path = ?",
                         (identity.device, int(identity.mount), path_key(path)))

    def sample_paths_under(self, folder: str, n: int) -> list[str]:
        """Up to 2n photo paths below `folder`: the first and the last n by name (both from the path index)."""
        lo, hi = prefix_range(path_key(folder))
        conn = self._conn()
        paths = []
        for order in ("ASC", "DESC"):
            paths += [key_path(r[0]) for r in conn.execute(
                f"SELECT path FROM photos WHERE path >= ? AND path < ? ORDER BY path {order} LIMIT ?", (lo, hi, n))]
        return list(dict.fromkeys(paths))

    def folders(self) -> list[tuple[str, bool]]:
        return [(key_path(p), bool(w))
                for p, w in self._conn().execute("SELECT path, watched FROM folders ORDER BY path")]

    def remove_folder(self, path: str, still_covered: Sequence[str]) -> list[int]:
        """Forget a folder and the photos below it that no other library folder covers; returns removed ids."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM folders WHERE path = ?", (path_key(path),))
            rows = self._rows_under(conn, "photos", "id, path", [path])
            keep = [f for f in still_covered if f != path]
            doomed = [(pid, p) for pid, p in rows if not any(is_within(p, f) for f in keep)]
            skipped = self._rows_under(conn, "skipped", "path, path", [path])
            conn.executemany("DELETE FROM skipped WHERE path = ?",
                             [(path_key(p),) for _, p in skipped if not any(is_within(p, f) for f in keep)])
            if doomed:
                self._delete_ids(conn, [pid for pid, _ in doomed])
            return [pid for pid, _ in doomed]

    @staticmethod
    def _rows_under(conn: sqlite3.Connection, table: str, columns: str,
                   folders: Iterable[str]) -> list[tuple[Any, ...]]:
        """Rows below (or at) these paths; every column named `path` comes back as the path, not its key."""
        rows: list[tuple[Any, ...]] = []
        path_columns = [i for i, name in enumerate(columns.split(",")) if name.strip() == "path"]
        for folder in folders:
            key = path_key(folder)
            lo, hi = prefix_range(key)
            for row in conn.execute(f"SELECT {columns} FROM {table} WHERE (path >= ? AND path < ?) OR path = ?",
                                    (lo, hi, key)):
                if not all(row[i].isascii() for i in path_columns):
                    row = tuple(key_path(v) if i in path_columns else v for i, v in enumerate(row))
                rows.append(row)
        return rows

    # reading photos

    def photos_under(self, folders: Iterable[str]) -> dict[str, PhotoRow]:
        conn = self._conn()
        return {r[1]: PhotoRow(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in self._rows_under(
            conn, "photos", "id, path, size, mtime_ns, hash, vector IS NOT NULL", folders)}

    def ids_under(self, folders: Iterable[str]) -> list[int]:
        return [row[0] for row in self._rows_under(self._conn(), "photos", "id", folders)]

    def skipped_under(self, folders: Iterable[str]) -> dict[str, tuple[int, int, str]]:
        return {r[0]: (r[1], r[2], r[3]) for r in self._rows_under(
            self._conn(), "skipped", "path, size, mtime_ns, reason", folders)}

    def skipped(self) -> list[dict[str, str]]:
        rows = self._conn().execute("SELECT path, reason FROM skipped ORDER BY path")
        return [{"path": key_path(p), "reason": r} for p, r in rows]

    def vector_of(self, path: str) -> np.ndarray | None:
        """The stored vector, or None when there is none or it fails its checksum (see drop_damaged_vectors)."""
        row = self._conn().execute("SELECT vector, vector_crc FROM photos WHERE path = ?",
                                   (path_key(path),)).fetchone()
        return None if row is None or not _vector_ok(row[0], row[1]) else _blob_vector(row[0]).copy()

    def paths_of(self, ids: Iterable[int]) -> dict[int, str]:
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {i: key_path(p) for i, p in self._conn().execute(f"SELECT id, path FROM photos WHERE id IN ({marks})",
                                                                ids)}

    def details(self, path: str) -> PhotoDetails | None:
        row = self._conn().execute(
            "SELECT id, path, size, mtime_ns, captured, captured_exif, width, height FROM photos WHERE path = ?",
            (path_key(path),)).fetchone()
        return None if row is None else PhotoDetails(row[0], key_path(row[1]), row[2], row[3], row[4], bool(row[5]),
                                                     row[6], row[7])

    def photo_count(self, with_vector: bool = True) -> int:
        where = " WHERE vector IS NOT NULL" if with_vector else ""
        return int(self._conn().execute(f"SELECT COUNT(*) FROM photos{where}").fetchone()[0])

    def count_under(self, folder: str) -> int:
        lo, hi = prefix_range(path_key(folder))
        return int(self._conn().execute(
            "SELECT COUNT(*) FROM photos WHERE path >= ? AND path < ? AND vector IS NOT NULL", (lo, hi)).fetchone()[0])

    def ids_matching(self, folder: str | None, after: float | None, before: float | None) -> np.ndarray:
        """Ids of the photos with vectors below `folder` and taken in [after, before) (None: no limit)."""
        where: list[str] = ["vector IS NOT NULL"]
        args: list[str | float] = []
        if folder is not None:
            lo, hi = prefix_range(path_key(folder))
            where.append("path >= ? AND path < ?")
            args += [lo, hi]
        if after is not None:
            where.append("captured >= ?")
            args.append(after)
        if before is not None:
            where.append("captured < ?")
            args.append(before)
        rows = self._conn().execute(f"SELECT id FROM photos WHERE {' AND '.join(where)}", args).fetchall()
        import numpy as np

        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def all_vectors(self) -> tuple[np.ndarray, np.ndarray, int]:
        """(ids, vectors, generation) read in one snapshot, for rebuilding the vector index."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            gen = int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
            rows = conn.execute("SELECT id, vector, vector_crc FROM photos WHERE vector IS NOT NULL").fetchall()
        finally:
            conn.execute("COMMIT")
        # A garbled vector never reaches the index (it would score NaN or drown every other photo); the next
        # index run embeds its photo again.
        return _stack([(pid, blob) for (pid, blob, _), ok in zip(rows, _good_rows(rows), strict=True) if ok], gen)

    def changes_since(self, generation: int) -> tuple[np.ndarray, np.ndarray, list[int], int]:
        """What changed after `generation`: (ids, vectors) to add or replace, ids to drop, the current generation."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            gen = int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
            rows = conn.execute("SELECT id, vector, vector_crc FROM photos WHERE changed_gen > ?",
                                (generation,)).fetchall()
            gone = [r[0] for r in conn.execute("SELECT id FROM removed WHERE gen > ?", (generation,))]
        finally:
            conn.execute("COMMIT")
        good = [(pid, blob) for (pid, blob, _), ok in zip(rows, _good_rows(rows), strict=True) if ok]
        kept = {pid for pid, _ in good}
        gone += [pid for pid, _, _ in rows if pid not in kept]
        ids, vectors, _ = _stack(good, gen)
        return ids, vectors, gone, gen

    # writing photos (each call is one transaction and one new generation)

    def upsert_photos(self, photos: Sequence[NewPhoto], within_folders: bool = False) -> list[int]:
        """Insert or replace photos with their vectors; returns their ids in order.

        With `within_folders`, photos below no library folder are left out, judged inside the write transaction:
        a folder removed while an index run was embedding its photos (the GUI does not wait) stays removed.
        """
        if not photos:
            return []
        pairs = [(p, _vector_blob(p.vector)) for p in photos]
        unusable = [p.path for (p, _), ok in zip(pairs, _usable_rows([b for _, b in pairs]), strict=True) if not ok]
        if unusable:  # the catalog holds only vectors the index can score (NaN would poison every search)
            raise ValueError(f"not a usable vector (not finite, or zero) for {unusable[0]}")
        with self._transaction() as conn:
            if within_folders:
                live = [key_path(r[0]) for r in conn.execute("SELECT path FROM folders")]
                pairs = [(p, b) for p, b in pairs if any(is_within(p.path, f) for f in live)]
                if not pairs:
                    return []
            gen = self._next_generation(conn)
            ids = []
            for p, blob in pairs:
                key = path_key(p.path)
                conn.execute("DELETE FROM skipped WHERE path = ?", (key,))
                row = conn.execute(
                    """INSERT INTO photos (path, folder, size, mtime_ns, hash, captured, captured_exif, width, height,
                                           vector, changed_gen, vector_crc)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT(path) DO UPDATE SET folder = excluded.folder, size = excluded.size,
                         mtime_ns = excluded.mtime_ns, hash = excluded.hash, captured = excluded.captured,
                         captured_exif = excluded.captured_exif, width = excluded.width, height = excluded.height,
                         vector = excluded.vector, changed_gen = excluded.changed_gen, vector_crc = excluded.vector_crc
                       RETURNING id""",
                    (key, path_key(p.folder), p.size, p.mtime_ns, p.hash, p.captured, int(p.captured_exif), p.width,
                     p.height, blob, gen, vector_crc(blob))).fetchone()
                ids.append(int(row[0]))
            return ids

    def move_photo(self, photo_id: int, new_path: str, folder: str, size: int, mtime_ns: int) -> None:
        """A renamed or moved file: same row, same vector, new path (no model call)."""
        new_path, folder = path_key(new_path), path_key(folder)
        with self._transaction() as conn:
            overwritten = [r[0] for r in conn.execute("SELECT id FROM photos WHERE path = ? AND id != ?",
                                                      (new_path, photo_id))]
            if overwritten:  # moved onto another photo: that one is gone, and other processes must hear of it
                self._delete_ids(conn, overwritten)
            gen = self._next_generation(conn)
            conn.execute("DELETE FROM skipped WHERE path = ?", (new_path,))
            conn.execute("UPDATE photos SET path = ?, folder = ?, size = ?, mtime_ns = ?, changed_gen = ? "
                         "WHERE id = ?", (new_path, folder, size, mtime_ns, gen, photo_id))

    def delete_photos(self, ids: Sequence[int]) -> None:
        if ids:
            with self._transaction() as conn:
                self._delete_ids(conn, list(ids))

    def _delete_ids(self, conn: sqlite3.Connection, ids: list[int]) -> None:
        gen = self._next_generation(conn)
        conn.executemany("DELETE FROM photos WHERE id = ?", [(i,) for i in ids])
        conn.executemany("INSERT INTO removed (id, gen) VALUES (?, ?)", [(i, gen) for i in ids])

    def drop_damaged_vectors(self) -> list[str]:
        """Forget the vectors that fail their checksum or are not usable, so the next index run embeds those photos
        again; rows from before checksums that pass get theirs now. Returns the paths concerned (a writer's job:
        it reads every vector, about 20 ms per 10,000 photos)."""
        conn = self._conn()
        cursor = conn.execute("SELECT id, vector, vector_crc FROM photos WHERE vector IS NOT NULL")
        bad_ids, unsummed = [], []
        while rows := cursor.fetchmany(4096):
            for (pid, blob, crc), ok in zip(rows, _good_rows(rows), strict=True):
                if not ok:
                    bad_ids.append(pid)
                elif crc is None:
                    unsummed.append((vector_crc(blob), pid))
        bad = sorted(self.paths_of(bad_ids).items())
        if bad or unsummed:
            with self._transaction() as conn:
                if unsummed:
                    conn.executemany("UPDATE photos SET vector_crc = ? WHERE id = ? AND vector_crc IS NULL",
                                     unsummed)
                if bad:
                    gen = self._next_generation(conn)
                    conn.executemany("UPDATE photos SET vector = NULL, vector_crc = NULL, changed_gen = ? WHERE id = ?",
                                     [(gen, pid) for pid, _ in bad])
        return [path for _, path in bad]

    def sweep_orphans(self) -> int:
        """Delete photos and skipped entries below no library folder (left by a folder removed mid-run by an
        older version); returns how many photos went."""
        with self._transaction() as conn:
            folders = [r[0] for r in conn.execute("SELECT path FROM folders")]
            ranges = [prefix_range(f) for f in folders]
            inside = " OR ".join(["(path >= ? AND path < ?) OR path = ?"] * len(ranges)) or "0"
            params = [v for (lo, hi), f in zip(ranges, folders, strict=True) for v in (lo, hi, f)]
            orphans = [r[0] for r in conn.execute(f"SELECT id FROM photos WHERE NOT ({inside})", params)]
            conn.execute(f"DELETE FROM skipped WHERE NOT ({inside})", params)
            if orphans:
                self._delete_ids(conn, orphans)
            return len(orphans)

    def forget_vectors(self) -> int:
        """Drop every vector (the model changed); the photos stay and are embedded again by the next index run."""
        with self._transaction() as conn:
            gen = self._next_generation(conn)
            return conn.execute("UPDATE photos SET vector = NULL, changed_gen = ? WHERE vector IS NOT NULL",
                                (gen,)).rowcount

    def set_skipped(self, entries: Sequence[tuple[str, int, int, str]], within_folders: bool = False) -> None:
        """Record files that could not be read as (path, size, mtime_ns, reason); they leave the photos table.
        With `within_folders`, entries below no library folder are left out (see upsert_photos)."""
        if not entries:
            return
        keyed = [(path_key(p), size, mtime_ns, reason) for p, size, mtime_ns, reason in entries]
        with self._transaction() as conn:
            if within_folders:
                live = [r[0] for r in conn.execute("SELECT path FROM folders")]
                keyed = [e for e in keyed if any(is_within(e[0], f) for f in live)]
            gone = [r[0] for p, *_ in keyed for r in conn.execute("SELECT id FROM photos WHERE path = ?", (p,))]
            if gone:
                self._delete_ids(conn, gone)
            conn.executemany("INSERT INTO skipped VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
                             "size = excluded.size, mtime_ns = excluded.mtime_ns, reason = excluded.reason", keyed)

    def clear_skipped(self, paths: Iterable[str]) -> None:
        keys = [(path_key(p),) for p in paths]
        if keys:
            with self._transaction() as conn:
                conn.executemany("DELETE FROM skipped WHERE path = ?", keys)


def salvage_folders(path: Path) -> list[str]:
    """The library folders a damaged catalog file still gives away (often the folders table survives)."""
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            return [key_path(row[0]) for row in conn.execute("SELECT path FROM folders")]
        finally:
            conn.close()
    except (sqlite3.Error, ValueError):
        return []


def _stack(rows: list[tuple[int, bytes]], gen: int) -> tuple[np.ndarray, np.ndarray, int]:
    import numpy as np

    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32), gen
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    vectors = np.stack([_blob_vector(r[1]) for r in rows])
    return ids, vectors, gen
