"""Ärenden on the web: every § of a protokoll listed, linked, with its own page and JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS

from archive.catalog import Catalog
from web import create_app

PROTOKOLL = CORPUS / "lerum-byggnadsnamnden-protokoll-2024-04-18.pdf"
KALLELSE = CORPUS / "lerum-byggnadsnamnden-kallelse-2024-04-18.pdf"


@pytest.fixture(scope="module")
def client(corpus_home: Path):  # noqa: ANN201 - Flask's test client
    return create_app({"ARKIV_HOME": str(corpus_home), "TESTING": True}).test_client()


def _shown_id(home: Path, path: Path) -> str:
    with Catalog(home, readonly=True) as catalog:
        doc = catalog.get_by_path(path)
        return doc.duplicate_of or doc.id


def test_document_page_lists_every_paragraph_with_an_anchor(client, corpus_home: Path) -> None:
    doc_id = _shown_id(corpus_home, PROTOKOLL)
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    for number in range(41, 58):
        assert f'id="arende-{number}"' in page
        assert f"/documents/{doc_id}/arenden/{number}" in page


def test_paragraph_json_has_number_heading_dnr_decision_pages(client, corpus_home: Path) -> None:
    doc_id = _shown_id(corpus_home, PROTOKOLL)
    document = client.get(f"/api/documents/{doc_id}").get_json()
    listed = {a["number"]: a for a in document["arenden"]}
    assert len(listed) == 17
    for number, summary in listed.items():
        item = client.get(f"/api/documents/{doc_id}/arenden/{number}").get_json()
        assert item["label"] == f"§ {number}"
        assert item["heading"] == summary["heading"] and item["dnr"] == summary["dnr"]
        assert item["pages"] == summary["pages"] and item["pages"][0] >= 1
        assert item["text"].startswith(f"§ {number}")
    assert any(a["status"] == "bordlagt" for a in listed.values())


def test_agenda_item_links_to_the_paragraph_that_decided_it(client, corpus_home: Path) -> None:
    notice_id = _shown_id(corpus_home, KALLELSE)
    items = client.get(f"/api/documents/{notice_id}").get_json()["arenden"]
    linked = [a for a in items if a["decided_in"]]
    assert len(linked) >= 15
    first = linked[0]
    item = client.get(f"/api/documents/{notice_id}/arenden/{first['number']}").get_json()
    paragraph = client.get("/api" + item["links"]["decided_in"]).get_json()
    assert paragraph["agenda_item"]["document"] == notice_id
    assert paragraph["dnr"] == first["dnr"] or paragraph["heading"] == first["heading"]


def test_paragraph_page_shows_heading_and_decision(client, corpus_home: Path) -> None:
    doc_id = _shown_id(corpus_home, PROTOKOLL)
    item = client.get(f"/api/documents/{doc_id}/arenden/45").get_json()
    page = client.get(f"/documents/{doc_id}/arenden/45")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert item["heading"].split(",")[0] in html
    assert "Beslut" in html


def test_unknown_paragraph_is_404_json_under_api(client, corpus_home: Path) -> None:
    doc_id = _shown_id(corpus_home, PROTOKOLL)
    assert client.get(f"/documents/{doc_id}/arenden/999").status_code == 404
    response = client.get(f"/api/documents/{doc_id}/arenden/999")
    assert response.status_code == 404 and "error" in response.get_json()
