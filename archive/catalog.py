"""The catalog: Arkiv's source of truth, one SQLite file in ``ARKIV_HOME``.

It holds every document (clean text, page map, metadata as JSON), the content-addressed
originals under ``originals/``, which path points at which document version, the
near-duplicate groups, and the ingest log (every file: ok / unchanged / failed + reason).
The Whoosh index is derived from it (see :mod:`archive.engine`) and can be rebuilt from
it at any time without touching the originals.

Every change to a document bumps a global sequence number (``documents.seq``), so the
index can catch up with exactly what changed since it was last synchronised, even after
a crash between a catalog commit and an index commit.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive import accounts
from archive import db as catalog_db
from archive.groups import shown_member
from archive.home import ArchiveError, database_url, ensure_home, read_database_url
from archive.models import Document, document_id
from archive.staff_schema import STAFF_TABLES as _STAFF_TABLES

SCHEMA_VERSION = 6
#: A document search shows: its current version, not a near-duplicate of another.
SHOWN = "superseded_by IS NULL AND duplicate_of IS NULL"
#: A document still waiting for OCR (JSON true reads 1 in SQLite, 'true' in PostgreSQL).
NEEDS_OCR = "CAST(json_extract(metadata, '$.needs_ocr') AS TEXT) IN ('1', 'true')"

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE documents (
        id            TEXT PRIMARY KEY,
        sha256        TEXT NOT NULL UNIQUE,
        path          TEXT NOT NULL,
        filename      TEXT NOT NULL,
        content_type  TEXT NOT NULL,
        size          INTEGER NOT NULL,
        text          TEXT NOT NULL,
        page_starts   TEXT NOT NULL,
        own_metadata  TEXT NOT NULL,
        metadata      TEXT NOT NULL,
        duplicate_of  TEXT REFERENCES documents(id),
        superseded_by TEXT REFERENCES documents(id),
        ingested_at   TEXT NOT NULL,
        seq           INTEGER NOT NULL
    );
    CREATE INDEX documents_seq ON documents(seq);
    CREATE INDEX documents_duplicate_of ON documents(duplicate_of);

    -- Which document each ingested path shows now, and every version it has shown.
    CREATE TABLE paths (
        path        TEXT PRIMARY KEY,
        document_id TEXT NOT NULL REFERENCES documents(id),
        version     INTEGER NOT NULL,
        mtime       REAL,
        size        INTEGER,
        updated_at  TEXT NOT NULL
    );
    CREATE INDEX paths_document ON paths(document_id);
    CREATE TABLE versions (
        path        TEXT NOT NULL,
        version     INTEGER NOT NULL,
        document_id TEXT NOT NULL REFERENCES documents(id),
        at          TEXT NOT NULL,
        PRIMARY KEY (path, version)
    );

    -- MinHash LSH band keys for near-duplicate candidates.
    CREATE TABLE signatures (
        document_id TEXT PRIMARY KEY REFERENCES documents(id),
        signature   TEXT NOT NULL
    );
    CREATE TABLE bands (
        band        TEXT NOT NULL,
        document_id TEXT NOT NULL REFERENCES documents(id)
    );
    CREATE INDEX bands_band ON bands(band);

    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        command     TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        counts      TEXT
    );
    CREATE TABLE ingest_log (
        id          INTEGER PRIMARY KEY,
        run_id      INTEGER REFERENCES runs(id),
        path        TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('new', 'updated', 'unchanged', 'failed')),
        reason      TEXT,
        document_id TEXT,
        at          TEXT NOT NULL
    );
    CREATE INDEX ingest_log_path ON ingest_log(path);
    CREATE INDEX ingest_log_run ON ingest_log(run_id);

    CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # Files that failed, as they were then: an unchanged failed file is not retried.
    2: """
    CREATE TABLE failed_files (
        path   TEXT PRIMARY KEY,
        size   INTEGER,
        mtime  REAL,
        reason TEXT NOT NULL,
        at     TEXT NOT NULL
    );
    """,
    # Staff and admin accounts, API tokens, failed logins (archive.accounts).
    3: accounts.SCHEMA,
    # Access classes: public or internal, why, and staff's changes (archive.access).
    4: """
    ALTER TABLE documents ADD COLUMN access TEXT NOT NULL DEFAULT 'public'
        CHECK (access IN ('public', 'internal'));
    ALTER TABLE documents ADD COLUMN access_reason TEXT;
    ALTER TABLE documents ADD COLUMN access_source TEXT NOT NULL DEFAULT 'default';
    CREATE TABLE access_changes (
        id          INTEGER PRIMARY KEY,
        document_id TEXT NOT NULL,
        before      TEXT NOT NULL,
        after       TEXT NOT NULL,
        reason      TEXT NOT NULL,
        changed_by  TEXT NOT NULL,
        at          TEXT NOT NULL
    );
    CREATE INDEX access_changes_document ON access_changes(document_id);
    """,
    # Staff corrections, their audit log, saved searches and web jobs (issue 14).
    5: _STAFF_TABLES,
    # The members of a container (a mail's attachments, an archive's files), in order:
    # the document each became, or the reason it could not be read.
    6: """
    CREATE TABLE parts (
        container_id TEXT NOT NULL REFERENCES documents(id),
        position     INTEGER NOT NULL,
        name         TEXT NOT NULL,
        document_id  TEXT REFERENCES documents(id),
        problem      TEXT,
        PRIMARY KEY (container_id, position)
    );
    CREATE INDEX parts_document ON parts(document_id);
    """,
}


def now_iso() -> str:
    """The current UTC time as an ISO 8601 string, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, read in chunks (files may be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class PathState:
    """What the catalog knows of an ingested path: the document it shows now."""

    path: str
    document_id: str
    sha256: str
    version: int
    mtime: float | None
    size: int | None


@dataclass(frozen=True)
class Change:
    """A document changed since a sequence number; ``indexable`` says whether search shows it."""

    id: str
    seq: int
    indexable: bool


class Catalog:
    """The catalog of one archive (SQLite, or PostgreSQL: archive.db). One instance per
    thread or process."""

    def __init__(
        self, home: str | os.PathLike[str], *, readonly: bool = False,
        database: str | None = None,
    ) -> None:
        """The catalog of the archive in ``home``: in PostgreSQL when ``database`` (or,
        when that is None, ``ARKIV_DATABASE_URL``) is a URL, else ``catalog.sqlite3``
        (``database=""`` is always the embedded catalog)."""
        self.home = Path(home)
        self.readonly = readonly
        self.path = self.home / "catalog.sqlite3"
        self._lock = threading.RLock()
        self._in_transaction = False
        url = database_url() if database is None else database
        if url:
            self._open_postgres(url, from_environment=database is None)
            return
        if readonly:
            if not self.path.exists():
                raise ArchiveError(f"no archive at {self.home} (run 'arkiv index' first)")
            try:
                self.db = self._connect_readonly()
            except sqlite3.Error as exc:
                raise ArchiveError(f"cannot read catalog {self.path}: {exc}") from exc
        else:
            ensure_home(self.home)
            try:
                self.db = sqlite3.connect(
                    self.path, timeout=30, check_same_thread=False, isolation_level=None
                )
                self.db.execute("PRAGMA journal_mode=WAL")
            except sqlite3.Error as exc:
                raise ArchiveError(f"cannot open catalog {self.path}: {exc}") from exc
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA synchronous=NORMAL")
        if not readonly:
            self._migrate()

    def _open_postgres(self, url: str, *, from_environment: bool) -> None:
        """The catalog in PostgreSQL (``ARKIV_DATABASE_URL``); originals stay in ``home``.
        Read-only catalogs read from ``ARKIV_DATABASE_READ_URL`` when it is set."""
        if self.readonly:
            read_url = read_database_url() if from_environment else url
            self.db = catalog_db.connect(read_url or url, readonly=True)
            if catalog_db.schema_version(self.db) == 0:
                self.db.close()
                raise ArchiveError(
                    f"no archive in {catalog_db.redacted(url)} (run 'arkiv index' first)")
        else:
            ensure_home(self.home)
            self.db = catalog_db.connect(url)
            catalog_db.migrate_postgres(self.db, _MIGRATIONS, SCHEMA_VERSION)

    def _connect_readonly(self) -> sqlite3.Connection:
        """A read-only connection, also on a read-only filesystem (a mounted backup).

        A WAL database needs its ``-shm`` file, which a read-only filesystem cannot
        create; there nobody can change the catalog, so it is opened as immutable
        unless a write-ahead log holds changes not yet in the main file.
        """
        uri = self.path.absolute().as_uri() + "?mode=ro"
        options = {"uri": True, "timeout": 30, "check_same_thread": False,
                   "isolation_level": None}
        db = sqlite3.connect(uri, **options)
        try:
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.OperationalError:
            db.close()
            wal = self.path.with_name(self.path.name + "-wal")
            read_only_fs = bool(os.statvfs(self.home).f_flag & os.ST_RDONLY)
            if not read_only_fs or (wal.exists() and wal.stat().st_size):
                raise
        return sqlite3.connect(uri + "&immutable=1", **options)

    # -- lifecycle ---------------------------------------------------------------

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        return catalog_db.schema_version(self.db)

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise ArchiveError(
                f"catalog {self.path} has schema {current}, newer than this Arkiv "
                f"({SCHEMA_VERSION}); upgrade Arkiv"
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            # One migration, one transaction: a crash leaves the previous version intact.
            self.db.executescript(
                "BEGIN IMMEDIATE;"
                + _MIGRATIONS[version]
                + "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
                + f"DELETE FROM schema_version; INSERT INTO schema_version VALUES ({version});"
                + "COMMIT;"
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes into one commit (nested uses join the outer transaction)."""
        with self._lock:
            if self._in_transaction:
                yield
                return
            self._in_transaction = True
            try:
                self.db.execute("BEGIN IMMEDIATE")
                yield
                self.db.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (disk full) may have rolled back already: do not hide
                # its error behind "cannot rollback - no transaction is active".
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            finally:
                self._in_transaction = False

    # -- originals ---------------------------------------------------------------

    def original_path(self, sha256: str) -> Path:
        """Where the original with this hash is kept."""
        return self.home / "originals" / sha256[:2] / sha256

    def store_original(self, source: str | os.PathLike[str], sha256: str) -> Path:
        """Copy a file into the content-addressed store (atomically, verified, idempotent)."""
        target = self.original_path(sha256)
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            if sha256_file(tmp) != sha256:
                raise ArchiveError(f"{source} changed while it was being archived")
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    # -- reading documents -------------------------------------------------------

    def _next_seq(self) -> int:
        row = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").fetchone()
        return int(row[0])

    @staticmethod
    def _document(row: sqlite3.Row, *, with_text: bool = True) -> Document:
        metadata = json.loads(row["metadata"])
        return Document(
            id=row["id"],
            sha256=row["sha256"],
            path=row["path"],
            text=row["text"] if with_text else "",
            page_starts=json.loads(row["page_starts"]),
            metadata=metadata,
            duplicate_of=row["duplicate_of"],
            filename=row["filename"],
            content_type=row["content_type"],
            size=row["size"],
            ingested_at=row["ingested_at"],
            superseded_by=row["superseded_by"],
            access=row["access"],
            access_reason=row["access_reason"],
        )

    _COLUMNS = (
        "id, sha256, path, filename, content_type, size, page_starts, metadata, "
        "duplicate_of, superseded_by, ingested_at, access, access_reason"
    )

    def _select(self, with_text: bool, *, also: str = "") -> str:
        cols = self._COLUMNS + (", text" if with_text else ", '' AS text")
        return f"SELECT {also}{cols} FROM documents"

    def get(self, doc_id: str, *, with_text: bool = True) -> Document | None:
        """One document by id (any version, current or superseded)."""
        row = self.db.execute(f"{self._select(with_text)} WHERE id = ?", (doc_id,)).fetchone()
        return self._document(row) if row else None

    def get_many(self, ids: Iterable[str], *, with_text: bool = True) -> dict[str, Document]:
        """Documents by id, as a dict (unknown ids are left out)."""
        ids = list(dict.fromkeys(ids))
        found: dict[str, Document] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"{self._select(with_text)} WHERE id IN ({marks})", chunk)
            for row in rows:
                found[row["id"]] = self._document(row)
        return found

    def get_by_path(self, path: str | os.PathLike[str]) -> Document | None:
        """The document an ingested path shows now."""
        state = self.path_state(path)
        return self.get(state.document_id) if state else None

    def get_by_sha256(self, sha256: str) -> Document | None:
        row = self.db.execute(
            f"{self._select(True)} WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return self._document(row) if row else None

    def iter_documents(
        self, *, indexable_only: bool = True, with_text: bool = True, batch: int = 500,
        received_order: bool = False,
    ) -> Iterator[Document]:
        """Every document, in id order (or in the order received), streamed in batches
        (memory stays flat).

        ``indexable_only`` keeps what search shows: current versions that are not a
        near-duplicate of another document. ``received_order`` reads the table front to
        back: a rebuild of a million documents in id order spent its time finding each
        row (ids are hashes, scattered through the file).
        """
        where = f"WHERE {SHOWN}" if indexable_only else ""
        key = "rowid" if received_order else "id"
        last: int | str = 0 if received_order else ""
        select = self._select(with_text, also=f"{key} AS key_, ")
        while True:
            clause = f"{where} {'AND' if where else 'WHERE'} {key} > ?"
            rows = self.db.execute(
                f"{select} {clause} ORDER BY {key} LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield self._document(row)
            last = rows[-1]["key_"]

    def count(self, *, indexable_only: bool = True) -> int:
        where = f"WHERE {SHOWN}" if indexable_only else ""
        return int(self.db.execute(f"SELECT COUNT(*) FROM documents {where}").fetchone()[0])

    def arenden_source(self, doc: Document) -> Document | None:
        """The document a document's ärenden point into: itself, or the rendering of its
        near-duplicate group they were read from (``arenden_source``); None if that one is
        gone."""
        source_id = doc.metadata.get("arenden_source")
        if not source_id or source_id == doc.id:
            return doc
        return self.get(source_id)

    def renderings(self, doc_id: str) -> list[str]:
        """Ids of the other renderings (near-duplicates) of a document's group."""
        row = self.db.execute(
            "SELECT COALESCE(duplicate_of, id) FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if not row:
            return []
        canonical = row[0]
        rows = self.db.execute(
            "SELECT id FROM documents WHERE (id = ? OR duplicate_of = ?) "
            "AND superseded_by IS NULL ORDER BY id",
            (canonical, canonical),
        )
        return [r[0] for r in rows if r[0] != doc_id]

    def versions(self, path: str | os.PathLike[str]) -> list[tuple[int, str, str]]:
        """Every version an ingested path has shown: (version, document id, when)."""
        rows = self.db.execute(
            "SELECT version, document_id, at FROM versions WHERE path = ? ORDER BY version",
            (str(path),),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def path_state(self, path: str | os.PathLike[str]) -> PathState | None:
        row = self.db.execute(
            "SELECT p.path, p.document_id, d.sha256, p.version, p.mtime, p.size "
            "FROM paths p JOIN documents d ON d.id = p.document_id WHERE p.path = ?",
            (str(path),),
        ).fetchone()
        return PathState(*row) if row else None

    # -- change tracking for the index -------------------------------------------

    def max_seq(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM documents").fetchone()[0])

    def changes_since(self, seq: int) -> list[Change]:
        """Documents changed after ``seq``, oldest change first."""
        rows = self.db.execute(
            f"SELECT id, seq, {SHOWN} "
            "FROM documents WHERE seq > ? ORDER BY seq",
            (seq,),
        )
        return [Change(r[0], int(r[1]), bool(r[2])) for r in rows]

    # -- writing documents -------------------------------------------------------

    def add_document(
        self,
        *,
        path: str,
        sha256: str,
        source: str | os.PathLike[str],
        filename: str,
        content_type: str,
        size: int,
        text: str,
        page_starts: list[int],
        metadata: dict[str, Any],
        signature: list[int] | None = None,
        bands: Iterable[str] = (),
        mtime: float | None = None,
    ) -> tuple[str, str]:
        """Archive a new document version for ``path``; returns (document id, status).

        Status is ``new`` (a path seen for the first time) or ``updated`` (the path had
        other content before: that earlier version stays in the catalog, superseded).
        The original is stored before the catalog row is committed, so a crash can
        leave an unreferenced original but never a row without its original.
        """
        doc_id = document_id(sha256)
        self.store_original(source, sha256)
        with self.transaction():
            previous = self.path_state(path)
            existing = self.db.execute(
                "SELECT id FROM documents WHERE id = ?", (doc_id,)
            ).fetchone()
            seq = self._next_seq()
            if existing is None:
                encoded = json.dumps(metadata, ensure_ascii=False)
                self.db.execute(
                    "INSERT INTO documents (id, sha256, path, filename, content_type, size, "
                    "text, page_starts, own_metadata, metadata, ingested_at, seq) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        doc_id, sha256, path, filename, content_type, size, text,
                        json.dumps(page_starts), encoded, encoded, now_iso(), seq,
                    ),
                )
                if signature is not None:
                    self.db.execute(
                        "INSERT INTO signatures VALUES (?, ?)", (doc_id, json.dumps(signature))
                    )
                    self.db.executemany(
                        "INSERT INTO bands VALUES (?, ?)", [(b, doc_id) for b in bands]
                    )
            else:
                self.db.execute(
                    "UPDATE documents SET superseded_by = NULL, seq = ? WHERE id = ?",
                    (seq, doc_id),
                )
            status = self._point_path(path, doc_id, previous, mtime, size)
        return doc_id, status

    def add_path(
        self, path: str, doc_id: str, *, mtime: float | None = None, size: int | None = None
    ) -> str:
        """Point ``path`` at a document already archived (same content found elsewhere)."""
        with self.transaction():
            previous = self.path_state(path)
            seq = self._next_seq()
            self.db.execute(
                "UPDATE documents SET superseded_by = NULL, seq = ? WHERE id = ?", (seq, doc_id)
            )
            return self._point_path(path, doc_id, previous, mtime, size)

    def touch_path(self, path: str, *, mtime: float | None, size: int | None) -> None:
        """Remember a path's mtime and size so an unchanged file is recognised quickly."""
        self.db.execute(
            "UPDATE paths SET mtime = ?, size = ? WHERE path = ?", (mtime, size, str(path))
        )

    def _point_path(
        self,
        path: str,
        doc_id: str,
        previous: PathState | None,
        mtime: float | None,
        size: int | None,
    ) -> str:
        at = now_iso()
        if previous is None:
            version = 1
            status = "new"
        elif previous.document_id == doc_id:
            self.touch_path(path, mtime=mtime, size=size)
            return "unchanged"
        else:
            version = previous.version + 1
            status = "updated"
        self.db.execute(
            "INSERT INTO paths (path, document_id, version, mtime, size, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
            "document_id = excluded.document_id, version = excluded.version, "
            "mtime = excluded.mtime, size = excluded.size, updated_at = excluded.updated_at",
            (path, doc_id, version, mtime, size, at),
        )
        self.db.execute(
            "INSERT INTO versions (path, version, document_id, at) VALUES (?, ?, ?, ?)",
            (path, version, doc_id, at),
        )
        if previous is not None:
            self._supersede_if_orphaned(previous.document_id, doc_id)
        return status

    def _supersede_if_orphaned(self, old_id: str, new_id: str) -> None:
        """An earlier version no path shows any more is kept, marked superseded."""
        still_shown = self.db.execute(
            "SELECT 1 FROM paths WHERE document_id = ? LIMIT 1", (old_id,)
        ).fetchone()
        if still_shown:
            return
        self.db.execute(
            "UPDATE documents SET superseded_by = ?, seq = ? WHERE id = ?",
            (new_id, self._next_seq(), old_id),
        )
        # Its duplicate group must not hang on a superseded document.
        members = {
            r[0]: (r[1], json.loads(r[2]))
            for r in self.db.execute(
                "SELECT id, content_type, own_metadata FROM documents WHERE duplicate_of = ?",
                (old_id,),
            )
        }
        if members:
            new_canonical = shown_member(members)
            rest = [member for member in members if member != new_canonical]
            self.db.execute(
                "UPDATE documents SET duplicate_of = NULL, metadata = own_metadata, seq = ? "
                "WHERE id = ?",
                (self._next_seq(), new_canonical),
            )
            for member in rest:
                self.db.execute(
                    "UPDATE documents SET duplicate_of = ?, seq = ? WHERE id = ?",
                    (new_canonical, self._next_seq(), member),
                )

    def replace_content(
        self, doc_id: str, *, text: str, page_starts: list[int], metadata: dict[str, Any]
    ) -> None:
        """Store re-extracted text and metadata for an archived document (``--reextract``)."""
        encoded = json.dumps(metadata, ensure_ascii=False)
        with self.transaction():
            self.db.execute(
                "UPDATE documents SET text = ?, page_starts = ?, own_metadata = ?, "
                "metadata = CASE WHEN duplicate_of IS NULL THEN ? ELSE metadata END, seq = ? "
                "WHERE id = ?",
                (text, json.dumps(page_starts), encoded, encoded, self._next_seq(), doc_id),
            )

    # -- near-duplicate groups ---------------------------------------------------

    def duplicate_candidates(self, bands: Iterable[str], exclude: str) -> dict[str, list[int]]:
        """Current documents sharing an LSH band with a signature: id → signature."""
        bands = list(bands)
        if not bands:
            return {}
        marks = ",".join("?" * len(bands))
        rows = self.db.execute(
            f"SELECT DISTINCT s.document_id, s.signature FROM bands b "
            f"JOIN signatures s ON s.document_id = b.document_id "
            f"JOIN documents d ON d.id = b.document_id "
            f"WHERE b.band IN ({marks}) AND d.superseded_by IS NULL AND d.id != ?",
            (*bands, exclude),
        )
        return {r[0]: json.loads(r[1]) for r in rows}

    def group_of(self, doc_id: str) -> list[str]:
        """All current members of a document's near-duplicate group (itself included)."""
        row = self.db.execute(
            "SELECT COALESCE(duplicate_of, id) FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if not row:
            return []
        return [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM documents WHERE (id = ? OR duplicate_of = ?) "
                "AND superseded_by IS NULL ORDER BY id",
                (row[0], row[0]),
            )
        ]

    def own_metadata(self, doc_id: str) -> dict[str, Any]:
        """The metadata extracted from this document alone (before group merging)."""
        row = self.db.execute(
            "SELECT own_metadata FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        return json.loads(row[0]) if row else {}

    def set_group(self, canonical: str, members: Iterable[str], merged: dict[str, Any]) -> None:
        """Make ``canonical`` the shown document of a group; every member gets ``merged``."""
        encoded = json.dumps(merged, ensure_ascii=False)
        with self.transaction():
            for member in dict.fromkeys([canonical, *members]):
                self.db.execute(
                    "UPDATE documents SET duplicate_of = ?, metadata = ?, seq = ? WHERE id = ?",
                    (
                        None if member == canonical else canonical,
                        encoded,
                        self._next_seq(),
                        member,
                    ),
                )

    # -- meetings ------------------------------------------------------------------

    def meeting_documents(self, committee: str, meeting_date: str) -> list[Document]:
        """The shown documents of one meeting: a committee's kallelse, protokoll …"""
        rows = self.db.execute(
            f"{self._select(False)} WHERE {SHOWN} "
            "AND json_extract(metadata, '$.committee') = ? "
            "AND json_extract(metadata, '$.meeting.meeting_date') = ?",
            (committee, meeting_date),
        )
        return [self._document(r) for r in rows]

    def set_arenden(self, doc_id: str, arenden: list[dict[str, Any]]) -> None:
        """Store a document's ärenden (with their links to other documents)."""
        encoded = json.dumps(arenden, ensure_ascii=False)
        with self.transaction():
            self.db.execute(
                "UPDATE documents SET metadata = json_set(metadata, '$.arenden', json(?)), "
                "own_metadata = json_set(own_metadata, '$.arenden', json(?)), "
                "seq = ? WHERE id = ?",
                (encoded, encoded, self._next_seq(), doc_id),
            )

    # -- containers and their parts ---------------------------------------------

    def set_parts(self, container_id: str, parts: Iterable[tuple[str, str | None, str | None]]) -> None:
        """Record a container's members in order: (name, document id or None, problem)."""
        with self.transaction():
            self.db.execute("DELETE FROM parts WHERE container_id = ?", (container_id,))
            self.db.executemany(
                "INSERT INTO parts (container_id, position, name, document_id, problem) "
                "VALUES (?, ?, ?, ?, ?)",
                [(container_id, n, *part) for n, part in enumerate(parts)],
            )

    def parts_of(self, container_id: str) -> list[tuple[str, str | None, str | None]]:
        """A container's members in order: (name, document id or None, problem)."""
        rows = self.db.execute(
            "SELECT name, document_id, problem FROM parts WHERE container_id = ? ORDER BY position",
            (container_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def containers_of(self, doc_id: str) -> list[tuple[str, str]]:
        """The containers a document is a member of: (container id, its name there)."""
        rows = self.db.execute(
            "SELECT p.container_id, p.name FROM parts p JOIN documents d ON d.id = p.container_id "
            "WHERE p.document_id = ? AND d.superseded_by IS NULL ORDER BY p.container_id, p.position",
            (doc_id,),
        )
        return [(r[0], r[1]) for r in rows]

    def paths_under(self, prefix: str) -> list[tuple[str, str]]:
        """The paths that start with ``prefix`` (a container's ``…!/``) and their documents."""
        # A range on the primary key (its index), not a scan: the paths from the prefix up
        # to the prefix with its last character one higher.
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        rows = self.db.execute(
            "SELECT path, document_id FROM paths WHERE path >= ? AND path < ?", (prefix, upper)
        )
        return [(r[0], r[1]) for r in rows]

    def retire_paths_under(self, prefix: str, keep: Iterable[str], superseded_by: str) -> list[str]:
        """Forget the paths that start with ``prefix`` (a container's ``…!/``) other than
        ``keep``: members gone from a new version of their container. Their documents
        stay, superseded by the container's new version unless another path shows them."""
        keep = set(keep)
        gone = [(path, doc_id) for path, doc_id in self.paths_under(prefix) if path not in keep]
        with self.transaction():
            for path, doc_id in gone:
                self.db.execute("DELETE FROM paths WHERE path = ?", (path,))
                self._supersede_if_orphaned(doc_id, superseded_by)
        return [path for path, _doc_id in gone]

    # -- runs and the ingest log -------------------------------------------------

    def start_run(self, command: str) -> int:
        with self.transaction():
            cur = self.db.execute(
                "INSERT INTO runs (command, started_at) VALUES (?, ?)", (command, now_iso())
            )
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, counts: dict[str, int]) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET finished_at = ?, counts = ? WHERE id = ?",
                (now_iso(), json.dumps(counts), run_id),
            )

    def log(
        self,
        run_id: int | None,
        path: str,
        status: str,
        *,
        reason: str | None = None,
        document_id: str | None = None,
    ) -> None:
        """Record what happened to one file in this run."""
        self.db.execute(
            "INSERT INTO ingest_log (run_id, path, status, reason, document_id, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, path, status, reason, document_id, now_iso()),
        )

    def remember_failure(
        self, path: str, reason: str, *, size: int | None, mtime: float | None
    ) -> None:
        """Remember a file that failed as it was, so an unchanged copy is not retried."""
        self.db.execute(
            "INSERT INTO failed_files (path, size, mtime, reason, at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, "
            "reason = excluded.reason, at = excluded.at",
            (path, size, mtime, reason, now_iso()),
        )

    def forget_failure(self, path: str) -> None:
        self.db.execute("DELETE FROM failed_files WHERE path = ?", (path,))

    def known_failure(self, path: str, *, size: int, mtime: float) -> str | None:
        """The reason an unchanged file failed before, or None."""
        row = self.db.execute(
            "SELECT reason FROM failed_files WHERE path = ? AND size = ? AND mtime = ?",
            (path, size, mtime),
        ).fetchone()
        return row[0] if row else None

    def failures(self) -> list[tuple[str, str, str]]:
        """Paths whose latest ingest attempt failed: (path, reason, when)."""
        rows = self.db.execute(
            "SELECT l.path, l.reason, l.at FROM ingest_log l "
            "JOIN (SELECT path, MAX(id) AS id FROM ingest_log GROUP BY path) last "
            "ON last.id = l.id WHERE l.status = 'failed' ORDER BY l.path"
        )
        return [(r[0], r[1] or "", r[2]) for r in rows]

    def last_run(self) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT id, command, started_at, finished_at, counts FROM runs "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if not row:
            return None
        return {
            "id": row["id"],
            "command": row["command"],
            "started_at": row["started_at"],
            "finished_at": row["finished_at"],
            "counts": json.loads(row["counts"]) if row["counts"] else None,
        }

    def stats(self) -> dict[str, Any]:
        """Counts for ``arkiv stats`` and the status page."""
        one = lambda sql: int(self.db.execute(sql).fetchone()[0])  # noqa: E731
        by_type: dict[str, int] = {}
        for row in self.db.execute(
            "SELECT COALESCE(json_extract(metadata, '$.doc_type'), '') AS t, COUNT(*) FROM documents "
            f"WHERE {SHOWN} GROUP BY t ORDER BY 2 DESC, 1"
        ):
            by_type[row[0] or "okänd"] = int(row[1])
        return {
            "documents": one(
                f"SELECT COUNT(*) FROM documents WHERE {SHOWN}"
            ),
            "renderings": one(
                "SELECT COUNT(*) FROM documents "
                "WHERE superseded_by IS NULL AND duplicate_of IS NOT NULL"
            ),
            "earlier_versions": one(
                "SELECT COUNT(*) FROM documents WHERE superseded_by IS NOT NULL"
            ),
            "paths": one("SELECT COUNT(*) FROM paths"),
            "needs_ocr": one(
                "SELECT COUNT(*) FROM documents WHERE superseded_by IS NULL "
                f"AND {NEEDS_OCR}"
            ),
            "failures": len(self.failures()),
            "by_type": by_type,
            "last_run": self.last_run(),
        }

    def project_candidates(self) -> list[tuple[str, int]]:
        """Project names discovered in documents, with how many documents name each."""
        rows = self.db.execute(
            "SELECT value, COUNT(DISTINCT documents.id) FROM documents, "
            "json_each(json_extract(documents.own_metadata, '$.project_candidates')) "
            "WHERE superseded_by IS NULL GROUP BY value ORDER BY 2 DESC, value"
        )
        return [(r[0], int(r[1])) for r in rows]

    # -- state for derived data (the index) --------------------------------------

    def get_state(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_state(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def integrity_check(self) -> str:
        return catalog_db.integrity_check(self.db)
