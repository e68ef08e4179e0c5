"""Background work for the window: QRunnables that run a core call or drain a core generator, reporting by signals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

log = logging.getLogger(__name__)


class WorkerSignals(QObject):
    """The worker's voice: queued to the GUI thread because this object lives there."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)


def describe_error(exc: BaseException) -> str:
    """One line a person can read: the message, or the exception's name when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class CallWorker(QRunnable):
    """Runs one function off the GUI thread; `finished` carries its return value, `failed` its error."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        # The pool must not delete the C++ side while Python still holds the signals object.
        self.setAutoDelete(False)
        self._fn = fn
        self.signals = WorkerSignals()

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:
            log.exception("background call failed")
            self.signals.failed.emit(describe_error(exc))
        else:
            self.signals.finished.emit(result)


class GeneratorWorker(QRunnable):
    """Drains a core generator (e.g. Library.index) and emits each event; can pause and cancel between events.

    `finished` carries True when the generator ran to its end and False when it was cancelled.
    The generator is closed in this worker's thread, so the core keeps what it has done so far.
    """

    def __init__(self, make_generator: Callable[[threading.Event], Iterator[Any]]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self._make_generator = make_generator
        self.cancel_event = threading.Event()
        # Set while running; cleared to pause. The worker waits on it between events, holding the generator still.
        self._running = threading.Event()
        self._running.set()
        self.signals = WorkerSignals()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def cancel(self) -> None:
        self.cancel_event.set()
        self._running.set()

    def run(self) -> None:
        completed = False
        generator: Iterator[Any] | None = None
        try:
            generator = self._make_generator(self.cancel_event)
            for event in generator:
                self.signals.progress.emit(event)
                self._running.wait()
                if self.cancel_event.is_set():
                    break
            else:
                completed = not self.cancel_event.is_set()
        except Exception as exc:
            log.exception("background job failed")
            self.signals.failed.emit(describe_error(exc))
            return
        finally:
            close = getattr(generator, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:
                    log.exception("closing the background job failed")
        self.signals.finished.emit(completed)
