"""Document type from headings and structure (never from the file name)."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from indexer.metadata.doctype import DOC_TYPES, classify
from indexer.metadata.registry import Registry

# (text, title or None, doc_type) — heads of real documents, and made-up heads of the
# kinds the seeds lack (motion, skrivelse, remissvar, beslut).
CASES: list[tuple[str, str | None, str]] = [
    (
        "Socialtjänstförvaltningen\n\nEUROPAFORUM\n\nHandläggare: Arion Chryssafis\n\n"
        "TJÄNSTEUTLÅTANDE\n2004-11-24\n\nSOCIALTJÄNSTNÄMNDEN\n2004-12-16\n\nBeslut\n\nNämnden godkänner",
        None, "tjänsteutlåtande",
    ),
    (
        " Sammanfattning \nSyftet med studiebesöket i Baltikum var erfarenhetsutbyte.\n Bakgrund \n"
        "En rapport lämnas i bilaga till tjänsteutlåtandet.\n\nFörvaltningens synpunkter \nDet är "
        "alltid intressant och lärorikt att se hur man gör någon annanstans.",
        None, "tjänsteutlåtande",
    ),
    (" Bakgrund  \n \nEuropaforum Stockholm ska lämna två rapporter. Detta ärende är en omarbetad version.", None, "tjänsteutlåtande"),
    ("SUNDBYBERGS STAD\nSocialnämnden\n\nSAMMANTRÄDESPROTOKOLL\n\nSammanträdesdatum: 2024-03-19", None, "protokoll"),
    ("§ 21\nVal av justerare\nBeslut\nSocialnämnden utser Per Ekström.\n\n§ 22\nBeslut", None, "protokoll"),
    ("SUNDBYBERGS STAD\nSocialnämnden\n\nKALLELSE\n\nSammanträde med socialnämnden", None, "kallelse"),
    ("Ledamöter kallas härmed till sammanträde. Ersättare för kännedom.", None, "kallelse"),
    ("FÖREDRAGNINGSLISTA\n\n1. Val av justerare", None, "kallelse"),
    ("Alliansen i Stockholms stad\n\nAlliansen i stadshuset: Satsning\n\nPressmeddelande   •   Jun 25, 2013 06:00 CEST", None, "pressmeddelande"),
    ("Pressmeddelande · 2023-11-28\n\nMalmö stad förstärker vinterhjälpen", None, "pressmeddelande"),
    (
        "Socialstyrelsen ska fortsatt främja omställningen\n\n– Omställningen omfattar hela systemet, "
        "säger sjukvårdsminister Acko Ankarberg Johansson.",
        None, "pressmeddelande",
    ),
    ("Nyheten i korthet.\n\nPresskontakt:\nAnna Andersson 08-123 45 67", None, "pressmeddelande"),
    (
        "Internationalisera mera\n\nSocialt arbete är ett globalt ämne.\n\n– Det är en enorm kraft i "
        "att träffa socialarbetare från hela världen, säger hon.",
        "Internationalisera mera", "artikel",
    ),
    (
        "Sänkt skatt för alla\n\nSveriges problem är inte enkla.\n\nDet är den nya regeringens löfte, "
        "och vi står fast vid det i hela landet under lång tid framöver.\n\n"
        "Jakob Forssmed (KD), socialminister",
        None, "artikel",
    ),
    ("**Rapport angående genomförda aktiviteter**\n\nBakgrund", "Rapport angående genomförda aktiviteter", "rapport"),
    ("Slutrapport\n\nProjektet Trygg i Skärholmen", None, "rapport"),
    ("Motion om fler cykelbanor\n\nVi föreslår att kommunfullmäktige beslutar att bygga fler cykelbanor.", None, "motion"),
    ("Skrivelse från Vänsterpartiet om hemlösheten", None, "skrivelse"),
    ("Remissvar – Ds 2016:26 Utvidgat skydd mot diskriminering", None, "remissvar"),
    ("Yttrande över remiss om ny socialtjänstlag\n\nNämnden tillstyrker förslaget.", None, "remissvar"),
    ("DELEGATIONSBESLUT\n\nBeslutsdatum 2024-02-01", None, "beslut"),
    ("BESLUT\n2024-02-01\n\nÄrende: bostad med särskild service", None, "beslut"),
    ("Urban Agenda for the EU\nPartnership on Inclusion of Migrants and Refugees\n\nIntroduction", "Urban Agenda for the EU", "other"),
    ("# Tilläggsdirektiv till Namnlagskommittén (Ju 2009:17)\n\nRegeringen beslutade den 21 december 2009.", None, "other"),
    ("", None, "other"),
]  # fmt: skip


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(CORPUS)


@pytest.mark.parametrize(("text", "title", "doc_type"), CASES, ids=[c[2] for c in CASES])
def test_classify(registry: Registry, text: str, title: str | None, doc_type: str) -> None:
    assert classify(text, registry, title) == doc_type


def test_doc_types_are_the_contract_values() -> None:
    assert set(DOC_TYPES) == {
        "tjänsteutlåtande", "protokoll", "kallelse", "pressmeddelande", "artikel", "rapport",
        "skrivelse", "motion", "remissvar", "beslut", "other",
    }  # fmt: skip


def test_a_decision_section_is_not_a_decision_document(registry: Registry) -> None:
    text = "Rapport om hemlöshet\n\nInledning\n\nText.\n\nBakgrund\n\nText.\n\nBeslut\n\nNämnden godkänner."
    assert classify(text, registry, "Rapport om hemlöshet") == "rapport"
