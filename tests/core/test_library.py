"""The issue's integration test: index drawn photos, then rename, change, delete and add files; rebuild the index."""

from __future__ import annotations

import os

import pytest

from photosearch.core.hnsw_index import INDEX_FILE


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _delete(path):
    path.unlink()


def _on_disk(folder):
    return {str(p) for p in folder.rglob("*.jpg") if p.stat().st_size > 0 and not p.name.startswith("bad")}


def test_index_then_follow_renames_changes_deletions_and_additions(tmp_path, make_library, counting_encoder,
                                                                   photo_factory):
    photos = [photo_factory(f"{'sub/' if i % 3 == 0 else ''}p{i}.jpg", seed=i) for i in range(10)]
    folder = tmp_path / "photos"
    (folder / "bad-empty.jpg").write_bytes(b"")
    (folder / "bad-text.jpg").write_text("not a photo")
    truncated = photos[0].read_bytes()
    (folder / "bad-truncated.jpg").write_bytes(truncated[: len(truncated) // 2])
    (folder / "notes.txt").write_text("ignored: not an image name")

    library = make_library(encoder=counting_encoder)
    assert library.add_folder(folder) == str(folder.resolve())
    events = list(library.index())
    assert all(e.done <= e.total for e in events if e.phase == "embedding")
    assert events[-1].phase == "done" and events[-1].done == events[-1].total
    summary = library.last_index_summary
    assert (summary["added"], summary["photos"], summary["removed"]) == (10, 10, 0)
    reasons = {os.path.basename(s["path"]): s["reason"] for s in summary["skipped"]}
    assert set(reasons) == {"bad-empty.jpg", "bad-text.jpg", "bad-truncated.jpg"}
    assert reasons["bad-empty.jpg"] == "empty file" and "truncated" in reasons["bad-truncated.jpg"]
    assert library.skipped_files() == summary["skipped"]
    assert counting_encoder.images_embedded == 10

    for photo in photos:
        first = library.search_image(photo, k=3, keep_query=True)[0]
        assert first.path == str(photo) and first.score == pytest.approx(1.0, abs=1e-3) and not first.weak

    # rename one, redraw one, delete one, add one
    renamed = folder / "renamed.jpg"
    os.rename(photos[1], renamed)
    photo_factory("p2.jpg", seed=99, size=(200, 150))
    photos[4].unlink()
    added = photo_factory("sub/new.jpg", seed=50)
    counting_encoder.images_embedded = 0
    list(library.index())
    summary = library.last_index_summary
    assert {k: summary[k] for k in ("added", "updated", "moved", "removed", "unchanged", "photos")} == {
        "added": 1, "updated": 1, "moved": 1, "removed": 1, "unchanged": 7, "photos": 10}
    assert counting_encoder.images_embedded == 2  # the move cost no model call

    everything = library.search("anything", k=100)
    assert {r.path for r in everything} == _on_disk(folder)
    assert library.search_image(renamed, k=1, keep_query=True)[0].path == str(renamed)
    assert library.search_image(added, k=1, keep_query=True)[0].path == str(added)
    assert len(library.store.current(counting_encoder.dim)) == library.photo_count() == 10

    counting_encoder.images_embedded = 0
    list(library.index())
    assert library.last_index_summary["added"] == 0 and library.last_index_summary["unchanged"] == 10
    assert counting_encoder.images_embedded == 0


@pytest.mark.parametrize("damage", [_delete, _truncate])
def test_a_missing_or_broken_index_is_rebuilt_from_the_catalog_without_embedding(tmp_path, make_library,
                                                                                 counting_encoder, photo_factory,
                                                                                 damage):
    photos = [photo_factory(f"p{i}.jpg", seed=i) for i in range(6)]
    library = make_library(encoder=counting_encoder)
    library.add_folder(tmp_path / "photos")
    list(library.index())
    library.close()
    damage(tmp_path / "data" / INDEX_FILE)

    counting_encoder.images_embedded = 0
    reopened = make_library(encoder=counting_encoder)
    assert reopened.search_image(photos[3], k=1, keep_query=True)[0].path == str(photos[3])
    assert reopened.store.rebuilds == 1 and counting_encoder.images_embedded == 0
    list(reopened.index())
    assert reopened.last_index_summary["unchanged"] == 6 and counting_encoder.images_embedded == 0


def test_photo_info_thumbnail_and_folder_stats(tmp_path, make_library, photo_factory):
    photo = photo_factory("a.jpg", size=(320, 200))
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    info = library.photo_info(photo)
    assert (info.path, info.size, info.width, info.height, info.captured) == (
        str(photo), photo.stat().st_size, 320, 200, None)
    assert info.mtime == pytest.approx(photo.stat().st_mtime)
    outside = photo_factory("../elsewhere.png", size=(30, 40))
    assert (library.photo_info(outside).width, library.photo_info(outside).height) == (30, 40)
    assert library.photo_info(tmp_path / "nope.jpg") is None
    thumb = library.thumbnail(photo, 64)
    assert thumb is not None and thumb.is_relative_to(tmp_path / "cache")
    (stats,) = library.folder_stats()
    assert (stats.path, stats.photos, stats.online, stats.watched) == (str((tmp_path / "photos").resolve()), 1,
                                                                      True, True)


def test_model_loads_lazily_once_from_photosearch_weights(tmp_path, monkeypatch, tiny_model_dir):
    from photosearch.core.library import Library

    monkeypatch.setenv("PHOTOSEARCH_WEIGHTS", str(tiny_model_dir))
    library = Library(tmp_path / "data", device="cpu", cache_dir=tmp_path / "cache")
    assert not library.model_ready and library.device_name is None
    encoder = library.ensure_model()
    assert library.ensure_model() is encoder and library.model_ready and library.device_name == "CPU"
    library.close()


def test_missing_weights_are_a_library_error(tmp_path, monkeypatch):
    from photosearch.core.library import Library, LibraryError

    monkeypatch.setenv("PHOTOSEARCH_WEIGHTS", str(tmp_path / "no-model"))
    library = Library(tmp_path / "data", cache_dir=tmp_path / "cache")
    with pytest.raises(LibraryError, match="cannot load the model"):
        library.ensure_model()
    library.close()
