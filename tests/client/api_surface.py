"""Checking an API surface against the documentation's tables (tests/client, shared
by test_api_surface_2x and test_api_surface_4x): a module imports, a name is where
the docs put it, a method accepts the documented parameter names, a name left out
is really absent. Names of the form ``module.Class.attr``; a table's names are one
space-separated string."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest


def split(spec: str) -> list[str]:
    return spec.split()


def resolve(dotted: str) -> Any:
    """The object at ``module.Class.attr`` (the longest importable module prefix)."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def needs(dotted: str) -> None:
    """Skip unless the optional package ``dotted`` lives on is installed."""
    if dotted.startswith("txcouchbase"):
        pytest.importorskip("twisted")
    if dotted.startswith("gcouchbase"):
        pytest.importorskip("gevent")
    if dotted == "couchbase.asynchronous.bucket":
        pytest.importorskip("twisted")  # AsyncResult is the raw Twisted handle


def known_gap(case: str, gaps: dict[str, str]) -> Any:
    """``case``, as a strict xfail when ``gaps`` names it (its fix shows as an XPASS)."""
    if case in gaps:
        return pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=gaps[case]))
    return case


def assert_imports(module: str) -> None:
    needs(module)
    importlib.import_module(module)


def assert_has_name(module: str, name: str) -> None:
    needs(module)
    assert hasattr(importlib.import_module(module), name), f"{module}.{name} is missing"


def assert_accepts(method: str, params: str) -> None:
    """``method`` is callable with each of ``params`` (names) as a keyword."""
    needs(method)
    func = resolve(method)
    assert callable(func), f"{method} is not callable"
    sig = inspect.signature(func)
    for param in split(params):
        try:
            sig.bind_partial(**{param: None})
        except TypeError:
            pytest.fail(f"{method}{sig} does not accept {param}=")


def assert_absent(name: str, reason: str) -> None:
    """A name left out, with its reason: one that became available should move into
    the tables."""
    assert len(reason) > 20
    with pytest.raises((ImportError, AttributeError)):
        resolve(name)
