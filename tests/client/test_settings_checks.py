"""Bucket settings refuse values 2.x refused, instead of storing them."""

from __future__ import annotations

import pytest

from couchbase import FMT_JSON, FMT_UTF8
from couchbase.exceptions import ArgumentError


def test_quiet_takes_only_booleans(cb):
    for bad in ("asfasf", None, 2):
        with pytest.raises(ArgumentError):
            cb.quiet = bad
    cb.quiet = True
    assert cb.quiet is True
    cb.quiet = 0
    assert cb.quiet is False


def test_default_format_takes_only_formats(cb):
    for bad in (False, True, "json", 12345):
        with pytest.raises(ArgumentError):
            cb.default_format = bad
    cb.default_format = FMT_UTF8
    assert cb.default_format == FMT_UTF8
    cb.default_format = FMT_JSON
