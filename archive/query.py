"""What a search asks and what it answers: the one interface the CLI, web and API share.

``SearchBackend.search(Query) -> Results`` is implemented by each search backend of
:mod:`archive.engine`; nothing outside ``archive/engine/`` imports ``whoosh``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from archive.messages import Message
from archive.swedish import date_span

SORTS = ("relevance", "newest", "oldest")
MAX_PAGE_SIZE = 100
MAX_QUERY_LENGTH = 1000

#: Facets shown for every result set, in display order (Query filter name → index field).
FACETS: tuple[str, ...] = (
    "kind",
    "doc_type",
    "city",
    "districts",
    "cities_mentioned",
    "projects",
    "committee",
    "topics",
    "language",
    "year",
)


@dataclass
class Query:
    """A search: free text in the user syntax plus filters, sort and paging.

    Each list filter matches documents having any of its values (OR within a filter,
    AND across filters). ``date_from``/``date_to`` filter on a document's decision date
    when it has one, else its document date (the CLI's ``--from``/``--to``).

    A search with text finds whole documents and the ärenden (§§, agenda items) of
    protokoll and kallelser; ``kind`` ("document", "arende") narrows to one of them.
    Browsing (no text) lists documents unless ``kind`` asks for ärenden.

    ``access`` limits everything the search shows and counts (hits, facets, suggestions)
    to documents of these access classes ("public", "internal"); empty means all. It is
    not a filter people choose: the web sets it for the public (web.archive_access).
    """

    text: str = ""
    city: list[str] = field(default_factory=list)
    district: list[str] = field(default_factory=list)
    mentioned: list[str] = field(default_factory=list)
    project: list[str] = field(default_factory=list)
    committee: list[str] = field(default_factory=list)
    doc_type: list[str] = field(default_factory=list)
    topic: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    decision_from: str | None = None
    decision_to: str | None = None
    document_from: str | None = None
    document_to: str | None = None
    #: Only these documents (and their ärenden): a saved search's new arrivals.
    documents: list[str] = field(default_factory=list)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    snippets: bool = True
    facets: bool = True
    access: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when neither text nor any filter is given (nothing asked)."""
        filters = (
            self.city, self.district, self.mentioned, self.project, self.committee,
            self.doc_type, self.topic, self.language, self.year, self.kind,
        )
        dates = (
            self.date_from, self.date_to, self.decision_from, self.decision_to,
            self.document_from, self.document_to,
        )
        return not self.text.strip() and not any(filters) and not any(dates)


@dataclass
class Snippet:
    """A passage of a hit's text: HTML-escaped, matches wrapped in ``<mark>``.

    ``label`` names what the passage is when it is not just text: "decision" or
    "proposal" (an ärende's decision, or the proposal when it has not been decided).
    """

    html: str
    page: int
    label: str | None = None


@dataclass
class Hit:
    """One result: the document's contract fields plus score, snippets and renderings.

    A hit on an ärende carries its document's fields (``id`` is the document's) and
    ``arende``: the ärende's ``key`` (its URL part), number, heading, dnr, decision …
    """

    id: str
    score: float
    document: dict[str, Any]
    snippets: list[Snippet] = field(default_factory=list)
    renderings: list[str] = field(default_factory=list)
    arende: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        return "arende" if self.arende is not None else "document"

    def to_json(self) -> dict[str, Any]:
        data = dict(self.document)
        data["kind"] = self.kind
        if self.arende is not None:
            data["arende"] = dict(self.arende)
        data["score"] = round(self.score, 4)
        data["snippets"] = [asdict(s) for s in self.snippets]
        data["renderings"] = list(self.renderings)
        return data


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool = False


@dataclass
class Results:
    """A page of results with facets over the whole result set."""

    query: Query
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    #: What the search has to tell (an index being built, a bad date …): message ids.
    notes: list[Message] = field(default_factory=list)
    elapsed_ms: float = 0.0

    @property
    def message(self) -> str | None:
        """The notes as the command line's one English line (None when there are none)."""
        return " · ".join(str(note) for note in self.notes) or None

    @property
    def pages(self) -> int:
        size = max(1, self.query.page_size)
        return max(1, -(-self.total // size))

    def to_json(self) -> dict[str, Any]:
        """The search JSON of the contract: ``total``, ``hits``, ``facets`` (+ paging)."""
        return {
            "total": self.total,
            "page": self.query.page,
            "page_size": self.query.page_size,
            "pages": self.pages,
            "hits": [h.to_json() for h in self.hits],
            "facets": {
                name: [asdict(v) for v in values] for name, values in self.facets.items()
            },
            "suggestion": self.suggestion,
            "message": self.message,
        }


def date_bound(value: str | None, *, end: bool = False) -> str | None:
    """A date filter bound as an ISO day: "2004" → 2004-01-01 (or 2004-12-31 as an end),
    "2004-06" → 2004-06-01 (or 2004-06-30), "2004-06-15" as is.

    Raises ValueError with a message a user can act on for anything else.
    """
    if value is None or not value.strip():
        return None
    span = date_span(value)
    if span is None:
        raise ValueError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return (span[1] if end else span[0]).isoformat()
