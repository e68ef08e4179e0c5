"""How fast an index run goes now: photos per second over a moving window of recent batches, and the time left."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

# Long enough to smooth out a slow batch (a run of big PNGs), short enough to follow a change of pace (another
# program taking the CPU, a folder of small files): the average since the start was 9 min for a 6.5 min run.
WINDOW_SECONDS = 30.0
# Less than this is a guess, not an estimate: one batch says little, and a second or so of batches on a fast
# device jitters by tens of percent.
MIN_BATCHES = 2
MIN_SECONDS = 2.0


class RateWindow:
    """Photos per second over the last WINDOW_SECONDS of working time; time spent paused never counts.

    The first `record` is the baseline, not a measurement: what comes before it (loading and warming up the
    model, filling the decode pipeline) is start-up, and the run's pace is what follows.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, window_seconds: float = WINDOW_SECONDS,
                 min_batches: int = MIN_BATCHES, min_seconds: float = MIN_SECONDS) -> None:
        self._clock = clock
        self._window = window_seconds
        self._min_batches = min_batches
        self._min_seconds = min_seconds
        self._samples: deque[tuple[float, int]] = deque()  # (working seconds, photos done by then)
        self._paused_since: float | None = None
        self._paused_total = 0.0

    def _working_time(self) -> float:
        now = self._clock()
        paused = self._paused_total + (now - self._paused_since if self._paused_since is not None else 0.0)
        return now - paused

    def record(self, done: int) -> None:
        """`done` photos are finished by now (a running total, e.g. after each batch)."""
        now = self._working_time()
        self._samples.append((now, done))
        # The oldest sample is needed only while the next one is still inside the window; a few are always kept
        # so that batches slower than the window still give an estimate.
        while len(self._samples) > self._min_batches + 1 and self._samples[1][0] <= now - self._window:
            self._samples.popleft()

    def pause(self) -> None:
        """Stop counting time (the run is held) until `resume`."""
        if self._paused_since is None:
            self._paused_since = self._clock()

    def resume(self) -> None:
        if self._paused_since is not None:
            self._paused_total += self._clock() - self._paused_since
            self._paused_since = None

    def rate(self) -> float | None:
        """Photos per second over the window; None until there is enough to go on."""
        if len(self._samples) < self._min_batches + 1:
            return None
        (first_time, first_done), (last_time, last_done) = self._samples[0], self._samples[-1]
        if last_time - first_time < self._min_seconds or last_done <= first_done:
            return None
        return (last_done - first_done) / (last_time - first_time)

    def seconds_left(self, total: int) -> float | None:
        """How long the photos of `total` not yet done take at the current rate; None while it is unknown."""
        rate = self.rate()
        if rate is None:
            return None
        return max(0, total - self._samples[-1][1]) / rate
