"""Phrases: each document's stems in order, and finding stems next to each other.

Owns :class:`StemSequences`: per segment, every entry's ``stem`` terms as lexicon ids
(uint32, little-endian) in one file, with the end offset of each entry; a phrase is
matched by looking for its ids in a row (stop words were dropped at analysis, on both
sides, so "inclusion of migrants" is "inclus migrant"). Postings hold no positions.

Whoosh internals touched: the segment's storage and ``Segment.make_filename`` only.
"""

from __future__ import annotations

import bisect
import mmap
import sys
from array import array
from typing import Any


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
        handle = storage.open_file(name)
        data = handle.raw_file() if isinstance(handle.raw_file(), mmap.mmap) else handle.read()
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


