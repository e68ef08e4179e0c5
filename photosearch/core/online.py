"""Whether a library folder is there now: an unmounted drive leaves an empty folder behind, not an empty library."""

from __future__ import annotations

import os
import stat

from photosearch.core.catalog import Catalog, FolderIdentity

# How many of a folder's photos (the first and the last by name) are looked for before it is judged by its
# device and contents: one found is enough, so an online folder usually costs one stat of the folder and one of
# a photo.
SAMPLE = 4


def identity(folder: str) -> FolderIdentity | None:
    """The folder's device id and whether it is a mount point now; None when it is not a folder."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    return FolderIdentity(st.st_dev, os.path.ismount(folder))


def folder_online(catalog: Catalog, folder: str) -> bool:
    """True when `folder` holds this library's photos now, so that a photo missing from it is really deleted.

    A folder is offline when it is missing, and also when it is there but none of the photos the catalog knows
    in it are, and it is either on another device than when last seen, no longer the mount point it was, or
    empty: that is what an unmounted drive, an unplugged card or a folder recreated under the same name looks
    like, and taking it for an emptied folder would forget every photo on it.
    """
    now = identity(folder)
    if now is None:
        return False
    sample = catalog.sample_paths_under(folder, SAMPLE)
    if not sample or any(os.path.lexists(path) for path in sample):
        return True  # nothing of ours to lose, or our photos are there
    recorded = catalog.folder_identity(folder)
    if recorded is not None and (now.device != recorded.device or (recorded.mount and not now.mount)):
        return False
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is not None
    except OSError:
        return False  # cannot even be listed: treat as not there rather than as empty


def remember(catalog: Catalog, folder: str) -> None:
    """Record the folder's device and mount state as they are now (call it when the folder is known online)."""
    now = identity(folder)
    if now is not None:
        catalog.set_folder_identity(folder, now)
