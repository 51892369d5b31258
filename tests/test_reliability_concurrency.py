"""Concurrent use: searches (library, CLI, web, several server processes) keep answering
with no errors while an ingest and a reindex run, and two writers never interleave."""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from reliability import (
    ARKIV,
    COMMON_WORD,
    arkiv,
    arkiv_env,
    assert_intact,
    document_count,
    kill_group,
    snapshot,
    wait_for,
    write_documents,
)

from archive.engine import Searcher
from archive.query import Query
from indexer.pipeline import index_paths
from web import create_app

BASELINE = 30
RUN_SECONDS = 300


class Load:
    """Threads that each repeat one kind of search until stopped, counting requests and
    errors. A search "errs" when it raises, answers other than 200, or finds fewer
    documents than the archive held before the writers started (or, in a phase where
    the catalog does not change, a different number)."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.errors: list[str] = []
        self.expected: tuple[int, int] = (BASELINE, BASELINE)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def add(self, kind: str, search: Callable[[str], int]) -> None:
        """``search(word)`` returns the total for the word every document contains."""

        def loop() -> None:
            while not self._stop.is_set():
                low, high = self.expected
                try:
                    total = search(COMMON_WORD)
                    if not low <= total <= high:
                        self.errors.append(f"{kind}: {total} documents, expected {low}–{high}")
                except Exception as exc:  # every failure is counted, none stops the load
                    self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
                self.requests[kind] += 1

        thread = threading.Thread(target=loop, name=kind, daemon=True)
        self._threads.append(thread)

    @contextmanager
    def running(self) -> Iterator[Load]:
        for thread in self._threads:
            thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            for thread in self._threads:
                thread.join(timeout=120)

    def wait_for_requests(self, minimum: int) -> None:
        """Let every kind of search get ``minimum`` more requests in (the load, not a sleep)."""
        start = dict(self.requests)
        wait_for(
            lambda: all(self.requests[k] - start.get(k, 0) >= minimum for k in self.requests),
            timeout=RUN_SECONDS, what=f"{minimum} more requests of each kind",
        )


@pytest.fixture(scope="module")
def base_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("concurrency")
    home = folder / "home"
    report = index_paths(home, write_documents(folder / "bas", BASELINE))
    assert report.counts["new"] == BASELINE
    return home


@pytest.fixture
def home(base_archive: Path, tmp_path: Path) -> Path:
    """A private copy of an archive of BASELINE generated documents."""
    home = tmp_path / "home"
    shutil.copytree(base_archive, home)
    return home


def crash_details(stderr: str) -> str:
    """The traceback an internal error left in its crash report, for the failure message."""
    named = re.search(r"details in (\S+);", stderr)
    if not named or not Path(named.group(1)).is_file():
        return ""
    return "\n" + Path(named.group(1)).read_text(encoding="utf-8")


def cli_search(home: Path) -> Callable[[str], int]:
    def search(word: str) -> int:
        result = arkiv(home, "search", "--json", word, timeout=120)
        if result.returncode != 0 or result.stderr.strip():
            raise RuntimeError(f"exit {result.returncode}: {result.stderr.strip()}"
                               + crash_details(result.stderr))
        return int(json.loads(result.stdout)["total"])

    return search


def library_search(home: Path) -> Callable[[str], int]:
    searcher = Searcher(home)  # one searcher, reused, as the web app does

    def search(word: str) -> int:
        results = searcher.search(Query(text=word))
        if results.message:
            raise RuntimeError(results.message)
        return results.total

    return search


def web_search(home: Path) -> Callable[[str], int]:
    client = create_app({"ARKIV_HOME": str(home), "TESTING": True}).test_client()
    pages = iter(range(1 << 30))

    def search(word: str) -> int:
        if next(pages) % 2:  # the HTML page and the API, in turn
            page = client.get(f"/search?q={urllib.parse.quote(word)}")
            if page.status_code != 200:
                raise RuntimeError(f"/search answered {page.status_code}")
        response = client.get(f"/api/search?q={urllib.parse.quote(word)}")
        if response.status_code != 200:
            raise RuntimeError(f"/api/search answered {response.status_code}")
        return int(response.get_json()["total"])

    return search


@pytest.mark.parametrize(
    ("added", "reindexes"),
    [(20, 2), pytest.param(400, 6, marks=pytest.mark.slow, id="stress")],
)
def test_searches_keep_answering_during_an_ingest_and_reindexes(
    home: Path, tmp_path: Path, added: int, reindexes: int
) -> None:
    inbox = tmp_path / "inkorg"
    write_documents(inbox, added, start=BASELINE)
    load = Load()
    load.add("library", library_search(home))
    load.add("web", web_search(home))
    load.add("cli", cli_search(home))
    served: dict[str, Counter[str]] = {}

    with load.running():
        load.wait_for_requests(1)
        load.expected = (BASELINE, BASELINE + added)
        before = Counter(load.requests)
        ingest = arkiv(home, "index", "--progress", "none", str(inbox), timeout=RUN_SECONDS)
        assert ingest.returncode == 0, ingest.stderr
        served["ingest"] = load.requests - before

        load.wait_for_requests(1)
        load.expected = (BASELINE + added, BASELINE + added)
        before = Counter(load.requests)
        for _ in range(reindexes):
            reindex = arkiv(home, "reindex", "--progress", "none", timeout=RUN_SECONDS)
            assert reindex.returncode == 0, reindex.stderr
        load.wait_for_requests(1)
        served["reindex"] = load.requests - before

    print(f"requests served: {dict(served)}; errors: {len(load.errors)}")
    assert load.errors == []
    for phase in ("ingest", "reindex"):
        assert set(served[phase]) == {"library", "web", "cli"}, served
    assert_intact(home)


#: ``arkiv index`` whose extractor waits, on one file, until the test lets it go on: the
#: first writer holds the archive for exactly as long as the test needs.
HELD_INDEX = """
import sys, time
from pathlib import Path
import indexer.extract.text as text
real, release = text.extract, Path(sys.argv[1])
def extract(path):
    while path.name == "vanta.txt" and not release.exists():
        time.sleep(0.01)
    return real(path)
text.extract = extract
from arkiv.cli import main
main(["index", "--progress", "none", *sys.argv[2:]])
"""


def test_a_second_writer_is_refused_with_one_line_and_corrupts_nothing(
    home: Path, tmp_path: Path
) -> None:
    inbox, other = tmp_path / "inkorg", tmp_path / "annan"
    write_documents(inbox, 10, start=BASELINE)
    (inbox / "vanta.txt").write_text("Kommunstyrelsen beslutade om taxan.", encoding="utf-8")
    write_documents(other, 5, start=1000)
    before = snapshot(home)
    release = tmp_path / "release"
    with open(tmp_path / "first.log", "wb") as log:
        first = subprocess.Popen(
            [sys.executable, "-c", HELD_INDEX, str(release), str(inbox)], env=arkiv_env(home),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        wait_for(
            lambda: (home / "write.lock").read_text().startswith("arkiv index (pid"),
            timeout=RUN_SECONDS, what="the first arkiv index to hold the archive",
        )
        busy = (
            f"arkiv: error: the archive is busy: arkiv index (pid {first.pid}); "
            "try again when it has finished"
        )
        for command in (
            ("index", "--progress", "none", str(other)),
            ("reindex", "--progress", "none"),
            ("check",),
            ("import", str(tmp_path / "export")),
        ):
            second = arkiv(home, *command)
            assert (second.returncode, second.stderr.strip()) == (1, busy), command
        release.touch()
        assert first.wait(timeout=RUN_SECONDS) == 0, (tmp_path / "first.log").read_text()
    finally:
        kill_group(first)

    after = assert_intact(home)
    assert len(after) == BASELINE + 11  # all of the first writer's files, none of the others
    assert all(after[doc_id] == doc for doc_id, doc in before.items())
    again = arkiv(home, "index", "--progress", "none", str(other))
    assert again.returncode == 0 and "5 new" in again.stderr


# -- several server processes on one index ------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


SEARCHER_PROCESS = """
import json, sys
from pathlib import Path
from archive.query import Query
from archive.engine import Searcher
home, stop, expected = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
searcher, requests, errors = Searcher(home), 0, []
while not stop.exists() or requests == 0:
    try:
        total = searcher.search(Query(text=sys.argv[4])).total
        if total != expected:
            errors.append(f"{total} documents, expected {expected}")
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    requests += 1
print(json.dumps({"requests": requests, "errors": errors}))
"""


def http_search(base: str) -> Callable[[str], int]:
    pages = iter(range(1 << 30))

    def search(word: str) -> int:
        if next(pages) % 2:
            with urllib.request.urlopen(f"{base}/search?q={urllib.parse.quote(word)}", timeout=60) as r:
                if r.status != 200:
                    raise RuntimeError(f"/search answered {r.status}")
        with urllib.request.urlopen(f"{base}/api/search?q={urllib.parse.quote(word)}", timeout=60) as r:
            return int(json.load(r)["total"])

    return search


@pytest.mark.parametrize("reindexes", [2, pytest.param(10, marks=pytest.mark.slow, id="stress")])
def test_server_processes_share_one_index_safely_during_reindexes(
    home: Path, tmp_path: Path, reindexes: int
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [ARKIV, "serve", "--port", str(port), "--workers", "2"], env=arkiv_env(home),
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "serve.log", "wb"),  # noqa: SIM115
        start_new_session=True,
    )
    stop = tmp_path / "stop"
    searchers = [
        subprocess.Popen(
            [sys.executable, "-c", SEARCHER_PROCESS, str(home), str(stop), str(BASELINE),
             COMMON_WORD],
            stdout=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]
    try:
        def answering() -> bool:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                with urllib.request.urlopen(f"{base}/api/status", timeout=5):
                    return True
            except OSError:
                return False

        wait_for(answering, timeout=120, what="arkiv serve to answer", every=0.1)
        load = Load()
        for number in range(3):
            load.add(f"http-{number}", http_search(base))
        with load.running():
            load.wait_for_requests(1)
            before = Counter(load.requests)
            for _ in range(reindexes):
                reindex = arkiv(home, "reindex", "--progress", "none", timeout=RUN_SECONDS)
                assert reindex.returncode == 0, reindex.stderr
            load.wait_for_requests(1)
            served = load.requests - before
        stop.touch()
        reports = [json.loads(p.communicate(timeout=RUN_SECONDS)[0]) for p in searchers]
    finally:
        stop.touch()
        for process in searchers:
            if process.poll() is None:
                process.kill()
                process.wait()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_group(server)

    print(f"served during reindexes: http {dict(served)}, searcher processes "
          f"{[r['requests'] for r in reports]}; errors: {len(load.errors)}")
    assert load.errors == []
    assert all(r["errors"] == [] and r["requests"] > 0 for r in reports), reports
    assert server.returncode == 0
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
    assert document_count(home) == BASELINE
