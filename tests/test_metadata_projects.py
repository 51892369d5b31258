"""Projects: registry matches (corpus/projects.toml) and discovery of new names."""

from __future__ import annotations

import pytest
from conftest import CORPUS, require_shared

from indexer.metadata.projects import discover_project_candidates
from indexer.metadata.registry import Registry

# (text, registry projects)
REGISTRY_CASES: list[tuple[str, list[str]]] = [
    ("Under sommaren har ESF-rådet beviljat förlängning av projektet ResursUtbyte.", ["ResursUtbyte"]),
    ("RESURSUTBYTE\nResursUtbytes deltagare", ["ResursUtbyte"]),
    (
        "I augusti godkände socialtjänstnämnden Equal-ansökan MAGIC (Meeting and Areas; Groups, "
        "Individuals, Community). Magic har till syfte",
        ["Equal", "MAGIC"],
    ),
    ("Projektet har utgångspunkterna forskning, utveckling, erfarenhet och lärande (FUEL).", ["FUEL"]),
    ("Projektet har utgångspunkterna forskning, utveckling,\nerfarenhet och lärande.", ["FUEL"]),
    ("medel för studiebesök till Bukarest enligt modellen MUST (Mutual Study Visits).", ["MUST"]),
    ("Ett tillgängligt arbetsliv för alla (Alfa) har till syftet", ["Alfa"]),
    ("Inom ramen för Union of Baltic Cities (UBC) pågår en etableringsfas.", ["UBC"]),
    ("Wien har tagit initiativ till ett projekt om hemlöshet ”Cities´Strategies Against Homelessness”", ["Cities' Strategies Against Homelessness"]),
    ("EUROPAFORUM\n\nEuropaforum Stockholm ska till kommunstyrelsen lämna två rapporter", ["Europaforum"]),
    # Case matters for one-word names: the English verb is not the project.
    ("Applicants must apply before May. You MUSTn't.", []),
    ("alfa och omega", []),
]  # fmt: skip

# (text, discovered names not in the registry)
CANDIDATE_CASES: list[tuple[str, list[str]]] = [
    ("Uppföljning av projektet Bostad först 2023\nFöredragande: Johan Almqvist", ["Bostad först"]),
    ("ansöker om medel ur Europeiska socialfonden (ESF) för projektet Vägen in, som ska ge", ["Vägen in"]),
    ("Projektet Trygg i Skärholmen har under 2017–2019 prövat ett uppsökande arbetssätt", ["Trygg i Skärholmen"]),
    ("under arbetsnamnet ”Stadsdelslyftet” har en rapport utarbetats", ["Stadsdelslyftet"]),
    ("Projektet Lokal samverkan för unga (LSU) startade 2019.", ["Lokal samverkan för unga", "LSU"]),
    ("enligt modellen NOVA (Nordic Outreach Visits Abroad).", ["NOVA"]),
    ("Projektet Rosengårdsmodellen (RGM) har nått 200 familjer.", ["Rosengårdsmodellen", "RGM"]),
    # Organisations, bodies, methods, plans, parties and registry names are not candidates.
    ("Eurocities sociala och ekonomiska kommitté (ESWC)", []),
    ("aktiviteter inom den öppna samordningsmetoden (OMC)", []),
    ("de baltiska länderna ingår i Europeiska Unionen (EU)", []),
    ("The Council of the Baltic Sea States (CBSS) sekretariat", []),
    ("Stockholms stads forsknings- och utvecklingsplan (FoU-plan)", []),
    ("säger socialborgarrådet Anna König Jerlmyr (M).", []),
    ("utbildningar i ett processverktyg (Opera)", []),
    ("hämtade från Malmö, Göteborg, Helsingfors, Apeldoorn (Holland) och stadsdelar", []),
    ("förverkliga delar av projektet eftersom behovet kvarstår", []),
    ("om Inspektionen för vård och omsorg (IVO) bör få utökade möjligheter", []),
    ("inom ramen för Alliance of Champions (AoC) mot antimikrobiell resistens (AMR).", []),
    ("Under sommaren har kompetensfonden beviljat förlängning av projektet ResursUtbyte.", []),
    ("projektet Alfa har till syfte att utveckla praktiska metoder", []),
]  # fmt: skip


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(CORPUS)


@pytest.mark.parametrize(
    ("text", "expected"), REGISTRY_CASES, ids=[c[0][:30] for c in REGISTRY_CASES]
)
def test_registry_projects(registry: Registry, text: str, expected: list[str]) -> None:
    assert registry.project_index.find(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"), CANDIDATE_CASES, ids=[c[0][:30] for c in CANDIDATE_CASES]
)
def test_project_candidates(registry: Registry, text: str, expected: list[str]) -> None:
    assert discover_project_candidates(text, registry) == expected


def test_registry_kinds(registry: Registry) -> None:
    kinds = {p.name: p.kind for p in registry.projects}
    assert kinds["UBC"] == kinds["Eurocities"] == "network"
    assert kinds["Equal"] == "programme"
    assert kinds["Europaforum"] == "forum"
    assert {"ResursUtbyte", "MAGIC", "FUEL", "MUST", "Alfa"} <= {
        name for name, kind in kinds.items() if kind == "project"
    }


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        ("002", {"FUEL", "MAGIC", "ResursUtbyte", "Accessible Cities"}),
        ("001", {"FUEL", "MAGIC", "ResursUtbyte"}),  # raw PDF text: long forms wrap lines
        ("004", {"MUST"}),
    ],
)
def test_seed_projects_are_discovered_without_a_registry(seed: str, expected: set[str]) -> None:
    text = next(require_shared("seeds").glob(f"{seed}_*.txt")).read_text(encoding="utf-8")
    assert expected <= set(discover_project_candidates(text, Registry.load()))


def test_without_a_project_registry_there_are_no_projects() -> None:
    registry = Registry.load()
    assert registry.project_index.find("projektet ResursUtbyte") == []
    assert discover_project_candidates("projektet ResursUtbyte.", registry) == ["ResursUtbyte"]
