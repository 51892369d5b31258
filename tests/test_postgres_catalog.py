"""The catalog in PostgreSQL (``ARKIV_DATABASE_URL``, issue 13): the same archive as the
embedded one, shared by several ARKIV_HOMEs (machines), one writer at a time across them,
and checked by ``arkiv check``. Each test has a database of its own on a real PostgreSQL 15
(tests/servers.py); the originals stay in ARKIV_HOME."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from conftest import CORPUS

from archive import corrections
from archive.accounts import AccountError, Accounts
from archive.catalog import SCHEMA_VERSION, Catalog
from archive.home import ArchiveBusy, ArchiveError, write_lock
from arkiv.cli import cli
from indexer.pipeline import index_paths, reindex

ARKIV = str(Path(sys.executable).parent / "arkiv")
PROTOKOLL = "lerum-byggnadsnamnden-protokoll-2024-04-18.txt"
KALLELSE = "lerum-byggnadsnamnden-kallelse-2024-04-18.txt"
ARTIKEL = "sollentuna-artikel-internationalisera-mera.txt"


def arkiv(home: Path, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARKIV_HOME": str(home)}
    env.pop("ARKIV_DEBUG", None)
    if url:
        env["ARKIV_DATABASE_URL"] = url
    return subprocess.run([ARKIV, *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three documents of the seed corpus in a folder of their own."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (PROTOKOLL, KALLELSE, ARTIKEL):
        shutil.copy(CORPUS / name, folder / name)
    return folder


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_the_catalog_lives_in_postgresql_and_keeps_versions_and_the_log(
    home: Path, folder: Path, on_postgres: str
) -> None:
    report = index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    assert report.counts["new"] == 3 and not report.failures
    assert not (home / "catalog.sqlite3").exists()
    assert len(_rows(on_postgres, "SELECT id FROM documents")) == 3

    path = str((folder / ARTIKEL).resolve())
    (folder / ARTIKEL).write_text("Internationalisera mera\n\nEn ny version om ungdomsutbyten "
                                  "i Sollentuna kommun.\n", encoding="utf-8")
    (folder / "trasig.pdf").write_bytes(b"%PDF-1.4 inte en riktig pdf")
    report = index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    assert report.counts["updated"] == 1 and report.counts["unchanged"] == 2
    assert len(report.failures) == 1

    with Catalog(home) as catalog:
        assert catalog.schema_version() == SCHEMA_VERSION
        assert catalog.integrity_check() == "ok"
        doc = catalog.get_by_path(path)
        assert doc is not None and "ungdomsutbyten" in doc.text
        versions = catalog.versions(path)
        assert [v for v, _id, _at in versions] == [1, 2]
        first = catalog.get(versions[0][1])
        assert first is not None and first.superseded_by == doc.id
        assert catalog.original_path(doc.sha256).is_file()  # originals stay in ARKIV_HOME
        stats = catalog.stats()
        assert stats["documents"] == 3 and stats["earlier_versions"] == 1
        assert stats["failures"] == 1 and stats["last_run"]["counts"]["failed"] == 1
        assert [p for p, _reason, _at in catalog.failures()] == [
            str((folder / "trasig.pdf").resolve())]
        protokoll = catalog.get_by_path(str((folder / PROTOKOLL).resolve()))
        assert protokoll is not None and protokoll.get("committee")
        meeting = protokoll.metadata["meeting"]["meeting_date"]
        shown = catalog.meeting_documents(protokoll.get("committee"), meeting)
        assert protokoll.id in {d.id for d in shown}
        # Changes since a sequence number, oldest first: what an index catches up with.
        changes = catalog.changes_since(0)
        assert [c.seq for c in changes] == sorted(c.seq for c in changes)
        assert {c.id for c in changes if not c.indexable} == {first.id}


def test_accounts_on_postgresql(home: Path, folder: Path, on_postgres: str) -> None:
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    accounts = Accounts.open(home)
    assert accounts.available()
    accounts.add_user("handlaggare", "staff", "ett långt lösenord")
    with pytest.raises(AccountError, match="already a user"):
        accounts.add_user("handlaggare", "admin", "ett annat långt lösenord")
    assert accounts.login("handlaggare", "fel lösenord!!", client="10.0.0.1").account is None
    result = accounts.login("handlaggare", "ett långt lösenord", client="10.0.0.1")
    assert result.account is not None and result.account.role == "staff"
    token = accounts.add_token("skript", "admin")
    assert accounts.token_account(token).name == "skript"
    accounts.db.close()
    # Another machine (another home) sees the same accounts.
    other = Accounts.open(home.parent / "other-home")
    assert [a.name for a in other.users()] == ["handlaggare"]


def test_corrections_and_their_triggers_on_postgresql(
    home: Path, folder: Path, on_postgres: str
) -> None:
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    path = str((folder / PROTOKOLL).resolve())
    with Catalog(home) as catalog:
        doc = catalog.get_by_path(path)
        changed = corrections.correct(
            catalog, doc.id, {"committee": "Miljönämnden", "projects": ["Trygg i Lerum"]},
            "handlaggare")
        assert sorted(changed) == ["committee", "projects"]
        assert catalog.get(doc.id).get("committee") == "Miljönämnden"
    # Re-extraction writes metadata again: the trigger lays the correction over it.
    reindex(home, reextract=True)
    with Catalog(home) as catalog:
        assert catalog.get(doc.id).get("committee") == "Miljönämnden"
    # A changed file inherits its previous version's corrections, logged as carried.
    (folder / PROTOKOLL).write_text(
        (CORPUS / PROTOKOLL).read_text(encoding="utf-8") + "\nJusterat i efterhand.\n",
        encoding="utf-8")
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    with Catalog(home) as catalog:
        new = catalog.get_by_path(path)
        assert new.id != doc.id
        assert new.get("committee") == "Miljönämnden"
        assert new.get("projects") == ["Trygg i Lerum"]
        log = corrections.audit_log(catalog, new.id)
        assert {(e.action, e.field) for e in log if e.document_id == new.id} == {
            ("carried", "committee"), ("carried", "projects")}
        # Reverting shows what extraction found again.
        assert corrections.revert(catalog, new.id, "committee", "handlaggare")
        assert catalog.get(new.id).get("committee") == doc.get("committee")


def test_a_second_home_on_the_same_database_sees_the_same_archive(
    tmp_path: Path, folder: Path, on_postgres: str
) -> None:
    first, second = tmp_path / "machine-a", tmp_path / "machine-b"
    done = arkiv(first, "index", "--registry", str(CORPUS), "--progress", "none", str(folder))
    assert done.returncode == 0, done.stderr

    def command(home: Path, *args: str) -> str:  # the real command, in this process (fast)
        result = CliRunner().invoke(cli, ["--home", str(home), *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    stats = [command(home, "stats", "--json") for home in (first, second)]
    assert stats[0] == stats[1] and json.loads(stats[1])["documents"] == 3
    found = command(first, "search", "--json", "byggnadsnämnden")
    ids = [hit["id"] for hit in json.loads(found)["hits"]]
    assert ids
    for doc_id in ids:
        shown = [command(home, "show", "--json", doc_id) for home in (first, second)]
        assert shown[0] == shown[1] and json.loads(shown[1])["id"] == doc_id
    # The second machine builds its own search index from the shared catalog.
    assert arkiv(second, "reindex").returncode == 0
    again = command(second, "search", "--json", "byggnadsnämnden")
    assert [hit["id"] for hit in json.loads(again)["hits"]] == ids


def test_one_writer_at_a_time_across_machines(
    tmp_path: Path, folder: Path, on_postgres: str
) -> None:
    first, second = tmp_path / "machine-a", tmp_path / "machine-b"
    with write_lock(first, purpose="arkiv index"):
        busy = arkiv(second, "index", "--progress", "none", str(folder))
        assert busy.returncode != 0
        assert busy.stderr.count("\n") == 1 and "Traceback" not in busy.stderr
        assert "busy: arkiv index (pid" in busy.stderr and str(os.getpid()) in busy.stderr
        with pytest.raises(ArchiveBusy), write_lock(second, purpose="arkiv reindex"):
            pass
    done = arkiv(second, "index", "--progress", "none", str(folder))
    assert done.returncode == 0, done.stderr


def test_check_on_postgresql_finds_a_damaged_original(
    home: Path, folder: Path, on_postgres: str
) -> None:
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    intact = arkiv(home, "check", "--json")
    assert intact.returncode == 0, intact.stderr
    report = json.loads(intact.stdout)
    assert report["ok"] and report["documents"] == 3 and report["originals_verified"] == 3

    with Catalog(home) as catalog:
        doc = catalog.get_by_path(str((folder / KALLELSE).resolve()))
        original = catalog.original_path(doc.sha256)
    original.chmod(0o644)
    original.write_bytes(original.read_bytes().replace(b"a", b"o", 1))
    # A trigger dropped by hand would lose staff corrections without a word.
    with psycopg.connect(on_postgres, autocommit=True) as conn:
        conn.execute("DROP TRIGGER corrections_carry ON versions")
    damaged = arkiv(home, "check", "--json")
    assert damaged.returncode != 0
    problems = json.loads(damaged.stdout)["problems"]
    assert any("corrupt" in p and KALLELSE in p for p in problems)
    assert any("corrections_carry" in p for p in problems)


def test_a_newer_schema_and_an_unreachable_database_are_one_line(
    home: Path, folder: Path, on_postgres: str
) -> None:
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    with psycopg.connect(on_postgres, autocommit=True) as conn:
        conn.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(ArchiveError, match="newer than this Arkiv"):
        Catalog(home)
    gone = arkiv(home, "--database", "postgresql://arkiv@127.0.0.1:1/arkiv", "stats")
    assert gone.returncode != 0 and gone.stderr.count("\n") == 1
    assert "cannot connect to the catalog" in gone.stderr and "Traceback" not in gone.stderr
