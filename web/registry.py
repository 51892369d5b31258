"""The registries in the browser (staff): the projects and topics extraction matches
against, edited entry by entry in the registry folder (:mod:`archive.registry_edit`).

Staff may edit them, as they may correct documents: they know the projects and the
vocabulary, and every change is in the audit log. A registry change touches no archived
document; an admin applies it to the whole archive with "Läs om alla original"
(``arkiv reindex --reextract``), and new files get it as they are ingested.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from archive import corrections, registry_edit
from archive.catalog import Catalog
from web.archive_access import archive
from web.auth import requires
from web.i18n import gettext as _
from web.messages import say
from web.staff_common import current_username, registry_folder

bp = Blueprint("registry", __name__)


@bp.get("/register")
@requires("staff")
def registry_page() -> str:
    folder = registry_folder()
    registries = {}
    if folder is not None:
        for name in registry_edit.FILES:
            try:
                registries[name] = registry_edit.entries(folder, name)
            except registry_edit.RegistryError as exc:
                flash(say(exc.message), "error")
                registries[name] = []
    return render_template("staff/registry.html", folder=folder, registries=registries,
                           kinds=registry_edit.PROJECT_KINDS)


@bp.post("/register/<registry>")
@requires("staff")
def save(registry: str) -> Response:
    folder = registry_folder()
    if folder is None or registry not in registry_edit.FILES:
        abort(404)
    original = request.form.get("original") or None
    try:
        if request.form.get("action") == "remove" and original:
            change = registry_edit.remove_entry(folder, registry, original)
        else:
            change = registry_edit.save_entry(folder, registry, request.form.to_dict(),
                                              original=original)
    except registry_edit.RegistryError as exc:
        flash(_("Registret ändrades inte: {reason}", reason=say(exc.message)), "error")
        return redirect(url_for("registry.registry_page"), code=303)
    with Catalog(archive().home) as catalog:
        corrections.record_registry_change(catalog, registry, change.name, change.before,
                                           change.after, current_username() or "?")
    flash(_("Registret sparades. Det gäller nya inläsningar, och hela arkivet när alla original läses om."), "info")
    return redirect(url_for("registry.registry_page") + f"#{registry}", code=303)
