"""Real servers for tests: Redis and PostgreSQL 15, each started by the test in a temporary
folder on a free loopback port and torn down at the end.

Fixtures (made available to every test by conftest.py):

- ``redis_server``: a ``redis-server`` with persistence on (append-only file, fsync on
  every write), so a test can kill it (``kill -9``) and start it again without losing
  what it held: ``server.kill()``, ``server.start()``.
- ``postgres_server`` (one a session): a PostgreSQL 15 cluster made by ``initdb`` and run
  by ``pg_ctl``, as the ``postgres`` user when the tests run as root (PostgreSQL refuses
  to run as root). ``start_postgres(folder)`` makes another one (a replica, a shard).

Without the server installed a test skips with one line saying what to install; under
``CI=true`` it fails instead. The benchmarks start their servers with the same classes.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Under CI a missing server fails its tests instead of skipping them.
IN_CI = os.environ.get("CI") == "true"
REDIS_SERVER = "redis-server"
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
#: How long a server may take to answer after it was started.
START_SECONDS = 30.0


def require_binary(path: str | Path, package: str) -> str:
    """The full path of a server binary; skip (fail in CI) with what to install when absent."""
    found = shutil.which(str(path))
    if found is None:
        message = f"{path} not found: install it with `apt-get install {package}`"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before answering")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not answer on port {port} in {START_SECONDS:g} s")


# -- Redis ---------------------------------------------------------------------------


class RedisServer:
    """One ``redis-server`` on loopback, its data (append-only file) in ``folder``.

    ``fsync``: "always" (every write on disk before Redis answers: nothing lost to a
    kill -9) or "everysec" (what a deployment runs: the last second may be lost).
    """

    def __init__(self, binary: str, folder: Path, port: int | None = None,
                 fsync: str = "always") -> None:
        self.binary = binary
        self.folder = folder
        self.port = port or free_port()
        self.fsync = fsync
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it (again, after :meth:`kill`: same port, same data)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.folder), "--appendonly", "yes", "--appendfsync", self.fsync,
             "--save", "", "--daemonize", "no", "--protected-mode", "yes",
             "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, self.process, "redis-server")
        self._wait_loaded()

    def _wait_loaded(self) -> None:
        """Redis answers LOADING while it replays its append-only file."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), \
                    socket.create_connection(("127.0.0.1", self.port), 1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(64).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not finish loading its data")

    def kill(self) -> None:
        """``kill -9``: no shutdown, no last save."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A running Redis for one test, persistence on; stopped at the end."""
    server = RedisServer(require_binary(REDIS_SERVER, "redis-server"), tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


# -- PostgreSQL ----------------------------------------------------------------------


class PostgresServer:
    """One PostgreSQL cluster on loopback, made by ``initdb`` in ``folder``.

    As root, the folder belongs to the ``postgres`` user and the server runs as it
    (``runuser``); the folder must then be where that user can reach it (not under
    pytest's root-only temporary folder).
    """

    def __init__(self, folder: Path, port: int | None = None) -> None:
        require_binary(POSTGRES_BIN / "initdb", "postgresql-15")
        self.folder = folder
        self.data = folder / "data"
        self.sockets = folder / "sockets"
        self.port = port or free_port()
        self.user = "postgres"
        self.as_root = os.geteuid() == 0

    @property
    def url(self) -> str:
        """A libpq URL of the ``postgres`` database as the ``postgres`` superuser."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(POSTGRES_BIN / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")

    def init(self) -> None:
        self.sockets.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail("running as root, but there is no postgres user to run PostgreSQL as")
            for path in (self.folder, self.sockets):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                   f"-k {self.sockets} -c fsync=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
                  "-o", options, "-w", "-t", str(int(START_SECONDS)), "start")

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


@contextlib.contextmanager
def start_postgres(parent: Path | None = None) -> Iterator[PostgresServer]:
    """A fresh PostgreSQL 15 cluster, running until the block ends; then removed."""
    folder = Path(tempfile.mkdtemp(prefix="arkiv-pg-", dir=parent))
    folder.chmod(0o755)
    server = PostgresServer(folder)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A running PostgreSQL 15 for the test session (``.url`` to connect)."""
    with start_postgres() as server:
        yield server
