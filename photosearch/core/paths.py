"""Where the app keeps its files (data, cache, config) and how folder and photo paths are normalised."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

APP_NAME = "PhotoSearch"
DATA_DIR_ENV = "PHOTOSEARCH_DATA_DIR"


def default_data_dir() -> Path:
    """The catalog and index: $PHOTOSEARCH_DATA_DIR, else the per-user data dir."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import appdirs

    return Path(appdirs.user_data_dir(APP_NAME, appauthor=False))


def default_cache_dir() -> Path:
    """Thumbnails: things that can be thrown away and made again."""
    import appdirs

    return Path(appdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_config_dir() -> Path:
    import appdirs

    return Path(appdirs.user_config_dir(APP_NAME, appauthor=False))


def normalise(path: str | os.PathLike[str]) -> str:
    """An absolute path with `~`, `..` and doubled separators resolved; symlinked folders are resolved too.

    Resolving makes the same folder reached by two names one library folder; a photo keeps the name it
    was found under (see `normalise_file`), so a folder of symlinks to photos stays browsable.
    """
    return os.path.normcase(str(Path(os.path.expanduser(os.fspath(path))).resolve()))


def normalise_file(path: str | os.PathLike[str]) -> str:
    """An absolute, normalised path for a photo, without following symlinks (cheap: no file system calls)."""
    return os.path.normcase(os.path.abspath(os.path.expanduser(os.fspath(path))))


def is_within(path: str, folder: str) -> bool:
    """True when `path` is `folder` itself or lies below it (both normalised)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def outermost_folders(folders: Iterable[str]) -> list[str]:
    """The folders that lie inside no other of `folders` (a nested library folder is covered by its outer one)."""
    folders = list(dict.fromkeys(folders))
    return [f for f in folders if not any(o != f and is_within(f, o) for o in folders)]


def covering_root(path: str, roots: Iterable[str]) -> str:
    """The outermost of the library folders `roots` that holds `path` (nested folders share the outer one's photos);
    the photo's own folder when none does."""
    holders = [root for root in roots if is_within(path, root)]
    return min(holders, key=len) if holders else os.path.dirname(path)


def hidden_below(path: str, root: str) -> bool:
    """A path inside a hidden folder or a hidden file (editors' temp files) below the folder `root`."""
    relative = os.path.relpath(path, root)
    return any(part.startswith(".") for part in Path(relative).parts if part != ".")


def prefix_range(folder: str) -> tuple[str, str]:
    """The half-open string range [lo, hi) that holds every path strictly below `folder`.

    Used as `path >= lo AND path < hi` so sqlite can answer "photos under this folder" from the path index.
    """
    base = folder.rstrip(os.sep) + os.sep
    return base, base[:-1] + chr(ord(os.sep) + 1)
