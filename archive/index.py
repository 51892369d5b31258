"""The Whoosh index of the archive: schema, analysis and the index lifecycle.

The index is derived from the catalog and can be rebuilt from it at any time. It lives
in ``ARKIV_HOME/index``::

    index/
        CURRENT        name of the live generation, swapped atomically (tmp + os.replace)
        write.lock     held by the one process writing the index (sync or rebuild)
        gen-0007/      a Whoosh index + ``arkiv.json`` (schema version, catalog seq)

A rebuild writes a new generation beside the live one and swaps ``CURRENT`` when it is
complete: searches keep answering from the old generation meanwhile, and a crash leaves
the old one in use (the half-built directory is removed by the next writer). A sync adds
the changed documents to the live generation as a new segment and deletes their earlier
postings, in one Whoosh commit; segments of a size are merged by copying their postings
(:class:`_SegmentMerger`), not by indexing their documents again.

Both write segments with :class:`_BulkSegmentWriter` (Whoosh's own writer manages ~45
documents a second on this kind of text; this one several hundred), in two processes
for big rebuilds.

Analysis is defined once, here, and used both to index and to query:

* ``exact``: words as written, lowercased, stop words dropped ("beslutet" matches
  "beslutet" only; ranked highest);
* ``stem``: the same words stemmed — Snowball Swedish (:mod:`archive.stemmer`) for
  Swedish documents, Snowball English for English ones; phrases are matched on each
  document's stems in order (:class:`StemSequences`), not on positions in postings;
* ``title``: the title, stemmed the same way.

Compound words ("nämnd" in "socialtjänstnämnden", "hemlöshet" in "hemlöshetsarbete") and
queries typed without å, ä, ö are matched at query time by expanding the query word over
the ``stem`` lexicon (:class:`SegmentLexicon`, see :mod:`archive.search`), so they need
no extra postings. Besides the text: diarienummer (``dnr``, normalised), the facets
(indexed for filtering, in columns for counting) and the dates (columns, YYYYMMDD).
"""

from __future__ import annotations

import bisect
import collections
import heapq
import io
import itertools
import json
import math
import mmap
import multiprocessing
import operator
import os
import pickle
import queue
import re
import shutil
import struct
import sys
import unicodedata
import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import Stemmer
from whoosh import index as whoosh_index
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.columns import NumericColumn, RefBytesColumn
from whoosh.fields import COLUMN, ID, FieldType, Schema
from whoosh.formats import Existence
from whoosh.index import TOC, clean_files
from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import SegmentReader
from whoosh.system import _LONG_SIZE, pack_ushort, unpack_int, unpack_long
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from archive.catalog import Catalog
from archive.home import ArchiveError, held_lock
from archive.models import Document, arende_key, arende_text
from archive.query import FACETS
from archive.stemmer import stem as swedish_stem

#: Bump when the schema or the analysis changes: older generations then need a rebuild.
SCHEMA_VERSION = 4

INDEX_NAME = "MAIN"
STATE_FILE = "arkiv.json"
CURRENT_FILE = "CURRENT"
LOCK_FILE = "write.lock"
GENERATION_PREFIX = "gen-"

#: Postings per block when rebuilding (Whoosh writes 128; bigger blocks decode faster).
BLOCK_POSTINGS = 1024
#: Documents per segment in a rebuild: bounds each writer's memory (~20 KB a document).
SEGMENT_DOCS = 15_000
#: Processes that analyse and write a rebuild (the machine has two cores) …
BUILD_WORKERS = 2
#: … once the catalog holds this many documents (starting them takes a second).
PARALLEL_FROM = 5_000
#: A sync merges this many small segments of about the same size into one.
MERGE_FACTOR = 8

# -- analysis ----------------------------------------------------------------------

#: A word: a run of letters and digits. å, ä and ö are letters; "EU-medborgare" and
#: "115-239/2002" are several words.
WORD_PATTERN = r"[^\W_]+"
SWEDISH_STOP_WORDS: frozenset[str] = frozenset(stoplists["sv"])
ENGLISH_STOP_WORDS: frozenset[str] = frozenset(stoplists["en"])
#: Analysis languages with a Snowball stemmer of their own (PyStemmer) besides Swedish
#: and English → the stemmer. Their stems carry the language ("fi:asunno"), so they
#: never meet a Swedish or English stem of another word; the query adds them.
FOREIGN_STEMMERS = {"fi": "finnish", "da": "danish", "no": "norwegian", "de": "german"}
LANGUAGES = ("sv", "en", *FOREIGN_STEMMERS)
#: A document's detected language → its analysis language (others are analysed as Swedish).
ANALYSIS_LANGUAGE = {"en": "en", "fi": "fi", "da": "da", "nb": "no", "nn": "no", "no": "no",
                     "de": "de"}

_english = stemmer_for_language("en")


def english_stem(word: str) -> str:
    """Snowball English (Porter 2): "cities" and "city" both become "citi"."""
    return _english(word)


class Words(RegexTokenizer):
    """Splits text into words (``WORD_PATTERN``)."""

    def __init__(self) -> None:
        super().__init__(WORD_PATTERN)

    def batch(self, text: str) -> list[str]:
        return self.expression.findall(text)


class Lowercase(LowercaseFilter):
    def batch(self, words: list[str]) -> list[str]:
        # One lower() over all words (they hold no newline, and lower() makes none).
        return "\n".join(words).lower().split("\n") if words else []


class DropStopWords(StopFilter):
    """Drops stop words; positions are renumbered, so phrases skip them."""

    def __init__(self, words: frozenset[str]) -> None:
        super().__init__(stoplist=words, minsize=1, renumber=True)

    def batch(self, words: list[str]) -> list[str]:
        stops = self.stops
        return [w for w in words if w not in stops]


class StemCache(dict):
    """word → stem, computed on first use; emptied when it grows past ``limit``.

    A plain dict lookup: stemming every word of every document is the hot path of
    indexing, and Whoosh's own LRU wrapper costs ~1.5 µs a word.
    """

    def __init__(self, stemfn: Callable[[str], str], limit: int = 500_000) -> None:
        super().__init__()
        self.stemfn = stemfn
        self.limit = limit

    def __missing__(self, word: str) -> str:
        if len(self) >= self.limit:
            self.clear()
        stem = self[word] = self.stemfn(word)
        return stem


class Stem(StemFilter):
    """Stems each word (through a :class:`StemCache`)."""

    def __init__(self, stemfn: Callable[[str], str]) -> None:
        super().__init__(stemfn=stemfn)

    def clear(self) -> None:
        self._stem = StemCache(self.stemfn).__getitem__

    def batch(self, words: list[str]) -> list[str]:
        return list(map(self._stem, words))


def _foreign_stem(language: str) -> Callable[[str], str]:
    """The Snowball stemmer of ``language`` whose stems carry the language code."""
    stem_word = Stemmer.Stemmer(FOREIGN_STEMMERS[language]).stemWord
    prefix = f"{language}:"
    return lambda word: prefix + stem_word(word)


#: Words as written (lowercase, no stop words), per document language.
EXACT = {
    "sv": Words() | Lowercase() | DropStopWords(SWEDISH_STOP_WORDS),
    "en": Words() | Lowercase() | DropStopWords(ENGLISH_STOP_WORDS),
    **{lang: Words() | Lowercase() | DropStopWords(frozenset(stoplists[lang]))
       for lang in FOREIGN_STEMMERS},
}
STEMMING = {"sv": Stem(swedish_stem), "en": Stem(english_stem),
            **{lang: Stem(_foreign_stem(lang)) for lang in FOREIGN_STEMMERS}}
#: Words stemmed in the document's language: the exact pipeline plus a stemmer.
STEMS = {language: EXACT[language] | STEMMING[language] for language in LANGUAGES}


def terms(analyzer: Any, text: str) -> list[str]:
    """The terms a pipeline makes of a text, in order (list index = position).

    Runs each pipeline step over the whole list of words at once (``batch``) rather
    than token by token; ``tests/test_index.py`` checks it agrees with Whoosh's own
    token-stream run of the same pipeline.
    """
    tokenizer, *filters = analyzer.items
    words = tokenizer.batch(text)
    for step in filters:
        words = step.batch(words)
    return words


def analyse(text: str, language: str) -> tuple[list[str], list[str]]:
    """A text's exact words and their stems, in the given analysis language (``LANGUAGES``)."""
    exact = terms(EXACT[language], text)
    return exact, STEMMING[language].batch(exact)


def document_language(doc: Document) -> str:
    """The analysis language of a document (``ANALYSIS_LANGUAGE``), else Swedish."""
    return ANALYSIS_LANGUAGE.get(doc.get("language") or "", "sv")


_FOLD = str.maketrans("åäöáàâãéèêëíìîïóòôõúùûüýÿæøç", "aaoaaaaeeeeiiiioooouuuuyyaoc")


def fold(text: str) -> str:
    """å→a, ä→a, ö→o (and other accents): how a word is typed on a foreign keyboard.

    One character in, one character out, so offsets in folded text match the original.
    """
    return text.translate(_FOLD)


class SegmentLexicon:
    """The ``stem`` terms of one segment, filed for compound and accent-free lookups.

    Search expands a query word to the terms that end with it ("…nämnd"), start with it
    ("hemlös…") or read like it without å, ä, ö; the term dictionary can only be walked
    forwards, so the terms are also kept sorted by their reversed and their folded form
    (as positions in ``terms``). A rebuild writes this beside each segment it makes
    (``MAIN_<segment>.lex``, removed with the segment); for segments from Whoosh's own
    writer (small ones, from syncs) it is built from the term dictionary when needed.
    """

    EXTENSION = ".lex"

    def __init__(self, terms: list[str], doc_frequencies: array) -> None:
        self.terms = terms
        self.dfs = doc_frequencies
        everything = range(len(terms))
        self.by_reversed = array("I", sorted(everything, key=lambda i: terms[i][::-1]))
        self.by_folded = array("I", sorted(everything, key=lambda i: fold(terms[i])))

    @classmethod
    def of_segment(cls, storage: Any, segment: Any, reader: Any) -> SegmentLexicon:
        name = segment.make_filename(cls.EXTENSION)
        if storage.file_exists(name):
            with storage.open_file(name) as handle:
                lexicon = pickle.loads(handle.read())
            if isinstance(lexicon, cls):
                return lexicon
        terms, dfs = [], array("I")
        for btext, info in reader.iter_field("stem"):
            terms.append(btext.decode("utf-8"))
            dfs.append(info.doc_frequency())
        return cls(terms, dfs)

    def save(self, storage: Any, segment: Any) -> None:
        with segment.create_file(storage, self.EXTENSION) as handle:
            handle.write(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL))

    def _run(self, order: Sequence[int], key: Callable[[int], str], start: str
             ) -> Iterator[tuple[str, int]]:
        i = bisect.bisect_left(order, start, key=key)
        while i < len(order) and key(order[i]).startswith(start):
            yield self.terms[order[i]], self.dfs[order[i]]
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


# -- diarienummer -------------------------------------------------------------------

_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_DNR_LABEL = re.compile(r"^(?:DNR|DIARIENUMMER|DIARIENR)\b[\s.:]*")
_DNR_PREFIX = re.compile(r"^[^\W\d_]+")


def normalise_dnr(value: str) -> str:
    """A diarienummer as one comparable term: uppercase, no spaces, one kind of dash.

    "ks 2019/123", "KS 2019 / 123" and "Dnr KS 2019/123" all become "KS2019/123";
    "115 - 239/2002" becomes "115-239/2002".
    """
    text = unicodedata.normalize("NFKC", value).upper().translate(_DASHES).strip()
    text = _DNR_LABEL.sub("", text)
    return re.sub(r"\s+", "", text)


def dnr_terms(value: str) -> list[str]:
    """The index terms of one diarienummer: normalised, and without its letter prefix."""
    full = normalise_dnr(value)
    if not full:
        return []
    core = _DNR_PREFIX.sub("", full)
    return [full, core] if core and core != full and any(c.isdigit() for c in core) else [full]


# -- schema -------------------------------------------------------------------------


class TermsField(FieldType):
    """Text already analysed by this module: the value is the list of terms in order.

    Postings keep term frequencies (as weights), no positions: phrases are matched on
    the stem sequences of :class:`StemSequences` instead. ``pipeline`` names the
    analysis used for queries; with ``sequences`` a rebuild keeps each document's terms
    in order beside the segment.
    """

    def __init__(self, pipeline: str, *, sequences: bool = False) -> None:
        self.pipeline = pipeline
        self.sequences = sequences
        self.format = Existence()
        self.scorable = True
        self.stored = False
        self.unique = False
        self.vector = None
        self.column_type = None

    @property
    def analyzer(self) -> Any:
        return {"exact": EXACT, "stems": STEMS}[self.pipeline]["sv"]

    def index(self, value: list[str], **kwargs: Any) -> list[tuple[bytes, int, float, bytes]]:
        return [(t.encode(), f, float(f), b"") for t, f in Counter(value).items()]


class FacetColumn(RefBytesColumn):
    """A facet's values as written ("\\x1f"-joined), one shared copy per distinct set."""

    class Reader(RefBytesColumn.Reader):
        def codes(self) -> array:
            """Every document's index into :meth:`values`, read in one go."""
            raw = self._dbfile.get(self._basepos, self._doccount * self._itemsize)
            return _big_endian_array(self._typecode, raw)

        def values(self) -> list[tuple[str, ...]]:
            return [tuple(v.decode("utf-8").split("\x1f")) if v else () for v in self._uniques]


class IntColumn(NumericColumn):
    """Integers per document (dates as YYYYMMDD, field lengths) with a bulk read."""

    class Reader(NumericColumn.Reader):
        def load_array(self, doccount: int) -> array:
            """Every document's value, read in one go (missing values are the default)."""
            raw = self._dbfile.get(self._basepos, self._count * self._fixedlen)
            values = _big_endian_array(self._typecode, raw)
            values.extend([self._default] * (doccount - len(values)))
            return values


def _big_endian_array(typecode: str, raw: bytes) -> array:
    values = array(typecode, raw)
    if values.itemsize > 1 and sys.byteorder == "little":
        values.byteswap()
    return values


class FacetField(FieldType):
    """Values people filter and count by (city, projects …).

    Indexed casefolded, one term per value, for filtering; kept as written in a column
    for counting facets over a result set.
    """

    def __init__(self) -> None:
        self.format = Existence()
        self.analyzer = None
        self.scorable = False
        self.stored = False
        self.unique = False
        self.vector = None
        self.column_type = FacetColumn()

    def index(self, value: list[str], **kwargs: Any) -> list[tuple[bytes, int, float, bytes]]:
        keys = dict.fromkeys(facet_key(v) for v in value)
        return [(k.encode(), 1, 1.0, b"") for k in keys if k]

    def to_column_value(self, value: list[str]) -> bytes:
        return "\x1f".join(value).encode("utf-8")


class KeywordsField(FacetField):
    """Identifiers matched exactly (diarienummer), not counted: no column."""

    def __init__(self) -> None:
        super().__init__()
        self.column_type = None

    def index(self, value: list[str], **kwargs: Any) -> list[tuple[bytes, int, float, bytes]]:
        return [(k.encode(), 1, 1.0, b"") for k in dict.fromkeys(value) if k]


def facet_key(value: str) -> str:
    """How a facet value is matched: casefolded, spaces collapsed."""
    return " ".join(value.casefold().split())


#: Facet fields: the facets search results show (:data:`archive.query.FACETS`).
FACET_FIELDS = FACETS
DATE_FIELDS = ("date", "decision_date", "document_date")
LENGTH_FIELDS = {"exact": "exact_len", "stem": "stem_len", "title": "title_len",
                 "meta": "meta_len"}
#: The facets whose values a free-text word also matches (``meta``, ranked like the
#: title): staff type the kommun, the stadsdel, the nämnd or the project into the box
#: ("bygglov lerum" for Lerum's bygglov decisions, whose text need not say "Lerum").
META_FACETS = ("city", "districts", "committee", "projects")
#: A column of per-entry rank weights in percent (see :func:`arende_weight`).
WEIGHT_FIELD = "weight"
#: An entry's id: the document's id, and for an ärende "<document id>/<ärende key>".
ENTRY_SEPARATOR = "/"
#: The facets an ärende has of its own when extraction found them, else its document's.
ARENDE_OWN_FACETS = ("districts", "cities_mentioned", "projects", "topics")


def make_schema() -> Schema:
    fields: dict[str, Any] = {
        "id": ID(stored=True, unique=True),
        "doc": ID(stored=True),
        "exact": TermsField("exact"),
        "stem": TermsField("stems", sequences=True),
        "title": TermsField("stems"),
        "meta": TermsField("stems"),
        "dnr": KeywordsField(),
    }
    fields.update({name: FacetField() for name in FACET_FIELDS})
    fields.update({name: COLUMN(IntColumn("i", default=0)) for name in DATE_FIELDS})
    fields.update({name: COLUMN(IntColumn("H", default=0)) for name in LENGTH_FIELDS.values()})
    fields[WEIGHT_FIELD] = COLUMN(IntColumn("H", default=100))
    return Schema(**fields)


def _date_number(value: Any) -> int:
    """An ISO date as YYYYMMDD (0 when unknown or malformed)."""
    if not isinstance(value, str):
        return 0
    digits = value[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(v) for v in value if v is not None and str(v).strip()]


def document_fields(doc: Document) -> dict[str, Any]:
    """What the index keeps of a document (its text is analysed, not stored)."""
    dnrs = [doc.get("dnr") or ""] + [
        d.get("normalised") or d.get("verbatim") or ""
        for d in (doc.metadata.get("dnrs") or [])
        if isinstance(d, dict)
    ]
    return _entry(
        doc,
        entry_id=doc.id,
        kind="document",
        text=doc.text,
        title=doc.get("title") or "",
        dnrs=dnrs,
        decision=_date_number(doc.get("decision_date")),
        facets={name: doc.get(name) for name in FACET_FIELDS},
        weight=100,
    )


def index_entries(doc: Document, arende_source: str | None = None) -> Iterator[dict[str, Any]]:
    """The index entries of a document: its own, then one per ärende (§ or agenda item).

    ``arende_source`` is the text the ärenden's offsets refer to when it is not the
    document's own (a near-duplicate group's ärenden may come from another rendering,
    ``arenden_source``); without it an ärende is found by its heading and decision.
    An ärende inherits its document's city, committee, type and language, and is dated
    by the meeting; places, projects and topics are its own where extraction found them.
    """
    yield document_fields(doc)
    arenden = doc.metadata.get("arenden") or []
    if not arenden:
        return
    source_id = doc.metadata.get("arenden_source") or doc.id
    source = doc.text if source_id == doc.id else arende_source
    meeting = (doc.metadata.get("meeting") or {}).get("meeting_date")
    decision = _date_number(doc.get("decision_date")) or _date_number(meeting)
    inherited = {name: doc.get(name) for name in FACET_FIELDS}
    seen: set[str] = set()
    for arende in arenden:
        key = arende_key(arende.get("number", ""))
        if key in seen:
            continue
        seen.add(key)
        facets = {**inherited, **{name: arende[name] for name in ARENDE_OWN_FACETS if name in arende}}
        facets["cities_mentioned"] = [c for c in _as_list(facets["cities_mentioned"])
                                      if c != doc.get("city")]
        yield _entry(
            doc,
            entry_id=f"{doc.id}{ENTRY_SEPARATOR}{key}",
            kind="arende",
            text=_arende_text(arende, source),
            title=arende.get("heading") or "",
            dnrs=[arende.get("dnr") or "", *(arende.get("dnrs") or [])],
            decision=decision,
            facets=facets,
            weight=arende_weight(arende),
        )


def entry_document(entry_id: str) -> tuple[str, str | None]:
    """(document id, ärende key or None) of an index entry's id."""
    doc_id, _, key = entry_id.partition(ENTRY_SEPARATOR)
    return doc_id, key or None


def arende_weight(arende: dict[str, Any]) -> int:
    """How an ärende ranks against an equally good match, in percent of a document.

    A § of a protokoll (where the matter was decided) ranks above the document it is
    in and above the agenda item that announced it; an agenda item whose decision is
    known ranks below that §.
    """
    if arende.get("numbering") == "item":
        return 80 if arende.get("decided_in") else 100
    return 125


def _arende_text(arende: dict[str, Any], source: str | None) -> str:
    """An ärende's passage, or without its source text its heading and decision."""
    text = arende_text(source, arende) if source is not None else ""
    parts = (arende.get("heading"), arende.get("decision"))
    return text or "\n".join(p for p in parts if isinstance(p, str))


def _entry(
    doc: Document,
    *,
    entry_id: str,
    kind: str,
    text: str,
    title: str,
    dnrs: list[Any],
    decision: int,
    facets: dict[str, Any],
    weight: int,
) -> dict[str, Any]:
    language = document_language(doc)
    exact, stems = analyse(text, language)
    title_terms = terms(STEMS[language], title)
    meta_terms = terms(STEMS["sv"], "\n".join(v for name in META_FACETS
                                              for v in _as_list(facets.get(name))))
    document = _date_number(doc.get("document_date"))
    date = decision or document
    fields: dict[str, Any] = {
        "id": entry_id,
        "doc": doc.id,
        "exact": exact,
        "stem": stems,
        "title": title_terms,
        "meta": meta_terms,
        "dnr": list(dict.fromkeys(t for d in dnrs if isinstance(d, str) for t in dnr_terms(d))),
        "year": [str(date // 10000)] if date else [],
        "date": date,
        "decision_date": decision,
        "document_date": document,
        "exact_len": min(len(exact), 65535),
        "stem_len": min(len(stems), 65535),
        "title_len": min(len(title_terms), 65535),
        "meta_len": min(len(meta_terms), 65535),
        WEIGHT_FIELD: weight,
    }
    for name in FACET_FIELDS:
        if name not in ("year", "kind"):
            fields[name] = _as_list(facets.get(name))
    fields["kind"] = [kind]
    return fields


# -- bulk writing -------------------------------------------------------------------


class _TermPostings(dict):
    """A field's postings while a segment is written: term → array (doc, freq, doc …)."""

    def __missing__(self, term: str) -> array:
        entry = self[term] = array("I")
        return entry


class _BulkSegmentWriter(SegmentWriter):
    """Writes one new segment (rebuilds, syncs), several times faster than Whoosh's writer.

    Whoosh's writer turns every posting into a tuple, external-sorts them through
    pickled temporary runs and writes them one call at a time (~9 µs a posting; a
    document has ~1,200). Documents arrive in docnum order, so each term's postings
    are already sorted: this writer appends them to one compact ``array`` per term
    (doc, frequency, doc, frequency …) and writes whole blocks to the postings file at
    once; it also makes the segment's :class:`SegmentLexicon` and
    :class:`StemSequences`, saved beside it. It relies on the internals of Whoosh's W3 codec, pinned by
    ``whoosh-reloaded<2.8``; ``tests/test_index.py`` reads what it writes back through
    Whoosh's own API.
    """

    def __init__(self, ix: Any) -> None:
        # Not a compound file: Whoosh would copy each part of it into memory to read it.
        super().__init__(ix, limitmb=16, compound=False, _lk=False)
        self.lexicon: SegmentLexicon | None = None
        self.sequences: StemSequences | None = None
        self._terms: dict[str, _TermPostings] = {}
        self._other: dict[str, dict[bytes, list[tuple[int, float, bytes]]]] = {}
        self._lengths: dict[str, array] = {}
        # The stems of each document in order, as ids numbered as first seen.
        self._stem_ids: defaultdict[str, int] = defaultdict(itertools.count().__next__)
        self._sequence = array("I")
        self._sequence_ends = array("Q")

    def _finish(self) -> None:
        # Whoosh's writer removes the index's shared temporary folder here, under the
        # feet of any other writer using it (a sync's own writer, the other build
        # process); each writer removes its own temporary files anyway.
        self.is_closed = True

    def add_document(self, **fields: Any) -> None:
        docnum = self.docnum
        schema = self.schema
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            field = schema[name]
            length = 0
            if isinstance(field, TermsField):
                length = len(value)
                self._add_terms(name, docnum, value)
                self._lengths.setdefault(name, array("I")).append(length)
                if field.sequences:
                    self._sequence.extend(map(self._stem_ids.__getitem__, value))
                    self._sequence_ends.append(len(self._sequence))
            elif field.indexed:
                other = self._other.setdefault(name, {})
                for tbytes, _freq, weight, vbytes in field.index(value):
                    other.setdefault(tbytes, []).append((docnum, weight, vbytes))
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _add_terms(self, name: str, docnum: int, words: list[str]) -> None:
        buffer = self._terms.get(name)
        if buffer is None:
            buffer = self._terms[name] = _TermPostings()
        counts = Counter(words)
        # Each term's array gets (docnum, frequency) appended; the loops run in C
        # (a Python loop over a document's ~1,800 terms was a third of a sync's time).
        entries = list(map(buffer.__getitem__, counts))
        collections.deque(map(array.append, entries, itertools.repeat(docnum)), maxlen=0)
        collections.deque(map(array.append, entries, counts.values()), maxlen=0)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        writer = self.fieldwriter
        for name in sorted({*self._terms, *self._other}):
            field = self.schema[name]
            writer.start_field(name, field)
            if name in self._terms:
                terms, dfs = self._write_terms(self._terms.pop(name), self._lengths[name])
                if field.sequences:
                    self.lexicon = SegmentLexicon(terms, dfs)
                    self.sequences = self._renumbered_sequences(terms)
            else:
                for tbytes, postings in sorted(self._other.pop(name).items()):
                    writer.start_term(tbytes)
                    for docnum, weight, vbytes in postings:
                        writer.add(docnum, weight, vbytes, 0)
                    writer.finish_term()
            writer.finish_field()
        writer.close()

    def _write_terms(self, buffer: dict[str, array], lengths: array) -> tuple[list[str], array]:
        """Write a field's postings; returns its terms and their document frequencies."""
        writer = self.fieldwriter
        fieldid = pack_ushort(writer._fieldid)
        bounds = (max(1, min(lengths)), max(1, max(lengths)))
        terms = sorted(buffer)
        dfs = array("I")
        for term in terms:
            entry = buffer.pop(term)
            docs, freqs = entry[0::2].tolist(), entry[1::2].tolist()
            terminfo = _write_postings(writer._postfile, docs, freqs, bounds)
            writer._tindex.add(fieldid + term.encode("utf-8"), terminfo.to_bytes())
            dfs.append(len(docs))
        return terms, dfs

    def _renumbered_sequences(self, terms: list[str]) -> StemSequences:
        """The stem sequences with each stem's id its place in the sorted ``terms``."""
        place = array("I", bytes(4 * len(self._stem_ids)))
        for index, term in enumerate(terms):
            place[self._stem_ids[term]] = index
        return StemSequences.of_ids(array("I", map(place.__getitem__, self._sequence)),
                                    self._sequence_ends)


#: Posting lists this short are kept inside the term dictionary entry (no block).
INLINE_POSTINGS = 2
#: Blocks smaller than this (pickled bytes) are not worth compressing.
COMPRESS_FROM = 96


def _write_postings(
    postfile: Any, docs: list[int], freqs: list[int], lengths: tuple[int, int]
) -> W3TermInfo:
    """Write one term's postings in the W3 format; returns its term info.

    The bytes Whoosh's ``W3PostingsWriter`` writes, except that frequencies stay ints,
    tiny blocks are left uncompressed, very short lists are inlined (Whoosh's own
    inlining is broken: ``set_inline`` vs ``set_inlined``) and every block records the
    segment's shortest and longest field length (a safe bound for Whoosh's block-skipping
    scorers, and no per-posting lookup).
    """
    shortest, longest = lengths
    terminfo = W3TermInfo(
        weight=float(sum(freqs)), df=len(docs), minlength=shortest, maxlength=longest,
        maxweight=float(max(freqs)), minid=docs[0], maxid=docs[-1],
    )
    if len(docs) <= INLINE_POSTINGS:
        terminfo.set_inlined(docs, [float(f) for f in freqs], [b""] * len(docs))
        return terminfo
    start = postfile.tell()
    postfile.write(WHOOSH3_HEADER_MAGIC)
    length_bytes = (length_to_byte(shortest), length_to_byte(longest))
    for first in range(0, len(docs), BLOCK_POSTINGS):
        last = first + BLOCK_POSTINGS
        ids = docs[first:last]
        weights = freqs[first:last]
        deltas = tuple(map(operator.sub, ids, [0, *ids[:-1]]))
        mini_weights = None if weights.count(1) == len(weights) else tuple(weights)
        data = pickle.dumps((deltas, mini_weights, None), 2)
        compression = 1 if len(data) >= COMPRESS_FROM else 0
        if compression:
            data = zlib.compress(data, compression)
        info = pickle.dumps((len(ids), ids[-1], float(max(weights)), compression, *length_bytes), 2)
        size = len(info) + len(data)
        postfile.write_int(-size if last >= len(docs) else size)
        postfile.write(info)
        postfile.write(data)
    terminfo.set_extent(start, postfile.tell() - start)
    return terminfo


def _extend_block(ids: array, weights: array, deltas: Sequence[int], block_weights: Any) -> None:
    """Append one W3 block's postings: ids from their deltas, weights as stored (None:
    all 1; one number: all that; else one each), as ints when ``weights`` holds ints."""
    if block_weights is None:
        weights.extend(itertools.repeat(1, len(deltas)))
    elif isinstance(block_weights, int | float):
        weight = block_weights if weights.typecode == "f" else int(block_weights)
        weights.extend(itertools.repeat(weight, len(deltas)))
    else:
        weights.extend(block_weights if weights.typecode == "f" else map(int, block_weights))
    ids.extend(itertools.accumulate(deltas))


def read_postings(matcher: Any) -> tuple[array, array]:
    """All (docnums, weights) of a posting list, a block at a time (search's reader).

    Reads the W3 codec's blocks directly (``whoosh-reloaded<2.8``): decoding ids with
    :func:`itertools.accumulate` instead of one ``next()`` call per posting. Deleted
    documents are not removed (the caller knows them).
    """
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    ids = array("I")
    weights = array("f")
    if isinstance(matcher, ListMatcher):  # a short list inlined in the term dictionary
        ids.extend(matcher._ids)
        weights.extend(matcher._weights or itertools.repeat(1, len(matcher._ids)))
        return ids, weights
    while True:
        if matcher._data is None:
            matcher._read_data()
        deltas, block_weights, _ = matcher._data
        _extend_block(ids, weights, deltas, block_weights)
        if matcher._lastblock:
            return ids, weights
        matcher._goto(matcher._nextoffset)


class _SegmentMerger(_BulkSegmentWriter):
    """Merges segments into one new segment by copying what they hold.

    Stored fields, columns, field lengths, postings, the stem lexicon and the stem
    sequences are read from the segments and written again with the documents
    renumbered, deleted ones left out; no text is read from the catalog or analysed
    again (a re-index costs ~3.5 ms a document, a copy a tenth of that). Postings of a
    term are streamed from every segment in term order, so memory is one term's postings
    and the lexicon, whatever the segments' size. Segments without stem sequences (never
    written by this module) cannot be merged this way: see :meth:`can_merge`.
    """

    def __init__(self, ix: Any, segments: list[Any]) -> None:
        super().__init__(ix)
        self.readers = [SegmentReader(ix.storage, ix.schema, s) for s in segments]
        #: Per segment: each old docnum's new one, -1 for a deleted entry.
        self.docmaps: list[array] = []
        #: Per segment without deletions: what its docnums move by (None: see docmaps).
        self._shifts: list[int | None] = []
        #: Per segment: each old stem id's new one (filled while the stems are merged).
        self._stem_maps: list[array] = []

    @staticmethod
    def can_merge(storage: Any, segments: list[Any]) -> bool:
        """Whether every segment has its stem sequences (all this module writes do)."""
        for segment in segments:
            if not storage.file_exists(segment.make_filename(StemSequences.EXTENSION)):
                return False
        return True

    def merged_segment(self) -> Any:
        """Write the merged segment (with its lexicon and sequences); returns it."""
        try:
            for reader in self.readers:
                self._copy_entries(reader)
            segment = self._finalize_segment()
            if self.lexicon is not None:
                self.lexicon.save(self.storage, segment)
                self._save_sequences(segment)
            self._finish()
            return segment
        finally:
            for reader in self.readers:
                reader.close()

    # -- per entry: stored fields, lengths, columns ----------------------------------

    def _copy_entries(self, reader: Any) -> None:
        schema = self.schema
        size = reader.doc_count_all()
        deleted = set(reader.segment().deleted_docs() or ())
        docmap = array("i", [-1]) * size
        self.docmaps.append(docmap)
        self._shifts.append(None if deleted else self.docnum)
        columns = {name: _column_values(reader, name, size)
                   for name in schema.names() if schema[name].column_type is not None}
        columns = {name: values for name, values in columns.items() if values is not None}
        # A TermsField's length: exact from its own column (capped at 65,535 there),
        # else as Whoosh kept it (a byte: exact for short fields).
        capped = {name: columns.get(LENGTH_FIELDS[name]) for name in schema.names()
                  if isinstance(schema[name], TermsField)}
        perdoc = self.perdocwriter
        for old in range(size):
            if old in deleted:
                continue
            docnum = docmap[old] = self.docnum
            perdoc.start_doc(docnum)
            for name, value in reader.stored_fields(old).items():
                perdoc.add_field(name, schema[name], value, 0)
            for name, lengths in capped.items():
                length = lengths[old] if lengths is not None else 0
                if lengths is None or length >= 65535:
                    length = reader.doc_field_length(old, name, 0)
                if length:
                    perdoc.add_field(name, schema[name], None, length)
                self._lengths.setdefault(name, array("I")).append(length)
            for name, values in columns.items():
                perdoc.add_column_value(name, schema[name].column_type, values[old])
            perdoc.finish_doc()
            self.docnum += 1
        self._added = True

    # -- postings --------------------------------------------------------------------

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        names = sorted({name for reader in self.readers for name in reader.indexed_field_names()})
        for name in names:
            field = self.schema[name]
            if isinstance(field, TermsField):
                self._merge_terms(name, field)
            elif field.indexed:
                self._merge_other(name, field)
        self.fieldwriter.close()

    def _term_sources(self, name: str) -> Iterator[tuple[bytes, list[tuple[int, bytes]]]]:
        """Each term of the field in order, with the segments holding it (index, term info)."""
        def tagged(index: int) -> Iterator[tuple[bytes, int, bytes]]:
            for term, info in _field_terms(self.readers[index], name):
                yield term, index, info

        merged = heapq.merge(*(tagged(index) for index in range(len(self.readers))))
        for term, group in itertools.groupby(merged, key=operator.itemgetter(0)):
            yield term, [(index, info) for _, index, info in group]

    def _postings(self, index: int, info: bytes, weight_type: str) -> tuple[array, array]:
        """A term's postings in segment ``index``, renumbered, deleted entries left out."""
        ids, weights = _stored_postings(self.readers[index]._terms._postfile, info, weight_type)
        shift = self._shifts[index]
        if shift is not None:  # no deletions: every entry moves by the same amount
            return (array("I", [i + shift for i in ids]) if shift else ids), weights
        docmap = self.docmaps[index]
        keep = [k for k, i in enumerate(ids) if docmap[i] >= 0]
        return (array("I", [docmap[ids[k]] for k in keep]),
                array(weight_type, [weights[k] for k in keep]))

    def _merge_terms(self, name: str, field: TermsField) -> None:
        writer = self.fieldwriter
        lengths = self._lengths.get(name) or array("I", [0])
        bounds = (max(1, min(lengths)), max(1, max(lengths)))
        started = False
        terms: list[str] = []
        dfs = array("I")
        if field.sequences:
            self._stem_maps = [array("I") for _ in self.readers]
        for term, sources in self._term_sources(name):
            docs, freqs = array("I"), array("I")
            for index, info in sources:
                ids, weights = self._postings(index, info, "I")
                docs.extend(ids)
                freqs.extend(weights)
            if field.sequences:  # a segment's stem ids are its terms' places, in order
                for index, _ in sources:
                    self._stem_maps[index].append(len(terms) if docs else 0)
            if not docs:
                continue
            if not started:
                writer.start_field(name, field)
                started = True
            terminfo = _write_postings(writer._postfile, docs.tolist(), freqs.tolist(), bounds)
            writer._tindex.add(pack_ushort(writer._fieldid) + term, terminfo.to_bytes())
            if field.sequences:
                terms.append(term.decode("utf-8"))
                dfs.append(len(docs))
        if started:
            writer.finish_field()
        if field.sequences:
            self.lexicon = SegmentLexicon(terms, dfs)

    def _merge_other(self, name: str, field: Any) -> None:
        writer = self.fieldwriter
        started = False
        for term, sources in self._term_sources(name):
            postings: list[tuple[int, float]] = []
            for index, info in sources:
                ids, weights = self._postings(index, info, "f")
                postings.extend(zip(ids, weights, strict=True))
            if not postings:
                continue
            if not started:
                writer.start_field(name, field)
                started = True
            writer.start_term(term)
            for docnum, weight in postings:
                writer.add(docnum, weight, b"", 0)
            writer.finish_term()
        if started:
            writer.finish_field()

    # -- stem sequences ----------------------------------------------------------------

    def _save_sequences(self, segment: Any) -> None:
        """Each live entry's stems, renumbered into the merged lexicon, streamed to disk
        ``_SEQUENCE_CHUNK`` entries at a time (a segment's are ~6 KB an entry)."""
        storage = self.storage
        sources = [r.segment().make_filename(StemSequences.EXTENSION) for r in self.readers]
        source_ends = [StemSequences.ends_of(storage, name) for name in sources]
        ends = array("Q")
        total = 0
        for docmap, old_ends in zip(self.docmaps, source_ends, strict=True):
            for old, new in enumerate(docmap):
                if new >= 0:
                    total += old_ends[old] - (old_ends[old - 1] if old else 0)
                    ends.append(total)
        with segment.create_file(storage, StemSequences.EXTENSION) as handle:
            handle.write(_little_endian(array("Q", [len(ends)])).tobytes())
            handle.write(_little_endian(ends).tobytes())
            for name, old_ends, docmap, stem_map in zip(
                sources, source_ends, self.docmaps, self._stem_maps, strict=True
            ):
                with storage.open_file(name) as source:
                    base = 8 + 8 * len(old_ends)
                    for first in range(0, len(docmap), _SEQUENCE_CHUNK):
                        last = min(first + _SEQUENCE_CHUNK, len(docmap))
                        low = old_ends[first - 1] if first else 0
                        source.seek(base + 4 * low)
                        ids = _little_endian(array("I", source.read(4 * (old_ends[last - 1] - low))))
                        mapped = array("I", map(stem_map.__getitem__, ids))
                        if all(docmap[old] >= 0 for old in range(first, last)):
                            handle.write(_little_endian(mapped).tobytes())
                            continue
                        for old in range(first, last):
                            if docmap[old] >= 0:
                                start = (old_ends[old - 1] if old else 0) - low
                                run = mapped[start : old_ends[old] - low]
                                handle.write(_little_endian(run).tobytes())


#: Entries whose stem sequences a merge reads and writes at a time.
_SEQUENCE_CHUNK = 1000
#: A record of Whoosh's term file: key length, value length (then key, value).
_RECORD = struct.Struct("!ii")
_TERMINFO_SIZE = W3TermInfo._struct.size
_READ_AHEAD = 1 << 20


def _field_terms(reader: Any, name: str) -> Iterator[tuple[bytes, bytes]]:
    """(term, term info as stored) of one field of a segment, in order.

    Reads Whoosh's ordered term file front to back, a megabyte at a time (its own
    iterator makes several small reads and decodes every term info: ~12 µs a term).
    """
    table = reader._terms._tindex
    prefix = reader._terms._keycoder(name, b"")
    position = table.closest_key_pos(prefix)
    if position is None:
        return
    end = table.endofdata
    buffer, start = b"", position  # buffer holds the file from ``start``
    while position < end:
        offset = position - start
        if offset + _RECORD.size > len(buffer):
            size = min(max(_READ_AHEAD, _RECORD.size), end - position)
            buffer, start = table.dbfile.get(position, size), position
            offset = 0
        keylength, valuelength = _RECORD.unpack_from(buffer, offset)
        record = _RECORD.size + keylength + valuelength
        if offset + record > len(buffer):
            buffer = table.dbfile.get(position, min(max(_READ_AHEAD, record), end - position))
            start, offset = position, 0
        key = buffer[offset + _RECORD.size : offset + _RECORD.size + keylength]
        if not key.startswith(prefix):
            return
        yield key[len(prefix):], buffer[offset + _RECORD.size + keylength : offset + record]
        position += record


def _stored_postings(postfile: Any, info: bytes, weight_type: str) -> tuple[array, array]:
    """A term's postings from its stored term info (W3 codec): read in one go."""
    whole = weight_type != "f"
    if info[0]:  # inlined in the term dictionary
        ids, weights, _ = pickle.loads(info[_TERMINFO_SIZE:])
        return array("I", ids), array(weight_type, map(int, weights) if whole else weights)
    offset = unpack_long(info[_TERMINFO_SIZE : _TERMINFO_SIZE + _LONG_SIZE])[0]
    length = unpack_int(info[_TERMINFO_SIZE + _LONG_SIZE : _TERMINFO_SIZE + _LONG_SIZE + 4])[0]
    raw = postfile.get(offset, length)
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ArchiveError("the index is damaged (a posting list has no header); run 'arkiv reindex'")
    ids, weights = array("I"), array(weight_type)
    position = 4
    while True:
        size = unpack_int(raw[position : position + 4])[0]
        position += 4
        block = io.BytesIO(raw[position : position + abs(size)])
        compression = pickle.load(block)[3]
        data = block.read()
        deltas, block_weights, _ = pickle.loads(zlib.decompress(data) if compression else data)
        _extend_block(ids, weights, deltas, block_weights)
        position += abs(size)
        if size < 0:  # the last block
            return ids, weights


def _column_values(reader: Any, name: str, size: int) -> Any:
    """Every entry's raw value of a column (indexable by docnum), None if it has none."""
    if not reader.has_column(name):
        return None
    column = reader.column_reader(name, translate=False)
    if isinstance(column, FacetColumn.Reader):
        uniques = column._uniques
        return [uniques[code] for code in column.codes()]
    if isinstance(column, IntColumn.Reader):
        return column.load_array(size)
    return [column[d] for d in range(size)]


# -- lifecycle ----------------------------------------------------------------------


class IndexBusy(ArchiveError):
    """Another process is writing the index; ``str(exc)`` says what it is doing."""


class Index:
    """The index generations of one archive (see the module docstring)."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.root = self.home / "index"

    # -- reading the state ------------------------------------------------------

    def current(self) -> Path | None:
        """The live generation's directory (None when there is no index)."""
        try:
            name = (self.root / CURRENT_FILE).read_text(encoding="utf-8").strip()
        except (OSError, ValueError):  # missing, unreadable, or not even UTF-8
            return None
        if not re.fullmatch(rf"{GENERATION_PREFIX}\d+", name):
            return None
        path = self.root / name
        return path if (path / STATE_FILE).exists() else None

    def state(self) -> dict[str, Any]:
        """The live generation's ``arkiv.json``: schema version, catalog seq, times."""
        generation = self.current()
        if generation is None:
            return {}
        try:
            return json.loads((generation / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    @property
    def seq(self) -> int:
        """The catalog sequence number the live generation is synchronised to."""
        return int(self.state().get("seq", 0))

    def exists(self) -> bool:
        generation = self.current()
        return generation is not None and whoosh_index.exists_in(generation, INDEX_NAME)

    def needs_rebuild(self) -> bool:
        """True when there is no index or it was built with another schema version.

        The version is read first: an index of another version may not even open.
        """
        return self.state().get("schema_version") != SCHEMA_VERSION or not self.exists()

    # -- writing ----------------------------------------------------------------

    def sync(self, catalog: Catalog) -> int:
        """Apply the catalog's changes since the last sync; returns documents changed.

        Indexable documents are upserted, the rest (superseded versions, renderings
        that joined a near-duplicate group) deleted. Without a usable index, rebuilds.
        """
        if self.needs_rebuild():
            return self.rebuild(catalog)
        with self._writing("sync"):
            self._remove_stale_generations()
            generation = self.current()
            if generation is None:
                raise ArchiveError("the index disappeared while it was being updated")
            state = self.state()
            ix = whoosh_index.open_dir(generation, indexname=INDEX_NAME)
            changed, seq = _apply_changes(ix, catalog, int(state.get("seq", 0)))
            if changed:
                _write_state(generation, seq)
            return changed

    def rebuild(
        self, catalog: Catalog, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Build a new generation from the catalog and swap it in; returns documents indexed.

        Searches keep using the old generation until the swap. Memory stays flat: the
        catalog is streamed and every ``SEGMENT_DOCS`` documents become a segment.
        """
        with self._writing("rebuild"):
            self._remove_stale_generations()
            generation = self._new_generation()
            try:
                start_seq = catalog.max_seq()
                done = _build(generation, catalog, progress)
                ix = whoosh_index.open_dir(generation, indexname=INDEX_NAME)
                _, seq = _apply_changes(ix, catalog, start_seq)
                _write_state(generation, max(seq, start_seq))
                self._swap(generation)
            except BaseException:
                shutil.rmtree(generation, ignore_errors=True)
                raise
            self._remove_stale_generations()
            return done

    @contextmanager
    def _writing(self, purpose: str) -> Iterator[None]:
        """Hold the index's single-writer lock, or raise :class:`IndexBusy`."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"cannot create index folder {self.root}: {exc.strerror}") from exc

        def busy(holder: str) -> IndexBusy:
            doing = "rebuilt" if holder.startswith("rebuild") else "updated"
            return IndexBusy(f"the index is being {doing}; try again when it has finished")

        with held_lock(self.root / LOCK_FILE, purpose, busy):
            yield

    def _generations(self) -> list[Path]:
        if not self.root.exists():
            return []
        return sorted(p for p in self.root.iterdir() if p.name.startswith(GENERATION_PREFIX))

    def _new_generation(self) -> Path:
        numbers = [int(p.name[len(GENERATION_PREFIX):]) for p in self._generations()
                   if p.name[len(GENERATION_PREFIX):].isdigit()]
        path = self.root / f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:04d}"
        path.mkdir()
        return path

    def _swap(self, generation: Path) -> None:
        """Make ``generation`` the live one, atomically."""
        tmp = self.root / (CURRENT_FILE + ".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(generation.name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.root / CURRENT_FILE)
        _fsync_dir(self.root)

    def _remove_stale_generations(self) -> None:
        """Remove generations that are not live: old ones, and half-built ones left by a crash.

        Only called while holding the write lock, so no rebuild is in progress. A
        searcher still reading a removed generation keeps its open files (POSIX).
        """
        live = self.current()
        for path in self._generations():
            if path != live:
                shutil.rmtree(path, ignore_errors=True)


def _build(
    generation: Path, catalog: Catalog, progress: Callable[[int, int], None] | None
) -> int:
    """Index every indexable document of the catalog into a new Whoosh index.

    Big catalogs are analysed and written by ``BUILD_WORKERS`` processes, each turning
    its share into segments; this process streams the catalog to them.
    """
    ix = whoosh_index.create_in(generation, make_schema(), indexname=INDEX_NAME)
    total = catalog.count()
    report = progress or (lambda done, total: None)
    if total >= PARALLEL_FROM and BUILD_WORKERS > 1:
        segments, done = _build_in_workers(generation, catalog, total, report)
    else:
        builder = _SegmentBuilder(ix, SEGMENT_DOCS)
        done = 0
        for doc in catalog.iter_documents():
            builder.add(doc, _arende_source(catalog, doc))
            done += 1
            if done % 500 == 0:
                report(done, total)
        segments = builder.finish()
    report(done, total)
    _commit_segments(ix, segments)
    return done


class _SegmentBuilder:
    """Turns a stream of documents into bulk-written segments of ``SEGMENT_DOCS``."""

    def __init__(self, ix: Any, segment_docs: int) -> None:
        self.ix = ix
        self.segment_docs = segment_docs
        self.writer: _BulkSegmentWriter | None = None
        self.segments: list[Any] = []

    def add(self, doc: Document, arende_source: str | None = None) -> None:
        """Add a document's entries (see :func:`index_entries`); all go into one segment."""
        if self.writer is None:
            self.writer = _BulkSegmentWriter(self.ix)
        for fields in index_entries(doc, arende_source):
            self.writer.add_document(**fields)
        if self.writer.doc_count() >= self.segment_docs:
            self._flush()

    def _flush(self) -> None:
        if self.writer is not None:
            segment = self.writer._finalize_segment()
            if self.writer.lexicon is not None and self.writer.sequences is not None:
                self.writer.lexicon.save(self.ix.storage, segment)
                self.writer.sequences.save(self.ix.storage, segment)
            self.segments.append(segment)
            self.writer._finish()
            self.writer = None

    def finish(self) -> list[Any]:
        self._flush()
        return self.segments


def _build_worker(generation: str, segment_docs: int, jobs: Any, results: Any) -> None:
    """A build process: documents in from ``jobs``, its finished segments out."""
    try:
        ix = whoosh_index.open_dir(generation, indexname=INDEX_NAME)
        builder = _SegmentBuilder(ix, segment_docs)
        while (batch := jobs.get()) is not None:
            for doc, arende_source in batch:
                builder.add(doc, arende_source)
        results.put(("ok", builder.finish()))
    except BaseException as exc:  # reported to the parent, which raises it
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def _build_in_workers(
    generation: Path, catalog: Catalog, total: int, report: Callable[[int, int], None]
) -> tuple[list[Any], int]:
    # fork, as indexer.workers does: no re-import of the caller's main module.
    context = multiprocessing.get_context("fork")
    jobs = context.Queue(maxsize=BUILD_WORKERS * 4)
    results = context.Queue()
    workers = [
        context.Process(
            target=_build_worker,
            args=(str(generation), SEGMENT_DOCS, jobs, results),
            daemon=True,
        )
        for _ in range(BUILD_WORKERS)
    ]
    for worker in workers:
        worker.start()
    segments: list[Any] = []
    done = 0
    try:
        batch: list[tuple[Document, str | None]] = []
        for doc in catalog.iter_documents():
            batch.append((doc, _arende_source(catalog, doc)))
            if len(batch) == 100:
                _hand_over(jobs, batch, workers)
                done += len(batch)
                batch = []
                if done % 500 == 0:
                    report(done, total)
        if batch:
            _hand_over(jobs, batch, workers)
            done += len(batch)
        for _ in workers:
            _hand_over(jobs, None, workers)
        for _ in workers:
            status, payload = _receive(results, workers)
            if status != "ok":
                raise ArchiveError(f"building the index failed: {payload}")
            segments.extend(payload)
        for worker in workers:
            worker.join()
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
    return segments, done


def _hand_over(jobs: Any, batch: list[tuple[Document, str | None]] | None,
               workers: list[Any]) -> None:
    while True:
        try:
            jobs.put(batch, timeout=1)
            return
        except queue.Full:
            if not all(w.is_alive() for w in workers):
                raise ArchiveError("building the index failed: a worker process died") from None


def _receive(results: Any, workers: list[Any]) -> tuple[str, Any]:
    while True:
        try:
            return results.get(timeout=1)
        except queue.Empty:
            if not any(w.is_alive() for w in workers):
                raise ArchiveError("building the index failed: a worker process died") from None


def _commit_segments(ix: Any, segments: list[Any]) -> None:
    """Make the built segments the index's content (a new table of contents)."""
    generation = ix.latest_generation() + 1
    TOC(ix.schema, segments, generation).write(ix.storage, INDEX_NAME)
    clean_files(ix.storage, INDEX_NAME, generation, segments)


def _apply_changes(ix: Any, catalog: Catalog, since: int) -> tuple[int, int]:
    """Upsert or delete what changed in the catalog after ``since``: (changed, new seq).

    Changed documents are written as new bulk segments (as a rebuild writes them), then
    one commit deletes their earlier postings and adds the segments.
    """
    changes = catalog.changes_since(since)
    if not changes:
        return 0, since
    latest = {change.id: change for change in changes}
    added = _index_documents(ix, catalog, [i for i, c in latest.items() if c.indexable])
    writer = ix.writer()
    try:
        for doc_id in latest:
            writer.delete_by_term("doc", doc_id)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=lambda w, segments: _merged(ix, catalog, [*segments, *added]))
    return len(latest), max(change.seq for change in changes)


def _index_documents(ix: Any, catalog: Catalog, ids: list[str]) -> list[Any]:
    """New segments (not yet in the index) holding these catalog documents."""
    builder = _SegmentBuilder(ix, SEGMENT_DOCS)
    for start in range(0, len(ids), 200):
        for doc in catalog.get_many(ids[start : start + 200]).values():
            builder.add(doc, _arende_source(catalog, doc))
    return builder.finish()


def _arende_source(catalog: Catalog, doc: Document) -> str | None:
    """The text a document's ärenden point into when it is another rendering's."""
    if not doc.metadata.get("arenden"):
        return None
    source = catalog.arenden_source(doc)
    return source.text if source is not None and source is not doc else None


def _merged(ix: Any, catalog: Catalog, segments: list[Any]) -> list[Any]:
    """Merge policy of syncs: ``MERGE_FACTOR`` small segments of a size become one.

    Every sync adds a small segment; segments of about the same size (the same power of
    ``MERGE_FACTOR`` documents) are merged into one once there are ``MERGE_FACTOR`` of
    them, so an entry is copied a few times at most and searches see few segments. A
    rebuild's segments (``SEGMENT_DOCS``) and merged ones that large are left alone.
    Merging copies the segments' postings (:class:`_SegmentMerger`); segments it cannot
    copy are re-indexed from the catalog.
    """
    segments = [s for s in segments if s.doc_count() > 0]
    tiers: dict[int, list[Any]] = {}
    for segment in segments:
        if segment.doc_count() < SEGMENT_DOCS:
            tier = int(math.log(segment.doc_count(), MERGE_FACTOR))
            tiers.setdefault(tier, []).append(segment)
    result = list(segments)
    for tier in tiers.values():
        if len(tier) < MERGE_FACTOR:
            continue
        place = result.index(tier[0])
        result = [s for s in result if s not in tier]
        if _SegmentMerger.can_merge(ix.storage, tier):
            merged = [_SegmentMerger(ix, tier).merged_segment()]
        else:
            merged = _index_documents(ix, catalog, _entry_documents(ix, tier))
        result[place:place] = merged
    return result


def _entry_documents(ix: Any, segments: list[Any]) -> list[str]:
    """The catalog documents of the live entries of these segments, in order."""
    ids: list[str] = []
    for segment in segments:
        reader = SegmentReader(ix.storage, ix.schema, segment)
        ids += [reader.stored_fields(d)["doc"] for d in reader.all_doc_ids()]
        reader.close()
    return list(dict.fromkeys(ids))


def _write_state(generation: Path, seq: int) -> None:
    """Record the schema version and catalog seq of a generation (tmp + os.replace)."""
    previous: dict[str, Any] = {}
    path = generation / STATE_FILE
    if path.exists():
        previous = json.loads(path.read_text(encoding="utf-8"))
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    state = {
        "schema_version": SCHEMA_VERSION,
        "seq": seq,
        "built_at": previous.get("built_at", now),
        "updated_at": now,
    }
    tmp = generation / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

