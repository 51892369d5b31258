"""Near-duplicates: MinHash of two renderings of one report vs unrelated documents."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from conftest import require_shared

from archive.groups import merge_group, richness
from indexer.metadata.duplicates import (
    BANDS,
    NEAR_DUPLICATE_THRESHOLD,
    NUM_PERMUTATIONS,
    bands,
    shingles,
    signature,
    similarity,
)


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    folder = require_shared("seeds")
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(Path(folder).glob("*.txt"))}


def test_the_two_renderings_of_one_report_are_near_duplicates(seeds: dict[str, str]) -> None:
    a, b = signature(seeds["001"]), signature(seeds["002"])
    assert similarity(a, b) >= NEAR_DUPLICATE_THRESHOLD
    assert set(bands(a)) & set(bands(b))


def test_unrelated_seeds_are_below_the_threshold(seeds: dict[str, str]) -> None:
    signatures = {name: signature(text) for name, text in seeds.items()}
    for x, y in itertools.combinations(sorted(signatures), 2):
        if {x, y} != {"001", "002"}:
            assert similarity(signatures[x], signatures[y]) < NEAR_DUPLICATE_THRESHOLD, (x, y)


def test_hyphenation_and_spacing_do_not_matter() -> None:
    clean = "Syftet med studiebesöket var erfarenhetsutbyte och att skapa kontakter i Riga."
    raw = "Syftet med  studiebesöket var erfarenhetsut-\nbyte och att skapa kon-\ntakter i Riga. "
    assert shingles(clean) == shingles(raw)
    assert signature(clean) == signature(raw)


def test_signature_and_bands_are_stable_and_sized() -> None:
    sig = signature("Ett två tre fyra fem sex sju.")
    assert sig == signature("Ett två tre fyra fem sex sju.")
    assert len(sig) == NUM_PERMUTATIONS and all(0 <= v < 2**32 for v in sig)
    assert len(bands(sig)) == BANDS
    assert signature("") == signature("   ")


def test_similarity_estimates_jaccard() -> None:
    words = [f"ord{i}" for i in range(400)]
    a, b = " ".join(words), " ".join(words[:300] + [f"annat{i}" for i in range(100)])
    sa, sb = shingles(a), shingles(b)
    jaccard = len(sa & sb) / len(sa | sb)
    assert abs(similarity(signature(a), signature(b)) - jaccard) < 0.12


def test_merge_group_takes_the_richest_member_and_fills_gaps() -> None:
    raw = {
        "title": "Europaforum Stockholm ska …",
        "doc_type": "tjänsteutlåtande",
        "city": "Stockholm",
        "dnr": None,
        "document_date": None,
        "projects": ["FUEL"],
        "topics": ["integration"],
        "people": [],
        "language": "sv",
    }
    clean = {"title": "Rapport angående …", "doc_type": "tjänsteutlåtande", "city": "Stockholm",
             "dnr": "115-239/2002", "document_date": "2004-11-24", "projects": ["FUEL", "MAGIC"],
             "topics": [], "people": [{"name": "Arion Chryssafis", "role": "handläggare", "party": None}]}  # fmt: skip
    assert richness(clean) > richness(raw)
    merged = merge_group([raw, clean])
    assert {k: merged[k] for k in clean} | {"topics": []} == clean | {"topics": []}
    assert merged["topics"] == ["integration"]
    assert merged["language"] == "sv"
    assert merge_group([]) == {}
