"""Looking at an original in a real Chromium: a snippet's page link opens the PDF at
that page (``/documents/<id>/original#page=N``), served inline as a PDF."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from test_browser import base_url, browser, page  # noqa: F401 - the browser tests' fixtures

pytestmark = pytest.mark.browser


def test_a_snippet_page_link_opens_that_page_of_the_pdf(page: Page, base_url: str) -> None:  # noqa: F811
    page.goto(base_url + "/search?q=delegationsordning&kind=document")
    link = page.locator(".snippet__page[href*='/original#page=']").first
    href = link.get_attribute("href") or ""
    number = int(re.search(r"#page=(\d+)$", href).group(1))  # type: ignore[union-attr]
    assert number > 1, href
    doc_id = re.search(r"/documents/([0-9a-f]{16})/original", href).group(1)  # type: ignore[union-attr]

    responses = []
    page.on("response", lambda response: responses.append(response))
    link.click()
    page.wait_for_url(re.compile(rf"/documents/{doc_id}/original#page={number}$"))
    original = next(r for r in responses if r.url.endswith(f"/documents/{doc_id}/original"))
    headers = original.all_headers()
    assert original.status == 200
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("inline")
    # Chromium shows it in its PDF viewer (even headless); the bytes are the archived PDF.
    fetched = page.request.get(base_url + f"/documents/{doc_id}/original")
    assert fetched.body().startswith(b"%PDF-")
