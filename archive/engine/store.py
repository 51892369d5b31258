"""The index on disk: generations, the single writer, sync and rebuild.

The index is derived from the catalog and can be rebuilt from it at any time. It lives
in ``ARKIV_HOME/index``::

    index/
        CURRENT        name of the live generation, swapped atomically (tmp + os.replace)
        write.lock     held by the one process writing the index (sync or rebuild)
        gen-0007/      a Whoosh index + ``arkiv.json`` (schema version, catalog seq)

A rebuild writes a new generation beside the live one and swaps ``CURRENT`` when it is
complete: searches keep answering from the old generation meanwhile, and a crash leaves
the old one in use (the half-built directory is removed by the next writer). A sync adds
the changed documents to the live generation as a new segment and deletes their earlier
postings, in one Whoosh commit; segments of a size are then merged
(:mod:`archive.engine.merger`).

Whoosh internals touched: ``whoosh.index.open_dir``/``exists_in`` and the index
writer's ``delete_by_term`` and ``commit(mergetype=…)``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from archive.catalog import Catalog
from archive.engine.merger import _merged
from archive.engine.schema import INDEX_NAME
from archive.engine.writer import _build, _index_documents
from archive.home import ArchiveError, held_lock

SCHEMA_VERSION = 7
STATE_FILE = "arkiv.json"
CURRENT_FILE = "CURRENT"
LOCK_FILE = "write.lock"
GENERATION_PREFIX = "gen-"

# -- lifecycle ----------------------------------------------------------------------


class IndexBusy(ArchiveError):
    """Another process is writing the index; ``str(exc)`` says what it is doing."""


class Index:
    """The index generations of one archive (see the module docstring)."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.root = self.home / "index"

    # -- reading the state ------------------------------------------------------

    def current(self) -> Path | None:
        """The live generation's directory (None when there is no index)."""
        try:
            name = (self.root / CURRENT_FILE).read_text(encoding="utf-8").strip()
        except (OSError, ValueError):  # missing, unreadable, or not even UTF-8
            return None
        if not re.fullmatch(rf"{GENERATION_PREFIX}\d+", name):
            return None
        path = self.root / name
        return path if (path / STATE_FILE).exists() else None

    def state(self) -> dict[str, Any]:
        """The live generation's ``arkiv.json``: schema version, catalog seq, times."""
        generation = self.current()
        if generation is None:
            return {}
        try:
            return json.loads((generation / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    @property
    def seq(self) -> int:
        """The catalog sequence number the live generation is synchronised to."""
        return int(self.state().get("seq", 0))

    def exists(self) -> bool:
        generation = self.current()
        return generation is not None and whoosh_index.exists_in(generation, INDEX_NAME)

    def needs_rebuild(self) -> bool:
        """True when there is no index or it was built with another schema version.

        The version is read first: an index of another version may not even open.
        """
        return self.state().get("schema_version") != SCHEMA_VERSION or not self.exists()

    # -- writing ----------------------------------------------------------------

    def sync(self, catalog: Catalog) -> int:
        """Apply the catalog's changes since the last sync; returns documents changed.

        Indexable documents are upserted, the rest (superseded versions, renderings
        that joined a near-duplicate group) deleted. Without a usable index, rebuilds.
        """
        if self.needs_rebuild():
            return self.rebuild(catalog)
        with self._writing("sync"):
            self._remove_stale_generations()
            generation = self.current()
            if generation is None:
                raise ArchiveError("the index disappeared while it was being updated")
            state = self.state()
            ix = whoosh_index.open_dir(generation, indexname=INDEX_NAME)
            changed, seq = _apply_changes(ix, catalog, int(state.get("seq", 0)))
            if changed:
                _write_state(generation, seq)
            return changed

    def rebuild(
        self, catalog: Catalog, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Build a new generation from the catalog and swap it in; returns documents indexed.

        Searches keep using the old generation until the swap. Memory stays flat: the
        catalog is streamed and every ``SEGMENT_DOCS`` documents become a segment.
        """
        with self._writing("rebuild"):
            self._remove_stale_generations()
            generation = self._new_generation()
            try:
                start_seq = catalog.max_seq()
                done = _build(generation, catalog, progress)
                ix = whoosh_index.open_dir(generation, indexname=INDEX_NAME)
                _, seq = _apply_changes(ix, catalog, start_seq)
                _write_state(generation, max(seq, start_seq))
                self._swap(generation)
            except BaseException:
                shutil.rmtree(generation, ignore_errors=True)
                raise
            self._remove_stale_generations()
            return done

    @contextmanager
    def _writing(self, purpose: str) -> Iterator[None]:
        """Hold the index's single-writer lock, or raise :class:`IndexBusy`."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"cannot create index folder {self.root}: {exc.strerror}") from exc

        def busy(holder: str) -> IndexBusy:
            doing = "rebuilt" if holder.startswith("rebuild") else "updated"
            return IndexBusy(f"the index is being {doing}; try again when it has finished")

        with held_lock(self.root / LOCK_FILE, purpose, busy):
            yield

    def _generations(self) -> list[Path]:
        if not self.root.exists():
            return []
        return sorted(p for p in self.root.iterdir() if p.name.startswith(GENERATION_PREFIX))

    def _new_generation(self) -> Path:
        numbers = [int(p.name[len(GENERATION_PREFIX):]) for p in self._generations()
                   if p.name[len(GENERATION_PREFIX):].isdigit()]
        path = self.root / f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:04d}"
        path.mkdir()
        return path

    def _swap(self, generation: Path) -> None:
        """Make ``generation`` the live one, atomically."""
        tmp = self.root / (CURRENT_FILE + ".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(generation.name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.root / CURRENT_FILE)
        _fsync_dir(self.root)

    def _remove_stale_generations(self) -> None:
        """Remove generations that are not live: old ones, and half-built ones left by a crash.

        Only called while holding the write lock, so no rebuild is in progress. A
        searcher still reading a removed generation keeps its open files (POSIX).
        """
        live = self.current()
        for path in self._generations():
            if path != live:
                shutil.rmtree(path, ignore_errors=True)



def _apply_changes(ix: Any, catalog: Catalog, since: int) -> tuple[int, int]:
    """Upsert or delete what changed in the catalog after ``since``: (changed, new seq).

    Changed documents are written as new bulk segments (as a rebuild writes them), then
    one commit deletes their earlier postings and adds the segments.
    """
    changes = catalog.changes_since(since)
    if not changes:
        return 0, since
    latest = {change.id: change for change in changes}
    added = _index_documents(ix, catalog, [i for i, c in latest.items() if c.indexable])
    writer = ix.writer()
    try:
        for doc_id in latest:
            writer.delete_by_term("doc", doc_id)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=lambda w, segments: _merged(ix, catalog, [*segments, *added]))
    return len(latest), max(change.seq for change in changes)



def _write_state(generation: Path, seq: int) -> None:
    """Record the schema version and catalog seq of a generation (tmp + os.replace)."""
    previous: dict[str, Any] = {}
    path = generation / STATE_FILE
    if path.exists():
        previous = json.loads(path.read_text(encoding="utf-8"))
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    state = {
        "schema_version": SCHEMA_VERSION,
        "seq": seq,
        "built_at": previous.get("built_at", now),
        "updated_at": now,
    }
    tmp = generation / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


