"""Jobs an admin starts from the status page: ``arkiv reindex`` or ``arkiv check``.

A job runs as the same ``arkiv`` command an administrator would type, in a process of
its own (detached from the web server, so a server restart does not kill it). Its
output goes to ``ARKIV_HOME/tasks/<when>-<command>.log`` beside a small JSON record
(command, who, when, process id). The command takes the archive's write lock like any
other: a second writer is refused with "the archive is busy", which then stands in the
log. A running reindex also shows its progress on the status page (:mod:`archive.jobs`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from archive.catalog import now_iso
from archive.jobs import _alive

#: What an admin may start, as ``arkiv`` arguments.
COMMANDS: dict[str, tuple[str, ...]] = {
    "reindex": ("reindex", "--progress", "none"),
    "check": ("check",),
}
FOLDER = "tasks"
SHOWN = 10


def arkiv_command() -> list[str]:
    """How to run ``arkiv``: the console script beside this Python, else the one on PATH."""
    beside = Path(sys.executable).parent / "arkiv"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("arkiv")
    return [found] if found else [sys.executable, "-c", "from indexer.cli import main; main()"]


def start(home: Path, name: str, *, by: str) -> dict[str, Any]:
    """Start the named job in the background; returns its record."""
    args = COMMANDS[name]
    folder = Path(home) / FOLDER
    folder.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{os.getpid()}"
    log = folder / f"{stamp}-{name}.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [*arkiv_command(), "--home", str(home), *args],
            stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True, env={**os.environ, "ARKIV_DEBUG": ""},
        )
    # Reaped when it ends (else a finished job would linger as a zombie "running").
    threading.Thread(target=process.wait, daemon=True).start()
    record = {"command": f"arkiv {' '.join(args)}", "by": by, "started_at": now_iso(),
              "pid": process.pid, "log": log.name}
    log.with_suffix(".json").write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    return record


def recent(home: Path, limit: int = SHOWN) -> list[dict[str, Any]]:
    """The latest started jobs, newest first, each with ``state`` and its output's last line."""
    folder = Path(home) / FOLDER
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json"), reverse=True)[:limit]:
        with contextlib.suppress(OSError, ValueError):
            record = json.loads(path.read_text("utf-8"))
            lines = (folder / record["log"]).read_text("utf-8", errors="replace").splitlines()
            record["state"] = "running" if _alive(record.get("pid")) else "finished"
            record["last_line"] = lines[-1] if lines else ""
            found.append(record)
    return found
