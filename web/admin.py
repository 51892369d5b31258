"""Jobs on the web (staff see them, admins start them): uploads, reindexes and checks
started from the web, the archive's recent ``arkiv`` runs and the files that failed.
An admin starts a reindex (optionally re-extracting every original) or a check from
the status page; it runs as a job (:mod:`archive.webjobs`) like an upload."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from archive import webjobs
from archive.catalog import Catalog
from archive.jobs import read_job
from web.archive_access import archive
from web.auth import requires
from web.i18n import gettext as _
from web.staff_common import current_username
from web.upload import launch

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: What each job kind is called on the page.
JOB_LABELS = {"upload": "Uppladdning", "reindex": "Omindexering", "check": "Kontroll"}


@bp.get("/jobb")
@bp.get("/jobs")
@requires("staff")
def jobs() -> str:
    catalog = archive().catalog
    runs = catalog.db.execute(
        "SELECT id, command, started_at, finished_at, counts FROM runs ORDER BY id DESC LIMIT 20"
    ).fetchall()
    recent = webjobs.recent(catalog)
    return render_template(
        "staff/jobs.html", jobs=recent, runs=runs, failures=catalog.failures()[:200],
        running=read_job(archive().home), labels=JOB_LABELS,
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


@bp.post("/jobb/<kind>")
@requires("admin")
def start(kind: str) -> Response:
    if kind not in ("reindex", "check"):
        abort(404)
    args = {"reextract": request.form.get("reextract") == "1"} if kind == "reindex" else {}
    with Catalog(archive().home) as catalog:
        job_id = webjobs.create(catalog, kind, args, current_username() or "?")
    launch(archive().home, job_id)
    flash(_("{job} startad.", job=_(JOB_LABELS[kind])), "info")
    return redirect(url_for("admin.job", job_id=job_id), code=303)
