"""One document JSON: ``arkiv show --json``, ``/api/documents/<id>`` and search hits agree
on every field they share, renderings and versions included; the public sees file names
(DESIGN.md) and no access classes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import CORPUS
from flask import Flask

from archive.accounts import Accounts
from archive.catalog import Catalog
from archive.models import public_path
from arkiv.cli import cli
from web import create_app

PROTOKOLL = "lerum-byggnadsnamnden-protokoll-2024-04-18"
FIRST = "Rapport om vinterväghållning\n\nTekniska nämnden redovisar snöröjningen 2023.\n"
SECOND = FIRST + "\nTillägg: sandningen av gång- och cykelvägar i Floda.\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The protokoll as PDF and text (two renderings), and a report in two versions."""
    from indexer.pipeline import index_paths

    root = tmp_path_factory.mktemp("document-json")
    home, report = root / "arkiv", root / "in" / "rapport-vinter.txt"
    report.parent.mkdir()
    report.write_text(FIRST, "utf-8")
    paths = [CORPUS / f"{PROTOKOLL}.pdf", CORPUS / f"{PROTOKOLL}.txt", report]
    assert not index_paths(home, paths, registry_dir=CORPUS).failures
    report.write_text(SECOND, "utf-8")
    assert not index_paths(home, [report], registry_dir=CORPUS).failures
    with Catalog(home) as catalog:
        token = Accounts(catalog.db).add_token("skript", "staff")
        current = catalog.get_by_path(str(report.resolve()))
        protokoll = catalog.get_by_path(str((CORPUS / f"{PROTOKOLL}.pdf").resolve()))  # shown
        assert current is not None and protokoll is not None
        ids = {"report": current.id, "protokoll": protokoll.id}
    return {"home": home, "token": token, **ids}


@pytest.fixture(scope="module")
def app(built: dict[str, Any]) -> Flask:
    return create_app({"ARKIV_HOME": str(built["home"])})


def shown(built: dict[str, Any], doc_id: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["--home", str(built["home"]), "show", doc_id, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def api(app: Flask, url: str, token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = app.test_client().get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize("which", ["report", "protokoll"])
def test_the_cli_and_the_api_say_the_same_of_a_document(
    app: Flask, built: dict[str, Any], which: str
) -> None:
    doc_id = built[which]
    cli_json = shown(built, doc_id)
    staff = api(app, f"/api/documents/{doc_id}", built["token"])
    public = api(app, f"/api/documents/{doc_id}")
    assert {"renderings", "versions", "access", "file", "text", "superseded_by"} <= set(cli_json)
    for name, value in cli_json.items():
        assert staff[name] == value, name
        if name == "path":
            assert public[name] == public_path(value) != value
        elif name not in ("access", "access_reason"):
            assert public[name] == value, name
    assert "access" not in public and "access_reason" not in public


def test_renderings_and_versions_have_one_shape(app: Flask, built: dict[str, Any]) -> None:
    protokoll = shown(built, built["protokoll"])
    assert len(protokoll["renderings"]) == 1 and isinstance(protokoll["renderings"][0], str)
    assert protokoll["renderings"] != [built["protokoll"]]
    report = shown(built, built["report"])
    assert [(v["version"], v["current"]) for v in report["versions"]] == [(1, False), (2, True)]
    assert report["versions"][1]["id"] == built["report"]
    earlier = report["versions"][0]["id"]
    assert shown(built, earlier)["superseded_by"] == built["report"]
    assert api(app, f"/api/documents/{earlier}", built["token"])["versions"] == [
        {**v, "current": v["id"] == earlier} for v in report["versions"]]


def test_a_hit_says_what_the_document_says(app: Flask, built: dict[str, Any]) -> None:
    for token in (built["token"], None):
        hits = api(app, "/api/search?q=bygglov&kind=document&fields=arenden,renderings,path,"
                        "title,doc_type,committee,decision_date,projects,people", token)["hits"]
        hit = next(h for h in hits if h["id"] == built["protokoll"])
        document = api(app, f"/api/documents/{built['protokoll']}", token)
        assert hit["arenden"] and hit["renderings"]
        for name, value in hit.items():
            assert document[name] == value, name


def test_a_hit_asked_for_versions_and_renderings_gives_the_documents(
    app: Flask, built: dict[str, Any]
) -> None:
    wanted = "versions,renderings,path,title,document_date"
    for token in (built["token"], None):
        hits = api(app, f"/api/search?q=sandningen&fields={wanted}", token)["hits"]
        hit = next(h for h in hits if h["id"] == built["report"])
        document = api(app, f"/api/documents/{built['report']}", token)
        assert len(hit["versions"]) == 2
        assert {name: document[name] for name in hit} == hit
    result = CliRunner().invoke(cli, ["--home", str(built["home"]), "search", "sandningen",
                                      "--json", "--fields", wanted])
    assert result.exit_code == 0, result.output
    hit = next(h for h in json.loads(result.stdout)["hits"] if h["id"] == built["report"])
    document = shown(built, built["report"])
    assert {name: document[name] for name in hit} == hit
