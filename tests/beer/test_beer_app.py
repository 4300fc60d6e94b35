"""The developer guide's beer-sample application (examples/beer) through Flask's
test client, over its own local cluster with beer-sample: every page, the
STRING_RANGE_END search, create/edit/delete, and the guide's food for thought
(brewery delete guard, beers by brewery, CAS on concurrent edits, likes)."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from html import unescape
from typing import Any

import pytest

pytest.importorskip("flask", reason="the beer app needs Flask: pip install -e '.[beer-app]'")

import beer_fixtures  # noqa: E402 - tests/beer
from beer_fixtures import BEER_DIR, PAGE  # noqa: E402

from couchbase.views.params import Query  # noqa: E402

beer_db = beer_fixtures.beer_db
beer_app = beer_fixtures.beer_app

JULEOL = "aass_brewery-juleol"
BREWERY = "21st_amendment_brewery_cafe"


@pytest.fixture
def client(beer_app) -> Any:
    return beer_app.test_client()


def text(resp: Any) -> str:
    return unescape(resp.get_data(as_text=True))


def beer_form(**fields: Any) -> dict[str, str]:
    form = {"beer_name": "Test Ale", "beer_abv": "5.2", "beer_ibu": "30", "beer_srm": "",
            "beer_upc": "", "beer_style": "Pale", "beer_category": "Ale",
            "beer_description": "Brewed by a test", "beer_brewery_id": BREWERY}
    form.update({f"beer_{k}": str(v) for k, v in fields.items()})
    return form


def unique_name(prefix: str = "Qx") -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def cas_of(page: str) -> str:
    found = re.search(r'name="cas" value="(\d+)"', page)
    assert found, "the edit form carries the version it was read at"
    return found.group(1)


def create_beer(client: Any, **fields: Any) -> str:
    resp = client.post("/beers/create", data=beer_form(**fields))
    assert resp.status_code == 302, text(resp)
    return resp.headers["Location"].rsplit("/", 1)[1]


def create_brewery(client: Any, name: str) -> str:
    resp = client.post("/breweries/create", data={"brewery_name": name,
                                                  "brewery_city": "Testville"})
    assert resp.status_code == 302, text(resp)
    return resp.headers["Location"].rsplit("/", 1)[1]


# -- every page -------------------------------------------------------------------------------
@pytest.mark.parametrize("path, expect", [
    ("/", "Browse all Beers"),
    ("/welcome", "Take me to the breweries"),
    ("/beers", "Browse Beers"),
    ("/breweries", "Browse Breweries"),
    (f"/beers/show/{JULEOL}", 'Show Details for Beer "Juleøl"'),
    (f"/breweries/show/{BREWERY}", "Beers of this brewery"),
    (f"/beers/edit/{JULEOL}", "Editing Juleøl"),
    (f"/breweries/edit/{BREWERY}", "Editing 21st Amendment Brewery Cafe"),
    ("/beers/create", "Create Beer"),
    ("/breweries/create", "Create Brewery"),
    (f"/beers/delete/{JULEOL}", 'Delete "Juleøl"?'),
    ("/css/beersample.css", "box-sizing"),
    ("/js/beersample.js", "data-search"),
])
def test_every_page_renders(client, path, expect):
    resp = client.get(path)
    assert resp.status_code == 200
    assert expect in text(resp)


def test_delete_link_only_asks(client, beer_db):
    assert client.get(f"/beers/delete/{JULEOL}").status_code == 200
    assert beer_db.get(JULEOL).value["name"] == "Juleøl"


@pytest.mark.parametrize("path", [
    "/beers/show/no-such-beer", "/breweries/show/no-such-brewery", "/beers/edit/nope",
    "/breweries/edit/nope", "/beers/delete/nope",
    f"/beers/show/{BREWERY}",  # a brewery is not a beer
    f"/breweries/show/{JULEOL}", "/breweries/nope/beers", "/wines", "/wines/show/x",
])
def test_unknown_ids_are_404(client, path):
    resp = client.get(path)
    assert resp.status_code == 404
    assert "Not found" in text(resp)


@pytest.mark.parametrize("path", ["/beers/delete/nope", "/breweries/delete/nope",
                                  "/beers/like/nope", "/breweries/unlike/nope",
                                  "/beers/edit/nope"])
def test_unknown_ids_are_404_on_post(client, path):
    assert client.post(path, data={**beer_form(), "cas": "1"}).status_code == 404


# -- lists and search -------------------------------------------------------------------------
def test_beer_list_links_beer_to_brewery_and_pages(client, beer_db):
    page = text(client.get("/beers"))
    rows = re.findall(r'href="/beers/show/([^"]+)">([^<]*)</a>', page)
    assert len(rows) == PAGE
    names = [name for _, name in rows]
    assert names == sorted(names, key=str.lower)
    beer_id = rows[0][0]
    brewery = beer_db.get(beer_id).value["brewery_id"]
    assert f'href="/breweries/show/{brewery}"' in page

    following = re.search(r'id="next-page"\s+href="([^"]+)"', page)
    assert following
    second = text(client.get(unescape(following.group(1))))
    second_ids = re.findall(r'href="/beers/show/([^"]+)"', second)
    assert len(second_ids) == PAGE and not set(second_ids) & {i for i, _ in rows}
    expected = [r.docid for r in beer_db.query("beer", "by_name", limit=2 * PAGE, stale=False)]
    assert [i for i, _ in rows] + second_ids == expected


def test_search_is_a_prefix_range_over_by_name(client):
    stem = f"Zq{uuid.uuid4().hex[:6]}"
    ids = [create_beer(client, name=f"{stem} Alpha"), create_beer(client, name=f"{stem} Beta"),
           create_beer(client, name=f"{stem}x Gamma")]
    create_beer(client, name=f"{stem[:-1]} Before")  # sorts before the prefix: not found

    found = client.get("/beers/search", query_string={"value": f"{stem} "}).get_json()
    assert [b["name"] for b in found] == [f"{stem} Alpha", f"{stem} Beta"]
    assert found[0] == {"id": ids[0], "name": f"{stem} Alpha", "brewery": BREWERY}

    found = client.get("/beers/search", query_string={"value": stem}).get_json()
    assert [b["id"] for b in found] == ids  # name order, the longer name last
    # the view collation does not split a prefix by case
    lower = client.get("/beers/search", query_string={"value": stem.lower()}).get_json()
    assert [b["id"] for b in lower] == ids
    # the page without JavaScript filters the same way
    assert re.findall(r'href="/beers/show/([^"]+)"',
                      text(client.get("/beers", query_string={"q": stem}))) == ids


def test_search_limits_and_empty_results(client):
    assert client.get("/beers/search", query_string={"value": "\u2603 none"}).get_json() == []
    everything = client.get("/beers/search").get_json()
    assert len(everything) == PAGE  # ENTRIES_PER_PAGE, the guide's limit
    resp = client.get("/beers/search", query_string={"value": "a"})
    assert resp.headers["Content-Type"] == "application/json"
    breweries = client.get("/breweries/search", query_string={"value": "21st"}).get_json()
    assert {"id": BREWERY, "name": "21st Amendment Brewery Cafe"} in breweries


def test_query_string_range_end(beer_db):
    """The guide's Query form of the same search, straight on the SDK."""
    q = Query()
    q.mapkey_range = ["Jule", "Jule" + Query.STRING_RANGE_END]
    q.limit = 30
    q.stale = False
    assert JULEOL in [row.docid for row in beer_db.query("beer", "by_name", query=q)]


# -- create -----------------------------------------------------------------------------------
def test_create_beer_stores_typed_fields(client, beer_db):
    name = unique_name("Create Me")
    beer_id = create_beer(client, name=name, abv="6.5", upc="123")
    assert beer_id == f"{BREWERY}-{name.replace(' ', '_').lower()}"
    doc = beer_db.get(beer_id).value
    assert doc["type"] == "beer" and doc["name"] == name and doc["brewery_id"] == BREWERY
    assert doc["abv"] == 6.5 and doc["upc"] == 123 and doc["srm"] == 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", doc["updated"])
    assert name in text(client.get(f"/beers/show/{beer_id}"))


def test_create_existing_beer_is_refused_not_overwritten(client, beer_db):
    name = unique_name()
    beer_id = create_beer(client, name=name, abv="4")
    resp = client.post("/beers/create", data=beer_form(name=name, abv="9"))
    assert resp.status_code == 409
    assert "already exists" in text(resp)
    assert beer_db.get(beer_id).value["abv"] == 4


def test_create_brewery_then_a_beer_for_it(client, beer_db):
    name = unique_name("Brew House")
    brewery_id = create_brewery(client, name)
    assert brewery_id == name.replace(" ", "_").lower()
    assert beer_db.get(brewery_id).value["type"] == "brewery"
    form_page = text(client.get("/beers/create", query_string={"brewery_id": brewery_id}))
    assert f'value="{brewery_id}"' in form_page
    beer_id = create_beer(client, name="House Lager", brewery_id=brewery_id)
    assert beer_id.startswith(brewery_id + "-")


@pytest.mark.parametrize("fields, field, message", [
    ({"name": ""}, "name", "Must have a name"),
    ({"name": "   "}, "name", "Must have a name"),
    ({"name": "!!!"}, "name", "at least one letter or digit"),
    ({"abv": "strong"}, "abv", "Alcohol (ABV) must be a number"),
    ({"abv": "150"}, "abv", "between 0 and 100"),
    ({"abv": "-1"}, "abv", "between 0 and 100"),
    ({"abv": "nan"}, "abv", "between 0 and 100"),
    ({"ibu": "1e999"}, "ibu", "between"),
    ({"upc": "12.5"}, "upc", "must be a whole number"),
    ({"brewery_id": ""}, "brewery_id", "Must have a brewery ID"),
    ({"brewery_id": "no_such_brewery"}, "brewery_id", "Brewery ID no_such_brewery not found"),
    ({"brewery_id": JULEOL}, "brewery_id", "not found"),  # a beer is not a brewery
])
def test_bad_beer_input_is_a_form_error(client, beer_db, fields, field, message):
    name = unique_name("Bad")
    form = beer_form(**{"name": name, **fields})
    resp = client.post("/beers/create", data=form)
    assert resp.status_code == 400
    page = text(resp)
    assert message in re.search(rf'id="error-{field}">([^<]*)<', page).group(1)
    # what the user typed is still in the form
    assert f'value="{form[f"beer_{field}"]}"' in page or field == "name"
    assert not beer_db.get(f"{BREWERY}-{name.replace(' ', '_').lower()}", quiet=True).success


def test_missing_form_fields_are_form_errors(client):
    resp = client.post("/beers/create", data={})
    assert resp.status_code == 400
    page = text(resp)
    assert "Must have a name" in page and "Must have a brewery ID" in page
    resp = client.post("/breweries/create", data={"brewery_website": "javascript:alert(1)"})
    assert resp.status_code == 400
    assert "Must have a name" in text(resp) and "must start with http" in text(resp)


# -- edit and concurrent edits ----------------------------------------------------------------
def test_edit_beer_keeps_fields_the_form_does_not_know(client, beer_db):
    beer_id = create_beer(client, name=unique_name("Edit"))
    beer_db.replace(beer_id, {**beer_db.get(beer_id).value, "extra": {"kept": True}})
    page = text(client.get(f"/beers/edit/{beer_id}"))
    resp = client.post(f"/beers/edit/{beer_id}",
                       data={**beer_form(name="Edited Name", abv="7.1"), "cas": cas_of(page)})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/beers/show/{beer_id}")
    doc = beer_db.get(beer_id).value
    assert doc["name"] == "Edited Name" and doc["abv"] == 7.1
    assert doc["extra"] == {"kept": True} and doc["type"] == "beer"


def test_edit_with_bad_input_changes_nothing(client, beer_db):
    beer_id = create_beer(client, name=unique_name("Keep"), abv="5")
    page = text(client.get(f"/beers/edit/{beer_id}"))
    resp = client.post(f"/beers/edit/{beer_id}",
                       data={**beer_form(abv="five"), "cas": cas_of(page)})
    assert resp.status_code == 400 and "must be a number" in text(resp)
    assert beer_db.get(beer_id).value["abv"] == 5


@pytest.mark.parametrize("cas", [None, "", "abc", "-4", "0"])
def test_edit_without_a_valid_version_is_refused(client, beer_db, cas):
    beer_id = create_beer(client, name=unique_name("Versionless"), abv="5")
    data = beer_form(abv="8")
    if cas is not None:
        data["cas"] = cas
    resp = client.post(f"/beers/edit/{beer_id}", data=data)
    assert resp.status_code == 400 and "open the edit page again" in text(resp)
    assert beer_db.get(beer_id).value["abv"] == 5


def test_concurrent_edit_shows_a_conflict_and_keeps_both(client, beer_db):
    beer_id = create_beer(client, name=unique_name("Contended"), abv="5")
    mine = cas_of(text(client.get(f"/beers/edit/{beer_id}")))
    # someone else saves first (another tab, another application)
    other = client.application.test_client()
    theirs = cas_of(text(other.get(f"/beers/edit/{beer_id}")))
    assert other.post(f"/beers/edit/{beer_id}", data={
        **beer_form(description="Their words"), "cas": theirs}).status_code == 302

    resp = client.post(f"/beers/edit/{beer_id}",
                       data={**beer_form(description="My words", abv="6"), "cas": mine})
    assert resp.status_code == 409
    page = text(resp)
    assert "Someone else saved this beer" in page
    assert 'value="6"' in page and "My words" in page  # mine, still in the form
    assert "Their words" in re.search(r'id="current-version">(.*?)</section>', page,
                                      re.S).group(1)
    stored = beer_db.get(beer_id)
    assert stored.value["description"] == "Their words"  # not lost either
    # saving again from the conflict page replaces theirs knowingly
    assert int(cas_of(page)) == stored.cas
    again = client.post(f"/beers/edit/{beer_id}",
                        data={**beer_form(description="My words"), "cas": cas_of(page)})
    assert again.status_code == 302
    assert beer_db.get(beer_id).value["description"] == "My words"


def test_edit_of_a_deleted_beer_is_404(client, beer_db):
    beer_id = create_beer(client, name=unique_name("Vanishing"))
    cas = cas_of(text(client.get(f"/beers/edit/{beer_id}")))
    beer_db.delete(beer_id)
    resp = client.post(f"/beers/edit/{beer_id}", data={**beer_form(), "cas": cas})
    assert resp.status_code == 404


def test_edit_brewery_address_lines_and_conflict(client, beer_db):
    brewery_id = create_brewery(client, unique_name("Brewery Edit"))
    page = text(client.get(f"/breweries/edit/{brewery_id}"))
    resp = client.post(f"/breweries/edit/{brewery_id}", data={
        "brewery_name": "Renamed Brewery", "brewery_address": "1 Main St\n\n  Unit 2 ",
        "brewery_website": "https://example.invalid/", "cas": cas_of(page)})
    assert resp.status_code == 302
    doc = beer_db.get(brewery_id).value
    assert doc["address"] == ["1 Main St", "Unit 2"] and doc["name"] == "Renamed Brewery"
    assert doc["city"] == ""  # the form's fields are the document's: cleared is cleared
    stale = client.post(f"/breweries/edit/{brewery_id}",
                        data={"brewery_name": "Late", "cas": cas_of(page)})
    assert stale.status_code == 409
    assert beer_db.get(brewery_id).value["name"] == "Renamed Brewery"


# -- delete and the brewery guard -------------------------------------------------------------
def test_delete_beer(client, beer_db):
    beer_id = create_beer(client, name=unique_name("Doomed"))
    client.post(f"/beers/like/{beer_id}")
    resp = client.post(f"/beers/delete/{beer_id}")
    assert resp.status_code == 302
    assert not beer_db.get(beer_id, quiet=True).success
    assert not beer_db.get(beer_id + "::likes", quiet=True).success
    assert client.get(f"/beers/show/{beer_id}").status_code == 404
    assert client.post(f"/beers/delete/{beer_id}").status_code == 404  # again: 404
    assert client.post(f"/breweries/delete/{JULEOL}").status_code == 404  # wrong kind


def test_brewery_with_beers_is_not_deleted(client, beer_db):
    brewery_id = create_brewery(client, unique_name("Guarded"))
    beer_ids = [create_beer(client, name=n, brewery_id=brewery_id) for n in ("One", "Two")]
    resp = client.post(f"/breweries/delete/{brewery_id}")
    assert resp.status_code == 409
    page = text(resp)
    assert "still has beers" in page
    assert all(f"/beers/show/{b}" in page for b in beer_ids)
    assert beer_db.get(brewery_id).success

    client.post(f"/beers/delete/{beer_ids[0]}")
    assert client.post(f"/breweries/delete/{brewery_id}").status_code == 409
    client.post(f"/beers/delete/{beer_ids[1]}")
    resp = client.post(f"/breweries/delete/{brewery_id}")
    assert resp.status_code == 302
    assert not beer_db.get(brewery_id, quiet=True).success


def test_sample_brewery_is_guarded(client, beer_db):
    assert client.post(f"/breweries/delete/{BREWERY}").status_code == 409
    assert beer_db.get(BREWERY).success


# -- beers by brewery -------------------------------------------------------------------------
def test_brewery_page_lists_its_beers_by_name(client, beer_db):
    expected = sorted(
        (beer_db.get(r.docid).value["name"], r.docid)
        for r in beer_db.query("beer", "brewery_beers", stale=False,
                               mapkey_range=[[BREWERY, ""], [BREWERY, Query.STRING_RANGE_END]]))
    page = text(client.get(f"/breweries/show/{BREWERY}"))
    table = re.search(r'id="brewery-beers".*?</table>', page, re.S).group(0)
    assert re.findall(r'href="/beers/show/([^"]+)"', table) == [i for _, i in expected]
    assert len(expected) >= 10


def test_beers_by_brewery_search(client):
    brewery_id = create_brewery(client, unique_name("Searchable"))
    for name in ("Hop Storm", "hop Lite", "Malt Bomb"):
        create_beer(client, name=name, brewery_id=brewery_id)
    create_beer(client, name="Hop Storm")  # same name, another brewery: not listed
    found = client.get(f"/breweries/{brewery_id}/beers", query_string={"value": "hop"})
    assert sorted(b["name"] for b in found.get_json()) == ["Hop Storm", "hop Lite"]
    assert all(b["brewery"] == brewery_id for b in found.get_json())
    everything = client.get(f"/breweries/{brewery_id}/beers").get_json()
    # the view's Unicode collation: letters before case
    assert [b["name"] for b in everything] == ["hop Lite", "Hop Storm", "Malt Bomb"]
    page = text(client.get(f"/breweries/show/{brewery_id}", query_string={"beer_q": "Malt"}))
    table = re.search(r'id="brewery-beers".*?</table>', page, re.S).group(0)
    assert "Malt Bomb" in table and "Hop Storm" not in table


# -- likes ------------------------------------------------------------------------------------
def test_likes_count_every_concurrent_like(beer_app, beer_db):
    beer_id = create_beer(beer_app.test_client(), name=unique_name("Popular"))
    threads, per_thread = 8, 5
    statuses: list[int] = []

    def fan() -> None:
        c = beer_app.test_client()
        for _ in range(per_thread):
            statuses.append(c.post(f"/beers/like/{beer_id}").status_code)

    workers = [threading.Thread(target=fan) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert statuses == [302] * threads * per_thread
    assert beer_db.get(beer_id + "::likes").value == threads * per_thread
    page = text(beer_app.test_client().get(f"/beers/show/{beer_id}"))
    assert re.search(r'id="likes-count">(\d+)<', page).group(1) == str(threads * per_thread)


def test_unlike_goes_down_but_not_below_zero(client):
    brewery_id = create_brewery(client, unique_name("Liked"))
    json_accept = {"Accept": "application/json"}
    assert client.post(f"/breweries/like/{brewery_id}", headers=json_accept).get_json() == {
        "id": brewery_id, "likes": 1}
    client.post(f"/breweries/like/{brewery_id}")
    assert client.post(f"/breweries/unlike/{brewery_id}",
                       headers=json_accept).get_json()["likes"] == 1
    for _ in range(3):
        client.post(f"/breweries/unlike/{brewery_id}")
    assert client.post(f"/breweries/unlike/{brewery_id}",
                       headers=json_accept).get_json()["likes"] == 0
    assert client.get(f"/breweries/like/{brewery_id}").status_code in (404, 405)  # POST only
    assert client.post(f"/breweries/unlike/{brewery_id}",
                       headers=json_accept).get_json()["likes"] == 0


# -- robustness -------------------------------------------------------------------------------
def test_names_are_escaped(client):
    beer_id = create_beer(client, name='<script>alert("x")</script> Ale')
    raw = client.get(f"/beers/show/{beer_id}").get_data(as_text=True)
    assert "<script>alert" not in raw and "&lt;script&gt;" in raw


def test_database_errors_are_503_not_500(beer_app, monkeypatch):
    from beersample import store

    from couchbase.exceptions import TimeoutError

    def down(*args: Any, **kwargs: Any) -> Any:
        raise TimeoutError("the cluster did not answer in time")

    monkeypatch.setattr(store, "likes", down)
    resp = beer_app.test_client().get(f"/beers/show/{JULEOL}")
    assert resp.status_code == 503
    assert "The database did not answer" in text(resp)


def test_the_command_starts_cluster_and_app():
    proc = subprocess.Popen([sys.executable, str(BEER_DIR / "beer.py"), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        started = time.monotonic()
        line = proc.stdout.readline()  # type: ignore[union-attr]
        url = re.search(r"http://\S+/", line).group(0)
        with urllib.request.urlopen(url + "beers/search?value=Jule", timeout=30) as r:
            assert b"aass_brewery-juleol" in r.read()
        assert time.monotonic() - started < 60
    finally:
        proc.terminate()
        proc.wait(10)


def test_python_m_form_and_help():
    out = subprocess.run([sys.executable, "-m", "beersample", "--help"], cwd=BEER_DIR,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "--connstr" in out.stdout


def test_connstr_points_it_at_an_existing_cluster(beer_db):
    """--connstr: a cluster that already holds beer-sample (here a second local one)."""
    from beersample.cli import connect

    from couchbase_mock import MockCluster

    with MockCluster(samples=["beer-sample"]) as other:
        with connect(other.connstr, other.username, other.password) as db:
            assert db.get(JULEOL).value["name"] == "Juleøl"
            assert [r.docid for r in db.query("brewery", "by_name", limit=1, stale=False,
                                              mapkey_range=["21st", "21st\u0fff"])] == [BREWERY]


def test_write_between_read_and_replace_is_caught_by_cas(beer_db):
    """The window the page cannot see: someone saves after update() read the
    document and before it replaced it; the server's CAS check refuses ours."""
    from beersample import store

    beer_id = f"{BREWERY}-race_{uuid.uuid4().hex[:6]}"
    cas = beer_db.add(beer_id, {"type": "beer", "name": "Race", "brewery_id": BREWERY}).cas

    class Racing:
        def __getattr__(self, name: str) -> Any:
            return getattr(beer_db, name)

        def replace(self, key: str, value: Any, cas: int) -> Any:
            beer_db.replace(key, {**beer_db.get(key).value, "description": "Sneaked in"})
            return beer_db.replace(key, value, cas=cas)

    with pytest.raises(store.Conflict) as caught:
        store.update(Racing(), "beer", beer_id, {"name": "Mine"}, cas)
    assert caught.value.current.description == "Sneaked in"
    assert beer_db.get(beer_id).value["name"] == "Race"
