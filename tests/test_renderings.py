"""A document that exists as a PDF and as a text copy of it (issue 15): the PDF original is
the one shown and downloaded, whatever order the files came in, its id stays put after
``reindex --reextract``, and its snippets carry the PDF's page numbers."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS

from archive.catalog import Catalog
from archive.groups import format_rank, shown_member
from indexer.clean import clean_pages
from indexer.extract import extract
from indexer.pipeline import index_paths, reindex
from web import create_app

PROTOKOLL = "lerum-byggnadsnamnden-protokoll-2024-04-18"


def _ingest(home: Path, tmp_path: Path, order: tuple[str, ...]) -> None:
    """Ingest the protokoll's renderings one run each, in ``order`` (suffixes)."""
    for suffix in order:
        folder = tmp_path / f"in-{suffix}"
        folder.mkdir()
        shutil.copy(CORPUS / f"{PROTOKOLL}.{suffix}", folder)
        report = index_paths(home, [folder], registry_dir=CORPUS)
        assert report.counts["new"] == 1, report.failures


def _pdf_id(home: Path) -> str:
    with Catalog(home, readonly=True) as catalog:
        ids = [doc.id for doc in catalog.iter_documents(indexable_only=False, with_text=False)
               if doc.filename.endswith(".pdf")]
    assert len(ids) == 1
    return ids[0]


def _shown_ids(client, query: str) -> set[str]:
    hits = client.get(f"/api/search?q={query}&page_size=50").get_json()["hits"]
    assert hits, query
    return {hit["id"] for hit in hits}


@pytest.mark.parametrize("order", [("pdf", "txt"), ("txt", "pdf")], ids=["pdf-first", "txt-first"])
def test_the_pdf_original_is_shown_whatever_the_ingest_order(
    tmp_path: Path, order: tuple[str, ...]
) -> None:
    home = tmp_path / "arkiv"
    _ingest(home, tmp_path, order)
    pdf = _pdf_id(home)
    client = create_app({"ARKIV_HOME": str(home)}).test_client()
    assert _shown_ids(client, "bygglov") == {pdf}
    document = client.get(f"/api/documents/{pdf}").get_json()
    assert document["duplicate_of"] is None and len(document["renderings"]) == 1
    original = client.get(f"/documents/{pdf}/original")
    assert original.status_code == 200 and original.mimetype == "application/pdf"
    assert original.data.startswith(b"%PDF")
    # Re-extraction keeps the choice and with it the id every link was made with.
    reindex(home, reextract=True, registry_dir=CORPUS)
    client = create_app({"ARKIV_HOME": str(home)}).test_client()
    assert _shown_ids(client, "bygglov") == {pdf}


def test_snippets_carry_the_pdf_page_and_link_to_it(tmp_path: Path) -> None:
    home = tmp_path / "arkiv"
    _ingest(home, tmp_path, ("pdf", "txt"))
    pdf = _pdf_id(home)
    # A word that stands on one page of the PDF only (nor inside a word of another), past
    # page 1.
    text, starts = clean_pages(extract(CORPUS / f"{PROTOKOLL}.pdf").pages)
    bounds = [*starts, len(text)]
    pages = [text[bounds[i]:bounds[i + 1]] for i in range(len(starts))]
    words = [Counter(w.casefold() for w in re.findall(r"[^\W\d_]{9,}", page)) for page in pages]
    number, word = next(
        (n + 1, w) for n in range(len(pages) - 1, 0, -1)
        for w, k in sorted(words[n].items()) if k == 1
        and not any(w[:7] in other.casefold() for i, other in enumerate(pages) if i != n)
    )
    client = create_app({"ARKIV_HOME": str(home)}).test_client()
    hits = client.get(f"/api/search?q={word}").get_json()["hits"]
    assert hits and hits[0]["id"] == pdf
    assert [s["page"] for s in hits[0]["snippets"]] == [number]
    html = client.get(f"/search?q={word}").get_data(as_text=True)
    link = re.search(r'<a class="snippet__page" href="([^"]+)">s\.&nbsp;(\d+)</a>', html)
    assert link is not None and link.group(2) == str(number)
    assert link.group(1) == f"/documents/{pdf}/original#page={number}"


def test_one_rule_chooses_the_shown_member() -> None:
    rich_text = {"title": "Protokoll", "dnr": "BN 2024/1", "decision_date": "2024-04-18",
                 "committee": "Byggnadsnämnden", "city": "Lerum"}
    members = {"b-text": ("text/plain", rich_text), "c-pdf": ("application/pdf", {"title": "P"}),
               "a-html": ("text/html", rich_text)}
    assert shown_member(members) == "c-pdf"
    del members["c-pdf"]
    assert shown_member(members) == "a-html"
    assert shown_member({"z": ("text/plain", {}), "y": ("text/plain", {})}) == "y"
    assert shown_member({"z": ("text/plain", rich_text), "y": ("text/plain", {})}) == "z"
    assert format_rank("application/pdf") < format_rank(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ) < format_rank("text/html") < format_rank("text/plain")
