"""A running bulk job is visible: ``arkiv index`` publishes its progress for the status page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import CORPUS, HTTPS, form_login

from archive.accounts import Accounts
from archive.catalog import Catalog
from archive.jobs import JOB_FILE, read_job, write_job
from indexer.pipeline import FileOutcome, index_paths, reindex
from web import create_app


def test_index_publishes_progress_while_it_runs_and_clears_it_after(home: Path) -> None:
    seen: list[dict] = []

    def watch(outcome: FileOutcome) -> None:
        job = read_job(home)
        assert job is not None
        seen.append(job)

    report = index_paths(home, [CORPUS], workers=1, on_outcome=watch)
    assert len(seen) == len(report.outcomes) > 0
    assert all(job["state"] == "running" for job in seen)
    assert all(job["command"].startswith("arkiv index ") for job in seen)
    assert read_job(home) is None
    assert not (home / JOB_FILE).exists()
    reindex(home)
    assert read_job(home) is None


def test_status_page_shows_a_running_job(home: Path) -> None:
    index_paths(home, [CORPUS / "stockholm-europaforum-tjansteutlatande-2004.txt"], workers=1)
    write_job(home, "arkiv index /data/kommun", {"done": 1234, "total": 10000, "pages": 5678,
                                                 "failed": 3, "rate": 45.2, "eta": 200.0},
              started_at="2026-11-22T10:00:00+00:00")
    with Catalog(home) as catalog:
        Accounts(catalog.db).add_user("stina", "staff", "Stina-lösen-4711")
    app = create_app({"ARKIV_HOME": str(home), "TESTING": True})
    staff = app.test_client()
    assert form_login(staff, "stina", "Stina-lösen-4711").status_code == 302
    html = staff.get("/om", base_url=HTTPS).get_data(as_text=True)
    assert 'data-job="running"' in html
    assert "Pågår:" in html and "arkiv index /data/kommun" in html
    assert "1234 av 10000 filer (12 %)" in html
    assert "45.2 filer/s" in html and "3 misslyckade" in html and "klart om ca 4 min" in html
    assert 'http-equiv="refresh"' in html
    status = staff.get("/api/status", base_url=HTTPS).get_json()
    assert status["job"]["state"] == "running" and status["job"]["done"] == 1234
    # The public sees that a job runs and when it ends, not the server's folders or how
    # many files it reads (internal ones among them).
    public = app.test_client().get("/om").get_data(as_text=True)
    assert "Pågår:" in public and "arkiv index" in public and "klart om ca 4 min" in public
    assert "/data/kommun" not in public and "1234" not in public


def test_a_job_whose_process_died_shows_as_interrupted(home: Path) -> None:
    index_paths(home, [CORPUS / "stockholm-europaforum-tjansteutlatande-2004.txt"], workers=1)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    path = home / JOB_FILE
    path.write_text(json.dumps({"command": "arkiv index /data", "pid": int(dead.stdout),
                                "done": 10, "total": 100, "started_at": "2026-11-22T10:00:00+00:00",
                                "updated_at": "2026-11-22T10:01:00+00:00"}), encoding="utf-8")
    assert read_job(home)["state"] == "interrupted"
    client = create_app({"ARKIV_HOME": str(home), "TESTING": True}).test_client()
    html = client.get("/om").get_data(as_text=True)
    assert 'data-job="interrupted"' in html and "Avbröts:" in html
    assert "fortsätter det där det slutade" in html
    assert 'http-equiv="refresh"' not in html
