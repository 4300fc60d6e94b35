"""FINDERR, FORMALIZE/FORMALISE and CURL, from the reference's examples.

Pages (modules/n1ql/pages/n1ql-language-reference/, docs.couchbase.com
.../n1ql-language-reference/*.html): metafun.adoc (FINDERR, FORMALIZE),
curl.adoc (CURL, Security, Creating an Access List for CURL(), Design
Considerations), n1ql-error-codes.adoc. CURL reaches a small HTTP server of the
test's own on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from mock_http import ADMIN, basic_auth, fetch

from couchbase_mock import MockCluster
from couchbase_mock.n1ql import QueryEngine
from couchbase_mock.n1ql.curl import access_of
from couchbase_mock.n1ql.error_catalog import CATALOG
from couchbase_mock.n1ql.errors import N1QLError


def one(engine: QueryEngine, expr: str) -> Any:
    return engine.query(f"SELECT RAW {expr}").results[0]


# -- FINDERR (metafun.adoc, FINDERR) ---------------------------------------------------------


def test_finderr_by_code(engine: QueryEngine) -> None:
    """metafun.adoc FINDERR() Example 1."""
    assert one(engine, "FINDERR(5011)") == [{
        "applies_to": "Server", "code": 5011, "description": "Abort: «reason»",
        "reason": [["The SQL++ abort() function was called in the statement.",
                    "e.g. SELECT abort('An example cause')"]],
        "user_error": "Yes"}]


SEMANTIC = {
    "applies_to": "Server", "code": 3100,
    "description": "A semantic error is present in the statement.",
    "reason": ["The statement includes portions that violate semantic constraints."],
    "user_action": ["The cause will contain more detail on the violation; revise the statement "
                    "and re-submit."],
    "user_error": "Yes"}


def test_finderr_by_string(engine: QueryEngine) -> None:
    """metafun.adoc FINDERR() Example 2."""
    assert one(engine, 'FINDERR("A semantic error is present in the statement.")') == [SEMANTIC]


def test_finderr_by_string_finds_several(engine: QueryEngine) -> None:
    """metafun.adoc FINDERR() Example 3: 3100, 3220 and 3300, in code order."""
    found = one(engine, 'FINDERR("semantic")')
    assert found == [SEMANTIC, {
        "applies_to": "Server", "code": 3220,
        "description": "«name» window function «clause» «reason»",
        "reason": ["A violation of the window function semantic restrictions was present in "
                   "the statement."],
        "user_action": ["Revise the statement to remove the violation."], "user_error": "Yes",
    }, {
        "applies_to": "Server", "code": 3300, "description": "recursive_with semantics: «cause»",
        "reason": ["The statement specifies restricted syntax in a recursive common table "
                   "expression definition."],
        "user_action": ["Revise the statement removing the restricted syntax."],
        "user_error": "Yes"}]


def test_finderr_by_regular_expression(engine: QueryEngine) -> None:
    """metafun.adoc FINDERR() Example 4: 3150 first, 5072 among them, 15005 last."""
    found = one(engine, 'FINDERR("[IU][NP]SERT")')
    codes = [e["code"] for e in found]
    assert codes == sorted(codes) and codes[0] == 3150 and codes[-1] == 15005
    by_code = {e["code"]: e for e in found}
    assert by_code[3150] == {
        "applies_to": "Server", "code": 3150,
        "description": "MERGE with ON KEY clause cannot have document key specification in "
                       "INSERT action.",
        "reason": [["A lookup merge statement specified a document key.",
                    "e.g. MERGE INTO default USING [{},{}] AS source ON KEY 'aaa' WHEN NOT "
                    "MATCHED THEN INSERT ('key',{})"]],
        "user_action": ["Refer to the documentation for lookup merge statements."],
        "user_error": "Yes"}
    assert by_code[5072] == {"applies_to": "Server", "code": 5072,
                             "description": "No UPSERT key for «value»",
                             "user_action": ["Contact support."]}
    assert by_code[15005] == {"applies_to": "Server", "code": 15005,
                              "description": "No keys to insert «details»"}


def test_finderr_result_fields_and_user_error_not_searched(engine: QueryEngine) -> None:
    """metafun.adoc FINDERR, Return Value: the fields and their types; the symbol is not
    shown; user_error is not searched."""
    allowed = {"applies_to", "code", "description", "reason", "user_action", "user_error"}
    for entry in one(engine, 'FINDERR(".")'):
        assert set(entry) <= allowed and {"applies_to", "code", "description"} <= set(entry)
        assert entry["applies_to"] in ("Server", "cbq-shell")
        assert entry.get("user_error", "Yes") in ("Yes", "No", "Maybe")
    assert one(engine, 'FINDERR("^Maybe$")') == []
    shell = one(engine, "FINDERR(100)")
    assert shell[0]["applies_to"] == "cbq-shell"
    assert shell[0]["description"] == "Connection refused."  # n1ql-error-codes.adoc 1xx


def test_finderr_unknown_and_wrong_types(engine: QueryEngine) -> None:
    """An unknown code or a string nothing matches finds nothing; MISSING in, MISSING
    out; other types NULL (a bad pattern is looked for as plain text)."""
    assert one(engine, "FINDERR(4242424)") == []
    assert one(engine, "FINDERR(5011.5)") == []
    assert one(engine, 'FINDERR("no error says this, zzzz")') == []
    assert one(engine, 'FINDERR("(unbalanced")') == []
    assert engine.query("SELECT FINDERR(MISSING) AS v").results == [{}]
    assert one(engine, "FINDERR(TRUE)") is None
    assert one(engine, "FINDERR([5011])") is None
    with pytest.raises(N1QLError) as err:
        engine.query("SELECT FINDERR()")
    assert err.value.code == 3000 or "argument" in err.value.msg


def _raised_codes() -> set[int]:
    """The codes the engine and the query service raise (literal first arguments)."""
    from pathlib import Path

    import couchbase_mock

    root = Path(couchbase_mock.__file__).parent
    files = list((root / "n1ql").rglob("*.py")) + [root / "query_service.py"]
    codes: set[int] = set()
    for f in files:
        text = f.read_text()
        codes.update(int(c) for c in re.findall(r"N1QLError\(\s*(\d{3,5})\b", text))
        codes.update(int(c) for c in re.findall(r"\bwarn\(\s*(\d{4,5})\b", text))
        codes.update(int(c) for c in re.findall(r"^E_\w+ = (\d{4,5})$", text, re.M))
    return codes


def test_every_code_the_local_cluster_raises_is_in_the_catalogue() -> None:
    known = {e.code for e in CATALOG}
    missing = sorted(_raised_codes() - known)
    assert missing == [], f"FINDERR does not know {missing}"


# -- FORMALIZE (metafun.adoc, FORMALIZE) ------------------------------------------------------

LANDMARK = ('select self.* from `default`:`travel-sample`.`inventory`.`landmark` '
            'where ((`landmark`.`country`) = "United Kingdom")')


def test_formalize_with_a_query_context(engine: QueryEngine) -> None:
    """metafun.adoc FORMALIZE() Example 1."""
    q = ('SELECT formalize("SELECT * FROM landmark WHERE country = \'United Kingdom\'",'
         '"default:`travel-sample`.inventory")')
    assert engine.query(q).results == [{"$1": LANDMARK}]


@pytest.mark.parametrize("statement, context", [
    ("select * from `travel-sample`.inventory.landmark where country = 'United Kingdom' "
     "limit 1;", ""),
    ("select * from landmark where country = 'United Kingdom' limit 1;",
     "`travel-sample`.inventory"),
])
def test_formalize_completed_requests(engine: QueryEngine, statement: str, context: str) -> None:
    """metafun.adoc FORMALIZE() Example 2: a full path without a context, and a
    one-word name with one, formalize alike (the statement's ';' dropped)."""
    got = engine.query("SELECT RAW FORMALIZE($s, $c)", named={"s": statement, "c": context})
    assert got.results == [LANDMARK + " limit 1"]


def test_formalise_is_a_synonym(engine: QueryEngine) -> None:
    """metafun.adoc FORMALIZE: 'This function has a synonym FORMALISE()'."""
    q = "FORMALISE(\"SELECT * FROM landmark WHERE country = 'United Kingdom'\", " \
        "\"default:`travel-sample`.inventory\")"
    assert one(engine, q) == LANDMARK


@pytest.mark.parametrize("statement, context, expected", [
    # derived: without a query_context a one-word name is a bucket of the default namespace
    ("SELECT name FROM `beer-sample`", None,
     "select (`beer-sample`.`name`) from `default`:`beer-sample`"),
    # derived: an explicit alias qualifies the fields; META() names its keyspace
    ("SELECT META().id, b.name AS n FROM `beer-sample` b WHERE abv > 5 ORDER BY n DESC",
     None, "select (meta(`b`).`id`), (`b`.`name`) as `n` from `default`:`beer-sample` as `b` "
     "where ((`b`.`abv`) > 5) order by `n` desc"),
    # derived: variables of ANY, LET and a correlated subquery's outer alias stay as they are
    ("SELECT x FROM airline a LET x = 1 WHERE ANY v IN tags SATISFIES v = x END",
     "default:travel.inventory",
     "select `x` from `default`:`travel`.`inventory`.`airline` as `a` let `x` = 1 where "
     "any `v` in (`a`.`tags`) satisfies (`v` = `x`) end"),
    ("SELECT (SELECT RAW COUNT(*) FROM route r WHERE r.airline = a.iata) AS n FROM airline a",
     "travel.inventory",
     "select (select raw count(*) from `default`:`travel`.`inventory`.`route` as `r` where "
     "((`r`.`airline`) = (`a`.`iata`))) as `n` from `default`:`travel`.`inventory`.`airline` "
     "as `a`"),
    # derived: a query_context of a bucket alone leaves one-word names buckets
    ("SELECT RAW city FROM brewery", "default:beer", "select raw (`brewery`.`city`) from "
     "`default`:`brewery`"),
    ("DELETE FROM b WHERE k = 1", "default:x.y",
     "delete from `default`:`x`.`y`.`b` where ((`b`.`k`) = 1)"),
    ("UPDATE b SET n = n + 1 RETURNING n", None,
     "update `default`:`b` set (`b`.`n`) = ((`b`.`n`) + 1) returning (`b`.`n`)"),
    ("SELECT * FROM system:completed_requests", None,
     "select self.* from `system`:`completed_requests`"),
])
def test_formalize_qualifies_every_reference(engine: QueryEngine, statement: str,
                                             context: Any, expected: str) -> None:
    got = engine.query("SELECT RAW FORMALIZE($s, $c)", named={"s": statement, "c": context})
    assert got.results == [expected]


def test_formalize_failures(engine: QueryEngine) -> None:
    """A statement that does not parse is the parser's 3000; an unqualified field with
    two keyspaces is ambiguous (3080); MISSING in, MISSING out; not a string: NULL."""
    with pytest.raises(N1QLError) as err:
        one(engine, 'FORMALIZE("SELECT FROM WHERE")')
    assert err.value.code == 3000
    with pytest.raises(N1QLError) as err:
        one(engine, 'FORMALIZE("SELECT name FROM a JOIN b ON a.x = b.y")')
    assert err.value.code == 3080
    with pytest.raises(N1QLError) as err:
        one(engine, 'FORMALIZE("SELECT 1", "a.b.c")')
    assert err.value.code == 5010
    assert one(engine, "FORMALIZE(1)") is None
    assert one(engine, 'FORMALIZE("SELECT 1", 2)') is None
    assert engine.query("SELECT FORMALIZE(MISSING) AS v").results == [{}]


# -- CURL (curl.adoc) --------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path = self.path
        if path.startswith("/slow"):
            time.sleep(3)
        if path.startswith("/text"):
            return self._send(200, b"hello, not json", "text/plain")
        if path.startswith("/big"):
            return self._send(200, json.dumps("x" * 100_000).encode())
        if path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "/json")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path.startswith("/fail"):
            return self._send(500, b'{"error": "boom"}')
        doc = {"method": self.command, "path": path, "body": body,
               "headers": {k.lower(): v for k, v in self.headers.items()}}
        return self._send(200, json.dumps(doc).encode())

    def _send(self, status: int, data: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _echo


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """(A client that gave up, as the max-time and result-cap tests do: not news.)"""


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = _QuietServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def allowed(fresh: QueryEngine, site: str) -> QueryEngine:
    access_of(fresh).update({"all_access": False, "allowed_urls": [site + "/"]})
    return fresh


def curl(engine: QueryEngine, url: str, options: Any = None) -> Any:
    named = {"u": url, "o": options}
    return engine.query("SELECT RAW CURL($u, $o)", named=named).results[0]


def test_curl_is_refused_until_urls_are_allowed(fresh: QueryEngine, site: str) -> None:
    """curl.adoc, Security: an access list must be configured before CURL() is usable
    (default all_access false, no allowed URLs)."""
    assert access_of(fresh).to_json() == {"all_access": False, "allowed_urls": [],
                                          "disallowed_urls": []}
    with pytest.raises(N1QLError) as err:
        curl(fresh, site + "/json")
    assert err.value.code == 5010 and "Access restricted" in err.value.msg


def test_curl_get_returns_the_json_answer(allowed: QueryEngine, site: str) -> None:
    """curl.adoc Example 1: data with request GET goes in the query string; the
    custom X-N1QL-User-Agent header and the user-agent are always set."""
    got = curl(allowed, site + "/json", {"data": "address=Half+Moon+Bay", "request": "GET"})
    assert got["method"] == "GET" and got["path"] == "/json?address=Half+Moon+Bay"
    assert got["headers"]["x-n1ql-user-agent"].startswith("couchbase/n1ql/")
    assert got["headers"]["user-agent"].startswith("couchbase/n1ql/")


def test_curl_get_with_several_data_items(allowed: QueryEngine, site: str) -> None:
    """curl.adoc Example 2: an array of data strings with "get": true."""
    got = curl(allowed, site + "/json",
               {"data": ["address=santa+cruz", "components=country:ES"], "get": True})
    assert got["path"] == "/json?address=santa+cruz&components=country:ES"


def test_curl_post_with_header_data_and_user(allowed: QueryEngine, site: str) -> None:
    """curl.adoc Examples 3 and 4: POST data, a custom header, user name and password."""
    got = curl(allowed, site + "/api", {"header": "Content-Type: application/json",
                                         "request": "POST", "data": '{"query": 1}',
                                         "user": "Administrator:password"})
    assert got["method"] == "POST" and got["body"] == '{"query": 1}'
    assert got["headers"]["content-type"] == "application/json"
    assert got["headers"]["authorization"] == basic_auth("Administrator",
                                                         "password")["Authorization"]
    got = curl(allowed, site + "/x", {"data": "a=1", "user-agent": "bsmith"})
    assert got["method"] == "POST" and got["headers"]["user-agent"] == "bsmith"
    got = curl(allowed, site + "/x", {"data-urlencode": "this is a test", "get": True})
    assert got["path"] == "/x?this%20is%20a%20test"


def test_curl_in_from_and_where(allowed: QueryEngine, site: str) -> None:
    """curl.adoc: CURL() in FROM (Example 3/4) and in LET/WHERE (Example 5)."""
    got = allowed.query(f'SELECT r.method FROM CURL("{site}/json") r').results
    assert got == [{"method": "GET"}]
    got = allowed.query(f'SELECT RAW 1 LET m = CURL("{site}/json").method '
                        f'WHERE m = "GET"').results
    assert got == [1]


def test_curl_access_list_prefixes(fresh: QueryEngine, site: str) -> None:
    """curl.adoc: prefix matches; disallowed_urls win; all_access allows the rest
    (Examples 6-12)."""
    access = access_of(fresh)
    access.update({"all_access": True, "disallowed_urls": [site + "/secret"]})
    assert curl(fresh, site + "/json")["path"] == "/json"
    with pytest.raises(N1QLError, match="Access restricted"):
        curl(fresh, site + "/secret/admin")
    access.update({"all_access": False})  # Example 9: the lists are kept
    assert access.to_json()["disallowed_urls"] == [site + "/secret"]
    with pytest.raises(N1QLError, match="Access restricted"):
        curl(fresh, site + "/json")
    access.update({"all_access": False, "allowed_urls": [site + "/json"],
                   "disallowed_urls": []})
    assert curl(fresh, site + "/json?x=1")["path"] == "/json?x=1"
    with pytest.raises(N1QLError, match="Access restricted"):
        curl(fresh, site + "/other")


def test_curl_access_list_rejects_bad_settings(fresh: QueryEngine) -> None:
    """curl.adoc Example 13: allowing and disallowing the same URL is an error."""
    access = access_of(fresh)
    url = "https://maps.googleapis.com/maps/api/geocode/json"
    for bad in ({"all_access": False, "allowed_urls": [url], "disallowed_urls": [url]},
                {"allowed_urls": []}, {"all_access": "yes"},
                {"all_access": True, "allowed_urls": "x"}, {"all_access": True, "other": 1}):
        with pytest.raises(ValueError):
            access.update(bad)
    assert access.to_json()["all_access"] is False


def test_curl_refuses_other_protocols_and_options(allowed: QueryEngine, site: str) -> None:
    """curl.adoc, Arguments: http:// and https:// only; request is GET or POST (case
    sensitive); options are the documented ones, with their types."""
    access_of(allowed).update({"all_access": True})
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/", "gopher://x"):
        with pytest.raises(N1QLError) as err:
            curl(allowed, url)
        assert err.value.code == 5010
    for options in ({"request": "PUT"}, {"request": "get"}, {"max-time": "ten"},
                    {"header": 3}, {"data": [1]}, {"silent": "yes"}, {"bogus": 1},
                    {"cacert": "ca.pem"}, "not an object"):
        with pytest.raises(N1QLError) as err:
            curl(allowed, site + "/json", options)
        assert err.value.code == 5010, options
    assert curl(allowed, site + "/json", {"silent": True, "show-error": True,
                                          "insecure": True})["method"] == "GET"
    assert allowed.query("SELECT CURL(MISSING) AS v").results == [{}]
    assert allowed.query("SELECT RAW CURL(1)").results == [None]


def test_curl_answers_that_are_not_json(allowed: QueryEngine, site: str) -> None:
    """curl.adoc, Return Value: 'Not a JSON endpoint' for another format; redirection
    is not allowed (a 302 is not followed); an error status's JSON body is the answer."""
    with pytest.raises(N1QLError, match="Not a JSON endpoint"):
        curl(allowed, site + "/text")
    with pytest.raises(N1QLError, match="Redirection is not allowed"):
        curl(allowed, site + "/redirect")
    assert curl(allowed, site + "/fail") == {"error": "boom"}


def test_curl_result_cap(allowed: QueryEngine, site: str) -> None:
    """curl.adoc, Design Considerations: result-cap bounds the answer's size."""
    assert len(curl(allowed, site + "/big")) == 100_000
    with pytest.raises(N1QLError, match="result-cap"):
        curl(allowed, site + "/big", {"result-cap": 10_000})


def test_curl_times_out_instead_of_hanging(allowed: QueryEngine, site: str) -> None:
    """curl.adoc, Transfer-related Options: max-time bounds the transfer."""
    start = time.monotonic()
    with pytest.raises(N1QLError, match="timed out"):
        curl(allowed, site + "/slow", {"max-time": 1})
    assert time.monotonic() - start < 2.5


def test_curl_unreachable_host_is_an_error(fresh: QueryEngine) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    url = f"http://127.0.0.1:{port}/"
    access_of(fresh).update({"all_access": False, "allowed_urls": [url]})
    with pytest.raises(N1QLError) as err:
        curl(fresh, url, {"connect-timeout": 2})
    assert err.value.code == 5010 and "Failed to connect" in err.value.msg


# -- the access list over REST, and CURL through the query service -----------------------------


def _query(mock: MockCluster, statement: str, user: str = "Administrator",
           password: str = "password") -> Any:
    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].query_port, timeout=30)
    try:
        headers = dict(basic_auth(user, password), **{"Content-Type": "application/json"})
        conn.request("POST", "/query/service", body=json.dumps({"statement": statement}),
                     headers=headers)
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def _post_json(mock: MockCluster, path: str, doc: Any, headers: Any = None) -> tuple[int, Any]:
    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].mgmt_port, timeout=5)
    try:
        conn.request("POST", path, body=json.dumps(doc), headers=dict(headers or ADMIN))
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")
    finally:
        conn.close()


@pytest.fixture
def cluster(mock_cluster: MockCluster) -> Iterator[MockCluster]:
    yield mock_cluster
    _post_json(mock_cluster, "/settings/querySettings/curlWhitelist",
               {"all_access": False, "allowed_urls": [], "disallowed_urls": []})


def test_curl_access_list_over_rest(cluster: MockCluster, site: str) -> None:
    """curl.adoc Examples 6-13: POST /settings/querySettings/curlWhitelist (Full
    Administrator only); the query service's CURL() follows it."""
    path = "/settings/querySettings/curlWhitelist"
    status, doc = fetch(cluster, path)
    assert (status, doc) == (200, {"all_access": False, "allowed_urls": [],
                                   "disallowed_urls": []})
    refused = _query(cluster, f'SELECT RAW CURL("{site}/json")')
    assert refused["status"] == "fatal" and refused["errors"][0]["code"] == 5010
    status, doc = _post_json(cluster, path, {"all_access": False,
                                             "allowed_urls": [site + "/json"]})
    assert status == 200 and doc["allowed_urls"] == [site + "/json"]
    answered = _query(cluster, f'SELECT RAW CURL("{site}/json").method')
    assert answered["results"] == ["GET"]
    status, doc = fetch(cluster, "/settings/querySettings")
    assert doc["queryCurlWhitelist"]["allowed_urls"] == [site + "/json"]
    url = "https://maps.googleapis.com/maps/api/geocode/json"  # Example 13
    status, doc = _post_json(cluster, path, {"all_access": False, "allowed_urls": [url],
                                             "disallowed_urls": [url]})
    assert status == 400 and "errors" in doc
    status, _ = _post_json(cluster, path, {"all_access": True}, basic_auth("nobody", "x"))
    assert status == 401


def test_curl_needs_the_external_access_role(cluster: MockCluster, site: str) -> None:
    """curl.adoc, Security: users other than the Full Administrator need
    QUERY_EXTERNAL_ACCESS."""
    user = "/settings/rbac/users/local/curler"
    status, _ = fetch(cluster, user, method="PUT",
                      body="password=password1&roles=query_select[*]")
    assert status == 200
    try:
        _post_json(cluster, "/settings/querySettings/curlWhitelist", {"all_access": True})
        denied = _query(cluster, f'SELECT RAW CURL("{site}/json")', "curler", "password1")
        assert denied["errors"][0]["code"] == 13014
        fetch(cluster, user, method="PUT",
              body="password=password1&roles=query_select[*],query_external_access")
        ok = _query(cluster, f'SELECT RAW CURL("{site}/json").method', "curler", "password1")
        assert ok["results"] == ["GET"]
        status, _ = _post_json(cluster, "/settings/querySettings/curlWhitelist",
                               {"all_access": False}, basic_auth("curler", "password1"))
        assert status == 403
    finally:
        fetch(cluster, user, method="DELETE")
