"""What a sample data set is, and the small generators the data sets share.

A :class:`Sample` says which scopes and collections a sample bucket has
besides ``_default``, yields its documents, and lists its design documents
and its N1QL index statements. Documents come from a :class:`random.Random`
seeded with a constant, so every install of a data set writes the same
documents, byte for byte.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
import uuid
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator, Mapping, NamedTuple, Sequence

DEFAULT = "_default"

Document = tuple[str, str, str, bytes]
"""``(scope, collection, key, JSON body)``."""


class Sample(NamedTuple):
    """One sample bucket (its bucket takes ``name``)."""

    name: str
    documents: Callable[[], Iterator[Document]]
    scopes: Mapping[str, Sequence[str]]
    """Scopes made besides ``_default``, with their collections."""
    design_docs: Mapping[str, Mapping[str, Any]]
    """Design document name (without ``_design/``) -> body."""
    indexes: Sequence[str]
    """N1QL statements run once the documents are in."""


def encode(doc: Mapping[str, Any]) -> bytes:
    """A document's JSON body: compact, UTF-8."""
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


_NOT_ID = re.compile(r"[^a-z0-9]+")
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l"})


def slug(name: str) -> str:
    """A name as the sample data sets make ids of it: ``"21A IPA"`` -> ``"21a_ipa"``,
    ``"Juleøl"`` -> ``"juleol"``."""
    ascii_name = unicodedata.normalize("NFKD", name.lower().translate(_LETTERS))
    ascii_name = ascii_name.encode("ascii", "ignore").decode()
    return _NOT_ID.sub("_", ascii_name).strip("_")


def make_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from ``rng`` (so it is reproducible)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def timestamp(rng: random.Random, start: datetime, days: int) -> str:
    """``"YYYY-MM-DD HH:MM:SS"`` within ``days`` days after ``start``."""
    moment = start + timedelta(seconds=rng.randrange(days * 86400))
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def unique(rng: random.Random, make: Callable[[random.Random], str], taken: set[str]) -> str:
    """A value of ``make(rng)`` not in ``taken`` (added to it)."""
    while True:
        value = make(rng)
        if value not in taken:
            taken.add(value)
            return value
