"""Logging in and out in a real Chromium: staff see the internal document, the public does not.

The app is served over plain http on 127.0.0.1 with its default cookie settings
(Secure, HttpOnly, SameSite): Chromium treats the loopback address as a secure origin.
The login form is tried with JavaScript on and off.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from test_access_routes import PASSWORDS, Archive, build_archive
from test_browser import CHROMIUM_ARGS, TIMEOUT_MS, browser, page, screenshot  # noqa: F401
from werkzeug.serving import make_server

from web import create_app

pytestmark = pytest.mark.browser

WORD = "Zyxelbrandt"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return build_archive(tmp_path_factory.mktemp("auth-browser"))


@pytest.fixture(scope="module")
def served(built: Archive) -> Iterator[str]:
    app = create_app({"ARKIV_HOME": str(built.home)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def search_for(tab: Page, base: str, word: str) -> int:
    tab.goto(base + "/")
    tab.fill("#q", word)
    tab.press("#q", "Enter")
    tab.wait_for_url(re.compile(r"/search\?q="))
    return tab.locator("[data-hit]").count()


def status_of(tab: Page, url: str) -> int:
    """What the server answers this browser (its cookies) for a URL, without showing an
    error page (which the page fixture would count as a console error)."""
    return tab.request.get(url).status


def log_in(tab: Page, base: str, name: str) -> None:
    tab.goto(base + "/")
    tab.get_by_role("link", name="Logga in").click()
    tab.wait_for_url(re.compile(r"/login"))
    tab.fill("#name", name)
    tab.fill("#password", PASSWORDS[name])
    tab.get_by_role("button", name="Logga in").click()
    expect(tab.locator(".account__name")).to_contain_text(name)


def test_log_in_see_the_internal_document_log_out_and_it_is_gone(
    page: Page, served: str, built: Archive  # noqa: F811
) -> None:
    secret = built.internal["protokoll-sn-2024-05-14.txt"]
    assert search_for(page, served, WORD) == 0
    assert status_of(page, f"{served}/documents/{secret}") == 404

    log_in(page, served, "stina")
    cookie = next(c for c in page.context.cookies() if c["name"] == "arkiv_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    assert search_for(page, served, WORD) >= 1
    page.locator("[data-hit]:not([data-arende]) .hit__title a").first.click()
    page.wait_for_url(re.compile(rf"/documents/{secret}\?"))
    expect(page.locator("#access [data-access]")).to_have_text("Intern")
    expect(page.locator("#access")).to_contain_text("arkiv index --access internal")
    screenshot(page, "document-internal.png")

    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("link", name="Logga in")).to_be_visible()
    assert search_for(page, served, WORD) == 0
    assert status_of(page, f"{served}/documents/{secret}") == 404


def test_the_login_form_works_without_javascript(browser: Browser, served: str, built: Archive) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        secret = built.internal["utredning.txt"]
        tab.goto(f"{served}/login?next=/documents/{secret}")
        tab.fill("#name", "adam")
        tab.fill("#password", PASSWORDS["adam"])
        tab.get_by_role("button", name="Logga in").click()
        tab.wait_for_url(re.compile(rf"/documents/{secret}$"))
        expect(tab.locator("#access")).to_contain_text("Sekretess enligt 26 kap. 1 § OSL")
    finally:
        context.close()


def test_the_pages_carry_no_inline_script(page: Page, served: str) -> None:  # noqa: F811
    """The page fixture fails the test on any console error: a CSP violation is one."""
    page.goto(served + "/login")
    html = page.content()
    assert "<script>" not in html and " style=" not in html
