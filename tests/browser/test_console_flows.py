"""The web console clicked through in a browser (issue 17): log in, install
beer-sample, create/flush/delete a bucket, find a beer, edit it, see a CAS
conflict from a concurrent edit, run a N1QL query and an EXPLAIN (and see a
syntax error's position), create a view, query it and publish it.
Screenshots of each step go to the artefact folder."""

from __future__ import annotations

import re
from typing import Any, Iterator

import pytest
from browser_helpers import browser_log, screenshot  # tests/browser

from couchbase_mock.mock import MockCluster

expect = pytest.importorskip("playwright.sync_api").expect  # assertions that wait

BEER = "21st_amendment_brewery_cafe-21a_ipa"


@pytest.fixture(scope="module")
def cluster() -> Iterator[MockCluster]:
    with MockCluster(nodes=2) as mock:
        yield mock


def log_in(page: Any, cluster: MockCluster) -> None:
    page.goto(cluster.mgmt_url + "/ui/index.html")
    page.wait_for_url(re.compile(r"#/login$"))  # no session: the login page
    page.fill("input[name=user]", cluster.username)
    page.fill("input[name=password]", cluster.password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:text('Dashboard')")


def kv_write(cluster: MockCluster, key: str, value: dict[str, Any]) -> None:
    """A write by another client, as an application would make it."""
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    sdk = Cluster(cluster.connstr,
                  ClusterOptions(PasswordAuthenticator(cluster.username, cluster.password)))
    try:
        sdk.bucket("beer-sample").default_collection().upsert(key, value)
    finally:
        sdk.close()


def test_console_walkthrough(page: Any, cluster: MockCluster) -> None:
    log_in(page, cluster)
    screenshot(page, "dashboard")

    # install beer-sample, with progress, from the buckets page
    page.click("nav a[href='#/buckets']")
    page.click("button[data-sample=beer-sample]")
    page.wait_for_selector("text=Sample installed", timeout=30_000)
    page.wait_for_selector("a:text-is('beer-sample')")
    screenshot(page, "buckets")

    # create, flush and delete a bucket (each destructive button asks a second click)
    page.fill("input[name=name]", "scratch")
    page.click("button:text('Create')")
    page.wait_for_selector("text=Created scratch")
    row = page.locator("tr:has(a:text-is('scratch'))")
    row.locator("button:text('Flush')").click()
    row.locator("button:text('Confirm flush')").click()
    page.wait_for_selector("text=Flushed scratch")
    row.locator("button:text('Delete')").click()
    row.locator("button:text('Confirm delete')").click()
    page.wait_for_selector("text=Deleted scratch")
    assert "scratch" not in cluster.bucket_names

    # find a beer by its key and open it
    page.goto(cluster.mgmt_url + "/ui/index.html#/documents?bucket=beer-sample")
    page.fill("input[name=prefix]", "21st_amendment_brewery_cafe-")
    page.click("button:text('Find')")
    page.click(f"a:text-is('{BEER}')")
    page.wait_for_selector(f"h1:text-is('{BEER}')")
    editor = page.locator("textarea[name=json]")
    cas = page.locator("output[name=cas]")
    expect(editor).to_have_value(re.compile('"name": "21A IPA"'))  # (filled after the h1)
    expect(cas).to_have_text(re.compile(r"^\d+$"))
    first_cas = cas.inner_text()

    # edit it: saved, with a new CAS
    editor.fill(editor.input_value().replace('"21A IPA"', '"21A IPA (edited)"'))
    page.click("button:text('Save')")
    page.wait_for_selector(f"text=Saved {BEER}")
    expect(cas).not_to_have_text(first_cas)
    screenshot(page, "document")

    # someone else writes it: saving the stale copy shows the conflict, changes nothing
    kv_write(cluster, BEER, {"type": "beer", "name": "21A IPA (concurrent)"})
    editor.fill(editor.input_value().replace("(edited)", "(edited twice)"))
    browser_log(page).expect(r"status of 409")
    page.click("button:text('Save')")
    page.wait_for_selector(".conflict")
    screenshot(page, "document-conflict")
    page.click("button:text('Load current version')")
    page.wait_for_selector("text=Reloaded the current version")
    expect(editor).to_have_value(re.compile(r"\(concurrent\)"))

    # the query workbench: results as a table, then the plan
    page.click("nav a[href='#/query']")
    page.fill("textarea[name=statement]",
              "SELECT name, abv FROM `beer-sample` WHERE brewery_id = "
              "'21st_amendment_brewery_cafe' AND type = 'beer' ORDER BY name LIMIT 5")
    page.click("button:text('Execute')")
    page.wait_for_selector("td:text-is('563 Stout')")
    screenshot(page, "query")
    page.click("button:text('Explain')")
    page.wait_for_selector("pre.plan:has-text('#operator')")
    screenshot(page, "query-explain")
    browser_log(page).expect(r"status of 4\d\d")  # a syntax error is the query's 400
    page.fill("textarea[name=statement]", "SELECT name\nFRM `beer-sample`")
    page.click("button:text('Execute')")
    page.wait_for_selector(".errors .position:has-text('line 2')")
    screenshot(page, "query-error")

    # a view: saved in a development design document, queried, published
    page.goto(cluster.mgmt_url + "/ui/index.html#/views?bucket=beer-sample")
    page.fill("input[name=ddoc]", "dev_console")
    page.fill("input[name=view]", "by_abv")
    page.fill("textarea[name=map]",
              "function (doc, meta) {\n  if (doc.type == 'beer' && doc.abv >= 9) {"
              " emit(doc.abv, doc.name); }\n}")
    page.click("button:text('Save view')")
    page.wait_for_selector("text=Saved dev_console/by_abv")
    page.fill("input[name=full_set]", "true")  # a development view: every node's data
    page.locator("tr:has-text('by_abv') button:text('Run')").click()
    page.wait_for_selector("h3:has-text('dev_console/by_abv')")
    page.wait_for_selector(".view-results tbody tr")  # at least one row
    screenshot(page, "views")
    page.locator("tr:has-text('dev_console') button:text('Publish')").click()
    page.wait_for_selector("text=Published console")
    expect(page.locator("td:text-is('console')")).to_have_count(1)

    page.click("nav a[href='#/indexes']")
    page.wait_for_selector("td:text-is('beer_primary')")
    screenshot(page, "indexes")
