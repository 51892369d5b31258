"""A segment's columns as mapped arrays, written beside it: facets and entry ids.

Owns :class:`ColumnFile` (``MAIN_<segment>.acol``): for every facet field of a segment,
each document's value-set code, each value set as a run of value numbers, and the value
strings; and each document's entry id (what a hit is reported as). All are
little-endian arrays and :class:`~archive.engine.lexicon.MappedStrings` that search
maps and never parses. Whoosh's own columns keep each distinct value set as a
length-prefixed string, and its stored fields a table of offsets read document by
document; parsing those on the first search of every segment was most of the time to a
first answer at 100k documents (cities mentioned has thousands of distinct sets per
segment). A mapped file costs nothing to open and keeps nothing on the heap.

Written by :mod:`archive.engine.writer` and :mod:`archive.engine.merger` for every
segment they make, from the segment's own (just written) columns and stored ids;
segments from Whoosh's writer (small ones, from syncs) have none and are read from
their columns.

Whoosh internals touched: ``SegmentReader`` over a just-written segment, its facet
``column_reader(translate=False)``, ``stored_fields``, and
``Segment.make_filename``/``create_file``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from archive.engine.lexicon import LazySequence, MappedStrings, file_data

MAGIC = b"ARKCOL1\0"
EXTENSION = ".acol"
#: The header entry of the entry ids (no field is named so).
IDS = "_ids"


class ValueSets(LazySequence):
    """A facet's distinct value sets (``sets[code]`` → its values), decoded on demand."""

    def __init__(self, values: Sequence[str], starts: np.ndarray, members: np.ndarray) -> None:
        self.values, self.starts, self.members = values, starts, members

    def __len__(self) -> int:
        return len(self.starts) - 1

    def _item(self, code: int) -> tuple[str, ...]:
        low, high = int(self.starts[code]), int(self.starts[code + 1])
        return tuple(self.values[int(m)] for m in self.members[low:high])


class MappedFacet:
    """One facet field of a segment: ``codes`` (per document), the value ``sets``, and
    the same as a sparse matrix (``values``, ``starts``, ``members``) for counting."""

    def __init__(self, codes: np.ndarray, values: Sequence[str], starts: np.ndarray,
                 members: np.ndarray) -> None:
        self.codes = codes
        self.values = values
        self.starts = starts
        self.members = members
        self.sets = ValueSets(values, starts, members)


def sparse(sets: Sequence[tuple[str, ...]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Value sets as (the distinct values, per set the start of its run in ``members``,
    ``members``: value numbers)."""
    number: dict[str, int] = {}
    members = [number.setdefault(v, len(number)) for values in sets for v in values]
    starts = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum([len(values) for values in sets], out=starts[1:])
    return list(number), starts, np.asarray(members, dtype=np.int64)


class ColumnFile:
    """The mapped columns of one segment (see the module docstring)."""

    def __init__(self, facets: dict[str, MappedFacet], ids: Sequence[str]) -> None:
        self.facets = facets
        self.ids = ids

    @classmethod
    def of_segment(cls, storage: Any, segment: Any) -> ColumnFile | None:
        """The segment's column file, mapped; None if it has none (or an unknown one)."""
        name = segment.make_filename(EXTENSION)
        if not storage.file_exists(name):
            return None
        data = file_data(storage.open_file(name))
        if data[: len(MAGIC)] != MAGIC:
            return None
        at = len(MAGIC)
        length = int(np.frombuffer(data, "<u8", 1, at)[0])
        header = json.loads(bytes(data[at + 8 : at + 8 + length]))
        ids, _ = MappedStrings.of(data, header.pop(IDS)["at"])
        facets = {}
        for field, part in header.items():
            arrays, offset = [], part["at"]
            for count in (part["docs"], part["sets"] + 1, part["members"]):
                arrays.append(np.frombuffer(data, "<u4", count, offset))
                offset += 4 * count
            codes, starts, members = arrays
            values, _ = MappedStrings.of(data, offset)
            facets[field] = MappedFacet(codes, values, starts, members)
        return cls(facets, ids)

    @staticmethod
    def save(storage: Any, schema: Any, segment: Any) -> None:
        """Write a just-written segment's column file from its own columns and stored ids."""
        from whoosh.reading import SegmentReader

        from archive.engine.schema import FacetColumn

        reader = SegmentReader(storage, schema, segment)
        try:
            parts: list[tuple[str, list[bytes]]] = []
            for name in schema.names():
                if not isinstance(schema[name].column_type, FacetColumn):
                    continue
                column = reader.column_reader(name, translate=False)
                if hasattr(column, "codes"):
                    codes, sets = np.asarray(column.codes(), dtype=np.int64), column.values()
                else:  # no document of this segment has a value
                    codes, sets = np.zeros(reader.doc_count_all(), dtype=np.int64), [()]
                values, starts, members = sparse(sets)
                chunks = [np.asarray(a, dtype="<u4").tobytes() for a in (codes, starts, members)]
                chunks.append(MappedStrings.encode(values))
                parts.append((name, chunks))
            ids = [reader.stored_fields(d)["id"] for d in range(reader.doc_count_all())]
        finally:
            reader.close()
        parts.append((IDS, [MappedStrings.encode(ids)]))
        header: dict[str, dict[str, int]] = {}
        # The header's length depends on the offsets it holds: lay it out with room.
        length = 64 + 256 * len(parts)
        at = len(MAGIC) + 8 + length
        for name, chunks in parts:
            if name == IDS:
                header[name] = {"at": at}
            else:
                codes, starts, members = (len(c) // 4 for c in chunks[:3])
                header[name] = {"at": at, "docs": codes, "sets": starts - 1,
                                "members": members}
            at += sum(len(c) for c in chunks)
        encoded_header = json.dumps(header).encode("utf-8")
        if len(encoded_header) > length:
            raise ValueError("facet file header larger than its room")
        with segment.create_file(storage, EXTENSION) as handle:
            handle.write(MAGIC + np.array([length], dtype="<u8").tobytes())
            handle.write(encoded_header.ljust(length, b" "))
            for _, chunks in parts:
                for chunk in chunks:
                    handle.write(chunk)
