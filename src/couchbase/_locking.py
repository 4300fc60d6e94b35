"""Thread-safety modes of a Bucket/Connection (the 1.x ``lockmode`` argument)."""

from __future__ import annotations

import threading
from typing import Any, Callable, TypeVar

from .exceptions import ArgumentError, ObjectThreadError

LOCKMODE_NONE = 0
LOCKMODE_EXC = 1
LOCKMODE_WAIT = 2

T = TypeVar("T")


class Guard:
    """Serialises use of one object according to a lock mode.

    LOCKMODE_WAIT makes concurrent callers wait their turn; LOCKMODE_EXC raises
    :class:`ObjectThreadError` in a caller that finds the object busy;
    LOCKMODE_NONE does nothing (the caller promises single-threaded use).
    """

    __slots__ = ("mode", "_lock")

    def __init__(self, mode: int) -> None:
        if mode not in (LOCKMODE_NONE, LOCKMODE_EXC, LOCKMODE_WAIT):
            raise ArgumentError(f"unknown lockmode {mode!r}", objextra=mode)
        self.mode = mode
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        if self.mode == LOCKMODE_WAIT:
            self._lock.acquire()
        elif self.mode == LOCKMODE_EXC:
            if not self._lock.acquire(blocking=False):
                raise ObjectThreadError(
                    "this object is in use by another thread; use LOCKMODE_WAIT to share it "
                    "between threads, or one object per thread"
                )

    def __exit__(self, *exc: Any) -> None:
        if self.mode != LOCKMODE_NONE:
            self._lock.release()

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        with self:
            return fn(*args)


def make_guard(mode: int) -> Any:
    """A context manager serialising use of an object by ``mode``.

    LOCKMODE_WAIT is a plain ``threading.Lock`` (its ``with`` runs in C: this
    is on every operation's path). LOCKMODE_NONE promises single-threaded use,
    so an uncontended lock costs it the same and keeps it safe regardless.
    """
    if mode in (LOCKMODE_WAIT, LOCKMODE_NONE):
        return threading.Lock()
    return Guard(mode)
