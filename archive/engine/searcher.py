"""A search, end to end: plan, match, rank, count facets, make hits.

Owns :class:`Searcher` (one per process, shared by threads: opens the live generation's
view and reopens it when the index changes), the messages a search answers with, more
like this, facet values and the timeline, and :func:`search` (a cached searcher per
archive).

Whoosh internals touched: ``whoosh.index.EmptyIndexError`` and the reader's spelling
``corrector`` (for "did you mean").
"""

from __future__ import annotations

import heapq
import json
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, replace
from math import log
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.support.levenshtein import distance

from archive import fields
from archive import querysyntax as qs
from archive.catalog import Catalog
from archive.engine import docsets
from archive.engine.analysis import EXACT, analyse, document_language, terms
from archive.engine.facets import _count_facets, alphabetical_values, ranked_values
from archive.engine.highlight import _Highlights, _Marker
from archive.engine.matching import (
    _STRONG,
    LANGUAGE_NAMES,
    _And,
    _Any,
    _Compiler,
    _Context,
    _DateRange,
    _Documents,
    _Facet,
    _hidden_classes,
    _Leaf,
    _Node,
    _Not,
    _Plan,
    _relax,
    _shown,
    _visible,
)
from archive.engine.postings import _field_terms
from archive.engine.schema import ACCESS_FIELD, FACET_FIELDS, entry_document, facet_key
from archive.engine.segments import _DOCNUMS, _Postings, _Segment, _View
from archive.engine.store import CURRENT_FILE, SCHEMA_VERSION, STATE_FILE, Index
from archive.home import ArchiveError
from archive.messages import Message, message
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

#: Query words whose index term occurs in no document get a "did you mean" when the
#: search finds fewer results than this.
SUGGEST_BELOW = 3

#: Answers (page ids, total, facets; similar documents) a view keeps for questions asked
#: again: about 50 KB each with a whole archive's facets, so some 25 MB at most.
ANSWERS_KEPT = 512

#: (the page's entry ids and scores, the plan, total, facets, suggestion)
_Answer = tuple[list[tuple[str, float]], "_Plan", int, dict[str, list[FacetValue]], str | None]

MESSAGE_NO_INDEX = message("index_missing")
MESSAGE_FALLBACK = message("fallback")
MESSAGE_NO_WORDS = message("no_words")
MESSAGE_TRUNCATED = message("truncated", n=MAX_QUERY_LENGTH)


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

    def _kept(self, key: tuple[Any, ...], work: Callable[[_View], Any], empty: Any) -> Any:
        """``work`` on the current view, its answer kept with the view under ``key``: a
        view is one state of the index, so the same question on it has the same answer.
        Callers get the kept object: copy to change."""
        return self._reading(lambda view: _remembered(view, key, lambda: work(view)), empty)

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
                except Exception as exc:
                    # A sync or rebuild in another process may replace or remove files
                    # while they are read: whatever that breaks (a missing file, or
                    # Whoosh reading a half-replaced one), the fresh view answers. An
                    # error on an index that did not change is a real one.
                    changed = isinstance(exc, FileNotFoundError) or self._version() != view.key
                    if attempt or not changed:
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
        # Searches repeat (the same words, the next page, a facet picked and dropped): what
        # the index answered is kept; the page's hits are read from the catalog each time.
        key = ("search", json.dumps(asdict(query), sort_keys=True, default=str))
        found = self._kept(key, lambda view: self._answer(view, query), None)
        if found is None:
            results.notes = [MESSAGE_NO_INDEX]
            return results
        ids, plan, results.total, facets, results.suggestion = found
        results.facets = {name: list(values) for name, values in facets.items()}
        results.hits = self._hits(ids, plan.highlights if query.snippets else None)
        results.notes = list(dict.fromkeys(plan.notes))
        results.elapsed_ms = (time.perf_counter() - started) * 1000
        return results

    def _answer(self, view: _View, query: Query) -> _Answer:
        """What the index answers to ``query``: the page's ids, the plan, the total, the
        facets and the suggestion."""
        results = Results(query=query)
        ids, plan = self._search(view, query, results)
        return (ids, plan, results.total, results.facets, results.suggestion)

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
            results.facets = self._facets(view, matches, plan.selected, browsing=browsing,
                                          audience=plan.access)
        if total < SUGGEST_BELOW and plan.words and not query.documents:
            results.suggestion = self._suggest(ctx, query.text, plan.words, plan.access)
        page = ranked[(query.page - 1) * query.page_size :]
        return [(self._doc_id(segment, d), score) for segment, d, score in page], plan

    def _plan(self, ctx: _Context, query: Query) -> _Plan:
        text = query.text or ""
        notes: list[Message] = []
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
        for spec in fields.filters():
            fieldname = str(spec.index)
            values = [*query.values(spec.name), *parsed.filters.get(spec.name, [])]
            keys = [facet_key(LANGUAGE_NAMES.get(facet_key(v), v)) for v in values]
            keys = [k for k in dict.fromkeys(keys) if k]
            if keys:
                selected[fieldname] = set(keys)
                filters.append(_Facet(fieldname, compiler.facet_keys(fieldname, keys)))
        dates = []
        for spec in fields.date_ranges():
            column = str(spec.index)
            low, high = (getattr(query, attribute) for attribute in spec.attributes)
            start = qs.parse_date(low, end=False) if low else None
            stop = qs.parse_date(high, end=True) if high else None
            for given, parsed_value in ((low, start), (high, stop)):
                if given and parsed_value is None:
                    notes.append(message("invalid_date", value=given))
            if start or stop:
                dates.append(_DateRange(column, start, stop))
            dates.extend(_DateRange(column, a, b) for a, b in parsed.ranges.get(spec.name, []))
        if query.documents:  # these documents and their ärenden (a saved search's news)
            filters.append(_Facet("doc", list(query.documents)))
        if node is None and "kind" not in selected:
            filters.append(_Documents())
        access = tuple(sorted(set(query.access)))
        if access:  # exact terms, never expanded: the one filter that guards what is shown
            # Taken off rather than kept: the classes not shown are the few documents.
            filters.append(_Not(_Facet(ACCESS_FIELD, _hidden_classes(access))))
        return _Plan(node, filters, dates, compiler.highlights, selected, notes, compiler.words,
                     access)

    def _match(self, ctx: _Context, plan: _Plan) -> list[tuple[_Segment, np.ndarray]]:
        root = plan.root()
        matches = []
        for segment in ctx.view.segments:
            docs = root.docs(ctx, segment)
            for dates in plan.dates:
                if not len(docs):
                    break
                docs = dates.keep(segment, docs)
            matches.append((segment, docs))
        return matches

    def _rank(self, ctx: _Context, plan: _Plan, query: Query,
              matches: list[tuple[_Segment, np.ndarray]]) -> list[tuple[_Segment, int, float]]:
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
            cores = [docsets.intersect(root.core(ctx, segment), docs, segment.size)
                     for segment, docs in matches]
            enough = sum(len(core) for core in cores) >= wanted
        for i, (segment, docs) in enumerate(matches):
            if not len(docs):
                continue
            if sort == "relevance":
                # Strong matches first; when they fill the page, only they are scored.
                core = cores[i]
                chosen = core if enough else docs
                scores = self._scores(ctx, plan, segment, chosen)
                if not enough:
                    scores[core] += _STRONG
                values = scores[chosen]
                best = docsets.top(values, chosen, wanted)
                ranked.extend((float(values[j]), -int(chosen[j]), segment,
                               float(values[j]) % _STRONG) for j in best.tolist())
            else:
                order = segment.date_order(newest=sort == "newest")
                best_docs = docs[docsets.top(order[docs], docs, wanted)]
                scores = self._scores(ctx, plan, segment, best_docs)
                ranked.extend((int(order[d]), 0, segment, float(scores[d]))
                              for d in best_docs.tolist())
        ranked.sort(key=lambda item: item[:2], reverse=True)
        return [(segment, -tie if sort == "relevance" else _docnum_of(key), score)
                for key, tie, segment, score in ranked[:wanted]]

    @staticmethod
    def _scores(ctx: _Context, plan: _Plan, segment: _Segment, docs: np.ndarray
                ) -> np.ndarray:
        """Per document of the segment, its score (only ``docs`` are scored, the rest 0)."""
        scores = np.zeros(segment.size)
        if plan.text is not None and len(docs):
            plan.text.score(ctx, segment, docsets.mask(docs, segment.size), scores)
            weights = segment.weights()[docs]
            odd = weights != 100
            if odd.any():
                weighted = docs[odd]
                scores[weighted] = scores[weighted] * weights[odd] / 100
        return scores

    def _facets(self, view: _View, matches: list[tuple[_Segment, np.ndarray]],
                selected: dict[str, set[str]], *, browsing: bool = False,
                audience: tuple[str, ...] = ()) -> dict[str, list[FacetValue]]:
        """Facet values of the matches, with counts; browsing the whole archive (no text,
        filter or date) counts every document once and keeps the answer (per audience)."""
        if browsing and audience in view.browse_facets:
            return view.browse_facets[audience]
        facets = {}
        for name, counts in _count_facets(FACET_FIELDS, matches).items():
            facets[name] = ranked_values(counts, selected.get(name, set()))
        if browsing:
            view.browse_facets[audience] = facets
        return facets

    def highlighter(self, text: str) -> _Marker:
        """Marks what the query ``text`` matches in any text, as the search matches it:
        its words, their stems, the compounds and accented forms it expands to, and its
        phrases only where their words stand together."""
        def compiled(view: _View) -> _Marker:
            ctx = _Context(view, self._postings)
            return _Marker(self._plan(ctx, _normalised(Query(text=text))).highlights)

        return self._reading(compiled, None) or _Marker(_Highlights())

    def suggest(self, text: str, *, access: Iterable[str] = ()) -> str | None:
        """A "did you mean" for ``text`` (None when every word is in the archive), from
        words of documents of the ``access`` classes only when given."""
        audience = tuple(sorted(set(access)))

        def suggested(view: _View) -> str | None:
            ctx = _Context(view, self._postings)
            words = self._plan(ctx, _normalised(Query(text=text))).words
            return self._suggest(ctx, text, words, audience)

        return self._reading(suggested, None)

    def _suggest(self, ctx: _Context, text: str, words: list[str], access: tuple[str, ...]
                 ) -> str | None:
        """"Did you mean": misspelt query words replaced by the closest common word (one
        that a document the searcher may show has: no word of another audience leaks)."""
        view = ctx.view
        suggestion = text
        changed = False
        for word in words:
            if not word or view.doc_frequency("exact", word):
                continue
            # Words of the same first letter within two edits: each edit changes the
            # length by one letter, up to four bytes (most are ruled out before decoding).
            near: set[str] = set()
            size = len(word.encode("utf-8"))
            for segment in view.segments:
                for term, _info in _field_terms(segment.reader, "exact", word[:1].encode()):
                    if abs(len(term) - size) <= 2 * 4:
                        near.add(term.decode("utf-8"))
            close = closest_words(word, ((t, view.reader.frequency("exact", t)) for t in near
                                         if abs(len(t) - len(word)) <= 2
                                         and distance(t, word, limit=2) <= 2))
            found = [w for w in close if _shown(ctx, "exact", w, access)][:1]
            if found:
                pattern = re.compile(re.escape(word), re.IGNORECASE)
                suggestion, count = pattern.subn(found[0], suggestion, count=1)
                changed = changed or bool(count)
        return suggestion if changed else None

    def _doc_id(self, segment: _Segment, docnum: int) -> str:
        return segment.entry_id(docnum)

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

    def more_like_this(self, doc_id: str, limit: int = 5, *, access: Iterable[str] = ()
                       ) -> list[Hit]:
        """Documents sharing the most telling words of ``doc_id`` (never itself), of the
        ``access`` classes only when given."""
        audience = tuple(access)
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
            matches = [(s, docsets.minus(
                docsets.intersect(node.docs(ctx, s), _visible(ctx, s, audience), s.size),
                ctx.docs(s, "id", doc_id), s.size)) for s in view.segments]
            query = Query(page_size=max(1, min(limit, MAX_PAGE_SIZE)))
            ranked = self._rank(ctx, plan, query, matches)
            return [(self._doc_id(segment, d), score) for segment, d, score in ranked]

        ids = self._kept(("more like this", doc_id, limit, audience), related, [])
        return [h for h in self._hits(ids, None) if h.id != doc_id][:limit]

    def facet_values(self, name: str, *, access: Iterable[str] = ()) -> list[FacetValue]:
        """Every value of a facet over the whole archive (its ``access`` classes when
        given), A–Ö, with counts."""
        fieldname = fields.index_field(name)
        if fieldname not in FACET_FIELDS:
            return []
        audience = tuple(access)

        def count(view: _View) -> Counter[str]:
            ctx = _Context(view, self._postings)
            matches = [(s, _visible(ctx, s, audience)) for s in view.segments]
            return _count_facets([fieldname], matches)[fieldname]

        counts = self._reading(count, Counter())
        return alphabetical_values(counts)

    def facet_spans(self, name: str, *, access: Iterable[str] = ()
                    ) -> dict[str, tuple[str, str]]:
        """Each value of a facet with the first and last date (YYYY-MM-DD; decision date,
        else document date) of its dated documents, from the columns (no document read)."""
        fieldname = fields.index_field(name)
        if fieldname not in FACET_FIELDS:
            return {}
        audience = tuple(access)

        def spans(view: _View) -> dict[str, tuple[int, int]]:
            ctx = _Context(view, self._postings)
            found: dict[str, tuple[int, int]] = {}
            for segment in view.segments:
                docs = _visible(ctx, segment, audience)
                dates = segment.ints("date")[docs]
                docs, dates = docs[dates > 0], dates[dates > 0]
                codes, sets = segment.facet(fieldname)
                codes = codes[docs]
                first = np.full(len(sets), np.iinfo(np.int64).max)
                last = np.zeros(len(sets), dtype=np.int64)
                np.minimum.at(first, codes, dates)
                np.maximum.at(last, codes, dates)
                for code in np.flatnonzero(last).tolist():
                    for value in sets[code]:
                        low, high = found.get(value, (first[code], last[code]))
                        found[value] = (min(low, int(first[code])), max(high, int(last[code])))
            return found

        return {value: (_iso(low), _iso(high))
                for value, (low, high) in self._reading(spans, {}).items()}

    def facet_pairs(self, name: str, within: str, *, access: Iterable[str] = ()
                    ) -> dict[str, Counter[str]]:
        """For each value of facet ``name``, the values of facet ``within`` that its
        documents have, with counts (a city's districts), from the columns."""
        fieldname, other = (fields.index_field(n) for n in (name, within))
        if fieldname not in FACET_FIELDS or other not in FACET_FIELDS:
            return {}
        audience = tuple(access)

        def pairs(view: _View) -> dict[str, Counter[str]]:
            ctx = _Context(view, self._postings)
            found: dict[str, Counter[str]] = {}
            for segment in view.segments:
                docs = _visible(ctx, segment, audience)
                codes, sets = segment.facet(fieldname)
                inner, inner_sets = segment.facet(other)
                keys = codes[docs] * len(inner_sets) + inner[docs]
                combined, counts = np.unique(keys, return_counts=True)
                for key, count in zip(combined.tolist(), counts.tolist(), strict=True):
                    outer, within_code = divmod(key, len(inner_sets))
                    for value in sets[outer]:
                        tally = found.setdefault(value, Counter())
                        for inner_value in inner_sets[within_code]:
                            tally[inner_value] += count
            return found

        return self._reading(pairs, {})

    def timeline(self, query: Query | None = None, *, access: Iterable[str] = ()
                 ) -> list[tuple[str, int]]:
        """("YYYY-MM", documents) by decision date (else document date), oldest first
        (documents of the ``access`` classes only when given)."""
        audience = tuple(access)

        def by_month(view: _View) -> Counter[int]:
            ctx = _Context(view, self._postings)
            if query is None:
                matches = [(s, _visible(ctx, s, audience)) for s in view.segments]
            else:
                asked = replace(query, access=list(audience)) if audience else query
                matches = self._match(ctx, self._plan(ctx, _normalised(asked)))
            months: Counter[int] = Counter()
            for segment, docs in matches:
                found, counts = np.unique(segment.ints("date")[docs] // 100, return_counts=True)
                months.update(dict(zip(found.tolist(), counts.tolist(), strict=True)))
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



def _iso(day: int) -> str:
    """A YYYYMMDD number as YYYY-MM-DD."""
    return f"{day // 10000:04d}-{day // 100 % 100:02d}-{day % 100:02d}"


def _docnum_of(order_key: int) -> int:
    """The document number inside a :meth:`_Segment.date_order` key."""
    return _DOCNUMS - 1 - order_key % _DOCNUMS



def closest_words(word: str, near: Iterable[tuple[str, float]]) -> list[str]:
    """"Did you mean" candidates as Whoosh's corrector ranks them: of the words ``near``
    (each with its frequency) the five it scores best, the score rising with the
    frequency alone; then by score, A–Z among equals."""
    best = heapq.nlargest(5, ((-(2 + 1.0 / (frequency or 1) * 0.5), term)
                              for term, frequency in near if term != word))
    best.sort(key=lambda item: (-item[0], item[1]))
    return [term for _, term in best]


def _remembered(view: _View, key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, kept with the view under ``key`` (the latest ``ANSWERS_KEPT``)."""
    if key in view.answers:
        view.answers.move_to_end(key)
        return view.answers[key]
    value = view.answers[key] = compute()
    if len(view.answers) > ANSWERS_KEPT:
        view.answers.popitem(last=False)
    return value


def _normalised(query: Query) -> Query:
    """The query with paging and sort in range (what the search actually ran)."""
    return replace(
        query,
        page=max(1, min(int(query.page or 1), 10_000)),
        page_size=max(1, min(int(query.page_size or 20), MAX_PAGE_SIZE)),
        sort=query.sort if query.sort in SORTS else "relevance",
    )



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
        df = view.doc_frequency("stem", term)
        if 1 < df <= common:
            scored.append((n * log(1 + view.doc_count / df), term))
    return [term for _, term in heapq.nlargest(count, scored)]


# -- snippets -------------------------------------------------------------------------


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

