"""Containers: one file, several documents (a mail and its attachments, a zip's files).

An extractor returns a container's members as :class:`~indexer.extract.Part` s. In the
worker, :func:`expand` writes each member to a spool folder, gives it the same
treatment as a file (extract, clean, describe; containers in it again, to
``MAX_DEPTH``), and returns what the parent needs. In the parent, the single writer,
:func:`archive_parts` makes each member a document of its own: its original kept by
its own content hash (so it can be downloaded), its path the container's path, ``!/``
and its name in the container (``bilagor.zip!/bilagor/missiv.txt``), and the
container's list of parts in the catalog (``parts``), which links both ways.

Incremental as files are: an unchanged container is skipped whole before any of
this; in a changed one, a member with the same content is unchanged, a changed one is
a new version of its path, and a member that is gone is retired like a vanished
version (its document superseded by the container's new version).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from archive.catalog import Catalog, sha256_file
from archive.models import MEMBER_SEPARATOR, document_id
from indexer.extract import ExtractionError, Part

#: Containers inside containers are opened this many levels deep (a zip in a zip in a
#: mail); deeper ones are archived as documents without opening them.
MAX_DEPTH = 3
SEPARATOR = MEMBER_SEPARATOR
_SPOOL_PREFIX = "arkiv-parts-"

#: The spool folders of the containers being expanded, outermost first (in a worker).
_spools: list[str] = []


def member_path(container_path: str, name: str) -> str:
    """Where a member lives: ``bilagor.zip!/bilagor/missiv.txt``."""
    return f"{container_path}{SEPARATOR}{name}"


# -- in the worker --------------------------------------------------------------------


def expand(parts: list[Part], process: Callable[[tuple[str, str]], dict[str, Any]]) -> dict[str, Any]:
    """Each member spooled and ``process`` ed; returns ``{"spool": folder, "parts": [...]}``
    where each part is ``{"name", "error"}`` or ``{"name", "path", "sha256", "size",
    "value"}`` (``value`` as ``process`` returns it, with parts of its own)."""
    # A nested container's members are spooled inside its container's spool, so removing
    # the outermost spool removes them all.
    outer = _spools[-1] if _spools else None
    spool = tempfile.mkdtemp(prefix=f"{_SPOOL_PREFIX}{os.getppid()}-", dir=outer)
    described: list[dict[str, Any]] = []
    _spools.append(spool)
    try:
        for number, part in enumerate(parts):
            described.append(_expand_one(part, Path(spool) / str(number), process))
    finally:
        _spools.pop()
    return {"spool": spool, "parts": described}


def opens_containers() -> bool:
    """Whether a container met now is opened (not yet ``MAX_DEPTH`` levels deep)."""
    return len(_spools) < MAX_DEPTH


def _expand_one(part: Part, folder: Path, process: Callable[[tuple[str, str]], dict[str, Any]]) -> dict[str, Any]:
    if part.problem is not None or part.data is None:
        return {"name": part.name, "error": part.problem or "no data"}
    folder.mkdir()
    filename = PurePosixPath(part.name).name or "bilaga"
    path = folder / filename
    path.write_bytes(part.data)
    part.data = None  # the spooled copy is enough; free the memory
    entry: dict[str, Any] = {"name": part.name, "path": str(path), "sha256": sha256_file(path),
                             "size": path.stat().st_size}
    try:
        entry["value"] = process((str(path), filename))
    except ExtractionError as exc:
        entry["error"] = str(exc)
    except MemoryError:
        entry["error"] = "out of memory"
    except Exception as exc:  # one member's failure is that member's line, not the mail's
        entry["error"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return entry


def too_deep(parts: list[Part]) -> list[Part]:
    """The members of a container nested deeper than ``MAX_DEPTH``, each with its line."""
    reason = f"not opened: containers nested more than {MAX_DEPTH} levels deep"
    return [Part(part.name, problem=reason) for part in parts]


def remove_spool(value: dict[str, Any]) -> None:
    """Remove the spooled members of a processed file (after they are archived)."""
    if value.get("spool"):
        shutil.rmtree(value["spool"], ignore_errors=True)


def remove_leftover_spools() -> None:
    """Remove spool folders that this process's workers left (a worker killed mid-file)."""
    for leftover in Path(tempfile.gettempdir()).glob(f"{_SPOOL_PREFIX}{os.getpid()}-*"):
        shutil.rmtree(leftover, ignore_errors=True)


# -- in the parent ----------------------------------------------------------------------


def archive_parts(
    catalog: Catalog,
    container_path: str,
    container_id: str,
    value: dict[str, Any],
    *,
    add_document: Callable[..., tuple[str, str]],
) -> list[tuple[str, str, str | None, str | None]]:
    """Archive the members of a processed container (and theirs, recursively); returns
    each member's outcome ``(path, status, reason, document id)``. Members of an earlier
    version that are gone are retired.

    ``add_document(key, entry)`` archives one member's ``value`` as a new document
    version and returns ``(document id, status)``.
    """
    outcomes: list[tuple[str, str, str | None, str | None]] = []
    kept: list[str] = []
    _archive_level(catalog, container_path, container_id, value, add_document, outcomes, kept)
    catalog.retire_paths_under(container_path + SEPARATOR, kept, container_id)
    return outcomes


def _archive_level(
    catalog: Catalog, container_path: str, container_id: str, value: dict[str, Any],
    add_document: Callable[..., tuple[str, str]],
    outcomes: list[tuple[str, str, str | None, str | None]], kept: list[str],
) -> None:
    listed: list[tuple[str, str | None, str | None]] = []
    for entry in value.get("parts") or []:
        key = member_path(container_path, entry["name"])
        if "error" in entry:
            outcomes.append((key, "failed", entry["error"], None))
            listed.append((entry["name"], None, entry["error"]))
            continue
        kept.append(key)
        state = catalog.path_state(key)
        known = catalog.get(document_id(entry["sha256"]), with_text=False)
        if state is not None and state.sha256 == entry["sha256"]:
            doc_id, status = state.document_id, "unchanged"
        elif known is not None:
            doc_id, status = known.id, catalog.add_path(key, known.id, size=entry["size"])
        else:
            doc_id, status = add_document(key, entry)
        outcomes.append((key, status, None, doc_id))
        listed.append((entry["name"], doc_id, None))
        if entry["value"].get("parts"):
            _archive_level(catalog, key, doc_id, entry["value"], add_document, outcomes, kept)
    catalog.set_parts(container_id, listed)

