"""Projects found with strong cues are searchable at once, as suggestions, one name each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import require_shared

from archive.engine import search
from archive.query import Query
from indexer.metadata import extract_metadata
from indexer.metadata.projects import normalise_project_name, project_key
from indexer.metadata.registry import Registry
from indexer.pipeline import index_paths, process_file


@pytest.fixture(scope="module")
def seeds_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five seeds ingested with no project registry at all."""
    home = tmp_path_factory.mktemp("no-registry") / "arkiv"
    report = index_paths(home, [require_shared("seeds")], registry_dir=None)
    assert report.counts["new"] == 5, report.failures
    return home


@pytest.mark.parametrize("project", ["ResursUtbyte", "MAGIC", "FUEL"])
def test_seed_projects_are_searchable_without_a_registry(seeds_home: Path, project: str) -> None:
    results = search(seeds_home, Query(project=[project]))
    assert results.total >= 1
    for hit in results.hits:
        assert project in hit.document["projects"]


def test_a_suggested_project_is_marked_until_staff_confirm_it(tmp_path: Path) -> None:
    text = "Nämnden ansöker om medel för projektet Vägen in, som ska ge unga vuxna arbete."
    unconfirmed = extract_metadata(text, registry=Registry.load(tmp_path))
    assert unconfirmed["projects"] == ["Vägen in"]
    assert unconfirmed["projects_suggested"] == ["Vägen in"]
    (tmp_path / "projects.toml").write_text('[[project]]\nname = "Vägen in"\n', encoding="utf-8")
    confirmed = extract_metadata(text, registry=Registry.load(tmp_path))
    assert confirmed["projects"] == ["Vägen in"] and confirmed["projects_suggested"] == []


def test_a_rejected_name_is_no_project(tmp_path: Path) -> None:
    (tmp_path / "projects.toml").write_text('rejected = ["Vägen In"]\n', encoding="utf-8")
    metadata = extract_metadata("Medel söks för projektet Vägen in, som startar i maj.", registry=Registry.load(tmp_path))
    assert metadata["projects"] == [] and metadata["project_candidates"] == []


def test_a_name_only_mentioned_by_a_weak_cue_is_a_candidate_not_a_project(tmp_path: Path) -> None:
    text = "Arbetet pågår under arbetsnamnet ”Accessible Cities” sedan våren."
    metadata = extract_metadata(text, registry=Registry.load(tmp_path))
    assert metadata["project_candidates"] == ["Accessible Cities"]
    assert metadata["projects"] == []


@pytest.mark.parametrize(
    "spelling",
    ["Cities´Strategies Against Homelessness", "Cities’ Strategies Against Homelessness",
     "Cities'  Strategies Against Homelessness", "cities' strategies against homelessness"],
)
def test_one_project_one_name(spelling: str) -> None:
    assert project_key(spelling) == "cities' strategies against homelessness"
    if spelling[0].isupper():
        assert normalise_project_name(spelling) == "Cities' Strategies Against Homelessness"


def test_the_two_renderings_of_the_report_name_the_same_projects() -> None:
    """The raw PDF text writes "Cities´Strategies", the clean rendering "Cities’ Strategies"."""
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    found = [
        process_file((str(path), path.name))["metadata"]["projects"]
        for path in sorted(corpus.glob("stockholm-europaforum-*.txt"))
    ]
    assert found[0] == found[1]
    assert sum("Strategies" in name for name in found[0]) == 1


def test_a_label_run_into_a_name_is_cut_off(tmp_path: Path) -> None:
    text = "6. Ansökan om medel för projektet Vägen in\nDnr SN 2024/17\n"
    assert extract_metadata(text, registry=Registry.load(tmp_path))["projects"] == ["Vägen in"]


def test_the_web_marks_a_suggested_project(seeds_home: Path) -> None:
    from web import create_app

    client = create_app({"ARKIV_HOME": str(seeds_home), "TESTING": True}).test_client()
    page = client.get("/search?project=ResursUtbyte").get_data(as_text=True)
    assert "ResursUtbyte (föreslaget)" in page
    hit = search(seeds_home, Query(project=["ResursUtbyte"])).hits[0]
    document = client.get(f"/documents/{hit.id}").get_data(as_text=True)
    assert "ResursUtbyte (föreslaget)" in document
    english = client.get(f"/documents/{hit.id}?lang=en").get_data(as_text=True)
    assert "ResursUtbyte (suggested)" in english


def test_arkiv_search_project_finds_a_seed_project_without_a_registry(seeds_home: Path) -> None:
    from test_cli import arkiv

    result = arkiv(seeds_home, "search", "--project", "ResursUtbyte", "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["total"] >= 1
    assert all("ResursUtbyte" in hit["projects"] for hit in found["hits"])
