"""The search page on a phone, in the real Chromium (issue 15): the filters come after the
hits there, so a "Filtrera" control near the top leads to them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from test_browser import base_url, browser, checked_tab, screenshot

pytestmark = pytest.mark.browser
__all__ = ["base_url", "browser"]  # fixtures this module uses from test_browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A tab the size of a phone screen; a console error fails the test."""
    yield from checked_tab(browser, viewport=PHONE, is_mobile=True, has_touch=True)


def test_filtrera_near_the_top_reaches_the_filters_on_a_phone(phone: Page, base_url: str) -> None:
    phone.goto(base_url + "/search?q=stockholm")
    hits = phone.locator("[data-hit]")
    expect(hits.first).to_be_visible()
    assert hits.count() > 3
    facet = phone.locator(".facets .facet__value").first
    # The filters are below the hits, out of sight; the control to them is on the first screen.
    assert phone.locator(".facets").bounding_box()["y"] > PHONE["height"]
    control = phone.get_by_role("link", name="Filtrera", exact=True)
    expect(control).to_be_visible()
    box = control.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]
    assert box["y"] < hits.first.bounding_box()["y"]
    screenshot(phone, "search-phone.png")
    control.click()
    expect(facet).to_be_in_viewport()
    label = facet.locator(".facet__label").inner_text()
    facet.click()
    expect(phone.locator(".chip").first).to_contain_text(label)


def test_no_filtrera_control_on_a_wide_screen(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    tab = context.new_page()
    tab.goto(base_url + "/search?q=stockholm")
    expect(tab.locator(".facets .facet__value").first).to_be_in_viewport()
    expect(tab.get_by_role("link", name="Filtrera", exact=True)).to_be_hidden()
    context.close()
