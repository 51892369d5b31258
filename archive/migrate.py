"""``arkiv migrate --to postgresql://…``: move an embedded archive's catalog into PostgreSQL.

Every catalog table is copied row for row, ids, ``seq`` and ``rowid`` included (the
documents, their texts and metadata, paths and versions, the ingest log, accounts and
tokens, access classes and their changes, corrections and the audit log, saved searches,
containers' parts …), in one PostgreSQL transaction: a failed or interrupted move leaves
the target empty, to be run again. The originals stay where they are, content-addressed
in ``ARKIV_HOME/originals`` (on shared storage when several machines serve the archive);
so does the embedded catalog, untouched.

Run again once the move is done, it finds the same archive there and does nothing; a
target that holds another archive is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from archive import db as catalog_db
from archive.backup import TABLES
from archive.catalog import Catalog
from archive.db import redacted, writer_lock
from archive.home import ArchiveError, database_url, write_lock

#: Rows sent to PostgreSQL at a time.
BATCH = 500


def migrate_to_postgres(
    home: Path, url: str, *, progress: Callable[[str, int], None] | None = None,
) -> dict[str, int] | None:
    """Copy the catalog of the embedded archive in ``home`` into the PostgreSQL database
    at ``url``; returns the rows copied per table, or None when it was done before."""
    if not catalog_db.is_postgres_url(url):
        raise ArchiveError(
            f"{redacted(url)} is not a PostgreSQL URL (postgresql://user@host:5432/database)")
    if database_url() is not None:
        raise ArchiveError("arkiv migrate moves the embedded archive of ARKIV_HOME: run it "
                           "without --database / ARKIV_DATABASE_URL")
    if not (home / "catalog.sqlite3").exists():
        raise ArchiveError(f"no embedded archive at {home} to migrate")
    with write_lock(home, purpose="arkiv migrate"), \
            writer_lock(url, "arkiv migrate"), \
            Catalog(home, database="") as source, \
            Catalog(home, database=url) as target:
        if target.count(indexable_only=False):
            if _same_archive(source, target):
                return None
            raise ArchiveError(
                f"the database {redacted(url)} already holds another archive "
                f"({target.count()} documents); migrate into an empty database")
        return _copy(source, target, progress)


def _same_archive(source: Catalog, target: Catalog) -> bool:
    """The target holds what the source holds (a move done before): same documents,
    same last change, same runs."""
    def fingerprint(catalog: Catalog) -> tuple[object, ...]:
        return tuple(catalog.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(seq), 0), COALESCE(MAX(ingested_at), ''), "
            "(SELECT COUNT(*) FROM runs), (SELECT COALESCE(MAX(started_at), '') FROM runs) "
            "FROM documents"
        ).fetchone())

    return fingerprint(source) == fingerprint(target)


def _copy(
    source: Catalog, target: Catalog, progress: Callable[[str, int], None] | None,
) -> dict[str, int]:
    counts: dict[str, int] = {}
    present = catalog_db.tables(source.db)
    with target.transaction():
        catalog_db.defer_foreign_keys(target.db)
        for table in TABLES:
            counts[table] = 0
            if table not in present:
                continue
            known = catalog_db.insertable_columns(target.db, table)
            cursor = catalog_db.select_all(source.db, table)
            names = [c[0] for c in cursor.description]
            unknown = set(names) - known
            if unknown:
                raise ArchiveError(f"the PostgreSQL catalog has no column {sorted(unknown)[0]} "
                                   f"in {table}: upgrade Arkiv")
            insert = (f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608
                      f"VALUES ({', '.join('?' * len(names))})")
            while rows := cursor.fetchmany(BATCH):
                target.db.executemany(insert, [tuple(r) for r in rows])
                counts[table] += len(rows)
            catalog_db.after_bulk_insert(target.db, table)
            if progress:
                progress(table, counts[table])
    return counts
