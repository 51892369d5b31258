"""XML: Riksdagen's ``dokumentstatus`` as a document with its metadata; other XML as text.

Riksdagen's open data (data.riksdagen.se) gives every document as ``dokumentstatus``:
``dokument`` carries ``titel``, ``dok_id``, ``rm`` (riksmöte), ``beteckning``,
``datum``, ``organ`` and the document itself in ``html`` (escaped markup) or ``text``;
the sections after it (förslag, aktiviteter, intressenter, bilagor) are readable text.
Any other XML becomes its readable text: the text of its elements, paragraph by
paragraph, without tags or attributes. defusedxml refuses entity declarations (the
"billion laughs" bomb) and external entities.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from indexer.clean import normalise_characters
from indexer.extract import XML, Extracted, ExtractionError
from indexer.extract.html import html_text

#: Riksdagen fields kept as metadata (``riksdagen`` in the document's metadata).
RIKSDAGEN_FIELDS = ("dok_id", "rm", "beteckning", "doktyp", "dokumentnamn", "organ", "datum")


def extract(path: Path) -> Extracted:
    """The text of an XML file (and a Riksdagen document's metadata)."""
    try:
        root = ElementTree.parse(path).getroot()
    except DefusedXmlException as exc:
        raise ExtractionError(f"XML refused: it declares entities ({type(exc).__name__})") from exc
    except ElementTree.ParseError as exc:
        raise ExtractionError(f"broken XML: {exc}") from exc
    if _local(root.tag) == "dokumentstatus" and root.find("dokument") is not None:
        extracted = _dokumentstatus(root)
    else:
        extracted = Extracted(pages=["\n\n".join(readable_text(root))], content_type=XML)
    extracted.pages = [normalise_characters(page) for page in extracted.pages]
    if not any(page.strip() for page in extracted.pages):
        raise ExtractionError("XML document has no text")
    return extracted


def readable_text(element: Element) -> Iterator[str]:
    """The text of an element tree, one paragraph per element that holds text itself
    (its children read with it, a space between elements), in document order."""
    own_text = (element.text or "").strip() or any((c.tail or "").strip() for c in element)
    if own_text:
        # Elements are words apart: in data XML a cell's end is a word's end.
        text = " ".join(" ".join(element.itertext()).split())
        if text:
            yield text
        return
    for child in element:
        yield from readable_text(child)


def _dokumentstatus(root: Element) -> Extracted:
    document = root.find("dokument")
    fields = {name: _field(document, name) for name in ("titel", "subtitel", "html", "text", *RIKSDAGEN_FIELDS)}
    title = " – ".join(filter(None, (fields["titel"], fields["subtitel"]))) or None
    body = fields["text"]
    if fields["html"] and len(fields["html"]) > len(body or ""):
        body = html_text(fields["html"])[0]
    label = " ".join(filter(None, (fields["dokumentnamn"], _designation(fields))))
    head = [title, label, fields["organ"], fields["datum"][:10] if fields["datum"] else None]
    rest = [text for section in root if section is not document for text in readable_text(section)]
    pages = ["\n\n".join(filter(None, [*head, body, *rest]))]
    metadata = {
        "riksdagen": {name: fields[name] for name in RIKSDAGEN_FIELDS if fields[name]},
    }
    if fields["datum"] and len(fields["datum"]) >= 10:
        metadata["document_date"] = fields["datum"][:10]
    return Extracted(pages=pages, content_type=XML, title=title, metadata=metadata)


def _designation(fields: dict[str, str | None]) -> str | None:
    """How a Riksdagen document is cited: riksmöte and beteckning, "2016/17:14"."""
    if fields["rm"] and fields["beteckning"]:
        return f"{fields['rm']}:{fields['beteckning']}"
    return None


def _field(element: Element, name: str) -> str | None:
    found = element.find(name)
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
