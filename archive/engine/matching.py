"""The compiled query: which documents of a segment match, and how well.

Owns the query tree (:class:`_Leaf` one term, :class:`_Group` a word's variants,
:class:`_Any`/:class:`_And`/:class:`_Not`/:class:`_Optional`,
:class:`_Phrase`, :class:`_Facet`, date ranges) and :class:`_Compiler`, which turns the
parsed query (:mod:`archive.querysyntax`) into it: each word as written, stemmed in
Swedish and English, expanded over the lexicon; phrases analysed as the index analysed
them; filters as facet terms.

Touches no Whoosh internals (postings come from :mod:`archive.engine.segments`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from math import log
from typing import Any

import numpy as np

from archive import fields
from archive import querysyntax as qs
from archive.access import ACCESS_CLASSES
from archive.engine import docsets
from archive.engine.analysis import (
    ENGLISH_STOP_WORDS,
    EXACT,
    FOREIGN_STEMMERS,
    STEMMING,
    foreign_stems,
    terms,
)
from archive.engine.highlight import _Highlights
from archive.engine.lexicon import MAX_EXPANSIONS, MIN_PREFIX, SYNONYMS
from archive.engine.schema import ACCESS_FIELD, facet_key
from archive.engine.scoring import (
    BOOST_COMPOUND,
    BOOST_DNR,
    BOOST_EXACT,
    BOOST_FOLDED,
    BOOST_MODIFIER,
    BOOST_PARTS,
    BOOST_PREFIX,
    BOOST_STEM,
    BOOST_TITLE,
    K1,
)
from archive.engine.segments import _Postings, _Segment, _View
from archive.messages import Message
from archive.swedish import dnr_keys, fold

#: Language names a ``språk:``/``language`` filter may give for a language code.
LANGUAGE_NAMES = {"svenska": "sv", "swedish": "sv", "engelska": "en", "english": "en"}
#: Added to the score of strong matches (see ``_Node.core``) to rank them first.
_STRONG = 1e9

# -- the compiled query ---------------------------------------------------------------


@dataclass
class _Context:
    """One search's view of the index, plus what it computed along the way."""

    view: _View
    postings: _Postings
    memo: dict[tuple[int, bytes], np.ndarray] = field(default_factory=dict)
    #: The nodes ``memo`` holds answers of, kept alive: a node made later (the relaxed
    #: query's root) must not get a freed node's ``id`` and with it that node's answers.
    nodes: list[Any] = field(default_factory=list)

    def docs(self, segment: _Segment, fieldname: str, term: str) -> np.ndarray:
        ids = self.postings.get(segment, fieldname, term)[0]
        if segment.deleted and len(ids):
            ids = ids[segment.live_mask()[ids]]
        return ids


class _Node:
    """A compiled query part: which documents of a segment match, and how well.

    Documents are sorted arrays of document numbers (:mod:`archive.engine.docsets`);
    scores are added into a per-segment array, for the documents a mask selects.
    """

    def docs(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        key = (id(self), segment.id)
        found = ctx.memo.get(key)
        if found is None:
            found = ctx.memo[key] = self._docs(ctx, segment)
            ctx.nodes.append(self)
        return found

    def _docs(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        raise NotImplementedError

    def core(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        """The documents matching strongly: each word as written or by its stem, not only
        through a compound or an accent-free spelling. They rank first."""
        key = (-id(self), segment.id)
        found = ctx.memo.get(key)
        if found is None:
            found = ctx.memo[key] = self._core(ctx, segment)
            ctx.nodes.append(self)
        return found

    def _core(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        return self.docs(ctx, segment)

    def score(self, ctx: _Context, segment: _Segment, member: np.ndarray,
              scores: np.ndarray) -> None:
        """Add this part's score to ``scores`` for the documents ``member`` selects."""


@dataclass(eq=False)
class _Leaf(_Node):
    """One term of one field, scored by BM25."""

    fieldname: str
    term: str
    boost: float
    #: The query word's (field, term) pairs sharing one idf (see ``_View.word_idf``).
    word: tuple[tuple[str, str], ...] = ()

    def _docs(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        return ctx.docs(segment, self.fieldname, self.term)

    def score(self, ctx: _Context, segment: _Segment, member: np.ndarray,
              scores: np.ndarray) -> None:
        ids, weights = ctx.postings.get(segment, self.fieldname, self.term)
        if not len(ids):
            return
        chosen = member[ids]
        docs = ids[chosen]
        if not len(docs):
            return
        view = ctx.view
        idf = view.word_idf(self.word) if self.word else view.idf(self.fieldname, self.term)
        c = self.boost * idf * (K1 + 1)
        norm = segment.norms(self.fieldname, view.average[self.fieldname])
        tf = weights[chosen]
        scores[docs] += c * tf / (tf + norm[docs])


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

    def _docs(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        return docsets.union((ctx.docs(segment, self.fieldname, term) for term in self.terms),
                             segment.size)

    def _core(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        return self.docs(ctx, segment) if self.strong else docsets.EMPTY

    def score(self, ctx: _Context, segment: _Segment, member: np.ndarray,
              scores: np.ndarray) -> None:
        found = self.docs(ctx, segment)
        scores[found[member[found]]] += self.weight(ctx.view)

    def weight(self, view: _View) -> float:
        """The boost times the idf of the group's most common terms taken together."""
        if self._weight is None:
            df = sum(view.doc_frequency(self.fieldname, t) for t in self.terms[:8])
            self._weight = self.boost * log(1 + (view.doc_count - df + 0.5) / (df + 0.5))
        return self._weight


@dataclass(eq=False)
class _Any(_Node):
    """Documents matching any of the parts; scores add up (a query word's variants)."""

    parts: list[_Node]

    def _docs(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        return docsets.union((part.docs(ctx, segment) for part in self.parts), segment.size)

    def _core(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        return docsets.union((part.core(ctx, segment) for part in self.parts), segment.size)

    def score(self, ctx: _Context, segment: _Segment, member: np.ndarray,
              scores: np.ndarray) -> None:
        for part in self.parts:
            part.score(ctx, segment, member, scores)


@dataclass(eq=False)
class _Phrase(_Node):
    """Stems next to each other in the ``stem`` field (any of the spellings given).

    A spelling with a language (``only``) matches documents of that language only: the
    English spelling of "the committee" is "committe" alone, as English documents were
    indexed without their stop words, but in a Swedish document it means nothing.
    """

    spellings: list[list[str]]
    boost: float
    only: list[str | None] = field(default_factory=list)

    def _docs(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        found = []
        for index, stems in enumerate(self.spellings):
            candidates = ctx.docs(segment, "stem", stems[0])
            language = self.only[index] if index < len(self.only) else None
            if language is not None and len(candidates):
                candidates = docsets.intersect(
                    candidates, ctx.docs(segment, "language", language), segment.size)
            for stem in stems[1:]:
                if not len(candidates):
                    break
                candidates = docsets.intersect(
                    candidates, ctx.docs(segment, "stem", stem), segment.size)
            if len(candidates):
                found.append(self._verify(ctx, segment, stems, candidates))
        return docsets.union(found, segment.size)

    @staticmethod
    def _verify(ctx: _Context, segment: _Segment, stems: list[str], candidates: np.ndarray
                ) -> np.ndarray:
        sequences = segment.sequences(ctx.view.storage)
        if sequences is None or len(stems) == 1:  # no sequences, or one word: all will do
            return candidates
        lexicon = segment.lexicon(ctx.view.storage)
        ids = [lexicon.index_of(stem) for stem in stems]
        if None in ids:
            return docsets.EMPTY
        positions = segment.positions(ctx.view.storage)
        if positions is not None:  # the stems' places: cost by their frequency
            return docsets.intersect(positions.docs_containing(ids),  # type: ignore[arg-type]
                                     candidates, segment.size)
        needle = sequences.needle(ids)  # type: ignore[arg-type]
        if len(candidates) * 4 > segment.size:  # many: scanning everything is cheaper
            return docsets.intersect(docsets.of(sequences.docs_containing(needle)),
                                     candidates, segment.size)
        return docsets.of(d for d in candidates.tolist() if sequences.contains(d, needle))

    def score(self, ctx: _Context, segment: _Segment, member: np.ndarray,
              scores: np.ndarray) -> None:
        for stems in self.spellings[:1]:
            for stem in stems:
                _Leaf("stem", stem, self.boost).score(ctx, segment, member, scores)


@dataclass(eq=False)
class _Facet(_Node):
    """Documents having any of the values of a facet (a filter: not scored)."""

    fieldname: str
    keys: list[str]

    def _docs(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        return docsets.union((ctx.docs(segment, self.fieldname, key) for key in self.keys),
                             segment.size)


@dataclass(eq=False)
class _Documents(_Node):
    """Whole documents, not their ärenden: what browsing without a search text lists."""

    def _docs(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        return segment.documents()


@dataclass(eq=False)
class _Not(_Node):
    node: _Node

    def _docs(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        return docsets.minus(segment.live(), self.node.docs(ctx, segment), segment.size)


@dataclass(eq=False)
class _All(_Node):
    def _docs(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        return segment.live()


@dataclass(eq=False)
class _Optional(_Node):
    """A part that ranks documents having it higher but does not require it.

    English stop words ("the", "of") are not indexed in English documents, and a few of
    them are Swedish words too ("is", "by"): so they count where found, and are not a
    condition of "all words".
    """

    node: _Node

    def _docs(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        return self.node.docs(ctx, segment)

    def score(self, ctx: _Context, segment: _Segment, member: np.ndarray,
              scores: np.ndarray) -> None:
        self.node.score(ctx, segment, member, scores)


@dataclass(eq=False)
class _And(_Node):
    """Documents matching every part; excluded parts (``_Not``) are subtracted and
    optional ones (``_Optional``) only count for the ranking."""

    parts: list[_Node]

    def _docs(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        return self._combine(ctx, segment, _Node.docs)

    def _core(self, ctx: _Context, segment: _Segment) -> np.ndarray:
        return self._combine(ctx, segment, _Node.core)

    def _combine(self, ctx: _Context, segment: _Segment,
                 docs_of: Callable[[_Node, _Context, _Segment], np.ndarray]) -> np.ndarray:
        positive = [p for p in self.parts if not isinstance(p, _Not | _Optional)]
        negative = [p.node for p in self.parts if isinstance(p, _Not)]
        found = docs_of(positive[0], ctx, segment) if positive else segment.live()
        for part in positive[1:]:
            if not len(found):
                return found
            found = docsets.intersect(found, docs_of(part, ctx, segment), segment.size)
        for part in negative:
            if not len(found):
                break
            found = docsets.minus(found, part.docs(ctx, segment), segment.size)
        return found

    def score(self, ctx: _Context, segment: _Segment, member: np.ndarray,
              scores: np.ndarray) -> None:
        for part in self.parts:
            part.score(ctx, segment, member, scores)


@dataclass
class _DateRange:
    """An inclusive YYYYMMDD range on a date column (None = open)."""

    column: str
    low: int | None
    high: int | None

    def keep(self, segment: _Segment, docs: np.ndarray) -> np.ndarray:
        dates = segment.ints(self.column)[docs]
        low = self.low or 1
        high = self.high or 99991231
        return docs[(dates >= low) & (dates <= high)]


@dataclass
class _Plan:
    """A compiled search: the text part, filters, date ranges and what to highlight."""

    text: _Node | None
    filters: list[_Node]
    dates: list[_DateRange]
    highlights: _Highlights
    selected: dict[str, set[str]]
    notes: list[Message]
    words: list[str]
    #: The access classes the searcher may show (empty: all; see Query.access).
    access: tuple[str, ...] = ()

    def root(self) -> _Node:
        parts = [*self.filters]
        if self.text is not None:
            parts.append(self.text)
        if not parts:
            return _All()
        return parts[0] if len(parts) == 1 else _And(parts)



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
            return self.phrase(terms(EXACT["sv"], node.text), terms(EXACT["en"], node.text))
        if isinstance(node, qs.Prefix):
            return self.prefix(node.text)
        if isinstance(node, qs.Dnr):
            return self.dnr(node.text)
        if isinstance(node, qs.Filter):
            fieldname = str(fields.by_name(node.name).index)
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
        stems = list(dict.fromkeys((swedish, english, *foreign_stems(word))))
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

    def phrase(self, words: list[str], english: list[str] | None = None) -> _Node | None:
        """Words in a row; a quoted single word means exactly that word.

        ``words`` are the phrase analysed as Swedish documents were; ``english``, when
        given, as English ones were (without English stop words): "the committee" in an
        English document is indexed as "committe" alone, and is found so.
        """
        if english is not None and english != words and len(english) < len(words):
            if not words:
                return self.phrase(english)
            swedish = self.phrase(words)
            if not english:
                return swedish
            stems = STEMMING["en"].batch(english)
            self.highlights.phrases.append(
                [min(stem, word, key=len) for stem, word in zip(stems, english, strict=True)])
            return _Any([node for node in (swedish, _Phrase([stems], BOOST_EXACT, ["en"]))
                         if node is not None])
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
        found = dnr_keys(text)
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



def _hidden_classes(access: tuple[str, ...]) -> list[str]:
    return [name for name in ACCESS_CLASSES if name not in access]


def _hidden(ctx: _Context, segment: _Segment, access: tuple[str, ...]) -> np.ndarray:
    """The entries of a segment not in the ``access`` classes (none when ``access`` is empty)."""
    return docsets.union((ctx.docs(segment, ACCESS_FIELD, name)
                          for name in (_hidden_classes(access) if access else ())), segment.size)


def _visible(ctx: _Context, segment: _Segment, access: tuple[str, ...]) -> np.ndarray:
    """The documents (not ärenden) of a segment in the ``access`` classes (all when empty)."""
    return docsets.minus(segment.documents(), _hidden(ctx, segment, access), segment.size)


def _shown(ctx: _Context, fieldname: str, term: str, access: tuple[str, ...]) -> bool:
    """True when an entry the searcher may show (``access``) has ``term``."""
    return any(len(docsets.minus(ctx.docs(segment, fieldname, term),
                                 _hidden(ctx, segment, access), segment.size))
               for segment in ctx.view.segments)


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


