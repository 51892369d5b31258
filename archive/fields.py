"""Every search field in one table: what it is called in each place that speaks of it.

A field is a filter people choose (city, document type …), a date range, or a value only
the search box's syntax knows (``dnr:``). Its entry says its name on a
:class:`archive.query.Query`, its kind, the URL parameter, the ``arkiv search`` option, the
query-syntax prefixes (Swedish, then English), the index field it filters on (and whether
the search results count it as a facet), the document field and spreadsheet column that
show its value, its labels (Swedish message ids, translated by the web) and its OpenAPI
schema. The query syntax (:mod:`archive.querysyntax`), the search engine's filters, the
URL state (:mod:`web.state`), the CLI's options, the OpenAPI document, the facets, the
exports and the templates' lists are all built from this table: a new list filter is one
entry here (:func:`register` adds one at run time, as the tests do); a new date range
also needs its two attributes on Query, and a new facet (its index field is made from
this table when the index is built) a new index schema version, so that archives rebuild.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: A list filter: documents having any of the chosen values (OR within the field, AND
#: across fields); its values are keywords of an index field.
KEYWORDS = "keywords"
#: A date range: ``<name>_from`` … ``<name>_to`` on a Query, inclusive ISO days.
DATE_RANGE = "date_range"
#: A diarienummer typed in the search box (``dnr:KS 2019/123``): part of the text query.
DNR = "dnr"
FIELD_KINDS = (KEYWORDS, DATE_RANGE, DNR)
#: What a search hit is: a whole document, or one ärende of a protokoll or kallelse.
HIT_KINDS: tuple[str, ...] = ("document", "arende")


@dataclass(frozen=True)
class Field:
    """One search field.

    ``name`` is its Query attribute (for a date range, the stem of its two: ``date`` →
    ``date_from``/``date_to``); ``param`` its URL parameter (a date range's are
    ``param_from``/``param_to``, or ``from``/``to`` when ``param`` is empty); ``option``
    its ``arkiv search`` option likewise (``--`` for the plain ``--from``/``--to``). ``prefixes`` are the search box's
    ``prefix:value`` words, Swedish first. ``index`` is the index field it filters on;
    ``facet`` says the search results count its values (a sidebar facet, in
    ``facet_rank`` order). ``column`` is the document field showing its value (a
    document JSON field and a spreadsheet column). ``label`` names it as a filter or facet
    ("Stad"), ``column_label`` as a document field ("Stadsdelar"). ``form``: the search
    form offers it as a list of every value. ``help`` describes it in English (OpenAPI,
    ``--help``); ``schema`` is the OpenAPI schema of one value.
    """

    name: str
    kind: str = KEYWORDS
    param: str | None = None
    option: str | None = None
    prefixes: tuple[str, ...] = ()
    index: str | None = None
    facet: bool = False
    facet_rank: int = 100
    column: str | None = None
    label: str = ""
    column_label: str = ""
    form: bool = False
    #: A date range's labels of its two bounds ("Beslutsdatum från", "… till").
    bound_labels: tuple[str, str] = ("", "")
    help: str = ""
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")

    @property
    def attributes(self) -> tuple[str, ...]:
        """The Query attributes holding its values (a date range has two)."""
        if self.kind == DATE_RANGE:
            return (f"{self.name}_from", f"{self.name}_to")
        return (self.name,) if self.kind == KEYWORDS else ()

    @property
    def params(self) -> tuple[str, ...]:
        """Its URL parameters, in URL order."""
        if self.param is None:
            return ()
        if self.kind == DATE_RANGE:
            stem = f"{self.param}_" if self.param else ""
            return (f"{stem}from", f"{stem}to")
        return (self.param,)

    @property
    def options(self) -> tuple[str, ...]:
        """Its ``arkiv search`` options."""
        if self.option is None:
            return ()
        if self.kind == DATE_RANGE:
            stem = f"{self.option}-" if self.option != "--" else "--"
            return (f"{stem}from", f"{stem}to")
        return (self.option,)


_FIELDS: list[Field] = [
    Field("city", param="city", option="--city", prefixes=("stad", "kommun", "city"),
          index="city", facet=True, facet_rank=2, column="city", label="Stad",
          column_label="Stad", form=True, help="Municipality the document is from (e.g. Stockholm)."),
    Field("district", param="district", option="--district", prefixes=("stadsdel", "district"),
          index="districts", facet=True, facet_rank=3, column="districts", label="Stadsdel",
          column_label="Stadsdelar", form=True, help="District (stadsdel) the document concerns."),
    Field("mentioned", param="mentioned", option="--mentioned", prefixes=("nämns", "mentioned"),
          index="cities_mentioned", facet=True, facet_rank=4, column="cities_mentioned",
          label="Nämnda städer", column_label="Nämnda städer", help="A city the document mentions."),
    Field("project", param="project", option="--project", prefixes=("projekt", "project"),
          index="projects", facet=True, facet_rank=5, column="projects", label="Projekt",
          column_label="Projekt", form=True, help="Project name."),
    Field("committee", param="committee", option="--committee", prefixes=("nämnd", "committee"),
          index="committee", facet=True, facet_rank=6, column="committee", label="Nämnd",
          column_label="Nämnd", form=True, help="Committee (nämnd)."),
    Field("doc_type", param="type", option="--type", prefixes=("typ", "type"), index="doc_type",
          facet=True, facet_rank=1, column="doc_type", label="Dokumenttyp",
          column_label="Dokumenttyp", form=True,
          help="Document type (e.g. tjänsteutlåtande, protokoll, pressmeddelande)."),
    Field("topic", param="topic", option="--topic", prefixes=("ämne", "topic"), index="topics",
          facet=True, facet_rank=7, column="topics", label="Ämne", column_label="Ämnen",
          form=True, help="Topic."),
    Field("language", param="language", option="--language",
          prefixes=("språk", "lang", "language"), index="language", facet=True, facet_rank=8,
          column="language", label="Språk", column_label="Språk",
          help="Document language code (sv, en …)."),
    Field("year", param="year", option="--year", prefixes=("år", "year"), index="year",
          facet=True, facet_rank=9, label="År",
          help="Year (of the decision date, else the document date)."),
    Field("kind", param="kind", option="--kind", index="kind", facet=True, facet_rank=0,
          label="Träffar på",
          help="What a hit is: document (a whole document) or arende (one § of a protokoll, "
               "one item of a kallelse). Searches with text find both; browsing lists documents.",
          schema={"type": "string", "enum": list(HIT_KINDS)}),
    Field("date", kind=DATE_RANGE, param="", option="--", prefixes=("datum", "date"),
          index="date", label="Datum", bound_labels=("Från", "Till"),
          help="Decision date, or document date when there is no decision date.",
          schema={"type": "string", "format": "date"}),
    Field("decision", kind=DATE_RANGE, param="decision", option="--decision",
          index="decision_date", column="decision_date", label="Beslutsdatum",
          column_label="Beslutsdatum", bound_labels=("Beslutsdatum från", "Beslutsdatum till"),
          help="Decision date.",
          schema={"type": "string", "format": "date"}),
    Field("document", kind=DATE_RANGE, param="document", option="--document",
          index="document_date", column="document_date", label="Dokumentdatum",
          column_label="Dokumentdatum",
          bound_labels=("Dokumentdatum från", "Dokumentdatum till"), help="Document date.",
          schema={"type": "string", "format": "date"}),
    Field("dnr", kind=DNR, prefixes=("dnr",), column="dnr", column_label="Diarienummer",
          help="Diarienummer (registration number)."),
    Field("administration", kind=KEYWORDS, column="administration",
          column_label="Förvaltning"),
    Field("people", kind=KEYWORDS, column="people", column_label="Personer"),
]


def all_fields() -> tuple[Field, ...]:
    """Every field, in URL order."""
    return tuple(_FIELDS)


def filters() -> tuple[Field, ...]:
    """The list filters people choose (a URL parameter each), in URL order."""
    return tuple(f for f in _FIELDS if f.kind == KEYWORDS and f.param)


def date_ranges() -> tuple[Field, ...]:
    return tuple(f for f in _FIELDS if f.kind == DATE_RANGE)


def facets() -> tuple[Field, ...]:
    """The filters the search results count, in sidebar order."""
    return tuple(sorted((f for f in filters() if f.facet), key=lambda f: f.facet_rank))


def columns() -> tuple[Field, ...]:
    """The fields that are document fields (a JSON field, a spreadsheet column)."""
    return tuple(f for f in _FIELDS if f.column)


def by_name(name: str) -> Field | None:
    return next((f for f in _FIELDS if f.name == name), None)


def index_field(name: str) -> str:
    """The index field a filter ``name`` reads ("district" → "districts"); an index field's
    own name is taken as it is."""
    spec = by_name(name)
    return str(spec.index) if spec is not None and spec.index else name


def by_facet(index: str) -> Field | None:
    """The filter whose facet is the index field ``index`` ("districts" → the district
    filter)."""
    return next((f for f in filters() if f.index == index), None)


def by_param(param: str) -> Field | None:
    return next((f for f in filters() if f.param == param), None)


def by_column(column: str) -> Field | None:
    return next((f for f in _FIELDS if f.column == column), None)


def prefixes() -> dict[str, Field]:
    """The search box's ``prefix:`` words (casefolded) → their field."""
    return {prefix.casefold(): f for f in _FIELDS for prefix in f.prefixes}


def date_params() -> Iterator[tuple[str, str]]:
    """(URL parameter, Query attribute) of every date bound, in URL order."""
    for f in date_ranges():
        yield from zip(f.params, f.attributes, strict=True)


def value_key(value: str) -> str:
    """How a filter's value is matched: casefolded, spaces collapsed ("Upplands  Väsby" is
    "upplands väsby")."""
    return " ".join(value.casefold().split())


def register(new: Field) -> None:
    """Add a field (after the others); a name, URL parameter, option or prefix already in
    the table is refused."""
    for spec in _FIELDS:
        taken = ({spec.name} & {new.name} | set(spec.params) & set(new.params)
                 | set(spec.options) & set(new.options)
                 | {p.casefold() for p in spec.prefixes} & {p.casefold() for p in new.prefixes})
        if taken:
            raise ValueError(f"field {new.name!r}: {sorted(taken)[0]!r} is {spec.name!r}'s")
    _FIELDS.append(new)


def unregister(name: str) -> None:
    """Take a field added by :func:`register` away again."""
    _FIELDS[:] = [f for f in _FIELDS if f.name != name]
