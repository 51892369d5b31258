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
from collections.abc import Iterator
from pathlib import Path

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
