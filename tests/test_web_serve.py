"""``web.serve.serve``: the app under gunicorn, started and stopped like ``arkiv serve``."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

from archive.home import ArchiveError
from web.serve import default_workers, serve

STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}: {process.stderr.read()!r}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"server did not answer at {url} within {STARTUP_SECONDS}s")


def test_serve_answers_and_stops_gracefully_on_sigterm(corpus_home: Path) -> None:
    port = free_port()
    code = (
        "import sys; from pathlib import Path; from web.serve import serve; "
        f"serve(Path({str(corpus_home)!r}), '127.0.0.1', {port}, workers=2)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base + "/api/status", process)
        with urllib.request.urlopen(f"{base}/api/search?q={urllib.parse.quote('hemlöshet')}") as r:
            assert r.status == 200
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert json.load(r)["total"] >= 1
        long_query = "å" * 1000  # the longest query, percent-encoded, fits the request line
        quoted = urllib.parse.quote(long_query)
        with urllib.request.urlopen(f"{base}/api/search?q={quoted}") as r:
            assert r.status == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        stderr = process.stderr.read().decode()  # type: ignore[union-attr]
        assert "Traceback" not in stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_without_an_archive_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="arkiv index"):
        serve(tmp_path / "none", "127.0.0.1", free_port())


def test_default_workers_is_one_per_core() -> None:
    assert default_workers() >= 1


def test_a_short_load_test_against_arkiv_serve_has_no_errors(corpus_home: Path) -> None:
    from bench.load import run

    report = run(requests=60, concurrency=4, workers=2, home=corpus_home, max_seconds=60)
    assert report.requests == 60
    assert not report.errors, report.errors
    assert 0 < report.percentile(50) <= report.percentile(99)
