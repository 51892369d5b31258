"""Strict headers on every answer, and only the methods a route declares.

Pages are read with GET and HEAD; the few forms (login, logout, staff and admin actions)
POST to routes that declare POST, and their CSRF tokens are checked in :mod:`web.auth`.
Anything else (PUT, DELETE, OPTIONS, POST to a page) is 405.
"""

from __future__ import annotations

import os

from flask import Flask, Response, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

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


def _declared_methods_only() -> None:
    if request.method in ALLOWED_METHODS:
        return
    rule = request.url_rule
    if rule is not None and request.method == "POST" and "POST" in (rule.methods or ()):
        return
    declared = set(ALLOWED_METHODS)
    if rule is not None:
        declared |= set(rule.methods or ())
    else:
        declared |= set(getattr(request.routing_exception, "valid_methods", None) or ())
    abort(405, valid_methods=sorted(declared - {"OPTIONS", "PUT", "DELETE", "PATCH"}))


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.before_request(_declared_methods_only)
    app.after_request(_headers)
    # Behind N reverse proxies (ARKIV_TRUSTED_PROXIES=N), the client's address and scheme
    # come from their X-Forwarded-* headers: the login brake counts real addresses.
    proxies = int(os.environ.get("ARKIV_TRUSTED_PROXIES") or app.config.get("TRUSTED_PROXIES", 0))
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
