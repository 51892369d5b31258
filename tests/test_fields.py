"""One table of search fields (archive.fields): a field added to it is a filter everywhere.

The fixture registers a made-up field at run time — "tema", a second filter over the
index's topics with a document column of its own — and the tests find it in the search
box's syntax, the URL state, the CLI's options, the OpenAPI document and the exports,
each filtering the way the built-in ``topic`` filter does.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from archive import fields
from archive.engine import backend_for
from archive.query import Query
from archive.querysyntax import parse
from arkiv.cli import cli
from web.state import active_filters, parse_query, query_args

THEME = fields.Field(
    "theme", param="theme", option="--theme", prefixes=("tema", "theme"), index="topics",
    column="theme", label="Tema", column_label="Tema",
    help="A made-up field: the document's topics, under another name.",
)


@pytest.fixture
def client(corpus_app: Flask) -> FlaskClient:
    return corpus_app.test_client()


@pytest.fixture
def theme() -> Iterator[fields.Field]:
    fields.register(THEME)
    try:
        yield THEME
    finally:
        fields.unregister(THEME.name)


@pytest.fixture(scope="module")
def topic(corpus_home: Path) -> str:
    """A topic some documents of the corpus have and others do not."""
    backend = backend_for(corpus_home)
    total = backend.search(Query(page_size=1)).total
    values = [v for v in backend.facet_values("topic") if 0 < v.count < total]
    assert values, "the corpus has no topic that splits it"
    return values[0].value


def test_a_registered_field_is_read_by_the_search_syntax(theme: fields.Field) -> None:
    assert parse('hemlöshet tema:"Bostad och boende"').filters == {"theme": ["Bostad och boende"]}
    assert parse("theme:EU").filters == {"theme": ["EU"]}
    assert parse("-tema:EU").filters == {}  # excluded: a Filter node, not a chosen value


def test_a_registered_field_is_url_state(corpus_app: Flask, theme: fields.Field) -> None:
    with corpus_app.test_request_context("/search?q=x&theme=A&theme=B&city=Lund"):
        from flask import request

        query = parse_query(request.args)
        assert query.theme == ["A", "B"] and query.values("theme") == ["A", "B"]
        assert query_args(query) == [("q", "x"), ("city", "Lund"), ("theme", "A"), ("theme", "B")]
        chips = active_filters(query)
    assert ("theme", "A", "/search?q=x&city=Lund&theme=B") in chips


def test_a_registered_field_filters_the_api_like_the_field_it_copies(
    client: FlaskClient, theme: fields.Field, topic: str
) -> None:
    everything = client.get("/api/search").get_json()["total"]
    by_topic = client.get("/api/search", query_string={"topic": topic}).get_json()
    by_theme = client.get("/api/search", query_string={"theme": topic}).get_json()
    assert 0 < by_theme["total"] == by_topic["total"] < everything
    assert by_theme["query"]["theme"] == [topic]
    assert [h["id"] for h in by_theme["hits"]] == [h["id"] for h in by_topic["hits"]]


def test_a_registered_field_is_in_the_openapi_document(
    client: FlaskClient, theme: fields.Field
) -> None:
    spec = client.get("/api/openapi.json").get_json()
    for path in ("/api/search", "/search.csv"):
        parameters = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        assert parameters["theme"]["schema"]["items"]["type"] == "string"
        assert "made-up" in parameters["theme"]["description"]


def test_a_registered_field_is_a_column_of_the_exports(
    client: FlaskClient, theme: fields.Field, topic: str
) -> None:
    swedish = client.get("/search.csv", query_string={"theme": topic, "lang": "sv"})
    rows = list(csv.reader(io.StringIO(swedish.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert "Tema" in rows[0]
    assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)
    english = client.get("/search.csv", query_string={"theme": topic, "lang": "en"})
    assert "theme" in next(csv.reader(io.StringIO(english.get_data(as_text=True).lstrip("\ufeff"))))


def test_a_registered_field_is_an_option_of_arkiv_search(
    corpus_home: Path, theme: fields.Field, topic: str
) -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["search", "--help"])
    assert "--theme" in shown.output and "made-up" in shown.output

    def total(*args: str) -> int:
        result = runner.invoke(cli, ["--home", str(corpus_home), "search", "--json", *args])
        assert result.exit_code == 0, result.output
        return int(json.loads(result.stdout)["total"])

    assert 0 < total("--theme", topic) == total("--topic", topic) < total()


def test_every_label_of_the_table_has_an_english_translation() -> None:
    english = json.loads((Path(__file__).resolve().parents[1] / "web" / "translations"
                          / "en.json").read_text(encoding="utf-8"))
    labels = {label for spec in fields.all_fields()
              for label in (spec.label, spec.column_label, *spec.bound_labels) if label}
    assert labels and not sorted(labels - set(english))


def test_the_table_names_each_parameter_option_and_prefix_once() -> None:
    params = [p for spec in fields.all_fields() for p in spec.params]
    options = [o for spec in fields.all_fields() for o in spec.options]
    prefixes = [p.casefold() for spec in fields.all_fields() for p in spec.prefixes]
    for names in (params, options, prefixes):
        assert len(names) == len(set(names)), names
    reserved = {"q", "sort", "page", "page_size", "lang", "fields"}
    assert not reserved & set(params)
