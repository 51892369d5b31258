"""PostgreSQL for the search tests: one server for the test session, a fresh database
for each archive, and the backends the search suites run against.

``BACKENDS`` names the search backends every search suite runs on; an archive fixture
parametrised with them builds its catalog as before and opens the backend with
:func:`open_backend` (the PostgreSQL one in a database of its own on :func:`server`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from servers import PostgresServer, start_postgres

from archive.engine import EmbeddedBackend, SearchBackend

#: The search backends of the parametrised search suites.
BACKENDS = ("embedded", "postgresql")

_server: PostgresServer | None = None
_stack = contextlib.ExitStack()


def server() -> PostgresServer:
    """The session's PostgreSQL (started on first use, stopped when the tests end)."""
    global _server
    if _server is None:
        _server = _stack.enter_context(start_postgres())
        atexit.register(_stack.close)
    return _server


def fresh_database() -> str:
    """The URL of a new, empty database on the session's server."""
    import psycopg

    main = server()
    name = f"arkiv_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(main.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return main.url.rsplit("/", 1)[0] + "/" + name


def postgres_backend(home: Path) -> SearchBackend:
    """A PostgreSQL backend for the archive in ``home``, in a database of its own."""
    from archive.engine.postgres import PostgresBackend

    return PostgresBackend(home, fresh_database())


def open_backend(name: str, home: Path) -> SearchBackend:
    """The backend ``name`` (one of ``BACKENDS``) of the archive in ``home``."""
    return postgres_backend(home) if name == "postgresql" else EmbeddedBackend(home)


@contextlib.contextmanager
def database_env(url: str | None) -> Iterator[None]:
    """``ARKIV_DATABASE_URL`` set to ``url`` (unset for None) inside the block."""
    before = os.environ.get("ARKIV_DATABASE_URL")
    if url is None:
        os.environ.pop("ARKIV_DATABASE_URL", None)
    else:
        os.environ["ARKIV_DATABASE_URL"] = url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("ARKIV_DATABASE_URL", None)
        else:
            os.environ["ARKIV_DATABASE_URL"] = before


# -- the web app on PostgreSQL ----------------------------------------------------------

_corpus: dict[str, tuple[Path, str]] = {}


def postgres_corpus_home(parent: Path) -> tuple[Path, str]:
    """corpus/ ingested by the pipeline with ``ARKIV_DATABASE_URL`` set (its search in
    PostgreSQL): (home, database URL); made once a session."""
    if "corpus" not in _corpus:
        from conftest import CORPUS

        from indexer.pipeline import index_paths

        url = fresh_database()
        home = parent / "arkiv"
        with database_env(url):
            report = index_paths(home, [CORPUS], registry_dir=CORPUS)
        assert report.counts["new"] > 0, report.failures
        _corpus["corpus"] = (home, url)
    return _corpus["corpus"]


def served_home(backend: str, corpus_home: Path, parent: Path) -> Path:
    """The corpus archive a web test serves with ``backend``."""
    return corpus_home if backend == "embedded" else postgres_corpus_home(parent)[0]


def app_on(backend: str, home: Path) -> Any:
    """The real Flask app over the archive in ``home`` (see :func:`served_home`),
    searching with ``backend``: as ``arkiv serve`` runs with ``ARKIV_DATABASE_URL`` set,
    every request of its test clients made with that variable set."""
    from flask.testing import FlaskClient

    from web import create_app

    app = create_app({"ARKIV_HOME": str(home)})
    if backend == "embedded":
        return app
    url = _corpus["corpus"][1]

    class Client(FlaskClient):
        def open(self, *args: Any, **kwargs: Any) -> Any:
            with database_env(url):
                return super().open(*args, **kwargs)

    app.test_client_class = Client
    return app


def served_app_fixtures() -> dict[str, Any]:
    """The fixtures of a web test module whose every test runs on each backend:
    ``backend``, ``corpus_home`` (the archive the app serves), ``app`` and ``client``.
    A module takes them with ``globals().update(served_app_fixtures())``."""
    import pytest

    @pytest.fixture(scope="module", params=BACKENDS)
    def backend(request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture(scope="module")
    def corpus_home(backend: str, corpus_home: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> Path:
        # As on a server run with ARKIV_DATABASE_URL: the tests' own catalog reads
        # (outside requests) find the archive where the app finds it.
        return served_home(backend, corpus_home, tmp_path_factory.mktemp("pg-corpus"))

    @pytest.fixture(autouse=True)
    def database_of_backend(request: pytest.FixtureRequest) -> Iterator[None]:
        # As on a server run with ARKIV_DATABASE_URL: a test's own catalog reads (outside
        # requests) find the archive where the app finds it.
        on_postgres = ("backend" in request.fixturenames
                       and request.getfixturevalue("backend") != "embedded")
        if not on_postgres:
            yield
            return
        request.getfixturevalue("corpus_home")
        with database_env(_corpus["corpus"][1]):
            yield

    @pytest.fixture(scope="module")
    def app(backend: str, corpus_home: Path) -> Any:
        return app_on(backend, corpus_home)

    @pytest.fixture
    def client(app: Any) -> Any:
        return app.test_client()

    return {"backend": backend, "corpus_home": corpus_home, "app": app, "client": client,
            "database_of_backend": database_of_backend}


# -- growth: a streaming replica -----------------------------------------------------------


@contextlib.contextmanager
def start_replica(primary: PostgresServer) -> Iterator[PostgresServer]:
    """A hot standby of ``primary`` by streaming replication (``pg_basebackup -R``), on a
    port of its own, running until the block ends; then removed."""
    import pwd
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="arkiv-pg-replica-"))
    folder.chmod(0o755)
    replica = PostgresServer(folder)
    replica.sockets.mkdir(parents=True)
    if replica.as_root:
        owner = pwd.getpwnam("postgres")
        for path in (folder, replica.sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    try:
        replica._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U",
                     primary.user, "-D", str(replica.data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync")
        replica.start()
        yield replica
    finally:
        replica.stop()
        shutil.rmtree(folder, ignore_errors=True)


def caught_up(primary_url: str, replica_url: str, timeout: float = 30.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    import time

    import psycopg

    with psycopg.connect(primary_url, autocommit=True) as conn:
        target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    with psycopg.connect(replica_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            done = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn",
                                (target,)).fetchone()[0]
            if done:
                return
            time.sleep(0.05)
    raise AssertionError(f"the replica did not catch up in {timeout:g} s")


def totals_while(backend: SearchBackend, text: str, work: Callable[[], None]) -> list[int]:
    """The totals a search for ``text`` gave, asked over and over in a thread while
    ``work`` ran; any error in the searching thread fails the test."""
    import threading

    from archive.query import Query

    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def searching() -> None:
        try:
            while not done.is_set():
                seen.append(backend.search(Query(text=text)).total)
        except BaseException as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    thread = threading.Thread(target=searching)
    thread.start()
    try:
        work()
    finally:
        done.set()
        thread.join()
    assert errors == [] and seen
    return seen
