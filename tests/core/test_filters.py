"""Search filters: a folder and a range of dates taken (EXIF, else the file's time) combine with any query."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from photosearch.core import search
from photosearch.core.filters import FilterError, PhotoFilter, parse_date
from photosearch.core.paths import normalise


@pytest.mark.parametrize(("text", "end", "expected"), [
    ("2019", False, dt.datetime(2019, 1, 1)), ("2019", True, dt.datetime(2020, 1, 1)),
    ("2019-06", False, dt.datetime(2019, 6, 1)), ("2019-06", True, dt.datetime(2019, 7, 1)),
    ("2019-12", True, dt.datetime(2020, 1, 1)), (" 2019-6-5 ", False, dt.datetime(2019, 6, 5)),
    ("2019-06-30", True, dt.datetime(2019, 7, 1)), ("2020-02-29", False, dt.datetime(2020, 2, 29)),
])
def test_dates_are_read_as_the_start_or_the_end_of_what_is_written(text, end, expected):
    assert parse_date(text, end=end) == expected


@pytest.mark.parametrize("text", ["", "June", "2019-13", "2019-02-30", "19-06", "2019/06", "2019-06-15T10"])
def test_a_bad_date_says_how_to_write_one(text):
    with pytest.raises(FilterError, match="not a date"):
        parse_date(text)


def _at(path, year: int, month: int) -> None:
    stamp = dt.datetime(year, month, 15, 12).timestamp()
    os.utime(path, (stamp, stamp))


@pytest.fixture()
def dated(tmp_path, make_library, photo_factory):
    """24 photos in two folders, one per month of 2018-2019 by file time (drawn photos have no EXIF date)."""
    photos = {}
    for i in range(24):
        year, month = 2018 + i // 12, i % 12 + 1
        path = photo_factory(f"{'trips' if i % 2 else 'home'}/{year}-{month:02d}.jpg", seed=i)
        _at(path, year, month)
        photos[(year, month)] = path
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    return library, photos


def _names(results) -> set[str]:
    return {os.path.basename(r.path) for r in results}


@pytest.mark.parametrize("share", [search.EXACT_FILTER_SHARE, 0.0], ids=["exact-scan", "hnsw"])
def test_a_date_range_and_a_folder_limit_the_answers(dated, tmp_path, monkeypatch, share):
    monkeypatch.setattr(search, "EXACT_FILTER_SHARE", share)
    library, _ = dated
    summer = PhotoFilter(after=parse_date("2019-06"), before=parse_date("2019-09"))
    assert _names(library.search("a photo", k=24, where=summer)) == {"2019-06.jpg", "2019-07.jpg", "2019-08.jpg"}
    home = PhotoFilter(folder=normalise(tmp_path / "photos" / "home"))
    assert _names(library.search("a photo", k=24, where=home)) == {
        f"{2018 + i // 12}-{i % 12 + 1:02d}.jpg" for i in range(0, 24, 2)}
    both = PhotoFilter(folder=normalise(tmp_path / "photos" / "trips"), after=dt.datetime(2019, 1, 1))
    assert _names(library.search("a photo", k=24, where=both)) == {f"2019-{m:02d}.jpg" for m in range(2, 13, 2)}
    assert library.search("a photo", k=24, where=PhotoFilter(after=dt.datetime(2030, 1, 1))) == []


def test_filtered_answers_keep_the_unfiltered_order(dated):
    library, _ = dated
    everything = library.search("red", k=24)
    year = PhotoFilter(after=dt.datetime(2019, 1, 1))
    expected = [r.path for r in everything if os.path.basename(r.path).startswith("2019")][:5]
    assert [r.path for r in library.search("red", k=5, where=year)] == expected


def test_a_filter_sees_photos_added_after_it_was_first_used(dated, photo_factory):
    library, _ = dated
    recent = PhotoFilter(after=dt.datetime(2024, 1, 1))
    assert library.search("a photo", where=recent) == []
    added = photo_factory("home/new.jpg", seed=99)  # the file time is now
    list(library.index())
    assert [r.path for r in library.search("a photo", where=recent)] == [str(added)]


def test_an_image_query_takes_the_filter_too(dated):
    library, photos = dated
    year = PhotoFilter(before=dt.datetime(2019, 1, 1))
    results = library.search_image(photos[(2019, 5)], k=24, where=year)
    assert len(results) == 12 and all(os.path.basename(r.path).startswith("2018") for r in results)
