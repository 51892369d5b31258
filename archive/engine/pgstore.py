"""The PostgreSQL search tables: what they hold, and writing them from the catalog.

Owns the search tables of a PostgreSQL archive (all named ``search_*``, beside the
catalog's tables in the same database), turning a catalog document into their rows
(from :func:`archive.engine.schema.index_entries`, the embedded engine's own entries and
analysis), :func:`rebuild` (new tables filled, then swapped in by one transaction while
searches keep answering from the old ones) and :func:`sync` (the catalog's changes since
the last sync, in one transaction). It reads the catalog through its Python API only
(``iter_documents``, ``changes_since``, ``get_many``, ``max_seq``, ``arenden_source``),
so the catalog may live in SQLite or in PostgreSQL.

Tables (``{sfx}`` is empty for the live tables, ``_new`` while a rebuild fills them):

``search_entries``  one row an index entry (a document, or one of its ärenden): ``ord``
                    (its place: ties rank by it), ``id``, ``doc``, ``kind``, ``access``,
                    ``shard`` (the kommun), ``weight``, the dates as YYYYMMDD integers,
                    field lengths, ``facets`` (``name=value`` as written, counted with
                    GROUP BY), ``keys`` (``name=key`` casefolded, filtered with a GIN
                    index) and ``tsv``: every analysed term as a lexeme ``field:term``
                    (``e`` exact words, ``s`` stems, ``t`` title stems, ``m`` kommun,
                    stadsdel, nämnd and project stems, ``d`` diarienummer).
``search_postings`` (field, term, entry, tf): term frequencies for BM25, and the
                    statistics below are counted from it.
``search_chunks``   the stems of an entry in order, as positions of a tsvector, in
                    pieces of ``CHUNK_STEMS`` overlapping by ``CHUNK_OVERLAP``: phrases
                    (``<->``) stay within PostgreSQL's 16,383 positions and 256
                    positions a lexeme however long the document.
``search_terms``    (field, term, folded, df, cf): document and collection frequencies
                    (IDF), the lexicon of compounds and å/ä/ö, prefixes, "did you mean".
``search_state``    key → value: schema version, catalog seq, times, generation, version.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from archive.catalog import Catalog
from archive.engine.schema import FACET_FIELDS, facet_key, index_entries
from archive.engine.store import IndexBusy
from archive.home import ArchiveError
from archive.models import Document
from archive.swedish import ACCENTS as _FOLD

#: Bumped when the tables or what goes into them change: the index must be rebuilt.
PG_SCHEMA_VERSION = 1
#: The analysed fields of an entry and their lexeme prefixes.
FIELD_CODES = {"exact": "e", "stem": "s", "title": "t", "meta": "m", "dnr": "d"}
#: Entry column of each scored field's length.
LENGTH_COLUMNS = {"e": "exact_len", "s": "stem_len", "t": "title_len", "m": "meta_len"}
#: What the lexemes of an entry's tsvector may take (PostgreSQL's limit is 1 MB).
TSVECTOR_BUDGET = 900_000
CHUNK_STEMS = 1024
CHUNK_OVERLAP = 32
#: The live tables, in the order they are created and swapped.
TABLES = ("search_entries", "search_postings", "search_chunks", "search_terms")
#: Any number both writers agree on: one sync or rebuild at a time per database.
WRITER_LOCK = 0x61726B69
#: å→a, ä→a, ö→o … as ``translate(term, FOLD_FROM, FOLD_TO)`` in SQL (archive.swedish.fold).
FOLD_FROM = "".join(chr(k) for k in _FOLD)
FOLD_TO = "".join(chr(v) for v in _FOLD.values())
SHARD_COLUMN = "shard"


def connect(url: str, **options: Any) -> Any:
    """A psycopg connection, or an :class:`ArchiveError` saying the database is unreachable."""
    try:
        import psycopg
    except ImportError:
        raise ArchiveError("PostgreSQL needs psycopg: pip install 'arkiv[postgresql]'") from None
    try:
        return psycopg.connect(url, **options)
    except psycopg.Error as exc:
        raise ArchiveError(f"cannot connect to the PostgreSQL database: {_first_line(exc)}"
                           ) from exc


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def table_sql(sfx: str = "", *, partitioned: bool = False) -> list[str]:
    """CREATE statements of the search tables (without their indexes)."""
    by_shard = f" PARTITION BY LIST ({SHARD_COLUMN})" if partitioned else ""
    return [
        f"""CREATE TABLE search_entries{sfx} (
            ord bigint NOT NULL, id text COLLATE "C" NOT NULL, doc text COLLATE "C" NOT NULL,
            kind text NOT NULL, access text NOT NULL, {SHARD_COLUMN} text NOT NULL,
            weight int NOT NULL, date int NOT NULL, decision_date int NOT NULL,
            document_date int NOT NULL, exact_len int NOT NULL, stem_len int NOT NULL,
            title_len int NOT NULL, meta_len int NOT NULL,
            facets text[] NOT NULL, keys text[] NOT NULL, tsv tsvector NOT NULL){by_shard}""",
        f"""CREATE TABLE search_postings{sfx} (
            field text COLLATE "C" NOT NULL, term text COLLATE "C" NOT NULL,
            entry bigint NOT NULL, tf int NOT NULL, {SHARD_COLUMN} text NOT NULL){by_shard}""",
        f"""CREATE TABLE search_chunks{sfx} (
            entry bigint NOT NULL, n int NOT NULL, tsv tsvector NOT NULL,
            {SHARD_COLUMN} text NOT NULL){by_shard}""",
        f"""CREATE TABLE search_terms{sfx} (
            field text COLLATE "C" NOT NULL, term text COLLATE "C" NOT NULL,
            folded text COLLATE "C" NOT NULL, df int NOT NULL, cf bigint NOT NULL)""",
    ]


def index_sql(sfx: str = "") -> list[str]:
    """The indexes of the search tables (made after a rebuild filled them)."""
    return [
        f"CREATE UNIQUE INDEX ON search_entries{sfx} (ord, {SHARD_COLUMN})",
        f"CREATE INDEX ON search_entries{sfx} (id)",
        f"CREATE INDEX ON search_entries{sfx} (doc)",
        f"CREATE INDEX ON search_entries{sfx} (date, ord)",
        f"CREATE INDEX ON search_entries{sfx} USING gin (tsv)",
        f"CREATE INDEX ON search_entries{sfx} USING gin (keys)",
        f"CREATE INDEX ON search_postings{sfx} (field, term, entry) INCLUDE (tf)",
        f"CREATE INDEX ON search_postings{sfx} (entry)",
        f"CREATE INDEX ON search_chunks{sfx} USING gin (tsv)",
        f"CREATE INDEX ON search_chunks{sfx} (entry)",
        f"CREATE UNIQUE INDEX ON search_terms{sfx} (field, term)",
        f'CREATE INDEX ON search_terms{sfx} (field, (reverse(term)) COLLATE "C")',
        f"CREATE INDEX ON search_terms{sfx} (field, folded)",
    ]


# -- rows ------------------------------------------------------------------------------


def quote_lexeme(lexeme: str) -> str:
    """A lexeme as tsvector/tsquery input: quoted, quotes doubled, backslashes escaped."""
    if "'" in lexeme or "\\" in lexeme:
        lexeme = lexeme.replace("\\", "\\\\").replace("'", "''")
    return f"'{lexeme}'"


#: COPY's text format: these characters are written escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def lexeme(field: str, term: str) -> str:
    return f"{FIELD_CODES.get(field, field)}:{term}"


def entry_rows(doc: Document, arende_source: str | None, next_ord: Callable[[], int],
               sharded: bool = False
               ) -> Iterator[tuple[tuple[Any, ...], list[str], list[tuple[Any, ...]]]]:
    """Per index entry of a document: its entries row, postings (as lines of COPY's text
    format) and chunk rows. Postings and chunks carry the kommun only when ``sharded``."""
    shard = doc.get("city") or ""
    tail = f"\t{shard.translate(_COPY_ESCAPES) if sharded else ''}\n"
    for fields in index_entries(doc, arende_source):
        ord_ = next_ord()
        postings: list[str] = []
        lexemes: list[str] = []
        for name, code in FIELD_CODES.items():
            counts = Counter(fields[name])
            for term, tf in counts.items():
                postings.append(f"{code}\t{term.translate(_COPY_ESCAPES)}\t{ord_}\t{tf}{tail}")
                lexemes.append(quote_lexeme(f"{code}:{term}"))
        facets, keys = [], []
        for name in FACET_FIELDS:
            values = fields.get(name) or []
            facets += [f"{name}={v}" for v in values]
            for key in dict.fromkeys(facet_key(v) for v in values):
                if key:
                    keys.append(f"{name}={key}")
                    postings.append(f"{name}\t{key.translate(_COPY_ESCAPES)}\t{ord_}\t1{tail}")
        row = (ord_, fields["id"], fields["doc"], fields["kind"][0], fields["access"][0],
               shard, fields["weight"], fields["date"], fields["decision_date"],
               fields["document_date"], fields["exact_len"], fields["stem_len"],
               fields["title_len"], fields["meta_len"], facets, keys,
               " ".join(_within_limit(lexemes, fields["exact"])))
        yield row, postings, list(_chunks(ord_, fields["stem"], shard if sharded else ""))


def _within_limit(lexemes: list[str], exact: list[str]) -> list[str]:
    """The quoted lexemes of an entry's tsvector, within PostgreSQL's 1 MB a tsvector.

    A text of tens of thousands of different words is past it: then the exact words
    go, the rarest in the text first (the words are still found by their stems, and
    their postings still rank them)."""
    size = sum(len(x.encode("utf-8")) + 6 for x in lexemes)
    if size <= TSVECTOR_BUDGET:
        return lexemes
    kept = [x for x in lexemes if not x.startswith("'e:")]
    budget = TSVECTOR_BUDGET - sum(len(x.encode("utf-8")) + 6 for x in kept)
    for word, _ in Counter(exact).most_common():
        quoted = quote_lexeme(f"e:{word}")
        budget -= len(quoted.encode("utf-8")) + 6
        if budget < 0:
            break
        kept.append(quoted)
    return kept


def _chunks(ord_: int, stems: list[str], shard: str) -> Iterator[tuple[Any, ...]]:
    step = CHUNK_STEMS - CHUNK_OVERLAP
    for n, start in enumerate(range(0, max(len(stems) - CHUNK_OVERLAP, 1), step)):
        positions: dict[str, list[int]] = {}
        for i, stem in enumerate(stems[start : start + CHUNK_STEMS], 1):
            positions.setdefault(stem, []).append(i)
        if positions:
            text = " ".join(f"{quote_lexeme('s:' + s)}:{','.join(map(str, p[:256]))}"
                            for s, p in positions.items())
            yield ord_, n, text, shard


ENTRY_COLUMNS = ("ord, id, doc, kind, access, shard, weight, date, decision_date, "
                 "document_date, exact_len, stem_len, title_len, meta_len, facets, keys, tsv")


class _Loader:
    """COPYs the rows of documents into the search tables ``{sfx}``, in batches."""

    def __init__(self, conn: Any, sfx: str, first_ord: int, sharded: bool = False) -> None:
        self.conn = conn
        self.sfx = sfx
        self.sharded = sharded
        self.ord = first_ord
        self.ords: list[int] = []
        self.rows: tuple[list[Any], list[Any], list[Any]] = ([], [], [])

    def _next(self) -> int:
        self.ord += 1
        self.ords.append(self.ord)
        return self.ord

    def add(self, doc: Document, arende_source: str | None) -> None:
        for row, postings, chunks in entry_rows(doc, arende_source, self._next, self.sharded):
            self.rows[0].append(row)
            self.rows[1].extend(postings)
            self.rows[2].extend(chunks)
        if len(self.rows[1]) > 50_000:
            self.flush()

    def flush(self) -> None:
        targets = (f"search_entries{self.sfx} ({ENTRY_COLUMNS})",
                   f"search_postings{self.sfx} (field, term, entry, tf, shard)",
                   f"search_chunks{self.sfx} (entry, n, tsv, shard)")
        with self.conn.cursor() as cur:
            for target, rows in zip(targets, self.rows, strict=True):
                if rows:
                    with cur.copy(f"COPY {target} FROM STDIN") as copy:
                        if isinstance(rows[0], str):
                            copy.write("".join(rows))
                        else:
                            for row in rows:
                                copy.write_row(row)
                    rows.clear()


def _arende_source(catalog: Catalog, doc: Document) -> str | None:
    """The text a document's ärenden point into when it is another rendering's."""
    if not doc.metadata.get("arenden"):
        return None
    source = catalog.arenden_source(doc)
    return source.text if source is not None and source is not doc else None


# -- state -------------------------------------------------------------------------------


STATE_SQL = "CREATE TABLE IF NOT EXISTS search_state (key text PRIMARY KEY, value text NOT NULL)"


def read_state(conn: Any) -> dict[str, str]:
    """The search state (empty without search tables)."""
    row = conn.execute("SELECT to_regclass('search_state') IS NOT NULL "
                       "AND to_regclass('search_entries') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return {}
    return dict(conn.execute("SELECT key, value FROM search_state").fetchall())


def _write_state(conn: Any, **values: Any) -> None:
    conn.execute(STATE_SQL)
    for key, value in values.items():
        conn.execute("INSERT INTO search_state VALUES (%s, %s) ON CONFLICT (key) "
                     "DO UPDATE SET value = excluded.value", (key, str(value)))


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@contextmanager
def writing(conn: Any, purpose: str) -> Iterator[None]:
    """Hold the search tables' single-writer lock, or raise :class:`IndexBusy`."""
    got = conn.execute("SELECT pg_try_advisory_lock(%s)", (WRITER_LOCK,)).fetchone()[0]
    if not got:
        raise IndexBusy("the index is being updated; try again when it has finished")
    try:
        yield
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (WRITER_LOCK,))


# -- writing -----------------------------------------------------------------------------


def _count_terms(conn: Any, sfx: str, ords: list[int] | None, sign: int = 1) -> None:
    """Add (``sign`` 1) or take off (-1) the postings of entries ``ords`` (all when None)
    to the term statistics."""
    where, params = ("", []) if ords is None else ("WHERE entry = ANY(%s)", [ords])
    source = (f"SELECT field, term, translate(term, %s, %s) AS folded, count(*) AS df, "
              f"sum(tf) AS cf FROM search_postings{sfx} {where} GROUP BY field, term")
    params = [FOLD_FROM, FOLD_TO, *params]
    if ords is None:  # a fresh table, before its indexes
        conn.execute(f"INSERT INTO search_terms{sfx} (field, term, folded, df, cf) {source}",
                     params)
    elif sign > 0:
        conn.execute(f"INSERT INTO search_terms{sfx} (field, term, folded, df, cf) {source} "
                     "ON CONFLICT (field, term) DO UPDATE SET "
                     f"df = search_terms{sfx}.df + excluded.df, "
                     f"cf = search_terms{sfx}.cf + excluded.cf", params)
    else:
        conn.execute(f"UPDATE search_terms{sfx} t SET df = t.df - d.df, cf = t.cf - d.cf "
                     f"FROM ({source}) d WHERE t.field = d.field AND t.term = d.term", params)
        conn.execute(f"DELETE FROM search_terms{sfx} WHERE df <= 0")


def _max_ord(conn: Any, sfx: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(ord), 0) FROM search_entries{sfx}"
                            ).fetchone()[0])


def _apply_changes(conn: Any, catalog: Catalog, since: int, sfx: str = "") -> tuple[int, int]:
    """Upsert or delete what changed in the catalog after ``since``: (changed, new seq).

    Runs in the caller's transaction: readers see all of it or none.
    """
    changes = catalog.changes_since(since)
    if not changes:
        return 0, since
    latest = {change.id: change for change in changes}
    gone = [r[0] for r in conn.execute(
        f"SELECT ord FROM search_entries{sfx} WHERE doc = ANY(%s)", (list(latest),))]
    if gone:
        _count_terms(conn, sfx, gone, -1)
        for table, column in (("postings", "entry"), ("chunks", "entry"), ("entries", "ord")):
            conn.execute(f"DELETE FROM search_{table}{sfx} WHERE {column} = ANY(%s)", (gone,))
    loader = _Loader(conn, sfx, _max_ord(conn, sfx), _partitioned(conn) is not None)
    ids = [i for i, c in latest.items() if c.indexable]
    for start in range(0, len(ids), 200):
        for doc in catalog.get_many(ids[start : start + 200]).values():
            loader.add(doc, _arende_source(catalog, doc))
    loader.flush()
    if loader.ords:
        _count_terms(conn, sfx, loader.ords, 1)
    return len(latest), max(change.seq for change in changes)


def _create_extension(conn: Any, name: str) -> None:
    """Create an extension this database may have; without the right, go on without it."""
    import psycopg

    with contextlib.suppress(psycopg.Error):
        conn.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")


def sync(url: str, catalog: Catalog) -> int:
    """Apply the catalog's changes since the last sync, in one transaction."""
    with connect(url, autocommit=True) as conn, writing(conn, "sync"):
        state = read_state(conn)
        with conn.transaction():
            changed, seq = _apply_changes(conn, catalog, int(state.get("seq", 0)))
            if changed:
                _write_state(conn, seq=seq, updated_at=_now(),
                             version=int(state.get("version", 0)) + 1)
        return changed


def rebuild(url: str, catalog: Catalog, progress: Callable[[int, int], None] | None = None
            ) -> int:
    """Fill new search tables from the catalog, then swap them in (one transaction)."""
    report = progress or (lambda done, total: None)
    with connect(url, autocommit=True) as conn, writing(conn, "rebuild"):
        partitioned = _partitioned(conn)
        conn.execute(STATE_SQL)
        _create_extension(conn, "fuzzystrmatch")  # "did you mean" (optional)
        for table in TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}_new CASCADE")
        for statement in table_sql("_new", partitioned=partitioned is not None):
            conn.execute(statement)
        if partitioned is not None:
            _attach_partitions(conn, "_new", partitioned)
        start_seq = catalog.max_seq()
        total = catalog.count()
        loader = _Loader(conn, "_new", 0, partitioned is not None)
        done = 0
        with conn.transaction():
            for doc in catalog.iter_documents(received_order=True):
                loader.add(doc, _arende_source(catalog, doc))
                done += 1
                if done % 500 == 0:
                    report(done, total)
            loader.flush()
            _count_terms(conn, "_new", None)
        report(done, total)
        if partitioned is None:
            for statement in index_sql("_new"):
                conn.execute(statement)
        else:
            from archive.engine import pgshards

            pgshards.index(conn, "_new", partitioned)
        conn.execute("ANALYZE search_entries_new, search_postings_new, search_chunks_new, "
                     "search_terms_new")
        state = raw_state(conn)
        with conn.transaction():
            _, seq = _apply_changes(conn, catalog, start_seq, "_new")
            for table in TABLES:
                conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
                conn.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
            if partitioned is not None:
                _rename_partitions(conn, partitioned)
            now = _now()
            _write_state(conn, schema_version=PG_SCHEMA_VERSION, seq=max(seq, start_seq),
                         built_at=now, updated_at=now,
                         generation=int(state.get("generation", 0)) + 1,
                         version=int(state.get("version", 0)) + 1)
        if partitioned is not None:
            from archive.engine import pgshards

            pgshards.drop_old(conn, partitioned)
        return done


# -- shards ------------------------------------------------------------------------------
#
# A sharded archive's entries, postings and chunks are partitioned by kommun (``shard``):
# each listed kommun's rows live on a shard server (a postgres_fdw foreign table), the
# rest on this server (the default partition). ``search_state``'s ``shards`` holds the
# layout as JSON: {"servers": {name: {host, port, dbname, user}},
#                  "kommuner": {kommun: server name}}; a rebuild makes it again.


def _partitioned(conn: Any) -> dict[str, Any] | None:
    state = raw_state(conn)
    return json.loads(state["shards"]) if state.get("shards") else None


def raw_state(conn: Any) -> dict[str, str]:
    """``search_state`` as it is, with or without search tables (the shard layout is
    there before the first rebuild)."""
    if not conn.execute("SELECT to_regclass('search_state') IS NOT NULL").fetchone()[0]:
        return {}
    return dict(conn.execute("SELECT key, value FROM search_state").fetchall())


def _attach_partitions(conn: Any, sfx: str, layout: dict[str, Any]) -> None:
    """Local default partitions, and each shard server's tables as foreign partitions."""
    from archive.engine import pgshards

    pgshards.attach(conn, sfx, layout)


def _rename_partitions(conn: Any, layout: dict[str, Any]) -> None:
    from archive.engine import pgshards

    pgshards.renamed(conn, layout)


def drop_all(url: str, tables: Iterable[str] = TABLES) -> None:
    """Remove the search tables (tests, ``arkiv reindex`` from scratch)."""
    with connect(url, autocommit=True) as conn:
        for table in (*tables, "search_state"):
            conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
