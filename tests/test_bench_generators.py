"""The benchmark generators make what the benchmarks claim: PDFs whose text extracts
back to their source words (å, ä, ö included), and the quality measures score right.
No timings here: speed is for ``python -m bench``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))

pytest.importorskip("reportlab")

from bench.pdfs import PdfGenerator, hyphenation_points, tokens  # noqa: E402
from bench.pdftext import bigrams_kept, lcs_length, matched_words, page_texts  # noqa: E402
from indexer.clean import clean_pages  # noqa: E402
from indexer.extract import extract  # noqa: E402


@pytest.fixture(scope="module")
def generator() -> PdfGenerator:
    return PdfGenerator(seed=7, pages_per_pdf=2)


def recall(source: list[str], extracted: list[str]) -> float:
    return matched_words(source, extracted) / len(source)


def test_two_column_pdf_extracts_to_its_source_words(generator: PdfGenerator, tmp_path: Path) -> None:
    source = generator.write(0, tmp_path, style="two", order="stream")
    extracted = extract(source.path)
    text, starts = clean_pages(extracted.pages)

    assert [page.columns for page in source.pages] == [2, 2]
    assert len(extracted.pages) == 2
    # The PDF really breaks words at line ends ("kon-" / "takter") ...
    assert any(line.endswith("-") for page in extracted.pages for line in page.splitlines())
    # ... and cleaning puts them back: the source words come out, page by page.
    for page, clean in zip(source.pages, page_texts(text, starts), strict=True):
        words = tokens(page.text)
        assert len(words) > 200
        assert recall(words, tokens(clean)) >= 0.99


def test_swedish_letters_survive(generator: PdfGenerator, tmp_path: Path) -> None:
    source = generator.write(1, tmp_path, style="one")
    text, _ = clean_pages(extract(source.path).pages)

    swedish = {w for page in source.pages for w in tokens(page.text) if set(w) & set("åäö")}
    assert len(swedish) > 20
    assert swedish <= set(tokens(text))
    assert "tjänsteutlåtande" in text.casefold()
    assert source.dnr in text


def test_running_header_and_page_numbers_are_not_source(generator: PdfGenerator, tmp_path: Path) -> None:
    source = generator.write(2, tmp_path)
    pages = extract(source.path).pages

    assert all(source.running_header.split()[0] in page for page in pages)
    assert all("Tjänsteutlåtande" not in page.text for page in source.pages)


def test_same_seed_same_pdf(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = PdfGenerator(seed=3, pages_per_pdf=1).write(5, tmp_path / "a")
    second = PdfGenerator(seed=3, pages_per_pdf=1).write(5, tmp_path / "b")

    assert first.pages == second.pages
    assert Path(first.path).read_bytes() == Path(second.path).read_bytes()


@pytest.mark.parametrize(
    ("word", "point"),
    [("kontakter", 3), ("förvaltningen", 3), ("socialtjänsten", 6), ("Stockholms", 5)],
)
def test_hyphenation_points(word: str, point: int) -> None:
    points = hyphenation_points(word)
    assert point in points
    assert all(2 <= p <= len(word) - 3 for p in points)


def test_short_words_and_codes_are_never_hyphenated() -> None:
    assert hyphenation_points("beslut") == []
    assert hyphenation_points("EU-medborgare") == []
    assert hyphenation_points("TJÄNSTEUTLÅTANDE") == []


def test_quality_measures() -> None:
    source = ["a", "b", "c", "d", "e", "f"]
    assert lcs_length(source, source) == 6
    assert lcs_length(source, ["a", "c", "e", "b", "d", "f"]) == 4
    assert lcs_length(source, []) == 0
    assert bigrams_kept(source, source) == 5
    assert bigrams_kept(source, ["a", "c", "e", "b", "d", "f"]) == 0
    assert matched_words(["i", "i", "och"], ["och", "i", "x"]) == 2
