"""Recursive-descent parser for N1QL statements, Pratt parsing for expressions.

``parse(text)`` returns a statement node of :mod:`.ast`; a syntax error is a
:class:`~.errors.N1QLError` with code 3000 and the position of the offending
token (``syntax error - line 1, column 8, near 'SELECT', at: FROM``). A
statement nested more than :data:`~.limits.MAX_NESTING` levels deep fails
with 5000 "Statement too deeply nested" (see :mod:`.limits`).
Operator precedence, lowest first: OR, AND, NOT, comparisons (``= != < <=
> >= LIKE IN BETWEEN IS``), ``||``, ``+ -``, ``* / %``, unary minus, then
the postfix path operators ``.`` and ``[ ]``.
"""

from __future__ import annotations

from typing import Any, Optional

from . import ast as A
from .errors import N1QLError, syntax_error
from .exclude import parse_exclude
from .fromselect import rotate_from_select
from .hints import attach as attach_hints
from .hints import split_tokens
from .joinrules import check_joins
from .lexer import (
    EOF,
    IDENT,
    NAMED_PARAM,
    NEXT_PARAM,
    NUMBER,
    OP,
    POS_PARAM,
    QIDENT,
    STRING,
    Token,
    tokenize,
)
from .limits import MAX_NESTING, check_nesting, too_deeply_nested
from .statements import parser_for
from .statements.sequences import OPERATOR_WORDS as SEQUENCE_WORDS
from .statements.sequences import check_placement, sequence_operator
from .window import call_suffix, starts_window_clause, window_clause

# reservedwords.adoc: every word of the page's list is a keyword. The server's
# grammar lets five of them stand where an identifier goes (its
# "permitted_identifiers": keyspace and alias names, paths, FROM default...).
DOCUMENTED_RESERVED = frozenset("""
_INDEX_CONDITION _INDEX_KEY ADVISE ALL ALTER ANALYZE AND ANY ARRAY AS ASC AT BEGIN BETWEEN
BINARY BOOLEAN BREAK BUCKET BUILD BY CACHE CALL CASE CAST CLUSTER COLLATE COLLECTION COMMIT
COMMITTED CONNECT CONTINUE CORRELATED COVER CREATE CURRENT CYCLE DATABASE DATASET DATASTORE
DECLARE DECREMENT DEFAULT DELETE DERIVED DESC DESCRIBE DISTINCT DO DROP EACH ELEMENT ELSE END
ESCAPE EVERY EXCEPT EXCLUDE EXECUTE EXISTS EXPLAIN FALSE FETCH FILTER FIRST FLATTEN
FLATTEN_KEYS FLUSH FOLLOWING FOR FORCE FROM FTS FUNCTION GOLANG GRANT GROUP GROUPS GSI HASH
HAVING IF IGNORE ILIKE IN INCLUDE INCREMENT INDEX INFER INLINE INNER INSERT INTERSECT INTO IS
ISOLATION JAVASCRIPT JOIN KEY KEYS KEYSPACE KNOWN LANGUAGE LAST LATERAL LEFT LET LETTING LEVEL
LIKE LIMIT LSM MAP MAPPING MATCHED MATERIALIZED MAXVALUE MERGE MINUS MINVALUE MISSING
NAMESPACE NAMESPACE_ID NEST NEXT NEXTVAL NL NO NOT NOT_A_TOKEN NTH_VALUE NULL NULLS NUMBER
OBJECT OFFSET ON OPTION OPTIONS OR ORDER OTHERS OUTER OVER PARSE PARTITION PASSWORD PATH POOL
PRECEDING PREPARE PREV PREVIOUS PREVVAL PRIMARY PRIVATE PRIVILEGE PROBE PROCEDURE PUBLIC
RANGE RAW READ REALM RECURSIVE REDUCE RENAME REPLACE RESPECT RESTART RESTRICT RETURN
RETURNING REVOKE RIGHT ROLE ROLES ROLLBACK ROW ROWS SATISFIES SAVEPOINT SCHEMA SCOPE SELECT
SELF SEQUENCE SEMI SET SHOW SOME START STATISTICS STRING SYSTEM THEN TIES TO TRAN TRANSACTION
TRIGGER TRUE TRUNCATE UNBOUNDED UNDER UNION UNIQUE UNKNOWN UNNEST UNSET UPDATE UPSERT USE
USER USERS USING VALIDATE VALUE VALUED VALUES VECTOR VIA VIEW WHEN WHERE WHILE WINDOW WITH
WITHIN WORK XOR
""".split())
IDENTIFIER_KEYWORDS = frozenset({"DEFAULT", "USER", "USERS", "SEQUENCE", "VECTOR"})
# Words refused as an unquoted identifier (a name, an alias, a field after a dot).
RESERVED = DOCUMENTED_RESERVED - IDENTIFIER_KEYWORDS
# Keywords that are also function names: REPLACE(), FLATTEN_KEYS() in index keys and
# NTH_VALUE() (the grammar names each); any other keyword before "(" is an error.
KEYWORD_FUNCTIONS = frozenset({"REPLACE", "FLATTEN_KEYS", "NTH_VALUE"})

OR_BP, AND_BP, NOT_BP, CMP_BP, CONCAT_BP, ADD_BP, MUL_BP, UNARY_BP = 10, 20, 30, 40, 50, 60, 70, 80

COMPARISONS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">",
               ">=": ">="}


class Parser:
    def __init__(self, text: str, cancel: Optional[Any] = None) -> None:
        self.text = text
        self.cancel = cancel
        self.tokens, self.hint_comments = split_tokens(tokenize(text, cancel))  # hints.py
        self.i = 0
        self.next_positional = 0
        self.depth = 0  # expressions being parsed, one inside the other
        self.ctes: set[str] = set()  # WITH names in scope: FROM name is that value
        self.steps = 0

    # -- token helpers ----------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def error(self, tok: Optional[Token] = None) -> Exception:
        tok = tok or self.tok
        if tok.kind == EOF:
            return syntax_error(self.text, tok.offset, None)
        return syntax_error(self.text, tok.offset, tok.text)

    def is_kw(self, *words: str, tok: Optional[Token] = None) -> bool:
        t = tok or self.tok
        return t.kind == IDENT and t.text.upper() in words

    def accept_kw(self, *words: str) -> Optional[str]:
        if self.is_kw(*words):
            word = self.tok.text.upper()
            self.i += 1
            return word
        return None

    def expect_kw(self, *words: str) -> str:
        word = self.accept_kw(*words)
        if word is None:
            raise self.error()
        return word

    def is_op(self, *ops: str, tok: Optional[Token] = None) -> bool:
        t = tok or self.tok
        return t.kind == OP and t.value in ops

    def accept_op(self, op: str) -> bool:
        if self.is_op(op):
            self.i += 1
            return True
        return False

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            raise self.error()

    def ident(self) -> str:
        """An identifier: a quoted name or a word that is not reserved."""
        t = self.tok
        if t.kind == QIDENT or (t.kind == IDENT and t.text.upper() not in RESERVED):
            self.i += 1
            return str(t.value)
        raise self.error()

    def is_ident(self) -> bool:
        t = self.tok
        return t.kind == QIDENT or (t.kind == IDENT and t.text.upper() not in RESERVED)

    # -- statements -------------------------------------------------------

    def parse(self) -> A.Node:
        stmt = self.statement()
        self.accept_op(";")
        if self.tok.kind != EOF:
            raise self.error()
        return stmt

    def statement(self) -> A.Node:
        t = self.tok
        if self.is_kw("SELECT", "WITH", "FROM") or self.is_op("("):  # FROM...SELECT
            return self.select()
        word = t.text.upper() if t.kind == IDENT else ""
        if word:
            nxt = self.peek()
            plugin = parser_for(word, nxt.text.upper() if nxt.kind == IDENT else "")
            if plugin is not None:
                return plugin(self)
        if word == "EXPLAIN":
            self.i += 1
            return A.Explain(self.statement())
        if word == "PREPARE":
            self.i += 1
            force = self.tok.kind == IDENT and self.tok.text.upper() == "FORCE" and \
                self.peek().text.upper() not in ("FROM", "AS")  # PREPARE FORCE [name FROM] stmt
            if force:
                self.i += 1
            pname = None
            if not self.is_kw("SELECT", "INSERT", "UPSERT", "UPDATE", "DELETE") and not \
                    self.is_op("("):
                pname = self.name_token()
                self.expect_kw("FROM", "AS")
            start = self.tok.offset
            stmt = self.statement()
            return A.Prepare(pname, stmt, self.text[start:].strip().rstrip(";").strip(), force)
        if word == "EXECUTE":
            self.i += 1
            if self.tok.kind in (STRING, QIDENT, IDENT):
                name: A.Node = A.Literal(self.tok.value)
                self.i += 1
            else:
                name = self.expr()
            using = self.expr() if self.accept_kw("USING") else None
            return A.Execute(name, using)
        if word in ("INSERT", "UPSERT"):
            return self.insert()
        if word == "UPDATE":
            return self.update()
        if word == "DELETE":
            return self.delete()
        if word == "CREATE":
            return self.create_index()
        if word == "DROP":
            return self.drop_index()
        if word == "BUILD":
            return self.build_index()
        raise self.error()

    def name_token(self) -> str:
        t = self.tok
        if t.kind in (IDENT, QIDENT, STRING):
            self.i += 1
            return str(t.value)
        raise self.error()

    def select(self) -> A.Select:
        outer_ctes = self.ctes
        self.ctes = set(outer_ctes)
        with_ = self.with_clause() if self.is_kw("WITH") else None
        body = self.select_operand()
        while self.is_kw("UNION", "INTERSECT", "EXCEPT"):
            op = self.accept_kw("UNION", "INTERSECT", "EXCEPT")
            all_ = self.accept_kw("ALL") is not None
            if not all_:
                self.accept_kw("DISTINCT")
            body = A.SetOp(op or "", all_, body, self.select_operand())
        order = limit = offset = None
        if self.accept_kw("ORDER"):
            self.expect_kw("BY")
            order = [self.order_term()]
            while self.accept_op(","):
                order.append(self.order_term())
        for _ in range(2):
            if limit is None and self.accept_kw("LIMIT"):
                limit = self.expr()
            elif offset is None and self.accept_kw("OFFSET"):
                offset = self.expr()
        if isinstance(body, A.Select) and order is None and limit is None and offset is None:
            if with_:
                body.with_ = with_ + (body.with_ or [])
            self.ctes = outer_ctes
            return body
        self.ctes = outer_ctes
        return A.Select(body, order, limit, offset, with_)

    def with_clause(self) -> list:
        """``WITH [RECURSIVE] name AS (select | expr) [CYCLE f, ... RESTRICT]
        [OPTIONS {...}], ...`` (CYCLE and OPTIONS only after RECURSIVE)."""
        self.expect_kw("WITH")
        recursive = self.accept_kw("RECURSIVE") is not None
        terms = []
        while True:
            name = self.ident()
            self.expect_kw("AS")
            self.expect_op("(")
            if recursive:
                self.ctes.add(name)  # a recursive term reads itself
            query = expr = None
            if self.is_kw("SELECT", "WITH", "FROM"):
                query = self.select()
            else:
                expr = self.expr()
            self.expect_op(")")
            cycle = options = None
            if recursive and self.accept_kw("CYCLE"):
                cycle = [self.expr()]
                while self.accept_op(","):
                    cycle.append(self.expr())
                self.expect_kw("RESTRICT")
            if recursive and self.accept_kw("OPTIONS"):
                options = self.expr()
            terms.append(A.WithTerm(name, query, expr, recursive, cycle, options))
            self.ctes.add(name)
            if not self.accept_op(","):
                return terms

    def select_operand(self) -> Any:
        if self.accept_op("("):
            inner = self.select()
            self.expect_op(")")
            return inner
        return self.select_block()

    def order_term(self) -> A.OrderTerm:
        expr = self.expr()
        desc = self.accept_kw("ASC", "DESC") == "DESC"
        nulls = None
        if self.is_kw("NULLS"):
            self.i += 1
            nulls = self.expect_kw("FIRST", "LAST") == "FIRST"
        return A.OrderTerm(expr, desc, nulls)

    def select_block(self) -> A.SelectBlock:
        if self.is_kw("FROM"):  # FROM ... SELECT ...: the SELECT clause moved first (fromselect.py)
            rotate_from_select(self)
        hint_at = self.i
        self.expect_kw("SELECT")
        b = A.SelectBlock()
        word = self.accept_kw("ALL", "DISTINCT")
        b.distinct = word == "DISTINCT"
        if self.accept_kw("RAW", "ELEMENT", "VALUE"):
            b.raw = True
            b.terms = [A.ResultTerm(self.expr(), None, False)]
            if self.accept_kw("AS"):
                self.ident()
        else:
            b.terms = [self.result_term()]
            while self.accept_op(","):
                b.terms.append(self.result_term())
            self.check_result_aliases(b.terms)
            if self.accept_kw("EXCLUDE"):  # SELECT * EXCLUDE a, b.c (exclude.py)
                b.exclude = parse_exclude(self)
        if self.accept_kw("FROM"):
            b.from_ = self.from_term()
            while True:
                join = self.join_clause()
                if join is None and self.accept_op(","):  # FROM a, b: each b for each a
                    term = self.from_term()
                    join = A.Join("COMMA", False, term, term.alias)
                if join is None:
                    break
                b.joins.append(join)
            b.from_, b.joins = check_joins(b.from_, b.joins)  # joinrules.py
        if self.accept_kw("LET"):
            b.let = self.bindings_list()
        if self.accept_kw("WHERE"):
            b.where = self.expr()
        if self.accept_kw("GROUP"):
            self.expect_kw("BY")
            b.group_by = []
            group_aliases = []  # GROUP BY expr AS alias: the alias is a LETTING of the key
            while True:
                key = self.expr()
                b.group_by.append(key)
                if self.accept_kw("AS"):
                    group_aliases.append((self.ident(), key))
                if not self.accept_op(","):
                    break
            if self.accept_kw("GROUP"):  # GROUP AS g: each group's rows (groupas.py)
                self.expect_kw("AS")
                b.group_as = self.ident()
            b.letting = group_aliases
            if self.accept_kw("LETTING"):
                b.letting = group_aliases + self.bindings_list()
        if self.accept_kw("HAVING"):
            b.having = self.expr()
        if self.is_kw("WINDOW"):
            b.window = window_clause(self)
        attach_hints(self, hint_at, b)
        return b

    def check_result_aliases(self, terms: list) -> None:
        """Two projections with one name are an error (selectclause.adoc)."""
        seen = set()
        for t in terms:
            name = None if t.star else (t.alias or A.implicit_name(t.expr))
            if name:
                if name in seen:
                    raise N1QLError(3000, f"Duplicate result alias '{name}'.")
                seen.add(name)

    def bindings_list(self) -> list:
        out = []
        while True:
            name = self.ident()
            self.expect_op("=")
            out.append((name, self.expr()))
            if not self.accept_op(","):
                return out

    def result_term(self) -> A.ResultTerm:
        if self.accept_op("*"):
            return A.ResultTerm(None, None, True)
        if self.is_kw("SELF") and self.is_op(".", tok=self.peek()) and self.is_op(
                "*", tok=self.tokens[self.i + 2]):  # self.*: FORMALIZE's spelling of *
            self.i += 3
            return A.ResultTerm(None, None, True)
        expr = self.expr()
        if self.is_op(".") and self.is_op("*", tok=self.peek()):
            self.i += 2
            return A.ResultTerm(expr, None, True)
        alias = self.alias()
        return A.ResultTerm(expr, alias, False)

    def alias(self) -> Optional[str]:
        if self.accept_kw("AS"):
            return self.ident()
        if starts_window_clause(self):
            return None
        if self.is_ident():
            return self.ident()
        return None

    def keyspace_ref(self) -> A.KeyspaceRef:
        """``[namespace:]name[.scope.collection]``."""
        namespace = "default"
        if self.is_kw("SYSTEM") and self.is_op(":", tok=self.peek()):  # system:keyspaces
            self.i += 1
            first = "system"
        else:
            first = self.ident_or_word()
        if self.is_op(":"):
            self.i += 1
            namespace = first
            first = self.ident_or_word()
        parts = [first]
        while self.is_op(".") and len(parts) < 3 and self.peek().kind in (IDENT, QIDENT):
            self.i += 1
            parts.append(self.ident_or_word())
        if len(parts) == 2:
            raise self.error()
        if len(parts) == 3:
            return A.KeyspaceRef(namespace, parts[0], parts[1], parts[2])
        return A.KeyspaceRef(namespace, parts[0])

    def any_name(self) -> str:
        """A word, reserved or not, or a quoted identifier: the name of a user, a
        group, a role or a function part."""
        t = self.tok
        if t.kind in (IDENT, QIDENT):
            self.i += 1
            return str(t.value)
        raise self.error()

    def object_path(self, counts: tuple[int, ...], name: Optional[Any] = None) -> A.KeyspaceRef:
        """``[namespace:]a[.b[.c]]`` naming a bucket-level, scope-level or
        collection-level object (a scope, a collection, a function, a sequence)
        with as many names as ``counts`` allows; ``name`` reads one name
        (:meth:`ident_or_word` by default). One name: the bucket slot; two: bucket
        and scope; three: bucket, scope and the object."""
        read = name or self.ident_or_word
        namespace = "default"
        first = read()
        if self.accept_op(":"):
            namespace, first = first, read()
        parts = [first]
        while self.is_op(".") and len(parts) < 3:
            self.i += 1
            parts.append(read())
        if len(parts) not in counts:
            raise self.error()
        rest: list[Optional[str]] = [*parts[1:], None, None]
        return A.KeyspaceRef(namespace, parts[0], rest[0], rest[1])

    def ident_or_word(self) -> str:
        t = self.tok
        if t.kind in (IDENT, QIDENT):
            if t.kind == IDENT and t.text.upper() in RESERVED:
                raise self.error()
            self.i += 1
            return str(t.value)
        raise self.error()

    def keyspace_term(self) -> A.KeyspaceTerm:
        ref = self.keyspace_ref()
        alias = self.alias() or ref.default_alias
        term = A.KeyspaceTerm(ref, alias)
        self.use_clause(term)
        return term

    def use_clause(self, term: A.KeyspaceTerm) -> None:
        while self.is_kw("USE"):
            self.i += 1
            self.use_term(term)
            # one USE, two hints (join.adoc, Multiple Hints): USE INDEX (i) HASH(PROBE)
            while self.is_kw("INDEX", "HASH", "NL", "KEYS", "PRIMARY"):
                self.use_term(term)

    def use_term(self, term: A.KeyspaceTerm) -> None:
        if self.accept_kw("INDEX"):
            self.expect_op("(")
            names = []
            using = []  # (name or None, "GSI"|"FTS"): USE INDEX (USING FTS) (hints.adoc)
            while True:
                name = None if self.is_kw("USING") else self.name_token()
                if name is not None:
                    names.append(name)
                kind = "GSI"
                if self.accept_kw("USING"):
                    kind = self.expect_kw("GSI", "FTS")
                using.append((name, kind))
                if not self.accept_op(","):
                    break
            self.expect_op(")")
            term.use_index = names
            term.use_using = using
        elif self.accept_kw("HASH"):  # join hints: accepted, every join is a nested loop
            self.expect_op("(")
            self.expect_kw("BUILD", "PROBE")
            self.expect_op(")")
            term.join_hint = "HASH"  # (checked by joinrules.py)
        elif self.accept_kw("NL"):
            term.join_hint = "NL"
        else:
            self.accept_kw("PRIMARY")
            self.expect_kw("KEYS")
            term.validate_keys = self.accept_kw("VALIDATE") is not None
            term.use_keys = self.expr()

    def path_term_ahead(self) -> bool:
        """Whether the FROM term ahead is a path expression (``o.orderlines``,
        ``a.b[0]``...) rather than a keyspace (one name or bucket.scope.collection)."""
        k = 0
        if self.is_op(":", tok=self.peek(1)):
            return False
        if self.tok.value in self.ctes:  # FROM cte, FROM cte.field...
            return True
        while self.is_op(".", tok=self.peek(k + 1)) and self.peek(k + 2).kind in (IDENT, QIDENT):
            k += 2
        return k == 2 or k > 4 or self.is_op("[", ".", tok=self.peek(k + 1))

    def from_term(self) -> Any:
        if self.is_op("(") and self.is_kw("SELECT", "WITH", "FROM", tok=self.peek()):
            self.i += 1
            query = self.select()
            self.expect_op(")")
            node: A.Node = A.Subquery(query)
            while self.is_op(".", "["):  # (SELECT ...)[*].geo AS x (subqueries.adoc Example 3)
                node = self.postfix(node)
            alias = self.alias()
            if alias is None:
                raise self.error()
            return A.ExprTerm(node, alias)
        function_call = self.tok.kind == IDENT and self.is_op("(", tok=self.peek())
        namespace_ahead = self.is_op(":", tok=self.peek())  # system:keyspaces, default:b
        if self.tok.kind in (IDENT, QIDENT) and (not self.is_kw(*RESERVED) or namespace_ahead) \
                and not function_call and not self.path_term_ahead():
            return self.keyspace_term()
        start = self.tok
        expr = self.expr()  # an expression term: ARRAY_RANGE(0, 3) AS x, [1, 2] AS x ...
        alias = self.alias() or A.implicit_name(expr)
        if not alias:
            raise self.error(start)
        return A.ExprTerm(expr, alias)

    def join_clause(self) -> Optional[A.Join]:
        save = self.i
        outer = False
        right = False
        if self.accept_kw("LEFT"):
            outer = True
            self.accept_kw("OUTER")
        elif self.accept_kw("RIGHT"):  # RIGHT [OUTER] JOIN (join.adoc; joinrules.py)
            right = True
            self.accept_kw("OUTER")
        elif self.accept_kw("INNER"):
            pass
        kind = self.accept_kw("JOIN", "NEST", "UNNEST", "FLATTEN")
        if right and kind != "JOIN":
            self.i = save
            return None
        if kind is None:
            self.i = save
            return None
        if kind in ("UNNEST", "FLATTEN"):
            expr = self.expr()
            alias = self.alias() or A.implicit_name(expr)
            return A.Join("UNNEST", outer, expr, alias)
        term = self.from_term()  # a keyspace, a subquery or an expression (ansi join)
        self.expect_kw("ON")
        if self.accept_kw("PRIMARY"):
            self.expect_kw("KEYS")
            self.accept_kw("VALIDATE")
            return A.Join(kind, outer, term, term.alias, on_keys=self.expr())
        if self.accept_kw("KEYS", "KEY"):
            self.accept_kw("VALIDATE")
            join = A.Join(kind, outer, term, term.alias, on_keys=self.expr())
            if self.accept_kw("FOR"):  # an index join or nest: ON KEY rhs.key FOR lhs
                join.for_alias = self.ident()
            return join
        join = A.Join(kind, outer, term, term.alias, on=self.expr())
        join.right = right
        return join

    def returning(self) -> Optional[A.Returning]:
        if not self.accept_kw("RETURNING"):
            return None
        if self.accept_kw("RAW", "ELEMENT", "VALUE"):
            return A.Returning([A.ResultTerm(self.expr(), None, False)], True)
        terms = [self.result_term()]
        while self.accept_op(","):
            terms.append(self.result_term())
        return A.Returning(terms, False)

    def insert(self) -> A.Insert:
        upsert = self.expect_kw("INSERT", "UPSERT") == "UPSERT"
        self.expect_kw("INTO")
        ref = self.keyspace_ref()
        alias = ref.default_alias
        if self.accept_kw("AS"):
            alias = self.ident()
        stmt = A.Insert(upsert, ref, alias)
        bare = self.is_kw("VALUES")  # INSERT INTO ks VALUES (key, value [, options]): no list
        if not bare:
            self.expect_op("(")
            self.accept_kw("PRIMARY")
            self.expect_kw("KEY")
        if bare or self.accept_op(","):  # (KEY, VALUE [, OPTIONS]) VALUES (...), ...
            with_options = bare
            if not bare:
                self.expect_kw("VALUE")
                if self.accept_op(","):
                    if not self.is_kw("OPTIONS"):
                        raise self.error()
                    self.i += 1
                    with_options = True
                self.expect_op(")")
            self.expect_kw("VALUES")
            while True:
                self.expect_op("(")
                key = self.expr()
                self.expect_op(",")
                value = self.expr()
                options = None
                if with_options and self.accept_op(","):
                    options = self.expr()
                self.expect_op(")")
                stmt.values.append((key, value, options))
                if not self.accept_op(","):
                    break
                self.accept_kw("VALUES")
        else:  # (KEY expr [, VALUE expr [, OPTIONS expr]]) SELECT ...
            stmt.key_expr = self.expr()
            if self.accept_op(","):
                self.expect_kw("VALUE")
                stmt.value_expr = self.expr()
                if self.accept_op(","):
                    if not self.is_kw("OPTIONS"):
                        raise self.error()
                    self.i += 1
                    stmt.options_expr = self.expr()
            self.expect_op(")")
            stmt.query = self.select()
        stmt.returning = self.returning()
        return stmt

    def update(self) -> A.Update:
        hint_at = self.i
        self.expect_kw("UPDATE")
        stmt = A.Update(self.keyspace_term())
        attach_hints(self, hint_at, stmt)
        self.set_unset(stmt)
        if self.accept_kw("WHERE"):
            stmt.where = self.expr()
        if self.accept_kw("LIMIT"):
            stmt.limit = self.expr()
        stmt.returning = self.returning()
        return stmt

    def set_unset(self, target: Any) -> None:
        """``SET path = expr [FOR ...], ... UNSET path [FOR ...], ...`` into the
        ``set``/``unset``/``set_for``/``unset_for`` of ``target`` (an UPDATE, or
        a MERGE's WHEN MATCHED THEN UPDATE); at least one path."""
        while True:
            if self.accept_kw("SET"):
                while True:
                    path = self.expr(CMP_BP + 1)
                    self.expect_op("=")
                    target.set.append((path, self.expr()))
                    if self.is_kw("FOR"):
                        target.set_for[len(target.set) - 1] = self.update_for()
                    if not self.accept_op(","):
                        break
            elif self.accept_kw("UNSET"):
                while True:
                    target.unset.append(self.expr(CMP_BP + 1))
                    if self.is_kw("FOR"):
                        target.unset_for[len(target.unset) - 1] = self.update_for()
                    if not self.accept_op(","):
                        break
            else:
                break
        if not target.set and not target.unset:
            raise self.error()

    def update_for(self) -> A.UpdateFor:
        """``(FOR bindings)+ [WHEN cond] END`` of a SET/UNSET path (update.adoc)."""
        levels = []
        while self.accept_kw("FOR"):
            levels.append(self.range_bindings())
        when = self.expr() if self.accept_kw("WHEN") else None
        self.expect_kw("END")
        return A.UpdateFor(levels, when)

    def delete(self) -> A.Delete:
        hint_at = self.i
        self.expect_kw("DELETE")
        self.expect_kw("FROM")
        stmt = A.Delete(self.keyspace_term())
        attach_hints(self, hint_at, stmt)
        if self.accept_kw("WHERE"):
            stmt.where = self.expr()
        if self.accept_kw("LIMIT"):
            stmt.limit = self.expr()
        stmt.returning = self.returning()
        return stmt

    def if_clause(self, negated: bool) -> bool:
        if self.accept_kw("IF"):
            if negated:
                self.expect_kw("NOT")
            self.expect_kw("EXISTS")
            return True
        return False

    def create_index(self) -> A.CreateIndex:
        self.expect_kw("CREATE")
        primary = self.accept_kw("PRIMARY") is not None
        self.expect_kw("INDEX")
        if_not_exists = self.if_clause(True)
        name = None
        if not self.is_kw("ON", "IF"):
            name = self.name_token()
        if_not_exists = self.if_clause(True) or if_not_exists
        self.expect_kw("ON")
        ref = self.keyspace_ref()
        keys: list = []
        modifiers: list = []
        attribs: list = []
        where = None
        if not primary:
            if name is None:
                raise self.error()
            self.expect_op("(")
            while True:
                # An array index key: [DISTINCT | ALL] ARRAY expr FOR v IN path END,
                # or the short form [DISTINCT | ALL] path (its elements as they are).
                modifier = self.accept_kw("DISTINCT", "ALL") or ""
                key = self.expr()
                attribs.append(self.index_key_attribs(leading=not keys))
                keys.append(key)
                modifiers.append(modifier)
                if not self.accept_op(","):
                    break
            self.expect_op(")")
        partition = None
        if self.accept_kw("PARTITION"):  # PARTITION BY HASH(expr, ...)
            self.expect_kw("BY")
            if self.name_token().upper() != "HASH":
                raise self.error(self.tokens[self.i - 1])
            self.expect_op("(")
            partition = [self.expr()]
            while self.accept_op(","):
                partition.append(self.expr())
            self.expect_op(")")
        if not primary and self.accept_kw("WHERE"):
            where = self.expr()
        using = "gsi"
        if self.accept_kw("USING"):
            using = self.name_token().lower()
        with_ = self.expr() if self.accept_kw("WITH") else None
        made = A.CreateIndex(name, ref, primary, keys, where, with_, if_not_exists, using,
                             modifiers, partition)
        made.key_attribs = attribs or made.key_attribs
        return made

    def index_key_attribs(self, leading: bool) -> str:
        """``ASC``/``DESC`` and, on the leading key only, ``INCLUDE MISSING``
        before or after it (createindex.adoc, "Index Key Attributes")."""
        words = []
        order = self.accept_kw("ASC", "DESC")
        if self.is_kw("INCLUDE"):
            if not leading:
                raise self.error()
            self.i += 1
            self.expect_kw("MISSING")
            words.append("INCLUDE MISSING")
            order = order or self.accept_kw("ASC", "DESC")
        if order == "DESC":
            words.append("DESC")
        return " ".join(words)

    def drop_index(self) -> A.DropIndex:
        self.expect_kw("DROP")
        primary = self.accept_kw("PRIMARY") is not None
        self.expect_kw("INDEX")
        if primary:
            if_exists = self.if_clause(False)
            self.expect_kw("ON")
            ref = self.keyspace_ref()
        else:
            parts = [self.name_token()]
            namespace = "default"
            if self.accept_op(":"):
                namespace = parts.pop()
                parts.append(self.name_token())
            while self.accept_op("."):
                parts.append(self.name_token())
            if_exists = self.if_clause(False)
            if len(parts) == 1:
                self.expect_kw("ON")
                ref = self.keyspace_ref()
                name = parts[0]
            elif len(parts) == 2:
                ref, name = A.KeyspaceRef(namespace, parts[0]), parts[1]
            elif len(parts) == 4:
                ref, name = A.KeyspaceRef(namespace, *parts[:3]), parts[3]
            else:
                raise self.error()
            if_exists = if_exists or self.if_clause(False)
            self.accept_kw("USING") and self.name_token()
            return A.DropIndex(ref, name, False, if_exists)
        self.accept_kw("USING") and self.name_token()
        return A.DropIndex(ref, None, True, if_exists)

    def build_index(self) -> A.BuildIndex:
        self.expect_kw("BUILD")
        self.expect_kw("INDEX")
        self.expect_kw("ON")
        ref = self.keyspace_ref()
        self.expect_op("(")
        names = [self.expr()]
        while self.accept_op(","):
            names.append(self.expr())
        self.expect_op(")")
        self.accept_kw("USING") and self.name_token()
        return A.BuildIndex(ref, names)

    # -- expressions ------------------------------------------------------

    def expr(self, min_bp: int = 0) -> A.Node:
        """One expression (binding tighter than ``min_bp``), nesting checked."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise too_deeply_nested()
        self.steps += 1
        if self.cancel is not None and not self.steps & 0xFFF:
            self.cancel.check()
        node = self._expr(min_bp)
        self.depth -= 1  # on errors the parser is dropped: no need to unwind
        return node

    def _expr(self, min_bp: int) -> A.Node:
        left = self.prefix()
        while True:
            t = self.tok
            if t.kind == OP:
                op = t.value
                if op in (".", "["):
                    if op == "." and self.is_op("*", tok=self.peek()):
                        break  # path.* in a projection
                    left = self.postfix(left)
                    if self.is_op("(") and isinstance(left, A.Field):  # bucket.scope.fn(...)
                        from .statements.udf import parse_qualified_call
                        left = parse_qualified_call(self, left)
                    continue
                if op in COMPARISONS:
                    bp = CMP_BP
                    if bp <= min_bp:
                        break
                    self.i += 1
                    left = A.Binary(COMPARISONS[op], left, self.expr(bp))
                    continue
                if op == "||":
                    bp = CONCAT_BP
                elif op in ("+", "-"):
                    bp = ADD_BP
                elif op in ("*", "/", "%"):
                    bp = MUL_BP
                else:
                    break
                if bp <= min_bp:
                    break
                self.i += 1
                left = A.Binary(op, left, self.expr(bp))
                continue
            if t.kind != IDENT:
                break
            word = t.text.upper()
            if word == "OR" and OR_BP > min_bp:
                self.i += 1
                left = A.Binary("OR", left, self.expr(OR_BP))
            elif word == "AND" and AND_BP > min_bp:
                self.i += 1
                left = A.Binary("AND", left, self.expr(AND_BP))
            elif CMP_BP > min_bp and (
                word in ("LIKE", "IN", "WITHIN", "BETWEEN", "IS")
                or (word == "NOT" and self.is_kw("LIKE", "IN", "WITHIN", "BETWEEN",
                                                 tok=self.peek()))
            ):
                left = self.comparison(left)
            else:
                break
        return left

    def comparison(self, left: A.Node) -> A.Node:
        negated = self.accept_kw("NOT") is not None
        word = self.expect_kw("LIKE", "IN", "WITHIN", "BETWEEN", "IS")
        if word == "IS":
            neg = self.accept_kw("NOT") is not None
            what = self.expect_kw("NULL", "MISSING", "VALUED")
            return A.IsCheck(left, what, neg)
        if word == "BETWEEN":
            low = self.expr(CMP_BP)
            self.expect_kw("AND")
            high = self.expr(CMP_BP)
            return A.Between(left, low, high, negated)
        right = self.expr(CMP_BP)
        return A.Binary(("NOT " if negated else "") + word, left, right)

    def postfix(self, left: A.Node) -> A.Node:
        if self.accept_op("."):
            t = self.tok
            if t.kind == QIDENT or (t.kind == IDENT and t.text.upper() not in RESERVED):
                self.i += 1  # d.`index`, never d.index: a keyword is no field name
                if t.kind == QIDENT and t.text[-1:] in ("i", "I"):  # `name`i
                    return A.ICaseField(left, str(t.value))
                return A.Field(left, str(t.value))
            if self.accept_op("["):
                name = self.expr()
                close = self.tok
                self.expect_op("]")
                after = self.tok  # .[expr]i: case-insensitive when i touches the bracket
                if (after.kind == IDENT and after.text in ("i", "I")
                        and after.offset == close.offset + 1):
                    self.i += 1
                    return A.ICaseDynField(left, name)
                return A.DynField(left, name)
            raise self.error()
        self.expect_op("[")
        if self.accept_op("*"):  # expr[*]: the array star (nestedops.adoc)
            self.expect_op("]")
            return A.ArrayStar(left)
        start = self.expr()
        if self.accept_op(":"):
            end = None if self.is_op("]") else self.expr()
            self.expect_op("]")
            return A.Slice(left, start, end)
        self.expect_op("]")
        return A.Element(left, start)

    def prefix(self) -> A.Node:
        t = self.tok
        kind = t.kind
        if kind == NUMBER or kind == STRING:
            self.i += 1
            return A.Literal(t.value)
        if kind == QIDENT:
            if self.is_op("(", tok=self.peek()):  # `UPPER`(x): a quoted function name
                return self.call()
            self.i += 1
            return A.Ident(str(t.value))
        if kind == NAMED_PARAM:
            self.i += 1
            return A.Param(t.value)
        if kind == POS_PARAM:
            self.i += 1
            return A.Param(t.value)
        if kind == NEXT_PARAM:
            self.i += 1
            self.next_positional += 1
            return A.Param(self.next_positional)
        if kind == OP:
            if t.value == "(":
                self.i += 1
                if self.is_kw("SELECT", "WITH", "FROM"):
                    query = self.select()
                    self.expect_op(")")
                    return A.Subquery(query)
                inner = self.expr()
                self.expect_op(")")
                return inner
            if t.value == "-":
                self.i += 1
                operand = self.expr(UNARY_BP)
                if isinstance(operand, A.Literal) and isinstance(operand.value, (int, float)) \
                        and not isinstance(operand.value, bool):
                    return A.Literal(-operand.value)
                return A.Unary("-", operand)
            if t.value == "+":
                self.i += 1
                return self.expr(UNARY_BP)
            if t.value == "[":
                self.i += 1
                items = []
                if not self.is_op("]"):
                    items.append(self.expr())
                    while self.accept_op(","):
                        items.append(self.expr())
                self.expect_op("]")
                return A.ArrayCons(items)
            if t.value == "{":
                return self.object_cons()
            raise self.error()
        if kind != IDENT:
            raise self.error()
        word = t.text.upper()
        if word == "TRUE":
            self.i += 1
            return A.Literal(True)
        if word == "FALSE":
            self.i += 1
            return A.Literal(False)
        if word == "NULL":
            self.i += 1
            return A.Literal(None)
        if word == "MISSING":
            self.i += 1
            from .values import MISSING
            return A.Literal(MISSING)
        if word == "NOT":
            self.i += 1
            return A.Unary("NOT", self.expr(NOT_BP))
        if word == "EXISTS":
            self.i += 1
            return A.Unary("EXISTS", self.expr(CMP_BP))
        if word == "CASE":
            return self.case()
        if word in ("ANY", "SOME", "EVERY"):
            return self.quantified()
        if word in ("ARRAY", "FIRST", "OBJECT"):  # ARRAY (expr) FOR ... too: no such functions
            return self.comprehension()
        if word == "SELF" and self.i > 1 and self.tokens[self.i - 2].text.upper() == "PAIRS" \
                and self.is_op("(", tok=self.tokens[self.i - 1]) \
                and self.is_op(")", tok=self.peek()):  # only as PAIRS(SELF), adaptive-indexing.adoc
            self.i += 1
            return A.SelfRef()
        if word in SEQUENCE_WORDS:  # NEXT VALUE FOR s, PREVVAL FOR s...: statements/sequences.py
            seq_op = sequence_operator(self)
            if seq_op is not None:
                return seq_op
        if self.is_op("(", tok=self.peek()) and (
                word not in RESERVED or word in KEYWORD_FUNCTIONS):
            return self.call()
        if word in RESERVED:
            raise self.error()
        self.i += 1
        return A.Ident(str(t.value))

    def call(self) -> A.Call:
        name = str(self.tok.value).upper() if self.tok.kind == QIDENT else self.tok.text.upper()
        self.i += 2
        if self.accept_op("*"):
            self.expect_op(")")
            return call_suffix(self, A.Call(name, [], star=True))  # FILTER/OVER: window.py
        distinct = False
        if self.accept_kw("DISTINCT"):
            distinct = True
        else:
            self.accept_kw("ALL")
        args = []
        if not self.is_op(")"):
            args.append(self.expr())
            while self.accept_op(","):
                args.append(self.expr())
        self.expect_op(")")
        return call_suffix(self, A.Call(name, args, distinct))

    def object_cons(self) -> A.ObjectCons:
        self.expect_op("{")
        pairs = []
        if not self.is_op("}"):
            while True:
                if (self.tok.kind == IDENT and self.is_op(":", tok=self.peek())
                        and self.tok.upper not in RESERVED):  # {"index": 1}, not {index: 1}
                    name: A.Node = A.Literal(self.tok.value)
                    self.i += 1
                else:
                    name = self.expr()
                if self.accept_op(":"):
                    pairs.append((name, self.expr()))
                else:
                    implicit = A.implicit_name(name)
                    if not implicit:
                        raise self.error()
                    pairs.append((A.Literal(implicit), name))
                if not self.accept_op(","):
                    break
        self.expect_op("}")
        return A.ObjectCons(pairs)

    def case(self) -> A.Case:
        self.expect_kw("CASE")
        subject = None if self.is_kw("WHEN") else self.expr()
        whens = []
        while self.accept_kw("WHEN"):
            cond = self.expr()
            self.expect_kw("THEN")
            whens.append((cond, self.expr()))
        if not whens:
            raise self.error()
        default = self.expr() if self.accept_kw("ELSE") else None
        self.expect_kw("END")
        return A.Case(subject, whens, default)

    def range_bindings(self) -> list:
        out = []
        while True:
            var = self.ident()
            pos = None
            if self.accept_op(":"):
                pos, var = var, self.ident()
            within = self.expect_kw("IN", "WITHIN") == "WITHIN"
            out.append(A.Binding(var, pos, self.expr(CMP_BP), within))
            if not self.accept_op(","):
                return out

    def quantified(self) -> A.Quantified:
        word = self.expect_kw("ANY", "SOME", "EVERY")
        kind = "EVERY" if word == "EVERY" else "ANY"
        if kind == "ANY" and self.is_kw("AND") and self.is_kw("EVERY", tok=self.peek()):
            self.i += 2
            kind = "ANY AND EVERY"
        bindings = self.range_bindings()
        self.expect_kw("SATISFIES")
        cond = self.expr()
        self.expect_kw("END")
        return A.Quantified(kind, bindings, cond)

    def comprehension(self) -> A.Comprehension:
        kind = self.expect_kw("ARRAY", "FIRST", "OBJECT")
        name = None
        if kind == "ARRAY" and self.is_op("(") and self.is_kw("DISTINCT", "ALL", tok=self.peek()) \
                and self.is_kw("ARRAY", tok=self.peek(2)):
            self.i += 2  # a nested array index key: ARRAY (DISTINCT ARRAY ... END) FOR ...
            value: A.Node = self.comprehension()
            self.expect_op(")")
        else:
            value = self.expr()
        if kind == "OBJECT":
            self.expect_op(":")
            name, value = value, self.expr()
        self.expect_kw("FOR")
        bindings = self.range_bindings()
        when = self.expr() if self.accept_kw("WHEN") else None
        self.expect_kw("END")
        return A.Comprehension(kind, value, name, bindings, when)


def parse(text: str, cancel: Optional[Any] = None) -> A.Node:
    """Parse one statement (``N1QLError`` 3000 on a syntax error, 5000 if it is
    nested too deeply; ``cancel``: a :class:`~.cancel.Cancel` to honour).

    Recursion in the parser is bounded by :data:`~.limits.MAX_NESTING` for
    expressions; other constructs (subqueries in subqueries, ...) stop at
    Python's recursion limit, which is safe to catch here: the parser shares
    no state with anything.
    """
    try:
        stmt = Parser(text, cancel).parse()
    except RecursionError:
        raise too_deeply_nested() from None
    check_nesting(stmt)
    if "VAL" in text.upper():  # a sequence operator is not allowed in WHERE or ON (3100)
        check_placement(stmt)
    return stmt


def parse_expression(text: str) -> A.Node:
    p = Parser(text)
    expr = p.expr()
    if p.tok.kind != EOF:
        raise p.error()
    return expr
