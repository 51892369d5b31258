"""The search backend contract: what the rest of Arkiv may ask of a search engine.

Owns the narrow interface (:class:`SearchBackend`) and the choice of backend for an
archive (:func:`backend_for`). The web app, the command line, the pipeline and the
checks talk to a ``SearchBackend`` only; each engine is one module behind it
(:mod:`archive.engine.embedded` today, a PostgreSQL one next, chosen by
``ARKIV_DATABASE_URL``). ``tests/test_engine_contract.py`` is the behaviour every
backend must show; a new backend is added to its parameter list.

Touches no Whoosh internals.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from archive.catalog import Catalog
from archive.query import FacetValue, Hit, Query, Results


class Highlighter(Protocol):
    """Marks what one query matches in any text of the archive (same analysis as search)."""

    def matches(self, text: str) -> bool:
        """True when the query matches somewhere in ``text``."""

    def mark(self, text: str) -> str:
        """``text`` as HTML: escaped, the matches wrapped in ``<mark>``."""


class SearchBackend(ABC):
    """A search engine over one archive's catalog.

    The catalog is the source of truth: a backend holds nothing that ``rebuild`` cannot
    make again from it. Reading methods never raise for a missing or outdated index:
    ``search`` answers with no hits and a message saying what to run.
    """

    #: Short name, as shown by ``arkiv check`` and on the about page.
    name: str = ""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)

    # -- writing ----------------------------------------------------------------------

    @abstractmethod
    def sync(self, catalog: Catalog) -> int:
        """Apply the catalog's changes since the last sync; returns documents changed."""

    @abstractmethod
    def rebuild(self, catalog: Catalog,
                progress: Callable[[int, int], None] | None = None) -> int:
        """Build the whole index again from the catalog; returns documents indexed.

        Searches keep answering from the old index until the new one is complete.
        """

    @abstractmethod
    def needs_rebuild(self) -> bool:
        """True when there is no index or it was built by another schema version."""

    @abstractmethod
    def status(self) -> dict[str, Any]:
        """What the about page shows: ``schema_version``, ``seq`` (the catalog sequence
        number synced to), ``built_at``, ``updated_at``, ``generation`` (empty when
        there is no index)."""

    @property
    @abstractmethod
    def version(self) -> Any:
        """Changes whenever what the index holds changes: a key for caches."""

    # -- reading ----------------------------------------------------------------------

    # Every reading method shows documents of the ``access`` classes only when given
    # (``Query.access`` for a search): the public never sees an internal document, nor
    # its words in a count, a facet, a suggestion or a timeline.

    @abstractmethod
    def search(self, query: Query) -> Results:
        """One page of hits, facets over the whole result set, a suggestion, notes."""

    @abstractmethod
    def facet_values(self, name: str, *, access: Iterable[str] = ()) -> list[FacetValue]:
        """Every value of a facet (a ``Query`` filter name) over the archive, A–Ö."""

    def facet_spans(self, name: str, *, access: Iterable[str] = ()
                    ) -> dict[str, tuple[str, str]]:
        """Each value of a facet with the first and last date (``YYYY-MM-DD``, decision
        date else document date) of its documents. Optional: a backend that cannot tell
        raises ``NotImplementedError`` and the browse pages read the catalog instead."""
        raise NotImplementedError

    def facet_pairs(self, name: str, within: str, *, access: Iterable[str] = ()
                    ) -> dict[str, Counter[str]]:
        """For each value of facet ``name``, the values of facet ``within`` its documents
        have, with counts (a city's districts). Optional, as :meth:`facet_spans`."""
        raise NotImplementedError

    @abstractmethod
    def timeline(self, query: Query | None = None, *, access: Iterable[str] = ()
                 ) -> list[tuple[str, int]]:
        """Documents per month (``YYYY-MM``) of the query's results (all without one)."""

    @abstractmethod
    def suggest(self, text: str, *, access: Iterable[str] = ()) -> str | None:
        """A "did you mean" for a query whose words the archive does not hold."""

    @abstractmethod
    def more_like_this(self, doc_id: str, limit: int = 5, *, access: Iterable[str] = ()
                       ) -> list[Hit]:
        """Documents most like one document, best first, without it."""

    @abstractmethod
    def highlighter(self, text: str) -> Highlighter:
        """Marks what the query ``text`` matches, as ``search`` matches it."""

    @abstractmethod
    def close(self) -> None:
        """Release open files; the backend opens them again when used."""


def backend_for(home: Path, database: str | None = None) -> SearchBackend:
    """The search backend of the archive in ``home``: PostgreSQL at ``database`` (a URL),
    else at ``ARKIV_DATABASE_URL`` when ``database`` is None and it is set
    (:mod:`archive.engine.postgres`), else the embedded engine (``database=""``)."""
    from archive.home import database_url

    url = database_url() if database is None else database
    if url:
        from archive.engine.postgres import PostgresBackend

        return PostgresBackend(home, url)
    from archive.engine.embedded import EmbeddedBackend

    return EmbeddedBackend(home)
