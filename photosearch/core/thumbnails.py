"""Thumbnails: small JPEGs made on demand from the photos and cached on disk, keyed by path, mtime and size."""

from __future__ import annotations

import hashlib
import io
import logging
import os
from pathlib import Path

from PIL import Image

from photosearch.core import atomicfile, imageio

JPEG_QUALITY = 85

log = logging.getLogger(__name__)


class ThumbnailCache:
    """Safe from many threads at once: each thumbnail is written to a temp file and moved into place, so two
    threads making the same one both succeed and a reader never sees half a JPEG."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _key(self, path: str, st: os.stat_result, size: int) -> Path:
        # mtime and file size in the key: an edited photo gets a new thumbnail, the stale one is never served.
        digest = hashlib.blake2b(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{size}".encode(), digest_size=16)
        name = digest.hexdigest()
        return self.folder / name[:2] / f"{name}.jpg"

    def thumbnail(self, path: str | os.PathLike[str], size: int = 256) -> Path | None:
        """A JPEG no larger than size x size, EXIF orientation applied; None when the photo cannot be decoded."""
        path = os.path.abspath(os.fspath(path))
        try:
            st = os.stat(path)
        except OSError:
            return None
        target = self._key(path, st, size)
        if target.is_file():
            return target
        try:
            decoded = imageio.decode(path, min_side=size)
        except imageio.UnreadableImage as error:
            log.debug("no thumbnail for %s: %s", path, error)
            return None
        image = decoded.image
        image.thumbnail((size, size), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=JPEG_QUALITY)
        try:
            atomicfile.write_bytes(target, buffer.getvalue())
        except OSError as error:
            log.warning("cannot write thumbnail %s: %s", target, error)
            return None
        return target
