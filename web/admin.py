"""Jobs and administration on the web.

Staff see the jobs started on the web (uploads, reindexes, checks), the archive's recent
``arkiv`` runs and the files that failed (``/admin/jobb``). An admin starts a reindex, a
re-extraction or a check from the status page (``/om``), whose admin section also lists
those jobs, the failed files, the accounts and the API tokens.

Every job is one kind of thing: a row in the catalog (:mod:`archive.webjobs`) run by
``arkiv jobs run`` in a process of its own (:mod:`indexer.staff_jobs`), through the same
code as the command line; its page shows its progress, then what it did.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from archive import webjobs
from archive.catalog import Catalog
from archive.jobs import read_job
from web.archive_access import archive
from web.auth import current_user, requires
from web.i18n import gettext as _
from web.upload import launch

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: What each job kind is called on the pages.
JOB_LABELS = {"upload": "Uppladdning", "reindex": "Omindexering", "check": "Kontroll"}
#: What an admin may start: name → (job kind, its arguments), and the button's label.
COMMANDS: dict[str, tuple[str, dict[str, Any]]] = {
    "reindex": ("reindex", {}),
    "reextract": ("reindex", {"reextract": True}),
    "check": ("check", {}),
}
COMMAND_LABELS = {
    "reindex": "Bygg om sökindexet",
    "reextract": "Läs om alla original",
    "check": "Kontrollera arkivet",
}
FAILURES_SHOWN = 50
JOBS_SHOWN = 10


@bp.app_template_global()
def job_summary(job: webjobs.WebJob) -> str:
    """What a job did, in one line."""
    result = job.result
    if job.state == "failed":
        return _("Misslyckades: {reason}", reason=result.get("error", ""))
    if job.state in ("queued", "running"):
        return _("pågår")
    if job.state == "interrupted":
        return _("Avbröts innan den var klar.")
    if job.kind == "upload":
        counts = result.get("counts") or {}
        return _("{new} nya, {failed} misslyckade av {total} filer", new=counts.get("new", 0),
                 failed=counts.get("failed", 0), total=len(result.get("files", [])))
    if job.kind == "reindex":
        return _("{n} dokument i sökindexet", n=result.get("documents", 0))
    if result.get("ok"):
        return _("Arkivet är helt ({n} dokument).", n=result.get("documents", 0))
    return _("Arkivet har problem: {problem}", problem="; ".join(result.get("problems", [])))


@bp.app_template_global()
def job_commands() -> list[tuple[str, str]]:
    """The jobs an admin may start: (name, button label)."""
    return [(name, _(label)) for name, label in COMMAND_LABELS.items()]


@bp.app_template_global()
def admin_panel() -> dict[str, Any] | None:
    """The status page's admin section (None for anyone but an admin)."""
    if not current_user.may("admin"):
        return None
    access = archive()
    failures = access.raw_catalog.failures()
    accounts = access.accounts
    return {
        "tasks": webjobs.recent(access.raw_catalog, JOBS_SHOWN),
        "labels": JOB_LABELS,
        "failures": failures[:FAILURES_SHOWN],
        "failure_count": len(failures),
        "users": accounts.users() if accounts.available() else [],
        "tokens": accounts.tokens() if accounts.available() else [],
    }


@bp.get("/jobb")
@bp.get("/jobs")
@requires("staff")
def jobs() -> str:
    catalog = archive().catalog
    runs = catalog.db.execute(
        "SELECT id, command, started_at, finished_at, counts FROM runs ORDER BY id DESC LIMIT 20"
    ).fetchall()
    return render_template(
        "staff/jobs.html", jobs=webjobs.recent(catalog), runs=runs,
        failures=catalog.failures()[:200], running=read_job(archive().home), labels=JOB_LABELS,
    )


@bp.get("/jobb/<int:job_id>")
@requires("staff")
def job(job_id: int) -> str | Response:
    found = webjobs.get(archive().catalog, job_id)
    if found is None:
        abort(404)
    if found.kind == "upload":
        return redirect(url_for("upload.result", job_id=job_id))
    progress = read_job(archive().home) if found.state == "running" else None
    return render_template("staff/job.html", job=found, progress=progress, labels=JOB_LABELS)


@bp.post("/jobs/<name>")
@requires("admin")
def start_job(name: str) -> Response:
    """Start a reindex, a re-extraction or a check as a job; its page shows how it goes."""
    if name not in COMMANDS:
        abort(404)
    kind, args = COMMANDS[name]
    with Catalog(archive().home) as catalog:
        job_id = webjobs.create(catalog, kind, {**args, "command": name}, current_user.name)
    launch(archive().home, job_id)
    target = request.form.get("back") == "status"
    return redirect(url_for("about.about") + "#admin" if target else
                    url_for("admin.job", job_id=job_id))
