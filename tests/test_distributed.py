"""``arkiv index --broker`` with ``arkiv worker`` processes over a real Redis on loopback:
workers are killed mid-file, the broker is killed and started again, and every file is
still archived exactly once (one document, one log line, one search hit each)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import redis
from reliability import (
    ARKIV,
    arkiv,
    arkiv_env,
    assert_intact,
    searchable_ids,
    spawn_arkiv,
    unique_word,
    wait_for,
    write_documents,
)

from archive.jobs import read_job


def start_worker(home: Path, url: str, log: Path, delay: float,
                 private_tmp: Path | None = None) -> subprocess.Popen[bytes]:
    """An ``arkiv worker`` that waits ``delay`` seconds before each file (a kill lands
    mid-file); with ``private_tmp``, its temporary files are where no other process
    sees them, as on another machine (a mount namespace of its own, when run as root)."""
    env = {**arkiv_env(home), "ARKIV_WORKER_TASK_DELAY": str(delay)}
    command = [ARKIV, "worker", "--broker", url, "--concurrency", "1"]
    if private_tmp is not None and os.geteuid() == 0 and shutil.which("unshare"):
        private_tmp.mkdir()
        env["TMPDIR"] = str(private_tmp)
        command = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                   'mount -t tmpfs tmpfs "$0" && exec "$@"', str(private_tmp), *command]
    with open(log, "wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)


def heartbeats(url: str) -> dict[int, dict[str, Any]]:
    """The live workers' heartbeats by process id ({} while the broker is away)."""
    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        names = list(client.scan_iter(match="arkiv:worker:*"))
        found = [json.loads(v) for v in client.mget(names) if v] if names else []
    except redis.exceptions.ConnectionError:
        return {}
    finally:
        client.close()
    return {info["pid"]: info for info in found}


def log_lines(home: Path) -> Counter[str]:
    with contextlib.closing(sqlite3.connect(home / "catalog.sqlite3")) as db:
        return Counter(path for (path,) in db.execute("SELECT path FROM ingest_log"))


def test_workers_and_broker_killed_mid_run_every_file_archived_once(
    tmp_path: Path, redis_server: Any,
) -> None:
    count = 30
    files = write_documents(tmp_path / "docs", count)
    home = tmp_path / "arkiv"
    # The first worker is slow (the one killed mid-file), the second quick.
    workers = [start_worker(home, redis_server.url, tmp_path / f"worker{n}.log", delay)
               for n, delay in ((1, 2.0), (2, 0.2))]
    try:
        wait_for(lambda: len(heartbeats(redis_server.url)) == 2, timeout=30,
                 what="two workers' heartbeats", every=0.1)
        run = spawn_arkiv(home, "index", "--broker", redis_server.url, "--progress", "lines",
                          str(tmp_path / "docs"), log=tmp_path / "index.log")

        # The status page's running job names both workers and the files each has done.
        job = wait_for(lambda: (j := read_job(home)) and len(j.get("workers") or []) == 2
                       and any(w["done"] for w in j["workers"]) and j,
                       timeout=30, what="both workers in the running job", every=0.1)
        assert {w["host"] for w in job["workers"]} == {os.uname().nodename}
        assert sum(w["done"] for w in job["workers"]) == job["done"]

        # kill -9 the broker mid-run, then start it again on the same port and data.
        assert len(log_lines(home)) < count - 10
        redis_server.kill()
        redis_server.start()

        # kill -9 the slow worker while it holds a file not yet archived (it says so as
        # it takes one; each takes it two seconds).
        victim = workers[0]

        def holding() -> set[str]:
            held = {key for _run, key in heartbeats(redis_server.url).get(victim.pid, {})
                    .get("held", [])}
            return held if held and not held & set(log_lines(home)) else set()

        killed_mid_file = wait_for(holding, timeout=30, what="the slow worker to hold a file",
                                   every=0.02)
        victim.kill()
        victim.wait(10)
        # Its file is done by the other worker, in seconds (not at the broker's visibility
        # timeout, an hour).
        wait_for(lambda: killed_mid_file <= set(log_lines(home)), timeout=30,
                 what="the killed worker's file to be archived", every=0.1)

        assert run.wait(60) == 0, (tmp_path / "index.log").read_text()
    finally:
        for worker in workers:
            worker.kill()
            worker.wait(10)

    output = (tmp_path / "index.log").read_text()
    assert f"{count} new, 0 updated, 0 unchanged, 0 failed" in output, output
    # The progress line names the workers: one gone, one that finished the run.
    last_progress = [line for line in output.splitlines() if line.startswith("arkiv index:")][-1]
    assert "1 worker:" in last_progress and "(gone)" in last_progress, last_progress

    documents = assert_intact(home)
    assert len(documents) == count
    assert sorted(d["path"] for d in documents.values()) == sorted(str(f) for f in files)
    lines = log_lines(home)
    assert lines == Counter({str(f): 1 for f in files}), lines
    assert killed_mid_file <= set(lines)
    for number in range(count):
        assert len(searchable_ids(home, unique_word(number))) == 1, number

    # The archive is the one a local run makes: run again locally, nothing is new.
    again = arkiv(home, "index", str(tmp_path / "docs"))
    assert again.returncode == 0 and f"0 new, 0 updated, {count} unchanged" in again.stderr


def test_index_with_unreachable_broker_is_one_clear_line(tmp_path: Path) -> None:
    from servers import free_port

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("Ett kort dokument.", encoding="utf-8")
    url = f"redis://127.0.0.1:{free_port()}/0"
    done = arkiv(tmp_path / "arkiv", "index", "--broker", url, str(tmp_path / "docs"))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"arkiv: error: cannot reach the broker at {url}: "
        + done.stderr.split(f"{url}: ", 1)[1].strip()]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "amqp://guest@localhost//"])
def test_a_broker_that_is_not_redis_is_a_usage_error(tmp_path: Path, url: str) -> None:
    done = arkiv(tmp_path / "arkiv", "worker", "--broker", url)
    assert done.returncode == 2
    assert "not a Redis URL" in done.stderr and "Traceback" not in done.stderr


def test_a_worker_extracts_the_bytes_in_the_task_or_names_the_file_it_cannot_see(
    tmp_path: Path,
) -> None:
    """Small files travel inside the task; a larger one is read from shared storage, and
    a worker that cannot see it says so (the file fails, the batch goes on)."""
    import base64

    from indexer.distributed import _WorkerState

    state = _WorkerState("redis://127.0.0.1:1/0", slots=1)  # no broker needed to extract
    text = "Socialnämnden beslutade om hemlöshet i Göteborg.\n".encode()
    value, error = state._extract("k", ["/elsewhere/beslut.txt", "beslut.txt"],
                                  base64.b64encode(text).decode(), None, 30, None)
    assert error is None and "hemlöshet" in value["text"]
    value, error = state._extract("k", [str(tmp_path / "saknas.pdf"), "saknas.pdf"], None,
                                  None, 30, None)
    assert value is None
    assert error == (f"not readable on worker {os.uname().nodename}: {tmp_path / 'saknas.pdf'} "
                     "(larger files are read from storage the workers share, at the same path)")
    state.local.pool.close()


@pytest.mark.slow
def test_many_kills_of_workers_and_broker_every_file_archived_once(
    tmp_path: Path, redis_server: Any,
) -> None:
    """`make stress`: 200 files; workers killed and started again every few seconds, the
    broker killed twice; the run completes with each file archived once."""
    import random
    import time

    count = 200
    files = write_documents(tmp_path / "docs", count)
    home = tmp_path / "arkiv"
    rng = random.Random(13)
    workers = [start_worker(home, redis_server.url, tmp_path / f"worker{n}.log", 0.05)
               for n in range(3)]
    started = 3
    try:
        run = spawn_arkiv(home, "index", "--broker", redis_server.url, "--progress", "lines",
                          str(tmp_path / "docs"), log=tmp_path / "index.log")
        broker_kills = 0
        deadline = time.monotonic() + 300
        while run.poll() is None:
            assert time.monotonic() < deadline, (tmp_path / "index.log").read_text()
            time.sleep(rng.uniform(1.0, 3.0))
            victim = workers.pop(rng.randrange(len(workers)))
            victim.kill()
            victim.wait(10)
            started += 1
            workers.append(start_worker(home, redis_server.url,
                                        tmp_path / f"worker{started}.log", 0.05))
            if broker_kills < 2 and len(log_lines(home)) > count * (broker_kills + 1) // 3:
                redis_server.kill()
                time.sleep(rng.uniform(0.1, 2.0))
                redis_server.start()
                broker_kills += 1
        assert run.wait(10) == 0, (tmp_path / "index.log").read_text()
    finally:
        for worker in workers:
            worker.kill()
            worker.wait(10)
    assert broker_kills == 2
    documents = assert_intact(home)
    assert sorted(d["path"] for d in documents.values()) == sorted(str(f) for f in files)
    assert log_lines(home) == Counter({str(f): 1 for f in files})
    for number in range(0, count, 7):
        assert len(searchable_ids(home, unique_word(number))) == 1, number


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_containers_over_the_broker_archive_as_a_local_run_does(
    tmp_path: Path, redis_server: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A zip in a zip: the worker sends its members back, the writer archives each and
    hands it out again; the catalog is the one a local run makes. Files go by path
    (nothing inline), members inline (they exist only in the writer's spool)."""
    from archive.catalog import Catalog
    from indexer import distributed
    from indexer.pipeline import index_paths

    folder = tmp_path / "in"
    folder.mkdir()
    inner = _zip({"djup.txt": b"Den djupaste filen om Kymlinge.\n"})
    (folder / "bilagor.zip").write_bytes(_zip({
        "yttrande.txt": "Yttrande över detaljplan för Ursvik.\n".encode(), "inre.zip": inner}))
    (folder / "beslut.txt").write_text("Beslut om bygglov i Rissne.\n", encoding="utf-8")
    monkeypatch.setattr(distributed, "INLINE_MAX_BYTES", 0)
    worker = start_worker(tmp_path / "arkiv", redis_server.url, tmp_path / "worker.log", 0,
                          private_tmp=tmp_path / "worker-tmp")
    try:
        remote = index_paths(tmp_path / "remote", [folder], broker=redis_server.url)
    finally:
        worker.kill()
        worker.wait(10)
    local = index_paths(tmp_path / "local", [folder], workers=1)

    def outcomes(report: Any) -> list[tuple[str, str]]:
        return sorted((o.path, o.status) for o in report.outcomes)

    assert outcomes(remote) == outcomes(local)
    assert len(remote.outcomes) == 5 and not remote.failures
    for home in (tmp_path / "remote", tmp_path / "local"):
        with Catalog(home, readonly=True) as catalog:
            deepest = catalog.get_by_path(f"{folder / 'bilagor.zip'}!/inre.zip!/djup.txt")
            assert deepest is not None and "Kymlinge" in deepest.text
        assert len(searchable_ids(home, "Kymlinge")) == 1
    assert not list(Path(tempfile.gettempdir()).glob(f"arkiv-parts-{os.getpid()}-*"))
