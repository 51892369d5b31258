"""One document: ``/documents/<id>`` (metadata, clean text, related documents) and its original.

The original is found only through the catalog: id → sha256 → the content-addressed
file. Nothing from the request is ever joined into a filesystem path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from flask import Blueprint, abort, current_app, g, render_template, request, send_file, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from archive import fields, models
from archive.models import Document, arende_key
from archive.query import MAX_QUERY_LENGTH
from web.archive_access import archive
from web.highlight import Highlighter
from web.i18n import DEFAULT_LANGUAGE, current_language
from web.i18n import gettext as _
from web.labels import field_label, value_label

bp = Blueprint("documents", __name__, url_prefix="/documents")

#: Content types of mails: their parts are "Bilagor", an archive's are its "Innehåll".
MAIL_TYPES = frozenset({"message/rfc822", "application/vnd.ms-outlook"})

_DOCUMENT_ID = re.compile(r"[0-9a-f]{16}")
PDF = "application/pdf"
#: Originals shown in the browser rather than downloaded: PDF and raster images only
#: (never HTML or SVG, which could run script on this site).
INLINE_TYPES = frozenset({PDF, "image/png", "image/jpeg", "image/gif", "image/tiff"})
#: An inline original loads nothing and runs nothing; Chromium's PDF viewer is an
#: embedded plugin, so ``object-src`` must allow the original itself.
ORIGINAL_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; object-src 'self'; img-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
#: Document fields shown in the metadata table, in order; each links into a search
#: filtered on it when it is a filter (archive.fields).
SHOWN_FIELDS: tuple[str, ...] = (
    "doc_type", "decision_date", "document_date", "committee", "administration", "dnr",
    "city", "districts", "cities_mentioned", "projects", "topics", "people", "language",
)


def load_document(doc_id: str) -> Document:
    """The catalog's document with this id, or a 404."""
    document = archive().catalog.get(doc_id) if _DOCUMENT_ID.fullmatch(doc_id) else None
    if document is None:
        abort(404, _("Det finns inget dokument med id {id}.", id=doc_id))
    return document


def human_size(size: int) -> str:
    """A file size as people read it (kB and MB in powers of 1,000)."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f} MB"


@dataclass
class MetadataRow:
    label: str
    values: list[tuple[str, str | None]] = field(default_factory=list)  # (text, search URL)


def metadata_rows(document: Document) -> list[MetadataRow]:
    """The metadata table: known fields only, each value linking to a search on it."""
    rows: list[MetadataRow] = []
    for name in SHOWN_FIELDS:
        value = document.get(name)
        values = value if isinstance(value, list) else [value] if value else []
        if not values:
            continue
        spec = fields.by_column(name)
        param = spec.param if spec is not None and spec.kind == fields.KEYWORDS else None
        if name == "decision_date":
            links = [
                (v, url_for("search.search", decision_from=v, decision_to=v)) for v in values
            ]
        else:
            links = [
                (value_label(name, v), url_for("search.search", **{param: v}) if param else None)
                for v in values
            ]
        if name == "projects":
            suggested = set(document.metadata.get("projects_suggested") or [])
            links = [(f"{text} ({_('föreslaget')})" if value in suggested else text, url)
                     for (text, url), value in zip(links, values, strict=True)]
        rows.append(MetadataRow(_(field_label(name)), links))
    return rows


@dataclass
class Paragraph:
    anchor: str
    html: Markup
    matched: bool


@dataclass
class TextPage:
    number: int
    paragraphs: list[Paragraph]


def text_pages(document: Document, highlighter: Highlighter) -> list[TextPage]:
    """The clean text, page by page and paragraph by paragraph, escaped and marked."""
    text = document.text
    starts = [s for s in document.page_starts if 0 <= s <= len(text)] or [0]
    pages: list[TextPage] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        chunks = [p.strip() for p in _PARAGRAPH_BREAK.split(text[start:end]) if p.strip()]
        paragraphs = [
            Paragraph(f"s-{index + 1}-{n}", highlighter(chunk), highlighter.matches(chunk))
            for n, chunk in enumerate(chunks, 1)
        ]
        pages.append(TextPage(index + 1, paragraphs))
    return pages


def relations(document: Document) -> dict[str, list[dict[str, Any]]]:
    """Other renderings of the same document, its versions, and similar documents."""
    catalog = archive().catalog
    rendering_ids = catalog.renderings(document.id)
    renderings = catalog.get_many(rendering_ids, with_text=False)
    versions = archive().versions(document)
    return {
        "renderings": [
            _summary(renderings[i].to_json()) for i in rendering_ids if i in renderings
        ],
        "versions": [
            {"version": number, "id": doc_id, "at": at, "current": doc_id == document.id}
            for number, doc_id, at in versions
        ]
        if len(versions) > 1
        else [],
        "similar": similar(document, rendering_ids),
    }


def similar(document: Document, rendering_ids: list[str]) -> list[dict[str, Any]]:
    """The documents most like this one (not its other renderings), as links."""
    group = {document.id, *rendering_ids}
    found = archive().searcher.more_like_this(
        document.duplicate_of or document.id, current_app.config["SIMILAR_LIMIT"] + len(group)
    )
    return [_summary(hit.document) for hit in found if hit.id not in group][
        : current_app.config["SIMILAR_LIMIT"]]


def container_links(document: Document) -> dict[str, list[dict[str, Any]]]:
    """A container's members ("Bilagor" of a mail, the files of a zip) and the
    containers a document came in ("Bilaga till e-post …"), ready to render."""
    catalog = archive().catalog
    members = catalog.parts_of(document.id)
    containers = catalog.containers_of(document.id)
    linked = catalog.get_many(
        [doc_id for _name, doc_id, _problem in members if doc_id]
        + [doc_id for doc_id, _name in containers], with_text=False)
    return {
        "parts": [
            {"name": name, "problem": problem,
             "title": _own_title(linked[doc_id], name) if doc_id in linked else None,
             "url": url_for("documents.document", doc_id=doc_id) if doc_id in linked else None}
            for name, doc_id, problem in members
        ],
        "containers": [
            {"name": name, "title": linked[doc_id].get("title") or linked[doc_id].filename,
             "mail": linked[doc_id].content_type in MAIL_TYPES,
             "url": url_for("documents.document", doc_id=doc_id)}
            for doc_id, name in containers if doc_id in linked
        ],
    }


def _own_title(document: Document, name: str) -> str | None:
    """A member's title when it says more than its file name ("OUTER 1" of "OUTER 1.pdf")."""
    title = document.get("title")
    return title if title and title not in (name, PurePosixPath(name).stem) else None


def arende_label(arende: dict[str, Any]) -> str:
    """How people cite an ärende: "§ 64" in minutes, "Punkt 3" on an agenda."""
    if arende.get("numbering") == "item":
        return _("Punkt {n}", n=arende.get("number"))
    return models.arende_label(arende)


#: Where an ärende stands, in English ("§ 64 of the minutes of Byggnadsnämnden, 2024-02-29").
_SOURCE_EN = {"protokoll": "the minutes", "kallelse": "the agenda",
              "tjänsteutlåtande": "the report"}


@bp.app_template_global()
def arende_citation(arende: dict[str, Any], document: dict[str, Any]) -> str:
    """An ärende as staff cite it: "§ 64 i Byggnadsnämndens protokoll 2024-02-29"."""
    if current_language() == DEFAULT_LANGUAGE:
        return models.arende_citation(arende, document)
    source = _SOURCE_EN.get(document.get("doc_type") or "", "the document")
    if document.get("committee"):
        source += f" of {document['committee']}"
    date = document.get("decision_date") or document.get("document_date")
    return f"{arende_label(arende)} in {source}" + (f", {date}" if date else "")


@bp.app_template_global()
def hit_url(hit: Any, query_text: str | None = None) -> str:
    """Where a search hit leads: its ärende's page, or its document's."""
    if hit.arende is not None:
        return url_for("documents.arende", doc_id=hit.id, key=hit.arende["key"], q=query_text)
    return url_for("documents.document", doc_id=hit.id, q=query_text)


def arende_json(document: Document, arende: dict[str, Any]) -> dict[str, Any]:
    """One ärende as the API gives it: its fields, its own text and its links."""
    data = {k: v for k, v in arende.items() if k not in ("start", "end")}
    data["label"] = arende_label(arende)
    data["text"] = arende_text(document, arende)
    key = arende_key(arende.get("number", ""))
    data["links"] = {
        "html": url_for("documents.arende", doc_id=document.id, key=key),
        "document": url_for("documents.document", doc_id=document.id) + f"#arende-{key}",
    }
    for relation in ("decided_in", "agenda_item"):
        target = arende.get(relation)
        if target:
            data["links"][relation] = url_for(
                "documents.arende", doc_id=target["document"], key=arende_key(target["number"])
            )
    return data


def arende_text(document: Document, arende: dict[str, Any]) -> str:
    """The ärende's own passage of the text its offsets refer to (a group's ärenden may
    come from another rendering: ``arenden_source``)."""
    source = archive().catalog.arenden_source(document) or document
    return models.arende_text(source.text, arende)


def find_arende(document: Document, key: str) -> dict[str, Any]:
    """The ärende with this URL key, or a 404."""
    arende = document.arende(key)
    if arende is None:
        abort(404, _("Dokumentet har inget ärende {key}.", key=key))
    return arende


def _summary(values: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "title", "doc_type", "decision_date", "document_date", "city")
    summary = {key: values.get(key) for key in keys}
    summary["url"] = url_for("documents.document", doc_id=values["id"])
    return summary


@bp.get("/<doc_id>")
def document(doc_id: str) -> str:
    doc = load_document(doc_id)
    query_text = (request.args.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    highlighter = Highlighter(query_text)
    pages = text_pages(doc, highlighter)
    first_match = next(
        (p.anchor for page in pages for p in page.paragraphs if p.matched), None
    )
    origin = doc.text_origin()
    return render_template(
        "document.html",
        doc=doc,
        rows=metadata_rows(doc),
        pages=pages,
        query_text=query_text,
        first_match=first_match,
        size=human_size(doc.size),
        search_back_url=url_for("search.search", q=query_text) if query_text else None,
        arenden=[arende_json(doc, a) for a in doc.metadata.get("arenden") or []],
        inline_original=shown_inline(doc.content_type),
        is_pdf=(doc.content_type or "").startswith(PDF),
        origin=origin,
        ocr_pages=[n for n, source in enumerate(origin["text_source"], 1) if source == "ocr"],
        is_mail=doc.content_type in MAIL_TYPES,
        **relations(doc),
        **container_links(doc),
    )


@bp.get("/<doc_id>/arenden/<key>")
def arende(doc_id: str, key: str) -> str:
    """One ärende of a protokoll or kallelse: its heading, Dnr, decision and text."""
    doc = load_document(doc_id)
    item = arende_json(doc, find_arende(doc, key))
    query_text = (request.args.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    highlighter = Highlighter(query_text)
    paragraphs = [
        highlighter(chunk)
        for chunk in (p.strip() for p in _PARAGRAPH_BREAK.split(item["text"]))
        if chunk
    ]
    return render_template("arende.html", doc=doc, item=item, paragraphs=paragraphs)


def shown_inline(content_type: str | None) -> bool:
    """Whether the browser may show an original itself (PDF at a page, images)."""
    return (content_type or "").split(";")[0].strip() in INLINE_TYPES


@bp.app_template_global()
def original_page_url(doc_id: str, page: int | None = None) -> str:
    """Where to look at a document's original: the PDF at ``page`` (PDF viewers read
    ``#page=N``)."""
    url = url_for("documents.original", doc_id=doc_id)
    return f"{url}#page={page}" if page else url


@bp.app_template_global()
def snippet_page_url(hit: Any, page: int, document_url: str) -> str:
    """Where a search snippet's page number leads: that page of the original when it
    is a PDF, else that page of the document's text."""
    types = g.setdefault("content_types", {})
    if hit.id not in types:
        doc = archive().catalog.get(hit.id, with_text=False)
        types[hit.id] = doc.content_type if doc else None
    if (types[hit.id] or "").startswith(PDF):
        return original_page_url(hit.id, page)
    return f"{document_url}#s-{page}"


@bp.get("/<doc_id>/original")
def original(doc_id: str) -> Response:
    """The original file as archived, with its real type and its original name: PDFs
    and images shown in the browser, anything else (HTML above all) as a download;
    ``?download=1`` always downloads."""
    doc = load_document(doc_id)
    path = archive().catalog.original_path(doc.sha256)
    if not path.is_file():
        abort(404, _("Originalfilen saknas i arkivet."))
    inline = shown_inline(doc.content_type) and not request.args.get("download")
    response = send_file(
        path,
        mimetype=doc.content_type or "application/octet-stream",
        as_attachment=not inline,
        download_name=doc.filename or doc.id,
        conditional=True,
        etag=doc.sha256,
        max_age=3600,
    )
    if inline:
        # The browser's own viewer shows it; nothing in the file may run or load more.
        response.headers["Content-Security-Policy"] = ORIGINAL_CONTENT_SECURITY_POLICY
    return response
