"""The words the window uses for counts, rates, time left and sizes."""

from __future__ import annotations

import datetime as dt

from photosearch.gui import wording


def test_index_progress_reads_like_a_sentence():
    assert wording.index_progress(1234, 5000, 42.0, 120.0) == "1,234 of 5,000 photos · 42 photos/s · about 2 min left"
    assert wording.index_progress(1, 1, None, None) == "1 of 1 photo"
    assert wording.index_progress(3, 10, 2.5, 5.0) == "3 of 10 photos · 2.5 photos/s · a few seconds left"
    assert wording.index_progress(10, 10, 9.0, 0.0) == "10 of 10 photos · 9.0 photos/s"
    assert wording.index_progress(0, 0, None, None, "scanning") == "Looking for photos…"


def test_index_progress_says_estimating_until_it_knows_and_paused_shows_only_the_count():
    assert wording.index_progress(96, 448, None, None) == "96 of 448 photos · estimating…"
    assert wording.index_progress(0, 448, None, None) == "0 of 448 photos · estimating…"
    assert wording.index_paused(96, 448) == "Paused · 96 of 448 photos"
    assert wording.index_paused(1, 1) == "Paused · 1 of 1 photo"
    assert wording.index_paused(0, 0, "scanning") == "Paused · looking for photos"
    assert wording.index_paused(500, 0, "scanning") == "Paused · looking for photos, 500 found"


def test_time_left_rounds_to_what_a_person_needs():
    assert wording.time_left(None) == ""
    assert wording.time_left(float("nan")) == ""
    assert wording.time_left(3) == "a few seconds"
    assert wording.time_left(42) == "about 40 s"
    assert wording.time_left(95) == "about 2 min"
    assert wording.time_left(3600) == "about 1 h"
    assert wording.time_left(4300) == "about 1 h 12 min"


def test_sizes_counts_dates_and_durations():
    assert wording.file_size(None) == ""
    assert wording.file_size(1) == "1 byte"
    assert wording.file_size(532) == "532 bytes"
    assert wording.file_size(1_400_000) == "1.4 MB"
    assert wording.file_size(250_000_000) == "250 MB"
    assert wording.count_noun(1, "photo") == "1 photo"
    assert wording.count_noun(12_345, "match", "matches") == "12,345 matches"
    assert wording.timestamp(dt.datetime(2024, 7, 5, 14, 3)) == "5 Jul 2024, 14:03"
    assert wording.timestamp(None) == ""
    assert wording.timestamp("not a date") == "not a date"
    assert wording.duration_ms(0.035) == "35 ms"
    assert wording.duration_ms(1.25) == "1.2 s"


def test_month_ranges_name_both_ends_or_the_one_given():
    assert wording.month_range((2019, 6), (2019, 9)) == "Jun 2019 – Sep 2019"
    assert wording.month_range((2019, 6), (2019, 6)) == "Jun 2019"
    assert wording.month_range((2019, 12), None) == "taken since Dec 2019"
    assert wording.month_range(None, (2020, 1)) == "taken until Jan 2020"
    assert wording.month_range(None, None) == ""


def test_a_filter_reads_as_its_folder_and_months():
    from photosearch.core.filters import PhotoFilter, parse_date
    from photosearch.gui.filter_bar import describe_filter

    holidays = PhotoFilter(folder="/home/me/Pictures/Holidays", after=parse_date("2019-06"),
                           before=parse_date("2019-09", end=True))
    assert describe_filter(holidays) == "in Holidays · Jun 2019 – Sep 2019"
    assert describe_filter(PhotoFilter(before=parse_date("2019-12", end=True))) == "taken until Dec 2019"
    assert describe_filter(PhotoFilter()) == describe_filter(None) == ""
