"""The shortcuts that make metadata extraction cheap give exactly what the full work gives.

Each shortcut skips or narrows a costly step when a cheap test shows it cannot find
anything: a hint searched before a cue, a pattern matched in the folded text, a
character scan before Unicode clean-up, shingles hashed as slices of one byte string.
These tests check the claim each one rests on, on the cases that could break it
(any case, ı ſ İ K Å, short texts, odd characters).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib

import pytest

from archive.swedish import fold_case
from indexer.clean import _ODD_CHARACTER, normalise_characters
from indexer.metadata import dates, default_registry, doctype, people
from indexer.metadata.duplicates import _shingle_crcs, shingles, signature

#: Lines with dates, cues and names as documents write them.
LINES = [
    "Handläggare: Anna Berg",
    "Förvaltningens synpunkter",
    "Förslag till beslut",
    "Bakgrund",
    "I detta ärende föreslås att",
    "föreliggande ärende",
    "TJÄNSTEUTLÅTANDE",
    "Socialnämnden kallas härmed till sammanträde",
    "Jag föreslår att fullmäktige beslutar",
    "Presskontakt: Per Ek",
    "För mer information kontakta",
    "– Det här är en mycket bra dag för staden, säger hon.",
    "Det berättar Anna König Jerlmyr, ordförande och gruppledare (M).",
    "säger socialborgarrådet Anna König Jerlmyr (M)",
    "Johan Almqvist, socialdirektör",
    "Stina Bengtsson (C) menar Lars-Göran von Berg",
    "Sammanträdesdatum 2024-04-18 – 2024-04-20",
    "den 24 november 2004",
    "nov. 2004",
    "June 25, 2013",
    "den 20 – 23 april",
    "20 april – 3 maj 2004",
    "24/11 2004",
    "24.11.2004",
    "vecka 17 år 2004",
    "v. 12",
    "v.12-14",
    "week 3, 2019",
    "augusti 2004",
    "hösten 2003",
    "i början av 2004",
    "2018 års budget",
    "2 majoriteten 2004",
    "3 marsch 2004",
    "https://www.example.se/2013/06/25/protokoll",
]
_ODD_LETTERS = {"i": "ı", "s": "ſ", "k": "\u212a", "å": "\u212b"}


def _variants(line: str) -> list[str]:
    """The line as written, in capitals, in lowercase, and with the letters that
    ``re.I`` matches but ``str.lower`` does not make plain (ı ſ İ K Å)."""
    odd = "".join(_ODD_LETTERS.get(c, c) for c in line)
    return [line, line.upper(), line.lower(), odd, odd.upper(), line.replace("i", "İ")]


STRESS = [variant for line in LINES for variant in _variants(line)]
STRESS.append("\n".join(STRESS))


@pytest.mark.parametrize(
    "index", [i for i, (_, folded, _, _) in enumerate(dates._PATTERNS) if folded]
)
def test_folded_date_patterns_match_where_ignoring_case_would(index: int) -> None:
    _, _, pattern, _ = dates._PATTERNS[index]
    ignoring_case = re.compile(pattern.pattern, re.I)
    for text in STRESS:
        expected = [m.span() for m in ignoring_case.finditer(text)]
        assert [m.span() for m in pattern.finditer(fold_case(text))] == expected, text


def test_date_hints_match_wherever_their_pattern_does() -> None:
    for _, folded, pattern, needs in dates._PATTERNS:
        if needs is None:
            continue
        for text in STRESS:
            if pattern.search(fold_case(text) if folded else text):
                assert needs.search(fold_case(text)), (pattern.pattern, text)


def test_dates_in_capitals_and_odd_letters() -> None:
    assert [m.date for m in dates.find_dates("DEN 24 NOVEMBER 2004")] == ["2004-11-24"]
    assert [m.date for m in dates.find_dates("NOV. 2004 och HÖSTEN 2003")] == ["2004-11", "2003"]
    assert [m.date for m in dates.find_dates("Beslut ſedan 2004")] == ["2004"]


@pytest.mark.parametrize(
    "cue",
    [
        doctype._NOTICE,
        *doctype._MEMO_CUES,
        doctype._MOTION,
        doctype._PRESS_CONTACT,
        doctype._QUOTE,
        doctype._SPEECH,
    ],
    ids=lambda cue: cue.pattern.pattern[:30],
)
def test_doctype_hints_match_wherever_their_cue_does(cue: doctype._Cue) -> None:
    found = 0
    for text in STRESS:
        if cue.pattern.search(text):
            found += 1
            within = fold_case(text) if cue.pattern.flags & re.I else text
            assert any(hint.search(within) for hint in cue.hints), text
            assert cue.search(text, fold_case(text))
    assert found


def test_every_people_cue_needs_two_name_parts() -> None:
    index = default_registry().people_index
    cues = [index.labelled, index.role_after, index.role_before, index.with_party, index.quoted]
    found = 0
    for text in STRESS:
        if any(cue.search(text) for cue in cues):
            found += 1
            assert people._TWO_NAME_PARTS.search(text), text
    assert found


@pytest.mark.parametrize(
    "index, written",
    [
        (
            6,
            rf"\b(?P<m>{dates._MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>{dates._YEAR})\b",
        ),
        (10, rf"\b(?P<m>{dates._MONTH})\s+(?P<y>{dates._YEAR})\b"),
    ],
)
def test_folded_month_patterns_match_as_the_written_ones(index: int, written: str) -> None:
    """The month patterns as they were written for the text itself, with a lookahead
    that tells case apart ("(?![a-zåäö])"), find the same: whitespace follows the month."""
    _, _, pattern, _ = dates._PATTERNS[index]
    for text in STRESS:
        expected = [m.span() for m in re.finditer(written, text)]
        assert [m.span() for m in pattern.finditer(fold_case(text))] == expected, text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ett",
        "ett två tre fyra",
        "ett två tre fyra fem",
        "Åtgärder för äldre — öppna jämförelser, 2004 års nivå",
        "ord_med_understreck och kon-\ntakter i Malmö",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ord 𝟙𝟚 utanför BMP och ſ ı İ K",
        "upprepning " * 40,
    ],
)
def test_shingle_crcs_are_the_crcs_of_the_shingles(text: str) -> None:
    assert set(_shingle_crcs(text)) == {zlib.crc32(s.encode("utf-8")) for s in shingles(text)}


def test_signature_values_are_those_stored_in_catalogs() -> None:
    """Signatures live in users' catalogs: the numbers must never change."""
    text = (
        "Socialtjänstnämnden beslutade den 24 november 2004 att ge förvaltningen i uppdrag "
        "att utreda hemlösheten. Förvaltningens kon-\ntakter med Eurocities (ESWC) och "
        "Lissabonstrategin fortsätter; åtgärderna följs upp i Malmö, Göteborg och "
        "Skärholmen under 2005."
    )
    sig = signature(text)
    assert sig[:3] == [1128526539, 2769058074, 1478855182]
    digest = "02d0eb1abad51cceda84112fcca9235b66512bb456c3d3a5991bd14ee8681e39"
    assert hashlib.sha256(repr(sig).encode()).hexdigest() == digest
    short = "7ca47e45d49554bd6301940603445bbd196919bcc22579f48e827292f2b6f567"
    assert hashlib.sha256(repr(signature("ett två tre")).encode()).hexdigest() == short


def test_composing_never_makes_an_odd_character() -> None:
    """Text without odd characters is only composed (NFC): that must not make one."""
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF or _ODD_CHARACTER.match(chr(code)):
            continue
        composed = unicodedata.normalize("NFC", "a" + chr(code))
        assert not _ODD_CHARACTER.search(composed), hex(code)


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("plain text, å ä ö", "plain text, å ä ö"),
        ("a\u030a and e\u0301", "å and é"),
        ("no-break\u00a0space\r\nand \ufb01ne", "no-break space\nand fine"),
        ("soft\u00adhyphen and line\u00ad\nend", "softhyphen and lineend"),
        ("\uf0b7 bullet\u200b", "• bullet"),
    ],
)
def test_normalise_characters(raw: str, clean: str) -> None:
    assert normalise_characters(raw) == clean


#: Sentences in the style of the vocabulary's phrases (data/doctypes.toml), as pages write them.
STYLE_LINES = [
    "I propositionen föreslås ändringar i järnvägslagen.",
    "En särskild utredare ska se över bestämmelserna.",
    "Den särskilde utredaren får i uppdrag att",
    "Utredaren ska analysera förutsättningarna",
    "Uppdraget ska redovisas senast den 1 februari 2012.",
    "Det talade ordet gäller.",
    "Herr talman!",
    "Statsminister Ulf Kristerssons tal med anledning av våldsdådet",
    "Vid intresse från media, kontakta pressekreterare Linn Laurin.",
    "– Vi behöver en snabbare process, säger klimat- och miljöminister Romina Pourmokhtari.",
    "Reseavdragskommittén har i dag överlämnat sitt betänkande till regeringen.",
    "Integritetsskyddskommittén har haft i uppdrag att undersöka",
    "Här kan du ta del av de remissvar som kommit in till Justitiedepartementet",
    "Statsminister Ulf Kristersson, debattartikel, Dagens industri, den 8 november 2022.",
    "Arbetsmiljöverket meddelar följande föreskrifter",
    "Domsnummer: 2013-63 Målnummer: B-114-2012",
]


@pytest.mark.parametrize("line", [v for line in STYLE_LINES for v in _variants(line)])
def test_doctype_phrase_hints_are_in_every_text_their_phrase_matches(line: str) -> None:
    """A phrase's hint is a literal its regex opens with: wherever the regex matches the
    folded first page, the hint is in it (so the hint never hides a match)."""
    folded = fold_case(line)
    for phrase in default_registry().doc_type_index.phrases:
        if phrase.pattern.search(folded):
            assert phrase.hint in folded, (phrase.pattern.pattern, line)


def test_every_style_line_is_some_type() -> None:
    vocabulary = default_registry().doc_type_index
    assert all(vocabulary.by_phrases(fold_case(line)) for line in STYLE_LINES)
