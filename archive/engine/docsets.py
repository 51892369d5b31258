"""Sets of documents of one segment as sorted NumPy arrays of document numbers.

Owns the set operations search combines posting lists with: union, intersection and
difference through a boolean mask the size of the segment (one pass in C, whatever
the lengths), and choosing the top of a ranking. Every array here is sorted and holds
each document number once; posting lists are both already.

Touches no Whoosh internals.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

EMPTY = np.empty(0, dtype=np.intp)


def of(numbers: Iterable[int]) -> np.ndarray:
    """A document set of any document numbers."""
    return np.unique(np.fromiter(numbers, dtype=np.intp))


def mask(docs: np.ndarray, size: int) -> np.ndarray:
    """``docs`` as a boolean array of ``size`` (True where a document is in the set)."""
    member = np.zeros(size, dtype=bool)
    member[docs] = True
    return member


def union(sets: Iterable[np.ndarray], size: int) -> np.ndarray:
    present = [s for s in sets if len(s)]
    if not present:
        return EMPTY
    if len(present) == 1:
        return present[0]
    member = np.zeros(size, dtype=bool)
    for docs in present:
        member[docs] = True
    return np.flatnonzero(member)


def intersect(a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    if not len(a) or not len(b):
        return EMPTY
    if len(a) > len(b):
        a, b = b, a
    return a[mask(b, size)[a]]


def minus(a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    if not len(a) or not len(b):
        return a
    return a[~mask(b, size)[a]]


def top(values: np.ndarray, docs: np.ndarray, count: int) -> np.ndarray:
    """Positions of the ``count`` highest ``values``, highest first; equal values in
    document order (a partial partition first: only the candidates are sorted)."""
    if count <= 0:
        return EMPTY
    if len(values) > count:
        threshold = np.partition(values, len(values) - count)[len(values) - count]
        candidates = np.flatnonzero(values >= threshold)
    else:
        candidates = np.arange(len(values))
    order = np.lexsort((docs[candidates], -values[candidates]))
    return candidates[order[:count]]
