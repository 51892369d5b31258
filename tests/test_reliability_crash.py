"""Crash safety: ``kill -9`` of ``arkiv index`` and ``arkiv reindex`` loses nothing, and
``arkiv check`` verifies an archive and repairs what can be repaired."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from reliability import (
    COMMON_WORD,
    arkiv,
    assert_intact,
    document_count,
    group_members,
    kill_group,
    lock_is_free,
    one_line_errors,
    searchable_ids,
    snapshot,
    spawn_arkiv,
    unique_word,
    wait_for,
    write_documents,
)

from archive.catalog import Catalog, sha256_file
from archive.engine import CURRENT_FILE, PARALLEL_FROM, Index
from indexer.pipeline import index_paths

BASELINE = 20
#: Documents in the archive that the reindex and check tests copy.
ARCHIVED = 60
#: Startup, then one small document every few tens of milliseconds per worker.
KILL_WAIT_SECONDS = 120


def baseline_archive(home: Path, folder: Path, count: int = BASELINE) -> dict[str, dict]:
    """An archive of ``count`` generated documents, fully indexed: the last good state."""
    report = index_paths(home, write_documents(folder, count))
    assert report.counts["new"] == count
    return snapshot(home)


def assert_survived(home: Path, before: dict[str, dict]) -> dict[str, dict]:
    """After a kill: catalog, originals and locks intact, every earlier document as it
    was, and search answering (at least from the last good index)."""
    after = assert_intact(home)
    for doc_id, doc in before.items():
        assert after[doc_id] == doc, f"document {doc_id} changed"
    found = set(searchable_ids(home, COMMON_WORD))
    assert set(before) <= found
    return after


def index_then_kill(home: Path, inbox: Path, log: Path, at_least: int) -> None:
    """Start ``arkiv index inbox`` and kill -9 it (and its workers) once the catalog
    holds ``at_least`` documents."""
    process = spawn_arkiv(home, "index", "--progress", "none", "--workers", "2", str(inbox), log=log)
    try:
        wait_for(
            lambda: document_count(home) >= at_least or process.poll() is not None,
            timeout=KILL_WAIT_SECONDS, what=f"{at_least} documents in the catalog",
        )
        assert process.poll() is None, f"arkiv index ended before the kill: {log.read_text()}"
    finally:
        kill_group(process)


@pytest.mark.parametrize(
    ("count", "kill_points"),
    [
        (50, (8, 22, 38)),
        pytest.param(600, (5, 60, 150, 260, 380, 470, 505, 560, 590), marks=pytest.mark.slow,
                     id="stress"),
    ],
)
def test_kill_9_during_arkiv_index_loses_nothing_and_a_rerun_completes(
    tmp_path: Path, count: int, kill_points: tuple[int, ...]
) -> None:
    home = tmp_path / "home"
    before = baseline_archive(home, tmp_path / "bas")
    inbox = tmp_path / "inkorg"
    files = write_documents(inbox, count, start=BASELINE)
    total = BASELINE + len(files)

    for kill_at in kill_points:
        index_then_kill(home, inbox, tmp_path / f"index-{kill_at}.log", BASELINE + kill_at)
        after = assert_survived(home, before)
        assert BASELINE + kill_at <= len(after) < total
    search = arkiv(home, "search", "--json", unique_word(3))
    assert search.returncode == 0, search.stderr
    assert [hit["path"] for hit in json.loads(search.stdout)["hits"]] == [
        str(tmp_path / "bas" / "dok-00003.txt")
    ]

    # What the killed runs archived is not searchable yet: arkiv check says so and repairs it.
    archived = len(after)
    assert len(searchable_ids(home)) < archived
    code, report = check(home)
    assert code == 0 and report["ok"], report
    assert report["documents"] == report["originals_verified"] == archived
    assert [line for line in report["repaired"] if line.startswith("search index lagged")]
    assert len(searchable_ids(home)) == archived

    rerun = arkiv(home, "index", "--progress", "none", str(inbox))
    assert rerun.returncode == 0, rerun.stderr
    assert one_line_errors(rerun.stderr) == []
    final = assert_survived(home, before)
    assert len(final) == total  # every file once: nothing lost, nothing twice
    with Catalog(home, readonly=True) as catalog:
        assert catalog.stats()["paths"] == total
        for path in files:
            doc = catalog.get_by_path(path)
            assert doc is not None and doc.sha256 == sha256_file(path), path
    ids = searchable_ids(home)
    assert len(ids) == len(set(ids)) == total
    assert set(ids) == set(final)
    code, report = check(home)
    assert code == 0 and report["ok"] and report["documents"] == total


# -- reindex and arkiv check on a copy of one archive -------------------------------------------------------------------


@pytest.fixture(scope="module")
def checked_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("check")
    home = folder / "home"
    baseline_archive(home, folder / "bas", count=ARCHIVED)
    return home


@pytest.fixture
def copy(checked_archive: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(checked_archive, home)
    return home


def check(home: Path) -> tuple[int, dict]:
    result = arkiv(home, "check", "--json")
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


HANGING_INDEX = """
import sys, time
import indexer.extract.text as text
real = text.extract
def extract(path):
    if path.name == "haenger.txt":  # a parser that never returns
        time.sleep(3600)
    return real(path)
text.extract = extract
from indexer.pipeline import index_paths
index_paths(sys.argv[1], [sys.argv[2]], timeout=3600)
"""


def test_kill_9_of_arkiv_alone_frees_the_archive_even_with_a_worker_stuck(tmp_path: Path) -> None:
    """``kill -9 PID`` (not the process group) while a worker is stuck in a parser: the
    worker goes too, so the archive is not left "busy" by an orphan."""
    home, inbox = tmp_path / "home", tmp_path / "inkorg"
    write_documents(inbox, 1)
    (inbox / "haenger.txt").write_text("Kommunstyrelsen beslutade.", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-c", HANGING_INDEX, str(home), str(inbox)], start_new_session=True
    )
    try:
        wait_for(lambda: document_count(home) == 1, timeout=KILL_WAIT_SECONDS,
                 what="the good file archived while the other hangs")
        assert not lock_is_free(home / "write.lock")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        wait_for(lambda: not group_members(process.pid), timeout=10,
                 what="the stuck worker to end with its parent")
    finally:
        kill_group(process)
    assert_intact(home)
    result = arkiv(home, "index", "--progress", "none", "--timeout", "2", str(inbox))
    assert result.returncode == 0, result.stderr  # not "busy"; the real extractor reads it
    assert "1 new, 0 updated, 1 unchanged" in result.stderr


def reindex_then_kill(home: Path, log: Path, linger: float = 0.0) -> bool:
    """Start ``arkiv reindex`` and kill -9 it as soon as its new generation appears (or
    ``linger`` seconds later). True when the kill landed mid-rebuild (before the swap)."""
    index = Index(home)
    live = index.current()
    process = spawn_arkiv(home, "reindex", "--progress", "none", log=log)
    try:
        wait_for(
            lambda: any(g != live for g in index._generations()) or process.poll() is not None,
            timeout=KILL_WAIT_SECONDS, what="a new index generation", every=0.002,
        )
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=linger)
    finally:
        kill_group(process)
    return process.returncode != 0 and index.current() == live


def test_kill_9_during_arkiv_reindex_keeps_the_old_index(copy: Path, tmp_path: Path) -> None:
    home = copy
    before = snapshot(home)
    live = Index(home).current()

    kills = 0
    for attempt in range(10):
        if reindex_then_kill(home, tmp_path / f"reindex-{attempt}.log"):
            kills += 1
            assert Index(home).current() == live  # the old generation is still the live one
            assert_survived(home, before)
            if kills == 2:
                break
        live = Index(home).current()
    assert kills == 2, "no kill landed in the middle of a rebuild"

    # A half-built generation is left behind; the next writer removes it.
    result = arkiv(home, "reindex", "--progress", "none")
    assert result.returncode == 0, result.stderr
    assert f"index rebuilt: {ARCHIVED} documents" in result.stderr
    assert [g.name for g in Index(home)._generations()] == [Index(home).current().name]
    assert sorted(searchable_ids(home)) == sorted(before)
    assert_survived(home, before)


@pytest.mark.slow
def test_kill_9_at_random_points_of_a_parallel_rebuild(tmp_path: Path) -> None:
    """A catalog big enough for the parallel build (its worker processes die with it)."""
    home = tmp_path / "home"
    with Catalog(home) as catalog:  # straight into the catalog: only reindex is tested here
        for path in write_documents(tmp_path / "docs", PARALLEL_FROM + 500):
            text = path.read_text(encoding="utf-8")
            catalog.add_document(
                path=str(path), sha256=sha256_file(path), source=path, filename=path.name,
                content_type="text/plain", size=path.stat().st_size, text=text,
                page_starts=[0], metadata={"title": text.splitlines()[0], "language": "sv"},
            )
    assert arkiv(home, "reindex", "--progress", "none").returncode == 0
    before = snapshot(home)
    rng = random.Random(6)
    kept_old = 0
    for attempt in range(8):  # the crash points: random moments of the rebuild
        log = tmp_path / f"reindex-{attempt}.log"
        kept_old += reindex_then_kill(home, log, linger=rng.uniform(0, 4))
        assert_survived(home, before)
        assert len(searchable_ids(home, COMMON_WORD)) == len(before)
    assert kept_old >= 1, "no kill landed in the middle of a rebuild"
    result = arkiv(home, "reindex", "--progress", "none")
    assert result.returncode == 0, result.stderr
    assert sorted(searchable_ids(home)) == sorted(before)


def test_check_passes_on_a_sound_archive(copy: Path) -> None:
    result = arkiv(copy, "check")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        f"{ARCHIVED} documents, {ARCHIVED} originals verified", "archive is intact"
    ]


@pytest.mark.parametrize("damage", ["deleted", "garbage", "points-nowhere"])
def test_check_rebuilds_a_missing_or_broken_current_file(copy: Path, damage: str) -> None:
    current = copy / "index" / CURRENT_FILE
    if damage == "deleted":
        current.unlink()
    elif damage == "garbage":
        current.write_bytes(b"\x00\xff garbage")
    else:
        current.write_text("gen-9999\n")
    assert searchable_ids(copy) == []  # search has no index now …
    code, report = check(copy)
    assert code == 0 and report["ok"]
    assert report["repaired"] == ["search index was missing or outdated: rebuilt"]
    assert len(searchable_ids(copy)) == ARCHIVED  # … and answers again


def test_check_removes_interrupted_copies_of_originals(copy: Path) -> None:
    shard = next((copy / "originals").iterdir())
    leftover = shard / ".incoming-x1y2z3"
    leftover.write_bytes(b"half a file")
    code, report = check(copy)
    assert code == 0 and report["ok"]
    assert report["repaired"] == ["removed an interrupted copy: .incoming-x1y2z3"]
    assert not leftover.exists()


def test_check_brings_a_lagging_index_up_to_date(copy: Path, tmp_path: Path) -> None:
    (path,) = write_documents(tmp_path / "ny", 1, start=500)
    with Catalog(copy) as catalog:  # archived, but the index was never told (a crash)
        catalog.add_document(
            path=str(path), sha256=sha256_file(path), source=path, filename=path.name,
            content_type="text/plain", size=path.stat().st_size, text=path.read_text(),
            page_starts=[0], metadata={"title": "Ny", "language": "sv"},
        )
    assert searchable_ids(copy, unique_word(500)) == []
    code, report = check(copy)
    assert code == 0 and report["ok"]
    assert report["repaired"] == ["search index lagged the catalog: 1 documents updated"]
    assert len(searchable_ids(copy, unique_word(500))) == 1


def test_check_rebuilds_an_index_whose_files_are_damaged(copy: Path) -> None:
    generation = Index(copy).current()
    damaged = [f for f in generation.glob("MAIN_*") if f.is_file() and f.stat().st_size > 1]
    assert damaged
    for segment in damaged:  # every file of the segments cut in half (a torn disk write)
        segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])
    code, report = check(copy)
    assert code == 0 and report["ok"], report
    assert len(report["repaired"]) == 1 and report["repaired"][0].endswith("rebuilt")
    assert len(searchable_ids(copy)) == ARCHIVED


@pytest.mark.parametrize("damage", ["corrupt", "missing"])
def test_check_names_the_document_whose_original_is_damaged(copy: Path, damage: str) -> None:
    with Catalog(copy, readonly=True) as catalog:
        doc = list(catalog.iter_documents(with_text=False))[7]
        original = catalog.original_path(doc.sha256)
    if damage == "corrupt":
        data = bytearray(original.read_bytes())
        data[len(data) // 2] ^= 0x01  # one flipped bit, same size
        original.chmod(0o644)
        original.write_bytes(bytes(data))
    else:
        original.unlink()
    result = arkiv(copy, "check")
    assert result.returncode == 1
    assert f"problem: original {damage} for document {doc.id} ({doc.path})" in result.stderr
    assert result.stderr.splitlines()[-1] == "archive has problems"
    assert one_line_errors(result.stderr) == []
