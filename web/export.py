"""A search exported whole: ``/search.csv``, ``/search.xlsx``, ``/search.json`` and
``/search.atom``.

They take the search page's query string. CSV, XLSX and JSON hold every matching document
up to ``EXPORT_LIMIT``; the Atom feed holds the ``FEED_SIZE`` matching documents Arkiv
received last (dated when it received them, a snippet as each entry's summary), so a
feed reader can follow what arrives on a subject.

The spreadsheets speak the interface's language, as the pages do (``?lang=``, else the
cookie): in Swedish the CSV is ``;``-separated (Excel with Swedish settings splits on
``;``) with Swedish headings, in English ``,``-separated with the field names as headings.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for
from markupsafe import Markup

from archive import alerts, fields
from archive.models import DOCUMENT_FIELDS
from archive.query import MAX_PAGE_SIZE, Hit, Query
from web.archive_access import archive
from web.documents import arende_citation
from web.i18n import current_language
from web.i18n import gettext as _
from web.labels import field_label, plain
from web.state import parse_query, query_args, search_url

bp = Blueprint("export", __name__)

ATOM = "http://www.w3.org/2005/Atom"
#: A row is a document, or an ärende of one (``kind``; then the ``arende_…`` columns
#: are filled and ``url`` leads to the ärende). Between ``duplicate_of`` and these come
#: the document fields of archive.fields that are not contract fields.
ARENDE_COLUMNS: tuple[str, ...] = (
    "arende", "arende_heading", "arende_dnr", "arende_decision", "arende_status", "snippet",
    "url",
)
#: The Swedish heading of each column that is not a field's (the English ones are the
#: column names).
SWEDISH_HEADINGS: dict[str, str] = {
    "kind": "Träff", "id": "Id", "title": "Titel", "path": "Fil",
    "sha256": "SHA-256", "duplicate_of": "Dubblett av", "arende": "Ärende",
    "arende_heading": "Ärendemening", "arende_dnr": "Ärendets diarienummer",
    "arende_decision": "Beslut", "arende_status": "Status", "snippet": "Utdrag",
    "url": "Länk",
}


def columns() -> tuple[str, ...]:
    """The exported columns, in order."""
    extra = [str(f.column) for f in fields.columns() if f.column not in DOCUMENT_FIELDS]
    return ("kind", *DOCUMENT_FIELDS, *extra, *ARENDE_COLUMNS)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Cells starting with these are read as formulas by spreadsheets; they get a leading '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ET.register_namespace("", ATOM)


def matching_hits(
    query: Query, limit: int, *, snippets: bool = False
) -> tuple[int, Iterator[Hit]]:
    """How many documents match ``query``, and the hits up to ``limit``."""
    page_query = replace(query, page=1, page_size=MAX_PAGE_SIZE, snippets=snippets,
                         facets=False)
    searcher = archive().searcher
    first = searcher.search(page_query)

    def hits() -> Iterator[Hit]:
        results, sent = first, 0
        while True:
            for hit in results.hits[: limit - sent]:
                yield hit
                sent += 1
            if sent >= limit or results.query.page >= results.pages or not results.hits:
                return
            results = searcher.search(replace(results.query, page=results.query.page + 1))

    return first.total, hits()


def _cell(value: Any) -> str:
    text = _text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _hit_url(hit: Hit) -> str:
    if hit.arende is not None:
        return url_for("documents.arende", doc_id=hit.id, key=hit.arende["key"], _external=True)
    return url_for("documents.document", doc_id=hit.id, _external=True)


def _hit_row(hit: Hit) -> dict[str, Any]:
    """A hit as one exported record: its document's fields, its ärende, its URL."""
    row = {"kind": hit.kind, **hit.document}
    if hit.arende is not None:
        row.update(
            arende=arende_citation(hit.arende, hit.document),
            arende_heading=hit.arende.get("heading"),
            arende_dnr=hit.arende.get("dnr"),
            arende_decision=hit.arende.get("decision"),
            arende_status=hit.arende.get("status"),
        )
    row["snippet"] = snippet_text(hit)
    row["url"] = _hit_url(hit)
    return row


def snippet_text(hit: Hit) -> str:
    """A hit's first snippet as plain text ("" when it has none)."""
    for snippet in hit.snippets or []:
        text = " ".join(Markup(snippet.html).striptags().split())
        if text:
            return text
    return ""


def headings(names: tuple[str, ...]) -> list[str]:
    """The headings of columns ``names`` in the interface's language."""
    if current_language() == "sv":
        return [SWEDISH_HEADINGS.get(name) or field_label(name) for name in names]
    return list(names)


def _exported_hits() -> Iterator[Hit]:
    """The hits a spreadsheet export holds: the page's query, every match up to the
    limit, asked of the viewer's searcher (``archive().searcher``), with snippets."""
    query = parse_query(request.args)
    _total, hits = matching_hits(query, current_app.config["EXPORT_LIMIT"], snippets=True)
    return hits


@bp.get("/search.csv")
def csv_export() -> Response:
    """UTF-8 with a BOM (so Excel reads å ä ö), one row a document, lists joined by "; "."""
    hits = _exported_hits()
    delimiter = ";" if current_language() == "sv" else ","
    names = columns()
    titles = headings(names)

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter)
        buffer.write("\ufeff")
        writer.writerow(titles)
        for hit in hits:
            row = _hit_row(hit)
            writer.writerow(_cell(row.get(column)) for column in names)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="arkiv-sokning.csv"'},
    )


@bp.get("/search.xlsx")
def xlsx_export() -> Response:
    """An Excel workbook: the CSV's columns and rows, dates as real dates, every other
    cell text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Sökning"))
    names = columns()
    dated = {f.column for f in fields.date_ranges() if f.column}  # real dates in the sheet
    sheet.append(headings(names))
    for hit in _exported_hits():
        row = _hit_row(hit)
        cells = []
        for column in names:
            value = row.get(column)
            day = _date(value) if column in dated else None
            if day is not None:
                cell = WriteOnlyCell(sheet, value=day)
                cell.number_format = "yyyy-mm-dd"
            else:
                cell = WriteOnlyCell(sheet, value=_NOT_XML.sub("", _text(value)))
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    body = io.BytesIO()
    book.save(body)
    return Response(
        body.getvalue(), mimetype=XLSX,
        headers={"Content-Disposition": 'attachment; filename="arkiv-sokning.xlsx"'},
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    return "; ".join(map(plain, value)) if isinstance(value, list) else plain(value)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@bp.get("/search.json")
def json_export() -> Response:
    """Every matching document's fields (up to the limit), with the total and the query."""
    query = parse_query(request.args)
    total, hits = matching_hits(query, current_app.config["EXPORT_LIMIT"])
    documents = [_json_record(hit) for hit in hits]
    return current_app.json.response(
        {
            "query": dict(query_args(replace(query, page=1))),
            "total": total,
            "exported": len(documents),
            "truncated": total > len(documents),
            "documents": documents,
        }
    )


def _json_record(hit: Hit) -> dict[str, Any]:
    record = {**hit.document, "kind": hit.kind, "url": _hit_url(hit)}
    if hit.arende is not None:
        record["arende"] = {**hit.arende, "citation": arende_citation(hit.arende, hit.document)}
    return record


def received_hits(query: Query, size: int, scan: int) -> list[tuple[Hit, str]]:
    """The ``size`` hits of ``query`` whose documents Arkiv received last, newest first,
    with when each was received (at most ``scan`` documents looked at), as the viewer's
    searcher shows them: the public never gets what it may not see."""
    found = alerts.arrivals(archive().raw_catalog, archive().searcher, query, limit=scan,
                            snippets=True)
    return list(islice(found, size))


def _atom_time(stamp: str, fallback: str) -> str:
    """An RFC 3339 time for Atom from the catalog's ISO time stamp."""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return fallback
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _summary(hit: Hit) -> str:
    """The entry's text: its first snippet, else the document's facts."""
    text = snippet_text(hit)
    if text:
        return text
    doc = hit.document
    facts = (doc.get("doc_type"), doc.get("committee"), doc.get("city"), doc.get("dnr"))
    return " · ".join(str(v) for v in facts if v)


@bp.get("/search.atom")
def atom_export() -> Response:
    """An Atom feed of the matching documents Arkiv received last (``sort`` is ignored)."""
    asked = replace(parse_query(request.args), sort="newest", page=1)
    size = min(current_app.config["FEED_SIZE"], MAX_PAGE_SIZE)
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    entries = [(hit, _atom_time(received, now)) for hit, received in
               received_hits(asked, size, current_app.config["EXPORT_LIMIT"])]

    feed = ET.Element(f"{{{ATOM}}}feed")
    root = request.url_root.rstrip("/")
    self_url = root + search_url(asked, "export.atom_export")
    page_url = root + search_url(asked)
    title = _("Arkiv: {q}", q=asked.text) if asked.text else _("Arkiv: nya dokument")
    _sub(feed, "title", title)
    _sub(feed, "id", self_url)
    _sub(feed, "updated", max((u for _h, u in entries), default=now))
    _sub(feed, "link", href=self_url, rel="self", type="application/atom+xml")
    _sub(feed, "link", href=page_url, rel="alternate", type="text/html")
    _sub(_sub(feed, "author"), "name", "Arkiv")
    for hit, updated in entries:
        doc = hit.document
        url = _hit_url(hit)
        entry = _sub(feed, "entry")
        title = doc.get("title") or hit.id
        if hit.arende is not None:
            title = f"{arende_citation(hit.arende, doc)}: {hit.arende.get('heading') or ''}".strip(": ")
        _sub(entry, "title", title)
        _sub(entry, "id", url)
        _sub(entry, "updated", updated)
        _sub(entry, "link", href=url, rel="alternate", type="text/html")
        summary = _summary(hit)
        if summary:
            _sub(entry, "summary", summary)
        for topic in doc.get("topics") or []:
            _sub(entry, "category", term=topic)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    clean = {name: _NOT_XML.sub("", value) for name, value in attributes.items()}
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", clean)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element

