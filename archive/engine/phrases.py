"""Phrases: each document's stems in order, and finding stems next to each other.

Owns :class:`StemSequences`: per segment, every entry's ``stem`` terms as lexicon ids
(uint32, little-endian) in one file, with the end offset of each entry; a phrase is
matched by looking for its ids in a row (stop words were dropped at analysis, on both
sides, so "inclusion of migrants" is "inclus migrant"). Postings hold no positions;
:class:`StemPositions` is the sequences turned inside out (each stem id's places in
them, written beside the sequences from them), so a phrase is found by intersecting
the places of its stems, never by scanning a segment's sequences.

Whoosh internals touched: the segment's storage and ``Segment.make_filename`` only.
"""

from __future__ import annotations

import bisect
import mmap
import sys
from array import array
from typing import Any

import numpy as np

from archive.engine.lexicon import file_data


class StemSequences:
    """Each document's stems in order, as ids into its segment's :class:`SegmentLexicon`.

    A forward index for phrases: "evidensbaserad praktik" matches a document whose
    sequence holds the two ids side by side. Kept out of the postings (as positions
    there, they made every read of a stem's postings ~20× slower to decode). Written
    beside each segment (``MAIN_<segment>.seq``): a count, the end of each document's
    run, then the ids, all little-endian; read through the storage's memory map, one
    document's run at a time.
    """

    EXTENSION = ".seq"

    def __init__(self, ends: array, data: Any, offset: int = 0) -> None:
        self.ends = ends
        self.data = data  # the ids as little-endian bytes (or a memory map of them)
        self.offset = offset

    @classmethod
    def of_ids(cls, ids: array, ends: array) -> StemSequences:
        return cls(ends, _little_endian(ids).tobytes())

    def save(self, storage: Any, segment: Any) -> None:
        header = _little_endian(array("Q", [len(self.ends)])).tobytes()
        ends = _little_endian(array("Q", self.ends)).tobytes()
        with segment.create_file(storage, self.EXTENSION) as handle:
            handle.write(header + ends)
            handle.write(self.data[self.offset :])

    @classmethod
    def of_segment(cls, storage: Any, segment: Any) -> StemSequences | None:
        name = segment.make_filename(cls.EXTENSION)
        if not storage.file_exists(name):
            return None
        data = file_data(storage.open_file(name))
        count = _little_endian(array("Q", data[:8]))[0]
        ends = _little_endian(array("Q", data[8 : 8 + 8 * count]))
        return cls(ends, data, 8 + 8 * count)

    @classmethod
    def ends_of(cls, storage: Any, name: str) -> array:
        """The ends of every document's run in a sequences file, without the ids."""
        with storage.open_file(name) as handle:
            count = _little_endian(array("Q", handle.read(8)))[0]
            return _little_endian(array("Q", handle.read(8 * count)))

    @staticmethod
    def needle(ids: list[int]) -> bytes:
        """What :meth:`contains` looks for: the ids of a phrase, as stored."""
        return _little_endian(array("I", ids)).tobytes()

    def docs_containing(self, needle: bytes) -> set[int]:
        """Every document holding the needle: one scan of the whole segment (in C)."""
        found: set[int] = set()
        data, offset, ends, width = self.data, self.offset, self.ends, len(needle) // 4
        at = data.find(needle, offset)
        while at >= 0:
            position, misaligned = divmod(at - offset, 4)
            if misaligned:
                at = data.find(needle, at + 1)
                continue
            docnum = bisect.bisect_right(ends, position)
            if position + width <= ends[docnum]:  # not across two documents
                found.add(docnum)
                at = data.find(needle, offset + 4 * ends[docnum])
            else:
                at = data.find(needle, at + 4)
        return found

    def contains(self, docnum: int, needle: bytes) -> bool:
        """Whether the document's stems hold the needle's ids side by side, in order."""
        low = self.offset + 4 * (self.ends[docnum - 1] if docnum else 0)
        high = self.offset + 4 * self.ends[docnum]
        found = self.data.find(needle, low, high)
        while found >= 0 and (found - self.offset) % 4:  # not on an id boundary
            found = self.data.find(needle, found + 1, high)
        return found >= 0


def _little_endian(values: array) -> array:
    """``values`` in (or from) little-endian byte order, whatever this machine's."""
    if sys.byteorder != "little":
        values.byteswap()
    return values




class StemPositions:
    """Where each stem id stands in its segment's :class:`StemSequences`.

    For stem id ``i``, ``positions[offsets[i]:offsets[i + 1]]`` are its places in the
    sequences (ascending, counted over the whole segment). A phrase "a b" starts at
    ``p`` when ``p`` is a place of ``a`` and ``p + 1`` one of ``b``: a sorted search of
    the rarer stem's places in the other's, then the document of each start from the
    sequences' ends. The cost follows the stems' frequencies, not the segment's size.
    Written beside each segment (``MAIN_<segment>.pos``: the count of ids, the offsets,
    then the places, little-endian) whenever its sequences are, and read through the
    storage's memory map.
    """

    EXTENSION = ".pos"

    def __init__(self, offsets: np.ndarray, positions: np.ndarray | Any, ends: np.ndarray) -> None:
        self.offsets = offsets
        #: The places as an array (mapped or in memory), or a file read at an offset
        #: (``get(position, length)``): a phrase then copies out its stems' places only.
        self.positions = positions
        self.ends = ends

    @classmethod
    def save_from_sequences(cls, storage: Any, segment: Any) -> None:
        """Write a segment's positions from its (already saved) stem sequences."""
        with storage.open_file(segment.make_filename(StemSequences.EXTENSION)) as handle:
            data = handle.read()
        count = int(np.frombuffer(data, "<u8", 1)[0])
        ids = np.frombuffer(data, "<u4", offset=8 + 8 * count)
        offsets, positions = _positions(ids)
        del data, ids
        with segment.create_file(storage, cls.EXTENSION) as handle:
            handle.write(np.array([len(offsets) - 1], "<u8").tobytes())
            handle.write(offsets.astype("<u8").tobytes())
            handle.write(positions.astype("<u4", copy=False).tobytes())

    @classmethod
    def of_segment(cls, storage: Any, segment: Any, sequences: StemSequences
                   ) -> StemPositions | None:
        name = segment.make_filename(cls.EXTENSION)
        if not storage.file_exists(name):
            return None
        handle = storage.open_file(name)
        ends = np.frombuffer(sequences.ends, np.uint64).astype(np.int64)  # native order
        if not isinstance(handle.raw_file(), mmap.mmap) and hasattr(handle, "get"):
            count = int(np.frombuffer(handle.get(0, 8), "<u8")[0])
            offsets = np.frombuffer(handle.get(8, 8 * (count + 1)), "<u8")
            return cls(offsets, _PlacesFile(handle, 8 + 8 * (count + 1)), ends)
        data = file_data(handle)
        count = int(np.frombuffer(data, "<u8", 1)[0])
        offsets = np.frombuffer(data, "<u8", count + 1, offset=8)
        positions = np.frombuffer(data, "<u4", offset=8 + 8 * (count + 1))
        return cls(offsets, positions, ends)

    def places(self, stem_id: int) -> np.ndarray:
        """The stem's places (uint32)."""
        if stem_id + 1 >= len(self.offsets):
            return np.empty(0, "<u4")
        low, high = int(self.offsets[stem_id]), int(self.offsets[stem_id + 1])
        if isinstance(self.positions, _PlacesFile):
            return self.positions.read(low, high)
        return self.positions[low:high]

    def docs_containing(self, ids: list[int]) -> np.ndarray:
        """The documents (sorted) whose stems hold ``ids`` side by side, in order."""
        places = [self.places(i) for i in ids]
        order = sorted(range(len(ids)), key=lambda k: len(places[k]))
        starts = places[order[0]].astype(np.int64) - order[0]  # the rarest: the fewest
        starts = starts[starts >= 0]
        for k in order[1:]:
            other = places[k]
            if not len(starts) or not len(other):
                return np.empty(0, np.intp)
            wanted = (starts + k).astype(np.uint32)  # searched in the mapped places as they are
            at = np.searchsorted(other, wanted)
            at[at == len(other)] = len(other) - 1
            starts = starts[other[at] == wanted]
        if not len(starts):
            return np.empty(0, np.intp)
        docs = np.searchsorted(self.ends, starts, side="right")
        inside = starts + len(ids) <= self.ends[np.minimum(docs, len(self.ends) - 1)]
        return np.unique(docs[inside & (docs < len(self.ends))]).astype(np.intp)


class _PlacesFile:
    """A positions file's places, copied out a stem at a time (``pread``): a phrase's
    binary searches touch most pages of a common stem's places, and mapped they would
    stay in the search process's resident memory (200 MB at 100,000 documents)."""

    def __init__(self, handle: Any, base: int) -> None:
        self.handle = handle
        self.base = base

    def read(self, low: int, high: int) -> np.ndarray:
        return np.frombuffer(self.handle.get(self.base + 4 * low, 4 * (high - low)), "<u4")


#: Stem ids placed at a time when positions are made (bounds the memory it takes).
_POSITIONS_CHUNK = 1 << 22


def _positions(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each id's places in ``ids``: (offsets by id, places grouped by id, ascending)."""
    size = int(ids.max()) + 1 if len(ids) else 0
    offsets = np.zeros(size + 1, np.int64)
    np.cumsum(np.bincount(ids, minlength=size), out=offsets[1:])
    positions = np.empty(len(ids), np.uint32)
    cursor = offsets[:-1].copy()
    for start in range(0, len(ids), _POSITIONS_CHUNK):
        chunk = ids[start : start + _POSITIONS_CHUNK]
        order = np.argsort(chunk, kind="stable")
        ordered = chunk[order]
        rank = np.arange(len(chunk)) - np.searchsorted(ordered, ordered)
        positions[cursor[ordered] + rank] = order + start
        cursor += np.bincount(chunk, minlength=size)
    return offsets, positions
