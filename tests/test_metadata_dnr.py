"""Diarienummer and § numbers: every written form, normalised and verbatim."""

from __future__ import annotations

import pytest

from indexer.metadata.dnr import document_dnr, find_dnrs, find_paragraphs

# (text, [(normalised, verbatim)]) — forms seen in Swedish municipal documents.
CASES: list[tuple[str, list[tuple[str, str]]]] = [
    ("DNR 115-239/2002", [("115-239/2002", "115-239/2002")]),
    ("Dnr KS 2018/14", [("KS 2018/14", "KS 2018/14")]),
    ("Dnr 1.5.3-219-2012", [("1.5.3-219-2012", "1.5.3-219-2012")]),
    ("Dnr: 102-274-04", [("102-274-04", "102-274-04")]),
    ("Vårt ärende Kst/2012:214 gäller", [("Kst/2012:214", "Kst/2012:214")]),
    ("Dnr 2012- 182-3.1", [("2012-182-3.1", "2012- 182-3.1")]),
    ("§ 22 Dnr SN 2024/12\nGodkännande av föredragningslista", [("SN 2024/12", "SN 2024/12")]),
    (
        "Skärholmens stadsdelsförvaltning · Tjänsteutlåtande · Dnr SDN 2019/145",
        [("SDN 2019/145", "SDN 2019/145")],
    ),
    ("Diarienummer: 2019/1234.", [("2019/1234", "2019/1234")]),
    ("Vårt dnr 2003/45, ert dnr 12-2003-7", [("2003/45", "2003/45"), ("12-2003-7", "12-2003-7")]),
    ("Dnr SN 2024/12 … Dnr SN 2024/12", [("SN 2024/12", "SN 2024/12")]),
    (
        "Yttrande över remiss från Socialdepartementet\nDnr S2022/01234",
        [("S2022/01234", "S2022/01234")],
    ),
    # Not a dnr: phone numbers, dates, bill references, figures.
    ("Tfn: 508 25 612", []),
    ("TJÄNSTEUTLÅTANDE\n2004-11-24", []),
    ("Propositionen (prop. 2019/20:164) slår fast", []),
    ("16 av 20 dvs 80 %", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_find_dnrs(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(d.normalised, d.verbatim) for d in find_dnrs(text)] == expected


def test_document_dnr_is_the_header_one() -> None:
    text = "TJÄNSTEUTLÅTANDE\nDNR 115-239/2002\n" + "Text.\n" * 30 + "Se även dnr 2001/12."
    dnrs = find_dnrs(text)
    assert document_dnr(dnrs, header_end=40).normalised == "115-239/2002"


def test_minutes_have_no_single_dnr() -> None:
    dnrs = find_dnrs("§ 22 Dnr SN 2024/12\n\n§ 23 Dnr SN 2023/188")
    assert document_dnr(dnrs, header_end=100, doc_type="protokoll") is None
    assert document_dnr(dnrs[:1], header_end=100, doc_type="protokoll").normalised == "SN 2024/12"


# (text, § numbers) — minutes' paragraphs, not law references.
PARAGRAPHS: list[tuple[str, list[str]]] = [
    ("§ 64\nVal av justerare", ["64"]),
    ("Sekreterare ……… Sofia Grahn   Paragrafer §§ 21–28", [str(n) for n in range(21, 29)]),
    ("Protokollsutdrag § 64/20", ["64/20"]),
    ("§ 21\nVal av justerare\n\n§ 22 Dnr SN 2024/12", ["21", "22"]),
    ("enligt 4 kap. 34 § socialtjänstlagen", []),
    ("beslut enligt § 2 SoL", []),
    ("jfr 4 kap. § 3 kommunallagen", []),
]


@pytest.mark.parametrize(("text", "expected"), PARAGRAPHS, ids=[c[0][:30] for c in PARAGRAPHS])
def test_find_paragraphs(text: str, expected: list[str]) -> None:
    assert find_paragraphs(text) == expected
