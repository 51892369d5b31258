"""Jobs on the web: an admin starts a reindex or a check from the status page and sees it
end; staff see jobs and failures but cannot start them; the public sees none of it."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import CORPUS, HTTPS, csrf_token, post
from test_auth import PASSWORDS, log_in
from test_upload import wait_for_job

from archive.accounts import Accounts
from archive.catalog import Catalog
from indexer.pipeline import index_paths
from web import create_app


def test_an_admin_starts_a_reindex_and_a_check_from_the_status_page(
    home: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "trasig.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing more")
    index_paths(home, [CORPUS / "malmo-pressmeddelande-vinterhjalp-2023.html", broken])
    with Catalog(home) as catalog:
        Accounts(catalog.db).add_user("stina", "staff", PASSWORDS["stina"])
        Accounts(catalog.db).add_user("adam", "admin", PASSWORDS["adam"])
    app = create_app({"ARKIV_HOME": str(home)})

    staff = app.test_client()
    log_in(staff, "stina")
    status = staff.get("/om", base_url=HTTPS).get_data(as_text=True)
    assert "Bygg om sökindexet" not in status and 'id="admin"' not in status
    jobs = staff.get("/admin/jobb", base_url=HTTPS).get_data(as_text=True)
    assert "trasig.pdf" in jobs  # failures are listed for staff
    refused = post(staff, "/admin/jobs/reindex", data={"csrf_token": csrf_token(staff, "/om")})
    assert refused.status_code == 403

    admin = app.test_client()
    log_in(admin, "adam")
    status = admin.get("/om", base_url=HTTPS).get_data(as_text=True)
    for button in ("Bygg om sökindexet", "Läs om alla original", "Kontrollera arkivet"):
        assert button in status
    started = post(admin, "/admin/jobs/reextract", data={"csrf_token": csrf_token(admin, "/om")})
    assert started.status_code == 302
    job_id = int(re.search(r"/admin/jobb/(\d+)", started.headers["Location"]).group(1))
    job = wait_for_job(home, job_id)
    assert job.state == "done" and job.result == {"documents": 1}
    assert job.requested_by == "adam" and job.args["reextract"] is True
    page = admin.get(f"/admin/jobb/{job_id}", base_url=HTTPS).get_data(as_text=True)
    assert 'data-job-state="done"' in page and "1 dokument i sökindexet" in page

    started = post(admin, "/admin/jobs/check", data={
        "back": "status", "csrf_token": csrf_token(admin, "/om")})
    assert started.headers["Location"].endswith("/om#admin")
    job = wait_for_job(home, job_id + 1)
    assert job.kind == "check" and job.state == "done" and job.result["ok"] is True
    status = admin.get("/om", base_url=HTTPS).get_data(as_text=True)
    assert status.count('data-task="done"') == 2 and "Arkivet är helt (1 dokument)." in status
    listing = admin.get("/admin/jobb", base_url=HTTPS).get_data(as_text=True)
    assert listing.count('data-state="done"') == 2

    public = app.test_client()
    assert public.get("/admin/jobb").status_code == 302
    assert "Bygg om sökindexet" not in public.get("/om").get_data(as_text=True)
