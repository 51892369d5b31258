"""Backup and restore: ``arkiv export`` and ``arkiv import``.

An export is a folder (or a ``.tar.gz`` of one) that a person can read without Arkiv::

    manifest.json          format, version, when, counts
    <table>.jsonl          every catalog row, one JSON object a line (documents with
                           their text and metadata, paths, versions, signatures, the log)
    originals/ab/<sha256>  every original file, byte for byte

Import restores it into an empty archive, verifying every original's hash; the search
index is then rebuilt from the restored catalog, so the restored archive answers the
same searches with the same results.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from archive import db as catalog_db
from archive.catalog import SCHEMA_VERSION, Catalog, now_iso, sha256_file
from archive.home import ArchiveError

FORMAT = "arkiv-export"
FORMAT_VERSION = 1
#: Catalog tables in the order they must be restored (foreign keys).
TABLES = (
    "documents", "paths", "versions", "signatures", "bands", "runs", "ingest_log", "state",
    "failed_files", "parts", "access_changes", "users", "api_tokens",
    # staff work (archive.staff_schema): after the documents they refer to
    "corrections", "audit_log", "project_decisions", "saved_searches", "alert_recipients",
    "web_jobs",
)


def _is_tarball(path: Path) -> bool:
    return path.name.endswith((".tar.gz", ".tgz"))


def export_archive(catalog: Catalog, target: str | os.PathLike[str]) -> dict[str, int]:
    """Write the whole archive to ``target`` (a new folder, or ``*.tar.gz``); returns counts."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ArchiveError(f"{target} already exists; export to a new folder or file")
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="arkiv-export-", dir=target.parent) as tmp:
        folder = Path(tmp) / "arkiv-export"
        (folder / "originals").mkdir(parents=True)
        with catalog.transaction():  # one consistent snapshot of every table
            # A catalog opened read-only may predate tables of a later schema: none to dump.
            existing = catalog_db.tables(catalog.db)
            for table in TABLES:
                counts[table] = (_dump_table(catalog, table, folder / f"{table}.jsonl")
                                 if table in existing else 0)
            for (sha256,) in catalog.db.execute("SELECT sha256 FROM documents"):
                source = catalog.original_path(sha256)
                dest = _export_original(folder, sha256)
                dest.parent.mkdir(exist_ok=True)
                shutil.copyfile(source, dest)
        manifest = {
            "format": FORMAT, "version": FORMAT_VERSION, "schema_version": SCHEMA_VERSION,
            "created": now_iso(), "counts": counts,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if _is_tarball(target):
            partial = target.with_name(target.name + ".partial")
            with tarfile.open(partial, "w:gz") as tar:
                tar.add(folder, arcname="arkiv-export")
            os.replace(partial, target)
        else:
            if target.exists():
                target.rmdir()
            shutil.move(str(folder), target)
    return counts


def _dump_table(catalog: Catalog, table: str, path: Path) -> int:
    cursor = catalog_db.select_all(catalog.db, table)
    columns = [c[0] for c in cursor.description]
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for row in cursor:
            out.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False))
            out.write("\n")
            count += 1
    return count


@contextmanager
def _opened(source: Path) -> Iterator[Path]:
    """The export folder, unpacking a tarball to a temporary folder first."""
    if not source.exists():
        raise ArchiveError(f"no export at {source}")
    if source.is_dir():
        yield source
        return
    with tempfile.TemporaryDirectory(prefix="arkiv-import-") as tmp:
        try:
            with tarfile.open(source, "r:*") as tar:
                tar.extractall(tmp, filter="data")
        # A truncated tarball ends in EOFError or a gzip/zlib error, not a TarError.
        except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise ArchiveError(f"{source} is not an Arkiv export: {exc}") from exc
        inner = Path(tmp) / "arkiv-export"
        yield inner if inner.is_dir() else Path(tmp)


def import_archive(catalog: Catalog, source: str | os.PathLike[str]) -> dict[str, int]:
    """Restore an export into an empty archive; every original's hash is verified."""
    if catalog.count(indexable_only=False):
        raise ArchiveError(f"the archive at {catalog.home} is not empty; import into a new one")
    with _opened(Path(source)) as folder:
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ArchiveError(f"{source} is not an Arkiv export (no manifest.json)") from exc
        if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
            raise ArchiveError(f"{source}: unsupported export format {manifest.get('format')!r}")
        originals = []
        for line in _rows(folder / "documents.jsonl"):  # all verified before any is stored
            original = _export_original(folder, str(line["sha256"]))
            if not original.is_file() or sha256_file(original) != line["sha256"]:
                raise ArchiveError(f"original of document {line['id']} is missing or corrupt")
            originals.append((original, line["sha256"]))
        for original, sha256 in originals:
            catalog.store_original(original, sha256)
        counts: dict[str, int] = {}
        try:
            with catalog.transaction():
                # Documents point at each other (superseded_by, duplicate_of) in any row
                # order: foreign keys are checked when the whole restore commits.
                catalog_db.defer_foreign_keys(catalog.db)
                for table in TABLES:
                    counts[table] = 0
                    known = catalog_db.insertable_columns(catalog.db, table)
                    for row in _rows(folder / f"{table}.jsonl"):
                        if not set(row) <= known:
                            raise ArchiveError(f"{source}: unknown columns in {table}.jsonl")
                        columns = ", ".join(row)
                        marks = ", ".join("?" * len(row))
                        catalog.db.execute(
                            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                            tuple(row.values()),
                        )
                        counts[table] += 1
                    catalog_db.after_bulk_insert(catalog.db, table)
                catalog.db.execute("DELETE FROM state WHERE key LIKE 'index%'")
        except sqlite3.IntegrityError as exc:
            raise ArchiveError(f"{source}: the export is inconsistent ({exc})") from exc
    return counts


def _export_original(folder: Path, sha256: str) -> Path:
    return folder / "originals" / sha256[:2] / sha256


@contextmanager
def export_originals(source: str | os.PathLike[str]) -> Iterator[Callable[[str], Path]]:
    """Where an export (folder or ``.tar.gz``) keeps each original, by its hash; the
    caller verifies what it finds (``arkiv check --repair --from``)."""
    with _opened(Path(source)) as folder:
        if not (folder / "manifest.json").is_file():
            raise ArchiveError(f"{source} is not an Arkiv export (no manifest.json)")
        yield lambda sha256: _export_original(folder, sha256)


def _rows(path: Path) -> Iterator[dict[str, object]]:
    if not path.exists():
        return
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)
