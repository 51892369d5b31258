"""The web app's read-only handles on one archive: the catalog and the search backend.

Each worker process opens one search backend (warmed once, shared by its threads) and each
thread its own read-only catalog connection. Nothing here writes to the archive.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app

from archive.catalog import Catalog
from archive.engine import SearchBackend, backend_for
from archive.query import FacetValue

T = TypeVar("T")


class ArchiveAccess:
    """Lazily opened, read-only access to the archive in ``home``."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._local = threading.local()
        self._lock = threading.Lock()
        self._searcher: SearchBackend | None = None
        self._memo: dict[str, tuple[tuple[int, int], Any]] = {}

    @property
    def catalog(self) -> Catalog:
        """This thread's read-only catalog (:class:`ArchiveError` when there is no archive)."""
        catalog = getattr(self._local, "catalog", None)
        if catalog is None:
            catalog = Catalog(self.home, readonly=True)
            self._local.catalog = catalog
        return catalog

    @property
    def searcher(self) -> SearchBackend:
        """The process's search backend, opened on first use."""
        if self._searcher is None:
            _ = self.catalog  # no archive yet: the catalog's ArchiveError says what to do
            with self._lock:
                if self._searcher is None:
                    self._searcher = backend_for(self.home)
        return self._searcher

    def memo(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``, kept until the catalog or the index changes (after any ingest).

        For what every page needs but only an ingest changes: the values of the search
        form's lists, the browse pages' facets, project spans. Each worker keeps its own.
        """
        version = (self.catalog.max_seq(), self.searcher.status().get("seq", 0))
        kept = self._memo.get(name)
        if kept is not None and kept[0] == version:
            return kept[1]  # type: ignore[no-any-return]
        value = compute()
        self._memo[name] = (version, value)
        return value

    def facet_values(self, name: str) -> list[FacetValue]:
        """Every value of a facet over the archive, A–Ö, with counts (kept until an ingest)."""
        return self.memo(f"facet:{name}", lambda: self.searcher.facet_values(name))

    def timeline(self) -> list[tuple[str, int]]:
        """Documents per month over the archive (kept until an ingest)."""
        return self.memo("timeline", self.searcher.timeline)


def archive() -> ArchiveAccess:
    """The archive of the app handling this request."""
    access: ArchiveAccess = current_app.extensions["arkiv"]
    return access
