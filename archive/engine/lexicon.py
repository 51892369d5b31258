"""The lexicon of a segment's stems, and query expansion over it.

Owns :class:`SegmentLexicon` (every ``stem`` term of a segment with its document
frequency, in term order and in reversed and folded orders, saved beside the segment)
and the rules by which a query stem expands to the compounds it is part of
("nämnd" → "socialtjänstnämnd"), the words it begins ("hemlös" → "hemlöshetsarbet")
and its accented spellings ("socialtjanstnamnd" → "socialtjänstnämnd"), so compounds
and å/ä/ö need no extra postings; the abbreviations of public administration and their
long forms (``archive/data/synonyms.toml``, ``SYNONYMS``). Splitting a long query word
into two words the archive holds is :meth:`archive.engine.segments._View.compound_parts`.

Whoosh internals touched: the segment's storage (``create_file``/``open_file``) and
``Segment.make_filename``; terms are read through ``reader.iter_field`` for segments
Whoosh's own writer made (they have no lexicon file).
"""

from __future__ import annotations

import bisect
import mmap
import sys
import tomllib
from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from archive.swedish import fold


class SegmentLexicon:
    """The ``stem`` terms of one segment, filed for compound and accent-free lookups.

    Search expands a query word to the terms that end with it ("…nämnd"), start with it
    ("hemlös…") or read like it without å, ä, ö; the term dictionary can only be walked
    forwards, so the terms are also kept sorted by their reversed and their folded form
    (as positions in ``terms``). A rebuild writes this beside each segment it makes
    (``MAIN_<segment>.lex``, removed with the segment) as arrays that are mapped, not
    parsed: opening a lexicon of hundreds of thousands of terms costs nothing, and a
    lookup decodes only the ~20 terms its binary search touches. For segments from
    Whoosh's own writer (small ones, from syncs) it is built from the term dictionary
    when needed.

    The file: ``MAGIC``, the term count ``n`` (u8), then u4 arrays (little-endian) of
    the ``n`` document frequencies and the two orders, then the terms in term order as
    :class:`MappedStrings`.
    """

    EXTENSION = ".lex"
    MAGIC = b"ARKLEX3\0"

    def __init__(self, terms: Sequence[str], doc_frequencies: Sequence[int],
                 by_reversed: Sequence[int] | None = None,
                 by_folded: Sequence[int] | None = None) -> None:
        self.terms = terms
        self.dfs = doc_frequencies
        everything = range(len(terms))
        self.by_reversed = (by_reversed if by_reversed is not None else
                            array("I", sorted(everything, key=lambda i: terms[i][::-1])))
        self.by_folded = (by_folded if by_folded is not None else
                          array("I", sorted(everything, key=lambda i: fold(terms[i]))))

    @classmethod
    def of_segment(cls, storage: Any, segment: Any, reader: Any) -> SegmentLexicon:
        name = segment.make_filename(cls.EXTENSION)
        if storage.file_exists(name):
            data = file_data(storage.open_file(name))
            if data[: len(cls.MAGIC)] == cls.MAGIC:  # else an older layout: read the terms
                return cls._mapped(data)
        terms, dfs = [], array("I")
        for btext, info in reader.iter_field("stem"):
            terms.append(btext.decode("utf-8"))
            dfs.append(info.doc_frequency())
        return cls(terms, dfs)

    @classmethod
    def _mapped(cls, data: Any) -> SegmentLexicon:
        at = len(cls.MAGIC)
        count = int(np.frombuffer(data, "<u8", 1, at)[0])
        at += 8
        dfs, by_reversed, by_folded = (u4_view(data, at + 4 * count * i, count)
                                       for i in range(3))
        terms, _ = MappedStrings.of(data, at + 12 * count)
        return cls(terms, dfs, by_reversed, by_folded)

    def save(self, storage: Any, segment: Any) -> None:
        with segment.create_file(storage, self.EXTENSION) as handle:
            handle.write(self.MAGIC + np.array([len(self.terms)], dtype="<u8").tobytes())
            for values in (self.dfs, self.by_reversed, self.by_folded):
                handle.write(np.asarray(values, dtype="<u4").tobytes())
            handle.write(MappedStrings.encode(self.terms))

    def _run(self, order: Sequence[int], key: Callable[[int], str], start: str
             ) -> Iterator[tuple[str, int]]:
        i = bisect.bisect_left(order, start, key=key)
        while i < len(order) and key(order[i]).startswith(start):
            yield self.terms[order[i]], int(self.dfs[order[i]])
            i += 1

    def index_of(self, term: str) -> int | None:
        """The term's id in this segment (its place in ``terms``), if it occurs."""
        i = bisect.bisect_left(self.terms, term)
        return i if i < len(self.terms) and self.terms[i] == term else None

    def starting_with(self, prefix: str) -> Iterator[tuple[str, int]]:
        """(term, document frequency) of the terms starting with ``prefix``."""
        return self._run(range(len(self.terms)), self.terms.__getitem__, prefix)

    def ending_with(self, suffix: str) -> Iterator[tuple[str, int]]:
        return self._run(self.by_reversed, lambda i: self.terms[i][::-1], suffix[::-1])

    def folding_to(self, word: str) -> Iterator[tuple[str, int]]:
        """Terms that read as ``word`` once å, ä, ö are typed as a, a, o."""
        folded = fold(word)
        for term, df in self._run(self.by_folded, lambda i: fold(self.terms[i]), folded):
            if len(term) == len(folded):
                yield term, df


class LazySequence(Sequence[Any]):
    """A read-only sequence whose items are made when asked for (:meth:`_item`), from
    arrays in a mapped file."""

    def _item(self, i: int) -> Any:
        raise NotImplementedError

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self._item(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._item(i)


class MappedStrings(LazySequence):
    """Strings kept in a mapped file, decoded one at a time as they are looked at (or
    all at once, in one call, by :meth:`all`).

    Stored as :meth:`encode` writes them: the count ``n`` (u4), the ``n + 1`` offsets
    (u4) of each string's start in the text, then the text: the strings in UTF-8, each
    followed by ``SEPARATOR`` (which no term or facet value holds), padded to 4 bytes.
    """

    SEPARATOR = "\x1f"

    def __init__(self, data: Any, start: int, offsets: Sequence[int]) -> None:
        self._data, self._start, self._offsets = data, start, offsets

    @classmethod
    def of(cls, data: Any, at: int) -> tuple[MappedStrings, int]:
        """The strings stored at ``at`` in ``data``, and where what follows them starts."""
        count = int(np.frombuffer(data, "<u4", 1, at)[0])
        offsets = u4_view(data, at + 4, count + 1)
        start = at + 4 * (count + 2)
        end = start + int(offsets[count])
        return cls(data, start, offsets), end + (-end % 4)

    @classmethod
    def encode(cls, strings: Sequence[str]) -> bytes:
        text = "".join(string + cls.SEPARATOR for string in strings).encode("utf-8")
        offsets = np.zeros(len(strings) + 1, dtype="<u4")
        np.cumsum([len(s.encode("utf-8")) + 1 for s in strings], out=offsets[1:])
        return (np.array([len(strings)], dtype="<u4").tobytes() + offsets.tobytes() + text
                + b"\0" * (-len(text) % 4))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def _item(self, i: int) -> str:
        start = self._start
        return self._data[start + self._offsets[i] : start + self._offsets[i + 1] - 1
                          ].decode("utf-8")

    def all(self) -> list[str]:
        """Every string, decoded in one go."""
        if not len(self):
            return []
        text = self._data[self._start : self._start + self._offsets[len(self)] - 1]
        return text.decode("utf-8").split(self.SEPARATOR)


def file_data(handle: Any) -> Any:
    """A storage file's contents: its memory map when the storage maps it, else read."""
    raw = handle.raw_file()
    return raw if isinstance(raw, mmap.mmap) else handle.read()


def u4_view(data: Any, at: int, count: int) -> Sequence[int]:
    """``count`` little-endian u4 values at ``at`` in ``data``, indexed as Python ints
    without copying (a memory view; a NumPy copy on a big-endian machine)."""
    if sys.byteorder == "little":
        return memoryview(data)[at : at + 4 * count].cast("I")
    return np.frombuffer(data, "<u4", count, at).astype(np.uint32)


#: A query word expands to at most this many compounds (the most common ones).
MAX_EXPANSIONS = 12
MIN_HEAD = 4  # shortest stem matched as the last part of a compound
MIN_MODIFIER = 5  # shortest stem matched as the first part of a compound
MIN_REST = 3  # the rest of such a compound is a word of its own
MIN_SPLIT = 9  # shortest query word split into the two words it is made of
MIN_PREFIX = 2
#: Expansion kind → (shortest query stem, shortest rest of the word, lexicon lookup).
EXPANSIONS = {
    "compound": (MIN_HEAD, MIN_REST, "ending_with"),
    "modified": (MIN_MODIFIER, MIN_REST, "starting_with"),
    "accented": (1, 0, "folding_to"),
}


def _synonyms() -> dict[str, str]:
    """Abbreviation ↔ long form, both ways (data/synonyms.toml); a long form of several
    words is found from its abbreviation only."""
    with open(Path(__file__).parent.parent / "data" / "synonyms.toml", "rb") as fh:
        pairs = tomllib.load(fh)["abbreviations"]
    both = {short.casefold(): long.casefold() for short, long in pairs.items()}
    both.update({long: short for short, long in both.items() if " " not in long})
    return both


#: Abbreviations of Swedish public administration and their long forms, both ways.
SYNONYMS = _synonyms()
