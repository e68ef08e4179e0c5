"""GeneratorWorker and CallWorker: events reach the GUI thread; pause holds the generator, cancel closes it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QThreadPool

from photosearch.gui.workers import CallWorker, GeneratorWorker

TIMEOUT = 10_000


@pytest.fixture()
def start():
    """Start workers in a private pool; afterwards cancel any still running and wait, so no thread outlives a test."""
    pool = QThreadPool()
    started = []

    def run(worker):
        started.append(worker)
        pool.start(worker)

    yield run
    for worker in started:
        if isinstance(worker, GeneratorWorker):
            worker.cancel()
    assert pool.waitForDone(TIMEOUT)


class Countdown:
    """A generator with a visible state: how far it was advanced and whether it was closed."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.advanced = 0
        self.closed = False
        self.cancel_seen = None

    def __call__(self, cancel):
        self.cancel_seen = cancel
        try:
            for i in range(self.n):
                self.advanced += 1
                yield i
        finally:
            self.closed = True


def test_a_paused_worker_holds_the_generator_until_resumed(qtbot, start):
    source = Countdown(5)
    worker = GeneratorWorker(source)
    events = []
    worker.signals.progress.connect(events.append)
    worker.pause()
    with qtbot.waitSignal(worker.signals.progress, timeout=TIMEOUT):
        start(worker)
    assert worker.paused
    assert source.advanced == 1  # it emitted the first event and now waits before asking for the next
    with qtbot.waitSignal(worker.signals.finished, timeout=TIMEOUT) as finished:
        worker.resume()
    assert finished.args == [True]
    assert events == [0, 1, 2, 3, 4] and source.closed


def test_cancel_stops_between_events_and_closes_the_generator(qtbot, start):
    source = Countdown(100)
    worker = GeneratorWorker(source)
    worker.pause()
    with qtbot.waitSignal(worker.signals.progress, timeout=TIMEOUT):
        start(worker)
    with qtbot.waitSignal(worker.signals.finished, timeout=TIMEOUT) as finished:
        worker.cancel()
    assert finished.args == [False]
    assert source.advanced == 1 and source.closed
    assert source.cancel_seen.is_set()  # the core sees the request too


def test_a_failing_generator_reports_one_readable_line(qtbot, start):
    def broken(_cancel):
        yield 1
        raise OSError("disk unplugged\nwith a long traceback-ish tail")

    worker = GeneratorWorker(broken)
    with qtbot.waitSignal(worker.signals.failed, timeout=TIMEOUT) as failed:
        start(worker)
    assert failed.args == ["disk unplugged"]


def test_call_worker_returns_the_value_or_the_error(qtbot, start):
    ok = CallWorker(lambda: 6 * 7)
    with qtbot.waitSignal(ok.signals.finished, timeout=TIMEOUT) as finished:
        start(ok)
    assert finished.args == [42]
    bad = CallWorker(lambda: 1 / 0)
    with qtbot.waitSignal(bad.signals.failed, timeout=TIMEOUT) as failed:
        start(bad)
    assert failed.args == ["division by zero"]
