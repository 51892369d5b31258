"""Who may use the staff pages (upload, corrections, bevakningar, jobs), in one place.

Until the accounts of issue 14 are merged this only knows a user named in the test
configuration (``STAFF_USER``, ``STAFF_ROLE``); the staff pages exist for nobody else.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app
from markupsafe import Markup

from archive.catalog import Catalog

F = TypeVar("F", bound=Callable[..., Any])
ROLES = ("staff", "admin")


def current_username() -> str | None:
    return current_app.config.get("STAFF_USER")


def current_role() -> str | None:
    return current_app.config.get("STAFF_ROLE", "staff") if current_username() else None


def is_staff() -> bool:
    return current_role() in ROLES


def is_admin() -> bool:
    return current_role() == "admin"


def staff_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not is_staff():
            abort(404)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def admin_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not is_admin():
            abort(404)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def csrf_field() -> Markup:
    return Markup("")


#: Staff-page settings and their defaults (a test config or the instance overrides them).
DEFAULTS: dict[str, Any] = {
    #: The largest request (an upload of many files), in bytes.
    "MAX_CONTENT_LENGTH": 1_000_000_000,
    "UPLOAD_MAX_FILES": 100,
    "UPLOAD_MAX_FILE_MB": 200,
    "UPLOAD_MAX_ZIP_MEMBERS": 2000,
    "UPLOAD_MAX_ZIP_MB": 2000,
    "UPLOAD_MAX_ZIP_RATIO": 200,
}


def _too_large(exc: Exception) -> Any:
    from web.errors import error_response
    from web.i18n import gettext as _

    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1_000_000
    return error_response(413, _("Uppladdningen är för stor: högst {mb} MB åt gången.", mb=limit))


def init_app(app: Flask) -> None:
    for name, value in DEFAULTS.items():
        if app.config.get(name) is None:
            app.config[name] = value
    home = app.extensions["arkiv"].home
    if (home / "catalog.sqlite3").exists() and os.access(home, os.W_OK):
        Catalog(home).close()  # the staff tables (a catalog migration) exist from the start
    app.register_error_handler(413, _too_large)
    app.add_template_global(is_staff)
    app.add_template_global(is_admin)
    app.add_template_global(csrf_field)
