"""Ingest: real folders in, a safe and incremental archive out."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS

from archive.catalog import Catalog
from indexer.pipeline import index_paths


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of corpus/ that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def test_corpus_ingests_completely_and_a_rerun_does_nothing(corpus_copy: Path, home: Path) -> None:
    documents = [p for p in corpus_copy.iterdir() if p.suffix != ".toml"]
    report = index_paths(home, [corpus_copy], registry_dir=corpus_copy)
    assert report.failures == []
    assert report.counts["new"] == len(documents)

    again = index_paths(home, [corpus_copy], registry_dir=corpus_copy)
    assert again.counts == {"new": 0, "updated": 0, "unchanged": len(documents), "failed": 0}

    with Catalog(home) as catalog:
        for path in documents:
            doc = catalog.get_by_path(path)
            assert doc is not None, path
            assert doc.text.strip(), f"{path.name} has no text"
            assert catalog.original_path(doc.sha256).read_bytes() == path.read_bytes()


def test_touched_but_identical_file_is_unchanged(corpus_copy: Path, home: Path) -> None:
    path = corpus_copy / "sollentuna-artikel-internationalisera-mera.txt"
    index_paths(home, [path])
    os.utime(path, (1, 1))
    report = index_paths(home, [path])
    assert report.counts["unchanged"] == 1


def test_edited_file_becomes_a_new_version_and_keeps_the_old(corpus_copy: Path, home: Path) -> None:
    path = corpus_copy / "sollentuna-artikel-internationalisera-mera.txt"
    index_paths(home, [path])
    original_text = path.read_text(encoding="utf-8")
    path.write_text(original_text + "\nTillägg: brukarrådet utvärderas 2025.\n", encoding="utf-8")
    report = index_paths(home, [path])
    assert report.counts["updated"] == 1
    with Catalog(home) as catalog:
        versions = catalog.versions(str(path))
        assert [v for v, _, _ in versions] == [1, 2]
        old = catalog.get(versions[0][1])
        new = catalog.get(versions[1][1])
        assert "brukarrådet utvärderas" in new.text
        assert "brukarrådet utvärderas" not in old.text
        assert old.superseded_by == new.id
        assert catalog.original_path(old.sha256).read_text(encoding="utf-8") == original_text


def test_bad_files_fail_with_a_reason_and_the_batch_goes_on(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "inkorg"
    folder.mkdir()
    (folder / "tom.txt").write_bytes(b"")
    (folder / "trasig.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    (folder / "brus.pdf").write_bytes(os.urandom(4000))
    (folder / "beslut.txt").write_text("Kommunstyrelsen beslutade om nya riktlinjer.", encoding="utf-8")
    report = index_paths(home, [folder, tmp_path / "finns-inte"])
    by_name = {Path(o.path).name: o for o in report.outcomes}
    assert by_name["beslut.txt"].status == "new"
    for name in ("tom.txt", "trasig.pdf", "brus.pdf", "finns-inte"):
        assert by_name[name].status == "failed", name
        assert by_name[name].reason and "\n" not in by_name[name].reason
    assert "empty" in by_name["tom.txt"].reason
    with Catalog(home) as catalog:
        failed = {Path(p).name for p, _, _ in catalog.failures()}
        assert failed == {"tom.txt", "trasig.pdf", "brus.pdf", "finns-inte"}
        assert catalog.count() == 1
        # Only the archived document's original is kept, not copies of the failed files.
        kept = [p for p in (home / "originals").rglob("*") if p.is_file()]
        assert [p.name for p in kept] == [catalog.get(by_name["beslut.txt"].document_id).sha256]


def test_failed_file_leaves_earlier_version_intact(corpus_copy: Path, home: Path) -> None:
    path = corpus_copy / "sollentuna-artikel-internationalisera-mera.txt"
    index_paths(home, [path])
    path.write_bytes(b"")
    report = index_paths(home, [path])
    assert report.counts["failed"] == 1
    with Catalog(home) as catalog:
        doc = catalog.get_by_path(path)
        assert doc is not None and "Sollentuna" in doc.text


def test_same_file_twice_is_one_document(corpus_copy: Path, home: Path, tmp_path: Path) -> None:
    source = corpus_copy / "sollentuna-artikel-internationalisera-mera.txt"
    copy = tmp_path / "kopia.txt"
    shutil.copy(source, copy)
    report = index_paths(home, [source, copy])
    assert report.counts["new"] == 2
    with Catalog(home) as catalog:
        assert catalog.get_by_path(copy).id == catalog.get_by_path(source).id
        assert catalog.count() == 1


def test_two_renderings_of_one_report_are_grouped(corpus_copy: Path, home: Path) -> None:
    raw = corpus_copy / "stockholm-europaforum-rapport-2004-pdftext.txt"
    clean = corpus_copy / "stockholm-europaforum-tjansteutlatande-2004.txt"
    index_paths(home, [raw, clean], registry_dir=corpus_copy)
    with Catalog(home) as catalog:
        raw_doc, clean_doc = catalog.get_by_path(raw), catalog.get_by_path(clean)
        assert raw_doc.duplicate_of == clean_doc.id
        assert clean_doc.duplicate_of is None
        assert raw_doc.get("dnr") == "115-239/2002"
        assert catalog.renderings(clean_doc.id) == [raw_doc.id]


def test_unchanged_failed_file_is_not_retried_until_asked(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    broken = folder / "trasig.pdf"
    broken.write_bytes(b"%PDF-1.4\nbroken")
    assert index_paths(home, [folder]).counts["failed"] == 1

    again = index_paths(home, [folder])
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 1, "failed": 0}
    assert len(again.failed_before) == 1
    with Catalog(home) as catalog:  # still listed as a failure for staff
        assert [Path(p).name for p, _, _ in catalog.failures()] == ["trasig.pdf"]

    assert index_paths(home, [folder], retry_failed=True).counts["failed"] == 1

    broken.write_text("Nu är filen lagad: kommunfullmäktige beslutade.", encoding="utf-8")
    fixed = index_paths(home, [folder])
    assert fixed.counts["new"] == 1 and fixed.failed_before == []
    with Catalog(home) as catalog:
        assert catalog.failures() == []


def test_index_syncs_during_a_run_leave_a_complete_index(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive.engine import Index, Searcher
    from archive.engine.files import open_generation
    from archive.query import Query
    from indexer import pipeline

    monkeypatch.setattr(pipeline, "INDEX_SYNC_SECONDS", 0.0)  # a sync whenever none is running
    report = index_paths(home, [CORPUS], workers=2)
    assert report.counts["failed"] == 0
    index = Index(home)
    ix = open_generation(index.current())
    assert len(ix._segments()) > 1  # segments written while the run went on, then the last
    with Catalog(home, readonly=True) as catalog:
        assert index.seq == catalog.max_seq()
        assert Searcher(home).search(Query(page_size=1)).total == catalog.count()
