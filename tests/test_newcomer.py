"""What a new user trips over on a fresh clone (issue 15): one default archive for
``make run`` and the command line, no archive made from nothing, Swedish counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ARKIV = str(Path(sys.executable).parent / "arkiv")


def arkiv_in(folder: Path, user_home: Path, *args: str,
             **env_extra: str) -> subprocess.CompletedProcess[str]:
    """``arkiv`` run in ``folder`` as a user whose home is ``user_home``, no ARKIV_HOME."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("ARKIV_HOME", "ARKIV_DEBUG")}
    env.update(HOME=str(user_home), **env_extra)
    return subprocess.run([ARKIV, *args], cwd=folder, capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def project(tmp_path: Path) -> tuple[Path, Path]:
    """A project folder whose ./.arkiv holds one document, as ``make run`` leaves it, and
    a user home without any archive."""
    folder, user = tmp_path / "arkiv-clone", tmp_path / "user"
    (folder / "in").mkdir(parents=True)
    user.mkdir()
    (folder / "in" / "a.txt").write_text("Socialnämnden beslutade om bidrag.", encoding="utf-8")
    made = arkiv_in(folder, user, "index", "--progress", "none", "in",
                    ARKIV_HOME=str(folder / ".arkiv"))  # what the Makefile exports
    assert made.returncode == 0, made.stderr
    return folder, user


def test_stats_in_the_project_folder_finds_the_archive_make_run_serves(tmp_path: Path) -> None:
    folder, user = project(tmp_path)
    result = arkiv_in(folder, user, "stats")
    assert result.returncode == 0, result.stderr
    assert "no archive" not in result.stderr
    assert not (user / ".local" / "share" / "arkiv").exists()
    # ARKIV_HOME and --home still win over ./.arkiv (DESIGN.md).
    elsewhere = tmp_path / "elsewhere"
    by_env = arkiv_in(folder, user, "stats", ARKIV_HOME=str(elsewhere))
    by_option = arkiv_in(folder, user, "--home", str(elsewhere), "stats")
    for other in (by_env, by_option):
        assert other.returncode == 1 and "no archive at" in other.stderr
        assert str(elsewhere) in other.stderr


def test_index_of_a_missing_path_creates_no_archive(tmp_path: Path) -> None:
    user = tmp_path / "user"
    user.mkdir()
    result = arkiv_in(tmp_path, user, "index", "--progress", "none", "/no/such/path")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("arkiv: error: nothing to ingest"), lines
    assert "/no/such/path" in lines[0] and "Traceback" not in result.stderr
    assert not (user / ".local" / "share" / "arkiv").exists()
    # An empty folder is nothing to ingest as well.
    (tmp_path / "empty").mkdir()
    empty = arkiv_in(tmp_path, user, "index", "--progress", "none", "empty")
    assert empty.returncode == 1 and "nothing to ingest" in empty.stderr
    assert not (user / ".local").exists()


def test_counts_in_cli_output_agree_with_their_number(tmp_path: Path) -> None:
    folder, user = project(tmp_path)
    one = arkiv_in(folder, user, "search", "socialnämnden")
    assert one.returncode == 0, one.stderr
    assert "1 träff" in one.stderr.splitlines() and "1 träffar" not in one.stderr
    (folder / "in2").mkdir()
    (folder / "in2" / "b.txt").write_text("Socialnämnden beslutade igen.", encoding="utf-8")
    added = arkiv_in(folder, user, "index", "--progress", "none", "in2")
    assert "(1 file, 1 page," in added.stderr, added.stderr
    two = arkiv_in(folder, user, "search", "socialnämnden")
    assert "2 träffar" in two.stderr.splitlines()
    none = arkiv_in(folder, user, "search", "xyzzyq")
    assert "0 träffar" in none.stderr.splitlines()
    rebuilt = arkiv_in(folder, user, "reindex")
    assert "index rebuilt: 2 documents" in rebuilt.stderr
