"""Store the rows of an analytics query as documents (SDK 2.5's ``AnalyticsIngester``).

>>> ingest = AnalyticsIngester(id_generator=lambda row: row["name"],
...                            data_converter=lambda row: {**row, "copied": True},
...                            operation=BucketOperators.INSERT)
>>> ingest(cb, "SELECT VALUE bw FROM breweries bw", "10.0.0.5")

Each row is converted with ``data_converter``, named with ``id_generator``
(a new UUID by default) and written with ``operation`` (upsert by default).
Blocking front ends (the sync ``Bucket``, gevent) only: it waits for each write.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable, Optional, Union

from .analytics.query import AnalyticsQuery
from .exceptions import ArgumentError, CouchbaseError

JSON = Any
IdGenerator = Callable[[JSON], str]
DataConverter = Callable[[JSON], Any]
Query = Union[AnalyticsQuery, str]


class BucketOperator:
    """A write of one document: ``operator(bucket, key, value)``."""

    def __init__(self, verb: Callable[[Any, str, Any], Any]) -> None:
        self.verb = verb

    def __call__(self, bucket: Any, key: str, value: Any) -> Any:
        return self.verb(bucket, key, value)


class BucketOperators:
    """The writes an ingester may use."""

    INSERT = BucketOperator(lambda bucket, key, value: bucket.insert(key, value))
    UPSERT = BucketOperator(lambda bucket, key, value: bucket.upsert(key, value))
    REPLACE = BucketOperator(lambda bucket, key, value: bucket.replace(key, value))


def _new_id(row: JSON) -> str:
    return str(uuid.uuid4())


def _same(row: JSON) -> Any:
    return row


class AnalyticsIngester:
    """Run an analytics query and write each row to a bucket.

    :param id_generator: the document id of a row (default: a new UUID)
    :param data_converter: the value to store for a row (default: the row)
    :param operation: a :class:`BucketOperators` member (default: UPSERT)
    """

    def __init__(self, id_generator: Optional[IdGenerator] = None,
                 data_converter: DataConverter = _same,
                 operation: BucketOperator = BucketOperators.UPSERT) -> None:
        for name, value in (("id_generator", id_generator), ("data_converter", data_converter),
                            ("operation", operation)):
            if value is not None and not callable(value):
                raise ArgumentError(f"{name} must be callable, not {value!r}", objextra=value)
        self.id_generator: IdGenerator = id_generator or _new_id
        self.data_converter = data_converter
        self.operation = operation

    def __call__(self, bucket: Any, query: Query, host: Any = None,
                 ignore_ingest_error: bool = False, *args: Any, **kwargs: Any) -> None:
        """Run ``query`` (on ``host``, as ``bucket.analytics_query``) and write every
        row to ``bucket``. A failed write raises, unless ``ignore_ingest_error``
        (then the other rows are still written); the query's own errors always raise.
        """
        for row in bucket.analytics_query(query, host, *args, **kwargs):
            try:
                key = self.id_generator(row)
                if not isinstance(key, str):
                    raise ArgumentError(f"id_generator gave {key!r}, not a string",
                                        objextra=row)
                self.operation(bucket, key, self.data_converter(row))
            except CouchbaseError:
                if not ignore_ingest_error:
                    raise


__all__ = ["AnalyticsIngester", "BucketOperator", "BucketOperators"]
