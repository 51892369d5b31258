"""Multi-choice facets over any search backend: OR within a facet, AND across facets.

A facet's values are counted as if its own choice were not made ("disjunctive
faceting"): after Stockholm is picked the other cities stay offered, each with the number
of documents picking it too would add, while every other filter narrows them. The hits
and the other facets are those of the whole query. Filters typed in the search box
(``stad:Lund``) narrow every facet, their own included.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from archive import fields
from archive.query import FacetValue, Query, Results


class _Searching(Protocol):
    def search(self, query: Query) -> Results: ...


def search(searcher: _Searching, query: Query) -> Results:
    """``searcher.search(query)`` with each chosen facet counted without its own choice
    (one more search, without hits, per facet with a choice)."""
    results = searcher.search(query)
    if not query.facets:
        return results
    for spec in fields.facets():
        chosen = query.values(spec.name)
        if not chosen:
            continue
        others = searcher.search(replace(
            query, filters={**query.filters, spec.name: []}, page=1, page_size=1,
            snippets=False))
        keys = {fields.value_key(value) for value in chosen}
        results.facets[str(spec.index)] = [
            FacetValue(v.value, v.count, v.selected or fields.value_key(v.value) in keys)
            for v in others.facets.get(str(spec.index), [])
        ]
    return results
