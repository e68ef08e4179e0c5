"""The exceptions of the library, all under one root (PhotoSearchError): a caller catches that one to report any."""

from __future__ import annotations

import sqlite3


class PhotoSearchError(Exception):
    """Something the user asked for cannot be done; str(error) says why in words a user understands."""


class QueryError(PhotoSearchError, ValueError):
    """The query cannot be answered (empty, only a weight, a missing photo)."""


class UnreadableImage(PhotoSearchError):
    """The file is not a photo we can decode; str(error) is the reason shown to the user."""


class CatalogError(PhotoSearchError):
    """The catalog file cannot be used (e.g. written by a newer PhotoSearch)."""


class CatalogCorrupt(CatalogError):
    """sqlite's own check found the catalog file damaged."""


class CatalogIOError(CatalogError):
    """sqlite could not read or write the catalog (a lock held too long, a full disk, an I/O error)."""

    def __init__(self, message: str, sqlite_errorcode: int = 0) -> None:
        super().__init__(message)
        self.sqlite_errorcode = sqlite_errorcode


class LibraryError(PhotoSearchError):
    """An operation the user asked for cannot be done; str(error) says why."""


class LibraryBusy(LibraryError):
    """Another process is updating this library right now."""


class SearchCancelled(PhotoSearchError):
    """The caller cancelled a search while it ran (a re-ranking, when a newer query came)."""


def is_corruption(error: BaseException) -> bool:
    """True for "file is not a database" and "database disk image is malformed", not for a locked or full one."""
    if isinstance(error, CatalogCorrupt):
        return True
    code = getattr(error, "sqlite_errorcode", 0) or 0
    return (code & 0xFF) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def catalog_error(error: sqlite3.Error) -> CatalogError:
    """The catalog's exception for an error sqlite raised: CatalogCorrupt for a damaged file, else CatalogIOError."""
    if is_corruption(error):
        return CatalogCorrupt(str(error))
    return CatalogIOError(str(error), getattr(error, "sqlite_errorcode", 0) or 0)


__all__ = ["CatalogCorrupt", "CatalogError", "CatalogIOError", "LibraryBusy", "LibraryError", "PhotoSearchError",
           "QueryError", "SearchCancelled", "UnreadableImage", "catalog_error", "is_corruption"]
