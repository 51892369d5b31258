"""Corrections in the browser's forms (the real app, real login and CSRF): a staff member
corrects a decision date, the facet changes, the audit log on the page shows it; the
public sees neither the form nor the log."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, HTTPS, csrf_token, post
from test_auth import PASSWORDS, log_in

from archive.accounts import Accounts
from archive.catalog import Catalog
from indexer.pipeline import index_paths
from web import create_app

PROTOKOLL = "lerum-byggnadsnamnden-protokoll-2024-04-18.txt"


@pytest.fixture
def setup(home: Path, tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / PROTOKOLL, folder)
    (folder / "nyhetsbrev.txt").write_text(
        "Nyhetsbrev från stadsdelsförvaltningen\n\nUnder arbetsnamnet ”Öppna Dörrar” planeras "
        "läxhjälp. Under arbetsnamnet ”Trygga Gårdar” planeras nattvandring.\n", encoding="utf-8")
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    with Catalog(home) as catalog:
        Accounts(catalog.db).add_user("stina", "staff", PASSWORDS["stina"])
        doc = catalog.get_by_path(str((folder / PROTOKOLL).resolve()))
        news = catalog.get_by_path(str((folder / "nyhetsbrev.txt").resolve()))
    app = create_app({"ARKIV_HOME": str(home)})
    return app, doc, news


def _years(client, query: str = "") -> dict[str, int]:
    data = client.get(f"/api/search?{query}", base_url=HTTPS).get_json()
    return {v["value"]: v["count"] for v in data["facets"]["year"]}


def test_staff_corrects_a_decision_date_and_the_facet_follows(setup) -> None:
    app, doc, _news = setup
    client = app.test_client()
    assert log_in(client, "stina").status_code == 302
    page = f"/documents/{doc.id}"
    assert _years(client).get("2024") == 1 and "2019" not in _years(client)
    form = client.get(page, base_url=HTTPS).get_data(as_text=True)
    assert "Rätta uppgifter" in form and 'name="decision_date"' in form
    response = post(client, f"{page}/rattelser", data={
        "decision_date": "2019-06-12", "csrf_token": csrf_token(client, page)})
    assert response.status_code == 303
    html = client.get(page, base_url=HTTPS).get_data(as_text=True)
    assert "Sparat: Beslutsdatum." in html
    assert _years(client).get("2019") == 1 and "2024" not in _years(client)
    log = html[html.index("Ändringslogg"):]
    assert "stina" in log and "2024-04-18" in log and "2019-06-12" in log
    assert "rättad av stina" in html

    # a bad date: one clear message, nothing changed
    post(client, f"{page}/rattelser", data={
        "decision_date": "12/6", "title": "Annan titel", "csrf_token": csrf_token(client, page)})
    html = client.get(page, base_url=HTTPS).get_data(as_text=True)
    assert "Ingen ändring sparades: 12/6 är inget datum (skriv ÅÅÅÅ-MM-DD)" in html
    assert "Annan titel" not in html

    # revert: extraction's date again
    post(client, f"{page}/rattelser/decision_date/aterstall",
         data={"csrf_token": csrf_token(client, page)})
    assert _years(client).get("2024") == 1

    # the public sees the corrected document but not the form or the log
    public = app.test_client().get(page).get_data(as_text=True)
    assert "Rätta uppgifter" not in public and "Ändringslogg" not in public
    assert app.test_client().post(f"{page}/rattelser", data={"title": "x"}).status_code in (400, 401)


def test_a_correction_post_without_its_csrf_token_is_refused(setup) -> None:
    app, doc, _news = setup
    client = app.test_client()
    log_in(client, "stina")
    response = post(client, f"/documents/{doc.id}/rattelser", data={"title": "Utan token"})
    assert response.status_code == 400
    assert "Utan token" not in client.get(f"/documents/{doc.id}", base_url=HTTPS).get_data(
        as_text=True)


def test_project_candidates_are_decided_on_the_document_page(setup) -> None:
    app, _doc, news = setup
    client = app.test_client()
    log_in(client, "stina")
    page = f"/documents/{news.id}"
    html = client.get(page, base_url=HTTPS).get_data(as_text=True)
    candidates = re.findall(r'data-candidate="([^"]+)"', html)
    assert candidates == ["Öppna Dörrar", "Trygga Gårdar"]
    post(client, f"{page}/projektkandidater", data={
        "name": "Öppna Dörrar", "decision": "confirmed", "csrf_token": csrf_token(client, page)})
    post(client, f"{page}/projektkandidater", data={
        "name": "Trygga Gårdar", "decision": "rejected", "csrf_token": csrf_token(client, page)})
    html = client.get(page, base_url=HTTPS).get_data(as_text=True)
    assert re.findall(r'data-candidate="([^"]+)"', html) == []
    data = client.get("/api/search?project=Öppna Dörrar", base_url=HTTPS).get_json()
    assert [h["id"] for h in data["hits"]] == [news.id]
    assert "projekt bekräftat" in html and "projektkandidat avvisad" in html
