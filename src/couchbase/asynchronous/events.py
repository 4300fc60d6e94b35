"""``EventQueue``: callbacks waiting for one event (SDK 2.x's
``couchbase.asynchronous.events``), such as a bucket's connection.

>>> q = EventQueue()
>>> q += lambda *args: print("first", args)
>>> q("up")
first ('up',)
>>> q += lambda *args: print("late", args)   # after the event: called at once
late ('up',)
>>> q.called
True
"""

from __future__ import annotations

from typing import Any, Callable, Optional


class EventQueue:
    """Callbacks to call once, with the event's arguments, when it fires.

    ``queue += callback`` (or :meth:`add`) adds one; firing the queue
    (``queue(*args)``) calls each in order and empties it; a callback added
    afterwards is called at once with the same arguments. An exception a
    callback raises is kept in :attr:`errors` and does not stop the others.
    """

    def __init__(self) -> None:
        self.called = False
        self.call_args: Optional[tuple[Any, ...]] = None
        self.errors: list[BaseException] = []
        self._waiting: list[Callable[..., Any]] = []

    def add(self, callback: Callable[..., Any]) -> EventQueue:
        if not callable(callback):
            raise TypeError(f"an event callback must be callable, not {callback!r}")
        if self.called:
            self._call(callback)
        else:
            self._waiting.append(callback)
        return self

    __iadd__ = add

    def __call__(self, *args: Any) -> None:
        if self.called:
            raise RuntimeError("this event already fired")
        self.called = True
        self.call_args = args
        waiting, self._waiting = self._waiting, []
        for callback in waiting:
            self._call(callback)

    def _call(self, callback: Callable[..., Any]) -> None:
        try:
            callback(*(self.call_args or ()))
        except Exception as exc:  # one failing callback must not starve the others
            self.errors.append(exc)

    def __len__(self) -> int:
        """Callbacks still waiting for the event."""
        return len(self._waiting)


__all__ = ["EventQueue"]
