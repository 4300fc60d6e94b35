"""``python -m beersample`` (from examples/beer): the same as beer.py."""

from __future__ import annotations

from .cli import main

main()
