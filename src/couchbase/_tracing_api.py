"""The 2.x Bucket attributes for threshold and orphan reports, and log redaction.

They read and change the bucket's :class:`~couchbase._tracing.TracingSettings`,
which its connections share: a change applies to the next operation. Times
are in (fractions of) seconds, as in the 2.x SDK::

    cb.tracing_threshold_kv = 0.1            # report KV operations over 100 ms
    cb.tracing_threshold_queue_flush_interval = 60
    cb.redaction = 1                         # keys in log lines as <ud>key</ud>

A bad value raises :exc:`~couchbase.exceptions.ArgumentError`.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, Optional, TypeVar, overload

from ._tracing import TracingSettings, check_seconds, check_size
from .exceptions import ArgumentError

T = TypeVar("T")


class _Setting(Generic[T]):
    """One attribute over a field of the bucket's TracingSettings."""

    def __init__(self, read: Callable[[TracingSettings], T],
                 write: Callable[[TracingSettings, Any], None], doc: str) -> None:
        self.read = read
        self.write = write
        self.__doc__ = doc

    @overload
    def __get__(self, bucket: None, owner: Any) -> _Setting[T]: ...

    @overload
    def __get__(self, bucket: object, owner: Any) -> T: ...

    def __get__(self, bucket: Optional[object], owner: Any) -> Any:
        if bucket is None:
            return self
        return self.read(bucket._settings.tracing)  # type: ignore[attr-defined]

    def __set__(self, bucket: object, value: Any) -> None:
        try:
            self.write(bucket._settings.tracing, value)  # type: ignore[attr-defined]
        except ValueError as exc:
            raise ArgumentError(str(exc), objextra=value) from None


def _threshold(service: str, label: str) -> _Setting[float]:
    def write(settings: TracingSettings, value: Any) -> None:
        settings.set_threshold(service, value)

    return _Setting(lambda s: s.thresholds[service], write,
                    f"Report {label} operations slower than this many seconds "
                    f"(``tracing_threshold_{service}``).")


def _interval(field: str, option: str, what: str) -> _Setting[float]:
    def write(settings: TracingSettings, value: Any) -> None:
        setattr(settings, field, check_seconds(option, value))

    return _Setting(lambda s: getattr(s, field), write,
                    f"Seconds between two {what} reports (0: only when the bucket closes).")


def _size(field: str, option: str, what: str) -> _Setting[int]:
    def write(settings: TracingSettings, value: Any) -> None:
        setattr(settings, field, check_size(option, value))

    return _Setting(lambda s: getattr(s, field), write,
                    f"How many of the slowest {what} one report lists.")


def _write_redaction(settings: TracingSettings, value: Any) -> None:
    if isinstance(value, bool) or value in (0, 1):
        settings.redaction = bool(value)
    else:
        raise ValueError(f"redaction must be 0 or 1 (or a bool), not {value!r}")


class TracingAPI:
    """The bucket's report settings (see the module docstring)."""

    tracing_threshold_kv = _threshold("kv", "key-value")
    tracing_threshold_n1ql = _threshold("n1ql", "N1QL")
    tracing_threshold_view = _threshold("view", "view")
    tracing_threshold_fts = _threshold("fts", "full-text search")
    tracing_threshold_analytics = _threshold("analytics", "analytics")
    tracing_threshold_queue_size = _size(
        "threshold_queue_size", "tracing_threshold_queue_size", "operations over a threshold")
    tracing_threshold_queue_flush_interval = _interval(
        "threshold_flush_interval", "tracing_threshold_queue_flush_interval", "threshold")
    tracing_orphaned_queue_size = _size(
        "orphaned_queue_size", "tracing_orphaned_queue_size", "orphaned responses")
    tracing_orphaned_queue_flush_interval = _interval(
        "orphaned_flush_interval", "tracing_orphaned_queue_flush_interval", "orphan")
    redaction: _Setting[int] = _Setting(
        lambda s: int(s.redaction), _write_redaction,
        "1 when log lines wrap user data (keys, values, user names) in ``<ud>...</ud>`` "
        "(connection string ``log_redaction=on``), else 0.")


__all__ = ["TracingAPI"]
