"""Helpers that warn when an application uses an API on its way out (SDK 2.5's
``couchbase.deprecation``).

>>> import types, warnings
>>> mod = types.SimpleNamespace(OLD=1, NEW=2)
>>> wrapped = deprecate_module_attribute(mod, ["OLD"])
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     wrapped.OLD, wrapped.NEW
(1, 2)
>>> [str(w.message) for w in caught]
['Property OLD is deprecated']
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Iterable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def warn_on_attribute_access(obj: Any, applicable: Iterable[str], status: str) -> Any:
    """A stand-in for ``obj`` that warns ``"Property <name> is <status>"`` whenever
    one of the ``applicable`` attributes is read or set; every attribute reads
    and writes through to ``obj``. The warning is a DeprecationWarning when
    ``status`` is ``"deprecated"``, else a UserWarning."""
    names = frozenset(applicable)
    category = DeprecationWarning if status == "deprecated" else UserWarning

    class Wrapper:
        __slots__ = ()

        def __getattr__(self, attr: str) -> Any:
            if attr in names:
                warnings.warn(f"Property {attr} is {status}", category, stacklevel=2)
            return getattr(obj, attr)

        def __setattr__(self, attr: str, value: Any) -> None:
            if attr in names:
                warnings.warn(f"Property {attr} is {status}", category, stacklevel=2)
            setattr(obj, attr, value)

        def __dir__(self) -> list[str]:
            return dir(obj)

        def __repr__(self) -> str:
            return f"<{status} view of {obj!r}>"

    return Wrapper()


def deprecate_module_attribute(mod: Any, deprecated: Iterable[str] = ()) -> Any:
    """A stand-in for module ``mod`` that warns (DeprecationWarning) when one of
    the ``deprecated`` attributes is used (``sys.modules[__name__] = ...``)."""
    return warn_on_attribute_access(mod, deprecated, "deprecated")


def uncommitted(function: F) -> F:
    """Mark ``function`` as an uncommitted API: each call warns that it may change."""
    name = getattr(function, "__qualname__", getattr(function, "__name__", repr(function)))
    message = "{} is an uncommitted API call which may be subject to change in future."

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(message.format(f"'{name}'"), UserWarning, stacklevel=2)
        return function(*args, **kwargs)

    wrapper.__doc__ = ((function.__doc__ + "\n\n") if function.__doc__ else "") + \
        "    :warning: " + message.format("This")
    return wrapper  # type: ignore[return-value]


__all__ = ["deprecate_module_attribute", "uncommitted", "warn_on_attribute_access"]
