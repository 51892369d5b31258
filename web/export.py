"""A search exported whole: ``/search.csv``, ``/search.json`` and ``/search.atom``.

They take the search page's query string. CSV and JSON hold every matching document
up to ``EXPORT_LIMIT``; the Atom feed holds the newest ``FEED_SIZE`` (by decision
date, else document date), so a feed reader can follow new decisions on a subject.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for

from archive.models import DOCUMENT_FIELDS
from archive.query import MAX_PAGE_SIZE, Hit, Query
from web.archive_access import archive
from web.documents import arende_citation
from web.i18n import gettext as _
from web.labels import plain
from web.state import parse_query, query_args, search_url

bp = Blueprint("export", __name__)

ATOM = "http://www.w3.org/2005/Atom"
#: A row is a document, or an ärende of one (``kind``; then the ``arende_…`` columns
#: are filled and ``url`` leads to the ärende).
CSV_COLUMNS: tuple[str, ...] = (
    "kind", *DOCUMENT_FIELDS, "arende", "arende_heading", "arende_dnr", "arende_decision",
    "arende_status", "url",
)
#: Cells starting with these are read as formulas by spreadsheets; they get a leading '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ET.register_namespace("", ATOM)


def matching_hits(query: Query, limit: int) -> tuple[int, Iterator[Hit]]:
    """How many documents match ``query``, and the hits (no snippets) up to ``limit``."""
    page_query = replace(query, page=1, page_size=MAX_PAGE_SIZE, snippets=False, facets=False)
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
    if value is None:
        return ""
    text = "; ".join(map(plain, value)) if isinstance(value, list) else plain(value)
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
    row["url"] = _hit_url(hit)
    return row


@bp.get("/search.csv")
def csv_export() -> Response:
    """UTF-8 with a BOM (so Excel reads å ä ö), one row a document, lists joined by "; "."""
    query = parse_query(request.args)
    _total, hits = matching_hits(query, current_app.config["EXPORT_LIMIT"])

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(CSV_COLUMNS)
        for hit in hits:
            row = _hit_row(hit)
            writer.writerow(_cell(row.get(column)) for column in CSV_COLUMNS)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="arkiv-sokning.csv"'},
    )


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


def _updated(document: dict[str, Any], fallback: str) -> str:
    day = document.get("decision_date") or document.get("document_date")
    return f"{day}T00:00:00Z" if day else fallback


@bp.get("/search.atom")
def atom_export() -> Response:
    """An Atom feed of the newest matching documents (``sort`` is always newest)."""
    asked = replace(parse_query(request.args), sort="newest", page=1)
    size = min(current_app.config["FEED_SIZE"], MAX_PAGE_SIZE)
    results = archive().searcher.search(
        replace(asked, page_size=size, snippets=False, facets=False)
    )
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    entries = [(hit, _updated(hit.document, now)) for hit in results.hits]

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
        facts = (doc.get("doc_type"), doc.get("committee"), doc.get("city"), doc.get("dnr"))
        summary = " · ".join(str(v) for v in facts if v)
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

