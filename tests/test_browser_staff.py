"""Staff work in a real headless Chromium (Playwright) against the real app and archive:
log in, drop two PDFs on the upload page (as internal documents) and find them, correct a
decision date and see the year facet change, save a search and find a new public match
in its private feed, log out and no longer find the internal documents.

Chromium is Debian's /usr/bin/chromium; without it these tests skip (and fail in CI).
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CORPUS
from pdfgen import make_pdf
from test_auth import PASSWORDS
from test_browser import browser, page, screenshot  # noqa: F401 - its Chromium fixtures
from werkzeug.serving import make_server

from archive.accounts import Accounts
from archive.catalog import Catalog
from indexer.pipeline import index_paths
from web import create_app

pytestmark = pytest.mark.browser

from playwright.sync_api import Page, expect  # noqa: E402

JOB_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("staff") / "arkiv"
    index_paths(home, [CORPUS / "malmo-pressmeddelande-vinterhjalp-2023.html",
                       CORPUS / "lerum-byggnadsnamnden-protokoll-2024-04-18.txt"],
                registry_dir=CORPUS, workers=1)
    with Catalog(home) as catalog:
        Accounts(catalog.db).add_user("stina", "staff", PASSWORDS["stina"])
    app = create_app({"ARKIV_HOME": str(home), "SESSION_COOKIE_SECURE": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", home
    server.shutdown()
    thread.join(timeout=10)


def log_in(tab: Page, base: str) -> None:
    tab.goto(f"{base}/login")
    tab.fill("#name", "stina")
    tab.fill("#password", PASSWORDS["stina"])
    tab.click("button[type=submit]")
    expect(tab.locator(".account__name")).to_contain_text("stina")


def drop_files(tab: Page, files: list[Path]) -> None:
    """Drop files on the upload page's drop zone, as a file manager would."""
    payload = [(f.name, base64.b64encode(f.read_bytes()).decode()) for f in files]
    transfer = tab.evaluate_handle(
        """(files) => {
            const transfer = new DataTransfer();
            for (const [name, data] of files) {
                const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
                transfer.items.add(new File([bytes], name, {type: "application/pdf"}));
            }
            return transfer;
        }""",
        payload,
    )
    tab.dispatch_event("[data-dropzone]", "drop", {"dataTransfer": transfer})


def upload(tab: Page, base: str, files: list[Path], access: str = "public") -> list[str]:
    """Upload files by drag and drop; the new documents' URLs once the job is done."""
    tab.goto(f"{base}/uppladdning")
    tab.check(f"input[name=access][value={access}]")
    drop_files(tab, files)
    expect(tab.locator("[data-dropzone-list]")).to_contain_text(files[0].name)
    tab.click("form.upload-form button[type=submit]")
    expect(tab.locator("[data-job-state]")).to_have_attribute(
        "data-job-state", "done", timeout=JOB_TIMEOUT_MS)
    links = tab.locator(".upload-results a")
    expect(links).to_have_count(len(files))
    return [links.nth(i).get_attribute("href") for i in range(len(files))]


def year_facet(tab: Page) -> list[str]:
    return tab.locator("ul[aria-labelledby=facet-year] .facet__label").all_inner_texts()


def test_staff_uploads_corrects_and_follows_a_search(
    page: Page, site, tmp_path: Path  # noqa: F811 - test_browser's fixture
) -> None:
    base, _home = site
    log_in(page, base)

    first = make_pdf(tmp_path / "vattenverk-nolby.pdf", [
        "Kommunfullmäktige beslutar att bygga ett nytt vattenverk i Nolby.\n"
        "Vattenverket ska stå klart år 2027 och ersätter det gamla verket."],
        title="Beslut om nytt vattenverk i Nolby")
    second = make_pdf(tmp_path / "lekplats-ekbacken.pdf", [
        "Tekniska nämnden föreslår en ny lekplats vid Ekbacken.\n"
        "Lekplatsen byggs under våren med gungor och klätterställning."],
        title="Ny lekplats vid Ekbacken")
    documents = upload(page, base, [first, second], access="internal")
    screenshot(page, "staff-upload-result.png")

    page.goto(f"{base}/search?q=vattenverk")
    expect(page.locator(".hit__title").first).to_contain_text("Beslut om nytt vattenverk i Nolby")
    page.goto(f"{base}/search?q=klätterställning")
    expect(page.locator(".hit__title").first).to_contain_text("Ny lekplats vid Ekbacken")

    # correct the decision date of the new playground document: the year facet follows
    page.goto(f"{base}/search")
    assert "1999" not in year_facet(page)
    page.goto(base + documents[1])
    page.fill("#rattelser input[name=decision_date]", "1999-05-20")
    page.click("#rattelser form.staff-form button[type=submit]")
    expect(page.locator("[data-flash=info]")).to_contain_text("Sparat: Beslutsdatum")
    expect(page.locator(".audit-log")).to_contain_text("1999-05-20")
    screenshot(page, "staff-correction.png")
    page.goto(f"{base}/search")
    assert "1999" in year_facet(page)
    page.click("ul[aria-labelledby=facet-year] a:has-text('1999')")
    expect(page.locator(".hit__title")).to_have_count(1)
    expect(page.locator(".hit__title").first).to_contain_text("Ny lekplats vid Ekbacken")

    # save a search, then a new matching document shows up in its private feed
    page.goto(f"{base}/search?q=vattenverk")
    page.fill("form.save-search input[name=name]", "Vattenverk")
    page.click("form.save-search button[type=submit]")
    feed_url = page.locator("[data-feed-url]").get_attribute("href")
    third = make_pdf(tmp_path / "vattenverk-upphandling.pdf", [
        "Upphandlingen av det nya vattenverket i Nolby är klar.\n"
        "Byggstart sker i augusti."], title="Upphandling av vattenverk klar")
    upload(page, base, [third])
    page.goto(f"{base}/bevakningar")
    expect(page.locator("[data-saved-search]")).to_contain_text("Upphandling av vattenverk klar")
    expect(page.locator("[data-saved-search]")).not_to_contain_text("Beslut om nytt vattenverk")

    reader = page.context.browser.new_context()  # a feed reader: no session, only the token
    feed = reader.request.get(feed_url)
    assert feed.ok and "atom" in feed.headers["content-type"]
    body = feed.text()
    assert "Upphandling av vattenverk klar" in body and "Beslut om nytt vattenverk" not in body
    reader.close()

    # log out: the internal uploads and the staff pages are gone
    page.goto(base + documents[1])
    page.click(".account__logout button")
    assert page.request.get(base + documents[1]).status == 404  # with the browser's cookies
    page.goto(f"{base}/search?q=klätterställning")
    expect(page.locator(".hit__title")).to_have_count(0)
    page.goto(f"{base}/search?q=upphandling")
    expect(page.locator(".hit__title").first).to_contain_text("Upphandling av vattenverk klar")
    page.goto(f"{base}/bevakningar")
    expect(page).to_have_url(f"{base}/login?next=/bevakningar")
