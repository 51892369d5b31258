"""Helpers for the reliability tests: run and kill ``arkiv``, generate documents, and
check an archive the way an administrator would after something went wrong."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ARKIV = str(Path(sys.executable).parent / "arkiv")

#: Words of the generated documents; every document also gets a word of its own.
WORDS = ["kommunstyrelsen", "socialnämnden", "beslutade", "utreda", "äldreomsorgen", "förskolan", "budget", "trafiken", "bostäder", "stadsdelen", "hemlöshet", "integration", "upphandling", "miljön", "kulturen", "biblioteket", "ungdomar", "föreningar", "parkerna", "vattnet", "energin", "klimatet", "kollektivtrafiken", "skolan"]
CITIES = ("Göteborg", "Malmö", "Uppsala", "Lund", "Umeå", "Örebro")
#: A word every generated document contains.
COMMON_WORD = "tjänsteutlåtande"


def unique_word(number: int) -> str:
    """The word only generated document ``number`` contains."""
    return f"unikord{number:05d}"


def write_documents(folder: Path, count: int, *, start: int = 0, paragraphs: int = 1) -> list[Path]:
    """``count`` small Swedish text documents, the same every time for the same numbers."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(start, start + count):
        rng = random.Random(number)
        city = CITIES[number % len(CITIES)]
        body = "\n\n".join(
            " ".join(rng.choice(WORDS) for _ in range(50)).capitalize() + "."
            for _ in range(paragraphs)
        )
        text = (
            f"Tjänsteutlåtande {number} från {city}\n\n"
            f"Ärende {number} i {city} kommun. {body}\n\nNyckelord: {unique_word(number)}.\n"
        )
        path = folder / f"dok-{number:05d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


# -- running arkiv ------------------------------------------------------------------


def arkiv_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "ARKIV_HOME": str(home)}
    env.pop("ARKIV_DEBUG", None)
    return env


def arkiv(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``arkiv ARGS`` to the end (as a script would) and return what it did."""
    return subprocess.run(
        [ARKIV, *args], capture_output=True, text=True, env=arkiv_env(home),
        timeout=timeout, check=False,
    )


def spawn_arkiv(home: Path, *args: str, log: Path) -> subprocess.Popen[bytes]:
    """Start ``arkiv ARGS`` in its own process group (so it can be killed with its
    workers); stdout and stderr go to ``log``."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            [ARKIV, *args], stdout=out, stderr=subprocess.STDOUT, env=arkiv_env(home),
            start_new_session=True,
        )


def kill_group(process: subprocess.Popen[Any]) -> None:
    """kill -9 a process and every process it started (its workers), and wait until
    they are all gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    wait_for(lambda: not group_members(process.pid), timeout=30, what="the killed processes to end")


def group_members(pgid: int) -> list[int]:
    """Live (not yet exited) processes of a process group; zombies hold nothing."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                members.append(int(entry))
    return members


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str, every: float = 0.01) -> Any:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)


# -- looking at an archive from outside ---------------------------------------------


def read_only_db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{home / 'catalog.sqlite3'}?mode=ro", uri=True, timeout=30)


def document_count(home: Path) -> int:
    """Documents in the catalog, read without disturbing a writer (0 before it exists)."""
    if not (home / "catalog.sqlite3").exists():
        return 0
    try:
        with contextlib.closing(read_only_db(home)) as db:
            return int(db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is still being created
        return 0


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(home: Path) -> dict[str, dict[str, Any]]:
    """Every document as stored: text, metadata, group, version state, and the hash of
    its original's bytes as they are on disk now."""
    documents = {}
    with contextlib.closing(read_only_db(home)) as db:
        rows = db.execute(
            "SELECT id, sha256, path, text, metadata, own_metadata, duplicate_of, superseded_by "
            "FROM documents"
        ).fetchall()
    for doc_id, sha256, path, text, metadata, own, duplicate_of, superseded_by in rows:
        original = home / "originals" / sha256[:2] / sha256
        documents[doc_id] = {
            "sha256": sha256, "path": path, "text": text, "metadata": json.loads(metadata),
            "own_metadata": json.loads(own), "duplicate_of": duplicate_of,
            "superseded_by": superseded_by,
            "original": file_sha256(original) if original.is_file() else None,
        }
    return documents


def lock_is_free(path: Path) -> bool:
    """Whether nobody holds the flock on ``path`` (a killed holder's lock is released)."""
    if not path.exists():
        return True
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def assert_intact(home: Path) -> dict[str, dict[str, Any]]:
    """What must hold after any crash: the catalog passes SQLite's integrity and
    foreign-key checks, every original is present with the hash it is filed under,
    and no lock is left held. Returns the snapshot."""
    with contextlib.closing(read_only_db(home)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    documents = snapshot(home)
    for doc_id, doc in documents.items():
        assert doc["original"] == doc["sha256"], f"original of {doc_id} missing or corrupt"
    assert lock_is_free(home / "write.lock"), "the archive's write lock is still held"
    assert lock_is_free(home / "index" / "write.lock"), "the index's write lock is still held"
    return documents


def searchable_ids(home: Path, text: str = "") -> list[str]:
    """Every document id a search finds (all documents for an empty query), paged through
    a fresh Searcher as a new process would see them."""
    from archive.engine import Searcher
    from archive.query import Query

    searcher = Searcher(home)
    ids: list[str] = []
    page = 1
    while True:
        results = searcher.search(
            Query(text=text, page=page, page_size=100, snippets=False, facets=False)
        )
        ids.extend(hit.id for hit in results.hits)
        if page >= results.pages:
            return ids
        page += 1


def one_line_errors(stderr: str) -> list[str]:
    """The error lines of an arkiv run; none may be part of a traceback."""
    assert "Traceback" not in stderr, stderr
    return [line for line in stderr.splitlines() if line.startswith(("arkiv:", "failed:"))]
