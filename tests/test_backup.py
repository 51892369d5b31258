"""Backup and restore: ``arkiv export`` to a folder or a .tar.gz, ``arkiv import`` into a
fresh archive that answers every search exactly as the original did."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from reliability import (
    arkiv,
    assert_intact,
    file_sha256,
    one_line_errors,
    snapshot,
    write_documents,
)

from arkiv.cli import cli
from indexer.pipeline import index_paths

#: Searches whose answers (totals, ids, order, snippets, facets) must survive a restore
#: unchanged. A restore builds its index afresh; the original's is rebuilt too before
#: the answers are taken, because BM25 statistics of an index updated in place still
#: count replaced documents until its segments merge, which can swap near-equal hits.
#: Scores are left out of the comparison.
SEARCHES: list[tuple[str, ...]] = [
    ("socialnämnden",),
    ("--city", "Stockholm"),
    ("hemlöshet", "--sort", "newest"),
    ("--type", "protokoll"),
    ('"lokala utvecklingsarbeten"',),
    ("Europaforum", "--from", "2004", "--to", "2004-12-31"),
    ("tjänsteutlåtande", "--page-size", "5", "--page", "2"),
    ("--", "budget", "OR", "bistånd", "-Sundbyberg"),  # after --, "-word" is not an option
    ("ändrad",),  # only the newest version of an edited file has it
    ("xylofonkvartett",),  # nothing
]


@pytest.fixture(scope="module")
def source(corpus_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive with what a restore must keep: the corpus (PDF, HTML, renderings of one
    report, a kallelse and its protokoll), generated documents, an edited file with its
    earlier version, and a failed file in the ingest log."""
    folder = tmp_path_factory.mktemp("backup")
    home = folder / "home"
    shutil.copytree(corpus_home, home)
    inbox = folder / "inkorg"
    files = write_documents(inbox, 12)
    (inbox / "trasig.pdf").write_bytes(b"%PDF-1.4\nbroken")
    assert index_paths(home, [inbox]).counts == {"new": 12, "updated": 0, "unchanged": 0,
                                                 "failed": 1}
    files[0].write_text(files[0].read_text(encoding="utf-8") + "\nÄndrad efter beslut.\n",
                        encoding="utf-8")
    assert index_paths(home, [inbox]).counts["updated"] == 1
    return home


def cli_output(home: Path, *args: str) -> str:
    """What ``arkiv ARGS`` prints, run in this process (the same code, no start-up cost)."""
    result = CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)
    assert result.exit_code == 0, (args, result.stderr)
    return result.stdout


def search_answers(home: Path) -> list[dict]:
    answers = []
    for args in SEARCHES:
        answer = json.loads(cli_output(home, "search", "--json", *args))
        for hit in answer["hits"]:
            del hit["score"]
        answers.append(answer)
    return answers


@pytest.fixture(scope="module")
def answers(source: Path) -> list[dict]:
    assert arkiv(source, "reindex", "--progress", "none").returncode == 0
    found = search_answers(source)
    assert sum(1 for a in found if a["total"]) >= len(SEARCHES) - 1
    return found


@pytest.fixture(scope="module")
def exports(source: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    made = {"folder": folder / "export", "tarball": folder / "export.tar.gz"}
    for target in made.values():
        result = arkiv(source, "export", str(target))
        assert result.returncode == 0, result.stderr
        assert one_line_errors(result.stderr) == []
    return made


def test_an_export_is_readable_without_arkiv(source: Path, exports: dict[str, Path]) -> None:
    folder = exports["folder"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    documents = [json.loads(line) for line in (folder / "documents.jsonl").open(encoding="utf-8")]
    stored = snapshot(source)
    assert manifest["counts"]["documents"] == len(documents) == len(stored)
    for doc in documents:
        assert doc["text"] == stored[doc["id"]]["text"]
        assert json.loads(doc["metadata"]) == stored[doc["id"]]["metadata"]
        original = folder / "originals" / doc["sha256"][:2] / doc["sha256"]
        assert file_sha256(original) == doc["sha256"]
    with tarfile.open(exports["tarball"]) as tar:
        names = set(tar.getnames())
    assert {"arkiv-export/manifest.json", "arkiv-export/documents.jsonl"} <= names
    assert sum(name.startswith("arkiv-export/originals/") for name in names) > len(documents)


@pytest.mark.parametrize("kind", ["folder", "tarball"])
def test_a_restored_archive_answers_every_search_the_same(
    kind: str, source: Path, answers: list[dict], exports: dict[str, Path], tmp_path: Path
) -> None:
    home = tmp_path / "restored"
    result = arkiv(home, "import", str(exports[kind]))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"imported {len(snapshot(source))} documents from {exports[kind]}"

    assert search_answers(home) == answers  # same totals, ids, order, snippets, facets
    assert snapshot(home) == snapshot(source)  # text, metadata, groups, originals' bytes
    for command in (("stats", "--json"), ("failures", "--json"), ("projects", "--json")):
        assert cli_output(home, *command) == cli_output(source, *command), command
    for doc_id in snapshot(source):  # text, metadata, renderings, versions
        assert cli_output(home, "show", "--json", doc_id) == \
            cli_output(source, "show", "--json", doc_id)
    check = arkiv(home, "check")
    assert check.returncode == 0 and check.stderr.splitlines()[-1] == "archive is intact"
    assert_intact(home)


def test_import_into_an_archive_that_is_not_empty_is_refused(
    exports: dict[str, Path], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    assert index_paths(home, write_documents(tmp_path / "egna", 2)).counts["new"] == 2
    before = snapshot(home)
    result = arkiv(home, "import", str(exports["tarball"]))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"arkiv: error: the archive at {home} is not empty; import into a new one"
    )
    assert snapshot(home) == before


def test_an_export_is_never_written_over(source: Path, exports: dict[str, Path]) -> None:
    for target in exports.values():
        before = sorted(p.stat().st_mtime_ns for p in [target, *target.rglob("*")])
        result = arkiv(source, "export", str(target))
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"arkiv: error: {target} already exists; export to a new folder or file"
        )
        assert sorted(p.stat().st_mtime_ns for p in [target, *target.rglob("*")]) == before


def _tampered_folder(export: Path, tmp_path: Path) -> tuple[Path, str]:
    """A copy of an export with one bit of one original flipped; the document's id."""
    copy = tmp_path / "tampered"
    shutil.copytree(export, copy)
    doc = json.loads((copy / "documents.jsonl").read_text(encoding="utf-8").splitlines()[3])
    original = copy / "originals" / doc["sha256"][:2] / doc["sha256"]
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x01
    original.chmod(0o644)
    original.write_bytes(bytes(data))
    return copy, doc["id"]


@pytest.mark.parametrize("kind", ["folder", "tarball"])
def test_a_tampered_export_is_refused_and_leaves_nothing(
    kind: str, exports: dict[str, Path], tmp_path: Path
) -> None:
    source, doc_id = _tampered_folder(exports["folder"], tmp_path)
    if kind == "tarball":
        tarball = tmp_path / "tampered.tar.gz"
        with tarfile.open(tarball, "w:gz") as tar:
            tar.add(source, arcname="arkiv-export")
        source = tarball
    home = tmp_path / "restored"
    result = arkiv(home, "import", str(source))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"arkiv: error: original of document {doc_id} is missing or corrupt"
    )
    assert snapshot(home) == {}
    assert not [p for p in (home / "originals").rglob("*") if p.is_file()]
    # The archive is still empty, so the good export can be imported into it.
    assert arkiv(home, "import", str(exports["tarball"])).returncode == 0


@pytest.mark.parametrize("damage", ["truncated", "not-a-tarball", "no-manifest"])
def test_a_damaged_export_is_refused_in_one_line(
    damage: str, exports: dict[str, Path], tmp_path: Path
) -> None:
    if damage == "no-manifest":
        source = tmp_path / "export"
        shutil.copytree(exports["folder"], source)
        (source / "manifest.json").unlink()
    else:
        source = tmp_path / "export.tar.gz"
        data = exports["tarball"].read_bytes()
        source.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"\x00" * 4096)
    result = arkiv(tmp_path / "restored", "import", str(source))
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("arkiv: error: ") and "not an Arkiv export" in line, line
