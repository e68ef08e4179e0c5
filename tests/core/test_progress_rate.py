"""progress_rate: the pace of recent batches on a fake clock, paused time left out, no estimate from too little."""

from __future__ import annotations

import pytest

from photosearch.core.progress_rate import RateWindow


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _batches(window: RateWindow, clock: FakeClock, done: int, count: int, size: int, seconds: float) -> int:
    for _ in range(count):
        clock.advance(seconds)
        done += size
        window.record(done)
    return done


def test_a_constant_pace_gives_that_rate_and_the_time_left():
    clock = FakeClock()
    window = RateWindow(clock)
    done = _batches(window, clock, 0, 10, 32, 4.0)  # 8 photos/s
    assert window.rate() == pytest.approx(8.0)
    assert window.seconds_left(448) == pytest.approx((448 - done) / 8.0)


def test_the_start_up_before_the_first_batch_does_not_count():
    clock = FakeClock()
    window = RateWindow(clock)
    clock.advance(60.0)  # the model loading and warming up: the first batch lands a minute in
    window.record(32)
    _batches(window, clock, 32, 3, 32, 2.0)
    assert window.rate() == pytest.approx(16.0)


def test_after_a_change_of_pace_the_rate_follows_the_recent_batches():
    clock = FakeClock()
    window = RateWindow(clock, window_seconds=30.0)
    done = _batches(window, clock, 0, 30, 20, 2.0)  # 10 photos/s for a minute
    done = _batches(window, clock, done, 20, 20, 4.0)  # then 5 photos/s (another program took the CPU)
    assert window.rate() == pytest.approx(5.0, rel=0.1)
    assert window.seconds_left(done + 100) == pytest.approx(20.0, rel=0.1)


def test_batches_slower_than_the_window_still_give_an_estimate():
    clock = FakeClock()
    window = RateWindow(clock, window_seconds=30.0)
    _batches(window, clock, 0, 4, 32, 64.0)
    assert window.rate() == pytest.approx(0.5)


def test_paused_time_is_left_out():
    clock = FakeClock()
    window = RateWindow(clock)
    done = _batches(window, clock, 0, 4, 32, 4.0)
    window.pause()
    clock.advance(600.0)  # ten minutes paused
    window.resume()
    _batches(window, clock, done, 3, 32, 4.0)
    assert window.rate() == pytest.approx(8.0)


def test_too_little_data_gives_no_estimate():
    clock = FakeClock()
    window = RateWindow(clock, min_batches=2, min_seconds=2.0)
    assert window.rate() is None and window.seconds_left(100) is None
    window.record(32)  # the baseline: nothing measured yet
    assert window.rate() is None
    _batches(window, clock, 32, 1, 32, 5.0)  # one batch measured
    assert window.rate() is None
    window = RateWindow(clock, min_batches=2, min_seconds=2.0)
    _batches(window, clock, 0, 3, 32, 0.1)  # enough batches, but a fraction of a second of them
    assert window.rate() is None
    _batches(window, clock, 96, 20, 32, 0.1)
    assert window.rate() == pytest.approx(320.0)


def test_no_progress_is_no_rate_rather_than_zero():
    clock = FakeClock()
    window = RateWindow(clock)
    _batches(window, clock, 0, 5, 0, 3.0)
    assert window.rate() is None and window.seconds_left(10) is None
