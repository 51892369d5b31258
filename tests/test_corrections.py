"""Staff corrections: they override extraction, survive reindex and re-extraction, follow a
changed file to its new version, and every change is in the audit log."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS

from archive import corrections
from archive.backup import export_archive, import_archive
from archive.catalog import Catalog
from archive.engine import Searcher
from archive.query import Query
from indexer.pipeline import index_paths, reindex

ARKIV = str(Path(sys.executable).with_name("arkiv"))
PROTOKOLL = "lerum-byggnadsnamnden-protokoll-2024-04-18.txt"
REPORT_CLEAN = "stockholm-europaforum-tjansteutlatande-2004.txt"
REPORT_RAW = "stockholm-europaforum-rapport-2004-pdftext.txt"


@pytest.fixture
def archive(home: Path, tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (PROTOKOLL, REPORT_CLEAN, REPORT_RAW):
        shutil.copy(CORPUS / name, folder / name)
    (folder / "nyhetsbrev.txt").write_text(
        "Nyhetsbrev från stadsdelsförvaltningen\n\nUnder arbetsnamnet ”Öppna Dörrar” "
        "planeras läxhjälp. Under arbetsnamnet ”Trygga Gårdar” planeras nattvandring.\n", encoding="utf-8")
    report = index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    assert not report.failures
    return home, folder


def _doc(catalog: Catalog, folder: Path, name: str):
    return catalog.get_by_path(str((folder / name).resolve()))


def _search(home: Path, **filters) -> list[str]:
    searcher = Searcher(home)
    try:
        return [h.id for h in searcher.search(Query(**filters, page_size=100)).hits]
    finally:
        searcher.close()


def test_a_correction_overrides_extraction_and_survives_reextraction(archive) -> None:
    home, folder = archive
    with Catalog(home) as catalog:
        doc = _doc(catalog, folder, PROTOKOLL)
        extracted = doc.get("decision_date")
        changed = corrections.correct(
            catalog, doc.id,
            {"decision_date": "2023-11-02", "committee": "Miljönämnden", "title": doc.get("title")},
            "anna",
        )
        assert changed == ["decision_date", "committee"]  # an unchanged title is no change
        assert corrections.sync_index_if_idle(home)
    assert doc.id in _search(home, year=["2023"], committee=["Miljönämnden"])
    assert doc.id not in _search(home, year=["2024"])

    reindex(home, reextract=True, registry_dir=CORPUS, workers=1)
    reindex(home)
    with Catalog(home, readonly=True) as catalog:
        again = catalog.get(doc.id)
        assert again.get("decision_date") == "2023-11-02"
        assert again.get("committee") == "Miljönämnden"
        # extraction itself is kept: a revert brings it back
        assert catalog.own_metadata(doc.id)["decision_date"] == extracted
        log = corrections.audit_log(catalog, doc.id)
    assert [(e.action, e.field, e.before, e.after, e.by_user) for e in reversed(log)] == [
        ("corrected", "decision_date", extracted, "2023-11-02", "anna"),
        ("corrected", "committee", doc.get("committee"), "Miljönämnden", "anna"),
    ]
    assert doc.id in _search(home, year=["2023"], committee=["Miljönämnden"])


def test_a_revert_brings_back_what_extraction_found(archive) -> None:
    home, folder = archive
    with Catalog(home) as catalog:
        doc = _doc(catalog, folder, PROTOKOLL)
        corrections.correct(catalog, doc.id, {"topics": ["bygglov", "strandskydd"]}, "anna")
        assert catalog.get(doc.id).get("topics") == ["bygglov", "strandskydd"]
        assert corrections.revert(catalog, doc.id, "topics", "bo")
        assert not corrections.revert(catalog, doc.id, "topics", "bo")
        assert catalog.get(doc.id).get("topics") == doc.get("topics")
        assert corrections.corrected_fields(catalog, doc.id) == {}
        assert corrections.audit_log(catalog, doc.id)[0].action == "reverted"


def test_a_correction_holds_for_every_rendering_of_a_document(archive) -> None:
    home, folder = archive
    with Catalog(home) as catalog:
        clean, raw = _doc(catalog, folder, REPORT_CLEAN), _doc(catalog, folder, REPORT_RAW)
        assert set(catalog.group_of(clean.id)) == {clean.id, raw.id}  # one report, two files
        shown = clean.id if clean.duplicate_of is None else raw.id
        corrections.correct(catalog, shown, {"dnr": "KS 2004/999"}, "anna")
    reindex(home, reextract=True, registry_dir=CORPUS, workers=1)
    with Catalog(home, readonly=True) as catalog:
        for doc_id in (clean.id, raw.id):
            assert catalog.get(doc_id).get("dnr") == "KS 2004/999"


def test_a_changed_file_keeps_its_corrections(archive) -> None:
    home, folder = archive
    path = folder / PROTOKOLL
    with Catalog(home) as catalog:
        old = _doc(catalog, folder, PROTOKOLL)
        corrections.correct(catalog, old.id, {"city": "Alingsås"}, "anna")
    path.write_text(path.read_text(encoding="utf-8") + "\nJusterat i efterhand.\n",
                    encoding="utf-8")
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    with Catalog(home, readonly=True) as catalog:
        new = _doc(catalog, folder, PROTOKOLL)
        assert new.id != old.id
        assert new.get("city") == "Alingsås"
        assert corrections.audit_log(catalog, new.id)[0].action == "carried"
    assert new.id in _search(home, city=["Alingsås"])


def test_bad_values_change_nothing(archive) -> None:
    home, folder = archive
    with Catalog(home) as catalog:
        doc = _doc(catalog, folder, PROTOKOLL)
        with pytest.raises(corrections.CorrectionError, match="not a date"):
            corrections.correct(catalog, doc.id, {"title": "Ny", "decision_date": "18/4"}, "anna")
        with pytest.raises(corrections.CorrectionError, match="cannot be corrected"):
            corrections.correct(catalog, doc.id, {"sha256": "0"}, "anna")
        assert catalog.get(doc.id).get("title") == doc.get("title")
        assert corrections.audit_log(catalog, doc.id) == []


def test_project_candidates_are_confirmed_merged_or_rejected(archive) -> None:
    home, folder = archive
    with Catalog(home) as catalog:
        doc = _doc(catalog, folder, "nyhetsbrev.txt")
        first, *rest = corrections.open_candidates(catalog, doc.id)
        corrections.decide_candidate(catalog, doc.id, first, "confirmed", "anna")
        assert first in catalog.get(doc.id).get("projects")
        assert first not in corrections.open_candidates(catalog, doc.id)
        corrections.decide_candidate(catalog, doc.id, rest[0], "rejected", "anna")
        assert rest[0] not in catalog.get(doc.id).get("projects")
        assert corrections.open_candidates(catalog, doc.id) == []
        with pytest.raises(corrections.CorrectionError):
            corrections.decide_candidate(catalog, doc.id, "X", "merged", "anna")
        actions = [e.action for e in corrections.audit_log(catalog, doc.id)]
        assert "project-confirmed" in actions
    listed = subprocess.run([ARKIV, "--home", str(home), "projects", "--candidates"],
                            capture_output=True, text=True, check=True).stdout
    assert first not in listed and rest[0] not in listed  # decided: no longer a candidate


def test_corrections_and_their_log_survive_export_and_import(archive, tmp_path: Path) -> None:
    home, folder = archive
    with Catalog(home) as catalog:
        doc = _doc(catalog, folder, PROTOKOLL)
        corrections.correct(catalog, doc.id, {"committee": "Miljönämnden"}, "anna")
        export_archive(catalog, tmp_path / "backup.tar.gz")
    restored = tmp_path / "restored"
    with Catalog(restored) as catalog:
        import_archive(catalog, tmp_path / "backup.tar.gz")
    reindex(restored, reextract=True, registry_dir=CORPUS, workers=1)
    with Catalog(restored, readonly=True) as catalog:
        assert catalog.get(doc.id).get("committee") == "Miljönämnden"
        assert [e.action for e in corrections.audit_log(catalog, doc.id)] == ["corrected"]
