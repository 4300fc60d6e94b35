"""What a streamed service request is (N1QL, search, analytics), on every front end.

:class:`RowsRequest` is the request object the sync API iterates: the request
goes out when iteration starts (once: again is AlreadyQueriedError), rows pass
through the row factory as the flow emits them, and ``meta`` holds the rest of
the response (read first, it runs the request and keeps the rows). Each service
class supplies its flow (:meth:`RowsRequest._flow`), the response member that
holds the rows and its own accessors.

Two faces of it: :class:`AsyncioRowsRequest` (``async for``) and
:class:`PushedRowsRequest` (rows pushed to ``on_rows``, what Twisted's
``*QueryEx`` methods drive), with :class:`BatchedRowsRequest` keeping every row
for the Deferred of a whole result.
"""

from __future__ import annotations

from typing import Any, Callable, Generator, Iterable, Iterator, Optional, TypeVar

from .views.iterator import AlreadyQueriedError

Flow = Generator[Any, Any, Any]
_R = TypeVar("_R", bound="RowsRequest")
_A = TypeVar("_A", bound="AsyncioRowsRequest")
_P = TypeVar("_P", bound="PushedRowsRequest")


def _identity(row: Any) -> Any:
    return row


class RowsRequest:
    """One execution of a service request, iterated for its rows (once).

    :param parent: the bucket to run it on
    :param row_factory: called on each decoded row; what it returns is yielded
    """

    _kind = "request"  # (the class named in AlreadyQueriedError)
    _again = "run it again"  # (what making a new one is for)
    _rows_field = "results"  # the response member that holds the rows

    # the 4.x API's results set this: the flow's errors raised as 4.x classes
    _convert: Optional[Callable[[Any], BaseException]] = None

    def __init__(self, parent: Any, row_factory: Callable[[Any], Any] = _identity) -> None:
        self._parent = parent
        self.row_factory = row_factory
        self.rows_returned = 0
        self._meta: Optional[dict[str, Any]] = None
        self._buffer: Optional[list[Any]] = None
        self._started = False
        self._done = False

    _flow: Callable[[], Flow]
    """The flow that runs this request (the parent's, for the service): each
    service's request class supplies it."""

    # -- iteration ---------------------------------------------------------------------
    def _start(self) -> Flow:
        """The flow of this request (once)."""
        if self._started:
            raise AlreadyQueriedError(f"this {self._kind} was already iterated over; "
                                      f"make a new one to {self._again}")
        self._started = True
        flow = self._flow()
        if self._convert is None:
            return flow
        from ._http_errors4x import translated

        return translated(flow, self._convert)

    def __iter__(self) -> Iterator[Any]:
        if self._buffer is not None:  # read ahead by .meta
            rows, self._buffer = self._buffer, None
            return iter(rows)
        return self._parent._rows(self._start())

    def execute(self: _R) -> _R:
        """Run the request, discarding its rows (for a statement that returns none,
        a search read for its facets)."""
        for _ in self:
            pass
        return self

    # -- used by the flow -----------------------------------------------------------------
    def _handle_rows(self, rows: list[Any]) -> list[Any]:
        self.rows_returned += len(rows)
        factory = self.row_factory
        return rows if factory is _identity else [factory(row) for row in rows]

    def _finish(self, meta: dict[str, Any]) -> None:
        meta.pop(self._rows_field, None)
        self._meta = meta
        self._done = True

    # -- what came back ----------------------------------------------------------------------
    @property
    def done(self) -> bool:
        """Whether the whole response arrived."""
        return self._done

    @property
    def meta(self) -> dict[str, Any]:
        """Everything in the response but the rows.

        Read before the rows were, it runs the request and keeps the rows for the
        iteration that follows.
        """
        if self._meta is None and not self._started:
            self._buffer = list(self._parent._rows(self._start()))
        return self._meta or {}

    raw = meta


class AsyncioRowsRequest(RowsRequest):
    """The asyncio face: iterated with ``async for``; :attr:`meta` is set once the
    last row arrived (it does not read ahead)."""

    _not_iterable = "an asyncio request is iterated with 'async for'"

    def __aiter__(self) -> Any:
        return self._parent._rows(self._start())

    def __iter__(self) -> Any:
        raise TypeError(self._not_iterable)

    @property
    def meta(self) -> dict[str, Any]:
        """Everything in the response but the rows (empty until the rows were read)."""
        return self._meta or {}

    async def all(self) -> list[Any]:
        """Every row, in a list."""
        return [row async for row in self]

    async def execute(self: _A) -> _A:  # type: ignore[override]
        """Run the request, discarding its rows."""
        async for _ in self:
            pass
        return self


class PushedRowsRequest(RowsRequest):
    """The callback face: :meth:`start` sends the request; its rows are pushed to
    :meth:`on_rows` as they arrive, ending with :meth:`on_done` or :meth:`on_error`."""

    _not_iterable = "a pushed request delivers its rows to on_rows(); it is not iterable"

    def start(self: _P) -> _P:
        """Send the request; rows arrive in :meth:`on_rows` calls."""
        self._parent._push_rows(self._start, self.on_rows, lambda _: self.on_done(),
                                self.on_error)
        return self

    def on_rows(self, rows: Iterable[Any]) -> None:
        """Called with each batch of rows (after the row factory)."""

    def on_error(self, ex: BaseException) -> None:
        """Called once if the request fails, with the exception."""

    def on_done(self) -> None:
        """Called once every row was delivered; :attr:`meta` is set."""

    @property
    def meta(self) -> dict[str, Any]:
        return self._meta or {}

    def __iter__(self) -> Any:
        raise TypeError(self._not_iterable)


class BatchedRowsRequest(PushedRowsRequest):
    """Keeps every row; once done, iterating gives them (what the Deferred of a
    whole result fires with)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: list[Any] = []

    def on_rows(self, rows: Iterable[Any]) -> None:
        self._kept.extend(rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._kept)

    def __len__(self) -> int:
        return len(self._kept)


__all__ = ["AsyncioRowsRequest", "BatchedRowsRequest", "PushedRowsRequest", "RowsRequest"]
