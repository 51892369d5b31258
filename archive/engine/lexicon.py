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
import pickle
import tomllib
from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from archive.swedish import fold


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
                try:
                    lexicon = pickle.loads(handle.read())
                except (pickle.UnpicklingError, ImportError, AttributeError):
                    lexicon = None  # saved by an older layout of the engine: read the terms
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
