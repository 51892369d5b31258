"""The OpenAPI 3 description of the JSON API, built from the field table the parser uses
(:mod:`archive.fields`), so the two cannot drift apart."""

from __future__ import annotations

from typing import Any

from archive import fields
from archive.fields import HIT_KINDS
from archive.models import DOCUMENT_FIELDS, LIST_FIELDS
from archive.query import MAX_PAGE_SIZE, MAX_QUERY_LENGTH, SORTS, hit_field_names
from web.export import XLSX
from web.i18n import LANGUAGES
from web.state import (
    DEFAULT_PAGE_SIZE,
    MAX_FILTER_VALUES,
    MAX_PAGE,
    MAX_VALUE_LENGTH,
)


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def search_parameters() -> list[dict[str, Any]]:
    """The search parameters, shared by /api/search and the exports."""
    parameters: list[dict[str, Any]] = [
        {
            "name": "q",
            "in": "query",
            "description": "Free text in the search syntax (see /hjalp).",
            "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH},
        }
    ]
    parameters += [
        {
            "name": spec.param,
            "in": "query",
            "description": spec.help + " Repeat for several values (any of them).",
            "schema": {"type": "array", "maxItems": MAX_FILTER_VALUES,
                       "items": {**spec.schema, "maxLength": MAX_VALUE_LENGTH}},
            "style": "form",
            "explode": True,
        }
        for spec in fields.filters()
    ]
    parameters += [
        {
            "name": param,
            "in": "query",
            "description": f"{spec.help} {bound} (YYYY-MM-DD; YYYY-MM or YYYY for a whole "
                           "month or year).",
            "schema": spec.schema,
        }
        for spec in fields.date_ranges()
        for param, bound in zip(spec.params, ("From this day.", "Up to this day."), strict=True)
    ]
    parameters += [
        {
            "name": "sort",
            "in": "query",
            "schema": {"type": "string", "enum": list(SORTS), "default": "relevance"},
        },
        {
            "name": "page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        },
        {
            "name": "page_size",
            "in": "query",
            "description": f"Hits per page; over {MAX_PAGE_SIZE} is refused with 400, not capped.",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_PAGE_SIZE,
                "default": DEFAULT_PAGE_SIZE,
            },
        },
    ]
    return parameters


_PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "role": {"type": ["string", "null"]},
        "party": {"type": ["string", "null"]},
    },
}


def _document_schema(*, with_text: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        name: (
            {"type": "array", "items": _PERSON if name == "people" else {"type": "string"}}
            if name in LIST_FIELDS
            else {"type": ["string", "null"]}
        )
        for name in DOCUMENT_FIELDS
    }
    if with_text:
        properties["text"] = {"type": "string"}
    return {"type": "object", "required": list(DOCUMENT_FIELDS), "properties": properties}


def _json_schema(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _object(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


_STRING = {"type": "string"}
_NULLABLE = {"type": ["string", "null"]}
_INTEGER = {"type": "integer"}
_VERSIONS = {
    "type": "array",
    "description": "Every version the document's source path has shown.",
    "items": _object({"version": _INTEGER, "id": _STRING, "at": _STRING,
                      "current": {"type": "boolean"}}, "version", "id", "at", "current"),
}
_LINK = _object({"name": _STRING, "count": _INTEGER, "url": _STRING}, "name", "count", "url")


def fields_parameter() -> dict[str, Any]:
    """``fields=``: which fields each hit carries."""
    return {
        "name": "fields",
        "in": "query",
        "description": "The fields each hit carries (id always), repeated or comma-separated; "
                       "without it every field but arenden (every ärende of a protokoll).",
        "schema": {"type": "array", "items": {"type": "string", "enum": list(hit_field_names())}},
        "style": "form",
        "explode": True,
    }


def _hit_schema() -> dict[str, Any]:
    properties = dict(_document_schema(with_text=False)["properties"])
    properties.update({
        "score": {"type": "number"},
        "url": _STRING,
        "kind": {"type": "string", "enum": list(HIT_KINDS)},
        "arende": {
            "description": "On hits of kind arende: the § or agenda item (id is its "
                           "document's).",
            "type": "object",
            "properties": {
                "key": _STRING, "number": _STRING,
                "numbering": {"type": "string", "enum": ["paragraph", "item"]},
                "heading": _NULLABLE, "dnr": _NULLABLE, "decision": _NULLABLE,
                "status": _NULLABLE,
                "pages": {"type": ["array", "null"], "items": _INTEGER},
                "citation": _STRING, "url": _STRING, "api_url": _STRING,
            },
        },
        "renderings": {"type": "array", "items": _STRING,
                       "description": "Ids of the other renderings of the same document."},
        "arenden": {"type": "array", "items": {"type": "object"},
                    "description": "Every ärende of the document (only with fields=arenden)."},
        "versions": {**_VERSIONS, "description": "Only with fields=versions."},
        "snippets": {
            "type": "array",
            "items": _object({
                "html": {"type": "string", "description": "HTML-escaped; matches in <mark>"},
                "page": _INTEGER,
                "label": {"type": ["string", "null"], "enum": ["decision", "proposal", None]},
            }, "html", "page"),
        },
    })
    return {"type": "object", "required": ["id"], "properties": properties}


def _detail_schema() -> dict[str, Any]:
    extra = {
        "access": {"enum": ["public", "internal"], "description": "Staff only."},
        "access_reason": {**_NULLABLE, "description": "Staff only."},
        "renderings": {"type": "array", "items": _STRING,
                       "description": "Ids of the other renderings of the same document."},
        "versions": _VERSIONS,
        "superseded_by": _NULLABLE,
        "similar": {"type": "array", "items": {"type": "object"}},
        "parts": {"type": "array", "items": {"type": "object"},
                  "description": "A mail's attachments, an archive's files: name, title, url "
                                 "(null when it could not be read), problem"},
        "containers": {"type": "array", "items": {"type": "object"},
                       "description": "The mails or archives this document came in: name, "
                                      "title, mail, url"},
        "file": _object({"filename": _STRING, "content_type": _STRING, "size": _INTEGER,
                         "pages": _INTEGER, "ingested_at": _STRING}),
        "text_source": {
            "type": "array",
            "items": {"enum": ["text", "ocr", "none"]},
            "description": "Where each page's text came from: the file's own text, OCR, or "
                           "an image not read (none).",
        },
        "ocr_confidence": {"type": ["number", "null"],
                           "description": "Mean OCR word confidence, 0–1."},
        "ocr_status": {"enum": ["done", "failed", "unavailable", "off", None],
                       "description": "What OCR did; null when no page needed it."},
        "links": _object({"html": _STRING, "original": _STRING}, "html", "original"),
    }
    document = _document_schema(with_text=True)
    return {**document, "properties": {**document["properties"], **extra},
            "required": [*document["required"], "renderings", "versions", "file", "links"]}


def _arende_schema() -> dict[str, Any]:
    return _object({
        "number": _STRING, "numbering": {"type": "string", "enum": ["paragraph", "item"]},
        "heading": _NULLABLE, "dnr": _NULLABLE, "decision": _NULLABLE, "status": _NULLABLE,
        "pages": {"type": ["array", "null"], "items": _INTEGER},
        "label": _STRING, "text": _STRING,
        "links": _object({"html": _STRING, "document": _STRING, "decided_in": _STRING,
                          "agenda_item": _STRING}, "html", "document"),
    }, "number", "label", "text", "links")


def _search_results_schema() -> dict[str, Any]:
    facet_value = _object({"value": _STRING, "count": _INTEGER, "selected": {"type": "boolean"},
                           "toggle_url": _STRING}, "value", "count", "selected", "toggle_url")
    return _object({
        "total": _INTEGER, "page": _INTEGER, "page_size": _INTEGER, "pages": _INTEGER,
        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        "facets": {"type": "object", "additionalProperties": {"type": "array",
                                                              "items": facet_value}},
        "suggestion": _NULLABLE,
        "message": _NULLABLE,
        "query": {"type": "object"},
        "links": {"type": "object", "properties": {
            k: _NULLABLE for k in ("self", "next", "prev", "html", "csv", "xlsx", "json", "atom")
        }},
    }, "total", "hits", "facets")


def _timeline_schema() -> dict[str, Any]:
    month = _object({"month": _STRING, "number": _INTEGER, "count": _INTEGER, "url": _NULLABLE},
                    "month", "number", "count", "url")
    year = _object({"year": _STRING, "count": _INTEGER, "url": _STRING,
                    "months": {"type": "array", "items": month}},
                   "year", "count", "url", "months")
    return _object({
        "years": {"type": "array", "items": year},
        "undated": {**_INTEGER, "description": "Documents found that have no date."},
    }, "years", "undated")


def _get(summary: str, responses: dict[str, Any], parameters: list[dict[str, Any]] | None = None,
         description: str = "") -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if description:
        operation["description"] = description
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


def _export(summary: str, media_type: str, schema: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    """An export of a search: the search page's parameters, an answer of ``media_type``."""
    content = {media_type: {"schema": schema or {"type": "string"}}}
    error_type = "application/json" if media_type == "application/json" else "text/html"
    language = {
        "name": "lang", "in": "query",
        "description": "Interface language: sv (';'-separated CSV with Swedish headings) or en.",
        "schema": {"type": "string", "enum": list(LANGUAGES)},
    }
    return _get(summary, {
        "200": {"description": summary, "content": content},
        "400": {"description": "A parameter has a value the search cannot take.",
                "content": {error_type: {"schema": (
                    {"$ref": "#/components/schemas/Error"} if error_type == "application/json"
                    else {"type": "string"})}}},
    }, [*search_parameters(), language])


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document: every route under ``/api/`` and the search's exports."""
    bad = _error("A parameter has a value the search cannot take.")
    missing = _error("No document (or ärende) has this id.")
    document_id = {"name": "id", "in": "path", "required": True,
                   "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"}}
    export_document = _object({
        "query": {"type": "object"}, "total": _INTEGER, "exported": _INTEGER,
        "truncated": {"type": "boolean"},
        "documents": {"type": "array", "items": _object({"id": _STRING, "kind": _STRING,
                                                         "url": _STRING}, "id", "kind", "url")},
    }, "query", "total", "exported", "truncated", "documents")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Arkiv API",
            "version": "1",
            "description": "Read-only search over Swedish municipal documents. "
            "Every HTML page has a JSON twin here; errors are {\"error\": message}. "
            "Without a token the API shows public documents only (internal ones do not "
            "exist: 404); a staff token ('arkiv tokens add NAME', sent as "
            "'Authorization: Bearer TOKEN') shows internal documents and full source paths. "
            "A wrong token is 401. Any site may read the public's answers (CORS, without "
            "credentials).",
        },
        "security": [{}, {"token": []}],
        "paths": {
            "/api/search": _get(
                "Search (same parameters as the /search page)",
                {"200": _ok("SearchResults", "A page of results"), "400": bad},
                [*search_parameters(), fields_parameter()],
                "Facets are counted for several choices: a chosen facet's values are counted "
                "without its own choice (OR within a facet, AND across facets)."),
            "/api/documents/{id}": _get(
                "One document with its text, renderings and versions (as 'arkiv show --json')",
                {"200": _ok("DocumentDetail", "The document"), "404": missing}, [document_id]),
            "/api/documents/{id}/arenden/{key}": _get(
                "One ärende (a § of a protokoll, an item of a kallelse) with its text",
                {"200": _ok("Arende", "The ärende"), "404": missing},
                [document_id, {"name": "key", "in": "path", "required": True,
                               "description": "The ärende's number as in its URL (64-20).",
                               "schema": {"type": "string", "pattern": "^[0-9A-Za-z-]{1,40}$"}}]),
            "/api/browse/projects": _get(
                "Projects A–Ö with counts and date spans",
                {"200": _json_schema({"type": "array", "items": {**_LINK, "properties": {
                    **_LINK["properties"],
                    "span": {"type": ["array", "null"], "items": _STRING}}}}, "Projects")}),
            "/api/browse/places": _get(
                "Cities with their districts, cities mentioned",
                {"200": _json_schema(_object({
                    "cities": {"type": "array", "items": {**_LINK, "properties": {
                        **_LINK["properties"],
                        "districts": {"type": "array", "items": _LINK}}}},
                    "mentioned": {"type": "array", "items": _LINK},
                }, "cities", "mentioned"), "Places")}),
            "/api/browse/topics": _get(
                "Topics with counts",
                {"200": _json_schema({"type": "array", "items": _LINK}, "Topics")}),
            "/api/browse/timeline": _get(
                "Documents per year and month of a search (all without one), and how many "
                "have no date",
                {"200": _ok("Timeline", "The timeline"), "400": bad}, search_parameters()),
            "/api/status": _get(
                "Archive size, last ingest, index",
                {"200": _json_schema(_object({"documents": _INTEGER}, "documents"), "Status")}),
            "/api/openapi.json": _get(
                "This document",
                {"200": _json_schema({"type": "object"}, "The OpenAPI document")}),
            "/search.csv": _export("The search as CSV (UTF-8 with a BOM)", "text/csv"),
            "/search.xlsx": _export("The search as an Excel workbook", XLSX),
            "/search.json": _export("Every matching document's fields", "application/json",
                                    export_document),
            "/search.atom": _export("The matching documents Arkiv received last (Atom)",
                                    "application/atom+xml"),
        },
        "components": {
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer",
                          "description": "An API token from 'arkiv tokens add NAME'."},
            },
            "schemas": {
                "Error": _object({"error": _STRING}, "error"),
                "Document": _document_schema(with_text=False),
                "DocumentDetail": _detail_schema(),
                "Arende": _arende_schema(),
                "Hit": _hit_schema(),
                "SearchResults": _search_results_schema(),
                "Timeline": _timeline_schema(),
            },
        },
    }
