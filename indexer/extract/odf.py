"""OpenDocument (.odt text, .ods spreadsheets, .odp presentations): standard library.

An OpenDocument file is a zip holding ``content.xml`` (the body) and ``meta.xml``
(the title). Paragraphs and headings become paragraphs; a spreadsheet's sheets and a
presentation's slides become pages, so a snippet says which sheet or slide it is on.
The XML is parsed with defusedxml (no entity expansion, no external entities).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from indexer.clean import normalise_characters
from indexer.extract import ODT, Extracted, ExtractionError, sniff
from indexer.extract.office import office_zip, properties_title, xml_member

TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW_NS = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
OFFICE_NS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
KIND = "an OpenDocument file"
#: Elements that start a new page: a spreadsheet's sheet, a presentation's slide.
_PAGES = frozenset({f"{TABLE_NS}table", f"{DRAW_NS}page"})


def extract(path: Path) -> Extracted:
    """The text of an OpenDocument file, page by page (sheets and slides are pages)."""
    with path.open("rb") as handle:
        content_type = sniff(handle.read(4096), path.name)
    with office_zip(path, KIND) as archive:
        with xml_member(archive, "content.xml", KIND) as handle:
            pages = _read_body(handle, paged=content_type != ODT)
        title = properties_title(archive, "meta.xml")
    pages = [normalise_characters(page) for page in pages]
    if not any(page.strip() for page in pages):
        raise ExtractionError("empty file: the OpenDocument file has no text")
    return Extracted(pages=pages, content_type=content_type, title=title)


def _read_body(handle: IO[bytes], *, paged: bool) -> list[str]:
    """Paragraphs of ``content.xml``; with ``paged``, each sheet or slide a page."""
    pages: list[list[str]] = [[]]
    try:
        root = ElementTree.parse(handle).getroot()
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise ExtractionError(f"not an OpenDocument file: broken XML ({exc})") from exc
    body = root.find(f"{OFFICE_NS}body")
    for element in _walk(body if body is not None else root):
        if paged and element.tag in _PAGES and any(pages[-1]):
            pages.append([])
        if element.tag in (f"{TEXT_NS}p", f"{TEXT_NS}h"):
            text = "".join(_inline_text(element))
            if text.strip():
                pages[-1].append(text)
    return ["\n\n".join(page) for page in pages]


def _walk(element: ElementTree.Element):  # noqa: ANN202 - a generator of elements
    """Elements in document order, not descending into paragraphs (read whole)."""
    for child in element:
        yield child
        if child.tag not in (f"{TEXT_NS}p", f"{TEXT_NS}h"):
            yield from _walk(child)


def _inline_text(element: ElementTree.Element):  # noqa: ANN202 - a generator of strings
    """A paragraph's text: spans, links and fields inline; ``text:s`` spaces, tabs and
    line breaks as what they stand for; notes (footnotes) left out of the running text."""
    if element.text:
        yield element.text
    for child in element:
        tag = child.tag
        if tag == f"{TEXT_NS}s":
            yield " " * int(child.get(f"{TEXT_NS}c", "1") or 1)
        elif tag == f"{TEXT_NS}tab":
            yield "\t"
        elif tag == f"{TEXT_NS}line-break":
            yield "\n"
        elif tag != f"{TEXT_NS}note":
            yield from _inline_text(child)
        if child.tail:
            yield child.tail

