"""The catalog's database: SQLite in ``ARKIV_HOME`` (the embedded default) or PostgreSQL
(``ARKIV_DATABASE_URL=postgresql://…``, several machines on one archive, issue 13).

The catalog and everything built on it (accounts, access classes, corrections, saved
searches, web jobs, backup) talk to ``catalog.db``: a ``sqlite3.Connection`` for SQLite,
untouched, and for PostgreSQL a :class:`PostgresConnection` that offers what the code
uses of one — ``execute`` with ``?`` marks, rows readable by index and by name,
``executemany``, ``executescript``, ``in_transaction``, ``commit``, ``lastrowid`` — so
the SQL is written once. Where the two dialects differ, the difference is handled here:

- statements: ``?`` becomes ``%s`` (and ``%`` doubles), the column ``user`` is quoted
  (a reserved word in PostgreSQL), ``BEGIN IMMEDIATE`` becomes ``BEGIN`` plus a
  transaction advisory lock (writers take turns, as in SQLite, so ``seq`` is committed
  in order), an ``INSERT`` into a table with an ``id`` gets ``RETURNING id`` (``lastrowid``);
- the SQLite functions the queries use (``json_extract``, ``json_set``, ``json_each``,
  ``json`` over TEXT columns, scalar ``max(a, b)``) exist as SQL functions in the
  PostgreSQL schema (:data:`PG_FUNCTIONS`);
- the schema: the catalog's migrations (SQLite DDL, one numbering for both) are turned
  into PostgreSQL DDL by :func:`postgres_ddl` (identity ids, BIGINT, DOUBLE PRECISION,
  deferrable foreign keys, no SQLite triggers), and :data:`PG_EXTRA` adds what one
  version needs beyond that: the ``rowid`` columns SQLite has implicitly, and the
  corrections triggers in PL/pgSQL;
- SQLite's errors are what callers catch: PostgreSQL's are raised as subclasses of
  ``sqlite3.IntegrityError`` / ``OperationalError`` / ``DatabaseError``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import socket
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from archive.home import ArchiveBusy, ArchiveError, database_url
from archive.staff_schema import CARRY_AUDIT

#: Advisory lock keys (one database = one archive): writers' turns in a transaction, the
#: archive's single writer (``write_lock``), and a schema migration.
WRITE_TURN_KEY = 0x61726B69760001
WRITER_KEY = 0x61726B69760002
MIGRATE_KEY = 0x61726B69760003
#: ``application_name`` of the connection that holds the writer lock starts with this.
WRITER_APP = "arkiv-writer: "


class IntegrityError(sqlite3.IntegrityError):
    """A constraint PostgreSQL refused (raised as SQLite's, which callers catch)."""


class OperationalError(sqlite3.OperationalError):
    """PostgreSQL could not be reached or could not do the work (disk full …)."""


class DatabaseError(sqlite3.DatabaseError):
    """Any other PostgreSQL error."""


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0] in ("postgresql", "postgres")


def redacted(url: str) -> str:
    """A URL safe to show: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise ArchiveError(
            "PostgreSQL needs psycopg: pip install 'arkiv[postgresql]'"
        ) from None
    return psycopg


# -- statements -----------------------------------------------------------------------

_TOKENS = re.compile(r"'(?:[^']|'')*'|--[^\n]*|[^'-]+|-")
_INSERT = re.compile(r"\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
#: Tables whose ``id`` is made by the database (``INTEGER PRIMARY KEY`` in SQLite).
IDENTITY_TABLES = frozenset(
    {"runs", "ingest_log", "access_changes", "audit_log", "saved_searches", "web_jobs"}
)


@functools.lru_cache(maxsize=1024)
def postgres_sql(sql: str, *, returning: bool = True) -> str:
    """A statement written for SQLite, as PostgreSQL takes it (see the module doc)."""
    out = []
    for token in _TOKENS.findall(sql):
        if token.startswith("'"):
            out.append(token.replace("%", "%%"))
        elif token.startswith("--"):
            continue
        else:
            token = token.replace("%", "%%").replace("?", "%s")
            out.append(re.sub(r'(?<![\w"])user\b(?!")', '"user"', token))
    text = "".join(out)
    insert = _INSERT.match(text)
    if (returning and insert and insert.group(1).lower() in IDENTITY_TABLES
            and not re.search(r"\bRETURNING\b", text, re.IGNORECASE)):
        text = text.rstrip().rstrip(";") + " RETURNING id"
    return text


class Row(tuple):
    """A row readable by position and by column name, like ``sqlite3.Row``."""

    _index: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: Any) -> Any:
    names = [c.name for c in cursor.description or ()]
    index = {name: n for n, name in enumerate(names)}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row._index = index
        return row

    return make


class Cursor:
    """What a statement gave back: rows, ``rowcount``, ``lastrowid``, ``description``."""

    def __init__(self, cursor: Any, lastrowid: int | None = None) -> None:
        self._cursor = cursor
        self.lastrowid = lastrowid

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    @property
    def description(self) -> Any:
        return self._cursor.description

    def fetchone(self) -> Row | None:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[Row]:
        return iter(self._cursor) if self._cursor.description else iter(())


@contextmanager
def _translated_errors() -> Iterator[None]:
    psycopg = _psycopg()
    try:
        yield
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(_first_line(exc)) from exc
    except psycopg.OperationalError as exc:
        raise OperationalError(_first_line(exc)) from exc
    except psycopg.Error as exc:
        raise DatabaseError(_first_line(exc)) from exc


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class PostgresConnection:
    """A PostgreSQL connection that behaves like the catalog's ``sqlite3.Connection``
    (autocommit, and explicit ``BEGIN``/``COMMIT`` as with ``isolation_level=None``)."""

    def __init__(self, url: str, *, readonly: bool = False, application: str = "arkiv") -> None:
        psycopg = _psycopg()
        self.url = url
        self.readonly = readonly
        try:
            self.conn = psycopg.connect(
                url, autocommit=True, row_factory=_row_factory, application_name=application,
                connect_timeout=10,
            )
        except psycopg.Error as exc:
            raise ArchiveError(
                f"cannot connect to the catalog at {redacted(url)}: {_first_line(exc)}"
            ) from exc
        if readonly:
            self.conn.execute("SET default_transaction_read_only = on")

    @property
    def in_transaction(self) -> bool:
        status = self.conn.info.transaction_status
        return status != _psycopg().pq.TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Cursor:
        head = sql.lstrip()[:5].upper()
        with _translated_errors():
            if head == "BEGIN":
                if self.readonly:  # one snapshot, as a SQLite read transaction sees
                    self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                else:  # BEGIN IMMEDIATE: writers take turns, as in SQLite
                    self.conn.execute("BEGIN")
                    self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_TURN_KEY,))
                return Cursor(self.conn.cursor())
            cursor = self.conn.execute(postgres_sql(sql), list(params))
            lastrowid = None
            if cursor.description and cursor.description[0].name == "id" \
                    and _INSERT.match(sql):
                row = cursor.fetchone()
                lastrowid = int(row[0]) if row else None
            return Cursor(cursor, lastrowid)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Cursor:
        statement = postgres_sql(sql, returning=False)
        with _translated_errors():
            cursor = self.conn.cursor()
            cursor.executemany(statement, [list(r) for r in rows])
        return Cursor(cursor)

    def executescript(self, script: str) -> None:
        """Several statements at once (no parameters), as SQLite's executescript."""
        with _translated_errors():
            self.conn.execute(script.encode("utf-8"))  # simple protocol: many statements

    def commit(self) -> None:
        if self.in_transaction:
            with _translated_errors():
                self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            with _translated_errors():
                self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()


def connect(url: str, *, readonly: bool = False, application: str = "arkiv") -> PostgresConnection:
    """A connection to a PostgreSQL catalog (the caller checks the URL is one)."""
    if not is_postgres_url(url):
        raise ArchiveError(
            f"{redacted(url)} is not a PostgreSQL URL (postgresql://user@host:5432/database)"
        )
    return PostgresConnection(url, readonly=readonly, application=application)


def is_postgres(db: Any) -> bool:
    return isinstance(db, PostgresConnection)


# -- questions both dialects answer ---------------------------------------------------


def has_table(db: Any, name: str) -> bool:
    if is_postgres(db):
        sql = ("SELECT 1 FROM information_schema.tables "
               "WHERE table_schema = current_schema() AND table_name = ?")
    else:
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return db.execute(sql, (name,)).fetchone() is not None


def tables(db: Any) -> set[str]:
    if is_postgres(db):
        sql = ("SELECT table_name FROM information_schema.tables "
               "WHERE table_schema = current_schema()")
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {r[0] for r in db.execute(sql)}


def columns(db: Any, table: str) -> list[str]:
    """A table's columns, in order (``rowid`` included where the table has one)."""
    if is_postgres(db):
        return [r[0] for r in db.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,))]
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


#: Tables whose implicit SQLite ``rowid`` means something (saved searches count
#: documents received by it; corrections are ordered by it) and is carried along.
ROWID_TABLES = frozenset({"documents", "corrections"})


def select_all(db: Any, table: str) -> Any:
    """Every row of a table with its ``rowid`` where that matters (export, migrate)."""
    if table in ROWID_TABLES and not is_postgres(db):
        return db.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid")  # noqa: S608
    order = " ORDER BY rowid" if table in ROWID_TABLES else ""
    return db.execute(f"SELECT * FROM {table}{order}")  # noqa: S608


def insertable_columns(db: Any, table: str) -> set[str]:
    known = set(columns(db, table))
    return known | {"rowid"} if table in ROWID_TABLES else known


def defer_foreign_keys(db: Any) -> None:
    """Check foreign keys when the transaction commits (rows restored in any order)."""
    if is_postgres(db):
        db.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        db.execute("PRAGMA defer_foreign_keys = ON")


def after_bulk_insert(db: Any, table: str) -> None:
    """Ids and rowids written explicitly: PostgreSQL's counters continue after them."""
    if not is_postgres(db):
        return
    for column in {"id", "rowid"} & set(columns(db, table)):
        sequence = db.execute("SELECT pg_get_serial_sequence(?, ?)", (table, column)).fetchone()
        if sequence and sequence[0]:
            db.execute(
                f"SELECT setval(?, COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)",
                (sequence[0],),
            )


def integrity_check(db: Any) -> str:
    """``ok``, or what the database found wrong with itself."""
    if not is_postgres(db):
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    # PostgreSQL looks after its own pages; what a person can break is Arkiv's part.
    present = {r[0] for r in db.execute(
        "SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal UNION "
        "SELECT 'function ' || proname FROM pg_proc "
        "WHERE pronamespace = current_schema()::regnamespace")}
    missing = sorted(PG_OBJECTS - present)
    return f"missing from the schema: {', '.join(missing)}" if missing else "ok"


def dangling_rows(db: Any) -> int:
    """Rows whose foreign key points at nothing."""
    if not is_postgres(db):
        return len(db.execute("PRAGMA foreign_key_check").fetchall())
    keys = db.execute(
        "SELECT cl.relname, a.attname, rc.relname, ra.attname FROM pg_constraint c "
        "JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class rc ON rc.oid = c.confrelid "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1] "
        "WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"
    ).fetchall()
    return sum(
        int(db.execute(
            f"SELECT COUNT(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {target} r WHERE r.{target_column} = t.{column})"
        ).fetchone()[0])
        for table, column, target, target_column in keys
    )


# -- the PostgreSQL schema -------------------------------------------------------------

#: SQLite's functions the catalog's queries use that PostgreSQL lacks: scalar ``max(a, b)``
#: and ``min(a, b)``, and the JSON functions over TEXT.
PG_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION json_path(path text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN path = '$' THEN '{}'::text[]
                ELSE string_to_array(substr(path, 3), '.') END
$$;
CREATE OR REPLACE FUNCTION max(a bigint, b bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL
                                         ELSE GREATEST(a, b) END $$;
CREATE OR REPLACE FUNCTION min(a bigint, b bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL
                                         ELSE LEAST(a, b) END $$;
CREATE OR REPLACE FUNCTION json(doc text) RETURNS json
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT doc::json $$;
CREATE OR REPLACE FUNCTION json_extract(doc text, path text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(v) IN ('object', 'array') THEN v::text
                ELSE v #>> '{}' END
    FROM (SELECT doc::jsonb #> json_path(path) AS v) found
$$;
CREATE OR REPLACE FUNCTION json_set(doc text, path text, value json) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_set(doc::jsonb, json_path(path), COALESCE(value::jsonb, 'null'), true)::text
$$;
CREATE OR REPLACE FUNCTION json_each(doc text) RETURNS TABLE (key text, value text)
LANGUAGE sql IMMUTABLE AS $$
    SELECT (n - 1)::text, CASE WHEN jsonb_typeof(e) IN ('object', 'array') THEN e::text
                               ELSE e #>> '{}' END
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc::jsonb) = 'array'
                                   THEN doc::jsonb ELSE '[]' END) WITH ORDINALITY AS a(e, n)
    UNION ALL
    SELECT k, CASE WHEN jsonb_typeof(e) IN ('object', 'array') THEN e::text
                   ELSE e #>> '{}' END
    FROM jsonb_each(CASE WHEN jsonb_typeof(doc::jsonb) = 'object'
                         THEN doc::jsonb ELSE '{}' END) AS o(k, e)
$$;
"""

#: archive.staff_schema's two triggers in PL/pgSQL (same behaviour, see that module).
PG_CORRECTIONS_TRIGGERS = r"""
CREATE FUNCTION corrections_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    canonical text := COALESCE(NEW.duplicate_of, NEW.id);
    patch jsonb;
BEGIN
    -- The trigger's own UPDATE must not apply it again (SQLite: no recursive triggers).
    IF current_setting('arkiv.applying_corrections', true) = 'on' THEN
        RETURN NULL;
    END IF;
    SELECT jsonb_object_agg(field, value::jsonb) INTO patch FROM (
        SELECT DISTINCT ON (field) field, value FROM corrections
        WHERE document_id IN (SELECT id FROM documents
                              WHERE id = canonical OR duplicate_of = canonical)
        ORDER BY field, at DESC, rowid DESC) latest;
    IF patch IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('arkiv.applying_corrections', 'on', true);
    -- json_patch: a null value removes the field.
    UPDATE documents SET metadata = ((metadata::jsonb || jsonb_strip_nulls(patch))
        - ARRAY(SELECT key FROM jsonb_each(patch) WHERE jsonb_typeof(value) = 'null'))::text
    WHERE id = canonical OR duplicate_of = canonical;
    PERFORM set_config('arkiv.applying_corrections', 'off', true);
    RETURN NULL;
END $$;
CREATE TRIGGER corrections_apply AFTER UPDATE OF metadata ON documents
FOR EACH ROW EXECUTE FUNCTION corrections_apply();

CREATE FUNCTION corrections_carry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    """ + CARRY_AUDIT + """
        ORDER BY c.rowid;
    INSERT INTO corrections (document_id, field, value, extracted, by_user, at)
        SELECT NEW.document_id, c.field, c.value,
               COALESCE((d.own_metadata::jsonb -> c.field)::text, 'null'), c.by_user, NEW.at
        FROM corrections c JOIN versions v ON v.document_id = c.document_id
        JOIN documents d ON d.id = NEW.document_id
        WHERE v.path = NEW.path AND v.version = NEW.version - 1
        ORDER BY c.rowid
        ON CONFLICT DO NOTHING;
    UPDATE documents SET metadata = metadata WHERE id = NEW.document_id;
    RETURN NULL;
END $$;
CREATE TRIGGER corrections_carry AFTER INSERT ON versions
FOR EACH ROW WHEN (NEW.version > 1) EXECUTE FUNCTION corrections_carry();
"""

#: The functions and triggers the catalog cannot work without (checked by ``arkiv check``).
PG_OBJECTS = frozenset(
    [f"function {name}" for name in ("json", "json_extract", "json_set", "json_each", "max",
                                     "min", "corrections_apply", "corrections_carry")]
    + ["trigger corrections_apply", "trigger corrections_carry"]
)

#: What a schema version needs on PostgreSQL beyond its translated SQLite DDL.
PG_EXTRA: dict[int, str] = {
    1: PG_FUNCTIONS + """
    -- SQLite's implicit rowid: the order documents were received in (archive.alerts).
    ALTER TABLE documents ADD COLUMN rowid BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE;
    """,
    5: """
    ALTER TABLE corrections ADD COLUMN rowid BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE;
    """ + PG_CORRECTIONS_TRIGGERS,
}

_TRIGGER = re.compile(r"CREATE\s+TRIGGER\b.*?\bEND\s*;", re.IGNORECASE | re.DOTALL)


def postgres_ddl(version: int, sqlite_ddl: str) -> str:
    """One catalog migration (SQLite DDL) as PostgreSQL DDL, with its :data:`PG_EXTRA`."""
    ddl = "\n".join(line.split("--", 1)[0] for line in sqlite_ddl.splitlines())
    ddl = _TRIGGER.sub("", ddl)
    ddl = re.sub(r"\bINTEGER\s+PRIMARY\s+KEY\b",
                 "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", ddl, flags=re.IGNORECASE)
    ddl = re.sub(r"\bINTEGER\b", "BIGINT", ddl, flags=re.IGNORECASE)
    ddl = re.sub(r"\bREAL\b", "DOUBLE PRECISION", ddl, flags=re.IGNORECASE)
    ddl = re.sub(r"(\bREFERENCES\s+\w+\s*\(\s*\w+\s*\))",
                 r"\1 DEFERRABLE INITIALLY IMMEDIATE", ddl, flags=re.IGNORECASE)
    ddl = re.sub(r'(?<![\w"])user\b(?!")', '"user"', ddl)
    return ddl + PG_EXTRA.get(version, "")


def schema_version(db: Any) -> int:
    if not has_table(db, "schema_version"):
        return 0
    row = db.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate_postgres(db: PostgresConnection, migrations: dict[int, str], latest: int) -> None:
    """Bring a PostgreSQL catalog to ``latest``: one migration, one transaction, and one
    machine at a time (the others wait, then find the work done)."""
    if schema_version(db) == latest:
        return
    for version in range(1, latest + 1):
        with _translated_errors(), db.conn.transaction():
            db.conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_KEY,))
            current = schema_version(db)
            if current > latest:
                raise ArchiveError(
                    f"catalog at {redacted(db.url)} has schema {current}, newer than "
                    f"this Arkiv ({latest}); upgrade Arkiv")
            if current >= version:
                continue
            db.conn.execute(postgres_ddl(version, migrations[version]).encode("utf-8"))
            db.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
                f"DELETE FROM schema_version; INSERT INTO schema_version VALUES ({version});"
                .encode())


def catalog_exists(home: os.PathLike[str] | str) -> bool:
    """Whether there is an archive to open: ``catalog.sqlite3`` in ``home``, or a
    migrated catalog in the PostgreSQL database of ``ARKIV_DATABASE_URL``."""
    url = database_url()
    if url is None:
        return os.path.exists(os.path.join(home, "catalog.sqlite3"))
    db = connect(url)
    try:
        return schema_version(db) > 0
    finally:
        db.close()


# -- the single writer, across machines -------------------------------------------------


@contextmanager
def writer_lock(url: str, purpose: str, *, wait: bool = False) -> Iterator[None]:
    """The archive's single-writer lock in its PostgreSQL database: a session advisory
    lock, held while the block runs by a connection that says who holds it (and is freed
    by PostgreSQL when that connection dies with its machine)."""
    holder = f"{WRITER_APP}{purpose} (pid {os.getpid()} on {socket.gethostname()})"
    db = connect(url, application=holder[:63])
    try:
        with _translated_errors():
            if wait:
                db.conn.execute("SELECT pg_advisory_lock(%s)", (WRITER_KEY,))
            elif not db.conn.execute("SELECT pg_try_advisory_lock(%s)",
                                     (WRITER_KEY,)).fetchone()[0]:
                raise ArchiveBusy(
                    f"the archive is busy: {_writer(db) or 'another arkiv process'}; "
                    "try again when it has finished")
        yield
    finally:
        with contextlib.suppress(Exception):
            db.close()  # closing the session frees the lock


def _writer(db: PostgresConnection) -> str | None:
    """Who holds the writer lock, as its connection introduced itself."""
    row = db.execute(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND ((l.classid::bigint << 32) | l.objid::bigint) = ?",
        (WRITER_KEY,),
    ).fetchone()
    return row[0].removeprefix(WRITER_APP) if row else None
