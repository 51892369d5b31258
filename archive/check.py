"""``arkiv check``: verify an archive and repair what can be repaired safely.

Checked: the catalog (SQLite ``integrity_check`` and foreign keys), every original
(present, and its SHA-256 still the one it was archived under), every path pointing at
a document, and the search index (present, current schema, caught up with the catalog,
answering a search). Repaired: leftovers of interrupted copies in ``originals/``, an
index that lags the catalog (synchronised) and an index that is missing, outdated or
broken (rebuilt from the catalog). A corrupt original is set aside (kept beside it as
``.corrupt-<sha256>``) and reported with the document it belongs to; with ``repair``
(``arkiv check --repair [--from EXPORT]``) a missing or corrupt original is restored
from its unchanged source or from an export (archive/repair.py), hash verified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from archive import db as catalog_db
from archive.catalog import Catalog, sha256_file
from archive.engine import backend_for
from archive.query import Query
from archive.repair import Damaged, repair_originals, set_aside


@dataclass
class CheckReport:
    documents: int = 0
    originals_verified: int = 0
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_archive(
    home: Path, *, verify_hashes: bool = True, repair: bool = False,
    export: Path | None = None,
) -> CheckReport:
    """Check the archive at ``home`` (the caller holds the write lock); ``repair``:
    restore damaged originals from their sources or from the ``export``."""
    report = CheckReport()
    with Catalog(home) as catalog:
        integrity = catalog.integrity_check()
        if integrity != "ok":
            report.problems.append(f"catalog integrity check failed: {integrity}")
        dangling = catalog_db.dangling_rows(catalog.db)
        if dangling:
            report.problems.append(f"catalog has {dangling} rows pointing at nothing")
        damaged = _check_originals(catalog, report, verify_hashes)
        if repair and damaged:
            _repair_originals(catalog, report, damaged, export)
        else:
            report.problems.extend(item.describe() for item in damaged)
        _check_index(home, catalog, report)
    return report


def _check_originals(
    catalog: Catalog, report: CheckReport, verify_hashes: bool
) -> list[Damaged]:
    for leftover in (catalog.home / "originals").glob("*/.incoming-*"):
        leftover.unlink(missing_ok=True)
        report.repaired.append(f"removed an interrupted copy: {leftover.name}")
    damaged: list[Damaged] = []
    rows = catalog.db.execute("SELECT id, sha256, size, path FROM documents ORDER BY id")
    for doc_id, sha256, size, path in rows:
        report.documents += 1
        original = catalog.original_path(sha256)
        if not original.is_file():
            set_aside_earlier = original.with_name(f".corrupt-{sha256}").exists()
            damaged.append(Damaged(doc_id, sha256, path, missing=not set_aside_earlier))
        elif original.stat().st_size != size or (
            verify_hashes and sha256_file(original) != sha256
        ):
            set_aside(catalog, sha256)  # so that indexing its source again restores it
            damaged.append(Damaged(doc_id, sha256, path, missing=False))
        else:
            report.originals_verified += 1
    return damaged


def _repair_originals(
    catalog: Catalog, report: CheckReport, damaged: list[Damaged], export: Path | None
) -> None:
    from contextlib import nullcontext

    from archive.backup import export_originals

    with export_originals(export) if export else nullcontext() as in_export:
        repaired, left = repair_originals(
            catalog, damaged, (export, in_export) if export and in_export else None)
    report.repaired.extend(repaired)
    report.problems.extend(left)
    report.originals_verified += len(repaired)


def _check_index(home: Path, catalog: Catalog, report: CheckReport) -> None:
    index = backend_for(home)
    if index.needs_rebuild():
        index.rebuild(catalog)
        report.repaired.append("search index was missing or outdated: rebuilt")
        return
    if index.status().get("seq", 0) < catalog.max_seq():
        changed = index.sync(catalog)
        report.repaired.append(f"search index lagged the catalog: {changed} documents updated")
    try:
        answered = index.search(Query(page_size=1, snippets=False)).total
    except Exception as exc:  # a broken index is rebuilt, whatever broke it
        index.rebuild(catalog)
        report.repaired.append(f"search index did not answer ({type(exc).__name__}): rebuilt")
        return
    expected = catalog.count()
    if answered != expected:
        index.rebuild(catalog)
        report.repaired.append(
            f"search index held {answered} documents, the catalog {expected}: rebuilt"
        )
