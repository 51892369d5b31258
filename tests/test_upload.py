"""Upload: names and zips refused with one clear message each, and an upload job that
ingests the files through the same pipeline as `arkiv index` (run as `arkiv jobs run`)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, HTTPS, csrf_token, post
from pdfgen import make_pdf
from test_auth import PASSWORDS, log_in

from archive import webjobs
from archive.accounts import Accounts
from archive.catalog import Catalog
from archive.engine import Searcher
from archive.query import Query
from indexer.pipeline import index_paths
from web import create_app
from web.upload import Refused, check_zip, checked_name

ARKIV = str(Path(sys.executable).with_name("arkiv"))


@pytest.fixture
def app(home: Path):
    return create_app({"ARKIV_HOME": str(home), "UPLOAD_MAX_ZIP_MEMBERS": 5})


@pytest.mark.parametrize("name, message", [
    ("../../etc/passwd", "'..'"),
    ("..\\boot.ini", "'..'"),
    ("/etc/passwd", "absolut sökväg"),
    ("C:\\Users\\x.pdf", "absolut sökväg"),
    ("mapp/fil.pdf", "mapp"),
    (".dold.pdf", "ogiltigt filnamn"),
    ("a\x00b.pdf", "ogiltigt filnamn"),
    ("", "saknar namn"),
])
def test_unsafe_names_are_refused_each_with_its_reason(app, name: str, message: str) -> None:
    with app.test_request_context(), pytest.raises(Refused, match=message):
        checked_name(name)


def test_a_swedish_name_is_kept_as_it_is(app) -> None:
    with app.test_request_context():
        assert checked_name("Protokoll Kommunstyrelsen 2024-05-02 §§ 1–12 (ärende).pdf") == \
            "Protokoll Kommunstyrelsen 2024-05-02 §§ 1–12 (ärende).pdf"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return path


def test_zips_that_unpack_too_much_or_outside_are_refused(app, tmp_path: Path) -> None:
    with app.test_request_context():
        check_zip(_zip(tmp_path / "ok.zip", {"a.txt": b"hej", "mapp/b.txt": b"hopp"}))
        with pytest.raises(Refused, match="zip-bomb"):
            check_zip(_zip(tmp_path / "bomb.zip", {"noll.txt": bytes(50_000_000)}))
        with pytest.raises(Refused, match="'..'"):
            check_zip(_zip(tmp_path / "ut.zip", {"../../ut.txt": b"x"}))
        with pytest.raises(Refused, match="absolut"):
            check_zip(_zip(tmp_path / "abs.zip", {"/etc/cron.d/x": b"x"}))
        with pytest.raises(Refused, match="för många filer"):
            check_zip(_zip(tmp_path / "many.zip", {f"{i}.txt": b"x" for i in range(6)}))
        check_zip(tmp_path / "ok.zip")  # a good zip stays good


def test_an_upload_job_ingests_its_files_and_reports_each(home: Path, tmp_path: Path) -> None:
    folder = webjobs.uploads_dir(home) / "test-1"
    folder.mkdir(parents=True)
    make_pdf(folder / "beslut-vattenverk.pdf", ["Kommunfullmäktige beslutar att bygga ett "
             "nytt vattenverk i Nolby. Vattenverket ska stå klart 2027."],
             title="Beslut om nytt vattenverk")
    make_pdf(folder / "lekplats.pdf", ["Tekniska nämnden föreslår en ny lekplats vid "
             "Ekbacken. Lekplatsen byggs under våren."], title="Ny lekplats vid Ekbacken")
    (folder / "trasig.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf")
    with Catalog(home) as catalog:
        job_id = webjobs.create(catalog, "upload", {
            "folder": "test-1", "files": ["beslut-vattenverk.pdf", "lekplats.pdf", "trasig.pdf"],
            "refused": [["../x", "namnet innehåller '..'"]]}, "anna")
    env = {**os.environ, "ARKIV_HOME": str(home)}
    done = subprocess.run([ARKIV, "jobs", "run", str(job_id)], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    with Catalog(home) as catalog:
        job = webjobs.get(catalog, job_id)
    assert job.state == "done"
    by_name = {f["name"]: f for f in job.result["files"]}
    assert by_name["beslut-vattenverk.pdf"]["status"] == "new"
    assert by_name["lekplats.pdf"]["document_id"]
    assert by_name["trasig.pdf"]["status"] == "failed" and by_name["trasig.pdf"]["reason"]
    searcher = Searcher(home)
    hits = searcher.search(Query(text="vattenverk")).hits
    searcher.close()
    assert [h.id for h in hits] == [by_name["beslut-vattenverk.pdf"]["document_id"]]


def _staff_client(app, home: Path, name: str = "stina"):
    with Catalog(home) as catalog:
        accounts = Accounts(catalog.db)
        if accounts.user(name) is None:
            accounts.add_user(name, "admin" if name == "adam" else "staff", PASSWORDS[name])
    client = app.test_client()
    assert log_in(client, name).status_code == 302
    return client


def test_an_upload_through_the_form_lists_each_file_with_its_document_or_reason(
    app, home: Path, tmp_path: Path
) -> None:
    index_paths(home, [CORPUS / "malmo-pressmeddelande-vinterhjalp-2023.html"])
    client = _staff_client(app, home)
    html = client.get("/uppladdning", base_url=HTTPS).get_data(as_text=True)
    # the plain form works without JavaScript; drag and drop comes from a static file (CSP)
    assert 'enctype="multipart/form-data"' in html and 'name="files" multiple' in html
    assert "<script>" not in html and "upload.js" in html
    pdf = make_pdf(tmp_path / "Beslut om bro över Säveån.pdf", [
        "Tekniska nämnden beslutar att bygga en gångbro över Säveån vid Floda."],
        title="Beslut om gångbro över Säveån")
    files = [
        (io.BytesIO(pdf.read_bytes()), pdf.name),
        (io.BytesIO(b"x"), "../../etc/cron.d/evil"),
        (io.BytesIO(b"x" * 2_000_001), "stor.txt"),
    ]
    app.config["UPLOAD_MAX_FILE_MB"] = 2
    response = post(client, "/uppladdning", data={
        "files": files, "access": "internal", "csrf_token": csrf_token(client, "/uppladdning")},
        content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    result_url = response.headers["Location"]
    job_id = int(result_url.rstrip("/").rsplit("/", 1)[1])
    wait_for_job(home, job_id)
    html = client.get(result_url, base_url=HTTPS).get_data(as_text=True)
    assert "Beslut om bro över Säveån.pdf" in html and "Nytt dokument" in html
    assert "../../etc/cron.d/evil" in html and "namnet innehåller &#39;..&#39;" in html
    assert "stor.txt" in html and "större än 2 MB" in html
    doc_link = re.search(r'href="(/documents/[0-9a-f]{16})"', html).group(1)
    assert "Beslut om gångbro över Säveån" in client.get(doc_link, base_url=HTTPS).get_data(
        as_text=True)
    assert app.test_client().get(doc_link).status_code == 404  # uploaded as internal
    kept = list(webjobs.uploads_dir(home).rglob("*"))
    assert all(webjobs.uploads_dir(home) in p.parents for p in kept)
    assert not (home.parent / "etc").exists()


def test_too_many_files_or_too_large_a_request_is_refused_with_one_message(
    app, home: Path
) -> None:
    index_paths(home, [CORPUS / "malmo-pressmeddelande-vinterhjalp-2023.html"])
    client = _staff_client(app, home)
    token = csrf_token(client, "/uppladdning")
    app.config["UPLOAD_MAX_FILES"] = 2
    many = [(io.BytesIO(b"hej"), f"{i}.txt") for i in range(3)]
    response = post(client, "/uppladdning", data={"files": many, "csrf_token": token},
                    content_type="multipart/form-data")
    assert response.status_code == 400
    assert "För många filer: högst 2 åt gången." in response.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1_000_000
    big = [(io.BytesIO(b"x" * 1_100_000), "stor.txt")]
    response = post(client, "/uppladdning", data={"files": big, "csrf_token": token},
                    content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Uppladdningen är för stor: högst 1 MB åt gången." in response.get_data(as_text=True)


def wait_for_job(home: Path, job_id: int, seconds: float = 120) -> webjobs.WebJob:
    """The job once it has ended (its process runs beside the test)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with Catalog(home) as catalog:
            job = webjobs.get(catalog, job_id)
        if job.state not in ("queued", "running"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not end")


def test_staff_pages_are_not_for_the_public(app, home: Path) -> None:
    index_paths(home, [CORPUS / "malmo-pressmeddelande-vinterhjalp-2023.html"])
    client = app.test_client()
    for url in ("/uppladdning", "/bevakningar", "/admin/jobb", "/uppladdning/1"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert client.post("/uppladdning").status_code in (400, 401)
    assert client.get("/bevakningar/flode/nope.atom").status_code == 404
