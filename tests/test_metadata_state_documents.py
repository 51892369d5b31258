"""People, city, committee and title on the documents the issue named: minutes with a
genitive and a table-run name, and what arrives from the state (propositions,
kommittédirektiv), read through the real pipeline."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import CORPUS, require_shared

from indexer.metadata import default_registry
from indexer.metadata.people import find_people
from indexer.pipeline import process_file

FERENDA = "testdata/swedish-gov/ferenda/repo"


def _metadata(path: Any) -> dict[str, Any]:
    return process_file((str(path), path.name))["metadata"]


def _names(metadata: dict[str, Any]) -> list[str]:
    return [person["name"] for person in metadata["people"]]


def test_a_genitive_is_the_same_person() -> None:
    """Lerum's protokoll: "Ingrid Sjöholm (V)" and "Ingrid Sjöholms (V) avslagsyrkande"."""
    people = _metadata(CORPUS / "lerum-byggnadsnamnden-protokoll-2024-04-18.txt")["people"]
    sjoholm = [p for p in people if p["name"].startswith("Ingrid Sjöholm")]
    assert [(p["name"], p["party"]) for p in sjoholm] == [("Ingrid Sjöholm", "V")]


def test_a_heading_run_into_a_name_is_not_part_of_it() -> None:
    """Sundbyberg's protokoll: "Sekreterare …… Sofia Grahn        Paragrafer §§ 21–28"."""
    names = _names(_metadata(CORPUS / "sundbyberg-socialnamnden-protokoll-2024-03-19.txt"))
    assert "Sofia Grahn" in names
    assert not [n for n in names if "Paragrafer" in n]


@pytest.mark.parametrize(
    "text",
    ["– Det är viktigt, säger Statsrådet Björklund.", "Statsrådet Björklund (FP) föredrar ärendet.",
     "Närvarande: Statsministern Reinfeldt, ordförande"],
)
def test_a_title_and_a_surname_are_no_name(text: str) -> None:
    assert find_people(text, default_registry()) == []


def test_a_role_before_a_full_name_is_the_role() -> None:
    people = find_people("säger socialborgarrådet Anna König Jerlmyr (M).", default_registry())
    assert [(p["name"], p["role"], p["party"]) for p in people] == [
        ("Anna König Jerlmyr", "socialborgarråd", "M")]


@pytest.mark.parametrize(
    ("relative", "title"),
    [
        ("propregeringen/source/f690153e.pdf", "Bättre genomförande av EG:s byggplatsdirektiv"),
        ("propregeringen/source/basic-4.pdf", "Vissa ändringar i lagen om elektronisk kommunikation"),
        ("propregeringen/source/basic-7.pdf", "Insatser för vissa nyanlända invandrares etablering m.m."),
        ("proppolo/downloaded/2012-13/187/58623a80.pdf", "Vissa skolfrågor"),
    ],
)
def test_a_proposition_is_national_and_has_its_real_title(relative: str, title: str) -> None:
    """No city Stockholm (where the government sits), no nämnd from a mention
    (Länsstyrelsen, Socialnämnden), no "Statsministern Reinfeldt" as a person."""
    metadata = _metadata(require_shared(f"{FERENDA}/{relative}"))
    assert metadata["doc_type"] == "proposition"
    assert metadata["title"] == title
    assert metadata["city"] is None and metadata["committee"] is None
    assert not [n for n in _names(metadata) if n.split()[0] in ("Statsministern", "Statsrådet")]


def test_two_kommittedirektiv_get_their_own_titles() -> None:
    """Both PDFs open with the series, "Kommittédirektiv": the title is the next line."""
    folder = require_shared(f"{FERENDA}/dirregeringen/downloaded")
    titles = {_metadata(path)["title"] for path in sorted(folder.rglob("*.pdf"))}
    assert titles == {"Dataskyddsförordningen",
                      "Tilläggsdirektiv till Forskningsdatautredningen (U 2016:04)"}


def test_a_municipal_document_keeps_its_city_and_committee() -> None:
    metadata = _metadata(CORPUS / "lerum-byggnadsnamnden-protokoll-2024-04-18.txt")
    assert (metadata["city"], metadata["committee"]) == ("Lerum", "Byggnadsnämnden")
