"""What commands print: plain text, tables (``rich`` when installed), or one JSON document.

``--json`` collects everything a command reports and prints it once at the end, so
stdout parses as a single JSON value. Without ``rich`` (the ``cli`` extra) tables
are printed as aligned plain text: every command works either way.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Optional, Sequence


def rich_available() -> bool:
    """Whether tables and live status use ``rich`` (``CBCP_PLAIN=1`` turns it off)."""
    if os.environ.get("CBCP_PLAIN"):
        return False
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


def to_text(value: Any) -> str:
    """A document value as text: strings as they are, JSON values compact."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), default=str)


class Output:
    """Where a command's results go; ``json_mode`` collects them into one document."""

    def __init__(self, json_mode: bool) -> None:
        self.json_mode = json_mode
        self.document: dict[str, Any] = {}

    # sys.stdout/stderr are looked up at each call, so redirection (capsys) works
    def line(self, text: str = "") -> None:
        if not self.json_mode:
            print(text, file=sys.stdout)

    def note(self, text: str) -> None:
        """Information about a result (metadata, counts): stderr, so stdout stays data."""
        print(text, file=sys.stderr)

    def put(self, key: str, value: Any) -> None:
        """One entry of the JSON document (ignored in plain mode)."""
        self.document[key] = value

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
              key: Optional[str] = None) -> None:
        """A table; in JSON mode a list of objects under ``key`` (default ``title``)."""
        if self.json_mode:
            self.document[key or title] = [dict(zip(columns, row)) for row in rows]
            return
        cells = [[to_text(c) if not isinstance(c, str) else c for c in row] for row in rows]
        if rich_available():
            from rich.console import Console
            from rich.table import Table

            table = Table(title=title)
            for column in columns:
                table.add_column(column)
            for row in cells:
                table.add_row(*row)
            Console(file=sys.stdout, soft_wrap=True).print(table)
            return
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
        print(title, file=sys.stdout)
        print("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(), file=sys.stdout)
        for row in cells:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip(), file=sys.stdout)

    def finish(self) -> None:
        if self.json_mode:
            json.dump(self.document, sys.stdout, indent=2, default=str, sort_keys=True)
            sys.stdout.write("\n")
