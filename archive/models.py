"""The Document: one archived file with its clean text and the metadata people search by."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PureWindowsPath
from typing import Any

from archive import fields

#: The document fields of the contract (DESIGN.md), in the order they are shown.
DOCUMENT_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "doc_type",
    "language",
    "city",
    "cities_mentioned",
    "districts",
    "committee",
    "administration",
    "dnr",
    "document_date",
    "decision_date",
    "projects",
    "topics",
    "people",
    "path",
    "sha256",
    "duplicate_of",
)

#: Contract fields that are lists (empty list when unknown); the others are scalars or null.
LIST_FIELDS: frozenset[str] = frozenset(
    {"cities_mentioned", "districts", "projects", "topics", "people"}
)

#: Fields that metadata extraction produces (everything but identity and location).
METADATA_FIELDS: tuple[str, ...] = tuple(
    f for f in DOCUMENT_FIELDS if f not in {"id", "path", "sha256", "duplicate_of"}
)


#: What the document JSON tells of each ärende (a § of a protokoll, an agenda item).
ARENDE_FIELDS: tuple[str, ...] = (
    "number", "heading", "dnr", "decision", "status", "pages", "decided_in", "agenda_item",
)


#: What a search hit is: a whole document, or one ärende of a protokoll or kallelse.
KINDS: tuple[str, ...] = fields.HIT_KINDS


def arende_key(number: Any) -> str:
    """An ärende's number as it stands in a URL, an anchor or an index id ("64/20" → "64-20")."""
    return re.sub(r"[^0-9A-Za-z]+", "-", str(number)).strip("-") or "0"


def arende_text(source_text: str, arende: dict[str, Any]) -> str:
    """An ärende's own passage of the text its offsets refer to ("" when it has none)."""
    start, end = arende.get("start"), arende.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return ""
    return source_text[start:end].strip()


def arende_label(arende: dict[str, Any]) -> str:
    """How people cite an ärende: "§ 64" in minutes, "Punkt 3" on an agenda."""
    if arende.get("numbering") == "item":
        return f"Punkt {arende.get('number')}"
    return f"§ {arende.get('number')}"


def genitive(name: str) -> str:
    """Swedish genitive: "Byggnadsnämnden" → "Byggnadsnämndens" ("Kultur & fritid" too)."""
    return name if name[-1:].lower() in ("s", "x", "z") else f"{name}s"


def arende_citation(arende: dict[str, Any], document: dict[str, Any]) -> str:
    """An ärende as staff cite it: "§ 64 i Byggnadsnämndens protokoll 2024-02-29".

    ``document`` holds its document's contract fields; the date is the meeting's
    (decision date), else the document's.
    """
    kind = document.get("doc_type") or "dokument"
    kind = kind if kind in ("protokoll", "kallelse", "tjänsteutlåtande") else "dokument"
    committee = document.get("committee")
    where = f"{genitive(committee)} {kind}" if committee else kind
    date = document.get("decision_date") or document.get("document_date")
    return " ".join(filter(None, (arende_label(arende), "i", where, date)))


#: Between a container's path and a member's name in it (``bilagor.zip!/missiv.txt``).
MEMBER_SEPARATOR = "!/"


def escaping_name(name: str) -> str | None:
    """How a member or uploaded file name would point outside the folder it is unpacked
    into: "absolute" (``/…``, ``\\…``, a drive letter), "parent" (a ``..`` part), else None."""
    slashed = name.replace("\\", "/")
    if slashed.startswith("/") or PureWindowsPath(name).drive:
        return "absolute"
    if ".." in slashed.split("/"):
        return "parent"
    return None


def public_path(path: str) -> str:
    """What the public sees of a path: the file name only, and for a member of a zip or
    a mail the container's file name and the member's path in it
    (``/srv/diariet/bilagor.zip!/bilagor/missiv.txt`` → ``bilagor.zip!/bilagor/missiv.txt``)."""
    outer, separator, inner = path.partition(MEMBER_SEPARATOR)
    return outer.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] + separator + inner


def document_id(sha256: str) -> str:
    """A document's id: the first 16 hex digits of its content hash (stable, URL-safe)."""
    return sha256[:16]


@dataclass
class Document:
    """One archived document.

    ``metadata`` holds the contract's metadata fields (``title`` … ``people``) and any
    extra values extraction found (``dnr_verbatim``, ``dates``, ``language_confidence``,
    ``needs_ocr``, ``personnummer`` …). ``page_starts[i]`` is the character offset in
    ``text`` where page ``i + 1`` begins. ``access`` is "public" or "internal" (staff
    only), with the reason when internal (see :mod:`archive.access`).
    """

    id: str
    sha256: str
    path: str
    text: str = ""
    page_starts: list[int] = field(default_factory=lambda: [0])
    metadata: dict[str, Any] = field(default_factory=dict)
    duplicate_of: str | None = None
    filename: str = ""
    content_type: str = "application/octet-stream"
    size: int = 0
    ingested_at: str = ""
    version: int = 1
    superseded_by: str | None = None
    access: str = "public"
    access_reason: str | None = None

    def get(self, name: str) -> Any:
        """A contract field's value, with the contract's empty value when unknown."""
        if name in ("id", "sha256", "path", "duplicate_of"):
            return getattr(self, name)
        value = self.metadata.get(name)
        if value is None and name in LIST_FIELDS:
            return []
        return value

    def text_origin(self) -> dict[str, Any]:
        """Where the text came from: ``text_source`` per page (``text``: the file's own;
        ``ocr``: read by OCR; ``none``: an image not read), ``ocr_confidence`` (mean OCR
        word confidence, 0–1) and ``ocr_status`` (done, failed, unavailable, off; null
        when no page needed OCR)."""
        return {
            "text_source": self.metadata.get("text_source") or ["text"] * len(self.page_starts),
            "ocr_confidence": self.metadata.get("ocr_confidence"),
            "ocr_status": self.metadata.get("ocr_status"),
        }

    def page_of(self, offset: int) -> int:
        """The 1-based page number that holds character ``offset`` of the text."""
        page = 1
        for i, start in enumerate(self.page_starts):
            if start <= offset:
                page = i + 1
            else:
                break
        return page

    def arende(self, key: str) -> dict[str, Any] | None:
        """The ärende whose URL key (:func:`arende_key`) is ``key``, if the document has it."""
        for arende in self.metadata.get("arenden") or []:
            if arende_key(arende.get("number", "")) == key:
                return arende
        return None

    def to_json(self, *, with_text: bool = False) -> dict[str, Any]:
        """The contract's JSON for this document (``text`` added when asked for), with
        ``projects_suggested`` (projects not yet confirmed in the registry) and
        ``topic_cues`` (each topic's cue words found) when extraction found them."""
        data = {name: self.get(name) for name in DOCUMENT_FIELDS}
        for spec in fields.columns():  # a field added to the table shows its value too
            data.setdefault(str(spec.column), self.get(str(spec.column)))
        if self.metadata.get("arenden"):
            data["arenden"] = [
                {key: arende.get(key) for key in ARENDE_FIELDS}
                for arende in self.metadata["arenden"]
            ]
        for extra in ("projects_suggested", "topic_cues"):
            if self.metadata.get(extra):
                data[extra] = self.metadata[extra]
        if with_text:
            data["text"] = self.text
        return data
