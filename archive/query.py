"""What a search asks and what it answers: the one interface the CLI, web and API share.

``SearchBackend.search(Query) -> Results`` is implemented by each search backend of
:mod:`archive.engine`; nothing outside ``archive/engine/`` imports ``whoosh``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from archive import fields
from archive.messages import Message
from archive.models import DOCUMENT_FIELDS
from archive.swedish import date_span

SORTS = ("relevance", "newest", "oldest")
MAX_PAGE_SIZE = 100
MAX_QUERY_LENGTH = 1000

#: Facets shown for every result set, in display order (index field names; archive.fields).
FACETS: tuple[str, ...] = tuple(str(f.index) for f in fields.facets())


@dataclass(init=False)
class Query:
    """A search: free text in the user syntax plus filters, sort and paging.

    The list filters are the fields of :mod:`archive.fields` (``city``, ``district``,
    ``doc_type`` …): each is an attribute (``query.city``, ``Query(city=[…])``,
    ``replace(query, city=[…])``) kept in :attr:`filters`. Each matches documents having
    any of its values (OR within a filter, AND across filters). ``date_from``/``date_to``
    filter on a document's decision date when it has one, else its document date (the
    CLI's ``--from``/``--to``).

    A search with text finds whole documents and the ärenden (§§, agenda items) of
    protokoll and kallelser; ``kind`` ("document", "arende") narrows to one of them.
    Browsing (no text) lists documents unless ``kind`` asks for ärenden.

    ``access`` limits everything the search shows and counts (hits, facets, suggestions)
    to documents of these access classes ("public", "internal"); empty means all. It is
    not a filter people choose: the web sets it for the public (web.archive_access).
    """

    text: str
    #: The list filters with values: field name → values (see archive.fields.filters).
    filters: dict[str, list[str]]
    date_from: str | None
    date_to: str | None
    decision_from: str | None
    decision_to: str | None
    document_from: str | None
    document_to: str | None
    #: Only these documents (and their ärenden): a saved search's new arrivals.
    documents: list[str]
    sort: str
    page: int
    page_size: int
    snippets: bool
    facets: bool
    access: list[str]

    def __init__(
        self,
        text: str = "",
        *,
        filters: dict[str, list[str]] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        decision_from: str | None = None,
        decision_to: str | None = None,
        document_from: str | None = None,
        document_to: str | None = None,
        documents: list[str] | None = None,
        sort: str = "relevance",
        page: int = 1,
        page_size: int = 20,
        snippets: bool = True,
        facets: bool = True,
        access: list[str] | None = None,
        **chosen: list[str],
    ) -> None:
        known = {f.name for f in fields.filters()}
        unknown = set(chosen) - known
        if unknown:
            raise TypeError(f"Query has no filter {sorted(unknown)[0]!r}")
        merged = {**(filters or {}), **chosen}
        self.text = text
        self.filters = {name: list(values) for name, values in merged.items() if values}
        self.date_from, self.date_to = date_from, date_to
        self.decision_from, self.decision_to = decision_from, decision_to
        self.document_from, self.document_to = document_from, document_to
        self.documents = list(documents or [])
        self.sort = sort
        self.page = page
        self.page_size = page_size
        self.snippets = snippets
        self.facets = facets
        self.access = list(access or [])

    def __getattr__(self, name: str) -> list[str]:
        # Only called for names that are not attributes: the list filters.
        if not name.startswith("_") and name != "filters" and fields.by_name(name) is not None:
            return self.__dict__.get("filters", {}).get(name, [])
        raise AttributeError(name)

    def values(self, name: str) -> list[str]:
        """The chosen values of the list filter ``name`` (empty when none)."""
        return self.filters.get(name, [])

    def is_empty(self) -> bool:
        """True when neither text nor any filter is given (nothing asked)."""
        dates = [getattr(self, a) for f in fields.date_ranges() for a in f.attributes]
        return not self.text.strip() and not any(self.filters.values()) and not any(dates)


#: Hit fields given only when asked for (``fields=``): every ärende of a protokoll
#: weighs more than the rest of its hit; ``versions`` are looked up for the asking.
ON_REQUEST: frozenset[str] = frozenset({"arenden", "versions"})


#: What a hit has besides its document's fields (``url``: its page, added by the API;
#: ``versions``: added by whoever shows the hits, see archive.document_json.versions_json).
HIT_EXTRAS: tuple[str, ...] = (
    "kind", "arende", "score", "snippets", "renderings", "url", "arenden", "versions",
    "projects_suggested", "topic_cues",
)


def hit_field_names() -> tuple[str, ...]:
    """The fields a hit may be asked for: its document's fields and its own."""
    columns = [str(f.column) for f in fields.columns() if f.column not in DOCUMENT_FIELDS]
    return (*DOCUMENT_FIELDS, *columns, *HIT_EXTRAS)


def asked_fields(values: Iterable[str]) -> set[str] | None:
    """The hit fields named in ``values`` (each a name or comma-separated names), None when
    none is; ValueError naming the first unknown one."""
    asked = {name.strip() for value in values for name in value.split(",")} - {""}
    unknown = sorted(asked - set(hit_field_names()))
    if unknown:
        raise ValueError(unknown[0])
    return asked or None


def chosen_fields(data: dict[str, Any], only: Collection[str] | None) -> dict[str, Any]:
    """``data`` with ``id`` and the keys ``only`` names; without ``only``, every key but
    those given on request."""
    if only is None:
        return {key: value for key, value in data.items() if key not in ON_REQUEST}
    return {key: value for key, value in data.items() if key == "id" or key in only}


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

    def to_json(self, only: Collection[str] | None = None) -> dict[str, Any]:
        """The hit's JSON: ``id`` and the fields ``only`` names, or without ``only`` every
        field but those given on request (:data:`ON_REQUEST`)."""
        data = dict(self.document)
        data["kind"] = self.kind
        if self.arende is not None:
            data["arende"] = dict(self.arende)
        data["score"] = round(self.score, 4)
        data["snippets"] = [{"html": s.html, "page": s.page, "label": s.label}
                            for s in self.snippets]
        data["renderings"] = list(self.renderings)
        return chosen_fields(data, only)


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

    def to_json(self, only: Collection[str] | None = None) -> dict[str, Any]:
        """The search JSON of the contract: ``total``, ``hits``, ``facets`` (+ paging);
        each hit with the fields ``only`` names (see :meth:`Hit.to_json`)."""
        return {
            "total": self.total,
            "page": self.query.page,
            "page_size": self.query.page_size,
            "pages": self.pages,
            "hits": [h.to_json(only) for h in self.hits],
            "facets": {
                name: [{"value": v.value, "count": v.count, "selected": v.selected}
                       for v in values]
                for name, values in self.facets.items()
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
