"""The index schema, and what a document indexes as.

Owns the Whoosh schema (:func:`make_schema`: text fields by analysis pipeline, facets
indexed and in columns, dates and lengths in integer columns), the fields of a
document (:func:`document_fields`) and of each of its ärenden (:func:`index_entries`:
an ärende is an entry of its own, ``doc/key``, weighted by :func:`arende_weight`).

Whoosh internals touched: ``FieldType`` (our fields index pre-analysed term lists),
``Existence`` format, ``RefBytesColumn``/``NumericColumn`` readers (their ``codes``,
``values`` and ``load_array`` are ours: whole columns as arrays).
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter
from collections.abc import Iterator
from typing import Any

from whoosh.columns import NumericColumn, RefBytesColumn
from whoosh.fields import COLUMN, ID, FieldType, Schema
from whoosh.formats import Existence

from archive import fields
from archive.engine.analysis import EXACT, STEMS, analyse, document_language, terms
from archive.models import Document, arende_key, arende_text
from archive.query import (
    FACETS,
)
from archive.swedish import dnr_keys

#: The Whoosh index name inside a generation directory.
INDEX_NAME = "MAIN"


class TermsField(FieldType):
    """Text already analysed by this module: the value is the list of terms in order.

    Postings keep term frequencies (as weights), no positions: phrases are matched on
    the stem sequences of :class:`StemSequences` instead. ``pipeline`` names the
    analysis used for queries; with ``sequences`` a rebuild keeps each document's terms
    in order beside the segment.
    """

    def __init__(self, pipeline: str, *, sequences: bool = False) -> None:
        self.pipeline = pipeline
        self.sequences = sequences
        self.format = Existence()
        self.scorable = True
        self.stored = False
        self.unique = False
        self.vector = None
        self.column_type = None

    @property
    def analyzer(self) -> Any:
        return {"exact": EXACT, "stems": STEMS}[self.pipeline]["sv"]

    def index(self, value: list[str], **kwargs: Any) -> list[tuple[bytes, int, float, bytes]]:
        return [(t.encode(), f, float(f), b"") for t, f in Counter(value).items()]


class FacetColumn(RefBytesColumn):
    """A facet's values as written ("\\x1f"-joined), one shared copy per distinct set."""

    class Reader(RefBytesColumn.Reader):
        def __init__(self, dbfile: Any, basepos: int, length: int, doccount: int,
                     fixedlen: int) -> None:
            self._end = basepos + length - 1  # the last byte is the codes' typecode
            super().__init__(dbfile, basepos, length, doccount, fixedlen)

        def _read_uniques(self) -> list[bytes]:
            """The distinct values, parsed from one read (Whoosh reads two varints and a
            string per value through the file object: most of opening a facet)."""
            start = self._dbfile.tell()
            raw = self._dbfile.get(start, self._end - start)
            count, at = _varint(raw, 0)
            uniques = []
            for _ in range(count):
                length, at = (self._fixedlen, at) if self._fixedlen else _varint(raw, at)
                uniques.append(raw[at : at + length])
                at += length
            return uniques

        def codes(self) -> array:
            """Every document's index into :meth:`values`, read in one go."""
            raw = self._dbfile.get(self._basepos, self._doccount * self._itemsize)
            return _big_endian_array(self._typecode, raw)

        def values(self) -> list[tuple[str, ...]]:
            return [tuple(v.decode("utf-8").split("\x1f")) if v else () for v in self._uniques]


class IntColumn(NumericColumn):
    """Integers per document (dates as YYYYMMDD, field lengths) with a bulk read."""

    class Reader(NumericColumn.Reader):
        def load_array(self, doccount: int) -> array:
            """Every document's value, read in one go (missing values are the default)."""
            raw = self._dbfile.get(self._basepos, self._count * self._fixedlen)
            values = _big_endian_array(self._typecode, raw)
            values.extend([self._default] * (doccount - len(values)))
            return values


def _varint(raw: bytes, at: int) -> tuple[int, int]:
    """Whoosh's varint (7 bits a byte, low first) at ``at``: (value, where the next starts)."""
    value = shift = 0
    while True:
        byte = raw[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def _big_endian_array(typecode: str, raw: bytes) -> array:
    values = array(typecode, raw)
    if values.itemsize > 1 and sys.byteorder == "little":
        values.byteswap()
    return values


class FacetField(FieldType):
    """Values people filter and count by (city, projects …).

    Indexed casefolded, one term per value, for filtering; kept as written in a column
    for counting facets over a result set.
    """

    def __init__(self) -> None:
        self.format = Existence()
        self.analyzer = None
        self.scorable = False
        self.stored = False
        self.unique = False
        self.vector = None
        self.column_type = FacetColumn()

    def index(self, value: list[str], **kwargs: Any) -> list[tuple[bytes, int, float, bytes]]:
        keys = dict.fromkeys(facet_key(v) for v in value)
        return [(k.encode(), 1, 1.0, b"") for k in keys if k]

    def to_column_value(self, value: list[str]) -> bytes:
        return "\x1f".join(value).encode("utf-8")


class KeywordsField(FacetField):
    """Identifiers matched exactly (diarienummer), not counted: no column."""

    def __init__(self) -> None:
        super().__init__()
        self.column_type = None

    def index(self, value: list[str], **kwargs: Any) -> list[tuple[bytes, int, float, bytes]]:
        return [(k.encode(), 1, 1.0, b"") for k in dict.fromkeys(value) if k]


#: How a facet value is matched: casefolded, spaces collapsed (archive.fields).
facet_key = fields.value_key


#: Facet fields: the facets search results show (:data:`archive.query.FACETS`).
FACET_FIELDS = FACETS
DATE_FIELDS = ("date", "decision_date", "document_date")
LENGTH_FIELDS = {"exact": "exact_len", "stem": "stem_len", "title": "title_len",
                 "meta": "meta_len"}
#: The facets whose values a free-text word also matches (``meta``, ranked like the
#: title): staff type the kommun, the stadsdel, the nämnd or the project into the box
#: ("bygglov lerum" for Lerum's bygglov decisions, whose text need not say "Lerum").
META_FACETS = ("city", "districts", "committee", "projects")
#: A column of per-entry rank weights in percent (see :func:`arende_weight`).
WEIGHT_FIELD = "weight"
#: Each entry's access class, "public" or "internal" (its document's: archive.access).
ACCESS_FIELD = "access"
#: An entry's id: the document's id, and for an ärende "<document id>/<ärende key>".
ENTRY_SEPARATOR = "/"
#: The facets an ärende has of its own when extraction found them, else its document's.
ARENDE_OWN_FACETS = ("districts", "cities_mentioned", "projects", "topics")


def make_schema() -> Schema:
    fields: dict[str, Any] = {
        "id": ID(stored=True, unique=True),
        "doc": ID(stored=True),
        "exact": TermsField("exact"),
        "stem": TermsField("stems", sequences=True),
        "title": TermsField("stems"),
        "meta": TermsField("stems"),
        "dnr": KeywordsField(),
        ACCESS_FIELD: KeywordsField(),
    }
    fields.update({name: FacetField() for name in FACET_FIELDS})
    fields.update({name: COLUMN(IntColumn("i", default=0)) for name in DATE_FIELDS})
    fields.update({name: COLUMN(IntColumn("H", default=0)) for name in LENGTH_FIELDS.values()})
    fields[WEIGHT_FIELD] = COLUMN(IntColumn("H", default=100))
    return Schema(**fields)


def _date_number(value: Any) -> int:
    """An ISO date as YYYYMMDD (0 when unknown or malformed)."""
    if not isinstance(value, str):
        return 0
    digits = value[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(v) for v in value if v is not None and str(v).strip()]


def document_fields(doc: Document) -> dict[str, Any]:
    """What the index keeps of a document (its text is analysed, not stored)."""
    dnrs = [doc.get("dnr") or ""] + [
        d.get("normalised") or d.get("verbatim") or ""
        for d in (doc.metadata.get("dnrs") or [])
        if isinstance(d, dict)
    ]
    return _entry(
        doc,
        entry_id=doc.id,
        kind="document",
        text=doc.text,
        title=doc.get("title") or "",
        dnrs=dnrs,
        decision=_date_number(doc.get("decision_date")),
        facets={name: doc.get(name) for name in FACET_FIELDS},
        weight=100,
    )


def index_entries(doc: Document, arende_source: str | None = None) -> Iterator[dict[str, Any]]:
    """The index entries of a document: its own, then one per ärende (§ or agenda item).

    ``arende_source`` is the text the ärenden's offsets refer to when it is not the
    document's own (a near-duplicate group's ärenden may come from another rendering,
    ``arenden_source``); without it an ärende is found by its heading and decision.
    An ärende inherits its document's city, committee, type and language, and is dated
    by the meeting; places, projects and topics are its own where extraction found them.
    """
    yield document_fields(doc)
    arenden = doc.metadata.get("arenden") or []
    if not arenden:
        return
    source_id = doc.metadata.get("arenden_source") or doc.id
    source = doc.text if source_id == doc.id else arende_source
    meeting = (doc.metadata.get("meeting") or {}).get("meeting_date")
    decision = _date_number(doc.get("decision_date")) or _date_number(meeting)
    inherited = {name: doc.get(name) for name in FACET_FIELDS}
    seen: set[str] = set()
    for arende in arenden:
        key = arende_key(arende.get("number", ""))
        if key in seen:
            continue
        seen.add(key)
        facets = {**inherited, **{name: arende[name] for name in ARENDE_OWN_FACETS if name in arende}}
        facets["cities_mentioned"] = [c for c in _as_list(facets["cities_mentioned"])
                                      if c != doc.get("city")]
        yield _entry(
            doc,
            entry_id=f"{doc.id}{ENTRY_SEPARATOR}{key}",
            kind="arende",
            text=_arende_text(arende, source),
            title=arende.get("heading") or "",
            dnrs=[arende.get("dnr") or "", *(arende.get("dnrs") or [])],
            decision=decision,
            facets=facets,
            weight=arende_weight(arende),
        )


def entry_document(entry_id: str) -> tuple[str, str | None]:
    """(document id, ärende key or None) of an index entry's id."""
    doc_id, _, key = entry_id.partition(ENTRY_SEPARATOR)
    return doc_id, key or None


def arende_weight(arende: dict[str, Any]) -> int:
    """How an ärende ranks against an equally good match, in percent of a document.

    A § of a protokoll (where the matter was decided) ranks above the document it is
    in and above the agenda item that announced it; an agenda item whose decision is
    known ranks below that §.
    """
    if arende.get("numbering") == "item":
        return 80 if arende.get("decided_in") else 100
    return 125


def _arende_text(arende: dict[str, Any], source: str | None) -> str:
    """An ärende's passage, or without its source text its heading and decision."""
    text = arende_text(source, arende) if source is not None else ""
    parts = (arende.get("heading"), arende.get("decision"))
    return text or "\n".join(p for p in parts if isinstance(p, str))


def _entry(
    doc: Document,
    *,
    entry_id: str,
    kind: str,
    text: str,
    title: str,
    dnrs: list[Any],
    decision: int,
    facets: dict[str, Any],
    weight: int,
) -> dict[str, Any]:
    language = document_language(doc)
    exact, stems = analyse(text, language)
    title_terms = terms(STEMS[language], title)
    meta_terms = terms(STEMS["sv"], "\n".join(v for name in META_FACETS
                                              for v in _as_list(facets.get(name))))
    document = _date_number(doc.get("document_date"))
    date = decision or document
    fields: dict[str, Any] = {
        "id": entry_id,
        "doc": doc.id,
        "exact": exact,
        "stem": stems,
        "title": title_terms,
        "meta": meta_terms,
        "dnr": list(dict.fromkeys(t for d in dnrs if isinstance(d, str) for t in dnr_keys(d))),
        "year": [str(date // 10000)] if date else [],
        "date": date,
        "decision_date": decision,
        "document_date": document,
        "exact_len": min(len(exact), 65535),
        "stem_len": min(len(stems), 65535),
        "title_len": min(len(title_terms), 65535),
        "meta_len": min(len(meta_terms), 65535),
        WEIGHT_FIELD: weight,
        ACCESS_FIELD: [doc.access],
    }
    for name in FACET_FIELDS:
        if name not in ("year", "kind"):
            fields[name] = _as_list(facets.get(name))
    fields["kind"] = [kind]
    return fields


# -- bulk writing -------------------------------------------------------------------


