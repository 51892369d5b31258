"""Arkiv's web front end and JSON API (Flask).

``create_app()`` builds the app over the archive in ``config["ARKIV_HOME"]`` (else
``$ARKIV_HOME``, else the per-user default). Every page has a JSON twin, the search
state lives in the URL (:mod:`web.state`), and the app only reads the archive.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, redirect, url_for

from archive.home import resolve_home
from web import auth, datelabels, errors, i18n, labels, messages, security, staff_common
from web.archive_access import ArchiveAccess


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The Arkiv web app (the Flask tutorial's factory pattern)."""
    app = Flask(__name__)
    app.config.from_mapping(
        ARKIV_HOME=None,
        #: Most documents one CSV or JSON export holds.
        EXPORT_LIMIT=10_000,
        #: Entries in an Atom feed.
        FEED_SIZE=50,
        #: Similar documents shown on a document page.
        SIMILAR_LIMIT=5,
        #: Session cookies only over https; ARKIV_INSECURE_COOKIES=1 for plain-http `make run`.
        SESSION_COOKIE_SECURE=os.environ.get("ARKIV_INSECURE_COOKIES") != "1",
    )
    if test_config:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.extensions["arkiv"] = ArchiveAccess(resolve_home(app.config["ARKIV_HOME"]))

    i18n.init_app(app)
    labels.init_app(app)
    datelabels.init_app(app)
    messages.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    staff_common.init_app(app)

    from web import (
        about,
        admin,
        alerts,
        api,
        browse,
        corrections,
        documents,
        export,
        registry,
        search,
        staff,
        upload,
    )

    for module in (search, export, documents, browse, about, api, staff, corrections, alerts,
                   upload, admin, registry):
        app.register_blueprint(module.bp)
    # Browsers ask for /favicon.ico where a page names no icon: originals shown inline.
    app.add_url_rule("/favicon.ico", "favicon",
                     lambda: redirect(url_for("static", filename="favicon.svg"), 301))
    return app
