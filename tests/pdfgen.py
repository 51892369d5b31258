"""Generate real PDFs with reportlab, for tests and the synthetic corpus.

``make_pdf`` lays out pages the way a municipal report looks to an extractor: an
optional large bold title on page 1, a small running header on every page, body lines
set one by one (so a line ending in "kon-" stays hyphenated in the PDF) and a
"Sida N av M" footer. Text is set in DejaVu Sans when the system has it (full Unicode,
embedded with a ToUnicode map), else in Helvetica, whose WinAnsi encoding still covers
å ä ö é.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
MARGIN = 72.0


def fonts() -> tuple[str, str]:
    """Names of the regular and bold fonts to use (registered with reportlab)."""
    regular, bold = DEJAVU_DIR / "DejaVuSans.ttf", DEJAVU_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        return "Helvetica", "Helvetica-Bold"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    return "DejaVuSans", "DejaVuSans-Bold"


def make_pdf(
    path: str | Path,
    pages: Sequence[Sequence[str] | str],
    title: str | None = None,
    header: str | None = None,
    footer_page_numbers: bool = True,
    font_size: float = 11,
    title_size: float = 20,
    metadata_title: str | None = None,
    encrypt: tuple[str, str] | None = None,
) -> Path:
    """Write a PDF with one page per item of ``pages`` and return its path.

    A page is a list of lines or a string split at newlines; an empty page has no
    text at all (only a grey box, like a scan). ``title`` is drawn in bold at
    ``title_size`` on page 1; ``header`` at the top of every page; the footer says
    "Sida N av M". ``metadata_title`` sets /Title; ``encrypt`` is (user password,
    owner password).
    """
    path = Path(path)
    regular, bold = fonts()
    encryption = StandardEncryption(encrypt[0], encrypt[1], strength=128) if encrypt else None
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encryption)
    if metadata_title:
        pdf.setTitle(metadata_title)
    width, height = A4
    leading = font_size * 1.4
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        lines = page.split("\n") if isinstance(page, str) else list(page)
        y = height - MARGIN
        if header:
            pdf.setFont(regular, 9)
            pdf.drawString(MARGIN, height - MARGIN / 2, header)
        if number == 1 and title:
            pdf.setFont(bold, title_size)
            pdf.drawString(MARGIN, y, title)
            y -= title_size * 2
        if not any(line.strip() for line in lines) and not (number == 1 and title):
            pdf.setFillGray(0.6)
            pdf.rect(MARGIN, MARGIN, width - 2 * MARGIN, height - 2 * MARGIN, fill=1, stroke=0)
            pdf.setFillGray(0)
        pdf.setFont(regular, font_size)
        for line in lines:
            if y < MARGIN + leading:
                raise ValueError(f"page {number} has more lines than fit on A4")
            pdf.drawString(MARGIN, y, line)
            y -= leading
        if footer_page_numbers:
            pdf.setFont(regular, 9)
            pdf.drawCentredString(width / 2, MARGIN / 2, f"Sida {number} av {total}")
        pdf.showPage()
    pdf.save()
    return path
