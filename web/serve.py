"""``arkiv serve``: the web app under gunicorn, the production WSGI server.

Search is CPU-bound (Python under the GIL), so the app runs in worker *processes*,
not threads: measured on a 2-core machine, two sync workers served about twice the
requests per second of a threaded server (``python -m bench.load`` gives the figures).
The code is loaded once in the master (``preload_app``) and forked; each worker then
opens its own searcher and warms it before it takes requests, so no visitor pays for
opening the index, and no index file handle is ever shared between processes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from archive.catalog import Catalog
from archive.home import ArchiveError
from archive.query import Query
from web import create_app

#: Longest request line accepted: a query of MAX_QUERY_LENGTH Swedish letters is
#: ~6,000 characters percent-encoded; 8190 is gunicorn's ceiling.
REQUEST_LINE_LIMIT = 8190
GRACEFUL_TIMEOUT = 10
REQUEST_TIMEOUT = 60


def default_workers() -> int:
    """One worker process per core (search is CPU-bound; more only adds switching)."""
    return os.cpu_count() or 1


def warm(app: Flask) -> None:
    """Open the searcher and run one search, so the first visitor does not wait for it."""
    with app.app_context():
        app.extensions["arkiv"].searcher.search(Query(page_size=1))


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def serve(home: Path, host: str, port: int, workers: int | None = None) -> None:
    """Serve the archive in ``home`` on ``host:port`` until stopped (SIGINT/SIGTERM).

    SIGTERM lets requests in progress finish (up to GRACEFUL_TIMEOUT seconds). The
    access log is off; errors go to stderr. Raises :class:`ArchiveError` when there
    is no archive in ``home`` or the server cannot start.
    """
    Catalog(home, readonly=True).close()
    app = create_app({"ARKIV_HOME": str(home)})
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or default_workers(),
        "worker_class": "sync",
        "preload_app": True,
        "post_fork": lambda _server, _worker: warm(app),
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "arkiv",
        "timeout": REQUEST_TIMEOUT,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "limit_request_line": REQUEST_LINE_LIMIT,
    }
    try:
        _Server(app, options).run()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise ArchiveError(f"the web server on {host}:{port} stopped (status {exc.code})") from None
