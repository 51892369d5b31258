"""Facet counts over a result set.

Owns counting each facet's values over the matched documents of every segment (a
``bincount`` of the facet column's value-set codes at the matched documents; where most
of a segment matched, the rest is counted and taken off the segment's totals), and the
Swedish A–Ö order of values.

Touches no Whoosh internals (columns come as arrays from :mod:`archive.engine.segments`).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from archive.engine import docsets
from archive.fields import value_key
from archive.query import FacetValue
from archive.swedish import sort_key

if TYPE_CHECKING:
    from archive.engine.segments import _Segment


MAX_FACET_VALUES = 100


def ranked_values(counts: Counter[str], chosen: set[str]) -> list[FacetValue]:
    """A facet of a result set as shown: most documents first (A–Ö among equals), at
    most ``MAX_FACET_VALUES`` and every ``chosen`` value (its key) beyond them."""
    values = sorted(counts.items(), key=lambda item: (-item[1], _collation(item[0])))
    shown = [FacetValue(v, n, bool(chosen) and value_key(v) in chosen) for v, n in values]
    if len(shown) > MAX_FACET_VALUES:
        shown = shown[:MAX_FACET_VALUES] + [f for f in shown[MAX_FACET_VALUES:] if f.selected]
    return shown


def alphabetical_values(counts: Counter[str]) -> list[FacetValue]:
    """Every value of a facet over the archive, A–Ö, with its count."""
    return [FacetValue(v, n) for v, n in sorted(counts.items(),
                                                key=lambda item: _collation(item[0]))]


def _count_facets(names: Iterable[str], matches: list[tuple[_Segment, np.ndarray]]
                  ) -> dict[str, Counter[str]]:
    """Each facet's values over the matched documents, with counts.

    Where most of a segment matched, the documents that did not are counted instead
    and taken off the segment's (cached) totals: at most half the segment is read.
    """
    counts: dict[str, Counter[str]] = {name: Counter() for name in names}
    for segment, docs in matches:
        if not len(docs):
            continue
        live = segment.live()
        rest = len(docs) * 2 > len(live)
        chosen = docsets.minus(live, docs, segment.size) if rest else docs
        for name, total in counts.items():
            found = _value_counts(segment, name, chosen)
            total.update(segment.facet_totals(name) - found if rest else found)
    return counts


def _value_counts(segment: _Segment, name: str, docs: np.ndarray) -> Counter[str]:
    """A facet's values over ``docs``: their value-set codes counted with ``bincount``,
    each set's count then added to each of its values (a second ``bincount`` over the
    sets' members, weighted by those counts)."""
    codes, _ = segment.facet(name)
    values, starts, members = segment.facet_members(name)
    per_set = np.bincount(codes[docs], minlength=len(starts) - 1)
    per_value = np.bincount(members, weights=np.repeat(per_set, np.diff(starts)),
                            minlength=len(values))
    return Counter({values[v]: int(per_value[v]) for v in np.flatnonzero(per_value).tolist()})


#: Sort key for Swedish A–Ö (å, ä, ö after z), kept for the values facets see again.
_collation = functools.lru_cache(maxsize=1 << 16)(sort_key)


