"""couchbase.options (4.x), couchbase.durability, couchbase.transcoder's 4.x classes:
options are dicts of what was given, one merge rule (keywords win), durations and
expiries read one way, transcoders with the official flags."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from couchbase.auth import PasswordAuthenticator
from couchbase.durability import (
    ClientDurability,
    DurabilityLevel,
    PersistTo,
    ReplicateTo,
    ServerDurability,
)
from couchbase.exceptions import InvalidArgumentException, ValueFormatException
from couchbase.options import (
    ClusterOptions,
    ClusterTimeoutOptions,
    DeltaValue,
    GetOptions,
    QueryOptions,
    SignedInt64,
    UpsertOptions,
    expiry_seconds,
    merge,
    timeout_seconds,
)
from couchbase.serializer import DefaultJsonSerializer
from couchbase.transcoder import (
    JSONTranscoder,
    LegacyTranscoder,
    RawBinaryTranscoder,
    RawJSONTranscoder,
    RawStringTranscoder,
)


def test_options_are_dicts_of_what_was_given() -> None:
    opts = GetOptions(with_expiry=True, timeout=timedelta(seconds=2))
    assert isinstance(opts, dict)
    assert dict(opts) == {"with_expiry": True, "timeout": timedelta(seconds=2)}
    assert dict(UpsertOptions()) == {}
    query = QueryOptions(named_parameters={"a": 1}, scan_consistency="request_plus",
                         use_replica=True, flex_index=True)
    assert query["named_parameters"] == {"a": 1} and query["use_replica"] is True


def test_merge_keywords_win_and_none_is_not_given() -> None:
    assert merge((), {}) == {}
    merged = merge((UpsertOptions(expiry=timedelta(seconds=5), preserve_expiry=True),),
                   {"expiry": timedelta(seconds=9), "transcoder": None})
    assert merged == {"expiry": timedelta(seconds=9), "preserve_expiry": True}
    with pytest.raises(InvalidArgumentException):
        merge(("not options",), {})


def test_expiry_rules() -> None:
    assert expiry_seconds(None) == 0
    assert expiry_seconds(timedelta(seconds=10)) == 10
    assert expiry_seconds(30) == 30
    assert expiry_seconds(timedelta(days=30)) == 30 * 24 * 3600  # still relative
    absolute = expiry_seconds(timedelta(days=31))
    assert abs(absolute - (time.time() + 31 * 24 * 3600)) < 5
    when = datetime.now() + timedelta(hours=1)
    assert abs(expiry_seconds(when) - when.timestamp()) < 1
    for bad in (timedelta(seconds=-1), "1h", datetime.now() - timedelta(hours=1),
                timedelta(days=365 * 200)):
        with pytest.raises(InvalidArgumentException):
            expiry_seconds(bad)


def test_timeouts() -> None:
    assert timeout_seconds(timedelta(milliseconds=1500)) == 1.5
    with pytest.raises(InvalidArgumentException):
        timeout_seconds(0)
    timeouts = ClusterTimeoutOptions(kv_timeout=timedelta(seconds=3), query_timeout=75)
    assert timeouts.kv_timeout == 3.0 and timeouts["query_timeout"] == 75.0
    opts = ClusterOptions(PasswordAuthenticator("u", "p"), timeout_options=timeouts,
                          enable_tls=False)
    assert opts.timeout_options is timeouts and opts["enable_tls"] is False


def test_counter_values() -> None:
    assert SignedInt64(-5).value == -5
    with pytest.raises(InvalidArgumentException):
        SignedInt64(2 ** 63)
    with pytest.raises(InvalidArgumentException):
        DeltaValue(0)


def test_durability_objects() -> None:
    assert ServerDurability(DurabilityLevel.PERSIST_TO_MAJORITY).level == 3
    with pytest.raises(InvalidArgumentException):
        ServerDurability(7)  # type: ignore[arg-type]
    client = ClientDurability(replicate_to=ReplicateTo.ONE, persist_to=PersistTo.ONE)
    assert client.observe_counts() == (1, 1)
    with pytest.raises(InvalidArgumentException):
        ClientDurability(replicate_to=9)


@pytest.mark.parametrize("transcoder,value,flags", [
    (JSONTranscoder(), {"a": 1}, 0x02000000),
    (JSONTranscoder(), "text", 0x02000000),
    (RawJSONTranscoder(), '{"a":1}', 0x02000000),
    (RawStringTranscoder(), "text", 0x04000004),
    (RawBinaryTranscoder(), b"\x00", 0x03000002),
    (LegacyTranscoder(), "text", 0x04000004),
    (LegacyTranscoder(), b"\x00", 0x03000002),
    (LegacyTranscoder(), [1], 0x02000000),
])
def test_transcoder_flags_round_trip(transcoder: object, value: object, flags: int) -> None:
    data, got = transcoder.encode_value(value)  # type: ignore[attr-defined]
    assert got == flags
    back = transcoder.decode_value(data, got)  # type: ignore[attr-defined]
    assert back == (value.encode() if isinstance(transcoder, RawJSONTranscoder) else value)


@pytest.mark.parametrize("transcoder,value", [
    (JSONTranscoder(), b"bytes"), (RawJSONTranscoder(), {"a": 1}),
    (RawStringTranscoder(), b"x"), (RawBinaryTranscoder(), "x"),
])
def test_transcoders_refuse_what_they_do_not_carry(transcoder: object, value: object) -> None:
    with pytest.raises(ValueFormatException):
        transcoder.encode_value(value)  # type: ignore[attr-defined]


def test_json_transcoder_refuses_other_formats_and_uses_its_serializer() -> None:
    with pytest.raises(ValueFormatException):
        JSONTranscoder().decode_value(b"abc", 0x04000000)

    class Upper(DefaultJsonSerializer):
        def deserialize(self, value: bytes) -> object:
            return str(super().deserialize(value)).upper()

    assert JSONTranscoder(Upper()).decode_value(b'"abc"', 0x02000000) == "ABC"


def test_legacy_transcoder_keeps_its_2x_meaning() -> None:
    from couchbase.formats import FMT_UTF8

    assert LegacyTranscoder().encode_value("x", FMT_UTF8) == (b"x", 0x04)
