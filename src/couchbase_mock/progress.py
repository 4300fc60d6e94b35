"""Progress of a long load (documents written, of how many, how fast), for people.

One helper for every loader: ``couchbase-mock --sample`` and ``cbcp
sample-load`` (which imports it from here so that ``import couchbase`` never
pulls in rich). A loader calls :meth:`Progress.update` with the count done so
far; the progress computes the rate and hands a :class:`Event` to its sink:

- :class:`RichBar` (a bar, count/total, documents/s, elapsed) when rich (the
  ``cli`` extra) is installed and the stream is a terminal;
- :class:`PlainLines` otherwise: one line per ``interval`` seconds and a last
  line, so pipes and CI logs get text, never cursor movements.

:func:`progress_for` picks the sink. Updates may come from any thread.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, Callable, NamedTuple, Optional, TextIO


class Event(NamedTuple):
    """How far one load is."""

    label: str
    completed: int
    total: Optional[int]
    rate: float
    """Items per second since the load started."""
    elapsed: float
    done: bool


Sink = Callable[[Event], None]


class Progress:
    """Counts one load's progress and reports it to ``sink``."""

    def __init__(self, label: str, total: Optional[int], sink: Sink,
                 clock: Callable[[], float] = time.monotonic,
                 finish_at_total: bool = True) -> None:
        self.label = label
        self.finish_at_total = finish_at_total
        """Whether reaching the total ends the load (``False``: only :meth:`finish` does,
        for a load that goes on after its last document, such as building indexes)."""
        self.total = total
        self.sink = sink
        self.clock = clock
        self.started = clock()
        self.count = 0
        self.done = False

    def update(self, count: int, total: Optional[int] = None) -> None:
        """``count`` items are done (of ``total``, if it is known only now); reaching
        the total finishes the load."""
        if total is not None:
            self.total = total
        self.count = count
        if self.finish_at_total and self.total is not None and count >= self.total:
            self.finish()  # (all done: the last event)
        elif not self.done:
            self.sink(self._event(False))

    def finish(self) -> None:
        """The load ended (the last event; later calls do nothing)."""
        if not self.done:
            self.done = True
            self.sink(self._event(True))

    def _event(self, done: bool) -> Event:
        elapsed = max(self.clock() - self.started, 1e-9)
        return Event(self.label, self.count, self.total, self.count / elapsed, elapsed, done)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()


def describe(event: Event, unit: str = "docs") -> str:
    """One plain line: ``loading beer-sample: 4000/7303 docs (55%), 21,340 docs/s``."""
    if event.total:
        done = f"{event.completed}/{event.total} {unit} ({100 * event.completed // event.total}%)"
    else:
        done = f"{event.completed} {unit}"
    if event.done:
        return f"{event.label}: {done} in {event.elapsed:.1f}s, {event.rate:,.0f} {unit}/s"
    return f"{event.label}: {done}, {event.rate:,.0f} {unit}/s"


class PlainLines:
    """Writes :func:`describe` lines: at most one per ``interval`` seconds, and the
    last one always."""

    def __init__(self, stream: TextIO, interval: float = 1.0, unit: str = "docs") -> None:
        self.stream = stream
        self.interval = interval
        self.unit = unit
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            last = self._last.get(event.label)
            if not event.done and last is not None and event.elapsed - last < self.interval:
                return
            if not event.done and last is None and event.elapsed < self.interval:
                return  # (a load that ends within the first interval: its last line only)
            self._last[event.label] = event.elapsed
            self.stream.write(describe(event, self.unit) + "\n")
            self.stream.flush()


class RichBar:
    """A rich progress display on ``stream``; loads running at once share it."""

    def __init__(self, stream: TextIO, unit: str = "docs") -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._display = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>10,.0f} " + unit + "/s"), TimeElapsedColumn(),
            console=Console(file=stream), transient=False)
        self._tasks: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            task = self._tasks.get(event.label)
            if task is None:
                if not self._tasks or all(self._display.tasks[t].finished
                                          for t in self._tasks.values()):
                    self._display.start()
                task = self._tasks[event.label] = self._display.add_task(
                    event.label, total=event.total, rate=0.0)
            self._display.update(task, completed=event.completed, total=event.total,
                                 rate=event.rate)
            if event.done:
                self._display.update(task, total=event.total or event.completed)
                if all(self._display.tasks[t].finished for t in self._tasks.values()):
                    self._display.stop()


def rich_available() -> bool:
    try:
        import rich.progress  # noqa: F401
    except ImportError:
        return False
    return True


_sinks: dict[tuple[int, bool], Sink] = {}
_sinks_lock = threading.Lock()


def sink_for(stream: Optional[TextIO] = None, unit: str = "docs") -> Sink:
    """A rich bar on a terminal when rich is installed, else plain lines; one per
    stream, so that loads running together share it."""
    stream = sys.stderr if stream is None else stream
    fancy = bool(getattr(stream, "isatty", lambda: False)()) and rich_available()
    with _sinks_lock:
        sink = _sinks.get((id(stream), fancy))
        if sink is None:
            sink = RichBar(stream, unit) if fancy else PlainLines(stream, unit=unit)
            _sinks[(id(stream), fancy)] = sink
        return sink


def progress_for(label: str, total: Optional[int] = None,
                 stream: Optional[TextIO] = None, finish_at_total: bool = True) -> Progress:
    """A :class:`Progress` for ``label`` reported on ``stream`` (stderr)."""
    return Progress(label, total, sink_for(stream), finish_at_total=finish_at_total)


__all__ = ["Event", "PlainLines", "Progress", "RichBar", "Sink", "describe", "progress_for",
           "rich_available", "sink_for"]
