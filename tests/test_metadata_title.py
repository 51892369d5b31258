"""Title: the document's own title — never a section heading, label, unit or date line."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from conftest import CORPUS

from indexer.metadata import extract_metadata
from indexer.metadata.registry import Registry
from indexer.metadata.title import fallback_title, find_title, synthesized_title

# (text, title) — headers of real documents.
CASES: list[tuple[str, str | None]] = [
    (
        "Socialtjänstförvaltningen\n\nEUROPAFORUM\n\nHandläggare: Arion Chryssafis\n\nTfn: 508 25 612\n\n"
        "TJÄNSTEUTLÅTANDE\n2004-11-24\n\nSOCIALTJÄNSTNÄMNDEN\n2004-12-16\n\nDNR 115-239/2002\n\nTill\n"
        "Socialtjänstnämnden\n\n**Rapport angående genomförda aktiviteter och pågående processer inom\n"
        "Europaforum/Socialtjänstförvaltningen**\n\nBeslut",
        "Rapport angående genomförda aktiviteter och pågående processer inom Europaforum/Socialtjänstförvaltningen",
    ),
    (
        "Socialtjänstförvaltningen\n\nEUROPAFORUM\n\nHandläggare: Arion Chryssafis\n\nTJÄNSTEUTLÅTANDE\n"
        "2004-11-24\n\nDNR 115-239/2002\n\nTill\nSocialtjänstnämnden\n\nRapport angående genomförda "
        "aktiviteter och pågående processer inom\nEuropaforum/Socialtjänstförvaltningen\n\nBeslut",
        "Rapport angående genomförda aktiviteter och pågående processer inom Europaforum/Socialtjänstförvaltningen",
    ),
    ("Internationalisera mera\n\nSocialt arbete är ett globalt ämne men socialtjänsten ute i kommunerna har av flera skäl väldigt lite internationellt utbyte.", "Internationalisera mera"),
    (
        "Alliansen i Stockholms stad\n\nAlliansen i stadshuset: Satsning på lokala utvecklingsarbeten "
        "inom sociala frågor i Stockholm\n\nPressmeddelande   •   Jun 25, 2013 06:00 CEST",
        "Alliansen i stadshuset: Satsning på lokala utvecklingsarbeten inom sociala frågor i Stockholm",
    ),
    (
        "Skärholmens stadsdelsförvaltning · Tjänsteutlåtande · Dnr SDN 2019/145\n\nSkärholmens "
        "stadsdelsförvaltning\n\nAvdelningen för individ- och familjeomsorg\n\nHandläggare: Maria Öberg\n"
        "Telefon: 08-508 24 000\n\nTJÄNSTEUTLÅTANDE\n\nDnr SDN 2019/145\n\n2019-05-02\n\nTill\n"
        "Skärholmens stadsdelsnämnd\nSammanträde 2019-05-23\n\nTrygg i Skärholmen – slutrapport och "
        "förslag om fortsatt\nuppsökande arbete\n\nFörvaltningens förslag till beslut",
        "Trygg i Skärholmen – slutrapport och förslag om fortsatt uppsökande arbete",
    ),
    ("Urban Agenda for the EU\nPartnership on Inclusion of Migrants and Refugees\n\nAction Plan – Final Version, November 2017\n\nIntroduction", "Urban Agenda for the EU – Partnership on Inclusion of Migrants and Refugees"),
    ("# Regeringsförklaringen 3 oktober 2014\n\nRegeringsförklaringen är statsministerns tal.", "Regeringsförklaringen 3 oktober 2014"),
    ("# Ett stärkt brottsförebyggande ansvar för socialnämnden\n\n– Alla barn har rätt till en trygg framtid.", "Ett stärkt brottsförebyggande ansvar för socialnämnden"),
    # No title of its own: raw PDF text that starts with a section heading.
    (" Sammanfattning \nSyftet med studiebesöket i Baltikum var erfarenhetsutbyte och att skapa kon-\ntakter, särskilt utifrån att de baltiska länderna från den 1 maj 2004 ingår i Eu-\nropeiska Unionen (EU). Resan genomfördes den 20 – 23 april med deltagande \nav ledamöter och ersättare i nämnden.", None),
]  # fmt: skip


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(CORPUS)


@pytest.mark.parametrize(("text", "title"), CASES, ids=[c[0][:30] for c in CASES])
def test_find_title(registry: Registry, text: str, title: str | None) -> None:
    assert find_title(text, registry) == title


@pytest.mark.parametrize(
    ("hint", "title"),
    [
        ("**Rapport angående genomförda aktiviteter**", "Rapport angående genomförda aktiviteter"),
        ("Malmö stad förstärker vinterhjälpen för hemlösa EU-medborgare", "Malmö stad förstärker vinterhjälpen för hemlösa EU-medborgare"),
        ("Socialtjänstförvaltningen", "Internationalisera mera"),
        ("Bakgrund", "Internationalisera mera"),
        ("TJÄNSTEUTLÅTANDE", "Internationalisera mera"),
    ],
)  # fmt: skip
def test_title_hint_is_used_unless_it_is_a_heading_or_unit(
    registry: Registry, hint: str, title: str
) -> None:
    text = "Internationalisera mera\n\nSocialt arbete är ett globalt ämne."
    assert find_title(text, registry, title_hint=hint) == title


@dataclass
class Block:
    text: str
    page: int
    size: float
    bold: bool
    x0: float
    y0: float
    x1: float
    y1: float


def test_title_from_the_largest_font_that_stands_out(registry: Registry) -> None:
    blocks = [
        Block("Socialtjänstförvaltningen", 1, 18, True, 50, 40, 300, 60),
        Block("Handläggare: Arion Chryssafis", 1, 10, False, 50, 80, 300, 92),
        Block("Rapport angående genomförda aktiviteter och", 1, 14, True, 50, 200, 500, 216),
        Block("pågående processer inom Europaforum", 1, 14, True, 50, 218, 500, 234),
        Block("Bakgrund", 1, 12, True, 50, 260, 200, 274),
        Block("Europaforum Stockholm ska till kommunstyrelsen lämna två rapporter.", 1, 10, False, 50, 280, 500, 292),
        Block("Text på sidan ett.", 1, 10, False, 50, 300, 500, 312),
        Block("Ännu mer text.", 1, 10, False, 50, 320, 500, 332),
    ]  # fmt: skip
    assert (
        find_title("", registry, blocks=blocks)
        == "Rapport angående genomförda aktiviteter och pågående processer inom Europaforum"
    )


def test_blocks_all_of_one_size_give_no_title(registry: Registry) -> None:
    blocks = [
        Block(f"Rad {i} med vanlig text.", 1, 10, False, 50, 20 * i, 500, 20 * i + 12)
        for i in range(5)
    ]
    assert find_title("", registry, blocks=blocks) is None


def test_fallback_is_the_first_sentence_shortened(registry: Registry) -> None:
    text = " Bakgrund  \n \nEuropaforum Stockholm ska till kommunstyrelsen lämna två rapporter per år \nom genomförda aktiviteter. Detta ärende är en omarbetad version."
    assert fallback_title(text, registry) == (
        "Europaforum Stockholm ska till kommunstyrelsen lämna två rapporter per år om genomförda aktiviteter."
    )
    long = " Sammanfattning \nSyftet med studiebesöket i Baltikum var erfarenhetsutbyte och att skapa kon-\ntakter, särskilt utifrån att de baltiska länderna från den 1 maj 2004 ingår i EU."
    assert fallback_title(long, registry) == (
        "Syftet med studiebesöket i Baltikum var erfarenhetsutbyte och att skapa kontakter, särskilt utifrån …"
    )  # fmt: skip


def test_minutes_and_notices_are_titled_by_committee_and_meeting() -> None:
    assert (
        synthesized_title("protokoll", "Socialnämnden", "2024-03-19")
        == "Protokoll – Socialnämnden, 2024-03-19"
    )
    assert synthesized_title("kallelse", "Socialnämnden", None) == "Kallelse – Socialnämnden"
    assert synthesized_title("rapport", "Socialnämnden", "2024-03-19") is None


def test_every_document_gets_a_title_that_is_not_a_heading(registry: Registry) -> None:
    text = " Sammanfattning \nSyftet med studiebesöket i Baltikum var erfarenhetsutbyte."
    title = extract_metadata(text, registry=registry)["title"]
    assert title == "Syftet med studiebesöket i Baltikum var erfarenhetsutbyte."
