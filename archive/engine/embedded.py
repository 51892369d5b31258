"""The embedded backend: the archive's own engine on Whoosh's file format, in ARKIV_HOME.

Owns the wiring of the parts behind :class:`~archive.engine.backend.SearchBackend`:
:class:`~archive.engine.store.Index` (generations, sync, rebuild) for writing and one
:class:`~archive.engine.searcher.Searcher` (opened views, caches) for reading. Touches
no Whoosh internals itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from archive.catalog import Catalog
from archive.engine.backend import SearchBackend
from archive.engine.highlight import _Marker
from archive.engine.searcher import Searcher
from archive.engine.store import Index
from archive.query import FacetValue, Hit, Query, Results


class EmbeddedBackend(SearchBackend):
    """Whoosh-format segments written and read by :mod:`archive.engine`."""

    name = "embedded"

    def __init__(self, home: Path) -> None:
        super().__init__(home)
        self.index = Index(self.home)
        self._searcher: Searcher | None = None

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            self._searcher = Searcher(self.home)
        return self._searcher

    def sync(self, catalog: Catalog) -> int:
        return self.index.sync(catalog)

    def rebuild(self, catalog: Catalog,
                progress: Callable[[int, int], None] | None = None) -> int:
        return self.index.rebuild(catalog, progress)

    def needs_rebuild(self) -> bool:
        return self.index.needs_rebuild()

    def status(self) -> dict[str, Any]:
        state = self.index.state()
        generation = self.index.current()
        return {**state, "generation": generation.name} if state and generation else state

    @property
    def version(self) -> Any:
        return self.searcher._version()

    def search(self, query: Query) -> Results:
        return self.searcher.search(query)

    def facet_values(self, name: str, *, access: Iterable[str] = ()) -> list[FacetValue]:
        return self.searcher.facet_values(name, access=access)

    def facet_spans(self, name: str, *, access: Iterable[str] = ()
                    ) -> dict[str, tuple[str, str]]:
        return self.searcher.facet_spans(name, access=access)

    def facet_pairs(self, name: str, within: str, *, access: Iterable[str] = ()
                    ) -> dict[str, Counter[str]]:
        return self.searcher.facet_pairs(name, within, access=access)

    def timeline(self, query: Query | None = None, *, access: Iterable[str] = ()
                 ) -> list[tuple[str, int]]:
        return self.searcher.timeline(query, access=access)

    def suggest(self, text: str, *, access: Iterable[str] = ()) -> str | None:
        return self.searcher.suggest(text, access=access)

    def more_like_this(self, doc_id: str, limit: int = 5, *, access: Iterable[str] = ()
                       ) -> list[Hit]:
        return self.searcher.more_like_this(doc_id, limit, access=access)

    def highlighter(self, text: str) -> _Marker:
        return self.searcher.highlighter(text)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
