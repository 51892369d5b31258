"""The five seed documents: what extract_metadata must find in each (the issue's list)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, require_shared

from archive.groups import merge_group
from indexer.metadata import extract_metadata
from indexer.metadata.duplicates import NEAR_DUPLICATE_THRESHOLD, signature, similarity
from indexer.metadata.registry import Registry

CONTRACT_FIELDS = {
    "title", "doc_type", "city", "cities_mentioned", "districts", "committee", "administration",
    "dnr", "document_date", "decision_date", "projects", "topics", "people",
}  # fmt: skip
EXTRA_FIELDS = {"dnr_verbatim", "dnrs", "paragraphs", "dates", "project_candidates", "projects_suggested",
                "topic_cues", "personnummer"}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(CORPUS)


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    folder = require_shared("seeds")
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(Path(folder).glob("*.txt"))}


@pytest.fixture(scope="module")
def extracted(seeds: dict[str, str], registry: Registry) -> dict[str, dict[str, Any]]:
    return {name: extract_metadata(text, registry=registry) for name, text in seeds.items()}


def test_exactly_the_contract_fields_and_extras(extracted: dict[str, dict[str, Any]]) -> None:
    for metadata in extracted.values():
        assert set(metadata) == CONTRACT_FIELDS | EXTRA_FIELDS
        for name in ("cities_mentioned", "districts", "projects", "topics", "people"):
            assert isinstance(metadata[name], list)


def test_002_the_tjansteutlatande(extracted: dict[str, dict[str, Any]]) -> None:
    m = extracted["002"]
    assert m["doc_type"] == "tjänsteutlåtande"
    assert m["committee"] == "Socialtjänstnämnden"
    assert m["administration"] == "Socialtjänstförvaltningen"
    assert (m["dnr"], m["dnr_verbatim"]) == ("115-239/2002", "115-239/2002")
    assert m["document_date"] == "2004-11-24"
    assert m["decision_date"] == "2004-12-16"
    assert m["city"] == "Stockholm"
    assert {"ResursUtbyte", "MAGIC", "FUEL"} <= set(m["projects"])
    assert "Europaforum" in m["title"]
    assert m["title"].startswith("Rapport angående")
    assert {"name": "Arion Chryssafis", "role": "handläggare", "party": None} in m["people"]
    assert {"Genua", "Bryssel", "Wien", "Åbo", "Riga", "Helsingfors"} <= set(m["cities_mentioned"])
    assert "Stockholm" not in m["cities_mentioned"]


def test_001_and_002_are_near_duplicates_and_merge_to_002(
    seeds: dict[str, str], extracted: dict[str, dict[str, Any]]
) -> None:
    raw, clean = signature(seeds["001"]), signature(seeds["002"])
    assert similarity(raw, clean) >= NEAR_DUPLICATE_THRESHOLD
    for name in ("000", "003", "004"):
        other = signature(seeds[name])
        assert similarity(raw, other) < NEAR_DUPLICATE_THRESHOLD
        assert similarity(clean, other) < NEAR_DUPLICATE_THRESHOLD
    merged = merge_group([extracted["001"], extracted["002"]])
    for field, value in extracted["002"].items():
        if value not in (None, [], "other"):
            assert merged[field] == value, field


def test_003_the_sollentuna_article(extracted: dict[str, dict[str, Any]]) -> None:
    m = extracted["003"]
    assert m["city"] == "Sollentuna"
    assert m["doc_type"] == "artikel"
    assert m["title"] == "Internationalisera mera"
    assert "Stockholm" in m["cities_mentioned"]


def test_004_the_press_release(extracted: dict[str, dict[str, Any]]) -> None:
    m = extracted["004"]
    assert m["doc_type"] == "pressmeddelande"
    assert m["document_date"] == "2013-06-25"
    assert m["city"] == "Stockholm"
    assert m["committee"] == "Socialnämnden"
    assert "MUST" in m["projects"]
    assert set(m["districts"]) == {
        "Rinkeby-Kista", "Skärholmen", "Södermalm", "Skarpnäck", "Spånga-Tensta",
        "Hägersten-Liljeholmen",
    }  # fmt: skip
    assert "Bukarest" in m["cities_mentioned"]
    assert m["decision_date"] == "2013-06-11"  # the meeting named by the linked agenda URL
    people = {p["name"]: p for p in m["people"]}
    assert people["Anna König Jerlmyr"]["party"] == "M"
    assert "socialborgarråd" in people["Anna König Jerlmyr"]["role"]


def test_000_the_raw_study_trip_text(extracted: dict[str, dict[str, Any]]) -> None:
    m = extracted["000"]
    assert m["city"] == "Stockholm"
    assert m["committee"] == "Socialtjänstnämnden"
    assert "Riga" in m["cities_mentioned"]
    dates = {d["text"]: d for d in m["dates"]}
    assert dates["hösten 2003"]["date"] == "2003"
    assert (dates["vecka 17 år 2004"]["date"], dates["vecka 17 år 2004"]["end"]) == (
        "2004-04-19",
        "2004-04-25",
    )
    assert (dates["20 – 23 april"]["date"], dates["20 – 23 april"]["end"]) == (
        "2004-04-20",
        "2004-04-23",
    )
    assert m["title"] and not m["title"].strip().lower().startswith("sammanfattning")


def test_extraction_is_fast(seeds: dict[str, str], registry: Registry) -> None:
    text = seeds["002"]  # 13.5 KB
    extract_metadata(text, registry=registry)  # compile the registry's matchers once
    start = time.perf_counter()
    runs = 5
    for _ in range(runs):
        extract_metadata(text, registry=registry)
    per_document = (time.perf_counter() - start) / runs
    assert per_document < 0.1, f"{per_document * 1000:.1f} ms for 13.5 KB (target < 20 ms)"
