"""Mutation tokens and the set of them a query is to be consistent with (SDK 2.x and 3.x).

Every mutation's result carries a token, ``(vbucket, vbucket_uuid, seqno,
bucket)``, unless the connection string turns them off
(``fetch_mutation_tokens=false``). A :class:`MutationState` gathers tokens;
a query given one with :meth:`~couchbase.n1ql.N1QLQuery.consistent_with`
waits until the index has seen each of those mutations ("at_plus"), which
is cheaper than REQUEST_PLUS when only your own writes matter::

    rv = cb.upsert("user:1", {"name": "Ann"})
    q = N1QLQuery("SELECT name FROM default WHERE name = 'Ann'")
    q.consistent_with(MutationState(rv))
    rows = list(cb.n1ql_query(q))
"""

from __future__ import annotations

import json
from typing import Any, Iterator, NamedTuple, Optional

from .exceptions import ArgumentError, CouchbaseError


class MissingTokenError(CouchbaseError):
    """A result carries no mutation token (tokens were turned off, or it was no
    mutation)."""


class MutationToken(NamedTuple):
    """Where one mutation landed. The bucket name is empty on a token made by a
    connection that did not know it: a query fills in its own bucket."""

    vbucket_id: int
    vbucket_uuid: int
    sequence_number: int
    bucket_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The token as the SDK 3.x documentation shows it."""
        return {"partition_id": self.vbucket_id, "partition_uuid": self.vbucket_uuid,
                "sequence_number": self.sequence_number, "bucket_name": self.bucket_name}


def token_of(result: Any) -> Optional[MutationToken]:
    """The token a result carries, if any."""
    token = getattr(result, "_mutinfo", None)
    if token is None and callable(getattr(result, "mutation_token", None)):
        token = result.mutation_token()
    return token if isinstance(token, MutationToken) else None


class MutationState:
    """A set of mutation tokens, at most one (the newest) per bucket and vbucket."""

    def __init__(self, *docs: Any, **kwargs: Any) -> None:
        self._sv: dict[str, dict[int, tuple[int, int]]] = {}
        if docs:
            self.add_results(*docs, **kwargs)

    # -- adding ------------------------------------------------------------------------
    def add_mutation_token(self, mut_token: Any) -> None:
        """Add one token (anything that is not a token is ignored, as 3.x does)."""
        token = mut_token
        if not isinstance(token, MutationToken):
            if isinstance(token, tuple) and len(token) == 4:
                token = MutationToken(*token)
            else:
                return
        vbs = self._sv.setdefault(token.bucket_name, {})
        seen = vbs.get(token.vbucket_id)
        if seen is None or seen[0] < token.sequence_number:
            vbs[token.vbucket_id] = (token.sequence_number, token.vbucket_uuid)

    _add_scanvec = add_mutation_token  # the 2.x name

    def add_results(self, *rvs: Any, **kwargs: Any) -> bool:
        """Add the tokens of mutation results. A result without one raises
        :exc:`MissingTokenError`, or with ``quiet=True`` stops and returns False."""
        quiet = bool(kwargs.pop("quiet", False))
        if kwargs:
            raise ArgumentError(f"unknown arguments: {', '.join(sorted(kwargs))}")
        if not rvs:
            raise ArgumentError("add_results needs at least one result")
        for rv in rvs:
            results = rv.values() if hasattr(rv, "values") and not hasattr(rv, "cas") else [rv]
            for one in results:
                token = token_of(one)
                if token is None:
                    if quiet:
                        return False
                    raise MissingTokenError(
                        f"the result for {getattr(one, 'key', one)!r} has no mutation token "
                        "(was it a mutation, on a connection with fetch_mutation_tokens on?)")
                self.add_mutation_token(token)
        return True

    def add_all(self, bucket: Any, quiet: bool = False) -> Any:
        """Add every mutation made through ``bucket`` so far: a token at each
        vbucket's current sequence number, asked of the servers (so mutations cost
        nothing extra; a query consistent with the state also waits for other
        clients' earlier mutations). True; with none, :exc:`MissingTokenError`, or
        False with ``quiet``. On asyncio an awaitable, on Twisted a Deferred of that."""
        from ._seqnos import add_all_flow

        return bucket._drive(add_all_flow(self, bucket, quiet))

    # -- reading ---------------------------------------------------------------------
    def __iter__(self) -> Iterator[MutationToken]:
        for bucket, vbs in self._sv.items():
            for vb, (seqno, uuid) in sorted(vbs.items()):
                yield MutationToken(vb, uuid, seqno, bucket)

    def __bool__(self) -> bool:
        return any(self._sv.values())

    def __len__(self) -> int:
        return sum(len(v) for v in self._sv.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MutationState) and self._sv == other._sv

    def scan_vectors(self, default_bucket: Optional[str] = None) -> dict[str, Any]:
        """The query service's ``scan_vectors``: ``{bucket: {"vb": [seqno, "uuid"]}}``.
        Tokens without a bucket name go under ``default_bucket``."""
        out: dict[str, dict[str, list[Any]]] = {}
        for token in self:
            name = token.bucket_name or default_bucket or ""
            out.setdefault(name, {})[str(token.vbucket_id)] = [
                token.sequence_number, str(token.vbucket_uuid)]
        return out

    def encode(self) -> str:
        """The state as JSON, for :meth:`decode` in another process."""
        return json.dumps(self.scan_vectors())

    @classmethod
    def decode(cls, s: str) -> MutationState:
        """A state from :meth:`encode`'s JSON."""
        try:
            raw = json.loads(s)
            state = cls()
            for bucket, vbs in raw.items():
                for vb, (seqno, uuid) in vbs.items():
                    state.add_mutation_token(MutationToken(int(vb), int(uuid), int(seqno), bucket))
        except (ValueError, TypeError, AttributeError) as exc:
            raise ArgumentError(f"not an encoded MutationState: {s!r:.200}",
                                inner_cause=exc) from None
        return state

    def __repr__(self) -> str:
        return f"MutationState({list(self)!r})"
