"""Where an archive lives on disk: ``ARKIV_HOME`` (or ``--home``).

Layout::

    ARKIV_HOME/
        catalog.sqlite3        the source of truth (documents, text, metadata, ingest log)
        originals/ab/<sha256>  every original file, content-addressed, never overwritten
        index/                 the Whoosh index generations (derived, rebuildable)
        write.lock             held by the one process that writes (index, reindex, import)
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.messages import Message

DEFAULT_HOME = Path.home() / ".local" / "share" / "arkiv"
#: The archive of a project folder: ``make run`` serves ``$(CURDIR)/.arkiv`` and every
#: ``arkiv`` command run in that folder finds it there.
PROJECT_HOME = ".arkiv"


class ArchiveError(Exception):
    """A problem the user can act on; ``str(exc)`` is one clear line."""


class InputError(ArchiveError):
    """A value a person typed that cannot be taken: ``message`` says why, as an id the web
    shows in the visitor's language (``str`` is the command line's English line)."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


class ArchiveBusy(ArchiveError):
    """Another process is writing to this archive."""


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The archive folder: ``home`` if given, else ``$ARKIV_HOME``, else ``./.arkiv`` when
    the current folder has one (the archive ``make run`` serves), else a per-user default."""
    chosen = home or os.environ.get("ARKIV_HOME")
    if not chosen:
        local = Path.cwd() / PROJECT_HOME
        chosen = local if local.is_dir() else DEFAULT_HOME
    return Path(chosen).expanduser().resolve()


#: ``ARKIV_DATABASE_URL``: unset = SQLite + the embedded engine in ``ARKIV_HOME``;
#: ``postgresql://…`` = catalog and search in PostgreSQL (originals stay in ARKIV_HOME).
DATABASE_ENV = "ARKIV_DATABASE_URL"
#: ``ARKIV_DATABASE_READ_URL``: a replica that searches read from (default: the primary).
READ_DATABASE_ENV = "ARKIV_DATABASE_READ_URL"


def database_url() -> str | None:
    """The PostgreSQL archive to use, or None for the embedded default (SQLite + engine
    files in ``ARKIV_HOME``). ``arkiv --database URL`` sets the same variable."""
    url = os.environ.get(DATABASE_ENV, "").strip()
    return url or None


def read_database_url() -> str | None:
    """Where searches read from: ``ARKIV_DATABASE_READ_URL`` (a replica), else the
    primary's URL; None for the embedded default."""
    primary = database_url()
    if primary is None:
        return None
    return os.environ.get(READ_DATABASE_ENV, "").strip() or primary


def ensure_home(home: Path) -> Path:
    """Create the archive folder (and its parents) or say clearly why it cannot be."""
    try:
        (home / "originals").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(f"cannot create archive folder {home}: {exc.strerror}") from exc
    if not os.access(home, os.W_OK):
        raise ArchiveError(f"archive folder {home} is read-only")
    return home


@contextmanager
def held_lock(
    path: Path, purpose: str, busy: Callable[[str], Exception], *, wait: bool = False
) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` while it says who holds it and why.

    A second process either waits (``wait=True``) or gets ``busy(holder)`` raised, where
    ``holder`` is what the first one wrote ("arkiv index (pid 123)"). The kernel frees
    the lock when its holder dies, so a killed writer never leaves the archive locked.
    """
    with open(path, "a+", encoding="utf-8") as handle:
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(handle, flags)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            raise busy(handle.read().strip()) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"{purpose} (pid {os.getpid()})")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def write_lock(home: Path, *, wait: bool = False, purpose: str = "writing") -> Iterator[None]:
    """Hold the archive's single-writer lock for the duration of a write job.

    A second writer either waits (``wait=True``) or gets :class:`ArchiveBusy` with the
    holder's description, so two ``arkiv index`` runs can never interleave their writes.
    On PostgreSQL the lock is also held in the database, so it holds across machines.
    """
    ensure_home(home)

    def busy(holder: str) -> ArchiveBusy:
        holder = holder or "another arkiv process"
        return ArchiveBusy(f"the archive is busy: {holder}; try again when it has finished")

    with held_lock(home / "write.lock", purpose, busy, wait=wait):
        url = database_url()
        if url is None:
            yield
            return
        from archive.db import writer_lock  # the database layer stands on this module

        with writer_lock(url, purpose, wait=wait):
            yield
