"""Upload: names and zips refused with one clear message each, and an upload job that
ingests the files through the same pipeline as `arkiv index` (run as `arkiv jobs run`)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pdfgen import make_pdf

from archive import webjobs
from archive.catalog import Catalog
from archive.query import Query
from archive.search import Searcher
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


def test_the_upload_form_posts_files_without_javascript(app) -> None:
    # the plain form: multipart, a file input that takes many files
    app.config["STAFF_USER"] = "anna"
    html = app.test_client().get("/uppladdning").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'name="files" multiple' in html
    assert "<script>" not in html  # drag and drop comes from a static file (CSP)
    assert "upload.js" in html


def test_staff_pages_do_not_exist_for_the_public(app) -> None:
    client = app.test_client()
    for url in ("/uppladdning", "/bevakningar", "/admin/jobb", "/uppladdning/1"):
        assert client.get(url).status_code == 404, url
    assert client.get("/bevakningar/flode/nope.atom").status_code == 404
