"""The web app in a real headless Chromium (Playwright) over a real archive of corpus/.

Screenshots of the search and document pages are written to tests/artifacts/.
Chromium is Debian's /usr/bin/chromium; without it these tests skip (and fail in CI).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import IN_CI, ROOT
from werkzeug.serving import make_server

from archive.catalog import Catalog
from web import create_app

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("ARKIV_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
TIMEOUT_MS = 15_000

if not CHROMIUM.exists():
    reason = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    if IN_CI:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def base_url(corpus_home: Path) -> Iterator[str]:
    """The real app on a free loopback port, served from a background thread."""
    server = make_server("127.0.0.1", 0, create_app({"ARKIV_HOME": str(corpus_home)}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser tab; any console error (a CSP violation, a JS error) fails the test."""
    yield from checked_tab(browser, viewport={"width": 1280, "height": 900}, accept_downloads=True)


def checked_tab(browser: Browser, **context_options: Any) -> Iterator[Page]:
    """A tab in a fresh Swedish context; any console error fails the test once it is done."""
    context = browser.new_context(locale="sv-SE", **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, errors


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def total(page: Page) -> int:
    return int(re.search(r"\d+", page.locator(".results__total").inner_text()).group())  # type: ignore[union-attr]


def test_search_from_the_home_page_and_narrow_by_a_facet(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.fill("#q", "hemlöshet")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=heml%C3%B6shet$"))  # empty fields left out
    expect(page.locator("[data-hit]").first).to_be_visible()
    expect(page.locator(".snippet mark").first).to_be_visible()
    before = total(page)
    assert before >= 1
    screenshot(page, "search.png")

    city = page.locator(".facet").filter(has_text="Stad").locator(".facet__value").first
    city_name = city.locator(".facet__label").inner_text()
    city.click()
    page.wait_for_url(re.compile(r"city="))
    expect(page.locator(".facet__value.is-selected").first).to_be_visible()
    expect(page.locator(".chip").first).to_contain_text(city_name)
    narrowed = total(page)
    assert narrowed <= before
    for meta in page.locator(".hit__meta").all_inner_texts():
        assert city_name in meta

    page.locator(".facet__value.is-selected").first.click()
    page.wait_for_url(re.compile(r"/search\?q=heml%C3%B6shet$"))
    assert total(page) == before


def test_open_a_document_and_download_its_original(
    page: Page, base_url: str, corpus_home: Path
) -> None:
    page.goto(base_url + "/search?q=hemlöshet&kind=document")
    page.locator(".hit__title a").first.click()
    page.wait_for_url(re.compile(r"/documents/[0-9a-f]{16}\?q="))
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".document__text mark").first).to_be_visible()
    expect(page.get_by_text("Liknande dokument")).to_be_visible()
    screenshot(page, "document.png")

    doc_id = re.search(r"/documents/([0-9a-f]{16})", page.url).group(1)  # type: ignore[union-attr]
    with Catalog(corpus_home, readonly=True) as catalog:
        document = catalog.get(doc_id)
        assert document is not None
        original = catalog.original_path(document.sha256).read_bytes()
    with page.expect_download() as info:
        page.get_by_role("link", name="Ladda ner original").click()
    download = info.value
    assert download.suggested_filename == document.filename
    assert Path(download.path()).read_bytes() == original


def test_a_dnr_search_lands_on_the_paragraph_and_its_decision(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.fill("#q", "2024-000456")
    page.press("#q", "Enter")
    first = page.locator("[data-hit]").first
    expect(first.locator(".hit__source")).to_have_text("§ 48 i Byggnadsnämndens protokoll 2024-04-18")
    expect(first.locator(".snippet--decision")).to_contain_text("Beslut: Byggnadsnämnden beviljar bygglov")
    screenshot(page, "search-arende.png")
    first.locator(".hit__title a").click()
    page.wait_for_url(re.compile(r"/documents/[0-9a-f]{16}/arenden/48\?q="))
    expect(page.locator("h1")).to_contain_text("Bygglov för nybyggnad av enbostadshus, Floda 5:112")
    expect(page.get_by_text("2024-000456").first).to_be_visible()


def test_switch_language_to_english_and_back(page: Page, base_url: str) -> None:
    page.goto(base_url + "/search?q=stockholm")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Search", exact=True)).to_be_visible()
    expect(page.locator("#q")).to_have_value("stockholm")
    page.get_by_role("link", name="Browse").click()
    expect(page.get_by_role("heading", name="Browse the archive")).to_be_visible()
    page.get_by_role("link", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", name="Bläddra i arkivet")).to_be_visible()


def test_follow_a_browse_page_into_a_search(page: Page, base_url: str) -> None:
    page.goto(base_url + "/browse")
    page.get_by_role("link", name=re.compile("^Projekt")).first.click()
    page.wait_for_url(re.compile(r"/browse/projects$"))
    screenshot(page, "browse-projects.png")
    entry = page.locator(".browse-list a").first
    name = entry.inner_text()
    entry.click()
    page.wait_for_url(re.compile(r"/search\?project="))
    assert total(page) >= 1
    expect(page.locator(".chip").first).to_contain_text(name)

    page.goto(base_url + "/browse/timeline")
    screenshot(page, "browse-timeline.png")
    page.locator(".timeline__months a").first.click()
    page.wait_for_url(re.compile(r"from=\d{4}-\d{2}&to="))
    assert total(page) >= 1


def test_keyboard_shortcuts(page: Page, base_url: str) -> None:
    page.goto(base_url + "/search?q=stockholm")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.locator("#q").blur()
    page.keyboard.press("j")
    expect(page.locator("[data-hit]").first).to_have_class(re.compile("is-current"))
    if page.locator("[data-hit]").count() > 1:
        page.keyboard.press("j")
        expect(page.locator("[data-hit]").nth(1)).to_have_class(re.compile("is-current"))
        page.keyboard.press("k")
        expect(page.locator("[data-hit]").first).to_have_class(re.compile("is-current"))


def test_filters_form_and_small_screen(page: Page, base_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base_url + "/search?q=stockholm")
    page.get_by_text("Fler filter").click()
    page.fill("input[name=decision_from]", "2004-01-01")
    page.get_by_role("button", name="Använd filter").click()
    page.wait_for_url(re.compile(r"decision_from=2004-01-01"))
    assert "type=" not in page.url and "city=" not in page.url
    screenshot(page, "search-mobile.png")
