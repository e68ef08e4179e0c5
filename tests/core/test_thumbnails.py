"""thumbnails: made on demand, oriented, cached by path+mtime+size, safe from many threads."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from photosearch.core.imageio import ORIENTATION
from photosearch.core.thumbnails import ThumbnailCache


def test_thumbnail_is_a_small_jpeg_in_the_cache(tmp_path, photo_factory):
    photo = photo_factory("a.png", size=(640, 480))
    thumb = ThumbnailCache(tmp_path / "cache").thumbnail(photo, 128)
    assert thumb is not None and thumb.is_relative_to(tmp_path / "cache")
    with Image.open(thumb) as image:
        assert image.format == "JPEG" and image.size == (128, 96)


def test_cached_until_the_photo_changes(tmp_path, photo_factory):
    cache = ThumbnailCache(tmp_path / "cache")
    photo = photo_factory("a.jpg", seed=1)
    first = cache.thumbnail(photo, 64)
    assert cache.thumbnail(photo, 64) == first
    assert cache.thumbnail(photo, 32) != first
    photo_factory("a.jpg", seed=2, size=(100, 100))
    os.utime(photo, ns=(1, 1))
    assert cache.thumbnail(photo, 64) != first


def test_orientation_is_applied(tmp_path):
    exif = Image.Exif()
    exif[ORIENTATION] = 8
    Image.new("RGB", (200, 100), "red").save(tmp_path / "r.jpg", exif=exif)
    with Image.open(ThumbnailCache(tmp_path / "cache").thumbnail(tmp_path / "r.jpg", 100)) as image:
        assert image.size == (50, 100)


def test_undecodable_or_missing_gives_none(tmp_path):
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    cache = ThumbnailCache(tmp_path / "cache")
    assert cache.thumbnail(tmp_path / "bad.jpg") is None
    assert cache.thumbnail(tmp_path / "missing.jpg") is None


def test_many_threads_asking_for_the_same_thumbnails(tmp_path, photo_factory):
    cache = ThumbnailCache(tmp_path / "cache")
    photos = [photo_factory(f"{i}.jpg") for i in range(4)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda p: cache.thumbnail(p, 48), photos * 6))
    assert all(r is not None and r.is_file() for r in results)
    assert len(set(results)) == 4
    leftovers = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and not p.name.endswith(".jpg")]
    assert leftovers == []
