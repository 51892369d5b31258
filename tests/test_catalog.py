"""The catalog keeps every version, every original, and a truthful log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive.catalog import SCHEMA_VERSION, Catalog, sha256_file
from archive.home import ArchiveBusy, ArchiveError, write_lock


def _add(catalog: Catalog, path: Path, text: str, **metadata: object) -> tuple[str, str]:
    path.write_text(text, encoding="utf-8")
    digest = sha256_file(path)
    return catalog.add_document(
        path=str(path), sha256=digest, source=path, filename=path.name,
        content_type="text/plain", size=path.stat().st_size, text=text,
        page_starts=[0], metadata={"title": path.stem, **metadata},
    )


def test_new_document_is_stored_with_its_original(tmp_path: Path, home: Path) -> None:
    with Catalog(home) as catalog:
        doc_id, status = _add(catalog, tmp_path / "beslut.txt", "Nämnden beslutar.", city="Solna")
        doc = catalog.get(doc_id)
        assert status == "new"
        assert doc is not None and doc.text == "Nämnden beslutar."
        assert doc.get("city") == "Solna" and doc.get("projects") == []
        original = catalog.original_path(doc.sha256)
        assert original.read_bytes() == "Nämnden beslutar.".encode()
        assert sha256_file(original) == doc.sha256


def test_changed_file_keeps_its_earlier_version(tmp_path: Path, home: Path) -> None:
    path = tmp_path / "riktlinjer.txt"
    with Catalog(home) as catalog:
        first, _ = _add(catalog, path, "Riktlinjer 2023")
        second, status = _add(catalog, path, "Riktlinjer 2024")
        assert status == "updated" and first != second
        assert catalog.get_by_path(path).id == second
        old = catalog.get(first)
        assert old is not None and old.superseded_by == second and old.text == "Riktlinjer 2023"
        assert catalog.original_path(old.sha256).exists()
        assert [v[:2] for v in catalog.versions(str(path))] == [(1, first), (2, second)]
        assert catalog.count() == 1 and catalog.count(indexable_only=False) == 2
        # Search is told: the new version is indexable, the old one is not.
        changes = {c.id: c.indexable for c in catalog.changes_since(0)}
        assert changes == {first: False, second: True}


def test_same_content_at_two_paths_is_one_document(tmp_path: Path, home: Path) -> None:
    with Catalog(home) as catalog:
        doc_id, _ = _add(catalog, tmp_path / "a.txt", "Samma text")
        status = catalog.add_path(str(tmp_path / "kopia.txt"), doc_id)
        assert status == "new"
        assert catalog.get_by_path(tmp_path / "kopia.txt").id == doc_id
        assert catalog.count() == 1


def test_duplicate_group_shows_one_member(tmp_path: Path, home: Path) -> None:
    with Catalog(home) as catalog:
        rich, _ = _add(catalog, tmp_path / "rich.txt", "Rapport med huvud", dnr="115-239/2002")
        poor, _ = _add(catalog, tmp_path / "poor.txt", "Rapport utan huvud")
        catalog.set_group(rich, [rich, poor], {"title": "Rapport", "dnr": "115-239/2002"})
        assert catalog.get(poor).duplicate_of == rich
        assert catalog.get(poor).get("dnr") == "115-239/2002"
        assert catalog.renderings(rich) == [poor]
        assert [d.id for d in catalog.iter_documents()] == [rich]


def test_documents_stream_in_id_order_or_as_received(tmp_path: Path, home: Path) -> None:
    with Catalog(home) as catalog:
        added = [_add(catalog, tmp_path / f"{n}.txt", f"Dokument nummer {n}")[0] for n in range(7)]
        grouped, member = added[5], added[6]
        catalog.set_group(grouped, [grouped, member], {"title": "Grupp"})
        shown = added[:6]
        assert sorted(shown) != shown  # ids are hashes: id order is not arrival order
        for batch in (1, 2, 500):
            assert [d.id for d in catalog.iter_documents(batch=batch)] == sorted(shown)
            received = catalog.iter_documents(batch=batch, received_order=True)
            assert [d.id for d in received] == shown
        every = catalog.iter_documents(indexable_only=False, received_order=True, with_text=False)
        assert [d.id for d in every] == added


def test_catalog_migrates_and_refuses_a_newer_schema(home: Path) -> None:
    with Catalog(home) as catalog:
        assert catalog.schema_version() == SCHEMA_VERSION
        assert catalog.integrity_check() == "ok"
    db = sqlite3.connect(home / "catalog.sqlite3")
    db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    with pytest.raises(ArchiveError, match="newer than this Arkiv"):
        Catalog(home)


def test_reading_a_missing_archive_says_so(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no archive"):
        Catalog(tmp_path / "nowhere", readonly=True)


def test_second_writer_is_told_the_archive_is_busy(home: Path) -> None:
    with (
        write_lock(home, purpose="arkiv index"),
        pytest.raises(ArchiveBusy, match="arkiv index"),
        write_lock(home, purpose="arkiv reindex"),
    ):
        pass
    with write_lock(home, purpose="arkiv reindex"):  # released: the next writer gets it
        pass


def test_an_older_catalog_is_migrated_keeping_its_documents(tmp_path: Path, home: Path) -> None:
    from archive.catalog import _MIGRATIONS

    with Catalog(home) as catalog:
        doc_id, _ = _add(catalog, tmp_path / "gammal.txt", "Ett dokument från version 1")
    first = sqlite3.connect(":memory:")
    first.executescript(_MIGRATIONS[1])
    tables_of_1 = {row[0] for row in first.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db = sqlite3.connect(home / "catalog.sqlite3")
    for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {trigger}")  # schema 1 had none
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        if table not in tables_of_1 | {"schema_version"}:  # take the catalog back to schema 1
            db.execute(f"DROP TABLE {table}")
        elif table in tables_of_1:
            columns_of_1 = {row[1] for row in first.execute(f"PRAGMA table_info({table})")}
            for row in db.execute(f"PRAGMA table_info({table})").fetchall():
                if row[1] not in columns_of_1:
                    db.execute(f"ALTER TABLE {table} DROP COLUMN {row[1]}")
    db.execute("UPDATE schema_version SET version = 1")
    db.commit()
    db.close()
    with Catalog(home) as catalog:
        assert catalog.schema_version() == SCHEMA_VERSION == max(_MIGRATIONS)
        assert catalog.get(doc_id).text == "Ett dokument från version 1"
        catalog.remember_failure("/x.pdf", "broken", size=1, mtime=1.0)
        assert catalog.known_failure("/x.pdf", size=1, mtime=1.0) == "broken"
