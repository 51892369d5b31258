"""Safety of the web app: headers, read-only methods, no paths from requests, escaping.

The hostile archive holds one document whose title and text try to break out of HTML
text, HTML attributes, XML and CSV: ``<script>…`` and ``"><img src=x onerror=…>``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import HOSTILE_TITLE, HOSTILE_WORD
from flask import Flask
from flask.testing import FlaskClient

from web import create_app
from web.export import _cell

RAW_ATTACKS = ("<script>alert", "<img src=x", '"><img', "onerror=alert(1)>")


@pytest.fixture(scope="module")
def app(hostile_home: Path) -> Flask:
    return create_app({"ARKIV_HOME": str(hostile_home)})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def hostile_id(client: FlaskClient) -> str:
    hits = client.get(f"/api/search?q={HOSTILE_WORD}").get_json()["hits"]
    assert len(hits) == 1
    return str(hits[0]["id"])


def assert_no_raw_attack(html: str) -> None:
    for attack in RAW_ATTACKS:
        assert attack not in html, attack


def test_security_headers_on_every_kind_of_response(client: FlaskClient, hostile_id: str) -> None:
    urls = [
        "/", "/search?q=x", f"/documents/{hostile_id}", f"/documents/{hostile_id}/original",
        "/api/search", "/api/openapi.json", "/search.csv", "/search.atom", "/browse",
        "/static/arkiv.css", "/static/arkiv.js", "/nowhere", "/api/nowhere", "/api/search?page=x",
    ]
    for url in urls:
        response = client.get(url)
        csp = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp, url
        assert "frame-ancestors 'none'" in csp, url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"], url
    assert client.post("/").headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script_or_style(client: FlaskClient, hostile_id: str) -> None:
    for url in ("/", f"/search?q={HOSTILE_WORD}", f"/documents/{hostile_id}", "/browse/timeline", "/om"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html, url
        assert " style=" not in html and " onclick=" not in html, url


def test_hostile_document_is_escaped_in_results(client: FlaskClient) -> None:
    html = client.get(f"/search?q={HOSTILE_WORD}").get_data(as_text=True)
    assert_no_raw_attack(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>" in html  # the engine's snippet marks survive, nothing else does


def test_hostile_document_is_escaped_on_its_page(client: FlaskClient, hostile_id: str) -> None:
    html = client.get(f"/documents/{hostile_id}?q={HOSTILE_WORD}").get_data(as_text=True)
    assert_no_raw_attack(html)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<mark>" in html


def test_hostile_query_is_escaped_everywhere_it_is_echoed(client: FlaskClient, hostile_id: str) -> None:
    attack = '"><img src=x onerror=alert(1)><script>alert(1)</script>'
    for url in ("/search", f"/documents/{hostile_id}"):
        for lang in ("sv", "en"):
            args = {"q": attack, "city": attack, "project": attack, "lang": lang}
            response = client.get(url, query_string=args)
            assert response.status_code == 200, url
            assert_no_raw_attack(response.get_data(as_text=True))
    error = client.get("/search", query_string={"from": attack}).get_data(as_text=True)
    assert_no_raw_attack(error)


def test_hostile_values_in_browse_and_facets_are_escaped(client: FlaskClient) -> None:
    for url in ("/", "/browse/projects", "/browse/places", "/browse/topics", "/browse/timeline"):
        assert_no_raw_attack(client.get(url).get_data(as_text=True))


def test_hostile_document_in_json_round_trips_exactly(client: FlaskClient, hostile_id: str) -> None:
    response = client.get(f"/api/documents/{hostile_id}")
    assert response.content_type == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    data = json.loads(response.data)
    assert HOSTILE_TITLE in data["text"]
    hit = client.get(f"/api/search?q={HOSTILE_WORD}").get_json()["hits"][0]
    for snippet in hit["snippets"]:
        assert_no_raw_attack(snippet["html"])


def test_hostile_document_in_atom_is_xml_escaped(client: FlaskClient) -> None:
    body = client.get(f"/search.atom?q={HOSTILE_WORD}").data
    assert b"<script>" not in body and b"<img" not in body
    feed = ET.fromstring(body)
    titles = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("<script>" in t for t in titles)  # the parsed text is the real title


def test_hostile_document_in_csv_is_data(client: FlaskClient) -> None:
    text = client.get(f"/search.csv?q={HOSTILE_WORD}&lang=en").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    assert "&lt;" not in text  # CSV is data: values as they are, quoted by the csv module


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x"])
def test_csv_cells_never_start_a_formula(value: str) -> None:
    assert _cell(value).startswith("'")
    assert _cell(["a", "b"]) == "a; b"
    assert _cell(None) == ""


def test_no_request_path_reaches_the_filesystem(client: FlaskClient, hostile_home: Path) -> None:
    secret = hostile_home / "catalog.sqlite3"
    assert secret.exists()
    for url in (
        "/documents/../catalog.sqlite3/original",
        "/documents/..%2Fcatalog.sqlite3/original",
        "/documents/%2e%2e%2fcatalog.sqlite3/original",
        "/static/../catalog.sqlite3",
        "/static/..%2f..%2fcatalog.sqlite3",
        f"/documents/{'a' * 64}/original",
        "/documents/0123456789ABCDEF/original",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"SQLite format" not in response.data


def test_methods_other_than_get_and_head_are_refused_everywhere(client: FlaskClient, hostile_id: str) -> None:
    for url in ("/", "/search", f"/documents/{hostile_id}", f"/documents/{hostile_id}/original", "/api/search"):
        for method in ("POST", "PUT", "DELETE"):
            assert client.open(url, method=method).status_code == 405, (method, url)
