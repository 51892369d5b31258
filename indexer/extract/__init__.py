"""From a file on disk to raw text: one front door over one module per format.

``extract(path)`` sniffs what the file really is (content first, the extension only as a
hint) and hands it to the extractor registered for that content type. Each extractor is
a module with one front function ``extract(path) -> Extracted``:

- ``indexer.extract.pdf``  — application/pdf (pypdfium2 for text and layout, pdfminer.six as the fallback)
- ``indexer.extract.text`` — text/plain (encoding detection, form feeds split pages)
- ``indexer.extract.html`` — text/html (main content only, standard library parser)
- ``indexer.extract.docx`` — Word .docx (paragraphs and page breaks, standard library)
- ``indexer.extract.image`` — PNG, JPEG, TIFF (multi-page, Group 4): OCR (``indexer.extract.ocr``)
- ``indexer.extract.office`` — what the zip-based office formats share
- ``indexer.extract.xlsx`` — Excel .xlsx (the cells' text, a page a sheet, standard library)
- ``indexer.extract.doc``  — Word 97–2003 .doc (Debian ``antiword``, ``catdoc`` as the fallback)
- ``indexer.extract.odf``  — OpenDocument text, spreadsheets and presentations (standard library)
- ``indexer.extract.rtf``  — RTF (striprtf)
- ``indexer.extract.xml``  — XML: Riksdagen ``dokumentstatus``, other XML as readable text
- ``indexer.extract.mail`` — e-mail (.eml, Outlook .msg): the mail, and its attachments as parts
- ``indexer.extract.containers`` — zip, tar, gzip, bzip2: every member a part

A mail or an archive is one file and several documents: its extractor returns the
container's own text and its members as :class:`Part` s, which the pipeline makes
documents of their own (:mod:`indexer.parts`).

Whatever goes wrong inside a file, callers see only :class:`ExtractionError` with a
one-line reason a user can read.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PDF = "application/pdf"
TEXT = "text/plain"
HTML = "text/html"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Scans and photos of paper, read by OCR.
IMAGES = ("image/png", "image/jpeg", "image/tiff")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOC = "application/msword"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
RTF = "application/rtf"
XML = "application/xml"
EML = "message/rfc822"
MSG = "application/vnd.ms-outlook"
ZIP = "application/zip"
TAR = "application/x-tar"
GZIP = "application/gzip"
BZIP2 = "application/x-bzip2"
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
    XLSX: "indexer.extract.xlsx",
    DOC: "indexer.extract.doc",
    ODT: "indexer.extract.odf",
    ODS: "indexer.extract.odf",
    ODP: "indexer.extract.odf",
    RTF: "indexer.extract.rtf",
    XML: "indexer.extract.xml",
    EML: "indexer.extract.mail",
    MSG: "indexer.extract.mail",
    ZIP: "indexer.extract.containers",
    TAR: "indexer.extract.containers",
    GZIP: "indexer.extract.containers",
    BZIP2: "indexer.extract.containers",
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
    (b"PK\x03\x04", ZIP),
    (b"PK\x05\x06", ZIP),  # an empty zip
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"\x1f\x8b", GZIP),
    (b"BZh", BZIP2),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"{\\rtf", RTF),
]
#: Where a tar header says "ustar" (POSIX and GNU tar).
_TAR_MAGIC_AT = 257

#: Office formats inside a zip or OLE container, named by extension when it agrees.
_CONTAINER_TYPES = {
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": ODT,
    ".ods": ODS,
    ".odp": ODP,
    ".doc": DOC,
    ".dot": DOC,
    ".msg": MSG,
    ".xls": "application/vnd.ms-excel",
}
#: An OpenDocument zip names its type in a first, uncompressed member ``mimetype``.
_ODF_MIMETYPE = re.compile(rb"PK\x03\x04.{26}mimetype(application/vnd\.oasis\.opendocument\.[a-z]+)", re.DOTALL)
#: A mail starts with header fields: ``Name: value`` lines (and folded continuations).
_HEADER_LINE = re.compile(r"[A-Za-z][A-Za-z0-9-]*:.*|[ \t]+\S.*")
_MAIL_HEADERS = frozenset({"date", "subject", "message-id", "received", "mime-version", "to"})

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
    #: What the format itself states (a mail's sender and date, a Riksdagen document's
    #: dok_id): metadata fields that win over what is read from the text.
    metadata: dict[str, Any] = field(default_factory=dict)
    #: The members of a container (a mail's attachments, an archive's files).
    parts: list[Part] = field(default_factory=list)


@dataclass
class Part:
    """One member of a container: its name inside it (``bilagor/missiv.txt``) and its
    bytes, or the one-line reason it cannot be read (an encrypted member, a zip bomb)."""

    name: str
    data: bytes | None = None
    problem: str | None = None


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
            if content_type in (ZIP, "application/x-ole-storage"):
                odf = _ODF_MIMETYPE.match(data_head)
                if odf:
                    return odf.group(1).decode("ascii")
                return _CONTAINER_TYPES.get(suffix, content_type)
            return content_type
    if data_head[_TAR_MAGIC_AT : _TAR_MAGIC_AT + 5] == b"ustar":
        return TAR
    # text.py imports this package, so it is imported here, when first needed.
    from indexer.extract.text import looks_binary, peek_text

    if looks_binary(data_head):
        return BINARY
    markup = _first_markup(peek_text(data_head).lower())
    if markup is not None:
        return markup
    if suffix in _HTML_EXTENSIONS:
        return HTML
    if suffix == ".eml" or _looks_like_mail(peek_text(data_head)):
        return EML
    return TEXT


def _looks_like_mail(head: str) -> bool:
    """Whether a text starts with a mail's header: only header lines up to the first
    blank line, among them ``From`` and two more that mails carry."""
    names = set()
    lines = head.splitlines()
    if lines and lines[0].startswith("From "):  # an mbox separator line
        lines = lines[1:]
    for line in lines:
        if not line.strip():
            break
        if not _HEADER_LINE.fullmatch(line):
            return False
        if not line[0].isspace():
            names.add(line.split(":", 1)[0].lower())
    return "from" in names and len(names & _MAIL_HEADERS) >= 2


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
