"""Errors as the client expects them: JSON ``{"error": …}`` for machines, a page for people.

Machine-readable URLs are the API (``/api/…``) and the JSON export (``/search.json``);
there a 400, 404, 405 or 500 is JSON with the right status, never HTML or a traceback.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from archive.home import ArchiveError
from web.i18n import gettext as _
from web.state import BadParameter


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def error_response(
    status: int, message: str, *, headers: dict[str, str] | None = None
) -> Response:
    """A JSON or HTML error answer with ``status``."""
    if wants_json():
        response: Response = jsonify(error=message)
    else:
        response = Response(render_template("error.html", status=status, message=message))
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _http_error(exc: HTTPException) -> Response:
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    messages = {
        404: _("Sidan finns inte."),
        405: _("Metoden är inte tillåten här: arkivet kan bara läsas."),
    }
    code = exc.code or 500
    custom = exc.description != type(exc).description
    message = exc.description if custom else messages.get(code, exc.description or exc.name)
    return error_response(code, str(message), headers=headers)


def _bad_parameter(exc: BadParameter) -> Response:
    return error_response(400, str(exc))


def _archive_unavailable(exc: ArchiveError) -> Response:
    return error_response(503, str(exc))


def _internal_error(exc: InternalServerError) -> Response:
    return error_response(500, _("Ett internt fel uppstod. Försök igen senare."))


def init_app(app: Flask) -> None:
    app.register_error_handler(BadParameter, _bad_parameter)
    app.register_error_handler(ArchiveError, _archive_unavailable)
    app.register_error_handler(InternalServerError, _internal_error)
    app.register_error_handler(HTTPException, _http_error)
