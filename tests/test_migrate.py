"""``arkiv migrate --to postgresql://…`` moves an embedded archive into PostgreSQL with
everything in it, and export/import works both ways between the two (issue 13). A real
ingested corpus (corpus/), a real PostgreSQL 15, a database of its own for each test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from conftest import CORPUS

from archive import access, alerts, corrections, webjobs
from archive.accounts import Accounts
from archive.backup import TABLES
from archive.catalog import Catalog
from archive.engine import backend_for
from archive.query import Query
from arkiv.cli import cli

ARKIV = str(Path(sys.executable).parent / "arkiv")


def arkiv(home: Path, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARKIV_HOME": str(home)}
    for name in ("ARKIV_DEBUG", "ARKIV_DATABASE_URL"):
        env.pop(name, None)
    if url:
        env["ARKIV_DATABASE_URL"] = url
    return subprocess.run([ARKIV, *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def embedded(corpus_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ingested corpus with staff work in it: an account and a token, corrections
    and their log, a document made internal, a saved search, a web job."""
    home = tmp_path_factory.mktemp("migrate") / "arkiv"
    shutil.copytree(corpus_home, home)
    accounts = Accounts.open(home)
    accounts.add_user("registrator", "staff", "ett långt lösenord")
    accounts.add_token("skript", "admin")
    accounts.db.close()
    with Catalog(home, database="") as catalog:
        first, second, *_ = [d.id for d in catalog.iter_documents(with_text=False)]
        corrections.correct(catalog, first, {"committee": "Kommunstyrelsen"}, "registrator")
        corrections.correct(catalog, first, {"committee": "Kulturnämnden"}, "registrator")
        access.change(catalog, second, "internal", "personuppgifter", by="registrator")
        saved, _token = alerts.save(catalog, "registrator", "Budget", "q=budget")
        catalog.db.execute("UPDATE saved_searches SET since_row = 0 WHERE id = ?", (saved.id,))
        webjobs.create(catalog, "reindex", {"reextract": False}, "registrator")
    return home


def _everything(home: Path, url: str | None, env: pytest.MonkeyPatch) -> dict[str, object]:
    """What a user sees of an archive (its catalog at ``url``, else embedded): every
    document as ``arkiv show --json``, the stats, the failures, the audit log, the
    accounts, the saved search's arrivals."""
    if url:
        env.setenv("ARKIV_DATABASE_URL", url)
    else:
        env.delenv("ARKIV_DATABASE_URL", raising=False)
    with Catalog(home, readonly=True) as catalog:
        ids = [d.id for d in catalog.iter_documents(indexable_only=False, with_text=False)]
        log = [(e.document_id, e.action, e.field, e.before, e.after, e.by_user, e.at)
               for e in corrections.audit_log(catalog)]
        searcher = backend_for(home)  # where that archive searches: its own engine
        try:
            arrived = [hit.id for hit, _at in alerts.arrivals(catalog, searcher, Query())]
            # The same read a few rows at a time from the catalog's cursor.
            with pytest.MonkeyPatch.context() as small:
                small.setattr(alerts, "ARRIVALS_DIRECT", 0)
                small.setattr(alerts, "ARRIVALS_BATCH", 2)
                in_batches = [hit.id for hit, _at in alerts.arrivals(catalog, searcher, Query())]
            assert in_batches == arrived and len(arrived) > 4
        finally:
            searcher.close()
        saved = [(s.name, s.query, s.since_row) for s in alerts.of_user(catalog, "registrator")]
        jobs = [(j.kind, j.args, j.requested_by) for j in webjobs.recent(catalog)]
    def command(*args: str) -> str:  # the real command, run in this process (fast)
        result = CliRunner().invoke(cli, ["--home", str(home), *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    return {
        "shown": {doc_id: command("show", "--json", doc_id) for doc_id in ids},
        "log": log, "arrived": arrived, "saved": saved, "jobs": jobs,
        "stats": command("stats", "--json"), "failures": command("failures", "--json"),
        "users": command("users", "list", "--json"),
    }


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_migrate_moves_everything_and_the_archive_answers_the_same(
    embedded: Path, postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _everything(embedded, None, monkeypatch)
    moved = arkiv(embedded, "migrate", "--to", postgres_database)
    assert moved.returncode == 0, moved.stderr
    assert f"moved {len(before['shown'])} documents" in moved.stderr

    after = _everything(embedded, postgres_database, monkeypatch)
    assert after["shown"] == before["shown"]
    assert after == before
    with Catalog(embedded, database="") as catalog:
        assert _counts(postgres_database) == {
            t: catalog.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    assert len(before["log"]) >= 2 and before["arrived"] and before["saved"]

    # Run again: the archive is there already, nothing is done twice.
    again = arkiv(embedded, "migrate", "--to", postgres_database)
    assert again.returncode == 0 and "nothing to do" in again.stderr
    # The moved archive goes on: new runs, log rows and documents follow the moved ones.
    extra = embedded.parent / "ny"
    extra.mkdir()
    (extra / "anteckning.txt").write_text(
        "Anteckning från kommunstyrelsen\n\nBudgeten för 2025 diskuterades.\n", encoding="utf-8")
    indexed = arkiv(embedded, "index", "--progress", "none", str(extra), url=postgres_database)
    assert indexed.returncode == 0, indexed.stderr
    assert "1 new" in indexed.stderr
    with Catalog(embedded, database=postgres_database) as catalog:
        newest = catalog.get_by_path(str((extra / "anteckning.txt").resolve()))
        assert catalog.db.execute("SELECT id FROM documents ORDER BY rowid DESC LIMIT 1"
                                  ).fetchone()[0] == newest.id
        assert catalog.last_run()["counts"]["new"] == 1
    accounts = Accounts.open(embedded)  # ARKIV_DATABASE_URL: the moved accounts
    assert accounts.login("registrator", "ett långt lösenord", client="10.0.0.2").account
    accounts.db.close()


def test_migrate_refuses_a_database_that_holds_another_archive(
    embedded: Path, postgres_database: str, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "sollentuna-artikel-internationalisera-mera.txt", folder)
    assert arkiv(other, "index", "--progress", "none", str(folder),
                 url=postgres_database).returncode == 0
    refused = arkiv(embedded, "migrate", "--to", postgres_database)
    assert refused.returncode != 0
    assert refused.stderr.count("\n") == 1 and "already holds another archive" in refused.stderr
    assert _counts(postgres_database)["documents"] == 1
    not_pg = arkiv(embedded, "migrate", "--to", "mysql://localhost/arkiv")
    assert not_pg.returncode != 0 and "not a PostgreSQL URL" in not_pg.stderr


def test_export_and_import_work_both_ways(
    embedded: Path, postgres_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _everything(embedded, None, monkeypatch)
    assert arkiv(embedded, "export", str(tmp_path / "embedded.tar.gz")).returncode == 0

    on_pg = tmp_path / "pg-home"
    restored = arkiv(on_pg, "import", str(tmp_path / "embedded.tar.gz"), url=postgres_database)
    assert restored.returncode == 0, restored.stderr
    assert _everything(on_pg, postgres_database, monkeypatch) == before

    exported = arkiv(on_pg, "export", str(tmp_path / "pg-export"), url=postgres_database)
    assert exported.returncode == 0, exported.stderr
    back = tmp_path / "embedded-again"
    assert arkiv(back, "import", str(tmp_path / "pg-export")).returncode == 0
    assert _everything(back, None, monkeypatch) == before
