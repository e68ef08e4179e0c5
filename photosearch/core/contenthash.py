"""A photo's identity apart from its name: the hash that lets a moved or renamed file keep its vector."""

from __future__ import annotations

import os

from photosearch.filedigest import blake2b_files

# The whole file is hashed. Hashing only the size and the first and last 64 KiB let two different scans of the
# same size and margins (uncompressed BMP or TIFF) count as one photo, so one inherited the other's vector.
# The hash is read only for files that are embedded (decoded anyway) or that might be a moved photo (same size
# as a vanished one); an unchanged library is never hashed. blake2b runs at about 1 GB/s a core.


def content_hash(path: str | os.PathLike[str]) -> str:
    """The whole file's blake2b digest; raises OSError when it cannot be read."""
    # The size comes first, as before, so files of up to 128 KiB keep the hash the catalog already holds.
    return blake2b_files([path], with_size=True)
