"""What staff see and do beyond the public: a document's access class, and changing it.

On a document page staff see whether it is public or internal, why (a sekretess marking,
a folder rule, ``arkiv index --access internal``, or a colleague's change), its full
source path, and a small form to change the class with a reason. Every change is kept
(who, when, before, after, why: ``access_changes``) and shown under the form.
"""

from __future__ import annotations

import contextlib
from typing import Any

from flask import Blueprint, abort, redirect, request, url_for
from werkzeug.wrappers import Response

from archive import access as access_classes
from archive.catalog import Catalog
from archive.engine import backend_for
from archive.home import ArchiveError
from archive.models import Document
from web.archive_access import archive, viewer_access
from web.auth import current_user, requires
from web.documents import load_document
from web.errors import error_response
from web.i18n import gettext as _

bp = Blueprint("staff", __name__)

#: Where a document's class came from, as staff read it.
SOURCE_LABELS = {
    "default": "Offentlig som standard",
    "marking": "Sekretessmarkering i texten",
    "rule": "Mappregel (access.toml)",
    "ingest": "Inläst som intern (arkiv index --access internal)",
    "staff": "Ändrad av personal",
}
ACCESS_LABELS = {"public": "Offentlig", "internal": "Intern"}


@bp.app_template_global()
def access_panel(document: Document) -> dict[str, Any] | None:
    """What the document page shows staff about access (None for the public)."""
    if viewer_access():
        return None
    raw = archive().raw_catalog
    source = access_classes.source_of(raw.db, document.id)
    return {
        "access": document.access,
        "label": _(ACCESS_LABELS[document.access]),
        "reason": document.access_reason,
        "source": _(SOURCE_LABELS.get(source, source)),
        "path": document.path,
        "changes": [
            {**change, "before": _(ACCESS_LABELS[change["before"]]),
             "after": _(ACCESS_LABELS[change["after"]])}
            for change in access_classes.changes(raw.db, document.id)
        ],
        "choices": [(key, _(label)) for key, label in ACCESS_LABELS.items()],
    }


@bp.post("/documents/<doc_id>/access")
@requires("staff")
def change_access(doc_id: str) -> Response:
    """Set a document's access class, with a reason; the search index follows at once
    (or with the running ingest's next sync when that holds the index)."""
    document = load_document(doc_id)
    wanted = request.form.get("access", "")
    reason = request.form.get("reason", "")
    if wanted not in access_classes.ACCESS_CLASSES:
        abort(400, _("Välj offentlig eller intern."))
    if not reason.strip():
        return error_response(400, _("Skriv varför åtkomsten ändras."))
    home = archive().home
    with Catalog(home) as catalog:
        access_classes.change(catalog, document.id, wanted, reason, by=current_user.name)
        backend = backend_for(home)
        if not backend.needs_rebuild():  # a missing index is rebuilt by arkiv, not by a request
            with contextlib.suppress(ArchiveError):  # busy: the writer holding it syncs soon
                backend.sync(catalog)
    return redirect(url_for("documents.document", doc_id=document.id) + "#access")
