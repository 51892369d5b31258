"""Upload (staff): files or a zip dropped on ``/uppladdning`` are ingested by the same
pipeline as ``arkiv index``, as a job (:mod:`archive.webjobs`) whose page shows its
progress and then each file's document or why it failed.

The page is a plain multipart form (it works without JavaScript); ``upload.js`` adds
drag and drop. Limits, each refused with its own message: the request's size
(``MAX_CONTENT_LENGTH``), the number of files (``UPLOAD_MAX_FILES``), one file's size
(``UPLOAD_MAX_FILE_MB``), names with ``..``, folders or an absolute path, and zips that
would unpack to too much (``UPLOAD_MAX_ZIP_MEMBERS``, ``UPLOAD_MAX_ZIP_MB``, a
compression ratio over ``UPLOAD_MAX_ZIP_RATIO``: a zip bomb) or hold such names.
Originals are kept in ``ARKIV_HOME/uploads/<folder the app names>/``.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import unicodedata
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from archive import webjobs
from archive.access import ACCESS_CLASSES, PUBLIC
from archive.catalog import Catalog
from archive.jobs import read_job
from archive.models import escaping_name
from web.archive_access import archive
from web.auth import requires
from web.i18n import gettext as _
from web.staff_common import current_username

bp = Blueprint("upload", __name__)

#: A name's characters that no file name needs (controls, separators of other systems).
_BAD_CHARACTERS = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


class Refused(ValueError):
    """Why one uploaded file is not taken (one line, shown to the uploader)."""


def checked_name(raw: str) -> str:
    """An uploaded file's name as it is kept, or :class:`Refused` saying what is wrong."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if not name:
        raise Refused(_("filen saknar namn"))
    escape = escaping_name(name)
    if escape == "absolute":
        raise Refused(_("namnet är en absolut sökväg"))
    if escape == "parent":
        raise Refused(_("namnet innehåller '..'"))
    if re.search(r"[/\\]", name):
        raise Refused(_("namnet innehåller en mapp"))
    if name.startswith(".") or _BAD_CHARACTERS.search(name) or len(name.encode()) > 200:
        raise Refused(_("ogiltigt filnamn"))
    return name


def check_zip(path: Path) -> None:
    """Refuse a zip that would unpack to too much or to a place outside itself."""
    config = current_app.config
    try:
        with zipfile.ZipFile(path) as zipped:
            members = zipped.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # not readable as a zip: the pipeline says why it fails
    if len(members) > config["UPLOAD_MAX_ZIP_MEMBERS"]:
        raise Refused(_("zip-filen innehåller för många filer (högst {n})",
                        n=config["UPLOAD_MAX_ZIP_MEMBERS"]))
    for member in members:
        inner = member.filename
        escape = escaping_name(inner)
        if escape == "absolute":
            raise Refused(_("zip-filen innehåller en absolut sökväg: {name}", name=inner))
        if escape == "parent":
            raise Refused(_("zip-filen innehåller en sökväg med '..': {name}", name=inner))
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if unpacked > config["UPLOAD_MAX_ZIP_MB"] * 1_000_000:
        raise Refused(_("zip-filen packas upp till mer än {n} MB", n=config["UPLOAD_MAX_ZIP_MB"]))
    if unpacked > 10_000_000 and unpacked / packed > config["UPLOAD_MAX_ZIP_RATIO"]:
        raise Refused(_("zip-filen packas upp till {ratio} gånger sin storlek (en zip-bomb?)",
                        ratio=unpacked // packed))


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _new_folder(home: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder = webjobs.uploads_dir(home) / f"{stamp}-{secrets.token_hex(4)}"
    folder.mkdir(parents=True)
    return folder


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, suffix = name.rpartition(".")
    candidate, n = name, 2
    while candidate in taken:
        candidate = f"{stem} ({n}).{suffix}" if dot and stem else f"{name} ({n})"
        n += 1
    taken.add(candidate)
    return candidate


def save_uploads(home: Path, files: list[FileStorage]) -> tuple[str, list[str], list[list[str]]]:
    """Keep the acceptable files in a new uploads folder: (folder, kept names, refused
    [name, reason] pairs)."""
    max_bytes = current_app.config["UPLOAD_MAX_FILE_MB"] * 1_000_000
    folder = _new_folder(home)
    kept: list[str] = []
    refused: list[list[str]] = []
    taken: set[str] = set()
    for upload in files:
        shown = upload.filename or ""
        try:
            name = checked_name(shown)
            if _size(upload.stream) > max_bytes:
                raise Refused(_("filen är större än {n} MB",
                                n=current_app.config["UPLOAD_MAX_FILE_MB"]))
            name = _unique(name, taken)
            target = folder / name
            upload.save(target)
            try:
                check_zip(target)
            except Refused:
                target.unlink()
                raise
        except Refused as exc:
            refused.append([shown, str(exc)])
            continue
        kept.append(name)
    return folder.name, kept, refused


def launch(home: Path, job_id: int) -> None:
    """Start ``arkiv jobs run`` for a queued job, in its own session (it outlives the
    request, and a server restart)."""
    command = [sys.executable, "-m", "arkiv",
               "--home", str(home), "jobs", "run", str(job_id)]
    subprocess.Popen(  # noqa: S603 - a fixed command; the job id is an int
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )


@bp.get("/uppladdning")
@bp.get("/upload")
@requires("staff")
def form() -> str:
    return render_template("staff/upload.html", limits=_limits())


def _limits() -> dict[str, int]:
    config = current_app.config
    return {
        "files": config["UPLOAD_MAX_FILES"],
        "file_mb": config["UPLOAD_MAX_FILE_MB"],
        "total_mb": (config.get("MAX_CONTENT_LENGTH") or 0) // 1_000_000,
    }


@bp.post("/uppladdning")
@bp.post("/upload")
@requires("staff")
def upload() -> str | Response:
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        return render_template("staff/upload.html", limits=_limits(),
                               error=_("Välj minst en fil.")), 400
    if len(files) > current_app.config["UPLOAD_MAX_FILES"]:
        return render_template(
            "staff/upload.html", limits=_limits(),
            error=_("För många filer: högst {n} åt gången.", n=current_app.config["UPLOAD_MAX_FILES"]),
        ), 400
    access = request.form.get("access", PUBLIC)
    if access not in ACCESS_CLASSES:
        abort(400, _("Välj offentlig eller intern."))
    home = archive().home
    folder, kept, refused = save_uploads(home, files)
    with Catalog(home) as catalog:
        job_id = webjobs.create(
            catalog, "upload",
            {"folder": folder, "files": kept, "refused": refused, "access": access},
            current_username())
    if kept:
        launch(home, job_id)
    else:
        with Catalog(home) as catalog:
            webjobs.update(catalog, job_id, state="done", result={"files": []})
    return redirect(url_for("upload.result", job_id=job_id), code=303)


@bp.get("/uppladdning/<int:job_id>")
@requires("staff")
def result(job_id: int) -> str:
    job = webjobs.get(archive().catalog, job_id)
    if job is None or job.kind != "upload":
        abort(404)
    progress = read_job(archive().home) if job.state == "running" else None
    if progress is not None and progress.get("pid") != job.pid:
        progress = None
    return render_template("staff/upload_result.html", job=job, progress=progress)
