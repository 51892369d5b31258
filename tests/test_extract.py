"""Extraction from real files: generated PDFs, encodings, HTML, and the shared test data."""

from __future__ import annotations

import codecs
import json
import os
import random
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypdfium2
import pytest
from conftest import CORPUS, SHARED, require_shared
from pdfgen import fonts, make_pdf
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from indexer.clean import clean_pages
from indexer.extract import Extracted, ExtractionError, extract, ocr, sniff

SWEDISH = "Socialtjänstnämnden i Hägersten-Liljeholmen beslutade om åtgärder för äldre – ”bra”."


@pytest.fixture(autouse=True)
def _text_layers_only() -> Iterator[None]:
    """These tests are about the files' own text; OCR has its own (tests/test_ocr*.py)."""
    ocr.configure("never")
    yield
    ocr.configure()


# -- PDF, generated with reportlab ------------------------------------------------------

REPORT_PAGES = [
    [
        "Syftet med studiebesöket i Baltikum var erfarenhetsutbyte och att skapa kon-",
        "takter, särskilt utifrån att de baltiska länderna från den 1 maj 2004 ingår i",
        "Europeiska unionen. Resan genomfördes med ledamöter och ersättare i nämnden.",
        "",
        "Bakgrund",
        "Socialtjänstnämnden beslutade under hösten 2003 att göra en studieresa till",
        "Baltikum under vecka 17 år 2004 tillsammans med tjänstemän från förvaltningen.",
    ],
    [
        "Förvaltningens synpunkter",
        "Det är alltid intressant och lärorikt att se hur man gör någon annanstans. Det",
        "finns alltid mycket att lära och kanske kan man även ge något tillbaka till dem.",
    ],
    [
        "Fortsatta kontakter",
        "Stockholms stad prioriterar arbetet inom UBC (Union of Baltic Cities) och Riga.",
    ],
]
TITLE = "Rapport om studieresa till Baltikum"
HEADER = "Socialtjänstförvaltningen   Dnr 115-239/2002"


@pytest.fixture
def report_pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "rapport.pdf", REPORT_PAGES, title=TITLE, header=HEADER,
                    metadata_title="Microsoft Word - TU 2004-11-24.doc")


def test_pdf_pages_title_and_swedish_letters(report_pdf: Path) -> None:
    result = extract(report_pdf)

    assert result.content_type == "application/pdf"
    assert len(result.pages) == 3
    assert result.title == TITLE
    assert not result.needs_ocr and result.warnings == []
    assert "Socialtjänstnämnden beslutade under hösten 2003" in result.pages[0]
    assert "skapa kon-\ntakter" in result.pages[0]
    assert "Förvaltningens synpunkter" in result.pages[1]
    assert "Sida 3 av 3" in result.pages[2]


def test_pdf_with_swedish_file_name(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "Tjänsteutlåtande Älvsjö 2004.pdf", [[SWEDISH]])
    assert SWEDISH in extract(path).pages[0]


def test_pdf_blocks_cover_the_first_two_pages_with_top_left_coordinates(report_pdf: Path) -> None:
    blocks = extract(report_pdf).blocks

    assert {b.page for b in blocks} == {1, 2}
    title = next(b for b in blocks if b.text == TITLE)
    assert title.page == 1 and title.bold and title.size == pytest.approx(20)
    header = next(b for b in blocks if b.page == 1 and b.text.startswith("Socialtjänstförvaltningen"))
    body = next(b for b in blocks if b.page == 1 and b.text.startswith("Syftet med studiebesöket"))
    assert "att skapa kon-\ntakter, särskilt" in body.text, "a line-end hyphen stays, as printed"
    assert not body.bold and body.size == pytest.approx(11)
    assert header.y0 < title.y0 < body.y0, "y grows downwards from the top of the page"
    assert header.y0 < 50 and header.x0 == pytest.approx(72)
    assert all(b.x0 < b.x1 and b.y0 < b.y1 for b in blocks)


def test_pdf_cleaned_pages_lose_header_and_page_numbers(report_pdf: Path) -> None:
    text, starts = clean_pages(extract(report_pdf).pages)

    assert text.count("Socialtjänstförvaltningen Dnr 115-239/2002") == 1
    assert "Sida" not in text
    assert "att skapa kontakter, särskilt utifrån" in text
    assert len(starts) == 3
    assert text[starts[1] :].startswith("Förvaltningens synpunkter\nDet är alltid intressant")
    assert text[starts[2] :] == (
        "Fortsatta kontakter\nStockholms stad prioriterar arbetet inom UBC (Union of Baltic Cities) och Riga."
    )


# Two columns of 24 lines, each line naming its column and row (so the order shows).
COLUMN_ROWS = 24
LEFT_COLUMN = [f"Vänster spalt rad {n:02} om förskolor i Rinkeby" for n in range(1, COLUMN_ROWS + 1)]
RIGHT_COLUMN = [f"Höger spalt rad {n:02} om bostäder i Hägersten" for n in range(1, COLUMN_ROWS + 1)]
SPANNING_HEADING = "Uppföljning av stadsdelsnämndens verksamhetsplan för år 2024"


def _two_column_pdf(path: Path, order: str, left: list[str], right: list[str],
                    left_width: float = 230, heading: str | None = SPANNING_HEADING) -> Path:
    """One A4 page: an optional heading across the page, then two columns of lines,
    drawn column after column (``order="columns"``) or row by row across both
    (``order="rows"``, as some layout tools do), and a page number."""
    regular, bold = fonts()
    pdf = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    if heading:
        pdf.setFont(bold, 14)
        pdf.drawCentredString(width / 2, height - 80, heading)
    left_x, right_x = 62, 62 + left_width + 20
    pieces = [(left_x, row, line) for row, line in enumerate(left)]
    pieces += [(right_x, row, line) for row, line in enumerate(right)]
    if order == "rows":
        pieces.sort(key=lambda piece: (piece[1], piece[0]))
    pdf.setFont(regular, 9.5)
    assert all(pdfmetrics.stringWidth(line, regular, 9.5) < left_width for line in left)
    for x, row, line in pieces:
        pdf.drawString(x, height - 120 - 13 * row, line)
    pdf.setFont(regular, 8)
    pdf.drawRightString(width - 62, 38, "Sida 1 av 1")
    pdf.save()
    return path


def _pdfium_page_text(path: Path) -> str:
    """pypdfium2's own text of page 1, line ends and hyphens as the extractor writes them."""
    document = pypdfium2.PdfDocument(path)
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    return re.sub(r"[\ufffe\x02]\r?\n?", "-\n", text).replace("\r\n", "\n")


def test_pdf_two_columns_drawn_row_by_row_read_column_by_column(tmp_path: Path) -> None:
    path = _two_column_pdf(tmp_path / "rader.pdf", "rows", LEFT_COLUMN, RIGHT_COLUMN)
    pdfium_alone = _pdfium_page_text(path)
    assert pdfium_alone.index(RIGHT_COLUMN[0]) < pdfium_alone.index(LEFT_COLUMN[1]), "pdfium reads across"

    page = extract(path).pages[0]

    lines = [line.strip() for line in page.splitlines() if line.strip()]
    assert lines == [SPANNING_HEADING, *LEFT_COLUMN, *RIGHT_COLUMN, "Sida 1 av 1"]


def test_pdf_two_columns_in_reading_order_keep_pdfium_text(tmp_path: Path) -> None:
    path = _two_column_pdf(tmp_path / "spalter.pdf", "columns", LEFT_COLUMN, RIGHT_COLUMN)
    page = extract(path).pages[0]

    assert page == _pdfium_page_text(path)
    assert page.index(LEFT_COLUMN[-1]) < page.index(RIGHT_COLUMN[0])


def test_pdf_one_column_page_keeps_pdfium_text(report_pdf: Path) -> None:
    assert extract(report_pdf).pages[0] == _pdfium_page_text(report_pdf)


def test_pdf_table_of_labels_and_values_stays_in_rows(tmp_path: Path) -> None:
    labels = [f"Ansvarig handläggare {n:02}" for n in range(1, COLUMN_ROWS + 1)]
    values = [f"Värde {n:02} för Skärholmens stadsdelsförvaltning och nämnd" for n in range(1, COLUMN_ROWS + 1)]
    path = _two_column_pdf(tmp_path / "tabell.pdf", "rows", labels, values, left_width=150, heading=None)
    page = extract(path).pages[0]

    assert page == _pdfium_page_text(path)
    assert all(f"{label} {value}" in page for label, value in zip(labels, values, strict=True))


def test_pdf_title_set_over_two_lines_from_a_real_tjansteutlatande() -> None:
    result = extract(CORPUS / "skarholmen-tjansteutlatande-trygg-i-skarholmen-2019.pdf")

    assert result.title == "Trygg i Skärholmen – slutrapport och förslag om fortsatt uppsökande arbete"
    title = next(b for b in result.blocks if b.text.startswith("Trygg i Skärholmen"))
    assert title.text.count("\n") == 1 and title.bold and title.size == pytest.approx(15)
    assert any(b.text == "Dnr SDN 2019/145" and b.size == pytest.approx(9) for b in result.blocks)


def test_pdf_title_falls_back_to_sensible_metadata(tmp_path: Path) -> None:
    pages = [["Detaljplanen omfattar kvarteret Hökarängen och angränsande gator."]]
    named = make_pdf(tmp_path / "a.pdf", pages, metadata_title="Detaljplan för Hökarängen")
    template = make_pdf(tmp_path / "b.pdf", pages, metadata_title="Microsoft Word - dok1.doc")
    file_name = make_pdf(tmp_path / "c.pdf", pages, metadata_title="c")
    untitled = make_pdf(tmp_path / "d.pdf", pages)

    assert extract(named).title == "Detaljplan för Hökarängen"
    assert extract(template).title is None
    assert extract(file_name).title is None
    assert extract(untitled).title is None


def test_pdf_without_text_layer_needs_ocr(tmp_path: Path) -> None:
    scan = make_pdf(tmp_path / "scan.pdf", [[], []], footer_page_numbers=False)
    result = extract(scan)

    assert result.needs_ocr
    assert result.pages == ["", ""]
    assert result.blocks == []

    mixed = extract(make_pdf(tmp_path / "mixed.pdf", [[SWEDISH], []], footer_page_numbers=False))
    assert mixed.needs_ocr and mixed.pages[1] == ""  # its drawn page may be a scan (OCR off here)
    assert mixed.text_sources == ["text", "none"]
    assert mixed.warnings == ["1 of 2 pages have no text layer: needs OCR (OCR is off: --ocr=never)"]


def test_pdf_with_owner_password_only_opens(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "owner.pdf", [[SWEDISH]], encrypt=("", "ägarlösen"))
    assert SWEDISH in extract(pdf).pages[0]


def test_pdf_with_user_password_is_refused(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "locked.pdf", [[SWEDISH]], encrypt=("hemligt", "ägarlösen"))
    with pytest.raises(ExtractionError, match=r"^encrypted PDF \(password required\)$"):
        extract(pdf)


def test_pdf_that_pdfium_cannot_read_falls_back_to_pdfminer(tmp_path: Path) -> None:
    data = make_pdf(tmp_path / "ok.pdf", [[SWEDISH]], footer_page_numbers=False).read_bytes()
    broken_tree = re.sub(rb"/Kids \[[^\]]*\]", b"/Kids [ 99 0 R ]", data)
    assert broken_tree != data
    (tmp_path / "broken.pdf").write_bytes(broken_tree)

    result = extract(tmp_path / "broken.pdf")
    assert result.pages == [SWEDISH]
    assert any("pdfminer" in warning for warning in result.warnings)


def test_truncated_pdf_is_a_broken_file(tmp_path: Path) -> None:
    data = make_pdf(tmp_path / "ok.pdf", REPORT_PAGES).read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(data[: len(data) // 2])
    with pytest.raises(ExtractionError, match=r"^damaged PDF: broken or truncated file structure$"):
        extract(tmp_path / "truncated.pdf")


def test_random_bytes_named_pdf(tmp_path: Path) -> None:
    (tmp_path / "noise.pdf").write_bytes(random.Random(7).randbytes(20_000))
    with pytest.raises(ExtractionError, match=r"^not a PDF: "):
        extract(tmp_path / "noise.pdf")


# -- sniffing: content wins over the extension -----------------------------------------------


@pytest.mark.parametrize(
    ("head", "filename", "content_type"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "rapport.txt", "application/pdf"),
        (b"<!DOCTYPE html>\n<html lang=sv>", "sida.txt", "text/html"),
        (b"\xef\xbb\xbf  <html><body>", "sida", "text/html"),
        ("<!doctype html><title>Å</title>".encode("utf-16"), "sida.txt", "text/html"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE html><html>', "sida.xhtml", "text/html"),
        (b'<?xml version="1.0"?>\n<dokument><titel>', "prop.xml", "application/xml"),
        (b"\r\n<!--[if HTML5]><![endif]-->\r\n<!DOCTYPE html>", "landningssida", "text/html"),
        (b"<div class='notis'>Ett fragment utan doctype</div>", "fragment.txt", "text/html"),
        (b"<dokumentstatus><dokument>\r\n <hangar_id>3322</hangar_id>", "index.xml", "application/xml"),
        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", "index.rdf", "application/xml"),
        (b"Ett fragment <p>utan</p> doctype", "fragment.html", "text/html"),
        (b"Ett fragment <p>utan</p> doctype", "fragment.txt", "text/plain"),
        (b"<Ingen rubrik> stod det i mejlet", "notis.txt", "text/plain"),
        ("Beslut om bygglov för Åsnens nationalpark".encode("cp1252"), "beslut.pdf", "text/plain"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "bild.txt", "image/png"),
        (b"PK\x03\x04\x14\x00\x06\x00", "dom.docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "dom.doc", "application/msword"),
        (bytes(range(256)), "data.txt", "application/octet-stream"),
    ],
)
def test_sniff(head: bytes, filename: str, content_type: str) -> None:
    assert sniff(head, filename) == content_type


def test_pdf_named_txt_is_read_as_pdf(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "x.pdf", [[SWEDISH]])
    disguised = tmp_path / "rapport.txt"
    disguised.write_bytes(pdf.read_bytes())
    result = extract(disguised)
    assert result.content_type == "application/pdf" and SWEDISH in result.pages[0]


def test_html_named_txt_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "sida.txt"
    path.write_text("<!DOCTYPE html><html><head><title>Bygglov</title></head>"
                    "<body><p>Ansökan om bygglov &auml;r beviljad.</p></body></html>", encoding="utf-8")
    result = extract(path)
    assert result.content_type == "text/html"
    assert result.pages == ["Ansökan om bygglov är beviljad."]
    assert result.title == "Bygglov"


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "tom.txt", "empty file"),
        (b"", "tom.pdf", "empty file"),
        (b"  \n\t\r\n  \n", "blank.txt", "empty file"),
        ("\n \n".encode("utf-16"), "blank16.txt", "empty file"),
        (bytes(random.Random(1).randbytes(5000)), "brus.txt", "not text: binary content"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "bild.txt", "damaged or unreadable image"),
        (b"PK\x03\x04" + bytes(100), "dom.docx", "not a Word document: broken zip container"),
        (b"PK\x03\x04" + bytes(100), "arkiv.zip", "broken zip archive: File is not a zip file"),
        (b"7z\xbc\xaf\x27\x1c" + bytes(100), "arkiv.7z", "unsupported file type (application/x-7z-compressed)"),
        (b"<html><body><script>var a = 1;</script></body></html>", "tom.html", "HTML document has no text"),
    ],
)
def test_unreadable_files_give_one_line_reasons(tmp_path: Path, data: bytes, name: str, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ExtractionError) as info:
        extract(path)
    assert str(info.value) == reason


def test_missing_file_and_folder_are_extraction_errors(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="^cannot read file"):
        extract(tmp_path / "finns-inte.txt")
    with pytest.raises(ExtractionError, match="^cannot read file"):
        extract(tmp_path)


# -- plain text ------------------------------------------------------------------------------


LATIN1_TEXT = SWEDISH.replace("–", "-").replace("”", '"') + "\n"


@pytest.mark.parametrize(
    ("bom", "codec", "text", "encoding"),
    [
        (b"", "utf-8", SWEDISH + "\n", "utf-8"),
        (codecs.BOM_UTF8, "utf-8", SWEDISH + "\n", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", SWEDISH + "\n", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", SWEDISH + "\n", "utf-16-be"),
        (b"", "utf-16-le", SWEDISH + "\n", "utf-16-le"),
        (b"", "utf-16-be", SWEDISH + "\n", "utf-16-be"),
        (b"", "cp1252", SWEDISH + "\n", "cp1252"),
        (b"", "iso-8859-1", LATIN1_TEXT, "iso-8859-1"),
    ],
)
def test_text_encodings_come_back_exactly(tmp_path: Path, bom: bytes, codec: str, text: str, encoding: str) -> None:
    path = tmp_path / "text.txt"
    path.write_bytes(bom + text.encode(codec))
    result = extract(path)
    assert result.pages == [text]
    assert result.encoding == encoding
    assert result.content_type == "text/plain"


def test_cp1252_is_not_mojibake_and_utf8_is_never_read_as_cp1252(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_bytes("Socialtjänstnämnden, Hökarängen\n".encode("cp1252"))
    (tmp_path / "new.txt").write_bytes("Socialtjänstnämnden, Hökarängen\n".encode())

    assert extract(tmp_path / "old.txt").pages == ["Socialtjänstnämnden, Hökarängen\n"]
    new = extract(tmp_path / "new.txt")
    assert new.pages == ["Socialtjänstnämnden, Hökarängen\n"] and new.encoding == "utf-8"


def test_utf8_with_a_stray_cp1252_line_stays_utf8(tmp_path: Path) -> None:
    path = tmp_path / "hopklippt.txt"
    path.write_bytes("Socialtjänstnämnden i Hökarängen – ”beslut”\n".encode() + "Älvsjö stadsdel\n".encode("cp1252"))
    result = extract(path)
    assert result.pages == ["Socialtjänstnämnden i Hökarängen – ”beslut”\nÄlvsjö stadsdel\n"]
    assert result.encoding == "utf-8"
    assert result.warnings == ["2 bytes that are not UTF-8 read as cp1252"]


def test_text_spaces_controls_and_form_feed_pages(tmp_path: Path) -> None:
    path = tmp_path / "protokoll.txt"
    path.write_text("Sida ett:\u00a0beslut\x07 fattat\u2003nu\r\n\fSida två\tmed tabb\f", encoding="utf-8")
    result = extract(path)
    assert result.pages == ["Sida ett: beslut fattat nu\n", "Sida två\tmed tabb"]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# Åsnens nationalpark\n\nRegeringen har beslutat...\n", "Åsnens nationalpark"),
        ("Socialtjänstförvaltningen\n\nDNR 115-239/2002\n\n**Rapport angående genomförda aktiviteter\n"
         "inom Europaforum**\n\nBeslut\n", "Rapport angående genomförda aktiviteter inom Europaforum"),
        ("Alliansen i Stockholms stad\n\nSatsning på lokala utvecklingsarbeten\n", None),
        ("Text först.\n" + "x" * 2000 + "\n**Sent i texten**\n", None),
    ],
)
def test_text_title_from_markdown(tmp_path: Path, text: str, title: str | None) -> None:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    assert extract(path).title == title


# -- HTML ------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8">
<title>Bygglov för tillbyggnad | Stockholms stad</title>
<style>p { color: red }</style><script>var meny = "Meny";</script></head>
<body>
<header><h1>Stockholms stad</h1><nav><ul><li><a href="/">Start</a></li><li>Kontakt</li></ul></nav></header>
<div class="wrap"><main>
  <article><header><h1>Bygglov för   tillbyggnad</h1></header>
  <p>Nämnden beviljar <b>bygglov</b> för
     tillbyggnad&nbsp;av enbostadshus.</p>
  <p>Villkor:<br>Startbesked krävs.</p>
  <ul><li>Ritningar</li><li>Kontrollplan</li></ul>
  <table><tr><td>Dnr</td><td>2013-1234</td></tr></table>
  <form><input name="q"><button>Sök</button><select><option>Alla</option></select></form>
  <noscript>Aktivera JavaScript</noscript>
  </article>
</main>
<aside>Relaterade sidor</aside></div>
<footer>Stockholms stad, 105 35 Stockholm</footer>
</body></html>
"""


def _html(tmp_path: Path, markup: str | bytes, name: str = "sida.html") -> Extracted:
    path = tmp_path / name
    path.write_bytes(markup.encode("utf-8") if isinstance(markup, str) else markup)
    return extract(path)


def test_html_main_content_paragraphs_and_title(tmp_path: Path) -> None:
    result = _html(tmp_path, PAGE)

    assert result.content_type == "text/html"
    assert result.title == "Bygglov för tillbyggnad"
    assert result.pages == [
        "Bygglov för tillbyggnad\n\n"
        "Nämnden beviljar bygglov för tillbyggnad av enbostadshus.\n\n"
        "Villkor:\nStartbesked krävs.\n\n"
        "• Ritningar\n• Kontrollplan\n\n"
        "Dnr 2013-1234"
    ]
    assert result.encoding == "utf-8"


def test_html_without_main_drops_page_chrome(tmp_path: Path) -> None:
    markup = PAGE.replace("<main>", "<section>").replace("</main>", "</section>")
    markup = markup.replace("<article>", "<div>").replace("</article>", "</div>")
    result = _html(tmp_path, markup)
    page = result.pages[0]

    assert page.startswith("Nämnden beviljar"), "headers are chrome outside the main content"
    assert result.title == "Bygglov för tillbyggnad", "<title> without its site suffix"
    for chrome in ("Start", "Kontakt", "Relaterade sidor", "105 35 Stockholm", "Meny", "color", "Sök",
                   "Alla", "JavaScript"):
        assert not re.search(rf"\b{chrome}\b", page), chrome


def test_html_role_main_closes_with_its_own_element(tmp_path: Path) -> None:
    markup = ("<html><body><div role='main'><div><p>Innehåll ett<p>Innehåll två</div></div>"
              "<div>Sidfot utanför</div></body></html>")
    assert _html(tmp_path, markup).pages == ["Innehåll ett\n\nInnehåll två"]


@pytest.mark.parametrize(
    ("head", "body", "title"),
    [
        ("<title>Protokoll 2013-06-25</title>", "<h1>Socialnämnden</h1>", "Protokoll 2013-06-25"),
        ("<title>Detaljplan - Regeringen.se</title>", "<h1>Detaljplan för Hökarängen</h1>",
         "Detaljplan för Hökarängen"),
        ("<title>Detaljplan | Stockholms stad</title>", "<p>Ingen rubrik</p>", "Detaljplan"),
        ("<title>Rinkeby - Kista</title>", "<p>Ingen rubrik</p>", "Rinkeby - Kista"),
        ("", "<h1>Endast &aring;tg&auml;rder</h1>", "Endast åtgärder"),
        ("<title> </title>", "<p>Text utan rubrik</p>", None),
    ],
)
def test_html_title(tmp_path: Path, head: str, body: str, title: str | None) -> None:
    markup = f"<html><head>{head}</head><body>{body}<p>Brödtext.</p></body></html>"
    assert _html(tmp_path, markup).title == title


def test_html_declared_latin1_charset(tmp_path: Path) -> None:
    markup = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
              "<title>Förordning</title></head><body><p>Lag om åtgärder – ändring</p></body></html>")
    result = _html(tmp_path, markup.encode("cp1252"))
    assert result.title == "Förordning"
    assert result.pages == ["Lag om åtgärder – ändring"]
    assert result.encoding == "cp1252"


def test_html_other_declared_charsets_are_honoured(tmp_path: Path) -> None:
    markup = '<meta charset="iso-8859-15"><p>Avgift 500 € för åtgärden</p>'
    result = _html(tmp_path, markup.encode("iso-8859-15"))
    assert result.pages == ["Avgift 500 € för åtgärden"]
    assert result.encoding == "iso8859-15"


def test_html_valid_utf8_wins_over_a_stale_declaration(tmp_path: Path) -> None:
    markup = "<meta charset='iso-8859-1'><p>Lag om åtgärder</p>"
    result = _html(tmp_path, markup.encode("utf-8"))
    assert result.pages == ["Lag om åtgärder"]
    assert result.warnings == ["declared charset iso-8859-1 but the content is UTF-8"]


def test_html_deeply_nested(tmp_path: Path) -> None:
    depth = 100_000
    markup = "<html><body>" + "<div>" * depth + "<p>Djupt ner</p>" + "</div>" * depth + "<p>Efter</p></body></html>"
    assert _html(tmp_path, markup).pages == ["Djupt ner\n\nEfter"]


# -- the shared test data --------------------------------------------------------------------

TORTURE = SHARED / "testdata" / "pdf-torture"
FERENDA = SHARED / "testdata" / "swedish-gov" / "ferenda"
#: Seconds one file may take; the torture set as a whole takes ~10 s.
PER_FILE_SECONDS = 30


class _TooSlow(BaseException):
    """Raised by the alarm; a BaseException so no extractor can swallow it."""


@contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise _TooSlow(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _shared_pdfs() -> list[str]:
    """Every torture PDF and ferenda PDF, relative to testdata/ (the folder itself if
    absent, so that the test skips, or fails in CI)."""
    paths = list(TORTURE.rglob("*.pdf")) + [p for p in FERENDA.rglob("*") if p.suffix.lower() == ".pdf"]
    return sorted(str(p.relative_to(SHARED / "testdata")) for p in paths) or ["pdf-torture"]


# Encrypted files with a user password; all others open (pdfium tries the empty password).
NEEDS_PASSWORD = {
    *(f"pdfminer-samples/encryption/{name}.pdf"
      for name in ("aes-128", "aes-128-m", "aes-256", "aes-256-m", "aes-256-r6", "rc4-40", "rc4-128")),
    *(f"pypdf-resources/resources/{name}.pdf"
      for name in ("crazyones-encrypted-256", "encrypted-file", "libreoffice-writer-password")),
    *(f"pypdf-resources/resources/encryption/{name}.pdf"
      for name in ("r2-user-password", "r3-user-password", "r4-user-password", "r4-aes-user-password",
                   "r5-user-password", "r6-user-password", "r6-both-passwords")),
}


@pytest.mark.parametrize("relative", _shared_pdfs(), ids=str)
def test_shared_pdf_extracts_or_fails_with_one_line(relative: str) -> None:
    path = require_shared(f"testdata/{relative}")
    with _time_limit(PER_FILE_SECONDS):
        try:
            result = extract(path)
        except ExtractionError as exc:
            message = str(exc)
            assert message and "\n" not in message and len(message) < 200
            key = relative.removeprefix("pdf-torture/")
            if key in NEEDS_PASSWORD:
                assert message == "encrypted PDF (password required)"
            else:
                pytest.fail(f"{relative} failed: {message}")
            return
    assert relative.removeprefix("pdf-torture/") not in NEEDS_PASSWORD
    assert result.content_type == "application/pdf"
    assert result.pages and all(isinstance(page, str) for page in result.pages)
    assert len(result.text_sources) == len(result.pages)
    assert result.needs_ocr == ("none" in result.text_sources)  # a page that looks scanned, unread


@pytest.mark.parametrize(
    "name", ["r2-empty-password", "r3-empty-password", "r5-empty-password", "r6-empty-password",
             "r2-owner-password", "r4-owner-password", "r6-owner-password", "r4-aes-v2-no-key-length"],
)
def test_pdfs_encrypted_with_empty_user_password_extract(name: str) -> None:
    path = require_shared(f"testdata/pdf-torture/pypdf-resources/resources/encryption/{name}.pdf")
    assert "pdf encryption test" in extract(path).pages[0]


@pytest.mark.parametrize("name", ["pdfreader/scanned.pdf", "pdfreader/scanned-ecma-99.pdf",
                                  "repo/propregeringen/source/1b5df88d.PDF"])
def test_ferenda_scanned_pdfs_need_ocr(name: str) -> None:
    result = extract(require_shared(f"testdata/swedish-gov/ferenda/{name}"))
    assert result.needs_ocr and len(result.pages) >= 2 and not any(result.pages)


def test_ferenda_remissvar_title_spans_three_lines() -> None:
    result = extract(require_shared("testdata/swedish-gov/ferenda/remisser/instance.pdf"))
    assert result.title == ("Remissvar gällande betänkandet En moderniserad reglering av handel med "
                            "ädelmetallarbeten (SOU 2026:14)")
    assert any(b.text == "Dnr 3.1-4788-2026" and b.size == pytest.approx(8) for b in result.blocks)


def test_ferenda_kommittedirektiv_text_and_hyphenation() -> None:
    path = "testdata/swedish-gov/ferenda/repo/dirregeringen/downloaded/2016/15/dir.-201615-dataskyddsforordningen.pdf"
    result = extract(require_shared(path))
    assert len(result.pages) == 28
    assert "Dataskyddsförordningen" in result.pages[0]
    text, starts = clean_pages(result.pages)
    assert "personuppgiftsbehandling" in text and len(starts) == 28
    assert not re.search(r"[^\W\d_]-\n[a-zåäö]", text), "hyphenated line ends are rejoined"


def test_ferenda_sfs_latin1_html_decodes() -> None:
    folder = require_shared("testdata/swedish-gov/ferenda/repo/sfs.legacy")
    files = sorted(folder.rglob("*.html"))
    assert len(files) >= 10
    for path in files:
        page = extract(path).pages[0]
        assert re.search("[åäö]", page), path
        assert "Ã" not in page and "\ufffd" not in page, path
    law = extract(folder / "downloaded" / "2013" / "460.html")
    assert law.encoding == "cp1252"
    assert "Rubrik: Kameraövervakningslag (2013:460)" in law.pages[0]
    assert "Observera att det kan förekomma fel i författningstexterna." in law.pages[0]


def test_regeringen_markdown_titles() -> None:
    folder = require_shared("testdata/swedish-gov/regeringen")
    entries = [json.loads(line) for line in (folder / "metadata.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(entries) > 200
    for entry in entries:
        result = extract(folder / entry["file"])
        assert result.title == " ".join(entry["title_h1"].split()), entry["file"]
        assert result.encoding == "utf-8"


def test_time_limit_helper_interrupts() -> None:
    """The torture test's guard really stops a runaway extraction."""
    with pytest.raises(_TooSlow), _time_limit(1):
        while True:
            os.getpid()


def _write_docx(path: Path, paragraphs: list[tuple[str, str]], core_title: str | None) -> Path:
    """A minimal real .docx: (style, text) paragraphs; style "pagebreak" breaks the page."""
    import zipfile

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = []
    for style, text in paragraphs:
        if style == "pagebreak":
            body.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
            continue
        ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        body.append(f"<w:p>{ppr}<w:r><w:t>{text}</w:t></w:r></w:p>")
    document = f'<w:document xmlns:w="{w}"><w:body>{"".join(body)}</w:body></w:document>'
    core = (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{core_title or ''}</dc:title></cp:coreProperties>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
        archive.writestr("docProps/core.xml", core)
    return path


def test_docx_paragraphs_pages_and_title(tmp_path: Path) -> None:
    path = _write_docx(
        tmp_path / "beslut.docx",
        [
            ("Rubrik", "Riktlinjer för ekonomiskt bistånd"),
            ("", "Socialnämnden föreslås anta riktlinjerna."),
            ("pagebreak", ""),
            ("", "Bilaga: Riksnormen för 2024 är höjd."),
        ],
        core_title="Normal",
    )
    extracted = extract(path)
    assert extracted.content_type.endswith("wordprocessingml.document")
    assert extracted.title == "Riktlinjer för ekonomiskt bistånd"
    assert len(extracted.pages) == 2
    assert "Socialnämnden föreslås anta" in extracted.pages[0]
    assert "Riksnormen för 2024" in extracted.pages[1]


def test_docx_that_is_not_a_word_file_fails_clearly(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "fel.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hej.txt", "inte word")
    with pytest.raises(ExtractionError, match="not a Word document"):
        extract(path)


def test_real_swedish_docx_extracts() -> None:
    path = require_shared("testdata/swedish-gov/ferenda/repo/dv/downloaded/ADO/2013-63.docx")
    extracted = extract(path)
    assert "Arbetsdomstolen" in extracted.pages[0]
    assert extracted.title != "ReferatLagrummet"
