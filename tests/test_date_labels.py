"""A document's dates under the word that fits its type, and facts that do not run together
(issue 15): a kallelse's date is its sammanträdesdatum, a press release's is when it was
published; "Dnr BN 2024/0001" and "s. 2" stay apart on the document page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive.catalog import Catalog
from web import create_app


@pytest.fixture(scope="module")
def shown(corpus_home: Path) -> list:
    with Catalog(corpus_home, readonly=True) as catalog:
        return list(catalog.iter_documents(indexable_only=True, with_text=False))


@pytest.fixture(scope="module")
def client(corpus_home: Path):
    return create_app({"ARKIV_HOME": str(corpus_home)}).test_client()


def _text(html: str) -> str:
    """What the page reads as, tags dropped (as text is copied or read aloud)."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def _facts(client, doc_id: str) -> str:
    html = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    facts = re.search(r'<p class="document__facts">(.*?)</p>', html, re.S)
    assert facts is not None
    return _text(facts.group(1))


def test_a_meeting_document_shows_its_sammantradesdatum(client, shown: list) -> None:
    meeting = [d for d in shown if d.get("doc_type") in ("kallelse", "protokoll")
               and d.get("decision_date")]
    assert {d.get("doc_type") for d in meeting} == {"kallelse", "protokoll"}
    for doc in meeting:
        facts = _facts(client, doc.id)
        assert f"Sammanträdesdatum {doc.get('decision_date')}" in facts, (doc.filename, facts)
        assert "Beslutsdatum" not in facts, (doc.filename, facts)


def test_a_press_release_shows_when_it_was_published(client, shown: list) -> None:
    releases = [d for d in shown if d.get("doc_type") == "pressmeddelande" and d.get("document_date")]
    assert releases
    for doc in releases:
        facts = _facts(client, doc.id)
        assert facts.startswith(f"Publicerad {doc.get('document_date')}"), (doc.filename, facts)
        hits = client.get(f"/search?q={doc.get('title')}").get_data(as_text=True)
        meta = re.search(rf'href="/documents/{doc.id}[^"]*">[^<]*</a></h2>\s*<p class="hit__meta">(.*?)</p>',
                         hits, re.S)
        assert meta is not None and "Publicerad" in _text(meta.group(1)), doc.filename
        assert "Beslutsdatum" not in _text(meta.group(1))


def test_a_decision_keeps_its_beslutsdatum() -> None:
    from web.datelabels import document_dates

    app = create_app({"ARKIV_HOME": None})
    with app.test_request_context("/"):
        assert document_dates({"doc_type": "beslut", "decision_date": "2024-01-02"}) == [
            ("Beslutsdatum", "2024-01-02")]
        assert document_dates({"doc_type": "kallelse", "decision_date": "2024-01-02",
                               "document_date": "2024-01-02"}) == [("Sammanträdesdatum", "2024-01-02")]
    with app.test_request_context("/?lang=en"):
        assert document_dates({"doc_type": "pressmeddelande", "decision_date": "2024-01-02",
                               "document_date": "2024-01-05"}) == [
            ("Published", "2024-01-05"), ("Decision date", "2024-01-02")]


def test_dnr_and_page_number_do_not_run_together(client, shown: list) -> None:
    with_items = [d for d in shown if any(a.get("dnr") and a.get("pages")
                                          for a in d.metadata.get("arenden") or [])]
    assert with_items
    for doc in with_items:
        html = client.get(f"/documents/{doc.id}").get_data(as_text=True)
        listed = re.search(r'<ol class="arenden">(.*?)</ol>', html, re.S)
        assert listed is not None
        for item in re.findall(r"<li[^>]*>(.*?)</li>", listed.group(1), re.S):
            text = _text(item)
            assert not re.search(r"\ds\. \d", text), text
            if "Dnr" in text:
                assert re.search(r"Dnr \S.*\S · s\. \d+", text), text
