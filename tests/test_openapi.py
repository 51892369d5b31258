"""The OpenAPI document is complete and true: every API route and export is in it, and
schemathesis, asking the served app with examples generated from it, gets no 5xx and no
answer that contradicts it. Also the API's ``fields=`` and its CORS headers."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from werkzeug.serving import make_server

from archive.models import DOCUMENT_FIELDS
from web import create_app

#: Examples schemathesis generates per operation (bounded: the suite stays fast).
EXAMPLES = 20
EXPORTS = ("/search.csv", "/search.xlsx", "/search.json", "/search.atom")


@pytest.fixture(scope="module")
def app(corpus_home: Path) -> Flask:
    return create_app({"ARKIV_HOME": str(corpus_home), "EXPORT_LIMIT": 50})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def served(app: Flask) -> Iterator[str]:
    """The app served over HTTP on a free local port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def api_schema(served: str) -> schemathesis.schemas.BaseSchema:
    schema = schemathesis.openapi.from_url(served + "/api/openapi.json")
    # Requests the document allows; what the app does with others is tested elsewhere
    # (tests/test_reliability_queries.py).
    schema.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=EXAMPLES)
    return schema


def test_the_served_api_keeps_to_its_openapi_document(
    api_schema: schemathesis.schemas.BaseSchema,
) -> None:
    """Every operation, ``EXAMPLES`` generated requests each, every schemathesis check
    (no 5xx, the documented status codes, content types, headers and response schemas)."""
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    # Every path but the document itself (schemathesis leaves it out).
    assert len(operations) == len(api_schema.raw_schema["paths"]) - 1
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def keeps_to_it(case: schemathesis.Case) -> None:
            case.call_and_validate()

        try:
            keeps_to_it()
        except Exception as failure:  # noqa: BLE001 - every operation's failure is reported
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)


def _openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``/api/documents/<doc_id>`` → ``…/{id}``."""
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{id}" if m[1] == "doc_id" else f"{{{m[1]}}}",
                  rule)


def test_every_api_route_and_export_is_in_the_openapi_document(
    app: Flask, client: FlaskClient
) -> None:
    spec = client.get("/api/openapi.json").get_json()
    routes = {_openapi_path(r.rule) for r in app.url_map.iter_rules()
              if r.rule.startswith("/api/") or r.rule in EXPORTS}
    assert routes >= {"/api/documents/{id}/arenden/{key}", *EXPORTS}
    assert routes <= set(spec["paths"]), sorted(routes - set(spec["paths"]))
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            assert "200" in operation["responses"], path


def test_hits_carry_the_fields_asked_for_and_arenden_only_when_asked(
    client: FlaskClient,
) -> None:
    everything = client.get("/api/search?q=bygglov&page_size=5&kind=document").get_json()
    assert everything["hits"] and all("arenden" not in hit for hit in everything["hits"])
    assert all(set(DOCUMENT_FIELDS) <= set(hit) for hit in everything["hits"])
    size = len(json.dumps(everything["hits"]))
    with_arenden = client.get("/api/search?q=bygglov&page_size=5&kind=document&fields=arenden")
    assert any(hit.get("arenden") for hit in with_arenden.get_json()["hits"])
    chosen = client.get("/api/search?q=bygglov&page_size=5&kind=document&fields=title,url"
                        "&fields=doc_type").get_json()
    assert [set(hit) for hit in chosen["hits"]] == [{"id", "title", "url", "doc_type"}] * len(
        chosen["hits"])
    assert len(json.dumps(chosen["hits"])) * 3 < size
    assert "fields=doc_type%2Ctitle%2Curl" in chosen["links"]["self"]
    wrong = client.get("/api/search?q=bygglov&fields=title,nonsense")
    assert wrong.status_code == 400 and "nonsense" in wrong.get_json()["error"]


def test_the_public_read_only_api_may_be_read_by_any_site_without_credentials(
    client: FlaskClient,
) -> None:
    origin = {"Origin": "https://forskning.example"}
    for url in ("/api/search?q=bygglov", "/api/browse/timeline", "/api/openapi.json",
                "/api/documents/0000000000000000"):
        response = client.get(url, headers=origin)
        assert response.headers.get("Access-Control-Allow-Origin") == "*", url
        assert "Access-Control-Allow-Credentials" not in response.headers
    page = client.get("/search?q=bygglov", headers=origin)
    assert "Access-Control-Allow-Origin" not in page.headers
    refused = client.post("/api/search", headers=origin)
    assert refused.status_code == 405
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_arkiv_search_json_chooses_hit_fields_as_the_api_does(corpus_home: Path) -> None:
    from click.testing import CliRunner

    from arkiv.cli import cli

    def hits(*args: str) -> list[dict]:
        result = CliRunner().invoke(cli, ["--home", str(corpus_home), "search", "bygglov",
                                          "--kind", "document", "--json", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["hits"]

    assert hits() and all("arenden" not in hit for hit in hits())
    assert any(hit.get("arenden") for hit in hits("--fields", "arenden"))
    assert {frozenset(hit) for hit in hits("--fields", "title,doc_type")} == {
        frozenset({"id", "title", "doc_type"})}
    wrong = CliRunner().invoke(cli, ["--home", str(corpus_home), "search", "x", "--fields",
                                     "nonsense"])
    assert wrong.exit_code == 2 and "nonsense" in wrong.output
