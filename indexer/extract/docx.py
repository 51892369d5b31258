"""Word documents (.docx, Office Open XML): paragraphs, page breaks and the title.

Many municipal documents are written in Word and reach the archive unconverted. A
.docx is a zip holding ``word/document.xml``; the standard library reads it. Explicit
page breaks (and Word's own record of where it last broke pages) split pages, so a
snippet's page number matches the printed document as closely as the file allows.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from indexer.clean import normalise_characters
from indexer.extract import DOCX, Extracted, ExtractionError
from indexer.extract.office import core_title, office_zip, xml_member

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
KIND = "a Word document"
#: Paragraph styles that mark a title, in English and Swedish Word.
TITLE_STYLES = frozenset({"title", "rubrik", "heading1", "rubrik1"})


def extract(path: Path) -> Extracted:
    """The text of a .docx, page by page (pages split at page breaks)."""
    with office_zip(path, KIND) as archive:
        with xml_member(archive, "word/document.xml", KIND) as handle:
            pages, styled_title = _read_body(handle)
        title = styled_title or core_title(archive)
    pages = [normalise_characters(page) for page in pages]
    if not any(page.strip() for page in pages):
        raise ExtractionError("empty file: the Word document has no text")
    return Extracted(pages=pages, content_type=DOCX, title=title)


def _read_body(handle: object) -> tuple[list[str], str | None]:
    pages: list[list[str]] = [[]]
    title: str | None = None
    parts: list[str] = []
    style = ""
    try:
        for event, element in ElementTree.iterparse(handle, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{W}p":
                    parts, style = [], ""
                continue
            if tag == f"{W}t":
                parts.append(element.text or "")
            elif tag == f"{W}tab":
                parts.append("\t")
            elif tag == f"{W}br":
                if element.get(f"{W}type") == "page":
                    pages[-1].append("".join(parts))
                    parts = []
                    pages.append([])
                else:
                    parts.append("\n")
            elif tag == f"{W}lastRenderedPageBreak" and any(p.strip() for p in parts):
                pages[-1].append("".join(parts))
                parts = []
                pages.append([])
            elif tag == f"{W}pStyle":
                style = (element.get(f"{W}val") or "").lower()
            elif tag == f"{W}p":
                text = "".join(parts)
                pages[-1].append(text)
                if title is None and style in TITLE_STYLES and text.strip():
                    title = " ".join(text.split())
                element.clear()
    except ElementTree.ParseError as exc:
        raise ExtractionError(f"not a Word document: broken XML ({exc})") from exc
    return ["\n\n".join(p for p in page if p.strip()) for page in pages], title

