"""The JSON API, the exports (CSV, JSON, Atom) and error answers, over a real archive."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from flask.testing import FlaskClient
from pgsearch import app_on, served_app_fixtures

from archive import alerts
from archive.catalog import Catalog
from archive.models import DOCUMENT_FIELDS
from archive.query import MAX_PAGE_SIZE
from web import create_app
from web.archive_access import ArchiveAccess

ATOM = "{http://www.w3.org/2005/Atom}"


#: backend, corpus_home, app and client: each test on each search backend.
globals().update(served_app_fixtures())


def get_json(client: FlaskClient, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    return response.get_json()


# -- /api/search ----------------------------------------------------------------------


def test_api_search_is_results_json_with_links_and_toggle_urls(client: FlaskClient) -> None:
    data = get_json(client, "/api/search?q=hemlöshet&page_size=5")
    assert {"total", "page", "page_size", "pages", "hits", "facets", "suggestion", "message"} <= set(data)
    assert data["page_size"] == 5 and data["page"] == 1
    hit = data["hits"][0]
    assert set(DOCUMENT_FIELDS) <= set(hit)
    assert {"score", "snippets", "renderings", "url"} <= set(hit)
    assert hit["url"] == f"/documents/{hit['id']}"
    for snippet in hit["snippets"]:
        assert isinstance(snippet["page"], int) and snippet["page"] >= 1
    for name, values in data["facets"].items():
        for value in values:
            assert set(value) == {"value", "count", "selected", "toggle_url"}, name
            assert value["toggle_url"].startswith("/api/search?")
    assert data["links"]["self"] == "/api/search?q=heml%C3%B6shet&page_size=5"
    assert data["links"]["html"] == "/search?q=heml%C3%B6shet&page_size=5"
    assert data["links"]["csv"] == "/search.csv?q=heml%C3%B6shet&page_size=5"
    assert data["links"]["prev"] is None
    assert data["query"]["q"] == "hemlöshet"


def test_api_search_matches_the_html_page(client: FlaskClient) -> None:
    data = get_json(client, "/api/search?q=stockholm")
    html = client.get("/search?q=stockholm").get_data(as_text=True)
    assert f"{data['total']} träff" in html
    for hit in data["hits"]:
        assert f"/documents/{hit['id']}?q=stockholm" in html


def test_api_document(client: FlaskClient, corpus_home: Path) -> None:
    with Catalog(corpus_home, readonly=True) as catalog:
        document = next(catalog.iter_documents())
    data = get_json(client, f"/api/documents/{document.id}")
    assert set(DOCUMENT_FIELDS) <= set(data)
    assert data["text"] == document.text
    assert data["id"] == document.id and data["sha256"] == document.sha256
    assert isinstance(data["renderings"], list) and isinstance(data["versions"], list)
    assert isinstance(data["similar"], list)
    assert all(item["id"] != document.id for item in data["similar"])
    assert data["links"]["original"] == f"/documents/{document.id}/original"
    assert data["file"]["filename"] == document.filename


def test_api_browse_and_status(client: FlaskClient) -> None:
    projects = get_json(client, "/api/browse/projects")
    assert all({"name", "count", "span", "url"} <= set(p) for p in projects)
    places = get_json(client, "/api/browse/places")
    assert places["cities"] and all(c["url"].startswith("/search?city=") for c in places["cities"])
    timeline = get_json(client, "/api/browse/timeline")["years"]
    assert all(len(y["year"]) == 4 and y["count"] == sum(m["count"] for m in y["months"]) for y in timeline)
    assert isinstance(get_json(client, "/api/browse/topics"), list)
    status = get_json(client, "/api/status")
    assert status["documents"] > 0 and "index" in status and "failures" in status


def test_openapi_document_describes_the_api(client: FlaskClient) -> None:
    spec = get_json(client, "/api/openapi.json")
    assert spec["openapi"].startswith("3.")
    assert {"/api/search", "/api/documents/{id}", "/api/status"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "city", "district", "project", "type", "topic", "from", "to", "sort", "page", "page_size"} <= names
    page_size = next(
        p for p in spec["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "page_size"
    )
    assert page_size["schema"]["maximum"] == MAX_PAGE_SIZE
    # every $ref resolves
    text = str(spec)
    for ref in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert ref in spec["components"]["schemas"], ref


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/search?page=abc", "page"),
        ("/api/search?page=0", "page"),
        ("/api/search?page=-1", "page"),
        ("/api/search?page=²", "page"),
        ("/api/search?page=" + "9" * 5000, "page"),
        (f"/api/search?page_size={MAX_PAGE_SIZE + 1}", "page_size"),
        ("/api/search?page_size=10000", "page_size"),
        ("/api/search?from=banana", "from"),
        ("/api/search?to=2024-02-30", "to"),
        ("/api/search?decision_from=2024-13", "decision_from"),
        ("/api/search?sort=random", "sort"),
        ("/api/search?q=" + "a" * 1001, "q"),
        ("/search.json?page_size=0", "page_size"),
    ],
)
def test_bad_parameters_are_json_400(client: FlaskClient, url: str, parameter: str) -> None:
    data = get_json(client, url, 400)
    assert set(data) == {"error"}
    assert data["error"].startswith(parameter + ":")


def test_the_largest_page_size_is_accepted(client: FlaskClient) -> None:
    assert get_json(client, f"/api/search?page_size={MAX_PAGE_SIZE}")["page_size"] == MAX_PAGE_SIZE


def test_month_and_year_dates_are_accepted(client: FlaskClient) -> None:
    data = get_json(client, "/api/search?decision_from=2004&decision_to=2004-12")
    assert data["query"]["decision_from"] == "2004-01-01"
    assert data["query"]["decision_to"] == "2004-12-31"


def test_unknown_api_paths_and_documents_are_json_404(client: FlaskClient) -> None:
    for url in ("/api/nothing", "/api/documents/0000000000000000", "/api/documents/..%2f..%2fetc"):
        data = get_json(client, url, 404)
        assert set(data) == {"error"}


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_and_head_are_allowed(client: FlaskClient, method: str) -> None:
    response = client.open("/api/search", method=method)
    assert response.status_code == 405
    assert response.get_json() == {"error": response.get_json()["error"]}
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
    page = client.open("/search", method=method)
    assert page.status_code == 405 and "text/html" in page.content_type
    assert client.head("/api/search").status_code == 200


def test_an_internal_error_is_json_500_without_a_traceback(
    corpus_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken:
        def search(self, query: object) -> None:
            raise RuntimeError("secret internals")

    monkeypatch.setattr(ArchiveAccess, "searcher", property(lambda self: Broken()))
    client = create_app({"ARKIV_HOME": str(corpus_home)}).test_client()
    response = client.get("/api/search")
    assert response.status_code == 500
    assert response.content_type == "application/json"
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    page = client.get("/search")
    assert page.status_code == 500 and "text/html" in page.content_type
    assert "secret" not in page.get_data(as_text=True)


# -- exports -----------------------------------------------------------------------------


def test_csv_export_has_a_bom_and_every_matching_document(client: FlaskClient) -> None:
    total = get_json(client, "/api/search?q=stockholm")["total"]
    response = client.get("/search.csv?q=stockholm&page=3&page_size=1&lang=en")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == total  # paging ignored: the whole result set
    assert list(rows[0]) == [
        "kind", *DOCUMENT_FIELDS, "arende", "arende_heading", "arende_dnr", "arende_decision",
        "arende_status", "snippet", "url",
    ]
    assert len({(r["id"], r["arende"]) for r in rows}) == total
    for row in rows:
        if row["kind"] == "document":
            assert row["url"].endswith(f"/documents/{row['id']}")
        else:
            assert f"/documents/{row['id']}/arenden/" in row["url"]


def test_csv_export_in_the_swedish_ui_opens_in_columns_in_swedish_excel(
    client: FlaskClient,
) -> None:
    body = client.get("/search.csv?q=stockholm").data  # Swedish: the UI's default
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads å ä ö
    text = body.decode("utf-8-sig")
    header = text.splitlines()[0].split(";")  # Swedish Excel splits on ";"
    assert header[:3] == ["Träff", "Id", "Titel"]
    assert {"Beslutsdatum", "Diarienummer", "Nämnd", "Utdrag", "Länk"} <= set(header)
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == get_json(client, "/api/search?q=stockholm")["total"]
    documents = [row for row in rows if row["Träff"] == "document"]
    assert documents and all(row["Utdrag"] for row in documents)  # a snippet for documents
    english = client.get("/search.csv?q=stockholm&lang=en").data.decode("utf-8-sig")
    assert english.splitlines()[0].split(",")[:3] == ["kind", "id", "title"]
    assert "snippet" in english.splitlines()[0].split(",")


def test_xlsx_export_has_swedish_headings_real_dates_and_the_csvs_rows(
    client: FlaskClient,
) -> None:
    from datetime import date, datetime

    from openpyxl import load_workbook

    response = client.get("/search.xlsx?q=stockholm")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "arkiv-sokning.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, rows = table[0], table[1:]
    csv_text = client.get("/search.csv?q=stockholm").data.decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(csv_text), delimiter=";"))
    assert header == csv_rows[0] and "Beslutsdatum" in header
    assert len(rows) == len(csv_rows) - 1
    dates = [row[header.index("Beslutsdatum")] for row in rows]
    assert any(dates) and all(isinstance(d, datetime | date) for d in dates if d)
    ids = header.index("Id")
    assert [row[ids] for row in rows] == [row[ids] for row in csv_rows[1:]]
    assert "/search.xlsx?q=stockholm" in client.get("/search?q=stockholm").get_data(as_text=True)


def test_csv_export_joins_lists_and_keeps_swedish_letters(client: FlaskClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/search.csv?lang=en").data.decode("utf-8-sig"))))
    data = get_json(client, f"/api/search?page_size={MAX_PAGE_SIZE}")
    by_id = {h["id"]: h for h in data["hits"]}
    for row in rows:
        hit = by_id.get(row["id"])
        if hit is None:
            continue
        assert row["projects"] == "; ".join(hit["projects"])
        assert row["title"].lstrip("'") == (hit["title"] or "")


def test_csv_export_is_capped(backend: str, corpus_home: Path) -> None:
    app = app_on(backend, corpus_home)
    app.config["EXPORT_LIMIT"] = 2
    client = app.test_client()
    rows = list(csv.reader(io.StringIO(client.get("/search.csv?lang=en").data.decode("utf-8-sig"))))
    assert len(rows) == 1 + 2
    exported = client.get("/search.json").get_json()
    assert exported["exported"] == 2 and exported["truncated"] is True


def test_json_export(client: FlaskClient) -> None:
    data = get_json(client, "/search.json?q=stockholm")
    assert data["total"] == get_json(client, "/api/search?q=stockholm")["total"]
    assert data["exported"] == len(data["documents"]) == data["total"]
    assert data["truncated"] is False
    assert data["query"] == {"q": "stockholm"}
    assert all(set(DOCUMENT_FIELDS) <= set(d) for d in data["documents"])


@pytest.mark.parametrize("matches_seen", [1, 2, None])
def test_atom_feed_looks_at_the_same_arrivals_both_ways(
    backend: str, corpus_home: Path, monkeypatch: pytest.MonkeyPatch, matches_seen: int | None
) -> None:
    # A feed looks at the EXPORT_LIMIT documents received last, whichever way it finds them.
    app = app_on(backend, corpus_home)
    client = app.test_client()
    with Catalog(corpus_home, readonly=True) as catalog:
        received = [row[0] for row in catalog.db.execute(
            "SELECT id FROM documents WHERE superseded_by IS NULL AND duplicate_of IS NULL "
            "ORDER BY rowid DESC")]
    matching = {hit["id"] for hit in get_json(
        client, "/api/search?q=stockholm&page_size=100")["hits"]}
    places = [n for n, doc_id in enumerate(received) if doc_id in matching]
    assert len(places) >= 3
    # A window ending just after the first (second) matching arrival, or all of them.
    scan = places[matches_seen - 1] + 1 if matches_seen else 10_000

    def feed_ids(direct: int) -> list[str]:
        monkeypatch.setattr(alerts, "ARRIVALS_DIRECT", direct)
        app.config["EXPORT_LIMIT"] = scan
        feed = ET.fromstring(client.get("/search.atom?q=stockholm").data)
        return [(e.findtext(f"{ATOM}id") or "").split("/documents/")[1].split("/")[0]
                for e in feed.findall(f"{ATOM}entry")]

    expected = [received[n] for n in places if n < scan]
    assert feed_ids(alerts.ARRIVALS_DIRECT) == expected
    assert feed_ids(0) == expected


@pytest.mark.parametrize("direct", [alerts.ARRIVALS_DIRECT, 0], ids=["matches-first", "batches"])
def test_atom_feed_is_valid_atom_last_received_first(
    client: FlaskClient, corpus_home: Path, monkeypatch: pytest.MonkeyPatch, direct: int
) -> None:
    # Both ways of finding what was received last give the same feed.
    monkeypatch.setattr(alerts, "ARRIVALS_DIRECT", direct)
    response = client.get("/search.atom?q=stockholm")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("href", "").startswith("http://localhost/search.atom?q=")
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        assert entry.findtext(f"{ATOM}title")
        updated = entry.findtext(f"{ATOM}updated") or ""
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", updated)
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
    # Ordered and dated by when Arkiv received each document, not by its decision date.
    with Catalog(corpus_home, readonly=True) as catalog:
        received = {doc_id: (row, stamp) for doc_id, row, stamp in catalog.db.execute(
            "SELECT id, rowid, ingested_at FROM documents")}
    ids = [(e.findtext(f"{ATOM}id") or "").split("/documents/")[1].split("/")[0]
           for e in entries]
    rows = [received[doc_id][0] for doc_id in ids]
    assert rows == sorted(rows, reverse=True)
    matching = {hit["id"] for hit in get_json(
        client, "/api/search?q=stockholm&page_size=100")["hits"]}
    assert ids[0] == max(matching, key=lambda doc_id: received[doc_id][0])
    for entry, doc_id in zip(entries, ids, strict=True):
        assert entry.findtext(f"{ATOM}updated") == received[doc_id][1][:19] + "Z"
    newest = get_json(client, "/api/search?q=stockholm&sort=newest&page_size=50")["hits"]
    assert ids != [hit["id"] for hit in newest]  # the decision-date order differs here
    assert feed.findtext(f"{ATOM}updated") == max(e.findtext(f"{ATOM}updated") for e in entries)
    # Each entry has text: a snippet of the document.
    summaries = [entry.findtext(f"{ATOM}summary") or "" for entry in entries]
    assert all(summaries) and sum("stockholm" in t.casefold() for t in summaries) > len(entries) / 2
