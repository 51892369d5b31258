"""Running a job staff started from the web (``arkiv jobs run ID``; see archive.webjobs).

An upload is ingested by the same pipeline as ``arkiv index`` (each uploaded file named
explicitly), a reindex and a check run as their commands do. A job waits while another
process writes to the archive, then records each file's outcome (or its one-line error)
on the job for the result page.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archive import webjobs
from archive.catalog import Catalog, now_iso
from archive.home import ArchiveBusy, ArchiveError, write_lock

#: How long a job waits for another writer (an ``arkiv index`` run) to finish.
WAIT_FOR_LOCK_SECONDS = 6 * 3600.0


def run_job(home: Path, job_id: int, *, poll: float = 2.0) -> webjobs.WebJob:
    """Run a queued job to its end; returns it as it ended."""
    with Catalog(home) as catalog:
        job = webjobs.get(catalog, job_id)
        if job is None:
            raise ArchiveError(f"no job {job_id}")
        if job.state not in ("queued", "interrupted"):
            raise ArchiveError(f"job {job_id} is {job.state}")
        webjobs.update(catalog, job_id, state="running", pid=os.getpid(), started_at=now_iso())
        try:
            result = _waiting(lambda: _work(home, job), poll)
            webjobs.update(catalog, job_id, state="done", finished_at=now_iso(), result=result)
        except Exception as exc:  # one line for the job page, never a traceback
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            webjobs.update(catalog, job_id, state="failed", finished_at=now_iso(),
                           result={"error": detail})
        finished = webjobs.get(catalog, job_id)
    assert finished is not None
    return finished


def _waiting(work: Callable[[], dict[str, Any]], poll: float) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_FOR_LOCK_SECONDS
    while True:
        try:
            return work()
        except ArchiveBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(poll)


def _work(home: Path, job: webjobs.WebJob) -> dict[str, Any]:
    registry = os.environ.get("ARKIV_REGISTRY") or None
    if job.kind == "upload":
        from indexer.pipeline import index_paths

        folder = webjobs.uploads_dir(home) / job.args["folder"]
        files = [folder / name for name in job.args.get("files", [])]
        access = job.args.get("access", "public")
        report = index_paths(home, files, registry_dir=registry, access=access) if files else None
        outcomes = report.outcomes if report else []
        return {
            "files": [
                {"name": _relative(o.path, folder), "status": o.status,
                 "document_id": o.document_id, "reason": o.reason}
                for o in outcomes
            ],
            "counts": report.counts if report else {},
        }
    if job.kind == "reindex":
        from indexer.pipeline import reindex

        count = reindex(home, reextract=bool(job.args.get("reextract")), registry_dir=registry)
        return {"documents": count}
    if job.kind == "check":
        from archive.check import check_archive

        with write_lock(home, purpose="arkiv check (from the web)"):
            report = check_archive(home, verify_hashes=True)
        return {"ok": report.ok, "documents": report.documents,
                "problems": report.problems, "repaired": report.repaired}
    raise ArchiveError(f"unknown job kind {job.kind}")


def _relative(path: str, folder: Path) -> str:
    """A file's name as uploaded (a zip member keeps its place in the zip)."""
    try:
        return str(Path(path).relative_to(folder.resolve()))
    except ValueError:
        return Path(path).name
