"""Containers: one file, several documents (a mail and its attachments, a zip's files).

An extractor returns a container's members as :class:`~indexer.extract.Part` s. The
worker that read the container writes them to a spool folder (:func:`spool`); each
member is then a task of its own in the worker pool, with the time limit a file has,
and a member that is a container again opens in turn, down to ``MAX_DEPTH``. In the
parent, the single writer, :class:`Containers` makes each member a document of its
own: its original kept by its own content hash (so it can be downloaded), its path
the container's path, ``!/`` and its name in the container
(``bilagor.zip!/bilagor/missiv.txt``), and the container's list of parts in the
catalog (``parts``), which links both ways.

A container is archived when all its members are, so an interrupted run leaves it
unrecorded and the next run reads it again (its members archived by then are
unchanged). Incremental as files are: an unchanged container is skipped whole before
any of this; in a changed one, a member with the same content is unchanged (and is
not read again), a changed one is a new version of its path, and a member that is gone
is retired (its document superseded by the container's new version).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from archive.catalog import Catalog, sha256_file
from archive.models import MEMBER_SEPARATOR, document_id
from indexer.extract import Part

#: Containers inside containers are opened this many levels deep (a zip in a zip in a
#: mail); deeper ones are archived as documents with their members unread.
MAX_DEPTH = 3
SEPARATOR = MEMBER_SEPARATOR
_SPOOL_PREFIX = "arkiv-parts-"

#: A member's outcome: (path, status, reason, document id).
Outcome = tuple[str, str, str | None, str | None]
#: A container's member as the catalog lists it: (name, document id, problem).
Listed = tuple[str, str | None, str | None]


def member_path(container_path: str, name: str) -> str:
    """Where a member lives: ``bilagor.zip!/bilagor/missiv.txt``."""
    return f"{container_path}{SEPARATOR}{name}"


# -- in the worker --------------------------------------------------------------------


def spool(parts: list[Part], depth: int) -> dict[str, Any]:
    """A container's members written to a spool folder, for the pool to read each.

    Returns ``{"spool": folder, "parts": [...]}``, each part ``{"name", "error"}`` or
    ``{"name", "path", "sha256", "size", "depth"}``. ``depth`` is the container's own
    (0 for a file given to ``arkiv index``).
    """
    if depth >= MAX_DEPTH:
        reason = f"not opened: containers nested more than {MAX_DEPTH} levels deep"
        return {"parts": [{"name": part.name, "error": reason} for part in parts]}
    folder = Path(tempfile.mkdtemp(prefix=f"{_SPOOL_PREFIX}{os.getppid()}-"))
    entries = []
    for number, part in enumerate(parts):
        if part.problem is not None or part.data is None:
            entries.append({"name": part.name, "error": part.problem or "no data"})
            continue
        path = folder / str(number) / (PurePosixPath(part.name).name or "bilaga")
        path.parent.mkdir()
        path.write_bytes(part.data)
        part.data = None  # the spooled copy is enough; free the memory
        entries.append({"name": part.name, "path": str(path), "sha256": sha256_file(path),
                        "size": path.stat().st_size, "depth": depth + 1})
    return {"spool": str(folder), "parts": entries}


def remove_spool(value: dict[str, Any] | None) -> None:
    """Remove the spooled members of a processed container."""
    if value and value.get("spool"):
        shutil.rmtree(value["spool"], ignore_errors=True)


@contextmanager
def spools_removed() -> Iterator[None]:
    """On leaving, remove the spool folders this process's workers left (a worker killed
    mid-file, a run interrupted); the workers must have stopped by then."""
    try:
        yield
    finally:
        for leftover in Path(tempfile.gettempdir()).glob(f"{_SPOOL_PREFIX}{os.getpid()}-*"):
            shutil.rmtree(leftover, ignore_errors=True)


# -- in the parent ----------------------------------------------------------------------


@dataclass(eq=False)
class Open:
    """A container whose members are still being read."""

    key: str
    value: dict[str, Any]
    listed: list[Listed | None]
    waiting: int = 0
    #: The container it is a member of, its slot there, and its own spool entry.
    parent: tuple[Open, int, dict[str, Any]] | None = None
    #: The outermost container's: member paths to keep, and how to archive it.
    kept: list[str] = field(default_factory=list)
    done: Callable[[Open], None] | None = None

    @property
    def top(self) -> Open:
        return self.parent[0].top if self.parent else self


class Containers:
    """The containers of one run and their members, in the parent.

    ``archive(path, value, entry)`` archives one processed member as a document version
    (its original copied from ``entry["path"]``) and returns ``(document id, status)``;
    ``report(outcome)`` is told what became of each member. Member tasks wait in
    ``queue`` for the worker pool; :meth:`handle` takes their results.
    """

    def __init__(
        self, catalog: Catalog,
        archive: Callable[[str, dict[str, Any], dict[str, Any]], tuple[str, str]],
        report: Callable[[Outcome], None],
    ) -> None:
        self.catalog = catalog
        self.archive = archive
        self.report = report
        self.queue: deque[tuple[str, tuple[str, str, int]]] = deque()
        self._members: dict[str, tuple[Open, int, dict[str, Any]]] = {}

    def tasks(self, files: Iterator[Any]) -> Iterator[Any]:
        """Tasks for the pool: members waiting first (their containers finish sooner and
        their spool goes), then the next file. Asked again whenever a worker is free."""
        containers = self

        class _Feed:
            def __iter__(self) -> _Feed:
                return self

            def __next__(self) -> Any:
                if containers.queue:
                    return containers.queue.popleft()
                return next(files)

        return _Feed()

    def owns(self, key: str) -> bool:
        """Whether a pool result is one of these containers' members."""
        return key in self._members

    def open(self, key: str, value: dict[str, Any], done: Callable[[Open], None]) -> None:
        """A processed file that is a container: read its members; ``done(container)``
        archives it (with ``container.listed`` and ``container.kept``) once they are."""
        self._dispatch(Open(key, value, [None] * len(value["parts"]), done=done))

    def handle(self, key: str, value: dict[str, Any] | None, error: str | None) -> None:
        """A member's result from the pool."""
        container, slot, entry = self._members.pop(key)
        name = entry["name"]
        if error is None and value is not None and value.get("parts"):
            self._dispatch(Open(key, value, [None] * len(value["parts"]), parent=(container, slot, entry)))
            return
        if error is None and value is not None:
            try:
                doc_id, status = self.archive(key, value, entry)
            except Exception as exc:  # disk full, read-only …: this member's line, not the run's
                error = f"could not archive: {exc}"
            else:
                self.report((key, status, None, doc_id))
                self._fill(container, slot, (name, doc_id, None))
                return
        self.report((key, "failed", error, None))
        self._fill(container, slot, (name, None, error))

    def _dispatch(self, container: Open) -> None:
        top = container.top
        for slot, entry in enumerate(container.value["parts"]):
            key = member_path(container.key, entry["name"])
            if "error" in entry:
                self.report((key, "failed", entry["error"], None))
                container.listed[slot] = (entry["name"], None, entry["error"])
                continue
            top.kept.append(key)
            state = self.catalog.path_state(key)
            if state is not None and state.sha256 == entry["sha256"]:
                # Unchanged, and so are its own members: none is read again.
                top.kept.extend(path for path, _id in self.catalog.paths_under(key + SEPARATOR))
                self.report((key, "unchanged", None, state.document_id))
                container.listed[slot] = (entry["name"], state.document_id, None)
                continue
            known = self.catalog.get(document_id(entry["sha256"]), with_text=False)
            if known is not None:
                status = self.catalog.add_path(key, known.id, size=entry["size"])
                self.report((key, status, None, known.id))
                container.listed[slot] = (entry["name"], known.id, None)
                continue
            container.waiting += 1
            self._members[key] = (container, slot, entry)
            self.queue.append((key, (entry["path"], Path(entry["path"]).name, entry["depth"])))
        if not container.waiting:
            self._finish(container)

    def _fill(self, container: Open, slot: int, listed: Listed) -> None:
        container.listed[slot] = listed
        container.waiting -= 1
        if not container.waiting:
            self._finish(container)

    def _finish(self, container: Open) -> None:
        """All members of a container are archived: archive the container itself."""
        try:
            if container.parent is None:
                container.done(container)
                return
            parent, slot, entry = container.parent
            name = entry["name"]
            try:
                with self.catalog.transaction():
                    doc_id, status = self.archive(container.key, container.value, entry)
                    self.catalog.set_parts(doc_id, container.listed)
            except Exception as exc:  # disk full, read-only …: this member's line, not the run's
                self.report((container.key, "failed", f"could not archive: {exc}", None))
                self._fill(parent, slot, (name, None, f"could not archive: {exc}"))
                return
            self.report((container.key, status, None, doc_id))
            self._fill(parent, slot, (name, doc_id, None))
        finally:
            remove_spool(container.value)
