"""The JSON API: the twin of every page, under ``/api/`` (described at ``/api/openapi.json``).

Errors are ``{"error": message}`` with the HTTP status (see :mod:`web.errors`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, current_app, request, url_for

from web import browse
from web.about import status
from web.archive_access import archive
from web.documents import (
    arende_citation,
    arende_json,
    container_links,
    find_arende,
    load_document,
    relations,
)
from web.messages import say_all
from web.openapi import openapi_document
from web.search import exports
from web.state import DATES, FILTERS, facet_links, parse_query, search_url

bp = Blueprint("api", __name__, url_prefix="/api")


def _json(data: Any) -> Response:
    return current_app.json.response(data)


@bp.get("/search")
def search() -> Response:
    """Results.to_json() with facets carrying toggle URLs and paging links."""
    query = parse_query(request.args)
    results = archive().searcher.search(query)
    data = results.to_json()
    data["message"] = say_all(results.notes)  # in the visitor's language
    for hit, shown in zip(results.hits, data["hits"], strict=True):
        shown["url"] = url_for("documents.document", doc_id=hit.id)
        if hit.arende is not None:
            key = hit.arende["key"]
            shown["arende"]["citation"] = arende_citation(hit.arende, hit.document)
            shown["arende"]["url"] = url_for("documents.arende", doc_id=hit.id, key=key)
            shown["arende"]["api_url"] = url_for("api.arende", doc_id=hit.id, key=key)
    data["facets"] = {
        name: [link.to_json() for link in links]
        for name, links in facet_links(query, results.facets, "api.search").items()
    }
    data["query"] = {
        "q": query.text,
        **{param: getattr(query, attribute) for param, attribute in FILTERS.items()},
        **{param: getattr(query, attribute) for param, attribute in DATES.items()},
        "sort": query.sort,
    }
    links = {
        "self": search_url(query, "api.search"),
        "next": (
            search_url(query, "api.search", page=query.page + 1)
            if query.page < results.pages
            else None
        ),
        "prev": search_url(query, "api.search", page=query.page - 1) if query.page > 1 else None,
        "html": search_url(query),
    }
    exported = exports(replace(query, page=1))
    links.update(csv=exported["csv"], xlsx=exported["xlsx"], json=exported["json"],
                 atom=exported["atom"])
    data["links"] = links
    return _json(data)


@bp.get("/documents/<doc_id>")
def document(doc_id: str) -> Response:
    """Document.to_json(with_text=True) plus renderings, versions, similar, its parts or
    containers (a mail's attachments, the mail an attachment came with) and file facts."""
    doc = load_document(doc_id)
    data = doc.to_json(with_text=True)
    data.update(doc.text_origin())
    data.update(relations(doc))
    data.update(container_links(doc))
    data["file"] = {
        "filename": doc.filename,
        "content_type": doc.content_type,
        "size": doc.size,
        "pages": len(doc.page_starts),
        "ingested_at": doc.ingested_at,
    }
    data["superseded_by"] = doc.superseded_by
    data["links"] = {
        "html": url_for("documents.document", doc_id=doc.id),
        "original": url_for("documents.original", doc_id=doc.id),
    }
    return _json(data)


@bp.get("/documents/<doc_id>/arenden/<key>")
def arende(doc_id: str, key: str) -> Response:
    """One ärende (a § of a protokoll, an agenda item of a kallelse) with its text."""
    doc = load_document(doc_id)
    return _json(arende_json(doc, find_arende(doc, key)))


@bp.get("/browse/projects")
def browse_projects() -> Response:
    return _json([entry for _letter, group in browse.projects_by_letter() for entry in group])


@bp.get("/browse/places")
def browse_places() -> Response:
    return _json(browse.places())


@bp.get("/browse/topics")
def browse_topics() -> Response:
    return _json(browse.topics())


@bp.get("/browse/timeline")
def browse_timeline() -> Response:
    return _json(browse.timeline())


@bp.get("/status")
def archive_status() -> Response:
    return _json(status())


@bp.get("/openapi.json")
def openapi() -> Response:
    return _json(openapi_document())
