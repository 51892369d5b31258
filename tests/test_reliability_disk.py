"""A full disk and a read-only archive: a clear message, the catalog intact.

A real small filesystem (tmpfs, mounted for the test) is the full disk and, remounted
read-only, the read-only archive. Mounting needs root (or CAP_SYS_ADMIN): outside CI
those tests skip when it is refused. A file-size limit (RLIMIT_FSIZE, which makes the
kernel refuse writes past it with EFBIG) needs no privilege and always runs.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import IN_CI
from reliability import (
    ARKIV,
    COMMON_WORD,
    arkiv,
    arkiv_env,
    assert_intact,
    one_line_errors,
    searchable_ids,
    snapshot,
    write_documents,
)

from indexer.pipeline import _BackgroundSync, index_paths
from web import create_app

BASELINE = 10
NO_SPACE = "No space left on device"


def big_page(path: Path, size: int, number: int = 0) -> Path:
    """An HTML page of about ``size`` bytes, nearly all of it a script: big on disk,
    quick to extract (a few words of text)."""
    blob = random.Random(number).randbytes(size // 2).hex()
    path.write_text(
        f"<html><head><title>Sida {number}</title><script>var data = '{blob}';</script></head>"
        f"<body><p>Socialnämnden beslutade om bidrag nummer {number}.</p></body></html>",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """``mount(size_mb)``: a fresh tmpfs of that size; unmounted after the test."""
    mounted: list[Path] = []

    def mount_tmpfs(size_mb: int) -> Path:
        target = tmp_path / f"fs{len(mounted)}"
        target.mkdir()
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(target)],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            message = f"cannot mount a tmpfs here: {result.stderr.strip()}"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        mounted.append(target)
        return target

    yield mount_tmpfs
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], check=False)


def remount(target: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(target)], check=True)


def baseline(home: Path, folder: Path) -> dict[str, dict]:
    """BASELINE documents archived and indexed: what must come through unchanged."""
    assert index_paths(home, write_documents(folder, BASELINE)).counts["new"] == BASELINE
    return snapshot(home)


def assert_earlier_documents_intact(home: Path, before: dict[str, dict]) -> None:
    after = assert_intact(home)
    assert all(after[doc_id] == doc for doc_id, doc in before.items())
    assert set(before) <= set(searchable_ids(home, COMMON_WORD))  # search still answers


def test_a_file_larger_than_the_free_space_fails_with_the_reason(
    mount: Callable[..., Path], tmp_path: Path
) -> None:
    fs = mount(4)
    home = fs / "arkiv"
    before = baseline(home, tmp_path / "bas")
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    free = os.statvfs(fs).f_bavail * os.statvfs(fs).f_frsize
    big = big_page(inbox / "stor.html", free + 512 * 1024)
    write_documents(inbox, 3, start=100)

    result = arkiv(home, "index", "--progress", "none", str(inbox))
    assert result.returncode == 1
    assert one_line_errors(result.stderr) == [f"failed: {big}: could not archive: {NO_SPACE}"]
    assert "3 new, 0 updated, 0 unchanged, 1 failed" in result.stderr
    assert_earlier_documents_intact(home, before)
    assert not list((home / "originals").glob("*/.incoming-*"))  # the partial copy is gone

    # With room made, the same command archives it: a full disk is not the file's fault.
    remount(fs, "size=16m")
    again = arkiv(home, "index", "--progress", "none", str(inbox))
    assert again.returncode == 0, again.stderr
    assert "1 new, 0 updated, 3 unchanged, 0 failed" in again.stderr


def test_a_disk_that_fills_up_leaves_a_clear_message_and_an_intact_catalog(
    mount: Callable[..., Path], tmp_path: Path
) -> None:
    fs = mount(3)
    home = fs / "arkiv"
    before = baseline(home, tmp_path / "bas")
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    pages = [big_page(inbox / f"sida-{n:02d}.html", 300_000, n) for n in range(12)]

    result = arkiv(home, "index", "--progress", "none", str(inbox))
    assert result.returncode == 1
    errors = one_line_errors(result.stderr)
    assert errors, result.stderr
    for line in errors:  # each says what happened, in one line
        assert line.endswith(f"could not archive: {NO_SPACE}") or line in (
            f"arkiv: error: {NO_SPACE}",
            "arkiv: error: the catalog could not be written: database or disk is full",
        ), line
    assert_earlier_documents_intact(home, before)

    remount(fs, "size=64m")
    again = arkiv(home, "index", "--progress", "none", str(inbox))
    assert again.returncode == 0, again.stderr
    final = assert_intact(home)
    assert len(final) == BASELINE + len(pages)
    check = arkiv(home, "check", "--json")
    assert check.returncode == 0 and json.loads(check.stdout)["ok"], check.stdout


def test_a_read_only_archive_answers_searches_and_refuses_writes_clearly(
    mount: Callable[..., Path], tmp_path: Path
) -> None:
    fs = mount(16)
    home = fs / "arkiv"
    before = baseline(home, tmp_path / "bas")
    (new,) = write_documents(tmp_path / "ny", 1, start=100)
    remount(fs, "ro")

    refused = f"arkiv: error: archive folder {home} is read-only"
    for command in (("index", str(new)), ("reindex",), ("check",), ("import", str(tmp_path))):
        result = arkiv(home, *command)
        assert (result.returncode, result.stderr.strip()) == (1, refused), command

    search = arkiv(home, "search", "--json", COMMON_WORD)
    assert search.returncode == 0, search.stderr
    assert json.loads(search.stdout)["total"] == BASELINE
    assert arkiv(home, "stats").returncode == 0
    exported = arkiv(home, "export", str(tmp_path / "kopia.tar.gz"))  # a backup still works
    assert exported.returncode == 0, exported.stderr
    client = create_app({"ARKIV_HOME": str(home), "TESTING": True}).test_client()
    response = client.get(f"/api/search?q={COMMON_WORD}")
    assert response.status_code == 200 and response.get_json()["total"] == BASELINE
    assert client.get("/search?q=budget").status_code == 200

    remount(fs, "rw")
    assert_earlier_documents_intact(home, before)


def _limit_file_size(limit: int) -> Callable[[], None]:
    def preexec() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


def test_a_file_size_limit_fails_the_file_not_the_batch(tmp_path: Path) -> None:
    """No mount needed: under RLIMIT_FSIZE the kernel refuses to grow a file past the
    limit (EFBIG), as a quota or a full disk refuses a write."""
    home = tmp_path / "home"
    before = baseline(home, tmp_path / "bas")
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    big = big_page(inbox / "stor.html", 1536 * 1024)
    write_documents(inbox, 2, start=100)
    result = subprocess.run(
        [ARKIV, "index", "--progress", "none", str(inbox)], capture_output=True, text=True,
        env=arkiv_env(home), timeout=300, check=False,
        preexec_fn=_limit_file_size(1024 * 1024),
    )
    assert result.returncode == 1
    assert one_line_errors(result.stderr) == [f"failed: {big}: could not archive: File too large"]
    assert "2 new, 0 updated, 0 unchanged, 1 failed" in result.stderr
    assert_earlier_documents_intact(home, before)


def test_a_run_that_fails_leaves_nothing_running_to_print_at_exit(tmp_path: Path) -> None:
    """The cause of the "Exception ignored in: <module 'threading'> … Bad file descriptor"
    after a full disk's one-line error: the index-sync process pool was left shutting
    down, and at interpreter exit Python's concurrent.futures raced its own wake-up pipe.
    A failing run must end with no pool thread alive, so nothing is left to print."""
    from concurrent.futures.process import _ExecutorManagerThread

    with pytest.raises(OSError), _BackgroundSync(tmp_path) as background:
        background.running = background.executor.submit(time.sleep, 0.5)  # a sync running
        raise OSError(28, NO_SPACE)
    left = [t for t in threading.enumerate() if isinstance(t, _ExecutorManagerThread)]
    assert not left
