"""People: name, role and party next to a cue — never from capitalised words alone."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from indexer.metadata.people import find_people
from indexer.metadata.registry import Registry

Person = tuple[str, str | None, str | None]

# (text, [(name, role, party)])
CASES: list[tuple[str, list[Person]]] = [
    ("Handläggare: Arion Chryssafis\n\nTfn: 508 25 612", [("Arion Chryssafis", "handläggare", None)]),
    (
        "Socialnämnden, Stockholms stad\nAnna König Jerlmyr, ordförande och gruppledare (M)\n"
        "Ewa Samuelsson, gruppledare (KD)",
        [("Anna König Jerlmyr", "ordförande och gruppledare", "M"), ("Ewa Samuelsson", "gruppledare", "KD")],
    ),
    (
        "fler stockholmare kan få stöd, säger socialborgarrådet Anna König Jerlmyr (M).",
        [("Anna König Jerlmyr", "socialborgarråd", "M")],
    ),
    (
        "bedrivas, säger biträdande socialborgarrådet Ewa Samuelsson (KD).",
        [("Ewa Samuelsson", "biträdande socialborgarråd", "KD")],
    ),
    ("på området, säger Stina Bengtsson (C).", [("Stina Bengtsson", None, "C")]),
    (
        "Elisabeth Bengtsson, avdelningschef för barn och unga, berättar mer.",
        [("Elisabeth Bengtsson", "avdelningschef för barn och unga", None)],
    ),
    ("efter ett studiebesök i London, säger Elisabeth Bengtsson.", [("Elisabeth Bengtsson", None, None)]),
    ("Karin Lindqvist (S), ordförande\nPer Ekström (M), vice ordförande", [("Karin Lindqvist", "ordförande", "S"), ("Per Ekström", "vice ordförande", "M")]),
    ("Övriga närvarande\nJohan Almqvist, socialdirektör", [("Johan Almqvist", "socialdirektör", None)]),
    ("Justerare: Per Ekström\nSekreterare ……………… Sofia Grahn        Paragrafer §§ 21–28", [("Per Ekström", "justerare", None), ("Sofia Grahn", "sekreterare", None)]),
    (
        "hela hälso- och sjukvårdssystemet, säger sjukvårdsminister Acko Ankarberg Johansson.",
        [("Acko Ankarberg Johansson", "sjukvårdsminister", None)],
    ),
    ("– Ingen ska sova ute, säger socialnämndens ordförande Leila Amiri (S).", [("Leila Amiri", "socialnämndens ordförande", "S")]),
    ("Socialborgarrådet Anna Berg (M) säger nej.", [("Anna Berg", "socialborgarråd", "M")]),
    ("Laos nyutnämnde ambassadör Mr Bounpheng Saykanya är född 1955", [("Bounpheng Saykanya", "ambassadör", None)]),
    ("säger Lina Nordquist, gruppledare för Liberalerna.", [("Lina Nordquist", "gruppledare för Liberalerna", None)]),
    # No cue, no person.
    ("Dag Helin\n\nStig Hanno", []),
    ("Europaforum Stockholm ska till kommunstyrelsen lämna två rapporter.", []),
    ("Union of Baltic Cities och Health and Social Affairs", []),
]  # fmt: skip


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(CORPUS)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_find_people(registry: Registry, text: str, expected: list[Person]) -> None:
    found = [(p["name"], p["role"], p["party"]) for p in find_people(text, registry)]
    assert found == expected


def test_one_person_named_twice_is_one_entry_with_both_roles(registry: Registry) -> None:
    text = (
        "Anna König Jerlmyr, ordförande och gruppledare (M)\n\n"
        "– Det är viktigt, säger socialborgarrådet Anna König Jerlmyr (M)."
    )
    assert find_people(text, registry) == [
        {
            "name": "Anna König Jerlmyr",
            "role": "ordförande och gruppledare, socialborgarråd",
            "party": "M",
        }
    ]
