"""Jobs staff start from the web: an upload to ingest, a reindex, a check.

The web app records a job in the catalog (``web_jobs``) and starts ``arkiv jobs run ID``
as a process of its own, which waits for the archive's write lock, does the work through
the same code as the command line (``index_paths``, ``reindex``, ``check_archive``) and
writes what happened back to the job. Its progress while it runs is the archive's
running job (:mod:`archive.jobs`), shown on the status page; a job whose process died is
shown as interrupted.

Uploaded originals are kept under ``ARKIV_HOME/uploads/<folder>/``, in a folder the app
names; a file's name is checked before it is joined to that folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.catalog import Catalog, now_iso
from archive.jobs import _alive

KINDS = ("upload", "reindex", "check")
UPLOADS = "uploads"


@dataclass(frozen=True)
class WebJob:
    id: int
    kind: str
    args: dict[str, Any]
    requested_by: str
    requested_at: str
    state: str  # queued | running | done | failed | interrupted
    pid: int | None
    started_at: str | None
    finished_at: str | None
    result: dict[str, Any]


def uploads_dir(home: Path) -> Path:
    return Path(home) / UPLOADS


def _job(row: Any) -> WebJob:
    state = row["state"]
    if state in ("queued", "running") and row["pid"] and not _alive(row["pid"]):
        state = "interrupted"
    return WebJob(
        id=row["id"], kind=row["kind"], args=json.loads(row["args"]),
        requested_by=row["requested_by"], requested_at=row["requested_at"], state=state,
        pid=row["pid"], started_at=row["started_at"], finished_at=row["finished_at"],
        result=json.loads(row["result"]) if row["result"] else {},
    )


def create(catalog: Catalog, kind: str, args: dict[str, Any], user: str) -> int:
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    with catalog.transaction():
        cur = catalog.db.execute(
            "INSERT INTO web_jobs (kind, args, requested_by, requested_at, state) "
            "VALUES (?, ?, ?, ?, 'queued')",
            (kind, json.dumps(args, ensure_ascii=False), user, now_iso()),
        )
    return int(cur.lastrowid or 0)


def get(catalog: Catalog, job_id: int) -> WebJob | None:
    row = catalog.db.execute("SELECT * FROM web_jobs WHERE id = ?", (job_id,)).fetchone()
    return _job(row) if row else None


def recent(catalog: Catalog, limit: int = 50) -> list[WebJob]:
    rows = catalog.db.execute("SELECT * FROM web_jobs ORDER BY id DESC LIMIT ?", (limit,))
    return [_job(r) for r in rows]


def update(catalog: Catalog, job_id: int, **values: Any) -> None:
    """Set a job's ``state``, ``pid``, ``started_at``, ``finished_at`` or ``result``."""
    allowed = {"state", "pid", "started_at", "finished_at", "result"}
    if not values or set(values) - allowed:
        raise ValueError(f"cannot set {sorted(set(values) - allowed)}")
    if "result" in values:
        values["result"] = json.dumps(values["result"], ensure_ascii=False)
    sets = ", ".join(f"{name} = ?" for name in values)
    with catalog.transaction():
        catalog.db.execute(f"UPDATE web_jobs SET {sets} WHERE id = ?", (*values.values(), job_id))
