"""Options objects of the 3.x entry points."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Optional, Union

from .auth import Authenticator
from .exceptions import ArgumentError

Duration = Union[timedelta, float, int]


def seconds(value: Duration, name: str) -> float:
    """A timeout given as timedelta or seconds, checked."""
    if isinstance(value, timedelta):
        result = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
    else:
        raise ArgumentError(f"{name} must be a timedelta or seconds, not {value!r}")
    if result <= 0:
        raise ArgumentError(f"{name} must be positive (got {result})")
    return result


class ClusterTimeoutOptions:
    """Timeouts: ``kv_timeout`` (default 2.5 s), ``connect_timeout`` (bootstrap)."""

    def __init__(self, kv_timeout: Optional[Duration] = None,
                 connect_timeout: Optional[Duration] = None, **_: Any) -> None:
        self.kv_timeout = None if kv_timeout is None else seconds(kv_timeout, "kv_timeout")
        self.connect_timeout = None if connect_timeout is None else \
            seconds(connect_timeout, "connect_timeout")


class ClusterOptions:
    """How to connect: ``ClusterOptions(PasswordAuthenticator(user, password))``."""

    def __init__(self, authenticator: Authenticator,
                 timeout_options: Optional[ClusterTimeoutOptions] = None,
                 **kwargs: Any) -> None:
        if not isinstance(authenticator, Authenticator):
            raise ArgumentError("ClusterOptions needs an authenticator such as "
                                "PasswordAuthenticator(username, password)")
        self.authenticator = authenticator
        self.timeout_options = timeout_options or ClusterTimeoutOptions()
        self.extra = kwargs
