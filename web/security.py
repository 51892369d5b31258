"""The app is read-only to the public: GET and HEAD only, and strict headers on every answer."""

from __future__ import annotations

from flask import Flask, Response, abort, request

ALLOWED_METHODS = ("GET", "HEAD")

#: No inline script or style anywhere: everything comes from /static.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _read_only() -> None:
    if request.method not in ALLOWED_METHODS:
        abort(405, valid_methods=list(ALLOWED_METHODS))


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.before_request(_read_only)
    app.after_request(_headers)
