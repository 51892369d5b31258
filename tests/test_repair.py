"""A corrupt or missing original is repaired: ``arkiv check --repair`` from its unchanged
source or from an export, and indexing its unchanged source again restores it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from reliability import arkiv, one_line_errors

from archive.catalog import Catalog, sha256_file


def archived(tmp_path: Path) -> tuple[Path, Path, dict[str, Path]]:
    """An archive of two text files; returns home, the source folder and each source
    file's original (by file name)."""
    home, folder = tmp_path / "home", tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Socialnämnden beslutade om bidrag.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Byggnadsnämnden beviljade bygglov.\n", encoding="utf-8")
    result = arkiv(home, "index", "--progress", "none", str(folder))
    assert result.returncode == 0, result.stderr
    with Catalog(home, readonly=True) as catalog:
        rows = catalog.db.execute("SELECT path, sha256 FROM documents").fetchall()
        originals = {Path(path).name: catalog.original_path(sha) for path, sha in rows}
    return home, folder, originals


def damage(original: Path, *, same_size: bool) -> None:
    """Flip the bytes of an original (keeping its size) or overwrite it shorter."""
    os.chmod(original, 0o644)
    data = original.read_bytes()
    original.write_bytes(bytes(b ^ 0xFF for b in data) if same_size else b"trasig")


def intact(original: Path) -> bool:
    return original.is_file() and sha256_file(original) == original.name


def test_check_repair_restores_from_the_unchanged_sources(tmp_path: Path) -> None:
    home, _, originals = archived(tmp_path)
    damage(originals["a.txt"], same_size=True)
    originals["b.txt"].unlink()

    found = arkiv(home, "check")
    assert found.returncode == 1
    problems = [line for line in found.stderr.splitlines() if line.startswith("problem:")]
    assert len(problems) == 2 and "a.txt" in " ".join(problems) and "b.txt" in " ".join(problems)

    repaired = arkiv(home, "check", "--repair")
    assert repaired.returncode == 0, repaired.stderr
    lines = [line for line in repaired.stderr.splitlines() if line.startswith("repaired:")]
    assert any("corrupt" in line and "a.txt" in line and "restored from" in line
               for line in lines), lines
    assert any("missing" in line and "b.txt" in line for line in lines), lines
    assert intact(originals["a.txt"]) and intact(originals["b.txt"])
    again = arkiv(home, "check", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["ok"]


def test_check_repair_says_what_it_could_not_restore_and_uses_an_export(tmp_path: Path) -> None:
    home, folder, originals = archived(tmp_path)
    export = tmp_path / "backup.tar.gz"
    assert arkiv(home, "export", str(export)).returncode == 0
    damage(originals["a.txt"], same_size=False)
    (folder / "a.txt").write_text("Ändrad efteråt.\n", encoding="utf-8")  # source changed

    unrepaired = arkiv(home, "check", "--repair")
    assert unrepaired.returncode == 1
    problems = [line for line in one_line_errors(unrepaired.stderr) or
                unrepaired.stderr.splitlines() if line.startswith("problem:")]
    assert len(problems) == 1 and "a.txt" in problems[0] and "not restored" in problems[0]
    assert not intact(originals["a.txt"])

    restored = arkiv(home, "check", "--repair", "--from", str(export))
    assert restored.returncode == 0, restored.stderr
    assert f"restored from the export {export}" in restored.stderr
    assert intact(originals["a.txt"]) and intact(originals["b.txt"])


def test_indexing_the_unchanged_source_again_restores_its_original(tmp_path: Path) -> None:
    home, folder, originals = archived(tmp_path)
    damage(originals["a.txt"], same_size=False)
    originals["b.txt"].unlink()
    result = arkiv(home, "index", "--progress", "none", str(folder))
    assert result.returncode == 0, result.stderr
    assert "0 new, 2 updated, 0 unchanged, 0 failed" in result.stderr
    assert intact(originals["a.txt"]) and intact(originals["b.txt"])

    # A corruption that keeps the size is found by 'arkiv check' (it hashes); indexing
    # the source after that restores it as well.
    damage(originals["a.txt"], same_size=True)
    assert arkiv(home, "check").returncode == 1
    again = arkiv(home, "index", "--progress", "none", str(folder))
    assert "0 new, 1 updated, 1 unchanged, 0 failed" in again.stderr, again.stderr
    assert intact(originals["a.txt"])
    assert arkiv(home, "check").returncode == 0
