"""The web console's server side on the management port, without a browser:
its files (types, caching, no credentials needed), login and logout with a
session cookie, the cookie accepted by the REST endpoints, CSRF refusals for
cookie-authenticated changes, Basic auth clients unaffected, and the REST the
console adds (documents with CAS, bucket stats, query and views through
/_p/query and /couchBase)."""

from __future__ import annotations

import http.client
import json
from typing import Any, Iterator, Optional
from urllib.parse import urlencode

import pytest
from mock_http import ADMIN

from couchbase_mock import MockCluster

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=1) as cluster:
        yield cluster


class Answer:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


def call(mock: MockCluster, method: str, path: str, body: Optional[str] = None,
         headers: Optional[dict[str, str]] = None) -> Answer:
    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].mgmt_port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return Answer(resp.status, resp.getheaders(), resp.read())
    finally:
        conn.close()


def host(mock: MockCluster) -> str:
    return f"{mock.host}:{mock.nodes[0].mgmt_port}"


def login(mock: MockCluster) -> str:
    """Logs in as the administrator; returns the Cookie header value."""
    answer = call(mock, "POST", "/uilogin",
                  urlencode({"user": mock.username, "password": mock.password}), FORM)
    assert answer.status == 200
    return answer.headers["set-cookie"].split(";")[0]


def ui(cookie: str, mock: MockCluster, **extra: str) -> dict[str, str]:
    """The headers the console sends."""
    return {"Cookie": cookie, "ns-server-ui": "yes", "Origin": f"http://{host(mock)}",
            **FORM, **extra}


# -- the files ----------------------------------------------------------------


@pytest.mark.parametrize("path, kind", [
    ("/ui/index.html", "text/html"), ("/ui/app.js", "text/javascript"),
    ("/ui/pages/query.js", "text/javascript"), ("/ui/style.css", "text/css"),
])
def test_files_serve_without_credentials_with_types_and_cache_headers(
        mock: MockCluster, path: str, kind: str) -> None:
    answer = call(mock, "GET", path)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith(kind)
    assert answer.headers["cache-control"] == "no-cache"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    again = call(mock, "GET", path, headers={"If-None-Match": answer.headers["etag"]})
    assert again.status == 304 and again.body == b""


def test_the_page_names_no_outside_resources(mock: MockCluster) -> None:
    page = call(mock, "GET", "/ui/index.html").body.decode()
    assert "http://" not in page and "https://" not in page  # no CDN
    assert '<script type="module" src="app.js">' in page


def test_root_redirects_to_the_console(mock: MockCluster) -> None:
    for path in ("/", "/ui"):
        answer = call(mock, "GET", path)
        assert answer.status == 302 and answer.headers["location"] == "/ui/index.html"


@pytest.mark.parametrize("path", ["/ui/missing.js", "/ui/../ui_session.py",
                                  "/ui/%2e%2e/http.py", "/ui/pages/../../docs_rest.py"])
def test_unknown_files_and_paths_out_of_the_folder_are_404(mock: MockCluster,
                                                           path: str) -> None:
    assert call(mock, "GET", path).status == 404


def test_rest_without_credentials_is_refused_and_the_console_gets_no_dialog(
        mock: MockCluster) -> None:
    plain = call(mock, "GET", "/pools/default")
    assert plain.status == 401 and "www-authenticate" in plain.headers
    console = call(mock, "GET", "/pools/default", headers={"invalid-auth-response": "on"})
    assert console.status == 401 and "www-authenticate" not in console.headers
    assert call(mock, "GET", "/uisession").json() == {"user": None}  # the page shows login


# -- login, logout, the cookie --------------------------------------------------------


def test_login_sets_a_strict_http_only_cookie_the_rest_accepts(mock: MockCluster) -> None:
    answer = call(mock, "POST", "/uilogin",
                  urlencode({"user": mock.username, "password": mock.password}), FORM)
    assert answer.status == 200
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("ui-auth-")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    value = cookie.split(";")[0]
    assert call(mock, "GET", "/pools/default/buckets", headers={"Cookie": value}).status == 200
    assert call(mock, "GET", "/uisession", headers={"Cookie": value}).json() == {
        "user": mock.username}


@pytest.mark.parametrize("form", [{"user": "Administrator", "password": "wrong"},
                                  {"user": "nobody", "password": "password"}, {}])
def test_bad_credentials_get_400_and_no_cookie(mock: MockCluster, form: dict) -> None:
    answer = call(mock, "POST", "/uilogin", urlencode(form), FORM)
    assert answer.status == 400 and "set-cookie" not in answer.headers


def test_a_forged_cookie_is_not_a_session(mock: MockCluster) -> None:
    name = login(mock).split("=")[0]
    answer = call(mock, "GET", "/pools/default", headers={"Cookie": f"{name}=forged"})
    assert answer.status == 401


def test_logout_ends_the_session(mock: MockCluster) -> None:
    cookie = login(mock)
    answer = call(mock, "POST", "/uilogout", "", ui(cookie, mock))
    assert answer.status == 200 and "Max-Age=0" in answer.headers["set-cookie"]
    assert call(mock, "GET", "/pools/default", headers={"Cookie": cookie}).status == 401


def test_login_from_another_origin_is_refused(mock: MockCluster) -> None:
    answer = call(mock, "POST", "/uilogin",
                  urlencode({"user": mock.username, "password": mock.password}),
                  {**FORM, "Origin": "http://evil.example"})
    assert answer.status == 403 and "set-cookie" not in answer.headers


# -- CSRF ----------------------------------------------------------------------


@pytest.mark.parametrize("drop, extra", [
    ("ns-server-ui", {}),
    (None, {"Origin": "http://evil.example"}),
    (None, {"Origin": "null"}),
])
def test_cookie_changes_need_the_ui_header_and_the_same_origin(
        mock: MockCluster, drop: Optional[str], extra: dict) -> None:
    headers = ui(login(mock), mock, **extra)
    if drop:
        del headers[drop]
    answer = call(mock, "POST", "/pools/default/buckets",
                  urlencode({"name": "csrf", "ramQuota": "100"}), headers)
    assert answer.status == 403
    assert "csrf" not in mock.bucket_names


def test_a_foreign_referer_without_origin_is_refused(mock: MockCluster) -> None:
    headers = ui(login(mock), mock, Referer="http://evil.example/page")
    del headers["Origin"]
    answer = call(mock, "POST", "/_p/query/query/service", "statement=SELECT+1", headers)
    assert answer.status == 403


def test_a_same_origin_console_change_is_done(mock: MockCluster) -> None:
    headers = ui(login(mock), mock)
    answer = call(mock, "POST", "/pools/default/buckets",
                  urlencode({"name": "fromui", "ramQuota": "100"}), headers)
    assert answer.status in (200, 202)
    assert "fromui" in mock.bucket_names
    assert call(mock, "DELETE", "/pools/default/buckets/fromui", None, headers).status == 200


def test_basic_auth_clients_are_unaffected(mock: MockCluster) -> None:
    # no ns-server-ui header and another origin: Basic credentials are no cookie
    headers = {**ADMIN, **FORM, "Origin": "http://elsewhere.example"}
    answer = call(mock, "POST", "/pools/default/buckets",
                  urlencode({"name": "basic", "ramQuota": "100"}), headers)
    assert answer.status in (200, 202)
    assert call(mock, "DELETE", "/pools/default/buckets/basic", None, ADMIN).status == 200


# -- the REST the console uses ----------------------------------------------------


def docs(name: str = "") -> str:
    return "/pools/default/buckets/default/scopes/_default/collections/_default/docs" + (
        f"/{name}" if name else "")


def test_documents_with_cas(mock: MockCluster) -> None:
    headers = ui(login(mock), mock)
    made = call(mock, "POST", docs("ui-doc"), urlencode({"value": '{"a":1}'}), headers)
    assert made.status == 200
    cas = made.json()["meta"]["cas"]
    read = call(mock, "GET", docs("ui-doc"), headers=headers).json()
    assert read["json"] == {"a": 1} and read["meta"]["cas"] == cas
    changed = call(mock, "POST", docs("ui-doc"), urlencode({"value": '{"a":2}', "cas": cas}),
                   headers)
    assert changed.status == 200
    stale = call(mock, "POST", docs("ui-doc"), urlencode({"value": '{"a":3}', "cas": cas}),
                 headers)
    assert stale.status == 409
    assert stale.json()["cas"] == changed.json()["meta"]["cas"]
    assert call(mock, "GET", docs("ui-doc"), headers=headers).json()["json"] == {"a": 2}
    assert call(mock, "DELETE", docs("ui-doc") + f"?cas={cas}", None, headers).status == 409
    assert call(mock, "DELETE", docs("ui-doc"), None, headers).status == 200
    assert call(mock, "GET", docs("ui-doc"), headers=headers).status == 404


def test_document_listing_pages_by_key(mock: MockCluster) -> None:
    for i in range(5):
        call(mock, "POST", docs(f"page-{i}"), urlencode({"value": str(i)}), {**ADMIN, **FORM})
    query = urlencode({"startkey": '"page-"', "endkey": '"page-\uefff"', "skip": 1,
                       "limit": 2})
    listing = call(mock, "GET", docs() + "?" + query, headers=ADMIN).json()
    assert [r["id"] for r in listing["rows"]] == ["page-1", "page-2"]
    assert listing["total_rows"] == 5 and listing["rows"][0]["doc"]["json"] == 1


@pytest.mark.parametrize("path, form, status", [
    (docs("bad"), {"value": "{not json"}, 400),
    (docs("bad"), {"value": "1", "cas": "x"}, 400),
    (docs() + "?limit=0", None, 400),
    (docs() + "?limit=1001", None, 400),
    ("/pools/default/buckets/default/scopes/nope/collections/_default/docs", None, 404),
])
def test_document_requests_out_of_bounds(mock: MockCluster, path: str,
                                         form: Optional[dict], status: int) -> None:
    if form is None:
        answer = call(mock, "GET", path, headers=ADMIN)
    else:
        answer = call(mock, "POST", path, urlencode(form), {**ADMIN, **FORM})
    assert answer.status == status


def test_bucket_stats_have_samples(mock: MockCluster) -> None:
    stats = call(mock, "GET", "/pools/default/buckets/default/stats", headers=ADMIN).json()
    samples = stats["op"]["samples"]
    assert {"timestamp", "ops", "mem_used", "curr_items"} <= set(samples)
    assert stats["op"]["samplesCount"] == len(samples["timestamp"]) >= 1


def test_query_and_views_through_the_management_port(mock: MockCluster) -> None:
    headers = ui(login(mock), mock)
    answer = call(mock, "POST", "/_p/query/query/service", "statement=SELECT+1+AS+one",
                  headers)
    assert answer.status == 200 and answer.json()["results"] == [{"one": 1}]
    missing = call(mock, "GET", "/couchBase/default/_design/dev_nothing", headers=headers)
    assert missing.status == 404 and missing.json()["error"] == "not_found"
    anonymous = call(mock, "POST", "/_p/query/query/service", "statement=SELECT+1", FORM)
    assert anonymous.status == 401
