"""What a key-value range scan reads (SDK 4.x): ``collection.scan(scan_type, ...)``.

- :class:`RangeScan`: the documents whose keys lie between two :class:`ScanTerm`
  (each inclusive unless ``exclusive=True``; no start: from the first key, no
  end: to the last);
- :class:`PrefixScan`: the documents whose keys start with ``prefix``;
- :class:`SamplingScan`: about ``limit`` documents picked at random (``seed``
  makes the pick repeatable).

>>> from couchbase.kv_range_scan import RangeScan, ScanTerm
>>> for item in coll.scan(RangeScan(ScanTerm("user::a"), ScanTerm("user::b", exclusive=True))):
...     print(item.id, item.content_as[dict])
"""

from __future__ import annotations

from typing import Optional, Union


def _invalid(message: str) -> Exception:
    from ._errors4x import InvalidArgumentException

    return InvalidArgumentException(message=message)


def _term_bytes(term: Union[str, bytes], what: str) -> bytes:
    if isinstance(term, str):
        return term.encode("utf-8")
    if isinstance(term, bytes):
        return term
    raise _invalid(f"{what} must be a str, not {type(term).__name__}")


class ScanTerm:
    """One end of a :class:`RangeScan`: a key, inclusive unless ``exclusive``."""

    def __init__(self, term: str, exclusive: Optional[bool] = None) -> None:
        _term_bytes(term, "a scan term")
        self._term = term
        self._exclusive = bool(exclusive)

    @property
    def term(self) -> str:
        return self._term

    @property
    def exclusive(self) -> bool:
        return self._exclusive

    def __repr__(self) -> str:
        return f"ScanTerm({self._term!r}, exclusive={self._exclusive})"


class ScanType:
    """What a scan reads: :class:`RangeScan`, :class:`PrefixScan` or :class:`SamplingScan`."""


class RangeScan(ScanType):
    """The keys from ``start`` to ``end`` (:class:`ScanTerm`; None: unbounded)."""

    def __init__(self, start: Optional[ScanTerm] = None, end: Optional[ScanTerm] = None) -> None:
        for term, name in ((start, "start"), (end, "end")):
            if term is not None and not isinstance(term, ScanTerm):
                raise _invalid(f"RangeScan {name} must be a ScanTerm, not {term!r}")
        self._start = start
        self._end = end

    @property
    def start(self) -> Optional[ScanTerm]:
        return self._start

    @property
    def end(self) -> Optional[ScanTerm]:
        return self._end

    def __repr__(self) -> str:
        return f"RangeScan({self._start!r}, {self._end!r})"


class PrefixScan(ScanType):
    """The keys that start with ``prefix``."""

    def __init__(self, prefix: str) -> None:
        _term_bytes(prefix, "a prefix")
        self._prefix = prefix

    @property
    def prefix(self) -> str:
        return self._prefix

    def __repr__(self) -> str:
        return f"PrefixScan({self._prefix!r})"


class SamplingScan(ScanType):
    """About ``limit`` keys (at most ``limit``) picked at random; the same ``seed``
    picks the same ones."""

    def __init__(self, limit: int, seed: Optional[int] = None) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
            raise _invalid(f"SamplingScan limit must be a positive int, not {limit!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                                 or seed < 0):
            raise _invalid(f"SamplingScan seed must be a non-negative int, not {seed!r}")
        self._limit = limit
        self._seed = seed

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def seed(self) -> Optional[int]:
        return self._seed

    def __repr__(self) -> str:
        return f"SamplingScan({self._limit}, seed={self._seed})"


__all__ = ["PrefixScan", "RangeScan", "SamplingScan", "ScanTerm", "ScanType"]
