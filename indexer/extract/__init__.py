"""From a file on disk to raw text: one front door over one module per format.

``extract(path)`` sniffs what the file really is (content first, the extension only as a
hint) and hands it to the extractor registered for that content type. Each extractor is
a module with one front function ``extract(path) -> Extracted``:

- ``indexer.extract.pdf``  — application/pdf (pypdfium2 for text and layout, pdfminer.six as the fallback)
- ``indexer.extract.text`` — text/plain (encoding detection, form feeds split pages)
- ``indexer.extract.html`` — text/html (main content only, standard library parser)
- ``indexer.extract.docx`` — Word .docx (paragraphs and page breaks, standard library)
- ``indexer.extract.image`` — PNG, JPEG, TIFF (multi-page, Group 4): OCR (``indexer.extract.ocr``)

Whatever goes wrong inside a file, callers see only :class:`ExtractionError` with a
one-line reason a user can read.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path

PDF = "application/pdf"
TEXT = "text/plain"
HTML = "text/html"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Scans and photos of paper, read by OCR.
IMAGES = ("image/png", "image/jpeg", "image/tiff")
#: Content we recognise as binary but cannot read.
BINARY = "application/octet-stream"

#: Content type → the module whose ``extract(path)`` reads it (imported on first use,
#: so importing this package does not load pdfminer).
EXTRACTORS: dict[str, str] = {
    PDF: "indexer.extract.pdf",
    TEXT: "indexer.extract.text",
    HTML: "indexer.extract.html",
    DOCX: "indexer.extract.docx",
    **dict.fromkeys(IMAGES, "indexer.extract.image"),
}

#: How many bytes of a file ``sniff`` looks at.
SNIFF_BYTES = 4096

_MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\x97JB2\r\n\x1a\n", "image/jbig2"),
    (b"PK\x03\x04", "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BZh", "application/x-bzip2"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"{\\rtf", "application/rtf"),
]

#: Office formats inside a zip or OLE container, named by extension when it agrees.
_CONTAINER_TYPES = {
    ".docx": DOCX,
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
}

_HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}
#: Elements an HTML document or fragment starts with; any other element starts XML.
_HTML_FIRST_TAGS = frozenset(
    {"html", "head", "body", "title", "meta", "link", "base", "style", "script", "p", "div",
     "span", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "section",
     "article", "main", "header", "footer", "nav", "br", "a", "b", "i", "em", "strong",
     "img", "form", "pre", "blockquote", "center", "font", "hr", "frameset"}
)
_FIRST_TAG = re.compile(r"<(!doctype\s+html|[a-z][\w:.-]*)")


@dataclass
class TextBlock:
    """One text block of a PDF's first page(s), from the layout of pdfium's text
    rectangles (:mod:`indexer.extract.pdflayout`; pdfminer's for files only it can read).

    Coordinates have their origin at the top-left of the page, y growing downwards.
    """

    text: str
    page: int
    size: float
    bold: bool
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Extracted:
    """Raw text of one file, page by page, and what the format itself says about it."""

    pages: list[str]
    content_type: str
    title: str | None = None
    blocks: list[TextBlock] = field(default_factory=list)
    needs_ocr: bool = False
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: Where each page's text came from: ``text`` (the file's own), ``ocr`` (read by
    #: Tesseract), ``none`` (an image nobody read: OCR off, missing or failed).
    #: Empty means every page is ``text``.
    text_sources: list[str] = field(default_factory=list)
    #: Mean OCR word confidence (0–1) over the pages read by OCR.
    ocr_confidence: float | None = None
    #: What OCR did for the file (:attr:`indexer.extract.ocr.PageReader.status`).
    ocr_status: str | None = None


class ExtractionError(Exception):
    """A file that cannot be extracted; ``str(exc)`` is one clear line for users."""


def sniff(data_head: bytes, filename: str) -> str:
    """The content type of a file from its first bytes; the content wins over the name.

    The extension only decides between readings the bytes allow: text content named
    ``.html`` is HTML, a zip named ``.docx`` is a Word document. Anything binary that
    is not a known format is ``application/octet-stream``.
    """
    suffix = Path(filename).suffix.lower()
    if b"%PDF-" in data_head[:1024]:
        return PDF
    for magic, content_type in _MAGIC:
        if data_head.startswith(magic):
            if content_type in ("application/zip", "application/x-ole-storage"):
                return _CONTAINER_TYPES.get(suffix, content_type)
            return content_type
    # text.py imports this package, so it is imported here, when first needed.
    from indexer.extract.text import looks_binary, peek_text

    if looks_binary(data_head):
        return BINARY
    markup = _first_markup(peek_text(data_head).lower())
    if markup is not None:
        return markup
    if suffix in _HTML_EXTENSIONS:
        return HTML
    return TEXT


def _first_markup(head: str) -> str | None:
    """HTML or XML by the first tag of a text, past any XML declaration and comments.

    An unknown first tag is XML only with a namespace or a closing tag in sight, so a
    note that starts "<Ingen rubrik>" stays text.
    """
    head = head.lstrip()
    is_xml = head.startswith("<?xml")
    if is_xml:
        head = head[head.find("?>") + 2 :].lstrip()
    while head.startswith("<!--"):
        head = head[head.find("-->") + 3 :].lstrip() if "-->" in head else ""
    match = _FIRST_TAG.match(head)
    if match is None:
        return "application/xml" if is_xml else None
    tag = match.group(1)
    if tag.startswith("!doctype") or tag in _HTML_FIRST_TAGS:
        return HTML
    if is_xml or "xmlns" in head or "</" in head:
        return "application/xml"
    return None


def extract(path: str | Path) -> Extracted:
    """Extract the raw text of the file at ``path``; raises only :class:`ExtractionError`."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise ExtractionError(f"cannot read file: {exc.strerror or exc}") from exc
    if not head:
        raise ExtractionError("empty file")
    content_type = sniff(head, path.name)
    module_name = EXTRACTORS.get(content_type)
    if module_name is None:
        raise ExtractionError(_unsupported_reason(content_type, path.suffix.lower()))
    extractor = importlib.import_module(module_name)
    try:
        return extractor.extract(path)
    except ExtractionError:
        raise
    except MemoryError as exc:
        raise ExtractionError("file too large to extract in memory") from exc
    except RecursionError as exc:
        raise ExtractionError("file structure nested too deeply") from exc
    except Exception as exc:  # every library failure becomes one line for the user
        raise ExtractionError(f"cannot extract: {type(exc).__name__}: {_first_line(exc)}") from exc


def _unsupported_reason(content_type: str, suffix: str) -> str:
    if content_type == BINARY:
        if suffix == ".pdf":
            return "not a PDF: no PDF header (binary content)"
        if suffix in _HTML_EXTENSIONS or suffix in (".txt", ".md", ".text", ".csv"):
            return "not text: binary content"
        return "unsupported file type (unrecognised binary content)"
    if suffix == ".pdf":
        return f"not a PDF: the content is {content_type}"
    return f"unsupported file type ({content_type})"


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else "no details"
