"""PDF: page text and the layout of the first pages from pypdfium2; pdfminer.six as fallback.

pdfium reads the text of every page, about 26 times faster than pdfminer at equal
quality. Its text rectangles give the layout (:mod:`indexer.extract.pdflayout`): text
blocks of the first ``LAYOUT_PAGES`` pages, built as pdfminer's layout analysis builds
them, for the title and for the header fields of a tjänsteutlåtande (handläggare, dates,
dnr) that metadata extraction reads; and the reading order of pages set in two columns
but drawn row by row across them, which are read column by column instead. pdfminer
reads the whole file when pdfium cannot open it. Pages without a usable text layer
that show an image (scans) are rendered and read by OCR (:mod:`indexer.extract.ocr`);
born-digital pages never are. An encrypted PDF is opened with the
empty password, as PDF readers do; if that fails the file needs a password we do not
have.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTPage, LTTextBox
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from PIL import Image

from indexer.clean import clean_text, furniture_key, is_page_number, normalise_characters
from indexer.extract import PDF, Extracted, ExtractionError, TextBlock, ocr, pdflayout

# pdfminer logs every oddity of a file as a warning; the extractor reports what matters.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

#: A page's text layer with fewer letters than this is no text layer (scans carry stamps).
USABLE_LETTERS = 20
#: In ``--ocr=always`` mode, a page with text is a scan when an image covers this much of it.
SCANNED_COVERAGE = 0.5
#: Pages read by the layout analysis (title and header blocks live on the first two).
LAYOUT_PAGES = 2
#: A title is set clearly larger than the body text.
TITLE_SIZE_RATIO = 1.15
#: pdfium replaces a hyphen that ends a line, and the line break, by one of these.
_PDFIUM_LINE_HYPHEN = re.compile(r"[\ufffe\x02]\r?\n?")
_BOLD_FONT = re.compile(r"bold|black|heavy", re.IGNORECASE)
#: /Title metadata that names a file or a template rather than the document.
_JUNK_TITLE = re.compile(
    r"^(?:microsoft\s+\w+\s*-|untitled|namnlös|dokument\s*\d*$|document\s*\d*$|titel$|title$|"
    r"rubrik$|presentation\d*$)|\.(?:docx?|pdf|rtf|odt|indd|qxd|xlsx?|pptx?|tmp|txt)$|[\\/]",
    re.IGNORECASE,
)


def extract(path: Path) -> Extracted:
    """Read a PDF: text per page (scanned pages read by OCR), layout blocks of the first
    pages, and a title."""
    warnings: list[str] = []
    try:
        pages, blocks, metadata_title = _pdfium_text(path)
        reader = _ocr_scanned_pages(path, pages)
    except _PdfiumFailed as failure:
        warnings.append(f"pdfium could not read the file ({failure}); text read with pdfminer")
        pages, blocks = _pdfminer_text(path)
        metadata_title = None
        reader = _unread_pages(pages)
    if not pages:
        raise ExtractionError("PDF has no pages")
    warnings.extend(reader.warnings())
    blank = sum(1 for page, source in zip(pages, reader.sources, strict=True)
                if source == "text" and not page.strip())
    if blank:
        warnings.append(f"{blank} of {len(pages)} pages have no text")
    blocks = blocks or reader.blocks
    return Extracted(
        pages=pages,
        content_type=PDF,
        title=layout_title(blocks) or _sensible_title(metadata_title, path),
        blocks=blocks,
        needs_ocr=reader.unread > 0,
        warnings=warnings,
        text_sources=reader.sources,
        ocr_confidence=reader.confidence,
        ocr_status=reader.status,
    )


def usable_text(text: str) -> bool:
    """Whether a page's text layer says something (a scan may carry a stamp or a
    page number as text, but no more)."""
    return sum(ch.isalpha() for ch in text) >= USABLE_LETTERS


def _ocr_scanned_pages(path: Path, pages: list[str]) -> ocr.PageReader:
    """Read by OCR the pages that are scans: in ``auto`` mode, pages without a usable
    text layer that show an image; in ``always`` mode also pages whose text layer lies
    over a page-sized image. Born-digital pages keep their text; ``pages`` is updated."""
    reader = ocr.PageReader()
    mode = ocr.settings().mode
    candidates = [i for i, text in enumerate(pages) if mode == "always" or not usable_text(text)]
    if not candidates:
        reader.sources = ["text"] * len(pages)
        return reader
    document = pypdfium2.PdfDocument(path, password="")
    try:
        for index, text in enumerate(pages):
            if index not in candidates:
                reader.skip()
                continue
            page = document[index]
            try:
                coverage = _image_coverage(page)
                if usable_text(text):
                    scanned = coverage >= SCANNED_COVERAGE
                else:  # anything drawn on it may be a scan (images, or paths traced from one)
                    scanned = coverage > 0 or any(True for _ in page.get_objects(max_depth=1))
                if not scanned:
                    reader.skip()
                    continue
                read = reader.read(lambda page=page: _render(page), index + 1)
                if read.strip() or not usable_text(text):
                    pages[index] = read
            finally:
                page.close()
    except pypdfium2.PdfiumError as exc:
        raise _PdfiumFailed(str(exc)) from exc
    finally:
        document.close()
    return reader


def _unread_pages(pages: list[str]) -> ocr.PageReader:
    """What to say of pages pdfminer read: pdfium could not open the file, so pages
    without text cannot be rendered for OCR."""
    reader = ocr.PageReader()
    for text in pages:
        if text.strip():
            reader.skip()
        else:
            reader.sources.append("none")
            reader.unread += 1
    if reader.unread:
        reader.failures.append(f"{reader.unread} pages without text cannot be rendered for OCR")
    return reader


def _image_coverage(page: pypdfium2.PdfPage) -> float:
    """The share of the page that its largest image covers (0 without images)."""
    left, bottom, right, top = page.get_mediabox()
    area = max(1.0, (right - left) * (top - bottom))
    largest = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        x0, y0, x1, y1 = obj.get_bounds()
        largest = max(largest, (x1 - x0) * (y1 - y0))
    return min(1.0, largest / area)


def _render(page: pypdfium2.PdfPage) -> tuple[Image.Image, int]:
    """The page as a greyscale image at a resolution that suits Tesseract."""
    width, height = page.get_size()
    scale = ocr.scale_for(width, height, 72)
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        return bitmap.to_pil().convert("L"), round(72 * scale)
    finally:
        bitmap.close()


class _PdfiumFailed(Exception):
    """pdfium could not open the file or one of its pages (not for want of a password)."""


def _pdfium_text(path: Path) -> tuple[list[str], list[TextBlock], str | None]:
    try:
        document = pypdfium2.PdfDocument(path, password="")
    except pypdfium2.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ExtractionError("encrypted PDF (password required)") from exc
        if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise ExtractionError("encrypted PDF (unsupported security handler)") from exc
        raise _PdfiumFailed(str(exc)) from exc
    try:
        pages: list[str] = []
        blocks: list[TextBlock] = []
        for index in range(len(document)):
            pages.append(_pdfium_page(document, index, blocks if index < LAYOUT_PAGES else None))
        return pages, blocks, document.get_metadata_value("Title")
    finally:
        document.close()


def _pdfium_page(document: pypdfium2.PdfDocument, index: int, blocks: list[TextBlock] | None) -> str:
    """A page's text, in column order when it is set in two columns but drawn row by
    row; its text blocks are added to ``blocks`` unless that is None."""
    try:
        page = document[index]
        try:
            textpage = page.get_textpage()
            try:
                text = raw_text = textpage.get_text_range()
                rects = pdflayout.page_rects(textpage.raw)
                columns = pdflayout.find_columns(rects)
                if columns is not None and pdflayout.read_in_rows(rects, columns):
                    text = pdflayout.column_text(textpage.raw, columns, textpage.count_chars())
                if blocks is not None and rects:
                    top = page.get_mediabox()[3]
                    blocks.extend(pdflayout.page_blocks(textpage.raw, rects, raw_text, index + 1, top))
            finally:
                textpage.close()
        finally:
            page.close()
    except pypdfium2.PdfiumError as exc:
        raise _PdfiumFailed(f"page {index + 1}: {exc}") from exc
    return _PDFIUM_LINE_HYPHEN.sub("-\n", text).replace("\r\n", "\n")


def _pdfminer_text(path: Path) -> tuple[list[str], list[TextBlock]]:
    """The whole text with pdfminer, for files pdfium cannot read; a blank line
    separates its text boxes (roughly paragraphs)."""
    pages: list[str] = []
    blocks: list[TextBlock] = []
    try:
        for number, layout in enumerate(_pdfminer_pages(path, maxpages=0), start=1):
            page_blocks = _blocks(layout, number)
            pages.append("\n\n".join(block.text for block in page_blocks))
            if number <= LAYOUT_PAGES:
                blocks.extend(page_blocks)
    except PDFPasswordIncorrect as exc:
        raise ExtractionError("encrypted PDF (password required)") from exc
    except PDFEncryptionError as exc:
        raise ExtractionError("encrypted PDF (unsupported encryption)") from exc
    except Exception as exc:  # pdfminer raises ValueError, TypeError, binascii.Error, …
        raise ExtractionError("damaged PDF: broken or truncated file structure") from exc
    return pages, blocks


def _pdfminer_pages(path: Path, maxpages: int) -> Iterator[LTPage]:
    return extract_pages(path, password="", maxpages=maxpages, laparams=LAParams())


def _blocks(layout: LTPage, page: int) -> list[TextBlock]:
    boxes = (element for element in layout if isinstance(element, LTTextBox))
    return [block for block in (_block(box, page, layout.y1) for box in boxes) if block.text]


def _block(box: LTTextBox, page: int, top: float) -> TextBlock:
    """A pdfminer text box as a :class:`TextBlock` with a top-left origin; its lines
    keep their breaks, spaces within them are collapsed."""
    sizes: Counter[float] = Counter()
    fonts: Counter[str] = Counter()
    for line in box:
        for char in line:
            if isinstance(char, LTChar) and not char.get_text().isspace():
                sizes[round(char.size, 1)] += 1
                fonts[char.fontname] += 1
    size = sizes.most_common(1)[0][0] if sizes else 0.0
    font = fonts.most_common(1)[0][0] if fonts else ""
    lines = (" ".join(line.split()) for line in normalise_characters(box.get_text()).splitlines())
    return TextBlock(
        text="\n".join(line for line in lines if line),
        page=page,
        size=size,
        bold=bool(_BOLD_FONT.search(font)),
        x0=round(box.x0, 2),
        y0=round(top - box.y1, 2),
        x1=round(box.x1, 2),
        y1=round(top - box.y0, 2),
    )


def layout_title(blocks: list[TextBlock]) -> str | None:
    """The largest-font block on page 1, if it stands out from the body text.

    Blocks that recur on page 2 (a running header, digits ignored) and page numbers do
    not count; a title set over several blocks of the same size is joined.
    """
    first_page = sorted((b for b in blocks if b.page == 1), key=lambda b: (b.y0, b.x0))
    running = {furniture_key(b.text) for b in blocks if b.page == 2 and len(b.text) <= 300}
    candidates = [
        b for b in first_page
        if len(b.text) <= 300
        and furniture_key(b.text) not in running
        and not is_page_number(b.text)
        and sum(ch.isalpha() for ch in b.text) >= 3
    ]
    if not candidates:
        return None
    weights: Counter[float] = Counter()
    for b in blocks:
        weights[b.size] += len(b.text)
    body_size = weights.most_common(1)[0][0]
    largest = max(b.size for b in candidates)
    if largest < body_size * TITLE_SIZE_RATIO:
        return None
    start = next(b for b in candidates if b.size >= largest - 0.5)
    parts = [start]
    for block in first_page[first_page.index(start) + 1 :]:
        previous = parts[-1]
        same_style = abs(block.size - previous.size) <= 0.5 and block.bold == previous.bold
        if not same_style or block.y0 - previous.y1 > 1.5 * block.size:
            break
        parts.append(block)
    return " ".join(clean_text("\n".join(b.text for b in parts)).split())


def _sensible_title(title: str | None, path: Path) -> str | None:
    """/Title metadata, unless it is empty, a file name or a template's placeholder."""
    title = " ".join(normalise_characters(title or "").split())
    if sum(ch.isalpha() for ch in title) < 3 or len(title) > 250 or _JUNK_TITLE.search(title):
        return None
    if title.casefold() == path.stem.casefold():
        return None
    return title
