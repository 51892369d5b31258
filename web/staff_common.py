"""What the staff pages (upload, corrections, bevakningar, registers, jobs) share: who is asking
(through :mod:`web.auth`, whose ``@requires`` guards each view), the forms' CSRF field,
and the upload limits' settings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from archive.catalog import Catalog
from archive.db import catalog_exists


def current_username() -> str | None:
    """The signed-in account's name (None for the public)."""
    return current_user.name if current_user.is_authenticated else None


def is_staff() -> bool:
    return bool(current_user.may("staff"))


def is_admin() -> bool:
    return bool(current_user.may("admin"))


def registry_folder() -> Path | None:
    """The registry folder the archive's ingest reads (``ARKIV_REGISTRY``), if one is set."""
    chosen = current_app.config.get("ARKIV_REGISTRY") or os.environ.get("ARKIV_REGISTRY")
    return Path(chosen) if chosen else None


def csrf_field() -> Markup:
    """A form's hidden CSRF token (Flask-WTF checks it on every POST, see web.auth)."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(generate_csrf())


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
    if catalog_exists(home) and os.access(home, os.W_OK):
        Catalog(home).close()  # the staff tables (a catalog migration) exist from the start
    app.register_error_handler(413, _too_large)
    app.add_template_global(is_staff)
    app.add_template_global(is_admin)
    app.add_template_global(csrf_field)
