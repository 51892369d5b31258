"""The running job of an archive: what ``arkiv index`` or ``reindex`` is doing right now.

The one writing process keeps ``ARKIV_HOME/job.json`` up to date (about once a second:
command, files done of total, pages, failures, rate, ETA) and removes it when it ends,
so the web status page and ``/api/status`` can show a running bulk job. A file left by
a process that died (kill -9, power loss) is recognised by its process id and reported
as interrupted, not as running.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from archive.catalog import now_iso

JOB_FILE = "job.json"


def write_job(home: Path, command: str, figures: dict[str, Any], *, started_at: str) -> None:
    """Record the running job's progress (tmp + os.replace: readers never see half a file)."""
    data = {
        "command": command,
        "pid": os.getpid(),
        "started_at": started_at,
        "updated_at": now_iso(),
        **figures,
    }
    path = Path(home) / JOB_FILE
    tmp = path.with_name(f".{JOB_FILE}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):  # progress is a courtesy: never fail the job for it
        tmp.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)


def clear_job(home: Path) -> None:
    """The job ended: remove its progress file."""
    with contextlib.suppress(OSError):
        (Path(home) / JOB_FILE).unlink(missing_ok=True)


def read_job(home: Path) -> dict[str, Any] | None:
    """The job's last progress with ``state`` "running" or "interrupted"; None when idle."""
    try:
        data = json.loads((Path(home) / JOB_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    data["state"] = "running" if _alive(data.get("pid")) else "interrupted"
    return data


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True
