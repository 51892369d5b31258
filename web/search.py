"""The search page (``/`` and ``/search``) and the search-syntax help (``/hjalp``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from archive import faceting, fields
from archive.query import Query, Results
from web.archive_access import archive
from web.i18n import gettext as _
from web.state import (
    FacetLink,
    active_filters,
    date_params,
    facet_links,
    parse_query,
    query_args,
    search_url,
)

bp = Blueprint("search", __name__)

#: Date bounds the search form shows (the filters it offers as lists: ``Field.form``).
FORM_DATES = ("decision_from", "decision_to", "document_from", "document_to")


def form_fields() -> frozenset[str]:
    """Parameters the search form shows; the others travel in hidden fields."""
    return frozenset({"q", *(str(f.param) for f in fields.filters() if f.form), *FORM_DATES})

SORT_LABELS = {"relevance": "Relevans", "newest": "Nyast först", "oldest": "Äldst först"}
#: Page links shown either side of the current page.
PAGE_WINDOW = 2
#: Facet values shown before "show all" (selected values are always shown).
FACET_SHOWN = 6


def pagination(query: Query, pages: int) -> list[tuple[int | None, str | None]]:
    """Page links as (number, URL); ``(None, None)`` marks a gap (…)."""
    current = query.page
    wanted = {1, pages, *range(current - PAGE_WINDOW, current + PAGE_WINDOW + 1)}
    links: list[tuple[int | None, str | None]] = []
    previous = 0
    for number in sorted(n for n in wanted if 1 <= n <= pages):
        if number - previous > 1:
            links.append((None, None))
        links.append((number, search_url(query, page=number)))
        previous = number
    return links


def exports(query: Query) -> dict[str, str]:
    """The same search as CSV, Excel, JSON, Atom, API and timeline (paging left out of the
    exports)."""
    whole = replace(query, page=1)
    return {
        "csv": search_url(whole, "export.csv_export"),
        "xlsx": search_url(whole, "export.xlsx_export"),
        "json": search_url(whole, "export.json_export"),
        "atom": search_url(replace(whole, sort="relevance"), "export.atom_export"),
        "api": search_url(query, "api.search"),
        "timeline": search_url(whole, "browse.timeline_page"),
    }


def facet_groups(
    links: dict[str, list[FacetLink]],
) -> list[tuple[str, list[FacetLink], list[FacetLink]]]:
    """The sidebar: per facet, the values shown (selected first) and the rest, folded away.

    Years read newest first; the other facets keep the engine's order (most documents first).
    """
    groups = []
    for name, values in links.items():
        if name == "year":
            values = sorted(values, key=lambda v: v.value, reverse=True)
        chosen = [v for v in values if v.selected]
        others = [v for v in values if not v.selected]
        room = max(0, FACET_SHOWN - len(chosen))
        if values:
            groups.append((name, chosen + others[:room], others[room:]))
    return groups


def form_filters(query: Query) -> list[dict[str, Any]]:
    """The form's lists: every value in the archive, the chosen ones first if unknown."""
    filters = []
    for spec in fields.filters():
        if not spec.form:
            continue
        chosen = query.values(spec.name)
        known = [v.value for v in archive().facet_values(str(spec.index))]
        options = [v for v in chosen if v not in known] + known
        filters.append({"param": spec.param, "chosen": chosen, "options": options})
    return filters


def search_context(query: Query, results: Results) -> dict[str, Any]:
    """Everything the search template renders, with every link built here."""
    shown = form_fields()
    return {
        "query": query,
        "results": results,
        "facets": facet_groups(facet_links(query, results.facets)),
        "chips": active_filters(query),
        "sorts": [
            (key, _(label), search_url(query, sort=key, page=1), key == query.sort)
            for key, label in SORT_LABELS.items()
        ],
        "pages": pagination(query, results.pages),
        "previous_url": search_url(query, page=query.page - 1) if query.page > 1 else None,
        "next_url": search_url(query, page=query.page + 1) if query.page < results.pages else None,
        "suggestion_url": (
            search_url(query, text=results.suggestion, page=1) if results.suggestion else None
        ),
        "exports": exports(query),
        "form_filters": form_filters(query),
        "hidden_fields": [
            (name, value)
            for name, value in query_args(replace(query, page=1))
            if name not in shown
        ],
        "form_open": any(getattr(query, date_params()[name]) for name in FORM_DATES),
    }


@bp.get("/")
@bp.get("/search")
def search() -> str | Response:
    query = parse_query(request.args)
    if any(not value.strip() for _name, value in request.args.items(multi=True)):
        # The form sends its empty fields too; a bookmark should read ?q=…&city=… only.
        target = search_url(query)
        if request.args.get("lang"):
            target += ("&" if "?" in target else "?") + urlencode({"lang": request.args["lang"]})
        return redirect(target)
    results = faceting.search(archive().searcher, query)
    return render_template("search.html", **search_context(query, results))


@bp.get("/help")
@bp.get("/hjalp")
def help_page() -> str:
    example = url_for("search.search", q="hemlöshet stad:Stockholm")
    shown = [f for f in fields.all_fields() if f.prefixes or f.params]
    return render_template("help.html", example_url=example, search_fields=shown)
