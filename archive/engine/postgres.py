"""The PostgreSQL backend: Arkiv's search in PostgreSQL's full-text search.

Owns :class:`PostgresBackend` (the :class:`~archive.engine.backend.SearchBackend` of an
archive whose ``ARKIV_DATABASE_URL`` is set; it writes to that database and reads from
``ARKIV_DATABASE_READ_URL``, a replica, when set) and the reading side: a query is
planned by the embedded engine's own compiler (:mod:`archive.engine.matching`: the same
words, stems, compounds, å/ä/ö spellings, phrases and filters, expanded over the lexicon
that :class:`_PgView` reads from ``search_terms``) and the compiled tree becomes one SQL
statement: the match set as ``tsv @@ tsquery`` (GIN), phrases as ``<->`` over
``search_chunks``, filters as ``keys && …`` and dates as integer columns; BM25 from
``search_postings`` and the term statistics (IDF) of ``search_terms``, with the same
boosts and weights as :mod:`archive.engine.scoring`; facets as GROUP BY over the match
set. Hits, snippets and page numbers come from the catalog as for the embedded engine
(:meth:`Searcher._hits`, :mod:`archive.engine.highlight`). The tables and writing them
are :mod:`archive.engine.pgstore`.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from archive import fields
from archive.catalog import Catalog
from archive.engine import pgstore
from archive.engine.analysis import (
    EXACT,
    STEMMING,
    analyse,
    document_language,
    terms,
)
from archive.engine.backend import SearchBackend
from archive.engine.embedded import EmbeddedBackend
from archive.engine.facets import alphabetical_values, ranked_values
from archive.engine.highlight import _Marker
from archive.engine.lexicon import EXPANSIONS, MAX_EXPANSIONS, MIN_HEAD, MIN_SPLIT
from archive.engine.matching import (
    _STRONG,
    _All,
    _And,
    _Any,
    _Context,
    _Documents,
    _Facet,
    _Group,
    _hidden_classes,
    _Leaf,
    _Node,
    _Not,
    _Optional,
    _Phrase,
    _Plan,
    _relax,
)
from archive.engine.pgstore import FIELD_CODES, LENGTH_COLUMNS, PG_SCHEMA_VERSION, quote_lexeme
from archive.engine.schema import ACCESS_FIELD, FACET_FIELDS
from archive.engine.scoring import K1, B
from archive.engine.searcher import (
    MESSAGE_FALLBACK,
    SUGGEST_BELOW,
    Searcher,
    _key_terms,
    _normalised,
    closest_words,
)
from archive.engine.segments import _View
from archive.home import ArchiveError, database_url, read_database_url
from archive.messages import message
from archive.query import MAX_PAGE_SIZE, FacetValue, Hit, Query, Results
from archive.swedish import fold

#: Memory a search's sorts and bitmaps may use (PostgreSQL's ``work_mem``, per search).
WORK_MEM = "64MB"
#: What a search says when the database does not answer.
MESSAGE_NO_DATABASE = message("database_unreachable")


class _Unreachable(Exception):
    """The database did not answer a reading method."""


# -- the view: term statistics and the lexicon, per version of the index ---------------


class _PgReader:
    """What the compiler asks of an index reader, answered from ``search_terms``."""

    def __init__(self, view: _PgView) -> None:
        self.view = view
        self.df: dict[tuple[str, str], int] = {}
        self.cf: dict[tuple[str, str], int] = {}

    def prefetch(self, fieldname: str, words: Iterable[str]) -> None:
        self.prefetch_pairs((fieldname, w) for w in words)

    def prefetch_pairs(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Read the statistics of many (field, term) pairs in one query."""
        wanted = [p for p in dict.fromkeys(pairs) if p not in self.df]
        if not wanted:
            return
        codes = {FIELD_CODES.get(f, f): f for f, _ in wanted}
        for pair in wanted:
            self.df[pair] = 0
            self.cf[pair] = 0
        for code, term, df, cf in self.view.query(
                "SELECT t.field, t.term, t.df, t.cf FROM search_terms t JOIN "
                "unnest(%s::text[], %s::text[]) AS w(field, term) "
                "ON t.field = w.field AND t.term = w.term",
                ([FIELD_CODES.get(f, f) for f, _ in wanted], [t for _, t in wanted])):
            self.df[(codes[code], term)] = df
            self.cf[(codes[code], term)] = cf

    def doc_frequency(self, fieldname: str, term: str) -> int:
        self.prefetch(fieldname, [term])
        return self.df[(fieldname, term)]

    def frequency(self, fieldname: str, term: str) -> int:
        self.prefetch(fieldname, [term])
        return self.cf[(fieldname, term)]

    def __contains__(self, item: tuple[str, bytes]) -> bool:
        fieldname, term = item
        return self.doc_frequency(fieldname, term.decode("utf-8")) > 0

    def iter_prefix(self, fieldname: str, prefix: bytes) -> Iterator[tuple[bytes, Any]]:
        """(term, info) of the terms starting with ``prefix``, in term order."""
        for term, df in self.view.query(
                "SELECT term, df FROM search_terms WHERE field = %s AND term LIKE %s "
                "ORDER BY term", (FIELD_CODES.get(fieldname, fieldname),
                                  _like_prefix(prefix.decode("utf-8")))):
            yield term.encode("utf-8"), SimpleNamespace(doc_frequency=lambda df=df: df)

    def expand_prefix(self, fieldname: str, prefix: bytes) -> Iterator[bytes]:
        for term, _info in self.iter_prefix(fieldname, prefix):
            yield term


def _like_prefix(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text) + "%"


class _PgView:
    """One version of the search tables as the compiler sees it (a ``_View`` stand-in):
    entry count, average field lengths, term statistics and the stem lexicon."""

    idf = _View.idf
    word_idf = _View.word_idf

    def compound_parts(self, word: str) -> tuple[list[str], list[str]] | None:
        """As :meth:`_View.compound_parts`, with the terms it may look up read at once."""
        if len(word) >= MIN_SPLIT:
            stem_of = STEMMING["sv"]._stem
            wanted = []
            for cut in range(MIN_HEAD, len(word) - MIN_HEAD + 1):
                left = word[:cut]
                wanted += [stem_of(word[cut:]), left, stem_of(left), left[:-1],
                           stem_of(left[:-1])]
            self.reader.prefetch("stem", wanted)
        return _View.compound_parts(self, word)  # type: ignore[arg-type]

    def __init__(self, key: Any, searcher: PgSearcher) -> None:
        self.key = key
        self.searcher = searcher
        self.reader = _PgReader(self)
        self.segments = [SimpleNamespace(reader=self.reader)]
        self.idf_cache: dict[tuple[str, str], float] = {}
        row = self.query("SELECT count(*), " + ", ".join(
            f"coalesce(sum(least({c}, 65535)), 0)" for c in LENGTH_COLUMNS.values())
            + " FROM search_entries")[0]
        self.doc_count = int(row[0])
        total = self.doc_count or 1
        self.average = {name: int(row[i + 1]) / total for i, name in enumerate(
            ("exact", "stem", "title", "meta"))}
        self._expansions: dict[tuple[str, str], list[str]] = {}
        #: What searches on this version of the tables answered (see Searcher._kept).
        self.answers: OrderedDict[Any, Any] = OrderedDict()
        #: PostgreSQL's fuzzystrmatch is there: "did you mean" narrows in the database.
        self.fuzzy = bool(self.query(
            "SELECT 1 FROM pg_extension WHERE extname = 'fuzzystrmatch'"))

    def doc_frequency(self, fieldname: str, term: str) -> int:
        """Documents holding ``term`` in ``fieldname`` (as the embedded view answers)."""
        return self.reader.doc_frequency(fieldname, term)

    def query(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        return self.searcher._conn().execute(sql, params).fetchall()

    def expansions(self, kind: str, stem: str) -> list[str]:
        """As :meth:`_View.expansions`, from ``search_terms`` (indexes on the term, its
        reversal and its folded form)."""
        key = (kind, stem)
        if key in self._expansions:
            return self._expansions[key]
        shortest, rest, _method = EXPANSIONS[kind]
        found: list[str] = []
        if len(stem) >= shortest:
            where, order, arg = {
                "compound": ('reverse(term) COLLATE "C" LIKE %s', 'reverse(term) COLLATE "C"',
                             _like_prefix(stem[::-1])),
                "modified": ("term LIKE %s", "term", _like_prefix(stem)),
                "accented": ("folded = %s", "term", fold(stem)),
            }[kind]
            rows = self.query(
                f"SELECT term FROM search_terms WHERE field = 's' AND {where} "
                "AND length(term) >= %s AND term <> %s "
                f"ORDER BY df DESC, {order} LIMIT %s",
                (arg, len(stem) + rest, stem, MAX_EXPANSIONS))
            found = [r[0] for r in rows]
        self._expansions[key] = found
        return found


# -- compiling a plan to SQL -------------------------------------------------------------

_TRUE, _FALSE = ("const", "TRUE"), ("const", "FALSE")


class _Sql:
    """Turns a compiled query tree into SQL conditions over ``search_entries e``.

    Terms are matched with ``tsv @@ tsquery`` (the GIN index: what finds the matches),
    or with ``by_postings`` as semi-joins on ``search_postings`` (what tells which of
    the matches a word matched strongly, or through a compound: no tsvector is read
    again for each matched row)."""

    def __init__(self, alias: str = "e", params: dict[str, Any] | None = None, *,
                 by_postings: bool = False) -> None:
        self.a = alias
        self.params: dict[str, Any] = {} if params is None else params
        self.by_postings = by_postings

    def within(self, node: _Node, *, core: bool = False) -> str:
        """``e`` is among the entries ``node`` matches (its strong matches with ``core``)."""
        return _Sql(self.a, self.params, by_postings=True).where(node, core=core)

    def _terms(self, pairs: list[tuple[str, str]]) -> tuple[str, str]:
        if not pairs:
            return _FALSE
        fields = self.param([FIELD_CODES.get(f, f) for f, _ in pairs], "::text[]")
        terms_ = self.param([t for _, t in pairs], "::text[]")
        return "sql", (f"{self.a}.ord IN (SELECT p.entry FROM search_postings p JOIN "
                       f"unnest({fields}, {terms_}) AS w(field, term) "
                       f"ON p.field = w.field AND p.term = w.term)")

    @staticmethod
    def _pairs(node: _Node, core: bool) -> list[tuple[str, str]] | None:
        """The (field, term) pairs of a leaf or group (None for other nodes)."""
        if isinstance(node, _Leaf):
            return [(node.fieldname, node.term)]
        if isinstance(node, _Group):
            return [] if core and not node.strong else [(node.fieldname, t) for t in node.terms]
        return None

    def param(self, value: Any, cast: str = "") -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s{cast}"

    def where(self, node: _Node, *, core: bool = False) -> str:
        return self._sql(self._build(node, core))

    def _sql(self, built: tuple[str, str]) -> str:
        kind, text = built
        if kind == "tsq":
            return f"({self.a}.tsv @@ {self.param(text, '::tsquery')})"
        return f"({text})" if kind == "sql" else text

    def _build(self, node: _Node, core: bool) -> tuple[str, str]:
        if self.by_postings:
            pairs = self._pairs(node, core)
            if pairs is None and isinstance(node, _Any):
                parts = [self._pairs(p, core) for p in node.parts]
                if all(p is not None for p in parts):
                    pairs = [pair for part in parts for pair in part]  # type: ignore[union-attr]
            if pairs is not None:
                return self._terms(pairs)
        if isinstance(node, _Leaf):
            return "tsq", quote_lexeme(pgstore.lexeme(node.fieldname, node.term))
        if isinstance(node, _Group):
            if (core and not node.strong) or not node.terms:
                return _FALSE
            return "tsq", "(" + " | ".join(
                quote_lexeme(pgstore.lexeme(node.fieldname, t)) for t in node.terms) + ")"
        if isinstance(node, _Optional):
            return self._build(node.node, core)
        if isinstance(node, _Not):
            inner = self._build(node.node, False)
            if inner == _TRUE:
                return _FALSE
            if inner == _FALSE:
                return _TRUE
            return ("tsq", f"!({inner[1]})") if inner[0] == "tsq" else (
                "sql", f"NOT {self._sql(inner)}")
        if isinstance(node, _Any):
            parts = [self._build(p, core) for p in node.parts]
            parts = [p for p in parts if p != _FALSE]
            if not parts:
                return _FALSE
            if _TRUE in parts:
                return _TRUE
            return self._combine(parts, " | ", " OR ")
        if isinstance(node, _And):
            positive = [self._build(p, core) for p in node.parts
                        if not isinstance(p, _Not | _Optional)]
            negative = [self._build(p.node, False) for p in node.parts if isinstance(p, _Not)]
            if _FALSE in positive or _TRUE in negative:
                return _FALSE
            positive = [p for p in positive if p != _TRUE]
            negative = [n for n in negative if n != _FALSE]
            if not positive and not negative:
                return _TRUE
            if positive and all(p[0] == "tsq" for p in positive + negative):
                return "tsq", " & ".join([f"({p[1]})" for p in positive]
                                         + [f"!({n[1]})" for n in negative])
            return "sql", " AND ".join([self._sql(p) for p in positive]
                                       + [f"NOT {self._sql(n)}" for n in negative])
        if isinstance(node, _Phrase):
            return self._phrase(node)
        if isinstance(node, _Facet):
            return "sql", self._facet(node.fieldname, node.keys)
        if isinstance(node, _Documents):
            return "sql", f"{self.a}.kind = 'document'"
        if isinstance(node, _All):
            return _TRUE
        raise ArchiveError(f"cannot search by {type(node).__name__} in PostgreSQL")

    def _combine(self, parts: list[tuple[str, str]], tsq_op: str, sql_op: str
                 ) -> tuple[str, str]:
        if all(p[0] == "tsq" for p in parts):
            return "tsq", "(" + tsq_op.join(p[1] for p in parts) + ")"
        return "sql", sql_op.join(self._sql(p) for p in parts)

    def _facet(self, fieldname: str, keys: list[str]) -> str:
        if fieldname == "doc":
            return f"{self.a}.doc = ANY({self.param(list(keys))})"
        if fieldname == "id":
            return f"{self.a}.id = ANY({self.param(list(keys))})"
        if fieldname == ACCESS_FIELD:
            return f"{self.a}.access = ANY({self.param(list(keys))})"
        return f"{self.a}.keys && {self.param([f'{fieldname}={k}' for k in keys], '::text[]')}"

    def _phrase(self, node: _Phrase) -> tuple[str, str]:
        parts = []
        for index, stems in enumerate(node.spellings):
            language = node.only[index] if index < len(node.only) else None
            lexemes = [quote_lexeme(f"s:{s}") for s in stems]
            if len(stems) == 1:
                part = self._sql(("tsq", lexemes[0]))
            else:
                # All the stems in the entry (GIN), then in a row in one of its chunks.
                query = self.param(" <-> ".join(lexemes), "::tsquery")
                every = self.param(" & ".join(lexemes), "::tsquery")
                chunks = f"{self.a}.ord IN (SELECT c.entry FROM search_chunks c WHERE c.tsv @@ {query})"
                part = chunks if self.by_postings else f"({self.a}.tsv @@ {every} AND {chunks})"
            if language is not None:
                part = f"({part} AND {self._facet('language', [language])})"
            parts.append(part)
        return ("sql", " OR ".join(parts)) if parts else _FALSE


def _terms_of(node: _Node | None) -> Iterator[tuple[str, str]]:
    """The (field, term) pairs whose statistics scoring ``node`` reads."""
    if isinstance(node, _Leaf):
        yield from node.word or ((node.fieldname, node.term),)
    elif isinstance(node, _Group):
        yield from ((node.fieldname, t) for t in node.terms[:8])
    elif isinstance(node, _Phrase):
        yield from (("stem", stem) for stem in (node.spellings[0] if node.spellings else ()))
    elif isinstance(node, _Optional | _Not):
        yield from _terms_of(node.node)
    elif isinstance(node, _Any | _And):
        for part in node.parts:
            yield from _terms_of(part)


def _weak(node: _Node | None) -> bool:
    """True when part of ``node`` matches weakly (see ``_Node.core``)."""
    if isinstance(node, _Group):
        return not node.strong
    if isinstance(node, _Optional):
        return _weak(node.node)
    if isinstance(node, _Any | _And):
        return any(_weak(p) for p in node.parts if not isinstance(p, _Not))
    return False


def _scored(view: _PgView, node: _Node | None, leaves: list[tuple[str, str, float]],
            groups: list[tuple[_Group, float]]) -> None:
    """The scored parts of a tree: (field code, term, BM25 factor) per term and the
    groups with their constant weight (see ``_Node.score`` of each kind)."""
    if node is None or isinstance(node, _Not):
        return
    if isinstance(node, _Leaf):
        idf = view.word_idf(node.word) if node.word else view.idf(node.fieldname, node.term)
        leaves.append((FIELD_CODES[node.fieldname], node.term, node.boost * idf * (K1 + 1)))
    elif isinstance(node, _Group):
        groups.append((node, node.weight(view)))
    elif isinstance(node, _Phrase):
        for stem in node.spellings[0] if node.spellings else ():
            leaves.append(("s", stem, node.boost * view.idf("stem", stem) * (K1 + 1)))
    elif isinstance(node, _Optional):
        _scored(view, node.node, leaves, groups)
    elif isinstance(node, _Any | _And):
        for part in node.parts:
            _scored(view, part, leaves, groups)


# -- the searcher ----------------------------------------------------------------------


class PgSearcher(Searcher):
    """The embedded :class:`Searcher` with PostgreSQL under it: the plan, hits, snippets,
    "did you mean" and more like this are the embedded engine's; matching, ranking and
    counting are SQL. One connection a thread; each search reads one snapshot."""

    def __init__(self, home: Path, url: str) -> None:
        super().__init__(home)
        self.url = url
        self._views: dict[Any, _PgView] = {}

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = pgstore.connect(self.url, autocommit=True)
            self._local.conn = conn
        return conn

    def _version(self) -> Any:
        try:
            return self._key(self._conn())
        except Exception:  # noqa: BLE001 - no database: no index to report on
            self._drop_connection()
            return None

    @staticmethod
    def _key(conn: Any) -> Any:
        """(generation, version) of the search tables; None without a usable index."""
        state = pgstore.read_state(conn)
        if state.get("schema_version") != str(PG_SCHEMA_VERSION):
            return None
        return (state.get("generation"), state.get("version"))

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with contextlib.suppress(Exception):  # a broken connection: just forget it
                conn.close()

    def _reading(self, work: Callable[[Any], Any], empty: Any) -> Any:
        """Run ``work`` on the current view in one read-only snapshot of the database."""
        try:
            import psycopg
        except ImportError:  # pgstore.connect says what to install
            raise _Unreachable() from None
        for attempt in range(2):
            try:
                conn = self._conn()
                with conn.transaction():
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    # Bitmaps of large match sets stay exact: no tsvector read again.
                    conn.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
                    # The GIN index even for a word in most entries: a sequential scan
                    # would read every entry's tsvector, the bitmap of the index none.
                    conn.execute("SET LOCAL enable_seqscan = off")
                    key = self._key(conn)
                    if key is None:
                        return empty
                    with self._lock:
                        view = self._views.get(key)
                        if view is None:
                            self._views = {key: _PgView(key, self)}
                            view = self._views[key]
                    return work(view)
            except (psycopg.DatabaseError, ArchiveError) as exc:
                # A rebuild swapped the tables, or the server restarted: once more.
                self._drop_connection()
                unreachable = isinstance(exc, psycopg.OperationalError | ArchiveError)
                if attempt and unreachable:
                    raise _Unreachable() from None
                if attempt:
                    raise
        return empty

    def search(self, query: Query) -> Results:
        try:
            return super().search(query)
        except _Unreachable:
            return Results(query=_normalised(query), notes=[MESSAGE_NO_DATABASE])

    # -- searching ----------------------------------------------------------------

    def _search(self, view: _PgView, query: Query, results: Results
                ) -> tuple[list[tuple[str, float]], _Plan]:
        ctx = _Context(view, None)  # type: ignore[arg-type]
        plan = self._plan(ctx, query)
        found = self._run(view, plan, query, facets=query.facets)
        if found["total"] == 0 and isinstance(plan.text, _And):
            relaxed = _relax(plan.text)
            if relaxed is not None:
                plan.text = relaxed
                found = self._run(view, plan, query, facets=query.facets)
                if found["total"]:
                    plan.notes.append(MESSAGE_FALLBACK)
        results.total = found["total"]
        if query.facets:
            results.facets = self._facet_lists(found["facets"], plan.selected)
        if results.total < SUGGEST_BELOW and plan.words and not query.documents:
            results.suggestion = self._suggest(ctx, query.text, plan.words, plan.access)
        page = found["hits"][(query.page - 1) * query.page_size :]
        return page, plan

    @staticmethod
    def _match_sql(sql: _Sql, plan: _Plan) -> tuple[str, str]:
        """(match condition, strong-match condition) of a plan over ``e``."""
        root = plan.root()
        match = sql.where(root)
        core = sql.within(plan.text, core=True) if _weak(plan.text) else "TRUE"
        for dates in plan.dates:
            low, high = dates.low or 1, dates.high or 99991231
            match += (f" AND e.{dates.column} BETWEEN {sql.param(int(low))} "
                      f"AND {sql.param(int(high))}")
        return match, core

    def _run(self, view: _PgView, plan: _Plan, query: Query, *, facets: bool,
             wanted: int | None = None) -> dict[str, Any]:
        """Total, the best ``wanted`` hits (id, score) in order, and facet counts."""
        wanted = wanted if wanted is not None else query.page * query.page_size
        sql = _Sql()
        leaves: list[tuple[str, str, float]] = []
        groups: list[tuple[_Group, float]] = []
        view.reader.prefetch_pairs(_terms_of(plan.text))
        _scored(view, plan.text, leaves, groups)
        group_score = " + ".join(
            f"CASE WHEN {sql.within(g)} THEN {sql.param(w)}::float8 ELSE 0 END"
            for g, w in groups) or "0"
        match, core = self._match_sql(sql, plan)
        sort = query.sort if plan.text is not None else (
            "newest" if query.sort == "relevance" else query.sort)
        base = K1 * (1 - B)
        scales = {code: K1 * B / max(view.average[name], 1.0)
                  for name, code in FIELD_CODES.items() if code in LENGTH_COLUMNS}
        length = "CASE l.field " + " ".join(
            f"WHEN '{code}' THEN least(m.{column}, 65535)"
            for code, column in LENGTH_COLUMNS.items()) + " END"
        leaf_params = [[f for f, _, _ in leaves], [t for _, t, _ in leaves],
                       [c for _, _, c in leaves], [scales[f] for f, _, _ in leaves]]
        statement = f"""
            WITH m AS MATERIALIZED (
                SELECT e.ord, e.id, e.weight, e.date, e.exact_len, e.stem_len, e.title_len,
                       e.meta_len, e.facets, ({core}) AS core, ({group_score}) AS gscore
                FROM search_entries e WHERE {match}),
            s AS (
                SELECT p.entry, sum(l.coef * p.tf / (p.tf + {sql.param(base)}::float8
                                     + l.scale * {length})) AS score
                FROM unnest({sql.param(leaf_params[0])}::text[], {sql.param(leaf_params[1])}::text[],
                            {sql.param(leaf_params[2])}::float8[], {sql.param(leaf_params[3])}::float8[])
                     AS l(field, term, coef, scale)
                JOIN search_postings p ON p.field = l.field AND p.term = l.term
                JOIN m ON m.ord = p.entry
                GROUP BY p.entry),
            scored AS (
                SELECT m.ord, m.id, m.core, m.date,
                       (coalesce(s.score, 0) + m.gscore) * m.weight / 100.0 AS score
                FROM m LEFT JOIN s ON s.entry = m.ord),
            ranked AS (
                SELECT id, score, row_number() OVER () AS n FROM (
                    SELECT id, score FROM scored ORDER BY {_ORDER[sort]}
                    LIMIT {sql.param(wanted)}) page)
            SELECT 'h', id, score, n FROM ranked
            UNION ALL SELECT 't', NULL, NULL, count(*) FROM m
        """
        if facets:
            statement += " UNION ALL SELECT 'f', fv, NULL, count(*) FROM m, unnest(m.facets) fv " \
                         "GROUP BY fv"
        rows = view.query(statement, sql.params)
        hits = sorted((r[3], r[1], float(r[2])) for r in rows if r[0] == "h")
        counts: dict[str, Counter[str]] = {name: Counter() for name in FACET_FIELDS}
        for kind, value, _, n in rows:
            if kind == "f":
                name, _, written = value.partition("=")
                if name in counts:
                    counts[name][written] += int(n)
        total = next(int(r[3]) for r in rows if r[0] == "t")
        return {"total": total, "hits": [(i, s % _STRONG) for _, i, s in hits],
                "facets": counts}

    @staticmethod
    def _facet_lists(counts: dict[str, Counter[str]], selected: dict[str, set[str]]
                     ) -> dict[str, list[FacetValue]]:
        return {name: ranked_values(found, selected.get(name, set()))
                for name, found in counts.items()}

    def _suggest(self, ctx: _Context, text: str, words: list[str], access: tuple[str, ...]
                 ) -> str | None:
        """"Did you mean", as the embedded engine's: the most frequent exact word within
        two edits (same first letter) that an entry the searcher may show has."""
        from whoosh.support.levenshtein import levenshtein

        view = ctx.view
        suggestion = text
        changed = False
        for word in words:
            if not word or view.reader.doc_frequency("exact", word):
                continue
            near = "AND levenshtein_less_equal(term, %s, 2) <= 2" if view.fuzzy else "AND %s = %s"
            rows = view.query(
                "SELECT term, cf FROM search_terms WHERE field = 'e' AND term LIKE %s "
                f"AND length(term) BETWEEN %s AND %s {near}",
                (_like_prefix(word[:1]), len(word) - 2, len(word) + 2,
                 *((word,) if view.fuzzy else ("", ""))))
            close = closest_words(word, ((term, cf) for term, cf in rows
                                         if levenshtein(term, word, 3) <= 2))
            found = [t for t in close if self._shown(view, t, access)][:1]
            if found:
                pattern = re.compile(re.escape(word), re.IGNORECASE)
                suggestion, count = pattern.subn(found[0], suggestion, count=1)
                changed = changed or bool(count)
        return suggestion if changed else None

    @staticmethod
    def _shown(view: _PgView, term: str, access: tuple[str, ...]) -> bool:
        if not access:
            return True
        return bool(view.query(
            "SELECT 1 FROM search_postings p JOIN search_entries e ON e.ord = p.entry "
            "WHERE p.field = 'e' AND p.term = %s AND NOT e.access = ANY(%s) LIMIT 1",
            (term, _hidden_classes(access))))

    # -- browsing -----------------------------------------------------------------

    @staticmethod
    def _visible(audience: tuple[str, ...]) -> list[_Node]:
        """Documents (not ärenden) of the ``access`` classes (all when empty)."""
        filters: list[_Node] = [_Documents()]
        if audience:
            filters.append(_Not(_Facet(ACCESS_FIELD, _hidden_classes(audience))))
        return filters

    def more_like_this(self, doc_id: str, limit: int = 5, *, access: Iterable[str] = ()
                       ) -> list[Hit]:
        audience = tuple(access)
        catalog = self._catalog()
        doc = catalog.get(doc_id) if catalog is not None else None
        if doc is None:
            return []

        def related(view: _PgView) -> list[tuple[str, float]]:
            language = document_language(doc)
            view.reader.prefetch("stem", analyse(doc.text, language)[1]
                                 + terms(EXACT[language], doc.get("title") or ""))
            key_terms = _key_terms(view, doc)  # type: ignore[arg-type]
            if not key_terms:
                return []
            node = _Any([_Leaf("stem", t, 1.0) for t in key_terms])
            filters = [*self._visible(audience), _Not(_Facet("id", [doc_id]))]
            plan = _Plan(node, filters, [], None, {}, [], [])  # type: ignore[arg-type]
            query = Query(page_size=max(1, min(limit, MAX_PAGE_SIZE)))
            return self._run(view, plan, query, facets=False)["hits"]

        try:
            ids = self._reading(related, [])
        except _Unreachable:
            return []
        return [h for h in self._hits(ids, None) if h.id != doc_id][:limit]

    def facet_spans(self, name: str, *, access: Iterable[str] = ()
                    ) -> dict[str, tuple[str, str]]:
        """Not from the search tables (yet): the browse pages read the catalog."""
        raise NotImplementedError

    def facet_pairs(self, name: str, within: str, *, access: Iterable[str] = ()
                    ) -> dict[str, Counter[str]]:
        """Not from the search tables (yet): the browse pages read the catalog."""
        raise NotImplementedError

    def facet_values(self, name: str, *, access: Iterable[str] = ()) -> list[FacetValue]:
        fieldname = fields.index_field(name)
        if fieldname not in FACET_FIELDS:
            return []
        audience = tuple(access)

        def count(view: _PgView) -> Counter[str]:
            sql = _Sql()
            where = " AND ".join(sql.where(f) for f in self._visible(audience))
            rows = view.query(
                f"SELECT substr(fv, {len(fieldname) + 2}), count(*) FROM search_entries e, "
                f"unnest(e.facets) fv WHERE {where} AND left(fv, {len(fieldname) + 1}) = {sql.param(fieldname + '=')} "
                "GROUP BY fv", sql.params)
            return Counter({v: int(n) for v, n in rows})

        try:
            counts = self._reading(count, Counter())
        except _Unreachable:
            return []
        return alphabetical_values(counts)

    def timeline(self, query: Query | None = None, *, access: Iterable[str] = ()
                 ) -> list[tuple[str, int]]:
        audience = tuple(access)

        def by_month(view: _PgView) -> list[tuple[int, int]]:
            sql = _Sql()
            if query is None:
                where = " AND ".join(sql.where(f) for f in self._visible(audience))
            else:
                asked = replace(query, access=list(audience)) if audience else query
                plan = self._plan(_Context(view, None), _normalised(asked))  # type: ignore[arg-type]
                where = self._match_sql(sql, plan)[0]
            return view.query(f"SELECT e.date / 100 AS month, count(*) FROM search_entries e "
                              f"WHERE {where} AND e.date > 0 GROUP BY month ORDER BY month",
                              sql.params)

        try:
            months = self._reading(by_month, [])
        except _Unreachable:
            return []
        return [(f"{m // 100:04d}-{m % 100:02d}", int(n)) for m, n in months]

    def suggest(self, text: str, *, access: Iterable[str] = ()) -> str | None:
        try:
            return super().suggest(text, access=access)
        except _Unreachable:
            return None

    def highlighter(self, text: str) -> _Marker:
        try:
            return super().highlighter(text)
        except _Unreachable:
            from archive.engine.highlight import _Highlights

            return _Marker(_Highlights())

    def close(self) -> None:
        self._drop_connection()
        self._views = {}


_ORDER = {
    "relevance": "core DESC, round(score::numeric, 9) DESC, ord",
    "newest": "date DESC, ord",
    "oldest": "(date = 0), date, ord",
}


# -- the backend ---------------------------------------------------------------------------


class PostgresBackend(EmbeddedBackend):
    """Search in PostgreSQL: written at ``url`` (the primary), read at ``read_url``.

    Its reading methods are the embedded backend's (they ask ``self.searcher``, here a
    :class:`PgSearcher`); writing and the index state are PostgreSQL's own."""

    name = "postgresql"

    def __init__(self, home: Path, url: str | None = None, read_url: str | None = None) -> None:
        SearchBackend.__init__(self, home)
        url = url or database_url()
        if not url:
            raise ArchiveError("no PostgreSQL database given (ARKIV_DATABASE_URL)")
        self.url = url
        self.read_url = read_url or (read_database_url() if url == database_url() else None) or url
        self._searcher: PgSearcher | None = None
        self._lock = threading.Lock()

    @property
    def searcher(self) -> PgSearcher:
        with self._lock:
            if self._searcher is None:
                self._searcher = PgSearcher(self.home, self.read_url)
            return self._searcher

    def sync(self, catalog: Catalog) -> int:
        if self.needs_rebuild():
            return self.rebuild(catalog)
        return pgstore.sync(self.url, catalog)

    def rebuild(self, catalog: Catalog,
                progress: Callable[[int, int], None] | None = None) -> int:
        return pgstore.rebuild(self.url, catalog, progress)

    def needs_rebuild(self) -> bool:
        try:
            with pgstore.connect(self.url, autocommit=True) as conn:
                state = pgstore.read_state(conn)
        except ArchiveError:
            return True
        return state.get("schema_version") != str(PG_SCHEMA_VERSION)

    def status(self) -> dict[str, Any]:
        try:
            with pgstore.connect(self.read_url, autocommit=True) as conn:
                state = pgstore.read_state(conn)
        except ArchiveError:
            return {}
        if state.get("schema_version") is None:
            return {}
        return {"schema_version": int(state["schema_version"]), "seq": int(state["seq"]),
                "built_at": state.get("built_at"), "updated_at": state.get("updated_at"),
                "generation": f"pg-{state.get('generation')}"}
