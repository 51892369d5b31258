"""The OpenAPI 3 description of the JSON API, built from the field table the parser uses
(:mod:`archive.fields`), so the two cannot drift apart."""

from __future__ import annotations

from typing import Any

from archive import fields
from archive.models import DOCUMENT_FIELDS, LIST_FIELDS
from archive.query import MAX_PAGE_SIZE, MAX_QUERY_LENGTH, SORTS
from web.state import DEFAULT_PAGE_SIZE, MAX_PAGE


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
            "schema": {"type": "array", "items": spec.schema},
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


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``/api/``."""
    bad = _error("A parameter has a value the search cannot take.")
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
            "A wrong token is 401.",
        },
        "security": [{}, {"token": []}],
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search (same parameters as the /search page)",
                    "parameters": search_parameters(),
                    "responses": {"200": _ok("SearchResults", "A page of results"), "400": bad},
                }
            },
            "/api/documents/{id}": {
                "get": {
                    "summary": "One document with its text, renderings, versions",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
                        }
                    ],
                    "responses": {
                        "200": _ok("DocumentDetail", "The document"),
                        "404": _error("No document has this id."),
                    },
                }
            },
            "/api/browse/projects": {"get": {"summary": "Projects A–Ö with counts and date spans", "responses": {"200": {"description": "Projects"}}}},
            "/api/browse/places": {"get": {"summary": "Cities with their districts, cities mentioned", "responses": {"200": {"description": "Places"}}}},
            "/api/browse/topics": {"get": {"summary": "Topics with counts", "responses": {"200": {"description": "Topics"}}}},
            "/api/browse/timeline": {"get": {"summary": "Decisions per year and month", "responses": {"200": {"description": "Timeline"}}}},
            "/api/status": {"get": {"summary": "Archive size, last ingest, index", "responses": {"200": {"description": "Status"}}}},
        },
        "components": {
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer",
                          "description": "An API token from 'arkiv tokens add NAME'."},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
                "Document": _document_schema(with_text=False),
                "DocumentDetail": {
                    "allOf": [
                        _document_schema(with_text=True),
                        {
                            "type": "object",
                            "properties": {
                                "renderings": {"type": "array", "items": {"type": "object"}},
                                "versions": {"type": "array", "items": {"type": "object"}},
                                "similar": {"type": "array", "items": {"type": "object"}},
                                "parts": {"type": "array", "items": {"type": "object"},
                                          "description": "A mail's attachments, an archive's "
                                          "files: name, title, url (null when it could not be "
                                          "read), problem"},
                                "containers": {"type": "array", "items": {"type": "object"},
                                               "description": "The mails or archives this "
                                               "document came in: name, title, mail, url"},
                                "file": {"type": "object"},
                                "text_source": {
                                    "type": "array",
                                    "items": {"enum": ["text", "ocr", "none"]},
                                    "description": "Where each page's text came from: the "
                                    "file's own text, OCR, or an image not read (none).",
                                },
                                "ocr_confidence": {
                                    "type": ["number", "null"],
                                    "description": "Mean OCR word confidence, 0–1.",
                                },
                                "ocr_status": {
                                    "enum": ["done", "failed", "unavailable", "off", None],
                                    "description": "What OCR did; null when no page needed it.",
                                },
                                "links": {"type": "object"},
                            },
                        },
                    ]
                },
                "FacetValue": {
                    "type": "object",
                    "properties": {
                        "value": {"type": "string"},
                        "count": {"type": "integer"},
                        "selected": {"type": "boolean"},
                        "toggle_url": {"type": "string"},
                    },
                },
                "Hit": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Document"},
                        {
                            "type": "object",
                            "properties": {
                                "score": {"type": "number"},
                                "url": {"type": "string"},
                                "kind": {"type": "string", "enum": ["document", "arende"]},
                                "arende": {
                                    "description": "On hits of kind arende: the § or agenda "
                                                   "item (id is its document's).",
                                    "type": "object",
                                    "properties": {
                                        "key": {"type": "string"},
                                        "number": {"type": "string"},
                                        "numbering": {"type": "string",
                                                      "enum": ["paragraph", "item"]},
                                        "heading": {"type": ["string", "null"]},
                                        "dnr": {"type": ["string", "null"]},
                                        "decision": {"type": ["string", "null"]},
                                        "status": {"type": ["string", "null"]},
                                        "pages": {"type": ["array", "null"],
                                                  "items": {"type": "integer"}},
                                        "citation": {"type": "string"},
                                        "url": {"type": "string"},
                                        "api_url": {"type": "string"},
                                    },
                                },
                                "renderings": {"type": "array", "items": {"type": "string"}},
                                "snippets": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "html": {
                                                "type": "string",
                                                "description": "HTML-escaped; matches in <mark>",
                                            },
                                            "page": {"type": "integer"},
                                            "label": {
                                                "type": ["string", "null"],
                                                "enum": ["decision", "proposal", None],
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    ]
                },
                "SearchResults": {
                    "type": "object",
                    "required": ["total", "hits", "facets"],
                    "properties": {
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "page_size": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                        "facets": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/FacetValue"},
                            },
                        },
                        "suggestion": {"type": ["string", "null"]},
                        "message": {"type": ["string", "null"]},
                        "query": {"type": "object"},
                        "links": {
                            "type": "object",
                            "properties": {
                                k: {"type": ["string", "null"]}
                                for k in ("self", "next", "prev", "html", "csv", "xlsx", "json",
                                          "atom")
                            },
                        },
                    },
                },
            }
        },
    }
