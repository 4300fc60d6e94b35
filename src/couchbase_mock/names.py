"""The names the server accepts for buckets, scopes and collections, with its messages.

Every entry point checks names here: the REST API (which answers the message
in its 400 body), :meth:`couchbase_mock.cluster.Cluster.create_bucket` and the
in-process front end (which raise :class:`ValueError`).

Buckets (ns_server's bucket validation, in its order): 1 to 100 characters
from ``A-Z a-z 0-9 _ . - %``, not starting with ``.`` and not starting with
the names CouchDB keeps for itself (``_users.couch.``,
``_replicator.couch.``), unique regardless of case.

Scopes and collections (ns_server 7.0's collection validators, in their
order): 1 to 251 characters from ``A-Z a-z 0-9 _ - %``, not starting with
``_`` or ``%``. The system names (``_default``) exist from the start and
cannot be created.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Optional

MAX_BUCKET_NAME_LENGTH = 100
MAX_COLLECTION_NAME_LENGTH = 251
_BUCKET_CHARS = re.compile(r"[0-9A-Za-z_.%-]+")
_COLLECTION_CHARS = re.compile(r"[0-9A-Za-z_%-]+")
_RESERVED_BUCKET_PREFIXES = ("_users.couch.", "_replicator.couch.")


def bucket_name_error(name: str, existing: Iterable[str] = ()) -> Optional[str]:
    """Why ``name`` cannot name a new bucket next to ``existing``, or ``None``.

    >>> bucket_name_error("travel-sample") is None
    True
    >>> bucket_name_error("../x y")
    'Bucket name cannot start with dot.'
    >>> bucket_name_error("Beer", ["beer"])
    'Bucket with given name already exists'
    """
    if not name:
        return "Bucket name cannot be empty"
    if len(name) > MAX_BUCKET_NAME_LENGTH:
        return f"Bucket name cannot exceed {MAX_BUCKET_NAME_LENGTH} characters"
    if name.startswith("."):
        return "Bucket name cannot start with dot."
    if not _BUCKET_CHARS.fullmatch(name):
        return (
            "Bucket name can only contain characters in range A-Z, a-z, 0-9 as well as "
            "underscore, period, dash & percent. Consult the documentation."
        )
    if name.lower().startswith(_RESERVED_BUCKET_PREFIXES):
        return "This name is reserved for the internal use."
    lowered = name.lower()
    if any(other.lower() == lowered for other in existing):
        return "Bucket with given name already exists"
    return None


def collection_name_error(name: str) -> Optional[str]:
    """Why ``name`` cannot name a new scope or collection, or ``None``.

    >>> collection_name_error("inventory") is None
    True
    >>> collection_name_error("_system")
    'First character must not be _ or %'
    """
    if not 1 <= len(name) <= MAX_COLLECTION_NAME_LENGTH:
        return (
            f"Name length ({len(name)}) must be in the range from 1 to "
            f"{MAX_COLLECTION_NAME_LENGTH}, inclusive"
        )
    if not _COLLECTION_CHARS.fullmatch(name):
        return (
            f'Invalid value "{name}" : "Can only contain characters A-Z, a-z, 0-9 '
            'and the following symbols _ - %"'
        )
    if name[0] in "_%":
        return "First character must not be _ or %"
    return None


def check_bucket_name(name: str, existing: Iterable[str] = ()) -> None:
    """Raise :class:`ValueError` with the server's message if ``name`` cannot
    name a new bucket next to ``existing``.

    >>> check_bucket_name("x" * 300)
    Traceback (most recent call last):
    ...
    ValueError: bucket 'xxxxxxxx...': Bucket name cannot exceed 100 characters
    """
    problem = bucket_name_error(name, existing)
    if problem is not None:
        shown = name if len(name) <= 40 else name[:8] + "..."
        raise ValueError(f"bucket {shown!r}: {problem}")
