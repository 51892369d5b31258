"""The arkiv command as an administrator's script sees it: exit codes, one-line errors, JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS

from archive.models import DOCUMENT_FIELDS

ARKIV = str(Path(sys.executable).parent / "arkiv")


def arkiv(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARKIV_HOME": str(home)}
    env.pop("ARKIV_DEBUG", None)
    return subprocess.run(
        [ARKIV, *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli") / "home"
    result = arkiv(home, "index", "--registry", str(CORPUS), "--progress", "none", str(CORPUS))
    assert result.returncode == 0, result.stderr
    return home


def test_index_reports_counts_and_rerun_is_unchanged(indexed: Path) -> None:
    result = arkiv(indexed, "index", "--progress", "none", str(CORPUS))
    assert result.returncode == 0
    assert "0 new, 0 updated" in result.stderr and "0 failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_index_with_a_bad_file_exits_1_and_lists_it(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ok.txt").write_text("Socialnämnden beslutade.", encoding="utf-8")
    (tmp_path / "in" / "broken.pdf").write_bytes(b"%PDF-1.7\nnot really")
    result = arkiv(tmp_path / "home", "index", "--progress", "none", str(tmp_path / "in"))
    assert result.returncode == 1
    assert "1 new" in result.stderr and "1 failed" in result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1 and "broken.pdf" in failed[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("search", "--from", "banana", "x"),
        ("search", "--sort", "sideways", "x"),
        ("index",),
        ("nonsense",),
    ],
)
def test_usage_errors_exit_2_without_traceback(indexed: Path, args: tuple[str, ...]) -> None:
    result = arkiv(indexed, *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_show_json_has_every_contract_field_and_the_text(indexed: Path) -> None:
    path = CORPUS / "stockholm-europaforum-tjansteutlatande-2004.txt"
    result = arkiv(indexed, "show", "--json", str(path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(DOCUMENT_FIELDS) <= set(data)
    assert "Europaforum" in data["text"]
    by_id = json.loads(arkiv(indexed, "show", "--json", data["id"]).stdout)
    assert by_id["id"] == data["id"]


def test_show_unknown_document_is_one_line(indexed: Path) -> None:
    result = arkiv(indexed, "show", "ffffffffffffffff")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "no document" in result.stderr


def test_commands_on_a_missing_archive_say_so(tmp_path: Path) -> None:
    for args in (("stats",), ("search", "x"), ("show", "abc"), ("failures",)):
        result = arkiv(tmp_path / "empty", *args)
        assert result.returncode == 1
        assert "no archive" in result.stderr and "Traceback" not in result.stderr


def test_stats_and_failures(indexed: Path) -> None:
    stats = json.loads(arkiv(indexed, "stats", "--json").stdout)
    documents = [p for p in CORPUS.iterdir() if p.suffix != ".toml"]
    # One pair in the corpus is two renderings of the same report: shown once.
    assert stats["documents"] + stats["renderings"] == len(documents)
    assert stats["renderings"] >= 1
    assert json.loads(arkiv(indexed, "failures", "--json").stdout) == []


def test_search_json_is_the_api_shape(indexed: Path) -> None:
    result = arkiv(indexed, "search", "--json", "--city", "Sollentuna")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"total", "hits", "facets"} <= set(data)
    assert data["total"] >= 1
    assert all(hit["city"] == "Sollentuna" for hit in data["hits"])
    assert set(DOCUMENT_FIELDS) <= set(data["hits"][0])


def test_a_minus_word_excludes_it_instead_of_being_an_option(indexed: Path) -> None:
    every = json.loads(arkiv(indexed, "search", "--json", "hemlöshet").stdout)
    result = arkiv(indexed, "search", "--json", "hemlöshet", "-Stockholm")
    assert result.returncode == 0, result.stderr
    fewer = json.loads(result.stdout)
    assert 0 < fewer["total"] < every["total"]
    assert all(hit["city"] != "Stockholm" for hit in fewer["hits"])


def test_show_json_explains_each_topic(indexed: Path) -> None:
    """Each topic comes with the cue words that found it; the Europaforum report's
    hemlöshet comes from its project "Cities' Strategies Against Homelessness"."""
    path = CORPUS / "stockholm-europaforum-tjansteutlatande-2004.txt"
    result = arkiv(indexed, "show", str(path), "--json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert set(shown["topic_cues"]) == set(shown["topics"]) and shown["topics"]
    assert all(shown["topic_cues"][topic] for topic in shown["topics"])
    assert any("Homelessness" in cue for cue in shown["topic_cues"]["hemlöshet"])


#: ``arkiv stats`` with a bug planted in the catalog's statistics.
BROKEN_STATS = """
import sys
import archive.catalog as catalog
def broken(self):
    counts = None
    return counts["documents"]
catalog.Catalog.stats = broken
from arkiv.cli import main
main(sys.argv[1:])
"""


def test_an_unexpected_error_is_one_line_naming_a_report_with_the_traceback(
    indexed: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", BROKEN_STATS, "--home", str(indexed), "stats"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "ARKIV_DEBUG": ""},
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("arkiv: internal error: TypeError:")
    report = Path(lines[0].split("details in ")[1].split(";")[0])
    try:
        assert "Traceback" in report.read_text() and "def broken" not in lines[0]
        assert 'line 6, in broken' in report.read_text()
    finally:
        report.unlink()
