"""Browsing without typing: projects A–Ö, places, topics and a timeline of decisions.

Every entry links into a filtered search. Counts come from the search index (the same
numbers a search shows), and so do the date spans of projects and the districts of
each city (its columns; one pass over the catalog for a backend that cannot tell),
kept until the catalog changes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from itertools import groupby
from typing import Any

from flask import Blueprint, render_template, request, url_for

from archive.catalog import Catalog
from archive.query import Query
from archive.swedish import sort_key
from web.archive_access import archive
from web.state import active_filters, parse_query, search_url

bp = Blueprint("browse", __name__, url_prefix="/browse")

def initial(text: str) -> str:
    """The letter a name is filed under in an A–Ö list (# for digits and signs)."""
    first = text[:1].upper()
    return first if first.isalpha() else "#"


@dataclass
class CatalogSummary:
    """What the browse pages need beyond counts: project date spans, districts per city."""

    spans: dict[str, tuple[str, str]] = field(default_factory=dict)
    districts: dict[str, Counter[str]] = field(default_factory=dict)


def summarise(catalog: Catalog) -> CatalogSummary:
    """One pass over the documents search shows (no text read)."""
    spans: dict[str, tuple[str, str]] = {}
    districts: dict[str, Counter[str]] = defaultdict(Counter)
    for document in catalog.iter_documents(with_text=False):
        day = document.get("decision_date") or document.get("document_date")
        if day:
            for project in document.get("projects"):
                first, last = spans.get(project, (day, day))
                spans[project] = (min(first, day), max(last, day))
        city = document.get("city")
        if city:
            districts[city].update(document.get("districts"))
    return CatalogSummary(spans, dict(districts))


def index_summary() -> CatalogSummary:
    """The same from the search index's columns (what a search of them shows), without
    reading a document; the catalog pass when the backend cannot tell."""
    access = archive()
    try:
        return CatalogSummary(access.searcher.facet_spans("project"),
                              access.searcher.facet_pairs("city", "district"))
    except NotImplementedError:
        return summarise(access.catalog)


def catalog_summary() -> CatalogSummary:
    return archive().memo("browse-summary", index_summary)


def _facet(name: str) -> list[tuple[str, int]]:
    """Every value of a facet over the archive with its count, A–Ö (the searcher's order)."""
    return [(v.value, v.count) for v in archive().facet_values(name)]


def projects_by_letter() -> list[tuple[str, list[dict[str, Any]]]]:
    spans = catalog_summary().spans
    projects = _facet("projects")
    entries = [
        {
            "name": name,
            "count": count,
            "span": spans.get(name),
            "url": url_for("search.search", project=name),
        }
        for name, count in projects
    ]
    return [(letter, list(group)) for letter, group in groupby(entries, lambda e: initial(e["name"]))]


def places() -> dict[str, list[dict[str, Any]]]:
    districts = catalog_summary().districts
    cities = [
        {
            "name": city,
            "count": count,
            "url": url_for("search.search", city=city),
            "districts": [
                {
                    "name": district,
                    "count": n,
                    "url": url_for("search.search", city=city, district=district),
                }
                for district, n in sorted(
                    districts.get(city, Counter()).items(), key=lambda item: sort_key(item[0])
                )
            ],
        }
        for city, count in _facet("city")
    ]
    mentioned = [
        {"name": name, "count": count, "url": url_for("search.search", mentioned=name)}
        for name, count in _facet("cities_mentioned")
    ]
    return {"cities": cities, "mentioned": mentioned}


def topics() -> list[dict[str, Any]]:
    return [
        {"name": name, "count": count, "url": url_for("search.search", topic=name)}
        for name, count in _facet("topics")
    ]


def timeline(query: Query | None = None) -> list[dict[str, Any]]:
    """Documents per year and month by decision date, else document date (all twelve
    months of every year that has any), each linked to the search for that period; of
    the documents ``query`` finds when given (its text and filters), else of all."""
    query = _documents(query)
    if query.is_empty():
        counts = dict(archive().timeline())
    else:
        counts = dict(archive().searcher.timeline(query))
    base = replace(query, sort="oldest", page_size=Query().page_size)
    years: list[dict[str, Any]] = []
    for year in sorted({month[:4] for month in counts}):
        months = []
        for number in range(1, 13):
            month = f"{year}-{number:02d}"
            count = counts.get(month, 0)
            url = search_url(replace(base, date_from=month, date_to=month))
            months.append(
                {"month": month, "number": number, "count": count, "url": url if count else None}
            )
        url = search_url(replace(base, date_from=year, date_to=year))
        years.append(
            {"year": year, "count": sum(m["count"] for m in months), "months": months, "url": url}
        )
    return years


def _documents(query: Query | None) -> Query:
    """The query as the timeline counts it: whole documents (which browsing lists; a
    search with text would find ärenden too), no page but the first."""
    query = query or Query()
    if query.text or query.values("kind"):
        query = replace(query, filters={**query.filters, "kind": ["document"]})
    return replace(query, page=1, page_size=1, snippets=False, facets=False)


def undated(query: Query | None, years: list[dict[str, Any]]) -> int:
    """How many documents ``query`` finds (all without one) that the timeline of
    ``years`` leaves out because they have no date."""
    found = archive().searcher.search(_documents(query)).total
    return max(0, found - sum(year["count"] for year in years))


@bp.get("/")
@bp.get("")
def index() -> str:
    return render_template(
        "browse/index.html",
        projects=sum(len(group) for _letter, group in projects_by_letter()),
        places=places(),
        topics=topics(),
        timeline=timeline(),
    )


@bp.get("/projects")
def projects_page() -> str:
    return render_template("browse/projects.html", letters=projects_by_letter())


@bp.get("/places")
def places_page() -> str:
    return render_template("browse/places.html", **places())


@bp.get("/topics")
def topics_page() -> str:
    return render_template("browse/topics.html", topics=topics())


@bp.get("/timeline")
def timeline_page() -> str:
    """The timeline of the documents a search finds (its query string), else of all."""
    query = parse_query(request.args)
    years = timeline(query)
    peak = max((m["count"] for y in years for m in y["months"]), default=1)
    return render_template(
        "browse/timeline.html", years=years, peak=peak, undated=undated(query, years),
        chips=active_filters(query, "browse.timeline_page"),
        clear_url=url_for("browse.timeline_page", q=query.text or None),
        search_url=search_url(replace(query, page=1)) if not query.is_empty() else None,
    )
