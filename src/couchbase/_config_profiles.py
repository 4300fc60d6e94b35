"""Configuration profiles: named sets of cluster options (the official SDK's volatile
API, re-exported by :mod:`couchbase.options`).

>>> options = ClusterOptions(PasswordAuthenticator("app", "secret"))
>>> options.apply_profile(KnownConfigProfiles.WanDevelopment)   # or "wan_development"
>>> options.timeout_options.kv_timeout
20.0

A profile overrides the settings it names and leaves every other one as it was.
``wan_development`` is the documented one (the SDK documentation's "Client
Settings" page): 20 s to connect and for key-value operations, durable ones
included, and 120 s for views, query, analytics, search and management. Register
your own with ``CONFIG_PROFILES.register_profile(name, profile)``, a
:class:`ConfigProfile` whose :meth:`~ConfigProfile.apply` changes the options.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import timedelta
from enum import Enum
from typing import Any, Optional, Union


class KnownConfigProfiles(Enum):
    """The profiles every SDK knows by name."""

    WanDevelopment = "wan_development"


class ConfigProfile(ABC):
    """A named set of options: :meth:`apply` changes a ``ClusterOptions``."""

    @abstractmethod
    def apply(self, options: Any) -> None:
        """Set this profile's values in ``options`` (a ClusterOptions)."""


def set_timeouts(options: Any, **timeouts: timedelta) -> None:
    """Override some of ``options``' timeouts (ClusterTimeoutOptions), keeping the rest."""
    from .options import ClusterTimeoutOptions

    merged = ClusterTimeoutOptions(**{**dict(options.timeout_options), **timeouts})
    options.timeout_options = merged
    options["timeout_options"] = merged


class WanDevelopmentProfile(ConfigProfile):
    """Timeouts for developing against a cluster far away (a WAN, a cloud)."""

    TIMEOUTS = {
        "connect_timeout": timedelta(seconds=20),
        "kv_timeout": timedelta(seconds=20),
        "kv_durable_timeout": timedelta(seconds=20),
        "views_timeout": timedelta(seconds=120),
        "query_timeout": timedelta(seconds=120),
        "analytics_timeout": timedelta(seconds=120),
        "search_timeout": timedelta(seconds=120),
        "management_timeout": timedelta(seconds=120),
    }

    def apply(self, options: Any) -> None:
        set_timeouts(options, **self.TIMEOUTS)


class ConfigProfiles:
    """The registered profiles, by name."""

    def __init__(self) -> None:
        self._profiles: dict[str, ConfigProfile] = {
            KnownConfigProfiles.WanDevelopment.value: WanDevelopmentProfile(),
        }

    @staticmethod
    def _name(profile_name: Union[KnownConfigProfiles, str]) -> str:
        name = profile_name.value if isinstance(profile_name, KnownConfigProfiles) \
            else profile_name
        if not isinstance(name, str) or not name:
            raise _invalid(f"a profile name is a non-empty string, not {profile_name!r}")
        return name

    def apply_profile(self, profile_name: Union[KnownConfigProfiles, str],
                      options: Any) -> None:
        """Apply the profile registered as ``profile_name`` to ``options``;
        InvalidArgumentException if there is none."""
        name = self._name(profile_name)
        profile = self._profiles.get(name)
        if profile is None:
            raise _invalid(f"no configuration profile named {name!r} is registered")
        profile.apply(options)

    def register_profile(self, profile_name: str, profile: ConfigProfile) -> None:
        """Register (or replace) ``profile`` under ``profile_name``."""
        if not isinstance(profile, ConfigProfile):
            raise _invalid(f"a profile is a ConfigProfile, not {profile!r}")
        self._profiles[self._name(profile_name)] = profile

    def unregister_profile(self, profile_name: str) -> Optional[ConfigProfile]:
        """Remove the profile; the one removed, or None."""
        return self._profiles.pop(self._name(profile_name), None)


def _invalid(message: str) -> Exception:
    from ._errors4x import InvalidArgumentException

    return InvalidArgumentException(message=message)


CONFIG_PROFILES = ConfigProfiles()
"""The profiles ``ClusterOptions.apply_profile`` knows (one registry per process)."""

__all__ = ["CONFIG_PROFILES", "ConfigProfile", "ConfigProfiles", "KnownConfigProfiles",
           "WanDevelopmentProfile"]
