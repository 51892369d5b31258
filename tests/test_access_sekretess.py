"""Sekretess markings: real marking forms make a document internal; talk about sekretess does not.

The marked examples follow the forms Swedish authorities use (OSL 5 kap. 5 §; the
older sekretesslagen 1980:100; säkerhetsskyddslagen's classes). The unmarked ones are
sentences and headings from real texts that discuss sekretess. Measured on the corpus
and ../shared/testdata/swedish-gov (324 texts, 8 of them discussing sekretess, e.g.
"statistiksekretess enligt 24 kap. 8 § offentlighets- och sekretesslagen"): none
carries a marking, and none is found.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, require_shared

from indexer.metadata.sekretess import sekretess_marking

HEADER = "Socialförvaltningen\nTjänsteutlåtande\nDnr 1.2.3-456/2024\n"
BODY = "\nUtredning om stöd till familjen\n\nFörvaltningen föreslår att nämnden beslutar …\n"

MARKED = [
    ("Sekretess enligt 26 kap. 1 § OSL", "Sekretess enligt 26 kap. 1 § OSL"),
    ("SEKRETESS enligt 26 kap. 1 § OSL", "SEKRETESS enligt 26 kap. 1 § OSL"),
    ("Sekretess enligt 26 kap. 1 § offentlighets- och sekretesslagen (2009:400)",
     "Sekretess enligt 26 kap. 1 § offentlighets- och sekretesslagen (2009:400)"),
    ("Hemlig enligt 21 kap. 7 § OSL", "Hemlig enligt 21 kap. 7 § OSL"),
    ("Hemlig enligt 18 kap. 1 § offentlighets- och sekretesslagen",
     "Hemlig enligt 18 kap. 1 § offentlighets- och sekretesslagen"),
    ("Sekr. enl. OSL 26:1", "Sekr. enl. OSL 26:1"),
    ("Sekretess enligt OSL 26 kap 1 §", "Sekretess enligt OSL 26 kap 1 §"),
    ("Sekretess enligt 7 kap. 4 § sekretesslagen (1980:100)",
     "Sekretess enligt 7 kap. 4 § sekretesslagen (1980:100)"),
    ("Uppgifter i denna handling omfattas av sekretess enligt 26 kap. 1 § OSL",
     "Uppgifter i denna handling omfattas av sekretess enligt 26 kap. 1 § OSL"),
    ("SEKRETESS", "SEKRETESS"),
    ("HEMLIG", "HEMLIG"),
    ("SEKRETESSBELAGD HANDLING", "SEKRETESSBELAGD HANDLING"),
    ("HEMLIG enligt 15 kap. 2 § OSL", "HEMLIG enligt 15 kap. 2 § OSL"),
    ("BEGRÄNSAT HEMLIG", "BEGRÄNSAT HEMLIG"),
    ("Sekretess enligt 26 kap. 1 § OSL   2024-03-19", "Sekretess enligt 26 kap. 1 § OSL"),
    ("Dnr SN 2024/17   Sekretess enligt 26 kap. 1 § OSL", "Sekretess enligt 26 kap. 1 § OSL"),
    ("HEMLIG   Datum 2024-05-02", "HEMLIG"),
]

NOT_MARKED = [
    "Uppgifterna omfattas av sekretess enligt 26 kap. 1 § OSL och redovisas därför inte.",
    "Sekretess enligt 26 kap. 1 § OSL gäller för uppgifter om enskildas personliga förhållanden.",
    "Nämnden beslutar att sekretess enligt 26 kap. 1 § OSL ska gälla.",
    "ska göras utanför sådan verksamhet som omfattas av statistiksekretess enligt 24 kap. 8 §",
    "Sekretess",
    "Sekretess och tystnadsplikt",
    "SEKRETESS OCH TYSTNADSPLIKT",
    "Sekretessprövning inför utlämnande av allmän handling",
    "HEMLIGHETEN BAKOM FRAMGÅNGEN",
    "Hemligt nummer och skyddad identitet",
    "Offentlighet och sekretess i kommunens verksamhet",
    "Beslut om sekretess enligt OSL fattas av den som har handlingen i sin vård.",
    "Sekretess enligt 26 kap. 1 § OSL – vad gäller?",
    "Kommunen tillämpar sekretess enligt OSL i ärenden om ekonomiskt bistånd.",
    "Sekretess enligt " + "26 kap. 1 § " * 12 + "x",  # odd lines end quickly too
    "Sekretess enligt " + "§" * 150,
]


@pytest.mark.parametrize(("marking", "reason"), MARKED)
def test_a_marking_in_the_header_makes_a_document_marked(marking: str, reason: str) -> None:
    assert sekretess_marking(f"{marking}\n{HEADER}{BODY}") == reason
    assert sekretess_marking(f"{HEADER}{marking}\n{BODY}") == reason


@pytest.mark.parametrize("line", NOT_MARKED)
def test_text_about_sekretess_is_not_a_marking(line: str) -> None:
    assert sekretess_marking(f"{HEADER}{line}\n{BODY}") is None
    assert sekretess_marking(f"{line}\n{HEADER}{BODY}") is None


def test_a_marking_at_the_top_of_a_later_page_counts_and_one_deep_in_a_page_does_not() -> None:
    filler = "".join(f"Rad {n} i utredningen om stödet.\n" for n in range(30))
    page_two = "Sekretess enligt 26 kap. 1 § OSL\nBilaga 2: utredning\n"
    text = HEADER + filler + page_two + filler
    start = len(HEADER + filler)
    assert sekretess_marking(text, [0, start]) == "Sekretess enligt 26 kap. 1 § OSL"
    assert sekretess_marking(text) is None  # one page: the line is deep inside it


def _texts(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in suffixes and p.is_file())


def test_no_false_markings_in_the_corpus_or_the_shared_government_texts() -> None:
    files = _texts(CORPUS, (".txt", ".html")) + _texts(
        require_shared("testdata/swedish-gov"), (".md", ".html", ".txt", ".xml")
    )
    discussing = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        discussing += "sekretess enligt" in text.lower()
        assert sekretess_marking(text) is None, path
    assert len(files) > 250 and discussing >= 1
