"""The developer guide's beer-sample application (examples/beer) in headless
Chromium: list, search as you type, create, edit, delete, a concurrent edit's
conflict, the brewery delete guard; a screenshot of every page at 1280 px and
400 px, none of them wider than the window. The app and its local cluster are
tests/beer/beer_fixtures.py's."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import all_viewports, browser_log, screenshot  # tests/browser

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "beer"))
pytest.importorskip("flask", reason="the beer app needs Flask: pip install -e '.[beer-app]'")

import beer_fixtures  # noqa: E402 - tests/beer

# the application's fixtures (module scope: one cluster and server for this file)
beer_db = beer_fixtures.beer_db
beer_app = beer_fixtures.beer_app
beer_url = beer_fixtures.beer_url

JULEOL = "aass_brewery-juleol"
BREWERY = "21st_amendment_brewery_cafe"

PAGES = [
    ("welcome", "/welcome", "Browse all Beers"),
    ("beers", "/beers", "Browse Beers"),
    ("breweries", "/breweries", "Browse Breweries"),
    ("beer", f"/beers/show/{JULEOL}", "Juleøl"),
    ("brewery", f"/breweries/show/{BREWERY}", "Beers of this brewery"),
    ("beer-edit", f"/beers/edit/{JULEOL}", "Editing Juleøl"),
    ("beer-create", "/beers/create", "Create Beer"),
    ("brewery-edit", f"/breweries/edit/{BREWERY}", "Editing 21st Amendment"),
    ("brewery-create", "/breweries/create", "Create Brewery"),
    ("beer-delete", f"/beers/delete/{JULEOL}", "Delete"),
]


def fits_the_window(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"))


@all_viewports
def test_every_page_screenshot(page: Any, beer_url: str) -> None:
    for name, path, heading in PAGES:
        response = page.goto(beer_url + path)
        assert response is not None and response.status == 200, path
        assert heading in page.locator("main").inner_text()
        assert fits_the_window(page), f"{path} scrolls sideways"
        screenshot(page, name)


def test_search_as_you_type(page: Any, beer_url: str) -> None:
    page.goto(beer_url + "/beers")
    rows = page.locator("#beer-table tbody tr")
    page.locator("#beer-search").press_sequentially("jule", delay=20)
    page.wait_for_function(
        "[...document.querySelectorAll('#beer-table tbody tr a')]"
        ".some(a => a.textContent === 'Juleøl')")
    for text in rows.all_inner_texts():
        assert text.lower().startswith("jule")
    screenshot(page, "beers-search")
    rows.first.locator("a", has_text="Juleøl").click()
    page.wait_for_url(f"**/beers/show/{JULEOL}")
    # a name that matches nothing empties the table
    page.goto(beer_url + "/beers")
    page.locator("#beer-search").fill("\u2603 nothing")
    page.wait_for_function("document.querySelectorAll('#beer-table tbody tr').length === 0")


def test_create_edit_delete_a_beer(page: Any, beer_url: str, beer_db: Any) -> None:
    name = f"Browser Ale {uuid.uuid4().hex[:6]}"
    page.goto(beer_url + "/beers/create")
    page.fill("#beer_name", name)
    page.fill("#beer_abv", "strong")
    page.fill("#beer_brewery_id", BREWERY)
    browser_log(page).expect(r"status of 400")
    page.click("#save")
    assert "must be a number" in page.locator("#error-abv").inner_text()
    assert page.input_value("#beer_name") == name  # what was typed stays
    screenshot(page, "beer-create-error")

    page.fill("#beer_abv", "5.5")
    page.click("#save")
    page.wait_for_url("**/beers/show/*")
    beer_id = page.url.rsplit("/", 1)[1]
    assert beer_db.get(beer_id).value["abv"] == 5.5

    page.click("text=Edit")
    page.fill("#beer_style", "Browser Pale")
    page.click("#save")
    page.wait_for_url(f"**/beers/show/{beer_id}")
    assert "Browser Pale" in page.locator("#details").inner_text()

    page.click("#like")
    page.wait_for_function("document.getElementById('likes-count').textContent === '1'")

    page.click("a.btn-danger")
    screenshot(page, "beer-delete-confirm")
    page.click("#confirm-delete")
    page.wait_for_url("**/beers")
    assert not beer_db.get(beer_id, quiet=True).success


def test_concurrent_edit_shows_the_conflict(page: Any, beer_url: str, beer_db: Any) -> None:
    page.goto(beer_url + f"/beers/edit/{JULEOL}")
    page.fill("#beer_description", "Mine, from the browser")
    current = beer_db.get(JULEOL)  # meanwhile, someone else saves
    beer_db.replace(JULEOL, {**current.value, "description": "Theirs"}, cas=current.cas)
    browser_log(page).expect(r"status of 409")
    page.click("#save")
    assert "Someone else saved this beer" in page.locator("#form-message").inner_text()
    assert page.input_value("#beer_description") == "Mine, from the browser"
    assert "Theirs" in page.locator("#current-version").inner_text()
    screenshot(page, "beer-edit-conflict")
    page.click("#save")  # knowingly over theirs
    page.wait_for_url(f"**/beers/show/{JULEOL}")
    assert beer_db.get(JULEOL).value["description"] == "Mine, from the browser"


def test_brewery_delete_guard(page: Any, beer_url: str, beer_db: Any) -> None:
    page.goto(beer_url + f"/breweries/show/{BREWERY}")
    assert page.locator("#brewery-beers tbody tr").count() >= 10
    page.fill("#brewery-beer-search", "563")
    page.wait_for_function(
        "document.querySelectorAll('#brewery-beers tbody tr').length === 1")
    page.click("a.btn-danger")
    browser_log(page).expect(r"status of 409")
    page.click("#confirm-delete")
    assert "still has beers" in page.locator("#form-message").inner_text()
    assert page.locator("#blocking-beers li").count() >= 1
    screenshot(page, "brewery-delete-refused")
    assert beer_db.get(BREWERY).success


@pytest.mark.parametrize("viewport", [{"width": 400, "height": 800}], ids=["narrow"])
def test_brewery_lifecycle_narrow(page: Any, beer_url: str, beer_db: Any) -> None:
    name = f"Narrow Brewing {uuid.uuid4().hex[:6]}"
    page.goto(beer_url + "/breweries/create")
    page.fill("#brewery_name", name)
    page.fill("#brewery_address", "1 Small St\nBack door")
    page.click("#save")
    page.wait_for_url("**/breweries/show/*")
    brewery_id = page.url.rsplit("/", 1)[1]
    assert beer_db.get(brewery_id).value["address"] == ["1 Small St", "Back door"]
    assert fits_the_window(page)
    page.click("a.btn-danger")
    page.click("#confirm-delete")
    page.wait_for_url("**/breweries")
    assert not beer_db.get(brewery_id, quiet=True).success
