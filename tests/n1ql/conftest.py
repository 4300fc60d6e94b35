from __future__ import annotations

from typing import Iterator

import pytest
from fakequery import FakeQuery


@pytest.fixture
def fakeq() -> Iterator[FakeQuery]:
    """A query service stand-in on an ephemeral port (bucket ``default``)."""
    server = FakeQuery()
    yield server
    server.close()
