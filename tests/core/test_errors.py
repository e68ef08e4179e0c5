"""errors: one root exception; the old import paths still work; sqlite errors leave the catalog as CatalogErrors."""

from __future__ import annotations

import pytest

from photosearch.core import catalog, errors, imageio, library, query
from photosearch.core.catalog import Catalog, NewPhoto


def test_every_exception_of_the_library_is_a_photosearch_error():
    for error in (errors.QueryError, errors.UnreadableImage, errors.CatalogError, errors.CatalogCorrupt,
                  errors.CatalogIOError, errors.LibraryError, errors.LibraryBusy):
        assert issubclass(error, errors.PhotoSearchError)
    assert issubclass(errors.QueryError, ValueError)  # callers that caught ValueError still do
    assert issubclass(errors.LibraryBusy, errors.LibraryError) and issubclass(errors.CatalogCorrupt,
                                                                              errors.CatalogError)


def test_the_old_import_paths_name_the_same_classes():
    assert query.QueryError is errors.QueryError and imageio.UnreadableImage is errors.UnreadableImage
    assert catalog.CatalogError is errors.CatalogError and catalog.CatalogCorrupt is errors.CatalogCorrupt
    assert library.LibraryError is errors.LibraryError and library.LibraryBusy is errors.LibraryBusy


def test_a_file_that_is_not_a_database_is_catalog_corrupt(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    path.write_bytes(b"this is not an sqlite file at all" * 200)
    with pytest.raises(errors.CatalogCorrupt):
        Catalog(path)


def test_a_write_sqlite_refuses_is_a_catalog_io_error(tmp_path):
    cat = Catalog(tmp_path / "catalog.sqlite3")
    cat.add_folder(str(tmp_path))
    conn = cat._conn()  # the one way to make sqlite answer "full" without filling a disk
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    import numpy as np

    photos = [NewPhoto(str(tmp_path / f"p{i}.jpg"), str(tmp_path), 1, 1, "h" * 300, 0.0, False, 1, 1,
                       np.ones(256, np.float32)) for i in range(200)]
    with pytest.raises(errors.CatalogIOError, match="full") as raised:
        cat.upsert_photos(photos)
    assert not errors.is_corruption(raised.value)
    cat.close()
