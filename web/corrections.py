"""Corrections on the document page (staff): edit a document's title, type, dates, city,
committee, dnr, projects and topics; confirm, merge or reject its project candidates;
see its audit log. The work is :mod:`archive.corrections`; the index is synchronised
right after a change (or by the ingest that is running)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from archive import corrections, registry_edit
from archive.catalog import Catalog
from web.archive_access import archive
from web.auth import requires
from web.documents import load_document
from web.i18n import gettext as _
from web.labels import field_label
from web.messages import say
from web.staff_common import current_username, is_staff, registry_folder

bp = Blueprint("corrections", __name__, url_prefix="/documents")

#: How each correctable field is edited on the page.
INPUTS = {"text": "text", "date": "date", "list": "textarea"}
#: What the audit log calls each action.
ACTIONS = {
    "corrected": "rättad",
    "reverted": "återställd",
    "carried": "från förra versionen",
    "project-confirmed": "projekt bekräftat",
    "project-merged": "projekt sammanslaget",
    "project-rejected": "projektkandidat avvisad",
}


@bp.app_template_global()
def staff_panel(doc_id: str) -> dict[str, Any] | None:
    """What the document page shows staff: the correction form, candidates, audit log."""
    if not is_staff():
        return None
    catalog = archive().catalog
    doc = catalog.get(doc_id, with_text=False)
    if doc is None:
        return None
    corrected = corrections.corrected_fields(catalog, doc_id)
    fields = []
    for name, kind in corrections.CORRECTABLE.items():
        value = doc.get(name)
        fields.append({
            "name": name,
            "label": _label(name),
            "input": INPUTS[kind],
            "value": "\n".join(value) if isinstance(value, list) else value or "",
            "corrected": corrected.get(name),
        })
    return {
        "fields": fields,
        "labels": {name: _label(name) for name in corrections.CORRECTABLE},
        "choices": {name: [v.value for v in archive().facet_values(name)]
                    for name in ("doc_type", "city", "committee")},
        "candidates": corrections.open_candidates(catalog, doc_id),
        "projects": [v.value for v in archive().facet_values("projects")],
        "log": corrections.audit_log(catalog, doc_id),
        "actions": ACTIONS,
    }


def _label(field: str) -> str:
    return _("Titel") if field == "title" else _(field_label(field))


def _back(doc_id: str) -> Response:
    return redirect(url_for("documents.document", doc_id=doc_id) + "#rattelser", code=303)


@bp.post("/<doc_id>/rattelser")
@requires("staff")
def correct(doc_id: str) -> Response:
    doc = load_document(doc_id)
    wanted = {name: request.form[name] for name in corrections.CORRECTABLE if name in request.form}
    with Catalog(archive().home) as catalog:
        try:
            changed = corrections.correct(catalog, doc.id, wanted, _user())
        except corrections.CorrectionError as exc:
            flash(_("Ingen ändring sparades: {reason}", reason=say(exc.message)), "error")
            return _back(doc.id)
    _synced(changed)
    return _back(doc.id)


@bp.post("/<doc_id>/rattelser/<field>/aterstall")
@requires("staff")
def revert(doc_id: str, field: str) -> Response:
    doc = load_document(doc_id)
    if field not in corrections.CORRECTABLE:
        abort(404)
    with Catalog(archive().home) as catalog:
        reverted = corrections.revert(catalog, doc.id, field, _user())
    _synced([field] if reverted else [])
    return _back(doc.id)


@bp.post("/<doc_id>/projektkandidater")
@requires("staff")
def decide(doc_id: str) -> Response:
    doc = load_document(doc_id)
    name = request.form.get("name", "")
    decision = request.form.get("decision", "")
    target = request.form.get("target")
    with Catalog(archive().home) as catalog:
        if name not in corrections.open_candidates(catalog, doc.id):
            abort(404)
        try:
            change = _register(name, decision, target)
            corrections.decide_candidate(catalog, doc.id, name, decision, _user(), target=target)
        except (corrections.CorrectionError, registry_edit.RegistryError) as exc:
            flash(_("Ingen ändring sparades: {reason}", reason=say(exc.message)), "error")
            return _back(doc.id)
        if change is not None:
            corrections.record_registry_change(catalog, "projects", change.name, change.before,
                                               change.after, _user())
    if decision == "rejected":
        flash(_("Kandidaten avvisades: den föreslås inte igen."), "info")
    else:
        _synced(["projects"])
    return _back(doc.id)


def _register(name: str, decision: str, target: str | None) -> registry_edit.Change | None:
    """A confirmed candidate becomes a project of the registry, a merged one an alias of
    its project, so that extraction finds it in every document (when the archive has a
    registry folder)."""
    folder = registry_folder()
    if folder is None or decision == "rejected":
        return None
    if decision == "merged":
        return registry_edit.add_alias(folder, " ".join((target or "").split()), name)
    if name in {e["name"] for e in registry_edit.entries(folder, "projects")}:
        return None
    return registry_edit.save_entry(folder, "projects", {"name": name, "kind": "project"})


def _user() -> str:
    return current_username() or "?"


def _synced(changed: list[str]) -> None:
    if not changed:
        flash(_("Inget ändrades."), "info")
        return
    if corrections.sync_index_if_idle(archive().home):
        flash(_("Sparat: {fields}.", fields=", ".join(_label(f) for f in changed)),
              "info")
    else:
        flash(_("Sparat. Sökningen visar ändringen när den pågående inläsningen är klar."), "info")
