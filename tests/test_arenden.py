"""Ärenden of minutes and notices: every § with its heading, dnr and decision (issue #8).

The expected values were written down by reading the corpus documents: Lerum's
byggnadsnämnd (protokoll and kallelse of 2024-04-18, as text and as PDF) and Sundbyberg's
socialnämnd (2024-03-19).
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import CORPUS

from indexer.clean import clean_pages
from indexer.extract import extract
from indexer.metadata import extract_metadata
from indexer.metadata.arenden import link_agenda, parse_meeting, split_arenden

LERUM = "lerum-byggnadsnamnden-{}-2024-04-18.{}"
SUNDBYBERG = "sundbyberg-socialnamnden-{}-2024-03-19.txt"


def _read(name: str) -> tuple[str, list[int]]:
    return clean_pages(extract(CORPUS / name).pages)


def _arenden(name: str, doc_type: str) -> list[dict[str, Any]]:
    text, page_starts = _read(name)
    return split_arenden(text, doc_type=doc_type, page_starts=page_starts)


@pytest.fixture(scope="module")
def lerum_protokoll() -> list[dict[str, Any]]:
    return _arenden(LERUM.format("protokoll", "txt"), "protokoll")


@pytest.fixture(scope="module")
def lerum_protokoll_pdf() -> list[dict[str, Any]]:
    return _arenden(LERUM.format("protokoll", "pdf"), "protokoll")


@pytest.fixture(scope="module")
def lerum_kallelse() -> list[dict[str, Any]]:
    return _arenden(LERUM.format("kallelse", "txt"), "kallelse")


def _by_number(arenden: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {a["number"]: a for a in arenden}


# (number, heading, dnr, decision opens with, status)
LERUM_PROTOKOLL = [
    ("41", "Val av justerare", None, "Byggnadsnämnden utser Birgitta Aronsson (S) att jämte", "beslutat"),
    ("42", "Godkännande av dagordningen", "BN 2024/0001", "Dagordningen godkänns med följande ändringar", "beslutat"),
    ("43", "Information från förvaltningen", None, "Byggnadsnämnden tar del av informationen.", "beslutat"),
    ("44", "Detaljplan för Floda centrum, del av Floda 3:45 m.fl. – antagande", "BN 2022/0318",
     "Byggnadsnämnden antar detaljplan för Floda centrum", "beslutat"),
    ("45", "Detaljplan för bostäder vid Aspedalen, Lerum 2:17 – samråd", "BN 2023/0207",
     "Byggnadsnämnden beslutar enligt förvaltningens förslag.", "beslutat"),
    ("46", "Planbesked för flerbostadshus, Gråbo 1:122", "BN 2024/0056",
     "Ärendet återremitteras till förvaltningen", "återremitterat"),
    ("47", "Yttrande över remiss – Översiktsplan för Lerums kommun 2050, samrådshandling", "BN 2024/0098",
     "Byggnadsnämnden avslår yrkandet om återremiss.\nByggnadsnämnden antar förvaltningens förslag", "beslutat"),
    ("48", "Bygglov för nybyggnad av enbostadshus, Floda 5:112", "2024-000456",
     "Byggnadsnämnden beviljar bygglov med stöd av 9 kap. 30 §", "beslutat"),
    ("49", "Bygglov för tillbyggnad av fritidshus, Tollered 2:8", "2024-000311",
     "Byggnadsnämnden avslår ansökan om bygglov", "beslutat"),
    ("50", "Tillsyn – olovligt byggande, Lerum 14:3", "2023-000987",
     "Ärendet bordläggs till nämndens sammanträde den 16 maj 2024.", "bordlagt"),
    ("51", "Föreläggande om åtgärder, ovårdad tomt, Stamsjö 1:9", "2023-000845",
     "Byggnadsnämnden förelägger ägaren till fastigheten Stamsjö 1:9", "beslutat"),
    ("52", "Budgetuppföljning mars 2024", "BN 2024/0011",
     "Byggnadsnämnden godkänner budgetuppföljningen per mars 2024.", "beslutat"),
    ("53", "Revidering av byggnadsnämndens delegationsordning", "BN 2024/0072",
     "Byggnadsnämnden antar reviderad delegationsordning", "beslutat"),
    ("54", "Anmälan av delegationsbeslut", "BN 2024/0002",
     "Byggnadsnämnden lägger redovisningen av delegationsbeslut till handlingarna.", "beslutat"),
    ("55", "Yttrande över Trafikverkets vägplan för väg 190, Gråbo", "BN 2024/0109",
     "Byggnadsnämnden antar förvaltningens förslag till yttrande och överlämnar det till Trafikverket.", "beslutat"),
    ("56", "Meddelanden", "BN 2024/0003", "Meddelandena läggs till handlingarna.", "beslutat"),
    ("57", "Kurser och konferenser", None, "Henrik Ståhlberg (M) och Birgitta Aronsson (S) ges möjlighet", "beslutat"),
]  # fmt: skip

#: The PDF's pages (by reading it): § 41 starts on page 2, after the first page's
#: närvaro, underskrifter and anslag.
LERUM_PROTOKOLL_PAGES = {
    "41": [2, 2], "42": [2, 2], "43": [2, 2], "44": [2, 3], "45": [3, 4], "46": [4, 4],
    "47": [4, 5], "48": [5, 5], "49": [5, 6], "50": [6, 6], "51": [6, 6], "52": [7, 7],
    "53": [7, 7], "54": [7, 8], "55": [8, 8], "56": [8, 8], "57": [8, 9],
}  # fmt: skip

# (number, heading, dnr, presenter, proposal opens with)
LERUM_KALLELSE = [
    ("1", "Val av justerare", None, None, "Birgitta Aronsson (S) utses att justera protokollet"),
    ("2", "Godkännande av dagordning", None, None, None),
    ("3", "Information från förvaltningen", None, "Helena Markström", None),
    ("4", "Detaljplan för Floda centrum, del av Floda 3:45 m.fl. – antagande", "BN 2022/0318",
     "Sara Nordqvist", "Byggnadsnämnden antar detaljplan för Floda centrum"),
    ("5", "Detaljplan för bostäder vid Aspedalen, Lerum 2:17 – samråd", "BN 2023/0207",
     "Sara Nordqvist", "Byggnadsnämnden godkänner samrådshandlingarna"),
    ("6", "Planbesked för flerbostadshus, Gråbo 1:122", "BN 2024/0056", "Sara Nordqvist",
     "Byggnadsnämnden meddelar positivt planbesked"),
    ("7", "Yttrande över remiss – Översiktsplan för Lerums kommun 2050", "BN 2024/0098", None,
     "Byggnadsnämnden antar förvaltningens förslag till yttrande"),
    ("8", "Bygglov för nybyggnad av enbostadshus, Floda 5:112", "2024-000456", "Anders Lövgren",
     "Byggnadsnämnden beviljar bygglov"),
    ("9", "Bygglov för tillbyggnad av fritidshus, Tollered 2:8", "2024-000311", "Anders Lövgren",
     "Byggnadsnämnden avslår ansökan om bygglov"),
    ("10", "Tillsyn – olovligt byggande, Lerum 14:3", "2023-000987", "Anders Lövgren",
     "1. Byggnadsnämnden tar ut en byggsanktionsavgift om 45 600 kronor"),
    ("11", "Föreläggande om åtgärder, ovårdad tomt, Stamsjö 1:9", "2023-000845", "Anders Lövgren", None),
    ("12", "Förhandsbesked för nybyggnad av enbostadshus, Hede 1:4", "2024-000402", "Anders Lövgren", None),
    ("13", "Budgetuppföljning mars 2024", "BN 2024/0011", None, "Byggnadsnämnden godkänner budgetuppföljningen"),
    ("14", "Revidering av byggnadsnämndens delegationsordning", "BN 2024/0072", "Helena Markström", None),
    ("15", "Anmälan av delegationsbeslut", "BN 2024/0002", None, None),
    ("16", "Meddelanden", "BN 2024/0003", None, None),
    ("17", "Kurser och konferenser", None, None, None),
]  # fmt: skip

# (number, heading, dnr, decision opens with, status)
SUNDBYBERG_PROTOKOLL = [
    ("21", "Val av justerare", None, "Socialnämnden utser Per Ekström (M)", "beslutat"),
    ("22", "Godkännande av föredragningslista", "SN 2024/12", "Föredragningslistan godkänns.", "beslutat"),
    ("23", "Uppföljning av projektet Bostad först 2023", "SN 2023/188",
     "Socialnämnden beslutar enligt förvaltningens förslag.", "beslutat"),
    ("24", "Ekonomiskt bistånd – riktlinjer 2024", "SN 2024/31",
     "Socialnämnden antar reviderade riktlinjer för ekonomiskt bistånd", "beslutat"),
    ("25", "Yttrande över motion om fler platser i stödboende för unga", "SN 2024/40",
     "Ärendet bordläggs till nämndens sammanträde den 16 april 2024.", "bordlagt"),
    ("26", "Ansökan om medel ur Europeiska socialfonden för projektet Vägen in", "SN 2024/45",
     "Socialnämnden ger förvaltningen i uppdrag att ansöka om medel", "beslutat"),
    ("27", "Anmälan av delegationsbeslut", "SN 2024/02",
     "Anmälan av delegationsbeslut för februari 2024 läggs till handlingarna.", "beslutat"),
    ("28", "Meddelanden", None, "Meddelandena läggs till handlingarna.", "beslutat"),
]  # fmt: skip

# (number, heading, dnr)
SUNDBYBERG_KALLELSE = [
    ("1", "Val av justerare", None),
    ("2", "Godkännande av föredragningslista", "SN 2024/12"),
    ("3", "Uppföljning av projektet Bostad först 2023", "SN 2023/188"),
    ("4", "Ekonomiskt bistånd – riktlinjer 2024", "SN 2024/31"),
    ("5", "Yttrande över motion om fler platser i stödboende för unga", "SN 2024/40"),
    ("6", "Ansökan om medel ur Europeiska socialfonden för projektet Vägen in", "SN 2024/45"),
    ("7", "Anmälan av delegationsbeslut", "SN 2024/02"),
    ("8", "Meddelanden", None),
]


def _table(arenden: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(a["number"], a["heading"], a["dnr"], a["decision"], a["status"]) for a in arenden]


def _expected(rows: list[tuple[Any, ...]], arenden: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The expected rows with each decision prefix completed from what was found, so
    a mismatch shows the whole row."""
    decisions = [a["decision"] or "" for a in arenden] + [""] * len(rows)
    return [
        (
            number,
            heading,
            dnr,
            decisions[i] if decisions[i].startswith(opening) else opening,
            status,
        )
        for i, (number, heading, dnr, opening, status) in enumerate(rows)
    ]


def test_lerum_protokoll_every_paragraph(lerum_protokoll: list[dict[str, Any]]) -> None:
    assert _table(lerum_protokoll) == _expected(LERUM_PROTOKOLL, lerum_protokoll)


def test_lerum_protokoll_pdf_finds_the_same_and_its_pages(
    lerum_protokoll: list[dict[str, Any]], lerum_protokoll_pdf: list[dict[str, Any]]
) -> None:
    keys = ("number", "heading", "dnr", "dnrs", "presenter", "decision", "proposal", "status",
            "reservations", "notes")  # fmt: skip
    assert [{k: a[k] for k in keys} for a in lerum_protokoll_pdf] == [
        {k: a[k] for k in keys} for a in lerum_protokoll
    ]
    assert {a["number"]: a["pages"] for a in lerum_protokoll_pdf} == LERUM_PROTOKOLL_PAGES
    assert {tuple(a["pages"]) for a in lerum_protokoll} == {(1, 1)}


def test_offsets_cover_each_paragraph() -> None:
    text, page_starts = _read(LERUM.format("protokoll", "pdf"))
    arenden = split_arenden(text, doc_type="protokoll", page_starts=page_starts)
    for arende, following in zip(arenden, arenden[1:], strict=False):
        assert text[arende["start"] : arende["end"]].startswith(f"§ {arende['number']}")
        assert arende["end"] < following["start"]
        assert not text[arende["end"] : following["start"]].strip()
    assert text[arenden[-1]["start"] : arenden[-1]["end"]].endswith("22 maj 2024.")


def test_proposal_kept_beside_the_decision(lerum_protokoll: list[dict[str, Any]]) -> None:
    by_number = _by_number(lerum_protokoll)
    assert by_number["45"]["proposal"] == (
        "Byggnadsnämnden godkänner samrådshandlingarna och ger förvaltningen i uppdrag att "
        "genomföra samråd enligt 5 kap. 11 § plan- och bygglagen."
    )
    assert by_number["46"]["proposal"].startswith("Byggnadsnämnden meddelar positivt planbesked")
    assert by_number["52"]["proposal"] is None


def test_presenters(lerum_protokoll: list[dict[str, Any]]) -> None:
    presenters = {a["number"]: a["presenter"] for a in lerum_protokoll if a["presenter"]}
    assert presenters == {
        "44": "Sara Nordqvist", "45": "Sara Nordqvist", "46": "Sara Nordqvist",
        "53": "Helena Markström",
    }  # fmt: skip


def test_reservations_with_their_people(lerum_protokoll: list[dict[str, Any]]) -> None:
    found = {
        a["number"]: [[(p["name"], p["party"]) for p in r["people"]] for r in a["reservations"]]
        for a in lerum_protokoll
        if a["reservations"]
    }
    assert found == {
        "44": [[("Ingrid Sjöholm", "V")]],
        "47": [[("Lennart Öhrn", "SD")]],
        "49": [[("Kerstin Wadström", "M"), ("Mats Fagerlund", "L")]],
        "53": [
            [("Ingrid Sjöholm", "V")],
            [("Birgitta Aronsson", "S"), ("Jonas Eklöv", "S"), ("Sanna Berglind", "S")],
        ],
    }
    second = _by_number(lerum_protokoll)["53"]["reservations"][1]["text"]
    assert second.startswith(
        "Birgitta Aronsson (S), Jonas Eklöv (S) och Sanna Berglind (S) reserverar sig"
    )


def test_protokollsanteckning(lerum_protokoll: list[dict[str, Any]]) -> None:
    notes = {a["number"]: a["notes"] for a in lerum_protokoll if a["notes"]}
    assert list(notes) == ["45"]
    assert notes["45"][0]["people"] == [{"name": "Peter Wennerholm", "party": "C"}]
    assert notes["45"][0]["text"].startswith("Peter Wennerholm (C) lämnar följande anteckning")


def test_rejected_aterremiss_is_a_decision(lerum_protokoll: list[dict[str, Any]]) -> None:
    """§ 47's decision turns down an återremiss; § 46's yrkanden and beslutsgång talk of
    avgöra and återremiss, but its decision sends it back."""
    by_number = _by_number(lerum_protokoll)
    assert by_number["47"]["status"] == "beslutat"
    assert by_number["46"]["status"] == "återremitterat"


def test_delegationsbeslut_dnrs_belong_to_their_paragraph(
    lerum_protokoll: list[dict[str, Any]],
) -> None:
    inner = [
        "2024-000198",
        "2024-000205",
        "2024-000221",
        "2023-000877",
        "BN 2024/0061",
        "2024-000230",
    ]
    delegation = _by_number(lerum_protokoll)["54"]
    assert delegation["dnrs"] == ["BN 2024/0002", *inner]
    assert not {a["dnr"] for a in lerum_protokoll} & set(inner)
    assert _by_number(lerum_protokoll)["47"]["dnrs"] == ["BN 2024/0098", "KS 2024/12"]
    assert _by_number(lerum_protokoll)["56"]["dnrs"] == ["BN 2024/0003", "403-1234-2024"]


def test_paragraph_lookalikes_are_not_arenden(lerum_protokoll: list[dict[str, Any]]) -> None:
    """The protokoll cites "beslut 2023-11-16 § 142", "§ 55", "D § 201", "§ 48", laws
    ("5 kap. 27 § plan- och bygglagen"), "§§ 44–46", and opens a line with "§ 5 i
    byggnadsnämndens reglemente": none of them is an ärende."""
    assert [a["number"] for a in lerum_protokoll] == [str(n) for n in range(41, 58)]
    text, _ = _read(LERUM.format("protokoll", "txt"))
    assert "\n§ 5 i byggnadsnämndens reglemente" in text
    assert "beslut 2023-11-16 § 142" in text and "D § 201" in text


def test_lerum_kallelse_items(lerum_kallelse: list[dict[str, Any]]) -> None:
    found = [
        (a["number"], a["heading"], a["dnr"], a["presenter"], a["proposal"]) for a in lerum_kallelse
    ]
    proposals = [a["proposal"] or "" for a in lerum_kallelse] + [""] * len(LERUM_KALLELSE)
    expected = [
        (n, h, d, p, proposals[i] if opening and proposals[i].startswith(opening) else opening)
        for i, (n, h, d, p, opening) in enumerate(LERUM_KALLELSE)
    ]
    assert found == expected
    assert all(a["numbering"] == "item" and a["status"] is None for a in lerum_kallelse)
    assert all(a["decision"] == a["proposal"] for a in lerum_kallelse)
    assert "2. Avgiften ska betalas" in _by_number(lerum_kallelse)["10"]["proposal"]


def test_lerum_kallelse_pdf_finds_the_same() -> None:
    keys = ("number", "heading", "dnr", "presenter", "proposal")
    txt = _arenden(LERUM.format("kallelse", "txt"), "kallelse")
    pdf = _arenden(LERUM.format("kallelse", "pdf"), "kallelse")
    assert [{k: a[k] for k in keys} for a in pdf] == [{k: a[k] for k in keys} for a in txt]
    assert [a["pages"] for a in pdf] == [[1, 1]] * 6 + [[2, 2]] * 11


def test_sundbyberg_protokoll() -> None:
    arenden = _arenden(SUNDBYBERG.format("protokoll"), "protokoll")
    assert _table(arenden) == _expected(SUNDBYBERG_PROTOKOLL, arenden)
    by_number = _by_number(arenden)
    assert by_number["23"]["presenter"] == "Johan Almqvist"
    assert by_number["23"]["proposal"].startswith("Socialnämnden godkänner uppföljningen")
    assert by_number["23"]["reservations"][0]["people"] == [
        {"name": "Lars-Göran Berg", "party": "SD"}
    ]
    assert by_number["24"]["notes"][0]["people"] == [{"name": "Maja Sjöberg", "party": "V"}]
    assert by_number["22"]["dnr_verbatim"] == "SN 2024/12"


def test_sundbyberg_kallelse() -> None:
    arenden = _arenden(SUNDBYBERG.format("kallelse"), "kallelse")
    assert [(a["number"], a["heading"], a["dnr"]) for a in arenden] == SUNDBYBERG_KALLELSE
    assert _by_number(arenden)["3"]["presenter"] == "Johan Almqvist"


def test_links_lerum(
    lerum_kallelse: list[dict[str, Any]], lerum_protokoll: list[dict[str, Any]]
) -> None:
    links = [
        (lerum_kallelse[i]["number"], lerum_protokoll[j]["number"])
        for i, j in link_agenda(lerum_kallelse, lerum_protokoll)
    ]
    # Item 12 was struck from the agenda (§ 42); § 55 was added at the meeting.
    assert links == [
        ("1", "41"), ("2", "42"), ("3", "43"), ("4", "44"), ("5", "45"), ("6", "46"),
        ("7", "47"), ("8", "48"), ("9", "49"), ("10", "50"), ("11", "51"), ("13", "52"),
        ("14", "53"), ("15", "54"), ("16", "56"), ("17", "57"),
    ]  # fmt: skip


def test_links_sundbyberg() -> None:
    kallelse = _arenden(SUNDBYBERG.format("kallelse"), "kallelse")
    protokoll = _arenden(SUNDBYBERG.format("protokoll"), "protokoll")
    assert link_agenda(kallelse, protokoll) == [(i, i) for i in range(8)]


def test_link_by_heading_only_when_dnrs_do_not_differ() -> None:
    items = [
        {"heading": "Bygglov för nybyggnad av enbostadshus, Floda 5:112", "dnr": "2024-000456"},
        {"heading": "Godkännande av dagordning", "dnr": None},
        {"heading": "Information", "dnr": None},
    ]
    paragraphs = [
        {"heading": "Godkännande av dagordningen", "dnr": "BN 2024/0001"},
        {"heading": "Bygglov för nybyggnad av enbostadshus, Floda 5:113", "dnr": "2024-000457"},
        {"heading": "Bygglov för nybyggnad av enbostadshus, Floda 5:112", "dnr": "2024-000456"},
        {"heading": "Information om budget", "dnr": None},
    ]
    assert link_agenda(items, paragraphs) == [(0, 2), (1, 0)]


def test_parse_meeting_lerum_protokoll() -> None:
    text, _ = _read(LERUM.format("protokoll", "pdf"))
    meeting = parse_meeting(text)
    present = meeting.pop("present")
    assert meeting == {
        "organ": "Byggnadsnämnden",
        "meeting_date": "2024-04-18",
        "time": "18.00–21.10",
        "plats": "Sessionssalen, Kommunhuset Lerum",
        "justerare": ["Birgitta Aronsson"],
        "justering_date": "2024-04-24",
        "anslag_from": "2024-04-25",
        "anslag_to": "2024-05-17",
        "paragraph_range": ["41", "57"],
    }
    groups = {
        group: [p["name"] for p in present if p["group"] == group]
        for group in ("beslutande", "ersättare", "övriga")
    }
    assert len(groups["beslutande"]) == 11
    assert groups["ersättare"] == ["Tomas Bergkvist", "Linnea Holmér", "Gunnar Aspelin"]
    assert groups["övriga"] == [
        "Helena Markström",
        "Anders Lövgren",
        "Sara Nordqvist",
        "Josefin Kallin",
    ]
    assert present[0] == {
        "name": "Henrik Ståhlberg",
        "party": "M",
        "role": "ordförande",
        "group": "beslutande",
    }
    assert present[9] == {
        "name": "Mohammed Al-Sayed", "party": "S",
        "role": "tjänstgörande ersättare för Eva Lund (S)", "group": "beslutande",
    }  # fmt: skip
    assert present[14]["role"] == "förvaltningschef" and present[14]["party"] is None


def test_parse_meeting_sundbyberg_protokoll() -> None:
    text, _ = _read(SUNDBYBERG.format("protokoll"))
    meeting = parse_meeting(text)
    assert [(p["name"], p["party"], p["role"]) for p in meeting.pop("present")] == [
        ("Karin Lindqvist", "S", "ordförande"), ("Per Ekström", "M", "vice ordförande"),
        ("Amina Haddad", "S", None), ("Lars-Göran Berg", "SD", None), ("Maja Sjöberg", "V", None),
        ("Oskar Nyman", "L", None), ("Eva Holm", "C", None),
        ("Johan Almqvist", None, "socialdirektör"), ("Sofia Grahn", None, "nämndsekreterare"),
    ]  # fmt: skip
    assert meeting == {
        "organ": "Socialnämnden",
        "meeting_date": "2024-03-19",
        "time": "18.00–20.15",
        "plats": "Stadshuset, sammanträdesrum Ursvik",
        "justerare": ["Per Ekström"],
        "justering_date": "2024-03-26",
        "anslag_from": "2024-03-27",
        "anslag_to": "2024-04-18",
        "paragraph_range": ["21", "28"],
    }


@pytest.mark.parametrize(
    ("name", "meeting_date", "time", "plats"),
    [
        (
            LERUM.format("kallelse", "pdf"),
            "2024-04-18",
            "18.00",
            "Sessionssalen, Kommunhuset Lerum",
        ),
        (
            SUNDBYBERG.format("kallelse"),
            "2024-03-19",
            "18.00",
            "Stadshuset, sammanträdesrum Ursvik",
        ),
    ],
)
def test_parse_meeting_kallelse(name: str, meeting_date: str, time: str, plats: str) -> None:
    text, _ = _read(name)
    meeting = parse_meeting(text)
    assert (meeting["meeting_date"], meeting["time"], meeting["plats"]) == (
        meeting_date,
        time,
        plats,
    )
    assert meeting["present"] == [] and meeting["paragraph_range"] is None


def test_extract_metadata_adds_arenden_and_meeting() -> None:
    text, page_starts = _read(LERUM.format("protokoll", "pdf"))
    metadata = extract_metadata(text, page_starts=page_starts)
    assert metadata["doc_type"] == "protokoll"
    assert [a["number"] for a in metadata["arenden"]] == [str(n) for n in range(41, 58)]
    assert {"number", "heading", "dnr", "decision", "pages"} <= set(metadata["arenden"][0])
    assert metadata["arenden"][3]["pages"] == [2, 3]
    assert metadata["meeting"]["meeting_date"] == "2024-04-18"
    without_pages = extract_metadata(text)
    assert without_pages["arenden"][3]["pages"] is None


def test_extract_metadata_of_other_documents_has_no_arenden() -> None:
    text = (CORPUS / "stockholm-pressmeddelande-lokala-utvecklingsarbeten-2013.txt").read_text(
        encoding="utf-8"
    )
    metadata = extract_metadata(text)
    assert "arenden" not in metadata and "meeting" not in metadata


# -- rules, on small texts ----------------------------------------------------------

# (text, § numbers that start ärenden)
PARAGRAPH_STARTS = [
    ("§ 64\nVal av justerare\n\n§ 65 Dnr KS 2024/12\nBudget", ["64", "65"]),
    ("§ 64/20 Dnr KS 2020/8\nVal av justerare\n§ 65/20\nBudget", ["64/20", "65/20"]),
    ("KS § 12\nVal av justerare\n\nKS § 13 KS 2024/12\nBudget", ["12", "13"]),
    ("§ 1 Val av justerare\n§ 2 Godkännande av dagordning", ["1", "2"]),
    # references inside a line
    ("§ 1\nVal\nantagna av byggnadsnämnden 2022-04-21 § 108 gäller\n", ["1"]),
    ("§ 1\nVal\nenligt Plan- och bygglagen 4 kap. 34 § ska\n", ["1"]),
    # a line that opens with § but goes on in lowercase, with punctuation or a law
    ("§ 1\nVal\n§ 5 i reglementet anger att nämnden\n", ["1"]),
    ("§ 1\nVal\n§ 142, och har varit utställd\n", ["1"]),
    ("§ 1\nVal\n§ 142.\n", ["1"]),
    ("§ 1\nVal\n§ 1, andra stycket, gäller fortfarande\n§ 5 fortsätter att gälla\n", ["1"]),
    ("§ 1\nVal\n§ 2 SoL ger rätt\n§ 3 kommunallagen gäller\n", ["1"]),
    ("§ 1\nVal\n§§ 21–28\n§ 4–6 gäller\n", ["1"]),
    ("§ 1\nVal\n4 kap. 34 §\n9 kap. 2 § plan- och bygglagen\n", ["1"]),
    # a § continued on the next page, and a list of contents before the §§
    ("§ 23 Dnr SN 2023/188\nUppföljning\nÄrendet\nText.\n§ 23 forts.\nMer text.\n§ 24\nBudget", ["23", "24"]),
    ("Innehåll\n§ 1 Val av justerare\n§ 2 Budget\n\n§ 1\nVal av justerare\nBeslut\nA.\n§ 2\nBudget\nBeslut\nB.", ["1", "2"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "numbers"), PARAGRAPH_STARTS, ids=[c[0][:40] for c in PARAGRAPH_STARTS]
)
def test_where_paragraphs_start(text: str, numbers: list[str]) -> None:
    assert [a["number"] for a in split_arenden(text, doc_type="protokoll")] == numbers


def test_continued_paragraph_keeps_its_text() -> None:
    text = "§ 23 Dnr SN 2023/188\nUppföljning\nBeslut\nNämnden godkänner\n§ 23 forts.\nrapporten.\n§ 24\nBudget"
    first = split_arenden(text, doc_type="protokoll")[0]
    assert first["decision"] == "Nämnden godkänner rapporten."


def test_a_reference_with_the_current_number_stays_in_the_text() -> None:
    text = "§ 1\nVal\nBeslut\nA.\n§ 1, andra stycket, gäller."
    assert split_arenden(text, doc_type="protokoll")[0]["decision"] == "A.\n§ 1, andra stycket, gäller."


def test_list_of_contents_gives_way_to_the_paragraphs() -> None:
    text = PARAGRAPH_STARTS[-1][0]
    arenden = split_arenden(text, doc_type="protokoll")
    assert [a["decision"] for a in arenden] == ["A.", "B."]


# (text, heading, dnr, decision, proposal) — labels the cleaner glued onto a line, owners
# in the genitive, a label with its text after a colon, a § without labels.
SECTIONS = [
    ("§ 25 Dnr SN 2024/40\nYttrande över motion om fler platser i stödboende för unga Beslut\nÄrendet bordläggs.",
     "Yttrande över motion om fler platser i stödboende för unga", "SN 2024/40", "Ärendet bordläggs.", None),
    ("§ 3\nUppföljning av nämndens beslut\nÄrendet\nText.\nNämndens beslut\nRapporten godkänns.",
     "Uppföljning av nämndens beslut", None, "Rapporten godkänns.", None),
    ("§ 3\nDetaljplan för Floda centrum – antagande Föredragande: Sara Nordqvist\nUtskottets förslag\nAntas.\nKommunstyrelsens beslut: Antas.",
     "Detaljplan för Floda centrum – antagande", None, "Antas.", "Antas."),
    ("§ 4\nVal av justerare\nTill att justera protokollet utses Anna Ek (M).",
     "Val av justerare", None, "Till att justera protokollet utses Anna Ek (M).", None),
    ("§ 5\nBudget 2025\nDiarienummer: KS 2024/77\nFörvaltningens förslag till beslut\nBudgeten antas.",
     "Budget 2025", "KS 2024/77", "Budgeten antas.", "Budgeten antas."),
    ("§ 45 Dnr BN 2023/0207 Detaljplan för bostäder\nBeslut\nAntas.",
     "Detaljplan för bostäder", "BN 2023/0207", "Antas.", None),
    ("§ 48 2024-000456 Bygglov för garage\nBeslut: Bygglov beviljas.",
     "Bygglov för garage", "2024-000456", "Bygglov beviljas.", None),
    ("§ 6 KS 2024/12\nTaxa för bygglov\nBESLUT\nTaxan antas.\nExpedieras till\nKommunfullmäktige",
     "Taxa för bygglov", "KS 2024/12", "Taxan antas.", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "heading", "dnr", "decision", "proposal"), SECTIONS, ids=[c[1][:30] for c in SECTIONS]
)
def test_sections(
    text: str, heading: str, dnr: str | None, decision: str, proposal: str | None
) -> None:
    arende = split_arenden(text, doc_type="protokoll")[0]
    assert (arende["heading"], arende["dnr"], arende["decision"], arende["proposal"]) == (
        heading,
        dnr,
        decision,
        proposal,
    )


def test_presenter_glued_onto_the_heading_is_found() -> None:
    text = SECTIONS[2][0]
    assert split_arenden(text, doc_type="protokoll")[0]["presenter"] == "Sara Nordqvist"


def test_reservation_without_a_heading_and_without_a_party() -> None:
    text = "§ 7\nTaxa\nBeslut\nTaxan antas. Anna Ek reserverar sig mot beslutet.\nSverigedemokraternas ledamöter reserverar sig."
    reservations = split_arenden(text, doc_type="protokoll")[0]["reservations"]
    assert [r["people"] for r in reservations] == [[{"name": "Anna Ek", "party": None}], []]


def test_kallelse_numbering_counts_up_and_skips_nested_lists() -> None:
    text = (
        "KALLELSE\n\nFöredragningslista\n\n1. Val av justerare\n\n2. Taxa för bygglov\nDnr BN 2024/5\n"
        "Förslag till beslut:\n1. Nämnden antar taxan.\n2. Taxan gäller från 1 juli.\n3. Avgifterna räknas upp.\n"
        "3. Meddelanden\n5 Bilagor finns i mötesverktyget\n"
    )
    arenden = split_arenden(text, doc_type="kallelse")
    assert [(a["number"], a["heading"], a["dnr"]) for a in arenden] == [
        ("1", "Val av justerare", None), ("2", "Taxa för bygglov", "BN 2024/5"), ("3", "Meddelanden", None),
    ]  # fmt: skip
    assert arenden[1]["proposal"].endswith("3. Avgifterna räknas upp.")


@pytest.mark.parametrize(
    ("doc_type", "text", "count"),
    [
        (
            "tjänsteutlåtande",
            "§ 1\nBudget\nFörslag till beslut\nAntas.\n\n§ 2\nTaxa\nFörslag till beslut\nAntas.",
            2,
        ),
        ("tjänsteutlåtande", "§ 1\nBudget\nFörslag till beslut\nAntas.", 0),
        (None, "§ 1\nBudget\n\n§ 2\nTaxa", 2),
        ("pressmeddelande", "§ 1\nBudget\n\n§ 2\nTaxa", 0),
        ("protokoll", "Ingen paragraf här.", 0),
    ],
)
def test_which_documents_have_arenden(doc_type: str | None, text: str, count: int) -> None:
    assert len(split_arenden(text, doc_type=doc_type)) == count


def test_a_bundle_takes_the_proposal_and_no_status() -> None:
    bundle = split_arenden(
        "§ 1\nBudget\nFörslag till beslut\nAntas.\n\n§ 2\nTaxa\nÄrendet\nText.",
        doc_type="tjänsteutlåtande",
    )
    assert [(a["decision"], a["status"]) for a in bundle] == [("Antas.", None), (None, None)]


def test_labels_with_odd_letters_read_as_the_plain_ones() -> None:
    # "Beſlut" (a long s) and "tıll" (a dotless i) match the labels case-insensitively:
    # once a crash that failed the whole protokoll, now the same ärenden and decisions.
    text, page_starts = _read(SUNDBYBERG.format("protokoll"))
    odd = text.replace("Beslut", "Beſlut").replace("till", "tıll")
    assert odd != text
    plain = split_arenden(text, doc_type="protokoll", page_starts=page_starts)
    found = split_arenden(odd, doc_type="protokoll", page_starts=page_starts)
    assert [a["number"] for a in found] == [a["number"] for a in plain]
    assert [bool(a.get("decision")) for a in found] == [bool(a.get("decision")) for a in plain]
