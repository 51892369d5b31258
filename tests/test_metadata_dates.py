"""Dates: every form, roles, year context, and the document's own dates (real snippets)."""

from __future__ import annotations

import pytest

from indexer.metadata.dates import decision_date, document_date, find_dates

# (text, every date mention expected as (date, end, role, verbatim)) — from the seeds,
# the corpus and regeringen.se pages.
CASES: list[tuple[str, list[tuple[str, str | None, str | None, str]]]] = [
    (
        "TJÄNSTEUTLÅTANDE\n2004-11-24\n\nSOCIALTJÄNSTNÄMNDEN\n2004-12-16\n\nDNR 115-239/2002",
        [
            ("2004-11-24", None, "document", "2004-11-24"),
            ("2004-12-16", None, "decision", "2004-12-16"),
        ],
    ),
    (
        "Pressmeddelande   •   Jun 25, 2013 06:00 CEST",
        [("2013-06-25", None, "published", "Jun 25, 2013")],
    ),
    (
        "Ärendet: http://insyn.stockholm.se/soc/document/2013-06-11/Dagordning/20/20_.pdf",
        [("2013-06-11", None, "meeting", "2013-06-11")],
    ),
    (
        "Läs mer: http://www.stockholm.se/nyheter/2013/06/25/satsning-pa-utveckling",
        [("2013-06-25", None, None, "/2013/06/25")],
    ),
    (
        "Socialtjänstnämnden beslutade under hösten 2003 att göra en studieresa till \n"
        "Baltikum under vecka 17 år 2004.",
        [
            ("2003", None, "decision", "hösten 2003"),
            ("2004-04-19", "2004-04-25", None, "vecka 17 år 2004"),
        ],
    ),
    (
        "särskilt utifrån att de baltiska länderna från den 1 \nmaj 2004 ingår i Eu-\n"
        "ropeiska Unionen (EU). Resan genomfördes den 20 – 23 april med deltagande",
        [
            ("2004-05-01", None, None, "1 maj 2004"),
            ("2004-04-20", "2004-04-23", None, "20 – 23 april"),
        ],
    ),
    ("Sammanträdesdatum: 2024-03-19", [("2024-03-19", None, "meeting", "2024-03-19")]),
    (
        "Justeringens plats och tid: Socialförvaltningen, 2024-03-26",
        [("2024-03-26", None, "justering", "2024-03-26")],
    ),
    (
        "Anslaget på stadens anslagstavla: 2024-03-27 – 2024-04-18",
        [("2024-03-27", "2024-04-18", "anslag", "2024-03-27 – 2024-04-18")],
    ),
    (
        "Sammanträde med socialnämnden\nDatum: tisdagen den 19 mars 2024\nTid: kl. 18.00",
        [("2024-03-19", None, "meeting", "19 mars 2024")],
    ),
    (
        "Beslutet fattades vid nämndens sammanträde den 22 november 2023.",
        [("2023-11-22", None, "meeting", "22 november 2023")],
    ),
    (
        "Till\nSkärholmens stadsdelsnämnd\nSammanträde 2019-05-23",
        [("2019-05-23", None, "meeting", "2019-05-23")],
    ),
    (
        "I ett transnationellt samarbete har en rapport utarbetats i augusti 2004",
        [("2004-08", None, None, "augusti 2004")],
    ),
    (
        "Regeringens utrikesdeklaration presenterades vid 2018 års utrikespolitiska debatt "
        "i riksdagen onsdagen den 14 februari.",
        [("2018", None, None, "2018 års"), ("2018-02-14", None, None, "14 februari")],
    ),
    ("Stockholm den 24 november 2004", [("2004-11-24", None, "document", "24 november 2004")]),
    ("Publicerad 25 June 2013", [("2013-06-25", None, "published", "25 June 2013")]),
    ("Konferensen hölls 20 april – 3 maj 2004 i Riga.", [("2004-04-20", "2004-05-03", None, "20 april – 3 maj 2004")]),
    ("Inkom 24/11 2004 och 3.12.2004.", [("2004-11-24", None, None, "24/11 2004"), ("2004-12-03", None, None, "3.12.2004")]),
    ("Våren 2004 vid Eurocities sociala kommitté", [("2004", None, None, "Våren 2004")]),
    ("Regeringen beslutade den 21 december 2009 kommittédirektiv", [("2009-12-21", None, "decision", "21 december 2009")]),
    ("Datum: 2004-11-24\n\nNästa möte hålls den 3 december.", [("2004-11-24", None, "document", "2004-11-24"), ("2004-12-03", None, "meeting", "3 december")]),
    # A date without a year and no year anywhere: never today's year.
    ("Nästa möte hålls den 3 december.", []),
    ("16 av 20 dvs 80 % har egenförsörjning; Tfn: 508 25 612; DNR 115-239/2002; 1 150 000kr", []),
    ("Ogiltigt: 2004-13-45 och 31 februari 2005", []),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_find_dates(text: str, expected: list[tuple[str, str | None, str | None, str]]) -> None:
    found = [(m.date, m.end, m.role, m.text) for m in find_dates(text)]
    assert found == expected


# (text, doc_type, document_date, decision_date)
SELECTION: list[tuple[str, str, str | None, str | None]] = [
    (
        "Socialtjänstförvaltningen\n\nTJÄNSTEUTLÅTANDE\n2004-11-24\n\nSOCIALTJÄNSTNÄMNDEN\n"
        "2004-12-16\n\nDNR 115-239/2002\n\nBakgrund\n\nÅr 2004 är på många sätt ett historiskt år.",
        "tjänsteutlåtande", "2004-11-24", "2004-12-16",
    ),
    (
        "TJÄNSTEUTLÅTANDE\n\nDnr SDN 2019/145\n\n2019-05-02\n\nTill\nSkärholmens stadsdelsnämnd\n"
        "Sammanträde 2019-05-23\n\nBakgrund\nStadsdelsnämnden beslutade den 16 februari 2017 "
        "att ansöka om projektmedel.",
        "tjänsteutlåtande", "2019-05-02", "2019-05-23",
    ),
    (
        "Pressmeddelande   •   Jun 25, 2013 06:00 CEST\n\nSocialnämnden i Stockholms stad har "
        "fattat beslut om att fördela cirka 2,5 miljoner kronor.\n\nÄrendet: "
        "http://insyn.stockholm.se/soc/document/2013-06-11/Dagordning/20/20_.pdf",
        "pressmeddelande", "2013-06-25", "2013-06-11",
    ),
    (
        "Pressmeddelande · 2023-11-28\n\nSocialnämnden i Malmö stad har fattat beslut om att utöka "
        "antalet akuta sovplatser. Beslutet fattades vid nämndens sammanträde den 22 november 2023.",
        "pressmeddelande", "2023-11-28", "2023-11-22",
    ),
    (
        "SAMMANTRÄDESPROTOKOLL\n\nSammanträdesdatum: 2024-03-19\n\nJusteringens plats och tid: "
        "Socialförvaltningen, 2024-03-26\n\n§ 25\nÄrendet bordläggs till nämndens sammanträde "
        "den 16 april 2024.",
        "protokoll", "2024-03-19", "2024-03-19",
    ),
    (
        "KALLELSE\n\nSammanträde med socialnämnden\nDatum: tisdagen den 19 mars 2024",
        "kallelse", "2024-03-19", "2024-03-19",
    ),
    # A press release about a decision that names no meeting: no decision date.
    (
        "Pressmeddelande 2013-06-25\n\nNämnden har fattat beslut om nya medel.",
        "pressmeddelande", "2013-06-25", None,
    ),
    # An article mentioning a date in passing has no document date.
    (
        "Internationalisera mera\n\nFrån den 1 maj 2004 ingår de baltiska länderna i EU.",
        "artikel", None, None,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "doc_type", "document", "decision"), SELECTION, ids=[c[1] for c in SELECTION]
)
def test_document_and_decision_dates(
    text: str, doc_type: str, document: str | None, decision: str | None
) -> None:
    mentions = find_dates(text, doc_type=doc_type)
    assert document_date(text, mentions, doc_type) == document
    assert decision_date(text, mentions, doc_type) == decision


def test_year_less_date_takes_the_document_year_before_a_distant_year() -> None:
    text = "Datum: 2004-11-24\n\nSlutrapport presenteras hösten 2005.\n\nVi ses den 3 december."
    dated = {m.text: m.date for m in find_dates(text)}
    assert dated["3 december"] == "2004-12-03"


def test_year_less_date_prefers_a_year_in_its_own_paragraph() -> None:
    text = "Datum: 2004-11-24\n\nI maj 2005 reste vi, och den 20 – 23 april hölls konferensen."
    ranged = [m for m in find_dates(text) if m.end]
    assert (ranged[0].date, ranged[0].end) == ("2005-04-20", "2005-04-23")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# Sänkta utsläpp\n\nStatsministern, debattartikel, Dagens industri, den 8 november 2022.\n\n"
         "Brödtext om elen 2045.", "2022-11-08"),
        ("Regeringens proposition\n\nStockholm den 18 april 2013\n\nFredrik Reinfeldt", "2013-04-18"),
        # a date inside running text is not the document's date
        ("Regeringen beslutade den 21 december 2009 att tillsätta en utredning om bostäder.", None),
        ("Uppdraget ska redovisas senast den 1 oktober 2010.", None),
    ],
)
def test_a_dateline_near_the_top_dates_the_document(text: str, expected: str | None) -> None:
    assert document_date(text, find_dates(text)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # Letters that match a month name only case-insensitively (a dotless ı, a long ſ).
    ("Beslutet fattades den 2 aprıl 2024 av nämnden.", ["2024-04-02"]),
    ("Ärendet avgjordes 14 auguſt 2023.", ["2023-08-14"]),
    # A month name in capitals is a date; the start of a longer word in capitals is not.
    ("MÖTET HÖLLS 2 MAJ 2024 I RÅDHUSET.", ["2024-05-02"]),
    ("PUNKT 2 MAJORITETEN BESLUTADE.", []),
    ("3 MARSCHER GENOM STADEN UNDER 2019.", ["2019"]),
])
def test_month_names_in_any_case_and_letters(text: str, expected: list[str]) -> None:
    assert [m.date for m in find_dates(text)] == expected
