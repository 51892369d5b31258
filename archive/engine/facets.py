"""Facet counts over a result set.

Owns counting each facet's values over the matched documents of every segment (from
the facet columns' value-set codes; where most of a segment matched, the rest is
counted and taken off the segment's totals), and the Swedish A–Ö order of values.

Touches no Whoosh internals (columns come as arrays from :mod:`archive.engine.segments`).
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.engine.segments import _Segment


MAX_FACET_VALUES = 100

def _count_facets(names: Iterable[str], matches: list[tuple[_Segment, set[int]]]
                  ) -> dict[str, Counter[str]]:
    """Each facet's values over the matched documents, with counts.

    Where most of a segment matched, the documents that did not are counted instead
    and taken off the segment's (cached) totals: at most half the segment is read.
    """
    counts: dict[str, Counter[str]] = {name: Counter() for name in names}
    for segment, docs in matches:
        if not docs:
            continue
        live = segment.live()
        rest = len(docs) * 2 > len(live)
        getter = _getter(live - docs if rest else docs)
        for name, total in counts.items():
            found = _value_counts(segment, name, getter)
            total.update(segment.facet_totals(name) - found if rest else found)
    return counts


def _getter(docs: Iterable[int]) -> Callable[[list[int]], tuple[int, ...]]:
    """A function picking these documents' entries from a per-document list, in C."""
    chosen = list(docs)
    if len(chosen) > 1:
        return operator.itemgetter(*chosen)
    return lambda values: tuple(values[d] for d in chosen)


def _value_counts(segment: _Segment, name: str, getter: Callable[[list[int]], tuple[int, ...]]
                  ) -> Counter[str]:
    codes, values = segment.facet(name)
    counts: Counter[str] = Counter()
    for code, n in Counter(getter(codes)).items():
        for value in values[code]:
            counts[value] += n
    return counts


_COLLATION = str.maketrans({"å": "{", "ä": "|", "ö": "}", "Å": "{", "Ä": "|", "Ö": "}"})


def _collation(value: str) -> str:
    """Sort key for Swedish A–Ö (å, ä, ö after z)."""
    return value.casefold().translate(_COLLATION)


