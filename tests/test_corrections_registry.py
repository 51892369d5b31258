"""The registries edited in the browser: projects and topics change in the registry
folder (comments kept), every change is in the audit log, a confirmed candidate becomes a
project extraction then finds everywhere, after re-extraction."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from conftest import CORPUS, HTTPS, csrf_token, post
from test_auth import PASSWORDS, log_in

from archive import corrections, registry_edit
from archive.accounts import Accounts
from archive.catalog import Catalog
from indexer.pipeline import index_paths, reindex
from web import create_app

NEWS = ("Nyhetsbrev\n\nUnder arbetsnamnet ”Öppna Dörrar” planeras läxhjälp i Nolby. "
        "Läxhjälpen Öppna Dörrar startar i augusti.\n")
OTHER = "Skolnytt\n\nÖppna Dörrar har nu fyrtio elever.\n"


@pytest.fixture
def setup(home: Path, tmp_path: Path):
    registry = tmp_path / "register"
    registry.mkdir()
    shutil.copy(CORPUS / "projects.toml", registry)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "nyhetsbrev.txt").write_text(NEWS, encoding="utf-8")
    (folder / "skolnytt.txt").write_text(OTHER, encoding="utf-8")
    index_paths(home, [folder], registry_dir=registry, workers=1)
    with Catalog(home) as catalog:
        Accounts(catalog.db).add_user("stina", "staff", PASSWORDS["stina"])
        news = catalog.get_by_path(str((folder / "nyhetsbrev.txt").resolve()))
        other = catalog.get_by_path(str((folder / "skolnytt.txt").resolve()))
    app = create_app({"ARKIV_HOME": str(home), "ARKIV_REGISTRY": str(registry)})
    client = app.test_client()
    log_in(client, "stina")
    return home, registry, client, news, other


def _projects(registry: Path) -> dict[str, dict]:
    with (registry / "projects.toml").open("rb") as handle:
        return {p["name"]: p for p in tomllib.load(handle)["project"]}


def test_projects_and_topics_are_edited_in_the_browser(setup) -> None:
    home, registry, client, _news, _other = setup
    page = client.get("/register", base_url=HTTPS).get_data(as_text=True)
    assert 'data-entry="ResursUtbyte"' in page and 'data-entry="hemlöshet"' in page
    token = csrf_token(client, "/register")
    post(client, "/register/projects", data={
        "name": "Nolbyvägen", "kind": "project", "aliases": "Nolby väg\nNV-projektet",
        "description": "Ombyggnad av Nolbyvägen.", "csrf_token": token})
    post(client, "/register/projects", data={
        "original": "MUST", "name": "MUST", "kind": "network", "aliases": "Mutual Study Visits",
        "csrf_token": token})
    post(client, "/register/topics", data={
        "original": "hemlöshet", "name": "hemlöshet", "sv": "*hemlös\nbostadslös\nnatthärbärge",
        "en": "homeless", "csrf_token": token})
    projects = _projects(registry)
    assert projects["Nolbyvägen"]["aliases"] == ["Nolby väg", "NV-projektet"]
    assert projects["MUST"]["kind"] == "network"
    assert (registry / "projects.toml").read_text(encoding="utf-8").startswith(
        "# Project registry — staff edit this file.")  # the staff's comments are kept
    topics = tomllib.loads((registry / "topics.toml").read_text(encoding="utf-8"))["topic"]
    packaged = tomllib.loads((registry_edit.PACKAGED / "topics.toml").read_text(encoding="utf-8"))
    # started from the packaged vocabulary: one topic changed, the others kept
    assert [t["name"] for t in topics] == [t["name"] for t in packaged["topic"]]
    assert next(t for t in topics if t["name"] == "hemlöshet")["sv"][-1] == "natthärbärge"

    response = post(client, "/register/projects", data={
        "name": "ResursUtbyte", "kind": "project", "csrf_token": token})
    assert response.status_code == 303
    assert "ResursUtbyte finns redan i registret" in client.get(
        "/register", base_url=HTTPS).get_data(as_text=True)
    post(client, "/register/projects", data={
        "original": "Nolbyvägen", "action": "remove", "csrf_token": token})
    assert "Nolbyvägen" not in _projects(registry)

    with Catalog(home, readonly=True) as catalog:
        log = [(e.action, e.field) for e in corrections.audit_log(catalog)]
    assert log[:4] == [("registry-projects", "Nolbyvägen"), ("registry-topics", "hemlöshet"),
                       ("registry-projects", "MUST"), ("registry-projects", "Nolbyvägen")]


def test_a_confirmed_candidate_is_found_everywhere_after_reextraction(setup) -> None:
    home, registry, client, news, other = setup
    page = f"/documents/{news.id}"
    post(client, f"{page}/projektkandidater", data={
        "name": "Öppna Dörrar", "decision": "confirmed", "csrf_token": csrf_token(client, page)})
    assert _projects(registry)["Öppna Dörrar"]["kind"] == "project"
    with Catalog(home, readonly=True) as catalog:
        assert catalog.get(other.id).get("projects") == []  # not yet: extraction applies it
    reindex(home, reextract=True, registry_dir=registry, workers=1)
    with Catalog(home, readonly=True) as catalog:
        assert catalog.get(other.id).get("projects") == ["Öppna Dörrar"]
        assert catalog.get(news.id).get("projects") == ["Öppna Dörrar"]


def test_merging_a_candidate_needs_a_registered_project(setup) -> None:
    _home, registry, client, news, _other = setup
    page = f"/documents/{news.id}"
    post(client, f"{page}/projektkandidater", data={
        "name": "Öppna Dörrar", "decision": "merged", "target": "Inget sådant",
        "csrf_token": csrf_token(client, page)})
    assert "Inget sådant finns inte i registret" in client.get(page, base_url=HTTPS).get_data(
        as_text=True)
    post(client, f"{page}/projektkandidater", data={
        "name": "Öppna Dörrar", "decision": "merged", "target": "MUST",
        "csrf_token": csrf_token(client, page)})
    assert "Öppna Dörrar" in _projects(registry)["MUST"]["aliases"]


def test_bad_entries_are_refused(tmp_path: Path) -> None:
    with pytest.raises(registry_edit.RegistryError, match="needs a name"):
        registry_edit.save_entry(tmp_path, "projects", {"name": " "})
    with pytest.raises(registry_edit.RegistryError, match="kind must be"):
        registry_edit.save_entry(tmp_path, "projects", {"name": "X", "kind": "kung"})
    with pytest.raises(registry_edit.RegistryError, match="Swedish cue"):
        registry_edit.save_entry(tmp_path, "topics", {"name": "X", "en": "x"})
    assert not (tmp_path / "projects.toml").exists()
