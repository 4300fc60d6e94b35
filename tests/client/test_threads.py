"""Thread-safety modes: one Bucket shared by threads loses and mixes up nothing."""

from __future__ import annotations

import threading

import pytest

from couchbase import LOCKMODE_EXC, LOCKMODE_NONE, LOCKMODE_WAIT
from couchbase.bucket import Bucket
from couchbase.exceptions import ArgumentError, ObjectThreadError


def _bucket(mock, **kwargs):
    return Bucket(f"{mock.connstr}/default", username="Administrator", password="password",
                  **kwargs)


def test_eight_threads_share_one_bucket(mock_cluster):
    cb = _bucket(mock_cluster, lockmode=LOCKMODE_WAIT)
    errors: list[BaseException] = []
    per_thread = 10_000 // 8

    def work(t: int) -> None:
        try:
            for i in range(per_thread):
                kind = i % 4
                base = i - kind  # the upsert this thread made last
                key = f"thread-{t}-{base % 50}"
                if kind == 0:
                    cb.upsert(key, {"t": t, "i": i})
                elif kind == 1:
                    got = cb.get(key)
                    assert got.value == {"t": t, "i": base} and got.key == key
                elif kind == 2:
                    cb.counter(f"thread-{t}-counter", initial=1)
                else:
                    multi = cb.get_multi([f"thread-{t}-{j}" for j in range(3)], quiet=True)
                    for k, res in multi.items():
                        assert res.key == k
                        if res.success:
                            assert res.value["t"] == t
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors, errors[:3]
    for t in range(8):
        # counter: created at 1 then incremented once per remaining kind-2 op
        expected = len([i for i in range(per_thread) if i % 4 == 2])
        assert cb.get(f"thread-{t}-counter").value == expected
    cb.close()


def test_lockmode_exc_refuses_concurrent_use(mock_cluster):
    cb = _bucket(mock_cluster, lockmode=LOCKMODE_EXC)
    cb.upsert("exc-key", 1)
    inside = threading.Event()
    release = threading.Event()
    original = cb._cluster.execute

    def slow_execute(req):
        inside.set()
        release.wait(10)
        return original(req)

    cb._cluster.execute = slow_execute
    worker = threading.Thread(target=cb.get, args=("exc-key",))
    worker.start()
    assert inside.wait(10)
    with pytest.raises(ObjectThreadError):
        cb.get("exc-key")
    release.set()
    worker.join(10)
    cb._cluster.execute = original
    assert cb.get("exc-key").value == 1


def test_lockmode_none_and_unlock_gil_are_accepted(mock_cluster):
    cb = _bucket(mock_cluster, lockmode=LOCKMODE_NONE, unlock_gil=False)
    cb.upsert("none-key", 2)
    assert cb.get("none-key").value == 2
    with pytest.raises(ArgumentError):
        _bucket(mock_cluster, lockmode=42)
