"""The JSON API: the twin of every page, under ``/api/`` (described at ``/api/openapi.json``).

Errors are ``{"error": message}`` with the HTTP status (see :mod:`web.errors`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request, url_for

from archive import faceting
from archive.document_json import document_json, versions_json
from web import browse
from web.about import status
from web.archive_access import archive, viewer_access
from web.documents import (
    arende_citation,
    arende_json,
    container_links,
    find_arende,
    load_document,
    similar,
)
from web.messages import say_all
from web.openapi import openapi_document
from web.search import exports
from web.state import (
    date_params,
    facet_links,
    filter_params,
    hit_fields,
    parse_query,
    search_url,
)

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.after_request
def cross_origin(response: Response) -> Response:
    """CORS for the public's read-only API: any site may read what the public may read
    (GET, no credentials: a browser sends no cookie or token to another site with it).
    An answer made for staff (a session or a token) is not shared with other sites."""
    if request.method in ("GET", "HEAD") and viewer_access():
        response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.update(("Cookie", "Authorization"))
    return response


def _json(data: Any) -> Response:
    return current_app.json.response(data)


@bp.get("/search")
def search() -> Response:
    """Results.to_json() with facets carrying toggle URLs and paging links; ``fields=``
    chooses the hits' fields (by default every field but ``arenden``)."""
    query = parse_query(request.args)
    only = hit_fields(request.args)
    results = faceting.search(archive().searcher, query)
    data = results.to_json(only)
    data["message"] = say_all(results.notes)  # in the visitor's language
    for hit, shown in zip(results.hits, data["hits"], strict=True):
        if only is None or "url" in only:
            shown["url"] = url_for("documents.document", doc_id=hit.id)
        if only is not None and "versions" in only:
            found = archive().catalog.get(hit.id, with_text=False)
            shown["versions"] = versions_json(archive().versions(found) if found else [], hit.id)
        if "arende" in shown:
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
        **{param: query.values(attribute) for param, attribute in filter_params().items()},
        **{param: getattr(query, attribute) for param, attribute in date_params().items()},
        "sort": query.sort,
    }
    # The API's own links keep the fields asked for.
    kept = "" if only is None else "&" + urlencode({"fields": ",".join(sorted(only))})

    def api_url(**changes: object) -> str:
        url = search_url(query, "api.search", **changes)
        return url + (kept if "?" in url else kept.replace("&", "?", 1))

    links = {
        "self": api_url(),
        "next": api_url(page=query.page + 1) if query.page < results.pages else None,
        "prev": api_url(page=query.page - 1) if query.page > 1 else None,
        "html": search_url(query),
    }
    exported = exports(replace(query, page=1))
    links.update(csv=exported["csv"], xlsx=exported["xlsx"], json=exported["json"],
                 atom=exported["atom"])
    data["links"] = links
    return _json(data)


@bp.get("/documents/<doc_id>")
def document(doc_id: str) -> Response:
    """The document's JSON (archive.document_json: as ``arkiv show --json`` has it, as
    this viewer may see it) plus similar documents, its parts or containers (a mail's
    attachments, the mail an attachment came with) and links."""
    doc = load_document(doc_id)
    renderings = archive().catalog.renderings(doc.id)
    data = document_json(doc, renderings=renderings, versions=archive().versions(doc),
                         staff=not viewer_access())
    data["similar"] = similar(doc, renderings)
    data.update(container_links(doc))
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
    """Documents per year and month of a search (the search parameters; all without),
    and how many of them have no date."""
    query = parse_query(request.args)
    years = browse.timeline(query)
    return _json({"years": years, "undated": browse.undated(query, years)})


@bp.get("/status")
def archive_status() -> Response:
    return _json(status())


@bp.get("/openapi.json")
def openapi() -> Response:
    return _json(openapi_document())
