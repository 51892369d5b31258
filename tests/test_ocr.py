"""OCR of scans: realistic scans (bench.scans: Swedish text typeset, rasterised at
200–300 dpi, turned, blurred, speckled) in every format archives keep, read through the
real pipeline with real Tesseract, measured by word recall against their source text.

Without Tesseract these tests skip (and fail in CI): apt-get install tesseract-ocr
tesseract-ocr-swe tesseract-ocr-eng.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, IN_CI, ROOT, require_shared
from flask.testing import FlaskClient
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from archive.catalog import Catalog
from archive.engine import search
from archive.query import Query
from bench.pdfs import tokens
from bench.pdftext import matched_words
from bench.scans import DOCUMENTS, degrade, render_page, save, scans
from indexer.extract import extract, ocr
from indexer.pipeline import index_paths
from indexer.workers import WorkerPool, separate_budget
from web import create_app

if ocr.missing():
    if IN_CI:
        pytest.fail(ocr.missing(), pytrace=False)
    pytest.skip(ocr.missing(), allow_module_level=True)

#: How each document is scanned: file type and resolution (multi-page PDF and TIFF included).
FORMATS = {
    "protokollsutdrag-kommunstyrelsen-1998": (".tif", 300),
    "beslut-bygglov-tallbackavagen-1996": (".pdf", 300),
    "skrivelse-dagvattendamm-2001": (".png", 300),
    "tjansteutlatande-snorojning-1994": (".pdf", 200),
    "delegationsbeslut-fladdermus-2003": (".jpg", 250),
}
FERENDA_SCANS = ("pdfreader/scanned.pdf", "pdfreader/scanned-ecma-99.pdf")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """An archive of the scans, a blank scan and the ferenda scanned PDFs, ingested by
    the pipeline on two workers; the scans' paths by document name."""
    folder = tmp_path_factory.mktemp("scans")
    files = {}
    for document in DOCUMENTS:
        suffix, dpi = FORMATS[document.name]
        images = scans(document, dpi=dpi)
        files[document.name] = save(images, folder / f"{document.name}{suffix}", dpi=dpi)
    blank = degrade(Image.new("L", (1654, 2339), 255), seed=5, dpi=200)
    files["blank"] = save([blank], folder / "tom-skanning.png", dpi=200)
    ferenda = [require_shared(f"testdata/swedish-gov/ferenda/{name}") for name in FERENDA_SCANS]
    home = tmp_path_factory.mktemp("ocr-archive") / "arkiv"
    report = index_paths(home, [folder, *ferenda], registry_dir=CORPUS, workers=2)
    assert report.counts["new"] == len(files) + len(ferenda), report.failures
    assert report.ocr_pages == sum(len(d.pages) for d in DOCUMENTS) + 1 + 4
    return home, files


def _document(home: Path, path: Path):  # noqa: ANN202 - a catalog Document
    with Catalog(home, readonly=True) as catalog:
        return catalog.get_by_path(str(path.resolve()))


def test_word_recall_of_scans_in_every_format(scanned: tuple[Path, dict[str, Path]]) -> None:
    """≥ 0.95 of the source words on average, ≥ 0.85 in each file; text per page."""
    home, files = scanned
    recalls = {}
    for document in DOCUMENTS:
        doc = _document(home, files[document.name])
        assert len(doc.page_starts) == len(document.pages)
        source = tokens("\n".join(document.pages))
        recalls[document.name] = matched_words(source, tokens(doc.text)) / len(source)
        origin = doc.text_origin()
        assert origin["text_source"] == ["ocr"] * len(document.pages)
        assert 0.5 < origin["ocr_confidence"] <= 1 and origin["ocr_status"] == "done"
        assert not doc.get("needs_ocr")
        if document.name == "beslut-bygglov-tallbackavagen-1996":  # its heading is set larger
            assert doc.get("title") == "Beslut om bygglov för garage och förråd"
    assert min(recalls.values()) >= 0.85, recalls
    assert sum(recalls.values()) / len(recalls) >= 0.95, recalls


def test_a_rare_word_of_each_scan_finds_it(scanned: tuple[Path, dict[str, Path]]) -> None:
    home, files = scanned
    for document in DOCUMENTS:
        results = search(home, Query(text=document.rare_word))
        ids = [hit.id for hit in results.hits]
        assert _document(home, files[document.name]).id in ids, document.rare_word


def test_the_ferenda_scanned_pdfs_get_text(scanned: tuple[Path, dict[str, Path]]) -> None:
    home, _files = scanned
    expected = {"scanned.pdf": ("proposition", "skattetillägg"),
                "scanned-ecma-99.pdf": ("flexible", "cartridges")}
    for name in FERENDA_SCANS:
        doc = _document(home, require_shared(f"testdata/swedish-gov/ferenda/{name}"))
        assert doc.text_origin()["text_source"] == ["ocr", "ocr"]
        words = set(tokens(doc.text))
        assert set(expected[Path(name).name]) <= words, name
        assert len(words) > 100


def test_document_page_and_json_say_the_text_is_ocr(scanned: tuple[Path, dict[str, Path]]) -> None:
    home, files = scanned
    client = create_app({"ARKIV_HOME": str(home)}).test_client()
    doc = _document(home, files["beslut-bygglov-tallbackavagen-1996"])
    html = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "Texten är framtagen med textigenkänning (OCR)" in html
    english = client.get(f"/documents/{doc.id}?lang=en").get_data(as_text=True)
    assert "produced by optical character recognition (OCR)" in english
    data = client.get(f"/api/documents/{doc.id}").get_json()
    assert data["text_source"] == ["ocr"] and 0.5 < data["ocr_confidence"] <= 1

    shown = subprocess.run(
        [str(Path(sys.executable).parent / "arkiv"), "--home", str(home), "show", doc.id, "--json"],
        capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(shown.stdout)["text_source"] == ["ocr"]


def test_an_empty_scan_says_why_it_is_empty(scanned: tuple[Path, dict[str, Path]]) -> None:
    home, files = scanned
    doc = _document(home, files["blank"])
    assert doc.text.strip() == "" and doc.text_origin()["ocr_status"] == "done"
    html = create_app({"ARKIV_HOME": str(home)}).test_client().get(
        f"/documents/{doc.id}").get_data(as_text=True)
    assert "textigenkänningen (OCR) hittade ingen text" in html


def test_originals_are_shown_inline(scanned: tuple[Path, dict[str, Path]]) -> None:
    """A PDF opens in the browser (at a page), an image too; the download stays."""
    home, files = scanned
    client: FlaskClient = create_app({"ARKIV_HOME": str(home)}).test_client()
    for name, mimetype in (("beslut-bygglov-tallbackavagen-1996", "application/pdf"),
                           ("skrivelse-dagvattendamm-2001", "image/png")):
        doc = _document(home, files[name])
        response = client.get(f"/documents/{doc.id}/original")
        assert response.mimetype == mimetype
        assert response.headers["Content-Disposition"].startswith("inline")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "script-src" not in response.headers["Content-Security-Policy"]
        assert response.data == files[name].read_bytes()
        download = client.get(f"/documents/{doc.id}/original?download=1")
        assert download.headers["Content-Disposition"].startswith("attachment")
        html = client.get(f"/documents/{doc.id}").get_data(as_text=True)
        assert "Visa original" in html and "Ladda ner original" in html


def test_born_digital_pages_keep_their_text_scanned_ones_are_read(tmp_path: Path) -> None:
    """A PDF with a typed page and a scanned one: only the scanned page is OCRed."""
    document = DOCUMENTS[2]
    scan = scans(document, dpi=200)[0]
    path = tmp_path / "blandad.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawString(72, 760, "Missiv: bifogad skrivelse inkom till miljönämnden den 3 maj 2001.")
    pdf.showPage()
    pdf.drawImage(ImageReader(scan), 0, 0, *A4)
    pdf.showPage()
    pdf.save()

    result = extract(path)
    assert result.text_sources == ["text", "ocr"]
    assert result.pages[0].startswith("Missiv: bifogad skrivelse inkom")
    source = tokens(document.pages[0])
    assert matched_words(source, tokens(result.pages[1])) / len(source) >= 0.85


def _arkiv(home: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path if path is not None else os.environ["PATH"]}
    return subprocess.run([str(Path(sys.executable).parent / "arkiv"), "--home", str(home), *args],
                          capture_output=True, text=True, env=env, cwd=ROOT)


def test_without_tesseract_files_are_flagged_and_read_later(tmp_path: Path) -> None:
    """Tesseract missing: ingested as before, flagged, one line saying what to install;
    `reindex --reextract --only-needs-ocr` reads them once it is there."""
    folder = tmp_path / "in"
    document = DOCUMENTS[4]
    save(scans(document, dpi=200), folder / "delegationsbeslut.png", dpi=200)
    (folder / "anteckning.txt").write_text("Anteckning om fladdermöss.\n", encoding="utf-8")
    home = tmp_path / "arkiv"

    missing = _arkiv(home, "index", "--progress", "none", str(folder), path=str(tmp_path / "bin"))
    assert missing.returncode == 0, missing.stderr
    assert "Traceback" not in missing.stderr
    lines = [line for line in missing.stderr.splitlines() if "need OCR" in line]
    assert lines == ["1 files need OCR: Tesseract is not installed (apt-get install tesseract-ocr "
                     "tesseract-ocr-swe tesseract-ocr-eng); then run 'arkiv reindex --reextract "
                     "--only-needs-ocr'"]
    with Catalog(home, readonly=True) as catalog:
        doc = catalog.get_by_path(str((folder / "delegationsbeslut.png").resolve()))
        assert doc.get("needs_ocr") and doc.text_origin()["ocr_status"] == "unavailable"
        assert catalog.stats()["needs_ocr"] == 1
    html = create_app({"ARKIV_HOME": str(home)}).test_client().get(
        f"/documents/{doc.id}").get_data(as_text=True)
    assert "textigenkänning (OCR) saknas på servern" in html

    again = _arkiv(home, "reindex", "--reextract", "--only-needs-ocr", "--progress", "none")
    assert again.returncode == 0, again.stderr
    with Catalog(home, readonly=True) as catalog:
        assert catalog.stats()["needs_ocr"] == 0
        doc = catalog.get(doc.id)
        assert document.rare_word.casefold() in tokens(doc.text)
    assert doc.id in [hit.id for hit in search(home, Query(text=document.rare_word)).hits]


def test_ocr_never_leaves_scans_unread(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    save(scans(DOCUMENTS[1], dpi=200), folder / "bygglov.pdf", dpi=200)
    result = _arkiv(tmp_path / "arkiv", "index", "--ocr", "never", "--progress", "none", str(folder))
    assert result.returncode == 0, result.stderr
    assert "1 files need OCR: OCR is off: --ocr=never" in result.stderr
    bad = _arkiv(tmp_path / "arkiv", "index", "--ocr", "sometimes", str(folder))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def _sleep_in_budget(seconds: float) -> float:
    with separate_budget(seconds=1.0 if seconds > 2 else 5.0):
        time.sleep(seconds)
    return seconds


def test_a_page_budget_pauses_the_file_time_limit() -> None:
    """A step on its own budget may outlast the task's time limit; one that overruns
    its own budget is stopped, and the worker goes on with the next task."""
    with WorkerPool(_sleep_in_budget, workers=1, timeout=1.0) as pool:
        results = {r.key: r for r in pool.map_unordered([("long page", 1.5), ("stuck", 4.0),
                                                         ("next", 0.1)])}
    assert results["long page"].error is None and results["long page"].value == 1.5
    assert "overran its own time limit" in (results["stuck"].error or "")
    assert results["next"].error is None


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".pdf", ".tif", ".png", ".jpg"])
def test_every_scan_in_every_format(tmp_path: Path, suffix: str) -> None:
    """All documents in one format at 300 dpi, each page ≥ 0.85 recall (make stress)."""
    for document in DOCUMENTS:
        images = scans(document, dpi=300)
        path = save(images if suffix in (".pdf", ".tif") else images[:1],
                    tmp_path / f"{document.name}{suffix}")
        result = extract(path)
        for page, text in zip(result.pages, document.pages, strict=False):
            source = tokens(text)
            assert matched_words(source, tokens(page)) / len(source) >= 0.85, (path.name, page)


def test_render_page_fits_the_source_on_a4() -> None:
    for document in DOCUMENTS:
        for text in document.pages:
            assert render_page(text, dpi=100).size == (827, 1169)
