"""Browsing without typing: projects A–Ö, places, topics and a timeline of decisions.

Every entry links into a filtered search. Counts come from the search index (the same
numbers a search shows), and so do the date spans of projects and the districts of
each city (its columns; one pass over the catalog for a backend that cannot tell),
kept until the catalog changes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from flask import Blueprint, render_template, url_for

from archive.catalog import Catalog
from web.archive_access import archive

bp = Blueprint("browse", __name__, url_prefix="/browse")

#: Swedish alphabetical order: å, ä, ö come after z (in code point order ä < å).
_SWEDISH_ORDER = str.maketrans({"å": "z{", "ä": "z|", "ö": "z}", "æ": "z|", "ø": "z}"})


def swedish_key(text: str) -> str:
    """Sort key for Swedish A–Ö order (case-insensitive)."""
    return text.casefold().translate(_SWEDISH_ORDER)


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
                    districts.get(city, Counter()).items(), key=lambda item: swedish_key(item[0])
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


def timeline() -> list[dict[str, Any]]:
    """Documents per year and month by decision date, else document date (all twelve
    months of every year that has any), each linked to the search for that period."""
    counts = dict(archive().timeline())
    years: list[dict[str, Any]] = []
    for year in sorted({month[:4] for month in counts}):
        months = []
        for number in range(1, 13):
            month = f"{year}-{number:02d}"
            count = counts.get(month, 0)
            url = url_for("search.search", **{"from": month, "to": month}, sort="oldest")
            months.append(
                {"month": month, "number": number, "count": count, "url": url if count else None}
            )
        url = url_for("search.search", **{"from": year, "to": year}, sort="oldest")
        years.append(
            {"year": year, "count": sum(m["count"] for m in months), "months": months, "url": url}
        )
    return years


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
    years = timeline()
    peak = max((m["count"] for y in years for m in y["months"]), default=1)
    return render_template("browse/timeline.html", years=years, peak=peak)
