"""What an admin sees and does on the status page (``/om``): jobs, failures, users.

An admin starts a reindex or a check with a button (a POST with its CSRF token); the
job runs as its ``arkiv`` command in the background (:mod:`archive.tasks`) and shows on
the status page with its last line of output. The page also lists the files that failed
to ingest (with their paths: admins may see them), the accounts and the API tokens.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, url_for
from werkzeug.wrappers import Response

from archive import tasks
from web.archive_access import archive
from web.auth import current_user, requires
from web.i18n import gettext as _

bp = Blueprint("admin", __name__, url_prefix="/admin")

FAILURES_SHOWN = 50


@bp.app_template_global()
def admin_panel() -> dict[str, Any] | None:
    """The status page's admin section (None for anyone but an admin)."""
    if not current_user.may("admin"):
        return None
    access = archive()
    failures = access.raw_catalog.failures()
    accounts = access.accounts
    return {
        "tasks": tasks.recent(access.home),
        "failures": failures[:FAILURES_SHOWN],
        "failure_count": len(failures),
        "users": accounts.users() if accounts.available() else [],
        "tokens": accounts.tokens() if accounts.available() else [],
        "commands": [("reindex", _("Bygg om sökindexet")), ("check", _("Kontrollera arkivet"))],
    }


@bp.post("/jobs/<name>")
@requires("admin")
def start_job(name: str) -> Response:
    """Start ``arkiv reindex`` or ``arkiv check`` in the background."""
    if name not in tasks.COMMANDS:
        abort(404)
    tasks.start(archive().home, name, by=current_user.name)
    return redirect(url_for("about.about") + "#admin")
