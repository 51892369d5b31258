"""Hostile and broken files: each ends ingested or failed with a one-line reason in the
ingest log, the batch finishes, and nothing already in the archive changes."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import CORPUS, require_shared
from reliability import ARKIV, arkiv_env, assert_intact, one_line_errors, snapshot

import indexer.extract.text
from archive.catalog import Catalog
from indexer.pipeline import DEFAULT_MEMORY_MB, FileOutcome, IndexReport, index_paths

REAL_PDF = CORPUS / "skarholmen-tjansteutlatande-trygg-i-skarholmen-2019.pdf"
GOOD_TEXT = "Kommunstyrelsen i Lund beslutade om nya riktlinjer för äldreomsorgen.\n"
#: A batch of broken files must be done well within this (the hang is cut at 2 s).
BATCH_SECONDS = 90


@pytest.fixture
def archive(tmp_path: Path, corpus_home: Path) -> Path:
    """A private copy of the corpus archive: documents that must come through unchanged."""
    home = tmp_path / "home"
    shutil.copytree(corpus_home, home)
    return home


def check_outcomes(home: Path, report: IndexReport, files: list[Path]) -> dict[str, FileOutcome]:
    """Every file has one outcome: ingested with a document, or failed with a one-line
    reason that the ingest log (``arkiv failures``) lists too."""
    by_path = {o.path: o for o in report.outcomes}
    assert sorted(by_path) == sorted(str(p.resolve()) for p in files)
    with Catalog(home, readonly=True) as catalog:
        logged = {path: reason for path, reason, _at in catalog.failures()}
        for path, outcome in by_path.items():
            if outcome.status == "failed":
                assert outcome.reason and "\n" not in outcome.reason, outcome
                assert "Traceback" not in outcome.reason
                assert logged[path] == outcome.reason
            else:
                assert outcome.status == "new", outcome
                doc = catalog.get_by_path(path)
                assert doc is not None and doc.id == outcome.document_id
                assert catalog.original_path(doc.sha256).read_bytes() == Path(path).read_bytes()
    return {Path(p).name: o for p, o in by_path.items()}


def assert_unchanged(before: dict[str, dict], after: dict[str, dict]) -> None:
    for doc_id, doc in before.items():
        assert after[doc_id] == doc, f"document {doc_id} changed"


def test_every_torture_pdf_is_ingested_or_fails_with_a_reason(archive: Path) -> None:
    folder = require_shared("testdata/pdf-torture")
    pdfs = sorted(folder.rglob("*.pdf"))
    assert len(pdfs) > 100
    before = snapshot(archive)
    started = time.monotonic()
    report = index_paths(archive, pdfs, timeout=20, workers=2)
    assert time.monotonic() - started < 240
    outcomes = check_outcomes(archive, report, pdfs)
    failed = [o for o in outcomes.values() if o.status == "failed"]
    # Most torture PDFs hold text; the encrypted ones say so.
    assert report.counts["new"] >= 0.7 * len(pdfs)
    assert any("encrypted" in o.reason for o in failed)
    after = assert_intact(archive)
    assert_unchanged(before, after)


def _slow_text_extract(real):  # noqa: ANN001, ANN202 - wraps an extractor
    def extract(path: Path):  # noqa: ANN202
        if path.name == "haenger.txt":  # a parser that never returns
            time.sleep(3600)
        return real(path)

    return extract


def test_broken_files_fail_with_one_line_reasons_and_change_nothing(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(6)
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    pdf = REAL_PDF.read_bytes()
    files = {
        "tom.txt": b"",
        "tom.pdf": b"",
        "halv.pdf": pdf[: len(pdf) // 2],  # a real PDF cut in half
        "brus.pdf": rng.randbytes(20_000),  # random bytes named .pdf
        "falsk.pdf": b"%PDF-1.7\n" + rng.randbytes(20_000),  # a header and then noise
        "nul.txt": b"\x00" * 5000,
        "stor.txt": GOOD_TEXT.encode() * 30_000,  # 2 MB, over the 1 MB limit below
        "haenger.txt": GOOD_TEXT.encode(),  # its extractor hangs (see _slow_text_extract)
        "ok.txt": GOOD_TEXT.encode(),
    }
    for name, data in files.items():
        (inbox / name).write_bytes(data)
    os.mkfifo(inbox / "ror.txt")  # a named pipe: reading it blocks for ever
    (inbox / "borta.txt").symlink_to(tmp_path / "finns-inte.txt")
    monkeypatch.setattr(
        indexer.extract.text, "extract", _slow_text_extract(indexer.extract.text.extract)
    )
    before = snapshot(archive)

    started = time.monotonic()
    report = index_paths(archive, [inbox], timeout=2, workers=2, max_file_mb=1)
    assert time.monotonic() - started < BATCH_SECONDS

    outcomes = check_outcomes(archive, report, [*inbox.iterdir()])
    reasons = {name: o.reason for name, o in outcomes.items()}
    assert outcomes["ok.txt"].status == "new"  # the batch went on past every bad file
    assert reasons == {
        "ok.txt": None,
        "tom.txt": "empty file",
        "tom.pdf": "empty file",
        "halv.pdf": reasons["halv.pdf"],  # pdfium may or may not recover half a PDF
        "brus.pdf": "not a PDF: no PDF header (binary content)",
        "falsk.pdf": reasons["falsk.pdf"],
        "nul.txt": "not text: binary content",
        "stor.txt": "file too large (2 MB; limit 1 MB)",
        "haenger.txt": "timed out after 2 s",
        "ror.txt": "not a regular file",
        "finns-inte.txt": "No such file or directory",  # borta.txt's target
    }
    assert outcomes["falsk.pdf"].status == "failed"
    assert outcomes["halv.pdf"].status in ("new", "failed")
    after = assert_intact(archive)
    assert_unchanged(before, after)


def test_a_named_pipe_in_a_folder_does_not_hang_arkiv_index(tmp_path: Path) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    os.mkfifo(inbox / "x.txt")
    (inbox / "ok.txt").write_text(GOOD_TEXT, encoding="utf-8")
    result = subprocess.run(
        [ARKIV, "index", "--progress", "none", str(inbox)], capture_output=True, text=True,
        env=arkiv_env(tmp_path / "home"), timeout=120, check=False,
    )
    assert result.returncode == 1
    assert f"failed: {inbox / 'x.txt'}: not a regular file" in one_line_errors(result.stderr)
    assert "1 new" in result.stderr


def test_deeply_nested_html_is_ingested(archive: Path, tmp_path: Path) -> None:
    depth = 100_000
    page = tmp_path / "djup.html"
    page.write_text(
        "<html><body>" + "<div>" * depth + "Djupt inne står beslutet om socialnämnden."
        + "</div>" * depth + "</body></html>",
        encoding="utf-8",
    )
    report = index_paths(archive, [page], timeout=60)
    outcome = check_outcomes(archive, report, [page])["djup.html"]
    assert outcome.status == "new"
    with Catalog(archive, readonly=True) as catalog:
        assert "Djupt inne står beslutet" in catalog.get_by_path(page).text


ENCODINGS_TEXT = "Kommunstyrelsen i Göteborg beslutade att införa nya riktlinjer. " * 20


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ebcdic.txt", ENCODINGS_TEXT.encode("cp500")),
        ("shift-jis.txt", ("東京都の議会は新しい予算を承認しました。" * 30).encode("shift_jis")),
        ("hoga-bytes.txt", random.Random(3).randbytes(3000).translate(bytes(range(128, 256)) * 2)),
    ],
)
def test_text_in_an_unknown_encoding_is_ingested_8_bit_without_crashing(
    archive: Path, tmp_path: Path, name: str, data: bytes
) -> None:
    """Decided: a text in an encoding Arkiv does not read (EBCDIC, Shift-JIS, noise in
    the high half) is not refused; it is read as 8-bit text (the encoding is recorded,
    the text is printable, never a crash), and its original is kept byte for byte, so
    a re-extraction can read it properly once an extractor knows the encoding."""
    path = tmp_path / name
    path.write_bytes(data)
    report = index_paths(archive, [path])
    outcome = check_outcomes(archive, report, [path])[name]
    assert outcome.status == "new"
    with Catalog(archive, readonly=True) as catalog:
        doc = catalog.get_by_path(path)
    assert doc.get("encoding") in ("cp1252", "iso-8859-1")
    assert doc.text.strip()
    controls = [c for c in doc.text if c not in "\n\t" and (ord(c) < 32 or 0x7F <= ord(c) < 0xA0)]
    assert controls == []


# -- stress: a 200 MB text file, memory bounded -------------------------------------


def _tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


@pytest.mark.slow
def test_a_200_mb_text_file_keeps_memory_bounded(archive: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    big = inbox / "stor.txt"
    line = ("Socialnämnden i Göteborg beslutade att utreda äldreomsorgen och budgeten. " * 4)
    block = (line + "\n").encode() * 2000
    with open(big, "wb") as out:
        while out.tell() < 200 * 1024 * 1024:
            out.write(block)
    (inbox / "ok.txt").write_text(GOOD_TEXT, encoding="utf-8")
    before = snapshot(archive)

    started = time.monotonic()
    process = subprocess.Popen(
        [ARKIV, "index", "--progress", "none", str(inbox)], stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, env=arkiv_env(archive),
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss_kb(process.pid))
        assert time.monotonic() - started < 600, "arkiv index did not finish"
        time.sleep(0.05)
    stderr = process.stderr.read()  # type: ignore[union-attr]
    print(f"200 MB text: {stderr.strip()!r}; peak RSS of the process tree {peak // 1024} MB")

    # Either outcome is fine, but with a reason, and within the worker's memory cap.
    assert peak < (DEFAULT_MEMORY_MB + 768) * 1024
    errors = one_line_errors(stderr)
    assert process.returncode in (0, 1)
    assert all(line.startswith(f"failed: {big}: ") for line in errors)
    with Catalog(archive, readonly=True) as catalog:
        assert catalog.get_by_path(inbox / "ok.txt") is not None
        ingested = catalog.get_by_path(big) is not None
        failed = {p for p, _r, _at in catalog.failures()}
    assert ingested != (str(big) in failed)
    assert_unchanged(before, assert_intact(archive))
