"""The search state lives in the URL: query string ⇄ :class:`archive.query.Query`.

One parser and one URL builder serve the search page, its exports and the JSON API,
so a search is bookmarkable and every view of it takes the same parameters:

``q`` free text; the list filters of :mod:`archive.fields` (``city district mentioned
project committee type topic language year kind``; repeat a parameter for several values:
OR within a filter, AND across); its date bounds (``from to decision_from decision_to
document_from document_to``: YYYY-MM-DD, or YYYY-MM / YYYY for a whole month / year);
``sort`` (relevance | newest | oldest); ``page``; ``page_size`` (1 … MAX_PAGE_SIZE).
``lang`` is the interface language, not part of the search.

Bad values are refused with :class:`BadParameter` (HTTP 400), never silently
changed: a ``page_size`` over the cap is an error rather than a smaller page, so a
client paging through results cannot skip documents without noticing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import quote_plus, urlencode

from flask import url_for
from werkzeug.datastructures import MultiDict

from archive import fields
from archive.query import (
    MAX_PAGE_SIZE,
    MAX_QUERY_LENGTH,
    SORTS,
    FacetValue,
    Query,
    asked_fields,
    date_bound,
)
from web.i18n import gettext as _


def filter_params() -> dict[str, str]:
    """URL parameter → Query attribute, for the list filters, in URL order (archive.fields)."""
    return {str(f.param): f.name for f in fields.filters()}


def date_params() -> dict[str, str]:
    """URL parameter → Query attribute, for the date bounds, in URL order."""
    return dict(fields.date_params())


DEFAULT_PAGE_SIZE = 20
MAX_PAGE = 10_000
MAX_FILTER_VALUES = 50
MAX_VALUE_LENGTH = 200


class BadParameter(ValueError):
    """A query-string parameter with a value the search cannot take."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


def _integer(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or not low <= int(raw) <= high:
        raise BadParameter(name, _("ska vara ett heltal från {low} till {high}", low=low, high=high))
    return int(raw)


def _date(args: MultiDict[str, str], name: str) -> str | None:
    try:
        return date_bound(args.get(name), end=name.endswith("to"))
    except ValueError:
        raise BadParameter(name, _("ska vara ett datum: ÅÅÅÅ-MM-DD, ÅÅÅÅ-MM eller ÅÅÅÅ")) from None


def parse_query(args: MultiDict[str, str]) -> Query:
    """The search a query string asks for; :class:`BadParameter` if it cannot be run."""
    text = (args.get("q") or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise BadParameter("q", _("får vara högst {n} tecken", n=MAX_QUERY_LENGTH))
    filters: dict[str, list[str]] = {}
    for param, attribute in filter_params().items():
        values = list(dict.fromkeys(v.strip() for v in args.getlist(param) if v.strip()))
        if len(values) > MAX_FILTER_VALUES:
            raise BadParameter(param, _("högst {n} värden", n=MAX_FILTER_VALUES))
        if any(len(v) > MAX_VALUE_LENGTH for v in values):
            raise BadParameter(param, _("värden får vara högst {n} tecken", n=MAX_VALUE_LENGTH))
        filters[attribute] = values
    dates = {attribute: _date(args, param) for param, attribute in date_params().items()}
    sort = (args.get("sort") or "relevance").strip()
    if sort not in SORTS:
        raise BadParameter("sort", _("ska vara en av {sorts}", sorts=", ".join(SORTS)))
    return Query(
        text=text,
        filters=filters,
        **dates,
        sort=sort,
        page=_integer(args, "page", 1, 1, MAX_PAGE),
        page_size=_integer(args, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )


def hit_fields(args: MultiDict[str, str]) -> set[str] | None:
    """The hit fields ``fields=`` asks for (repeated or comma-separated; ``id`` always),
    None when it is not given (every field but ärenden)."""
    try:
        return asked_fields(args.getlist("fields"))
    except ValueError as unknown:
        name = str(unknown)[:MAX_VALUE_LENGTH]
        raise BadParameter("fields", _("okänt fält: {name}", name=name)) from None


def query_args(query: Query) -> list[tuple[str, str]]:
    """The canonical query string of a search (defaults left out), as pairs."""
    pairs: list[tuple[str, str]] = []
    if query.text:
        pairs.append(("q", query.text))
    for param, attribute in filter_params().items():
        pairs.extend((param, value) for value in query.values(attribute))
    for param, attribute in date_params().items():
        if getattr(query, attribute):
            pairs.append((param, getattr(query, attribute)))
    if query.sort != "relevance":
        pairs.append(("sort", query.sort))
    if query.page != 1:
        pairs.append(("page", str(query.page)))
    if query.page_size != DEFAULT_PAGE_SIZE:
        pairs.append(("page_size", str(query.page_size)))
    return pairs


def search_url(query: Query, endpoint: str = "search.search", **changes: object) -> str:
    """The URL of ``endpoint`` for ``query`` with some fields changed (e.g. ``page=2``)."""
    if changes:
        query = replace(query, **changes)
    return _url(url_for(endpoint), query_args(query))


def _url(path: str, pairs: list[tuple[str, str]]) -> str:
    return path + ("?" + urlencode(pairs) if pairs else "")


def _order() -> dict[str, int]:
    """Each URL parameter's place in the canonical order of a search URL."""
    return {name: i for i, name in enumerate(
        ("q", *filter_params(), *date_params(), "sort", "page", "page_size"))}


def _replaced(pairs: list[tuple[str, str]], param: str, values: list[str]) -> list[tuple[str, str]]:
    """``pairs`` with ``param`` set to ``values`` (none: left out), in canonical order."""
    order = _order()
    kept = [pair for pair in pairs if pair[0] != param]
    return sorted(kept + [(param, value) for value in values], key=lambda pair: order[pair[0]])


def _toggle_urls(path: str, pairs: list[tuple[str, str]], param: str, chosen: list[str],
                 values: list[str]) -> list[str]:
    """For each of ``values``, the URL with it toggled in ``param`` (as ``_replaced``
    would write it): what comes before and after ``param`` is encoded once per facet,
    not once per value (a results page links a thousand values)."""
    order = _order()
    kept = sorted((pair for pair in pairs if pair[0] != param), key=lambda pair: order[pair[0]])
    head = urlencode([pair for pair in kept if order[pair[0]] < order[param]])
    tail = urlencode([pair for pair in kept if order[pair[0]] > order[param]])
    # urlencode's own rule, one value at a time: "param=value" with quote_plus.
    name = quote_plus(param) + "="
    encoded = {value: name + quote_plus(value) for value in chosen}
    before = path + "?" + (head + "&" if head else "")
    after = "&" + tail if tail else ""
    rest = "&".join(part for part in (head, tail) if part)
    without = path + ("?" + rest if rest else "")  # the only chosen value toggled off
    urls = []
    for value in values:
        toggled = _toggled(chosen, value)
        urls.append(before + "&".join(encoded.get(v) or name + quote_plus(v) for v in toggled)
                    + after if toggled else without)
    return urls


def _toggled(values: list[str], value: str) -> list[str]:
    """``values`` with ``value`` added, or removed when it is already there."""
    return [v for v in values if v != value] if value in values else [*values, value]


@dataclass
class FacetLink:
    """A facet value ready to render: count, whether it is selected, and its toggle link."""

    value: str
    count: int
    selected: bool
    toggle_url: str

    def to_json(self) -> dict[str, object]:
        return {
            "value": self.value,
            "count": self.count,
            "selected": self.selected,
            "toggle_url": self.toggle_url,
        }


def facet_links(
    query: Query, facets: dict[str, list[FacetValue]], endpoint: str = "search.search"
) -> dict[str, list[FacetLink]]:
    """Every facet value with the URL that toggles it in ``query``.

    A selected value that the result set no longer counts (another filter excluded it)
    is kept with count 0, so it can always be removed from the sidebar.
    """
    path, pairs = url_for(endpoint), query_args(replace(query, page=1))
    links: dict[str, list[FacetLink]] = {}
    for name, values in facets.items():
        spec = fields.by_facet(name)
        if spec is None or spec.param is None:
            continue
        param, chosen = spec.param, query.values(spec.name)
        seen = {v.value for v in values}
        values = list(values) + [FacetValue(v, 0, True) for v in chosen if v not in seen]
        urls = _toggle_urls(path, pairs, param, chosen, [v.value for v in values])
        links[name] = [
            FacetLink(value=v.value, count=v.count, selected=v.value in chosen, toggle_url=url)
            for v, url in zip(values, urls, strict=True)
        ]
    return links


def active_filters(query: Query, endpoint: str = "search.search") -> list[tuple[str, str, str]]:
    """The filters in force as (parameter, value, URL without it), for removable chips."""
    path, pairs = url_for(endpoint), query_args(replace(query, page=1))
    chips: list[tuple[str, str, str]] = []
    for param, attribute in filter_params().items():
        chosen = query.values(attribute)
        for value in chosen:
            chips.append((param, value, _url(path, _replaced(pairs, param, _toggled(chosen, value)))))
    for param, attribute in date_params().items():
        value = getattr(query, attribute)
        if value:
            chips.append((param, value, _url(path, _replaced(pairs, param, []))))
    return chips
