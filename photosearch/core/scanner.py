"""Finding photo files: walking library folders, recognising images by extension and by their first bytes."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from photosearch.core.paths import normalise_file

IMAGE_EXTENSIONS = frozenset({
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".tif", ".tiff", ".bmp", ".dib", ".gif",
    ".heic", ".heif", ".hif", ".avif",
})

# Folders that hold app or system data rather than photos; descending into them only costs time.
SKIPPED_FOLDERS = frozenset({
    "$recycle.bin", "system volume information", "@eadir", "lost+found", "__pycache__", "node_modules",
    ".thumbnails", ".trash",
})

_ISO_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis")


@dataclass(frozen=True)
class FoundFile:
    """An image file found on disk, with the size and mtime the diff compares."""

    path: str  # absolute, normalised
    size: int
    mtime_ns: int
    # Why a name that looks like a photo is not a file that can be read as one (a named pipe, a link to a device,
    # a link loop): reported among the skipped files, never opened (reading a pipe or /dev/zero never ends).
    problem: str | None = None


def _not_a_file(path: str) -> FoundFile | None:
    """A FoundFile with its `problem` for a photo-named entry that is not a regular file; None for a folder, a
    regular file, or a dangling link (perhaps to a photo on an unplugged drive: not worth a reason)."""
    try:
        link = os.lstat(path)
    except OSError:
        return None
    try:
        st = os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return FoundFile(path, link.st_size, link.st_mtime_ns, "a symbolic link loop (it never reaches a file)")
        return None
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return None
    if stat.S_ISFIFO(st.st_mode):
        kind = "a named pipe (FIFO)"
    elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        kind = "a device"
    elif stat.S_ISSOCK(st.st_mode):
        kind = "a socket"
    else:
        kind = "a special file"
    if stat.S_ISLNK(link.st_mode):
        with contextlib.suppress(OSError):
            kind += f", linked to {os.readlink(path)}"
    return FoundFile(path, link.st_size, link.st_mtime_ns, f"not a regular file: {kind}")


def has_image_extension(path: str) -> bool:
    return os.path.splitext(path)[1].lower() in IMAGE_EXTENSIONS


def sniff_format(head: bytes) -> str | None:
    """The image format the first bytes announce, or None when they are not an image we read."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head.startswith(b"BM"):
        return "BMP"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "TIFF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and head[8:12] in _ISO_BRANDS:
        return "AVIF" if head[8:12] in (b"avif", b"avis") else "HEIF"
    return None


def check_magic(path: str) -> str | None:
    """None when the file starts like an image; otherwise the reason it is not treated as one."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(32)
    except FileNotFoundError:
        return "file not found"
    except OSError as error:
        return f"cannot read: {error.strerror or error}"
    if not head:
        return "empty file"
    if sniff_format(head) is None:
        return "not an image (the content does not match any supported image format)"
    return None


def _is_hidden(entry: os.DirEntry[str]) -> bool:
    if entry.name.startswith("."):
        return True
    attributes = getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0)
    return bool(attributes & getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0))


def walk(folder: str) -> Iterator[FoundFile]:
    """Every file with an image extension under `folder`, recursively, skipping hidden and system folders.

    Symlinked folders are followed once: each real folder is visited at most once, so a link loop ends.
    `folder` should be normalised (paths.normalise); the files keep the names they were found under.
    """
    seen: set[tuple[int, int]] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            info = os.stat(current)
        except OSError:
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen:
            continue
        seen.add(key)
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except OSError:
            continue  # unreadable folder: skip it rather than stop the whole scan
        subfolders = []
        for entry in listed:
            try:
                try:
                    is_dir, is_file = entry.is_dir(), entry.is_file()
                except OSError:  # a link loop: DirEntry raises ELOOP (it swallows only "not found")
                    is_dir = is_file = False
                if is_dir:
                    if not _is_hidden(entry) and entry.name.lower() not in SKIPPED_FOLDERS:
                        subfolders.append(entry.path)
                elif not has_image_extension(entry.name) or entry.name.startswith("."):
                    continue
                elif is_file:
                    st = entry.stat()
                    yield FoundFile(entry.path, st.st_size, st.st_mtime_ns)
                else:
                    odd = _not_a_file(entry.path)
                    if odd is not None:
                        yield odd
            except OSError:
                continue  # vanished while we looked, or a dangling link
        stack.extend(sorted(subfolders, reverse=True))


def stat_file(path: str) -> FoundFile | None:
    """The FoundFile for one path, or None when it is gone, not a regular file or not an image by name."""
    if not has_image_extension(path) or os.path.basename(path).startswith("."):
        return None
    try:
        st = os.stat(path)
    except OSError:
        return _not_a_file(normalise_file(path))
    if not stat.S_ISREG(st.st_mode):
        return _not_a_file(normalise_file(path))
    return FoundFile(normalise_file(path), st.st_size, st.st_mtime_ns)


def scan_paths(paths: Iterable[str]) -> Iterator[FoundFile]:
    """Files named directly, or found under the named folders (what a batch of file events touched)."""
    for path in paths:
        if os.path.isdir(path):
            yield from walk(path)
        else:
            found = stat_file(path)
            if found is not None:
                yield found
