"""streaming=True keeps client memory bounded: 30,000 rows through a few MB at most."""

from __future__ import annotations

import tracemalloc
from typing import Any

from fakeviews import FakeViews, point_at

from couchbase.bucket import Bucket

ROWS = 30_000  # buffered, these peak ~30x above streaming: the bound is clear
LIMIT = 4 * 1024 * 1024  # bytes above the baseline the streaming query may peak at


def _row(i: int) -> dict[str, Any]:
    return {"id": f"beer-{i:06d}", "key": [f"brewery-{i % 977:04d}", f"beer {i}"],
            "value": {"abv": i % 13, "note": "x" * 40}}


def peak_while(run: Any) -> tuple[int, Any]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        out = run()
        return tracemalloc.get_traced_memory()[1] - base, out
    finally:
        tracemalloc.stop()


def test_streaming_rows_in_bounded_memory(mock_cluster: Any, fake: FakeViews) -> None:
    fake.generated[("big", "v")] = (ROWS, _row)
    cb = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                password="password")
    try:
        point_at(cb, fake)

        def stream() -> int:
            view = cb.query("big", "v", streaming=True)
            n = 0
            for row in view:
                assert row.docid == f"beer-{n:06d}"
                n += 1
            assert view.indexed_rows == ROWS
            return n

        peak, count = peak_while(stream)
        assert count == ROWS
        print(f"streaming {ROWS} rows: peak {peak / 1e6:.2f} MB above baseline")
        assert peak < LIMIT
        buffered_peak, rows = peak_while(lambda: len(list(cb.query("big", "v"))))
        print(f"buffered {ROWS} rows: peak {buffered_peak / 1e6:.2f} MB above baseline")
        assert rows == ROWS and buffered_peak > 5 * peak
    finally:
        cb.close()
