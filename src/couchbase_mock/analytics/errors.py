"""Analytics errors as the service reports them: ``{"code": n, "msg": text}``.

Codes used here (the Analytics error-codes page): 20000 unauthorized, 21002
request timed out, 24000 syntax error, 24034 unknown dataverse (analytics
scope), 24039 dataverse exists, 24040 dataset (analytics collection) exists,
24045 unknown dataset (24025 in DDL), 24047 unknown index, 24048 index exists, 24006 unknown
link, 24055 link exists, 21008 a parameter the service does not take.
"""

from __future__ import annotations


class AnalyticsError(Exception):
    """A failed request: its code, message and the HTTP status it answers with."""

    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.status = status

    def json(self) -> dict[str, object]:
        return {"code": self.code, "msg": self.msg}


def syntax_error(msg: str) -> AnalyticsError:
    return AnalyticsError(24000, f"Syntax error: {msg}")


__all__ = ["AnalyticsError", "syntax_error"]
