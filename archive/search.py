"""Searching the archive: ranking, facets, snippets, suggestions and related documents.

Whoosh keeps the index (:mod:`archive.index`); matching and ranking run here, over
posting lists read a block at a time. Whoosh's query objects walk postings one Python
call at a time, which at 100k documents costs seconds for common words; reading a
term's postings in bulk into arrays and combining documents as sets costs
milliseconds. Scoring is BM25 (k1 = 1.2, b = 0.75) summed over the ways a query word
matched: the exact form first, then its stem, the title, the names of its kommun,
stadsdel, nämnd and projects (``meta``, as much as the title), compounds and
accent-free spellings (see :meth:`_Compiler.word`).

A :class:`Searcher` is opened once and reused: it reopens cheaply when the live
generation changes (``CURRENT``) or got new commits (``arkiv.json``), and keeps what it
loaded per segment (facet values, dates, field lengths, the stem lexicon) for as long
as the segment lives.
"""

from __future__ import annotations

import heapq
import html
import mmap
import operator
import os
import re
import threading
import time
import tomllib
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from math import log
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.reading import TermNotFound

from archive import querysyntax as qs
from archive.catalog import Catalog
from archive.home import ArchiveError
from archive.index import (
    CURRENT_FILE,
    ENGLISH_STOP_WORDS,
    EXACT,
    FACET_FIELDS,
    FOREIGN_STEMMERS,
    INDEX_NAME,
    LENGTH_FIELDS,
    SCHEMA_VERSION,
    STATE_FILE,
    STEMMING,
    WEIGHT_FIELD,
    Index,
    SegmentLexicon,
    StemSequences,
    analyse,
    dnr_terms,
    document_language,
    entry_document,
    facet_key,
    fold,
    read_postings,
    terms,
)
from archive.models import ARENDE_FIELDS, Document, arende_key
from archive.query import (
    MAX_PAGE_SIZE,
    MAX_QUERY_LENGTH,
    SORTS,
    FacetValue,
    Hit,
    Query,
    Results,
    Snippet,
)

K1 = 1.2
B = 0.75
#: How much each way of matching a query word counts: the word as typed counts most.
BOOST_EXACT = 2.0
BOOST_STEM = 1.0
BOOST_TITLE = 1.5
BOOST_COMPOUND = 0.5  # "nämnd" in "socialtjänstnämnden" (the word is the compound's head)
BOOST_MODIFIER = 0.4  # "hemlöshet" in "hemlöshetsarbete" (the word comes first)
BOOST_FOLDED = 0.5  # "socialtjanstnamnden" for "socialtjänstnämnden"
BOOST_PARTS = 0.4  # "kompetens … försörjning" for "kompetensförsörjning" (each part)
MIN_SPLIT = 9  # shortest query word split into the two words it is made of
BOOST_PREFIX = 1.0
BOOST_DNR = 8.0
#: A query word expands to at most this many compounds (the most common ones).
MAX_EXPANSIONS = 12
MIN_HEAD = 4  # shortest stem matched as the last part of a compound
MIN_MODIFIER = 5  # shortest stem matched as the first part of a compound
MIN_REST = 3  # the rest of such a compound is a word of its own
MIN_PREFIX = 2
#: Expansion kind → (shortest query stem, shortest rest of the word, lexicon lookup).
EXPANSIONS = {
    "compound": (MIN_HEAD, MIN_REST, "ending_with"),
    "modified": (MIN_MODIFIER, MIN_REST, "starting_with"),
    "accented": (1, 0, "folding_to"),
}
#: Query words whose index term occurs in no document get a "did you mean" when the
#: search finds fewer results than this.
SUGGEST_BELOW = 3
MAX_FACET_VALUES = 100
SNIPPETS_PER_HIT = 3
SNIPPET_CHARS = 220
#: Posting lists kept in memory between searches (counted in postings).
POSTINGS_CACHE = 4_000_000

MESSAGE_NO_INDEX = "Sökindex saknas eller är av en äldre version – kör 'arkiv reindex'"
MESSAGE_FALLBACK = "Inga träffar på alla ord – visar träffar på några av dem"
MESSAGE_NO_WORDS = "Sökningen innehöll inga sökbara ord"
MESSAGE_TRUNCATED = f"Sökningen kortades till {MAX_QUERY_LENGTH} tecken"

def _synonyms() -> dict[str, str]:
    """Abbreviation ↔ long form, both ways (data/synonyms.toml); a long form of several
    words is found from its abbreviation only."""
    with open(Path(__file__).parent / "data" / "synonyms.toml", "rb") as fh:
        pairs = tomllib.load(fh)["abbreviations"]
    both = {short.casefold(): long.casefold() for short, long in pairs.items()}
    both.update({long: short for short, long in both.items() if " " not in long})
    return both


#: Abbreviations of Swedish public administration and their long forms, both ways.
SYNONYMS = _synonyms()

#: Query filter name → index facet field.
FILTER_FIELDS = {
    "city": "city",
    "district": "districts",
    "mentioned": "cities_mentioned",
    "project": "projects",
    "committee": "committee",
    "doc_type": "doc_type",
    "topic": "topics",
    "language": "language",
    "year": "year",
    "kind": "kind",
}
LANGUAGE_NAMES = {"svenska": "sv", "swedish": "sv", "engelska": "en", "english": "en"}
#: Added to the score of strong matches (see ``_Node.core``) to rank them first.
_STRONG = 1e9
#: Document numbers in a segment stay below this (date sort keys hold one).
_DOCNUMS = 1 << 24
_EMPTY_IDS = array("I")
_EMPTY_WEIGHTS = array("f")


# -- per-segment data ---------------------------------------------------------------


class _Segment:
    """What search needs of one Whoosh segment, loaded on first use and kept."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.id = reader.segment().segment_id()
        self.size = reader.doc_count_all()
        self.deleted: frozenset[int] = frozenset()
        self._live: set[int] | None = None
        self._documents: set[int] | None = None
        self._facets: dict[str, tuple[list[int], list[tuple[str, ...]]]] = {}
        self._ints: dict[str, array] = {}
        self._norms: dict[tuple[str, float], list[float]] = {}
        self._lexicon: SegmentLexicon | None = None
        self._sequences: StemSequences | None | bool = False
        self._orders: dict[str, list[int]] = {}
        self._facet_totals: dict[tuple[str, int], Counter[str]] = {}

    def sequences(self, storage: Any) -> StemSequences | None:
        if self._sequences is False:
            self._sequences = StemSequences.of_segment(storage, self.reader.segment())
        return self._sequences

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
            self._documents = None

    def live(self) -> set[int]:
        """Every document of the segment that is not deleted."""
        if self._live is None:
            self._live = set(range(self.size)) - self.deleted
        return self._live

    def documents(self) -> set[int]:
        """The live entries that are whole documents (not ärenden)."""
        if self._documents is None:
            codes, values = self.facet("kind")
            whole = {code for code, kinds in enumerate(values) if "document" in kinds}
            self._documents = {d for d in self.live() if codes[d] in whole}
        return self._documents

    def weights(self) -> array:
        """Per entry, its rank weight in percent (:func:`archive.index.arende_weight`)."""
        if WEIGHT_FIELD not in self._ints:
            column = self.reader.column_reader(WEIGHT_FIELD, translate=False)
            self._ints[WEIGHT_FIELD] = (column.load_array(self.size) if hasattr(column, "load_array")
                                        else array("H", [100]) * self.size)
        return self._ints[WEIGHT_FIELD]

    def facet(self, name: str) -> tuple[list[int], list[tuple[str, ...]]]:
        """(per-document value-set codes, the value sets) of a facet field."""
        if name not in self._facets:
            column = self.reader.column_reader(name, translate=False)
            if hasattr(column, "codes"):
                self._facets[name] = (column.codes().tolist(), column.values())
            else:  # no document of this segment has a value
                self._facets[name] = ([0] * self.size, [()])
        return self._facets[name]

    def facet_totals(self, name: str) -> Counter[str]:
        """A facet's values over every live document of the segment, with counts."""
        key = (name, len(self.live()))
        if key not in self._facet_totals:
            self._facet_totals[key] = _value_counts(self, name, _getter(self.live()))
        return self._facet_totals[key]

    def date_order(self, *, newest: bool) -> list[int]:
        """Per document, a sort key by date (decision, else document date): the higher,
        the earlier in the list; undated documents last, then by document number."""
        key = "newest" if newest else "oldest"
        if key not in self._orders:
            dates = self.ints("date")
            if newest:
                self._orders[key] = [(date or 0) * _DOCNUMS + _DOCNUMS - 1 - d
                                     for d, date in enumerate(dates)]
            else:
                self._orders[key] = [(99999999 - (date or 99999999)) * _DOCNUMS + _DOCNUMS - 1 - d
                                     for d, date in enumerate(dates)]
        return self._orders[key]

    def ints(self, name: str) -> array:
        """A per-document integer column (dates, field lengths)."""
        if name not in self._ints:
            column = self.reader.column_reader(name, translate=False)
            if hasattr(column, "load_array"):
                self._ints[name] = column.load_array(self.size)
            else:
                self._ints[name] = array("i", bytes(4 * self.size))
        return self._ints[name]

    def norms(self, fieldname: str, average: float) -> list[float]:
        """BM25's length normalisation per document: k1·(1 − b + b·length/average)."""
        key = (fieldname, round(average, 2))
        if key not in self._norms:
            self._norms = {k: v for k, v in self._norms.items() if k[0] != fieldname}
            lengths = self.ints(LENGTH_FIELDS[fieldname])
            scale = B / max(average, 1.0)
            base = K1 * (1 - B)
            self._norms[key] = [base + K1 * scale * n for n in lengths]
        return self._norms[key]


class _MappedStorage(FileStorage):
    """A read-only Whoosh storage whose files are memory-mapped.

    Reading a posting block is then a memory copy instead of seek + read system calls,
    and only the pages read are loaded (Whoosh's own mmap support, for compound
    segments, copies each whole file into memory when it is opened).
    """

    def __init__(self, path: Path) -> None:
        super().__init__(str(path), readonly=True)

    def open_file(self, name: str, *args: Any, **kwargs: Any) -> StructFile:
        with open(self._fpath(name), "rb") as handle:
            try:
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # an empty file cannot be mapped
                return super().open_file(name, *args, **kwargs)
        return StructFile(mapped, name=name, **kwargs)


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
            segment = segments.get(segment_id) or _Segment(reader)
            segment.attach(reader)
            segments[segment_id] = segment
            self.segments.append(segment)
        self.doc_count = sum(len(s.live()) for s in self.segments)
        self.average: dict[str, float] = {}
        total_docs = sum(s.size for s in self.segments) or 1
        for fieldname, column in LENGTH_FIELDS.items():
            total = sum(sum(s.ints(column)) for s in self.segments)
            self.average[fieldname] = total / total_docs
        self.idf_cache: dict[tuple[str, str], float] = {}
        self.browse_facets: dict[str, list[FacetValue]] | None = None

    def idf(self, fieldname: str, term: str) -> float:
        key = (fieldname, term)
        value = self.idf_cache.get(key)
        if value is None:
            df = self.reader.doc_frequency(fieldname, term)
            value = log(1 + (self.doc_count - df + 0.5) / (df + 0.5))
            self.idf_cache[key] = value
        return value

    def word_idf(self, spellings: tuple[tuple[str, str], ...]) -> float:
        """One idf for a query word in all the fields it is matched in (BM25F): from the
        entries having it in any of them (at least the most of any one field).

        A word rare in text but common as a facet ("lerum" in the text of one § and
        the city of every Lerum ärende) is then weighed the same wherever it matched.
        """
        df = max(self.reader.doc_frequency(f, t) for f, t in spellings)
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
            if len(head) < MIN_HEAD or not self.reader.doc_frequency("stem", head):
                continue
            left = word[:cut]
            # The stemmer cuts a lone modifier short ("kompetens" → "kompet"), while
            # "kompetensen" stems to "kompetens": any of them may be the archive's term.
            forms = {left, stem_of(left)}
            if left.endswith("s"):
                forms |= {left[:-1], stem_of(left[:-1])}
            found = sorted(f for f in forms
                           if len(f) >= MIN_REST and self.reader.doc_frequency("stem", f))
            if found:
                return found, [head]
        return None

    def close(self) -> None:
        self.reader.close()


# -- posting lists --------------------------------------------------------------------


class _Postings:
    """An LRU cache of posting lists, keyed by segment, field and term."""

    def __init__(self, budget: int = POSTINGS_CACHE) -> None:
        self.budget = budget
        self.size = 0
        self.entries: OrderedDict[tuple[bytes, str, str], tuple[array, array]] = OrderedDict()

    def get(self, segment: _Segment, fieldname: str, term: str) -> tuple[array, array]:
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


# -- the compiled query ---------------------------------------------------------------


@dataclass
class _Context:
    """One search's view of the index, plus what it computed along the way."""

    view: _View
    postings: _Postings
    memo: dict[tuple[int, bytes], set[int]] = field(default_factory=dict)

    def docs(self, segment: _Segment, fieldname: str, term: str) -> set[int]:
        ids = self.postings.get(segment, fieldname, term)[0]
        found = set(ids)
        if segment.deleted and found:
            found -= segment.deleted
        return found


class _Node:
    """A compiled query part: which documents of a segment match, and how well."""

    def docs(self, ctx: _Context, segment: _Segment) -> set[int]:
        key = (id(self), segment.id)
        found = ctx.memo.get(key)
        if found is None:
            found = ctx.memo[key] = self._docs(ctx, segment)
        return found

    def _docs(self, ctx: _Context, segment: _Segment) -> set[int]:
        raise NotImplementedError

    def core(self, ctx: _Context, segment: _Segment) -> set[int]:
        """The documents matching strongly: each word as written or by its stem, not only
        through a compound or an accent-free spelling. They rank first."""
        key = (-id(self), segment.id)
        found = ctx.memo.get(key)
        if found is None:
            found = ctx.memo[key] = self._core(ctx, segment)
        return found

    def _core(self, ctx: _Context, segment: _Segment) -> set[int]:
        return self.docs(ctx, segment)

    def score(self, ctx: _Context, segment: _Segment, docs: set[int],
              scores: dict[int, float]) -> None:
        """Add this part's score to ``scores`` for the documents in ``docs``."""


@dataclass(eq=False)
class _Leaf(_Node):
    """One term of one field, scored by BM25."""

    fieldname: str
    term: str
    boost: float
    #: The query word's (field, term) pairs sharing one idf (see ``_View.word_idf``).
    word: tuple[tuple[str, str], ...] = ()

    def _docs(self, ctx: _Context, segment: _Segment) -> set[int]:
        return ctx.docs(segment, self.fieldname, self.term)

    def score(self, ctx: _Context, segment: _Segment, docs: set[int],
              scores: dict[int, float]) -> None:
        ids, weights = ctx.postings.get(segment, self.fieldname, self.term)
        if not ids:
            return
        view = ctx.view
        idf = view.word_idf(self.word) if self.word else view.idf(self.fieldname, self.term)
        c = self.boost * idf * (K1 + 1)
        norm = segment.norms(self.fieldname, view.average[self.fieldname])
        if len(ids) <= len(docs):
            for d, tf in zip(ids, weights, strict=True):
                if d in docs:
                    scores[d] += c * tf / (tf + norm[d])
        else:
            tf_of = dict(zip(ids, weights, strict=True)).get
            for d in docs:
                tf = tf_of(d)
                if tf:
                    scores[d] += c * tf / (tf + norm[d])


@dataclass(eq=False)
class _Group(_Node):
    """Several terms of a field matched alike, with one constant score.

    A query word's expansions (compounds, accented forms) are weak matches, ranked
    after the strong ones; a diarienummer or a ``prefix*`` the user typed are ``strong``.
    """

    fieldname: str
    terms: list[str]
    boost: float
    strong: bool = False
    _weight: float | None = None

    def _docs(self, ctx: _Context, segment: _Segment) -> set[int]:
        found: set[int] = set()
        for term in self.terms:
            found |= ctx.docs(segment, self.fieldname, term)
        return found

    def _core(self, ctx: _Context, segment: _Segment) -> set[int]:
        return self.docs(ctx, segment) if self.strong else set()

    def score(self, ctx: _Context, segment: _Segment, docs: set[int],
              scores: dict[int, float]) -> None:
        weight = self.weight(ctx.view)
        for d in self.docs(ctx, segment) & docs:
            scores[d] += weight

    def weight(self, view: _View) -> float:
        """The boost times the idf of the group's most common terms taken together."""
        if self._weight is None:
            df = sum(view.reader.doc_frequency(self.fieldname, t) for t in self.terms[:8])
            self._weight = self.boost * log(1 + (view.doc_count - df + 0.5) / (df + 0.5))
        return self._weight


@dataclass(eq=False)
class _Any(_Node):
    """Documents matching any of the parts; scores add up (a query word's variants)."""

    parts: list[_Node]

    def _docs(self, ctx: _Context, segment: _Segment) -> set[int]:
        found: set[int] = set()
        for part in self.parts:
            found |= part.docs(ctx, segment)
        return found

    def _core(self, ctx: _Context, segment: _Segment) -> set[int]:
        found: set[int] = set()
        for part in self.parts:
            found |= part.core(ctx, segment)
        return found

    def score(self, ctx: _Context, segment: _Segment, docs: set[int],
              scores: dict[int, float]) -> None:
        for part in self.parts:
            part.score(ctx, segment, docs, scores)


@dataclass(eq=False)
class _Phrase(_Node):
    """Stems next to each other in the ``stem`` field (any of the spellings given)."""

    spellings: list[list[str]]
    boost: float

    def _docs(self, ctx: _Context, segment: _Segment) -> set[int]:
        found: set[int] = set()
        for stems in self.spellings:
            candidates = ctx.docs(segment, "stem", stems[0])
            for stem in stems[1:]:
                if not candidates:
                    break
                candidates = candidates & ctx.docs(segment, "stem", stem)
            if candidates:
                found |= self._verify(ctx, segment, stems, candidates)
        return found

    @staticmethod
    def _verify(ctx: _Context, segment: _Segment, stems: list[str], candidates: set[int]
                ) -> set[int]:
        sequences = segment.sequences(ctx.view.storage)
        if sequences is None:  # a segment without sequences: all the words will do
            return candidates
        lexicon = segment.lexicon(ctx.view.storage)
        ids = [lexicon.index_of(stem) for stem in stems]
        if None in ids:
            return set()
        needle = sequences.needle(ids)  # type: ignore[arg-type]
        if len(candidates) * 4 > segment.size:  # many: scanning everything is cheaper
            return sequences.docs_containing(needle) & candidates
        return {d for d in candidates if sequences.contains(d, needle)}

    def score(self, ctx: _Context, segment: _Segment, docs: set[int],
              scores: dict[int, float]) -> None:
        for stems in self.spellings[:1]:
            for stem in stems:
                _Leaf("stem", stem, self.boost).score(ctx, segment, docs, scores)


@dataclass(eq=False)
class _Facet(_Node):
    """Documents having any of the values of a facet (a filter: not scored)."""

    fieldname: str
    keys: list[str]

    def _docs(self, ctx: _Context, segment: _Segment) -> set[int]:
        found: set[int] = set()
        for key in self.keys:
            found |= ctx.docs(segment, self.fieldname, key)
        return found


@dataclass(eq=False)
class _Documents(_Node):
    """Whole documents, not their ärenden: what browsing without a search text lists."""

    def _docs(self, ctx: _Context, segment: _Segment) -> set[int]:
        return segment.documents()


@dataclass(eq=False)
class _Not(_Node):
    node: _Node

    def _docs(self, ctx: _Context, segment: _Segment) -> set[int]:
        return segment.live() - self.node.docs(ctx, segment)


@dataclass(eq=False)
class _All(_Node):
    def _docs(self, ctx: _Context, segment: _Segment) -> set[int]:
        return segment.live()


@dataclass(eq=False)
class _Optional(_Node):
    """A part that ranks documents having it higher but does not require it.

    English stop words ("the", "of") are not indexed in English documents, and a few of
    them are Swedish words too ("is", "by"): so they count where found, and are not a
    condition of "all words".
    """

    node: _Node

    def _docs(self, ctx: _Context, segment: _Segment) -> set[int]:
        return self.node.docs(ctx, segment)

    def score(self, ctx: _Context, segment: _Segment, docs: set[int],
              scores: dict[int, float]) -> None:
        self.node.score(ctx, segment, docs, scores)


@dataclass(eq=False)
class _And(_Node):
    """Documents matching every part; excluded parts (``_Not``) are subtracted and
    optional ones (``_Optional``) only count for the ranking."""

    parts: list[_Node]

    def _docs(self, ctx: _Context, segment: _Segment) -> set[int]:
        return self._combine(ctx, segment, _Node.docs)

    def _core(self, ctx: _Context, segment: _Segment) -> set[int]:
        return self._combine(ctx, segment, _Node.core)

    def _combine(self, ctx: _Context, segment: _Segment,
                 docs_of: Callable[[_Node, _Context, _Segment], set[int]]) -> set[int]:
        positive = [p for p in self.parts if not isinstance(p, _Not | _Optional)]
        negative = [p.node for p in self.parts if isinstance(p, _Not)]
        found = docs_of(positive[0], ctx, segment) if positive else segment.live()
        for part in positive[1:]:
            if not found:
                return found
            found = found & docs_of(part, ctx, segment)
        for part in negative:
            if not found:
                break
            found = found - part.docs(ctx, segment)
        return found

    def score(self, ctx: _Context, segment: _Segment, docs: set[int],
              scores: dict[int, float]) -> None:
        for part in self.parts:
            part.score(ctx, segment, docs, scores)


@dataclass
class _DateRange:
    """An inclusive YYYYMMDD range on a date column (None = open)."""

    column: str
    low: int | None
    high: int | None

    def keep(self, segment: _Segment, docs: set[int]) -> set[int]:
        dates = segment.ints(self.column)
        low = self.low or 1
        high = self.high or 99991231
        return {d for d in docs if low <= dates[d] <= high}


@dataclass
class _Highlights:
    """What a query matched, to mark in snippets: words, stems and word beginnings, and
    phrases (the stems of words in a row: marked only where they stand together)."""

    words: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    phrases: list[list[str]] = field(default_factory=list)


@dataclass
class _Plan:
    """A compiled search: the text part, filters, date ranges and what to highlight."""

    text: _Node | None
    filters: list[_Node]
    dates: list[_DateRange]
    highlights: _Highlights
    selected: dict[str, set[str]]
    notes: list[str]
    words: list[str]

    def root(self) -> _Node:
        parts = [*self.filters]
        if self.text is not None:
            parts.append(self.text)
        if not parts:
            return _All()
        return parts[0] if len(parts) == 1 else _And(parts)


# -- the searcher ---------------------------------------------------------------------


class Searcher:
    """Searches one archive; reusable and safe to share between threads."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.index = Index(self.home)
        self._lock = threading.RLock()
        self._view: _View | None = None
        self._segments: dict[bytes, _Segment] = {}
        self._postings = _Postings()
        self._generation: Path | None = None
        self._local = threading.local()

    # -- opening ------------------------------------------------------------------

    def _open(self) -> _View | None:
        """The current view of the index, reopened if the index changed (call locked).

        A rebuild may swap generations between two of these steps; then the next try
        sees the new one. If the index cannot be opened, the view already open (if any)
        keeps answering.
        """
        for _ in range(3):
            key = self._version()
            if key is None:
                break
            if self._view is not None and self._view.key == key:
                return self._view
            if self.index.state().get("schema_version") != SCHEMA_VERSION:
                break  # written by another version of Arkiv: it must be rebuilt first
            generation = self.index.current()
            if generation is None:
                continue
            if generation != self._generation:
                self._segments = {}
                self._postings = _Postings()
                self._generation = generation
            try:
                view = _View(key, generation, self._segments)
            except (OSError, whoosh_index.EmptyIndexError):
                continue
            live = {s.id for s in view.segments}
            self._segments = {k: v for k, v in self._segments.items() if k in live}
            if self._view is not None:
                self._view.close()
            self._view = view
            return view
        return self._view

    def _reading(self, work: Callable[[_View], Any], empty: Any) -> Any:
        """Run ``work`` on the current view, locked; again on a fresh view if the files
        it needed were removed meanwhile (a rebuild finishing in another process)."""
        with self._lock:
            for attempt in range(2):
                view = self._open()
                if view is None:
                    return empty
                try:
                    return work(view)
                except FileNotFoundError:
                    if attempt:
                        raise
                    view.close()
                    self._view = None
                    self._generation = None
        return empty

    def _version(self) -> tuple[int, ...] | None:
        """Changes whenever the live generation or its last commit changes (two stats)."""
        generation = self.index.current()
        if generation is None:
            return None
        try:
            current = (self.index.root / CURRENT_FILE).stat()
            state = (generation / STATE_FILE).stat()
        except OSError:
            return None
        return (current.st_ino, current.st_mtime_ns, state.st_ino, state.st_mtime_ns)

    def _catalog(self) -> Catalog | None:
        """This thread's read-only catalog connection."""
        catalog = getattr(self._local, "catalog", None)
        if catalog is None:
            try:
                catalog = Catalog(self.home, readonly=True)
            except ArchiveError:
                return None
            self._local.catalog = catalog
        return catalog

    # -- searching ----------------------------------------------------------------

    def search(self, query: Query) -> Results:
        """Run a search; user input never raises (problems come back in ``message``)."""
        started = time.perf_counter()
        query = _normalised(query)
        results = Results(query=query)
        found = self._reading(lambda view: self._search(view, query, results), None)
        if found is None:
            results.message = MESSAGE_NO_INDEX
            return results
        ids, plan = found
        results.hits = self._hits(ids, plan.highlights if query.snippets else None)
        results.message = " · ".join(dict.fromkeys(plan.notes)) or None
        results.elapsed_ms = (time.perf_counter() - started) * 1000
        return results

    def _search(self, view: _View, query: Query, results: Results
                ) -> tuple[list[tuple[str, float]], _Plan]:
        """Match, rank and count facets (under the lock); the page's ids and the plan."""
        ctx = _Context(view, self._postings)
        plan = self._plan(ctx, query)
        matches = self._match(ctx, plan)
        total = sum(len(docs) for _, docs in matches)
        if total == 0 and isinstance(plan.text, _And):
            relaxed = _relax(plan.text)
            if relaxed is not None:
                plan.text = relaxed
                matches = self._match(ctx, plan)
                total = sum(len(docs) for _, docs in matches)
                if total:
                    plan.notes.append(MESSAGE_FALLBACK)
        results.total = total
        ranked = self._rank(ctx, plan, query, matches)
        if query.facets:
            browsing = plan.text is None and not plan.selected and not plan.dates
            results.facets = self._facets(view, matches, plan.selected, browsing=browsing)
        if total < SUGGEST_BELOW and plan.words:
            results.suggestion = self._suggest(view, query.text, plan.words)
        page = ranked[(query.page - 1) * query.page_size :]
        return [(self._doc_id(segment, d), score) for segment, d, score in page], plan

    def _plan(self, ctx: _Context, query: Query) -> _Plan:
        text = query.text or ""
        notes: list[str] = []
        if len(text) > MAX_QUERY_LENGTH:
            text = text[:MAX_QUERY_LENGTH]
            notes.append(MESSAGE_TRUNCATED)
        parsed = qs.parse(text)
        notes.extend(parsed.notes)
        compiler = _Compiler(ctx)
        node = compiler.compile(parsed.root)
        if node is None and parsed.root is not None:
            notes.append(MESSAGE_NO_WORDS)
        filters: list[_Node] = []
        selected: dict[str, set[str]] = {}
        for name, fieldname in FILTER_FIELDS.items():
            values = [*getattr(query, name), *parsed.filters.get(name, [])]
            keys = [facet_key(LANGUAGE_NAMES.get(facet_key(v), v)) for v in values]
            keys = [k for k in dict.fromkeys(keys) if k]
            if keys:
                selected[fieldname] = set(keys)
                filters.append(_Facet(fieldname, compiler.facet_keys(fieldname, keys)))
        dates = []
        for column, low, high in (
            ("date", query.date_from, query.date_to),
            ("decision_date", query.decision_from, query.decision_to),
            ("document_date", query.document_from, query.document_to),
        ):
            start = qs.parse_date(low, end=False) if low else None
            stop = qs.parse_date(high, end=True) if high else None
            for given, parsed_value in ((low, start), (high, stop)):
                if given and parsed_value is None:
                    notes.append(f"Ogiltigt datum: {given}")
            if start or stop:
                dates.append(_DateRange(column, start, stop))
        dates.extend(_DateRange("date", low, high) for low, high in parsed.dates)
        if node is None and "kind" not in selected:
            filters.append(_Documents())
        return _Plan(node, filters, dates, compiler.highlights, selected, notes, compiler.words)

    def _match(self, ctx: _Context, plan: _Plan) -> list[tuple[_Segment, set[int]]]:
        root = plan.root()
        matches = []
        for segment in ctx.view.segments:
            docs = root.docs(ctx, segment)
            for dates in plan.dates:
                if not docs:
                    break
                docs = dates.keep(segment, docs)
            matches.append((segment, docs))
        return matches

    def _rank(self, ctx: _Context, plan: _Plan, query: Query,
              matches: list[tuple[_Segment, set[int]]]) -> list[tuple[_Segment, int, float]]:
        """The best ``page * page_size`` matches, in order.

        By relevance every match is scored; by date only the page's documents are (the
        score a hit shows), ties broken by document number.
        """
        wanted = query.page * query.page_size
        sort = query.sort if plan.text is not None else (
            "newest" if query.sort == "relevance" else query.sort)
        ranked: list[tuple[Any, ...]] = []
        if sort == "relevance":
            root = plan.root()
            cores = [root.core(ctx, segment) & docs for segment, docs in matches]
            enough = sum(len(core) for core in cores) >= wanted
        for i, (segment, docs) in enumerate(matches):
            if not docs:
                continue
            if sort == "relevance":
                # Strong matches first; when they fill the page, only they are scored.
                core = cores[i]
                scores = self._scores(ctx, plan, segment, core if enough else docs)
                if not enough:
                    for d in core:
                        scores[d] += _STRONG
                best = heapq.nlargest(wanted, scores.items(), key=operator.itemgetter(1))
                ranked.extend((score, -d, segment, score % _STRONG) for d, score in best)
            else:
                order = segment.date_order(newest=sort == "newest")
                best = heapq.nlargest(wanted, docs, key=order.__getitem__)
                scores = self._scores(ctx, plan, segment, set(best))
                ranked.extend((order[d], 0, segment, scores[d]) for d in best)
        ranked.sort(key=lambda item: item[:2], reverse=True)
        return [(segment, -tie if sort == "relevance" else _docnum_of(key), score)
                for key, tie, segment, score in ranked[:wanted]]

    @staticmethod
    def _scores(ctx: _Context, plan: _Plan, segment: _Segment, docs: set[int]
                ) -> dict[int, float]:
        scores = dict.fromkeys(docs, 0.0)
        if plan.text is not None:
            plan.text.score(ctx, segment, docs, scores)
            weights = segment.weights()
            for d, score in scores.items():
                if weights[d] != 100:
                    scores[d] = score * weights[d] / 100
        return scores

    def _facets(self, view: _View, matches: list[tuple[_Segment, set[int]]],
                selected: dict[str, set[str]], *, browsing: bool = False
                ) -> dict[str, list[FacetValue]]:
        """Facet values of the matches, with counts; browsing the whole archive (no text,
        filter or date) counts every document once and keeps the answer."""
        if browsing and view.browse_facets is not None:
            return view.browse_facets
        facets = {}
        for name, counts in _count_facets(FACET_FIELDS, matches).items():
            chosen = selected.get(name, set())
            values = sorted(counts.items(), key=lambda item: (-item[1], _collation(item[0])))
            shown = [FacetValue(v, n, facet_key(v) in chosen) for v, n in values]
            if len(shown) > MAX_FACET_VALUES:
                shown = shown[:MAX_FACET_VALUES] + [
                    f for f in shown[MAX_FACET_VALUES:] if f.selected]
            facets[name] = shown
        if browsing:
            view.browse_facets = facets
        return facets

    def _suggest(self, view: _View, text: str, words: list[str]) -> str | None:
        """"Did you mean": misspelt query words replaced by the closest common word."""
        corrector = view.reader.corrector("exact")
        suggestion = text
        changed = False
        for word in words:
            if view.reader.doc_frequency("exact", word):
                continue
            found = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
            if found:
                pattern = re.compile(re.escape(word), re.IGNORECASE)
                suggestion, count = pattern.subn(found[0], suggestion, count=1)
                changed = changed or bool(count)
        return suggestion if changed else None

    def _doc_id(self, segment: _Segment, docnum: int) -> str:
        return segment.reader.stored_fields(docnum)["id"]

    def _hits(self, ids: list[tuple[str, float]], highlights: _Highlights | None) -> list[Hit]:
        """The page's hits as the catalog has them, with snippets and renderings.

        An ärende's hit carries its document's fields and the ärende; its first snippet
        is the decision (or the proposal), marked where the query matched.
        """
        catalog = self._catalog()
        if catalog is None or not ids:
            return []
        entries = [(entry_document(entry_id), score) for entry_id, score in ids]
        with_text = highlights is not None
        docs = catalog.get_many([doc_id for (doc_id, _), _ in entries], with_text=with_text)
        marker = _Marker(highlights) if highlights is not None else None
        hits = []
        for (doc_id, key), score in entries:
            doc = docs.get(doc_id)
            if doc is None:
                continue
            arende = doc.arende(key) if key is not None else None
            if key is not None and arende is None:
                continue
            snippets: list[Snippet] = []
            if marker is not None and arende is not None:
                snippets = marker.arende_snippets(catalog.arenden_source(doc), arende)
            elif marker is not None:
                snippets = marker.snippets(doc)
            hits.append(Hit(
                id=doc_id,
                score=score,
                document=doc.to_json(),
                snippets=snippets,
                renderings=catalog.renderings(doc_id),
                arende=_arende_summary(arende) if arende is not None else None,
            ))
        return hits

    # -- browsing -----------------------------------------------------------------

    def more_like_this(self, doc_id: str, limit: int = 5) -> list[Hit]:
        """Documents sharing the most telling words of ``doc_id`` (never itself)."""
        catalog = self._catalog()
        doc = catalog.get(doc_id) if catalog is not None else None
        if doc is None:
            return []

        def related(view: _View) -> list[tuple[str, float]]:
            ctx = _Context(view, self._postings)
            key_terms = _key_terms(view, doc)
            if not key_terms:
                return []
            node = _Any([_Leaf("stem", t, 1.0) for t in key_terms])
            plan = _Plan(node, [], [], _Highlights(), {}, [], [])
            matches = [(s, (node.docs(ctx, s) & s.documents()) - ctx.docs(s, "id", doc_id))
                       for s in view.segments]
            query = Query(page_size=max(1, min(limit, MAX_PAGE_SIZE)))
            ranked = self._rank(ctx, plan, query, matches)
            return [(self._doc_id(segment, d), score) for segment, d, score in ranked]

        ids = self._reading(related, [])
        return [h for h in self._hits(ids, None) if h.id != doc_id][:limit]

    def facet_values(self, name: str) -> list[FacetValue]:
        """Every value of a facet over the whole archive, A–Ö, with counts."""
        fieldname = FILTER_FIELDS.get(name, name)
        if fieldname not in FACET_FIELDS:
            return []
        counts = self._reading(
            lambda view: _count_facets([fieldname], [(s, s.documents()) for s in view.segments])[
                fieldname],
            Counter(),
        )
        return [FacetValue(v, n) for v, n in sorted(counts.items(),
                                                    key=lambda item: _collation(item[0]))]

    def timeline(self, query: Query | None = None) -> list[tuple[str, int]]:
        """("YYYY-MM", documents) by decision date (else document date), oldest first."""
        def by_month(view: _View) -> Counter[int]:
            if query is None:
                matches = [(s, s.documents()) for s in view.segments]
            else:
                ctx = _Context(view, self._postings)
                matches = self._match(ctx, self._plan(ctx, _normalised(query)))
            months: Counter[int] = Counter()
            for segment, docs in matches:
                dates = segment.ints("date")
                months.update(dates[d] // 100 for d in docs)
            return months

        months = self._reading(by_month, Counter())
        months.pop(0, None)
        return [(f"{m // 100:04d}-{m % 100:02d}", n) for m, n in sorted(months.items())]

    def close(self) -> None:
        with self._lock:
            if self._view is not None:
                self._view.close()
                self._view = None


# -- compiling a parsed query ---------------------------------------------------------


class _Compiler:
    """Turns the parsed query tree into :class:`_Node` objects for one index view."""

    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self.highlights = _Highlights()
        self.words: list[str] = []

    def compile(self, node: qs.Node | None) -> _Node | None:
        compiled = self._compile(node)
        return compiled.node if isinstance(compiled, _Optional) else compiled

    def _compile(self, node: qs.Node | None) -> _Node | None:
        if node is None:
            return None
        if isinstance(node, qs.Word):
            return self.word(node.text)
        if isinstance(node, qs.Phrase):
            return self.phrase(terms(EXACT["sv"], node.text))
        if isinstance(node, qs.Prefix):
            return self.prefix(node.text)
        if isinstance(node, qs.Dnr):
            return self.dnr(node.text)
        if isinstance(node, qs.Filter):
            fieldname = FILTER_FIELDS[node.name]
            return _Facet(fieldname, self.facet_keys(fieldname, [facet_key(node.value)]))
        if isinstance(node, qs.Not):
            inner = self.compile(node.node)
            return _Not(inner) if inner is not None else None
        parts = [p for p in (self._compile(n) for n in node.nodes) if p is not None]
        if isinstance(node, qs.Or) or all(isinstance(p, _Optional) for p in parts):
            parts = [p.node if isinstance(p, _Optional) else p for p in parts]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0].node if isinstance(parts[0], _Optional) else parts[0]
        return _And(parts) if isinstance(node, qs.And) else _Any(parts)

    def word(self, text: str) -> _Node | None:
        """A word as typed: its exact form, stems, title, compounds and accent-free forms."""
        words = terms(EXACT["sv"], text)
        if len(words) != 1:
            return self.phrase(words)
        word = words[0]
        self.words.append(word)
        swedish = STEMMING["sv"]._stem(word)
        english = STEMMING["en"]._stem(word)
        stems = list(dict.fromkeys((swedish, english, *_foreign_stems(word))))
        shared = (("exact", word), ("stem", swedish), ("meta", swedish))
        parts: list[_Node] = [_Leaf("exact", word, BOOST_EXACT, shared),
                              _Leaf("meta", swedish, BOOST_TITLE, shared)]
        for stem in stems:
            parts += [_Leaf("stem", stem, BOOST_STEM, shared),
                      _Leaf("title", stem, BOOST_TITLE, shared)]
        view = self.ctx.view
        expansions = [
            (view.expansions("compound", swedish), BOOST_COMPOUND),
            (view.expansions("modified", swedish), BOOST_MODIFIER),
        ]
        if fold(word) == word:  # typed without å, ä, ö: also find the accented forms
            expansions.append((view.expansions("accented", swedish), BOOST_FOLDED))
        for found, boost in expansions:
            found = [t for t in found if t not in stems]
            if found:
                parts.append(_Group("stem", found, boost))
                self.highlights.stems.update(found)
        split = view.compound_parts(word)
        if split:  # "kompetensförsörjning": "kompetens" and "försörjning" in the text
            parts.append(_And([_Group("stem", forms, BOOST_PARTS) for forms in split]))
            self.highlights.stems.update(split[0] + split[1])
        self.highlights.words.add(word)
        self.highlights.stems.update(stems)
        synonym = SYNONYMS.get(word)
        if synonym:  # "ud" ↔ "utrikesdepartementet"
            words = terms(EXACT["sv"], synonym)
            found = self.phrase(words) if len(words) > 1 else self._synonym_word(words)
            if found is not None:
                parts.append(found)
        return _Optional(_Any(parts)) if word in ENGLISH_STOP_WORDS else _Any(parts)

    def _synonym_word(self, words: list[str]) -> _Node | None:
        """One word standing for a query word: as written or by its stem."""
        if not words:
            return None
        self.highlights.words.update(words)
        stem = STEMMING["sv"]._stem(words[0])
        self.highlights.stems.add(stem)
        return _Any([_Leaf("exact", words[0], BOOST_EXACT), _Leaf("stem", stem, BOOST_STEM)])

    def phrase(self, words: list[str]) -> _Node | None:
        """Words in a row; a quoted single word means exactly that word."""
        if not words:
            return None
        if len(words) == 1:
            self.highlights.words.update(words)
            return _Leaf("exact", words[0], BOOST_EXACT + BOOST_STEM)
        spellings = [STEMMING["sv"].batch(words), STEMMING["en"].batch(words)]
        if spellings[0] == spellings[1]:
            spellings.pop()
        self.highlights.phrases.append(
            [min(stem, word, key=len) for stem, word in zip(spellings[-1], words, strict=True)])
        spellings += [STEMMING[language].batch(words) for language in FOREIGN_STEMMERS]
        return _Phrase(spellings, BOOST_EXACT)

    def prefix(self, text: str) -> _Node | None:
        """``hemlös*``: the most common words starting with the prefix."""
        words = terms(EXACT["sv"], text)
        if len(words) != 1 or len(words[0]) < MIN_PREFIX:
            return self.word(text)
        prefix = words[0]
        counts: Counter[str] = Counter()
        for segment in self.ctx.view.segments:
            for btext, info in segment.reader.iter_prefix("exact", prefix.encode("utf-8")):
                counts[btext.decode("utf-8")] += info.doc_frequency()
        self.highlights.prefixes.add(prefix)
        found = [t for t, _ in counts.most_common(MAX_EXPANSIONS)]
        return _Group("exact", found, BOOST_PREFIX, strong=True)

    def dnr(self, text: str) -> _Node | None:
        """A diarienummer: the normalised number, or its numbers as a phrase in the text."""
        parts: list[_Node] = []
        found = dnr_terms(text)
        if found:
            parts.append(_Group("dnr", found, BOOST_DNR, strong=True))
        numbers = self.phrase(terms(EXACT["sv"], text))
        if numbers is not None:
            parts.append(numbers)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else _Any(parts)

    def facet_keys(self, fieldname: str, keys: list[str]) -> list[str]:
        """Filter values as index terms; a value no document has matches as a prefix."""
        reader = self.ctx.view.reader
        resolved: list[str] = []
        for key in keys:
            if (fieldname, key.encode("utf-8")) in reader:
                resolved.append(key)
                continue
            expanded = [t.decode("utf-8") if isinstance(t, bytes) else t
                        for t in reader.expand_prefix(fieldname, key.encode("utf-8"))]
            resolved.extend(expanded[:MAX_EXPANSIONS] or [key])
        return resolved


def _foreign_stems(word: str) -> list[str]:
    """The word's stems in the analysis languages other than Swedish and English."""
    return [STEMMING[language]._stem(word) for language in FOREIGN_STEMMERS]


def _docnum_of(order_key: int) -> int:
    """The document number inside a :meth:`_Segment.date_order` key."""
    return _DOCNUMS - 1 - order_key % _DOCNUMS


def _relax(text: _And) -> _Node | None:
    """All words → some of them: the fallback when a many-word query finds nothing."""
    positive = [p for p in text.parts if not isinstance(p, _Not | _Optional)]
    negative = [p for p in text.parts if isinstance(p, _Not)]
    if len(positive) < 2:
        return None
    # Each word a document has adds its BM25 score: more words and rarer words rank
    # higher. Scaling by the share of the words found as well (coordination) ranked
    # worse on bench.quality's retrieval set (MRR@10 0.837 → 0.851 titles, 0.853 →
    # 0.887 questions without it).
    relaxed: _Node = _Any(positive)
    return _And([relaxed, *negative]) if negative else relaxed


def _normalised(query: Query) -> Query:
    """The query with paging and sort in range (what the search actually ran)."""
    return replace(
        query,
        page=max(1, min(int(query.page or 1), 10_000)),
        page_size=max(1, min(int(query.page_size or 20), MAX_PAGE_SIZE)),
        sort=query.sort if query.sort in SORTS else "relevance",
    )


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


def _arende_summary(arende: dict[str, Any]) -> dict[str, Any]:
    """What a hit tells of its ärende (the document JSON's ärende fields, its URL key)."""
    summary = {name: arende.get(name) for name in ARENDE_FIELDS}
    summary["key"] = arende_key(arende.get("number", ""))
    summary["numbering"] = arende.get("numbering") or "paragraph"
    return summary


def _key_terms(view: _View, doc: Document, count: int = 12) -> list[str]:
    """A document's most telling stems: frequent in it, rare in the archive."""
    language = document_language(doc)
    _, stems = analyse(doc.text, language)
    stems += terms(EXACT[language], doc.get("title") or "") * 2
    tf = Counter(s for s in stems if len(s) > 2 and not s.isdigit())
    scored = []
    common = max(2, view.doc_count // 2)  # in half the archive: says nothing
    for term, n in tf.most_common(300):
        df = view.reader.doc_frequency("stem", term)
        if 1 < df <= common:
            scored.append((n * log(1 + view.doc_count / df), term))
    return [term for _, term in heapq.nlargest(count, scored)]


# -- snippets -------------------------------------------------------------------------

_WORD_CHAR = re.compile(r"[^\W_]")


class _Marker:
    """Finds the query's matches in a text and cuts snippets around them.

    The candidate places are found with ``str.find`` (in C) for each needle — the query
    words, their stems, the stems less their last letter, and the compounds and
    accented forms the query was expanded to — anywhere in a word; only the words found
    there are then checked with the same analysis the search used. A 13 KB text takes
    a fraction of a millisecond.
    """

    def __init__(self, highlights: _Highlights) -> None:
        self.highlights = highlights
        needles = set()
        bare_stems = {stem.partition(":")[2] or stem for stem in highlights.stems}
        for word in highlights.words | bare_stems | highlights.prefixes:
            needles.add(word)
            if len(word) > 4:
                needles.add(word[:-1])
        needles.discard("")
        # A needle containing another finds nothing the other does not.
        self.needles = [n for n in needles if not any(m != n and m in n for m in needles)]
        self.verdicts: dict[str, bool] = {}
        # A phrase: its words' stems in a row, up to two (stop) words between them.
        self.phrases = [
            re.compile(r"(?<![^\W_])" + r"[^\W_]*[\W_]+(?:[^\W_]+[\W_]+){0,2}?".join(
                re.escape(stem) for stem in phrase) + r"[^\W_]*")
            for phrase in highlights.phrases
        ]

    def matches(self, word: str) -> bool:
        verdict = self.verdicts.get(word)
        if verdict is None:
            h = self.highlights
            verdict = (
                word in h.words
                or STEMMING["sv"]._stem(word) in h.stems
                or STEMMING["en"]._stem(word) in h.stems
                or any(stem in h.stems for stem in _foreign_stems(word))
                or any(word.startswith(p) for p in h.prefixes)
            )
            self.verdicts[word] = verdict
        return verdict

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every matching word in ``text``."""
        lowered = text.lower()
        if len(lowered) != len(text):  # a few characters lowercase to two
            lowered = "".join(c.lower()[:1] for c in text)
        words: dict[int, int] = {}
        for needle in self.needles:
            at = lowered.find(needle)
            while at >= 0:
                start, end = at, at + len(needle)
                while start > 0 and _WORD_CHAR.match(lowered, start - 1):
                    start -= 1
                while end < len(lowered) and _WORD_CHAR.match(lowered, end):
                    end += 1
                words[start] = end
                at = lowered.find(needle, end)
        found = [(s, e) for s, e in words.items() if self.matches(lowered[s:e])]
        for pattern in self.phrases:
            found += [m.span() for m in pattern.finditer(lowered)]
        spans: list[tuple[int, int]] = []
        for start, end in sorted(found):
            if spans and start < spans[-1][1]:  # a word inside a marked phrase
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
        return spans

    def snippets(self, doc: Document) -> list[Snippet]:
        text = doc.text
        spans = self.spans(text)
        if not spans:
            lead = _window(text, 0, 0)
            return [Snippet(_render(text, lead, []), 1)] if text.strip() else []
        windows = _choose_windows(text, spans)
        return [
            Snippet(_render(text, window, spans), doc.page_of(first))
            for window, first in windows
        ]


    def arende_snippets(self, source: Document | None, arende: dict[str, Any]) -> list[Snippet]:
        """An ärende's decision (or proposal) first, then where else in it the query matched.

        ``source`` is the document the ärende's offsets point into (None when gone).
        """
        start, end = arende.get("start"), arende.get("end")
        text = ""
        if source is not None and isinstance(start, int) and isinstance(end, int):
            text = source.text[start:end]
        pages = arende.get("pages") or [1]
        snippets: list[Snippet] = []
        decided = (-1, -1)  # where the decision stands in ``text``
        decision = arende.get("decision")
        if isinstance(decision, str) and decision.strip():
            spans = self.spans(decision)
            window = _window(decision, *spans[0]) if spans else _window(decision, 0, 0)
            at = text.find(decision[:40]) if text else -1
            page = source.page_of(start + at) if source is not None and at >= 0 else pages[0]
            if at >= 0:
                decided = (at, at + len(decision))
            label = "decision" if arende.get("status") else "proposal"
            snippets.append(Snippet(_render(decision, window, spans), page, label))
        if not text:
            return snippets
        spans = [span for span in self.spans(text)
                 if not decided[0] <= span[0] < decided[1]]
        if not spans:
            if not snippets:
                snippets.append(Snippet(_render(text, _window(text, 0, 0), []), pages[0]))
            return snippets
        for window, first in _choose_windows(text, spans)[: SNIPPETS_PER_HIT - len(snippets)]:
            snippets.append(Snippet(_render(text, window, spans), source.page_of(start + first)))
        return snippets


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    """A window of about ``SNIPPET_CHARS`` around [start, end), cut at spaces."""
    room = max(0, SNIPPET_CHARS - (end - start))
    left = max(0, start - room // 3)
    right = min(len(text), max(end, left + SNIPPET_CHARS))
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else right
    return left, right


def _choose_windows(text: str, spans: list[tuple[int, int]]) -> list[tuple[tuple[int, int], int]]:
    """Up to three non-overlapping windows holding the most different matched words."""
    lowered = [text[s:e].lower() for s, e in spans]
    candidates = []
    j = 0
    for i, (start, _) in enumerate(spans):
        j = max(j, i)
        while j + 1 < len(spans) and spans[j + 1][1] - start <= SNIPPET_CHARS * 2 // 3:
            j += 1
        distinct = len(set(lowered[i : j + 1]))
        candidates.append((distinct, j - i, -start, i, j))
    chosen: list[tuple[tuple[int, int], int]] = []
    for _, _, _, i, j in sorted(candidates, reverse=True):
        window = _window(text, spans[i][0], spans[j][1])
        if all(window[1] <= w[0] or window[0] >= w[1] for w, _ in chosen):
            chosen.append((window, spans[i][0]))
        if len(chosen) == SNIPPETS_PER_HIT:
            break
    return sorted(chosen)


def _render(text: str, window: tuple[int, int], spans: list[tuple[int, int]]) -> str:
    """The window as HTML: escaped, whitespace collapsed, matches in ``<mark>``."""
    left, right = window
    parts = ["…"] if left > 0 else []
    position = left
    for start, end in spans:
        if end <= left or start >= right:
            continue
        start, end = max(start, left), min(end, right)
        parts.append(_plain(text[position:start]))
        parts.append(f"<mark>{_plain(text[start:end])}</mark>")
        position = end
    parts.append(_plain(text[position:right]))
    if right < len(text):
        parts.append("…")
    return "".join(parts).strip()


def _plain(text: str) -> str:
    return html.escape(re.sub(r"\s+", " ", text), quote=True)


# -- the convenience function -----------------------------------------------------------

_searchers: dict[tuple[int, Path], Searcher] = {}
_searchers_lock = threading.Lock()


def searcher_for(home: Path) -> Searcher:
    """The shared :class:`Searcher` of an archive: one per home, per process.

    Keyed by process id too: a server that forks its workers must not share open index
    files (and their read positions) between them.
    """
    key = (os.getpid(), Path(home).resolve())
    with _searchers_lock:
        if key not in _searchers:
            _searchers[key] = Searcher(key[1])
        return _searchers[key]


def search(home: Path, query: Query) -> Results:
    """Search the archive at ``home`` (with a cached, shared :class:`Searcher`)."""
    return searcher_for(home).search(query)
