"""What search keeps open of the index: segments, their columns, and posting lists.

Owns :class:`_Segment` (per segment, loaded on first use and kept across searches:
live documents, facet and integer columns as arrays, length norms, lexicon, stem
sequences), :class:`_View` (one opened commit of a generation: its segments, document
count, average lengths, idf, and the answers it gave), the posting-list cache
:class:`_Postings`, and reading files in place or by block (:class:`_MappedStorage`).

Whoosh internals touched: ``FileStorage``/``StructFile`` (subclassed to map files and
to read blocks with ``pread``),
``TermNotFound``, a reader's ``leaf_readers``, ``segment().deleted_docs()``,
``column_reader(translate=False)`` and the term postings matcher.
"""

from __future__ import annotations

import mmap
import os
from collections import Counter, OrderedDict
from collections.abc import Sequence
from math import log
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.reading import TermNotFound

from archive.engine.analysis import STEMMING
from archive.engine.columnfile import ColumnFile, ValueSets, sparse
from archive.engine.facets import _value_counts
from archive.engine.lexicon import (
    EXPANSIONS,
    MAX_EXPANSIONS,
    MIN_HEAD,
    MIN_REST,
    MIN_SPLIT,
    SegmentLexicon,
)
from archive.engine.phrases import StemPositions, StemSequences
from archive.engine.postings import read_postings
from archive.engine.schema import INDEX_NAME, LENGTH_FIELDS, WEIGHT_FIELD
from archive.engine.scoring import K1, B
from archive.query import (
    FacetValue,
)

#: Posting lists kept in memory between searches (counted in postings).
POSTINGS_CACHE = 4_000_000

#: Document frequencies a view keeps (cleared when full).
_DF_CACHE = 200_000

#: Document numbers in a segment stay below this (date sort keys hold one).
_DOCNUMS = 1 << 24
_EMPTY_IDS = np.empty(0, dtype=np.intp)
_EMPTY_WEIGHTS = np.empty(0, dtype=np.float64)

# -- per-segment data ---------------------------------------------------------------


class _Segment:
    """What search needs of one Whoosh segment, loaded on first use and kept.

    Document sets are sorted arrays of document numbers (:mod:`archive.engine.docsets`);
    columns are NumPy arrays indexed by document number.
    """

    def __init__(self, reader: Any, storage: Any = None) -> None:
        self.reader = reader
        self.storage = storage
        self.id = reader.segment().segment_id()
        self.size = reader.doc_count_all()
        self.deleted: frozenset[int] = frozenset()
        self._live: np.ndarray | None = None
        self._live_mask: np.ndarray | None = None
        self._documents: np.ndarray | None = None
        self._facets: dict[str, tuple[np.ndarray, Sequence[tuple[str, ...]]]] = {}
        self._members: dict[str, tuple[Sequence[str], np.ndarray, np.ndarray]] = {}
        self._columns: ColumnFile | None | bool = False
        self._ints: dict[str, np.ndarray] = {}
        self._norms: dict[tuple[str, float], np.ndarray] = {}
        self._lexicon: SegmentLexicon | None = None
        self._sequences: StemSequences | None | bool = False
        self._positions: StemPositions | None | bool = False
        self._orders: dict[str, np.ndarray] = {}
        self._facet_totals: dict[tuple[str, int], Counter[str]] = {}

    def sequences(self, storage: Any) -> StemSequences | None:
        if self._sequences is False:
            self._sequences = StemSequences.of_segment(storage, self.reader.segment())
        return self._sequences

    def positions(self, storage: Any) -> StemPositions | None:
        """Where each stem stands in the sequences (None for segments without them)."""
        if self._positions is False:
            sequences = self.sequences(storage)
            self._positions = None if sequences is None else StemPositions.of_segment(
                storage, self.reader.segment(), sequences)
        return self._positions

    def lexicon(self, storage: Any) -> SegmentLexicon:
        if self._lexicon is None:
            self._lexicon = SegmentLexicon.of_segment(storage, self.reader.segment(), self.reader)
        return self._lexicon

    def attach(self, reader: Any) -> None:
        """Use a newly opened reader of this segment (its deletions may have grown)."""
        self.reader = reader
        deleted = frozenset(reader.segment().deleted_docs())
        if deleted != self.deleted:
            self.deleted = deleted
            self._live = None
            self._live_mask = None
            self._documents = None

    def live_mask(self) -> np.ndarray:
        """Per document, whether it is live (not deleted)."""
        if self._live_mask is None:
            alive = np.ones(self.size, dtype=bool)
            if self.deleted:
                alive[np.fromiter(self.deleted, dtype=np.intp)] = False
            self._live_mask = alive
        return self._live_mask

    def live(self) -> np.ndarray:
        """Every document of the segment that is not deleted."""
        if self._live is None:
            self._live = np.flatnonzero(self.live_mask())
        return self._live

    def documents(self) -> np.ndarray:
        """The live entries that are whole documents (not ärenden)."""
        if self._documents is None:
            codes, values = self.facet("kind")
            whole = [code for code, kinds in enumerate(values) if "document" in kinds]
            live = self.live()
            self._documents = live[np.isin(codes[live], whole)]
        return self._documents

    def weights(self) -> np.ndarray:
        """Per entry, its rank weight in percent (:func:`archive.engine.schema.arende_weight`)."""
        if WEIGHT_FIELD not in self._ints:
            column = self.reader.column_reader(WEIGHT_FIELD, translate=False)
            self._ints[WEIGHT_FIELD] = (
                np.asarray(column.load_array(self.size), dtype=np.int64)
                if hasattr(column, "load_array") else np.full(self.size, 100, dtype=np.int64))
        return self._ints[WEIGHT_FIELD]

    def facet(self, name: str) -> tuple[np.ndarray, Sequence[tuple[str, ...]]]:
        """(per-document value-set codes, the value sets) of a facet field."""
        if name not in self._facets:
            mapped = self._column_file()
            if mapped is not None and name in mapped.facets:
                facet = mapped.facets[name]
                values = facet.values.all()  # one decode: counting names most of them
                self._facets[name] = (facet.codes, ValueSets(values, facet.starts,
                                                             facet.members))
                self._members[name] = (values, facet.starts, facet.members)
                return self._facets[name]
            column = self.reader.column_reader(name, translate=False)
            if hasattr(column, "codes"):
                self._facets[name] = (np.asarray(column.codes(), dtype=np.intp),
                                      column.values())
            else:  # no document of this segment has a value
                self._facets[name] = (np.zeros(self.size, dtype=np.intp), [()])
        return self._facets[name]

    def facet_members(self, name: str) -> tuple[Sequence[str], np.ndarray, np.ndarray]:
        """A facet's value sets as a sparse matrix: (the values, per value set the start
        of its run in ``members``, ``members``: value numbers), for counting in C."""
        if name not in self._members:
            _, sets = self.facet(name)
            if name not in self._members:
                self._members[name] = sparse(sets)
        return self._members[name]

    def entry_id(self, docnum: int) -> str:
        """The id of the entry (document, or ``doc/key`` of an ärende) at ``docnum``."""
        mapped = self._column_file()
        if mapped is not None:
            return mapped.ids[docnum]
        return str(self.reader.stored_fields(docnum)["id"])

    def _column_file(self) -> ColumnFile | None:
        if self._columns is False:
            self._columns = (None if self.storage is None else
                             ColumnFile.of_segment(self.storage, self.reader.segment()))
        return self._columns

    def facet_totals(self, name: str) -> Counter[str]:
        """A facet's values over every live document of the segment, with counts."""
        key = (name, len(self.live()))
        if key not in self._facet_totals:
            self._facet_totals[key] = _value_counts(self, name, self.live())
        return self._facet_totals[key]

    def date_order(self, *, newest: bool) -> np.ndarray:
        """Per document, a sort key by date (decision, else document date): the higher,
        the earlier in the list; undated documents last, then by document number."""
        key = "newest" if newest else "oldest"
        if key not in self._orders:
            dates = self.ints("date")
            tie = _DOCNUMS - 1 - np.arange(self.size, dtype=np.int64)
            if newest:
                self._orders[key] = dates * _DOCNUMS + tie
            else:
                undated_last = np.where(dates == 0, 99999999, dates)
                self._orders[key] = (99999999 - undated_last) * _DOCNUMS + tie
        return self._orders[key]

    def ints(self, name: str) -> np.ndarray:
        """A per-document integer column (dates, field lengths)."""
        if name not in self._ints:
            column = self.reader.column_reader(name, translate=False)
            if hasattr(column, "load_array"):
                self._ints[name] = np.asarray(column.load_array(self.size), dtype=np.int64)
            else:
                self._ints[name] = np.zeros(self.size, dtype=np.int64)
        return self._ints[name]

    def norms(self, fieldname: str, average: float) -> np.ndarray:
        """BM25's length normalisation per document: k1·(1 − b + b·length/average)."""
        key = (fieldname, round(average, 2))
        if key not in self._norms:
            self._norms = {k: v for k, v in self._norms.items() if k[0] != fieldname}
            lengths = self.ints(LENGTH_FIELDS[fieldname]).astype(np.float64)
            scale = B / max(average, 1.0)
            base = K1 * (1 - B)
            self._norms[key] = base + K1 * scale * lengths
        return self._norms[key]


class _MappedStorage(FileStorage):
    """A read-only Whoosh storage that maps the files search reads as arrays.

    Stem sequences, lexicons and column files are read in place (NumPy arrays over
    the mapped file: nothing is copied or parsed), and term files are probed a few
    bytes at a time (a hash table: a system call per probe costs more than the
    lookup). Posting files and stem positions are only ever copied out, a block or a
    stem at a time: they are read with ``pread``, so their pages stay in the shared
    page cache instead of adding to every search process's resident memory (Whoosh's
    own mmap support, for compound segments, copies each whole file into memory when
    it is opened).
    """

    #: Files read in place (the rest is read a block at a time).
    MAPPED = (".seq", ".lex", ".acol", ".trm")

    def __init__(self, path: Path) -> None:
        super().__init__(str(path), readonly=True)

    def open_file(self, name: str, *args: Any, **kwargs: Any) -> StructFile:
        if not name.endswith(self.MAPPED):
            return _BlockFile(open(self._fpath(name), "rb"), name=name, **kwargs)  # noqa: SIM115
        with open(self._fpath(name), "rb") as handle:
            try:
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # an empty file cannot be mapped
                return super().open_file(name, *args, **kwargs)
        return StructFile(mapped, name=name, **kwargs)


class _BlockFile(StructFile):
    """A file whose blocks are read at an offset (``pread``: one system call, and safe
    between threads, as it moves no shared file position)."""

    def get(self, position: int, length: int) -> bytes:
        return os.pread(self.file.fileno(), length, position)


class _View:
    """One opened state of the index: a generation at one commit."""

    def __init__(self, key: tuple[int, ...], generation: Path, segments: dict[bytes, _Segment]):
        self.key = key
        ix = _MappedStorage(generation).open_index(INDEX_NAME)
        self.storage = ix.storage
        self.reader = ix.reader()
        self.segments: list[_Segment] = []
        for reader, _offset in self.reader.leaf_readers():
            if reader.doc_count_all() == 0:
                continue
            segment_id = reader.segment().segment_id()
            segment = segments.get(segment_id) or _Segment(reader, self.storage)
            segment.attach(reader)
            segments[segment_id] = segment
            self.segments.append(segment)
        self.doc_count = sum(len(s.live()) for s in self.segments)
        self.average: dict[str, float] = {}
        total_docs = sum(s.size for s in self.segments) or 1
        for fieldname, column in LENGTH_FIELDS.items():
            total = sum(int(s.ints(column).sum()) for s in self.segments)
            self.average[fieldname] = total / total_docs
        self.idf_cache: dict[tuple[str, str], float] = {}
        self._dfs: dict[tuple[str, str], int] = {}
        #: The facets of browsing the whole archive, per audience (its access classes).
        self.browse_facets: dict[tuple[str, ...], dict[str, list[FacetValue]]] = {}
        #: What searches on this view answered, by query (see Searcher._kept).
        self.answers: OrderedDict[Any, Any] = OrderedDict()

    def doc_frequency(self, fieldname: str, term: str) -> int:
        """Entries having ``term`` (over all segments), kept for this view: each lookup
        asks every segment's term table, and a search asks for the same terms often."""
        key = (fieldname, term)
        df = self._dfs.get(key)
        if df is None:
            if len(self._dfs) > _DF_CACHE:
                self._dfs.clear()
            df = self._dfs[key] = self.reader.doc_frequency(fieldname, term)
        return df

    def idf(self, fieldname: str, term: str) -> float:
        key = (fieldname, term)
        value = self.idf_cache.get(key)
        if value is None:
            df = self.doc_frequency(fieldname, term)
            value = log(1 + (self.doc_count - df + 0.5) / (df + 0.5))
            self.idf_cache[key] = value
        return value

    def word_idf(self, spellings: tuple[tuple[str, str], ...]) -> float:
        """One idf for a query word in all the fields it is matched in (BM25F): from the
        entries having it in any of them (at least the most of any one field).

        A word rare in text but common as a facet ("lerum" in the text of one § and
        the city of every Lerum ärende) is then weighed the same wherever it matched.
        """
        df = max(self.doc_frequency(f, t) for f, t in spellings)
        return log(1 + (self.doc_count - df + 0.5) / (df + 0.5))

    def expansions(self, kind: str, stem: str) -> list[str]:
        """The most common ``stem`` terms a query stem expands to (see ``_Compiler.word``).

        ``compound``: ending in the stem after a word of its own ("…nämnd"); ``modified``:
        starting with it, followed by a word of its own ("hemlös…"); ``accented``: the
        same word with å, ä, ö where the query has a, a, o.
        """
        shortest, rest, method = EXPANSIONS[kind]
        if len(stem) < shortest:
            return []
        found: Counter[str] = Counter()
        for segment in self.segments:
            for term, df in getattr(segment.lexicon(self.storage), method)(stem):
                if len(term) >= len(stem) + rest and term != stem:
                    found[term] += df
        return [term for term, _ in found.most_common(MAX_EXPANSIONS)]

    def compound_parts(self, word: str) -> tuple[list[str], list[str]] | None:
        """The stems of a compound query word's two parts when the archive has both as
        words of their own ("kompetensförsörjning" → ["kompet", "kompetens"],
        ["försörjning"]; a linking s may be dropped), the longest last part first;
        None for a short word or one the archive cannot split."""
        if len(word) < MIN_SPLIT:
            return None
        stem_of = STEMMING["sv"]._stem
        for cut in range(MIN_HEAD, len(word) - MIN_HEAD + 1):
            head = stem_of(word[cut:])
            if len(head) < MIN_HEAD or not self.doc_frequency("stem", head):
                continue
            left = word[:cut]
            # The stemmer cuts a lone modifier short ("kompetens" → "kompet"), while
            # "kompetensen" stems to "kompetens": any of them may be the archive's term.
            forms = {left, stem_of(left)}
            if left.endswith("s"):
                forms |= {left[:-1], stem_of(left[:-1])}
            found = sorted(f for f in forms
                           if len(f) >= MIN_REST and self.doc_frequency("stem", f))
            if found:
                return found, [head]
        return None

    def close(self) -> None:
        self.reader.close()


# -- posting lists --------------------------------------------------------------------


class _Postings:
    """An LRU cache of posting lists, keyed by segment, field and term: document numbers
    (sorted) and weights as NumPy arrays, decoded once."""

    def __init__(self, budget: int = POSTINGS_CACHE) -> None:
        self.budget = budget
        self.size = 0
        self.entries: OrderedDict[tuple[bytes, str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()

    def get(self, segment: _Segment, fieldname: str, term: str
            ) -> tuple[np.ndarray, np.ndarray]:
        key = (segment.id, fieldname, term)
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
            return entry
        try:
            matcher = segment.reader.postings(fieldname, term.encode("utf-8"))
        except TermNotFound:
            entry = (_EMPTY_IDS, _EMPTY_WEIGHTS)
        else:
            entry = read_postings(matcher)
        self.entries[key] = entry
        self.size += len(entry[0]) + 1
        while self.size > self.budget and self.entries:
            _, old = self.entries.popitem(last=False)
            self.size -= len(old[0]) + 1
        return entry


