"""The 4.x ``txcouchbase.scope`` names: a scope of a Twisted bucket, whose ``query``,
``analytics_query`` and ``search_query`` return Deferreds firing with their
result once every row arrived."""

from __future__ import annotations

from couchbase.scope import Scope

TxScope = Scope

__all__ = ["Scope", "TxScope"]
