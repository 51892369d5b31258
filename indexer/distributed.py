"""Extraction on other machines: ``arkiv worker`` processes behind a broker (Celery on Redis).

``arkiv index --broker redis://host:6379/0 PATH`` hands each file that needs extracting to
the broker as one task; ``arkiv worker --broker …`` on any number of machines takes tasks,
runs :func:`indexer.pipeline.process_file` on them (in its own local
:class:`~indexer.workers.WorkerPool`, so the per-file time limit and memory cap hold there
too) and sends the result back. The ``arkiv index`` process stays the single writer of the
catalog and the index: workers only extract, never write the archive.

How the file gets to the worker: a file up to :data:`INLINE_MAX_BYTES` travels inside the
task (the exact bytes the writer hashed, so what is archived under that hash is what was
extracted, even if the file changes meanwhile); a larger one is read by the worker from
its source path, which must be visible at the same path on every worker machine (shared
storage). The registry folder (``--registry``), when given, likewise. A container's
members (a mail's attachments, a zip's files) come back inside the container's result and
are spooled by the writer, which archives them and hands each out again, always inline.

Nothing is lost, nothing is archived twice:

- Tasks are acknowledged late (``acks_late``, ``reject_on_worker_lost``) and a worker takes
  one task a slot at a time (prefetch 1), so a task whose worker dies is not lost: the
  broker hands it out again after the visibility timeout. That timeout is the longest a
  file may run (an hour, ``--timeout``'s ceiling), so a slow file is never given to a second
  worker while the first is still on it.
- Quicker than that: every worker publishes a heartbeat (host, slots, the tasks it holds,
  files done) every second and whenever it takes a task, expiring after
  :data:`HEARTBEAT_TTL` seconds. When a worker's heartbeat lapses, the writer sends the
  files it held again at once.
- A broker that goes away (restart, kill -9) is waited for, up to ``broker_wait`` seconds.
  (The Redis of a deployment should run with ``appendonly yes``, so its queue survives a
  restart.)
- Every :data:`SWEEP_SECONDS` the writer looks for files that are nowhere: neither in the
  broker's queue nor held by a live worker nor answered. Nowhere at two sweeps in a row,
  a file is sent again: a worker killed before its heartbeat named it, a task or a result
  that a dying broker had not yet written to disk.
- So a file may be extracted twice; its result is stored once: the writer takes the first
  result for each file of its run and drops later ones (no second document, no second log
  line), and the catalog is content-addressed besides.
- A task of a run that has ended (its writer is gone) is dropped by the worker unread: the
  run's key in Redis lapses :data:`RUN_TTL` seconds after its writer stops refreshing it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from archive.home import ArchiveError
from indexer.workers import TaskResult, WorkerPool

#: Files up to this size travel inside the task; larger ones are read from shared storage.
#: Measured (``python -m bench --only workers``, pushed and popped through Redis as
#: base64 in JSON, vs read from disk): 10 kB 0.8 ms, 100 kB 1.6 ms, 1 MB 29 ms, 8 MB 519 ms
#: (disk 0.01–2 ms). Up to a megabyte that is well below what extracting such a file
#: costs, and needs no shared storage; above it the cost grows with the size, in the
#: writer, in Redis's memory (a few tasks a worker slot are out at once) and on the wire.
INLINE_MAX_BYTES = 1024 * 1024
#: A worker's heartbeat: sent this often, and gone this long after its last one.
HEARTBEAT_SECONDS = 1.0
HEARTBEAT_TTL = 5
#: The broker hands an unacknowledged task out again after this long (seconds): the
#: longest a file may take (``arkiv index --timeout`` allows an hour).
VISIBILITY_TIMEOUT = 3600
#: A run's tasks are dropped by the workers this long after its writer stopped.
RUN_TTL = 120
#: How often the writer looks for files that are neither queued nor held by a worker.
SWEEP_SECONDS = 5.0
#: Seconds without any worker before ``arkiv index --broker`` says it is waiting for one.
NO_WORKERS_NOTICE = 10.0
#: How long ``arkiv index --broker`` waits for a broker that stopped answering.
BROKER_WAIT = 600.0
#: Tasks out at once: this many a worker slot (one running, one waiting), at least the floor.
TASKS_PER_SLOT = 2
MIN_TASKS_OUT = 8
QUEUE = "arkiv"
TASK_NAME = "arkiv.process_file"
#: For tests: seconds a worker sleeps before each file (to kill it mid-file).
DELAY_VARIABLE = "ARKIV_WORKER_TASK_DELAY"


def _run_key(run: str) -> str:
    return f"arkiv:run:{run}"


def _results_key(run: str) -> str:
    return f"arkiv:results:{run}"


def _worker_key(name: str) -> str:
    return f"arkiv:worker:{name}"


def safe_url(url: str) -> str:
    """The broker URL without its password, for messages and progress."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def check_broker_url(url: str) -> str:
    """The URL if it names a Redis broker; else a ValueError with what is accepted."""
    if urlsplit(url).scheme not in ("redis", "rediss"):
        raise ValueError(f"not a Redis URL: {safe_url(url)} (expected redis://host:6379/0)")
    return url


def _connection_errors() -> tuple[type[BaseException], ...]:
    import kombu.exceptions
    import redis.exceptions

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
            kombu.exceptions.OperationalError, ConnectionError, OSError)


def make_app(url: str) -> Any:
    """The Celery application of a broker: late acknowledgement, one task a slot, JSON only."""
    from celery import Celery

    app = Celery("arkiv", broker=url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_default_queue=QUEUE,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        broker_connection_retry=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_connection_timeout=5,
    )
    return app


def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5,
                                health_check_interval=10)


# -- the writer's side: ``arkiv index --broker`` ------------------------------------


class BrokerPool:
    """Where extraction runs when it runs on ``arkiv worker``s: the same interface as
    :class:`~indexer.workers.WorkerPool` (a context manager whose ``map_unordered`` yields a
    TaskResult per ``(key, (path, name, …))`` task of process_file, as they finish)."""

    def __init__(
        self,
        url: str,
        *,
        registry_dir: str | None = None,
        timeout: float = 120.0,
        memory_mb: int | None = None,
        ocr_mode: str = "auto",
        inline_max: int | None = None,
        broker_wait: float = BROKER_WAIT,
    ) -> None:
        self.url = check_broker_url(url)
        self.registry_dir = registry_dir
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.ocr_mode = ocr_mode
        self.inline_max = INLINE_MAX_BYTES if inline_max is None else inline_max
        self.broker_wait = broker_wait
        self.run = uuid.uuid4().hex
        #: Files done, by worker name, in this run (first results only).
        self.done_by: dict[str, int] = {}
        #: Live workers as their heartbeats last said.
        self.workers: dict[str, dict[str, Any]] = {}
        #: Every worker seen during the run, name: host.
        self.seen: dict[str, str] = {}
        self._pending: dict[str, dict[str, Any]] = {}
        self._holder: dict[str, str] = {}
        self._task_ids: dict[str, str] = {}
        #: Spool folders of container members sent back by workers (they travel inline).
        self._spools: list[str] = []
        #: Outstanding files that no worker held and the broker did not queue at the last
        #: sweep: sent again if the next sweep finds them so too.
        self._unaccounted: set[str] = set()
        self._swept = time.monotonic()
        self._watched = 0.0
        self._started = time.monotonic()
        self._told_none = False

    def __enter__(self) -> BrokerPool:
        self.app = make_app(self.url)
        self.client = _redis(self.url)
        try:
            self.client.ping()
        except _connection_errors() as exc:
            raise ArchiveError(f"cannot reach the broker at {safe_url(self.url)}: {exc}") from None
        self.client.set(_run_key(self.run), "1", ex=RUN_TTL)
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(*_connection_errors()):
            self.client.delete(_run_key(self.run), _results_key(self.run))
        self.client.close()
        self.app.close()

    # -- talking to the broker, waiting while it is away ----------------------------

    def _call(self, what: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        """``func(...)``, retried while the broker does not answer (up to ``broker_wait``)."""
        deadline = None
        delay = 0.1
        while True:
            try:
                value = func(*args, **kwargs)
            except _connection_errors() as exc:
                now = time.monotonic()
                deadline = deadline or now + self.broker_wait
                if now >= deadline:
                    raise ArchiveError(
                        f"the broker at {safe_url(self.url)} has not answered for "
                        f"{self.broker_wait:g} s ({what}: {exc})") from None
                time.sleep(delay)
                delay = min(2.0, delay * 2)
                continue
            return value

    def _send(self, key: str) -> None:
        self._holder.pop(key, None)
        self._task_ids[key] = task_id = uuid.uuid4().hex
        self._call("sending a task", self.app.send_task, TASK_NAME, task_id=task_id,
                   kwargs=self._pending[key], queue=QUEUE, retry=False)

    def _message(self, key: str, task: tuple[Any, ...]) -> dict[str, Any]:
        """A task's message: ``task`` is process_file's, ``(path, name, …)``."""
        path = task[0]
        data = None
        spooled = any(path.startswith(folder + os.sep) for folder in self._spools)
        if spooled or os.path.getsize(path) <= self.inline_max:
            data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        return {"run": self.run, "key": key, "task": list(task), "data": data,
                "registry": self.registry_dir, "timeout": self.timeout,
                "memory_mb": self.memory_mb, "ocr": self.ocr_mode}

    # -- results --------------------------------------------------------------------

    def _window(self) -> int:
        slots = sum(int(w.get("slots") or 1) for w in self.workers.values())
        return max(MIN_TASKS_OUT, TASKS_PER_SLOT * slots)

    def map_unordered(self, tasks: Iterable[tuple[str, tuple[Any, ...]]]) -> Iterator[TaskResult]:
        """Send tasks (a few per worker slot ahead) and yield results as they come back.
        ``tasks`` may grow meanwhile (a container's members): it is asked again whenever
        there is room, and the run ends when it has nothing more and nothing is out."""
        pending = iter(tasks)
        while True:
            while len(self._pending) < self._window():
                task = next(pending, None)
                if task is None:
                    break
                key, arg = task
                try:
                    self._pending[key] = self._message(key, arg)
                except OSError as exc:
                    yield TaskResult(key, error=exc.strerror or str(exc))
                    continue
                self._send(key)
            if not self._pending:
                return
            self._watch_workers()
            item = self._call("waiting for results", self.client.blpop,
                              [_results_key(self.run)], timeout=1)
            if item is None:
                continue
            result = json.loads(item[1])
            key = result["key"]
            if self._pending.pop(key, None) is None:
                continue  # done already: a task handed out twice answered twice
            self._holder.pop(key, None)
            self._task_ids.pop(key, None)
            worker = result["worker"]
            self.done_by[worker] = self.done_by.get(worker, 0) + 1
            if result["value"] and result["value"].get("parts"):
                self._spools.append(unpack_members(result["value"]))
            yield TaskResult(key, result["value"], result["error"])

    def _watch_workers(self) -> None:
        """About once a second: read the heartbeats; send again what a lost worker held,
        and keep this run's key alive."""
        now = time.monotonic()
        if now - self._watched < HEARTBEAT_SECONDS:
            return
        self._watched = now
        self._call("refreshing the run", self.client.set, _run_key(self.run), "1", ex=RUN_TTL)
        names = self._call("reading heartbeats", lambda: list(
            self.client.scan_iter(match=_worker_key("*"), count=1000)))
        values = self._call("reading heartbeats", self.client.mget, names) if names else []
        alive: dict[str, dict[str, Any]] = {}
        for value in values:
            if value:
                info = json.loads(value)
                alive[info["name"]] = info
                for run, key in info.get("held", []):
                    if run == self.run and key in self._pending:
                        self._holder[key] = info["name"]
        if not alive and not self.seen and not self._told_none \
                and now - self._started >= NO_WORKERS_NOTICE:
            self._told_none = True
            print(f"arkiv index: no 'arkiv worker' answers at {safe_url(self.url)}; "
                  "waiting for one", file=sys.stderr, flush=True)
        self.workers = alive
        self.seen.update((name, info["host"]) for name, info in alive.items())
        for key, holder in list(self._holder.items()):
            if holder not in alive and key in self._pending:
                self._send(key)  # its worker is gone: someone else does it
        if now - self._swept >= SWEEP_SECONDS:
            self._swept = now
            held = {key for info in alive.values() for run, key in info.get("held", [])
                    if run == self.run}
            self._sweep(held)

    def _sweep(self, held: set[str]) -> None:
        """Send again the files that are nowhere: not in the broker's queue, not held by
        a live worker, at two sweeps in a row (a worker killed before its heartbeat named
        the file; writes a restarted broker lost; a result lost with them)."""
        messages = self._call("reading the queue", self.client.lrange, QUEUE, 0, -1)
        queued = set()
        for message in messages:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                queued.add(json.loads(message)["headers"]["id"])
        nowhere = {key for key in self._pending
                   if key not in held and self._task_ids.get(key) not in queued}
        for key in nowhere & self._unaccounted:
            self._send(key)
        self._unaccounted = nowhere - self._unaccounted

    def figures(self) -> dict[str, Any]:
        """The workers for the progress line and the status page: every worker seen
        during the run, with its host, the files it did and whether it is still there."""
        names = sorted(set(self.seen) | set(self.done_by))
        return {"workers": [
            {"name": name, "host": self.seen.get(name) or name.rsplit(":", 1)[0],
             "done": self.done_by.get(name, 0), "alive": name in self.workers}
            for name in names
        ]}


# -- a container's members: spooled by the worker, sent back with its result ------------


def pack_members(value: dict[str, Any]) -> None:
    """In the worker: a container's spooled members go back inside its result (the
    writer archives them and hands each out as a task of its own); the spool goes."""
    from indexer.parts import remove_spool

    for entry in value["parts"]:
        if "path" in entry:
            entry["data"] = base64.b64encode(Path(entry["path"]).read_bytes()).decode("ascii")
    remove_spool(value)
    value["spool"] = None


def unpack_members(value: dict[str, Any]) -> str:
    """In the writer: a container's members from a worker, spooled here as if a local
    worker had done it (removed with the container, or at the end of the run); returns
    the spool folder."""
    from indexer.parts import spool_folder

    folder = spool_folder(os.getpid())
    for number, entry in enumerate(value["parts"]):
        if "data" in entry:
            path = folder / str(number) / Path(entry["path"]).name  # its name in the worker's
            path.parent.mkdir()
            path.write_bytes(base64.b64decode(entry.pop("data")))
            entry["path"] = str(path)
    value["spool"] = str(folder)
    return str(folder)


# -- the worker's side: ``arkiv worker`` --------------------------------------------


class _WorkerState:
    """One ``arkiv worker``: its name, the tasks it holds, its heartbeat."""

    def __init__(self, url: str, slots: int) -> None:
        self.url = url
        self.slots = slots
        self.host = socket.gethostname()
        self.name = f"{self.host}:{os.getpid()}"
        self.done = 0
        self.held: set[tuple[str, str]] = set()
        self.lock = threading.Lock()
        self.local = threading.local()
        self.client = _redis(url)
        self.stopping = threading.Event()

    def hold(self, run: str, key: str) -> None:
        """Note a task taken, and say so at once (the writer sends again what a dead
        worker held, and what nobody holds)."""
        with self.lock:
            self.held.add((run, key))
        with contextlib.suppress(*_connection_errors()):
            self.beat()

    def release(self, run: str, key: str) -> None:
        with self.lock:
            self.held.discard((run, key))

    def beat(self) -> None:
        with self.lock:
            info = {"name": self.name, "host": self.host, "pid": os.getpid(),
                    "slots": self.slots, "done": self.done, "held": sorted(self.held)}
        self.client.set(_worker_key(self.name), json.dumps(info), ex=HEARTBEAT_TTL)

    def heartbeat_forever(self) -> None:
        while not self.stopping.wait(HEARTBEAT_SECONDS):
            with contextlib.suppress(*_connection_errors()):
                self.beat()

    def pool(self, registry: str | None, timeout: float, memory_mb: int | None,
             ocr_mode: str = "auto") -> WorkerPool:
        """This slot's (thread's) extraction process, made again when the settings change."""
        from indexer.pipeline import _init_worker, process_file

        settings = (registry, timeout, memory_mb, ocr_mode)
        current = getattr(self.local, "pool", None)
        if current is not None and self.local.settings == settings:
            return current
        if current is not None:
            current.close()
        self.local.pool = WorkerPool(
            process_file, workers=1, timeout=timeout, memory_mb=memory_mb,
            initializer=_init_worker, initargs=(registry, os.getpid(), ocr_mode)).__enter__()
        self.local.settings = settings
        return self.local.pool

    def process(self, run: str, key: str, task: list[Any], data: str | None,
                registry: str | None, timeout: float, memory_mb: int | None,
                ocr: str = "auto") -> None:
        """One task: extract, push the result to the run's list (waiting for the broker
        if it is away), and only then return (and so acknowledge the task)."""
        try:
            with contextlib.suppress(*_connection_errors()):  # away: the run may well go on
                if not self.client.exists(_run_key(run)):
                    return  # its run has ended: nobody waits for this
            delay = float(os.environ.get(DELAY_VARIABLE) or 0)
            if delay:
                time.sleep(delay)
            try:
                value, error = self._extract(key, task, data, registry, timeout, memory_mb, ocr)
            except Exception as exc:  # the writer must hear of every file (disk full here …)
                value, error = None, f"worker {self.host}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            payload = json.dumps({"key": key, "worker": self.name, "value": value,
                                  "error": error}, ensure_ascii=False)
            self._push(run, payload)
            with self.lock:
                self.done += 1
        finally:
            self.release(run, key)

    def _extract(self, key: str, task: list[Any], data: str | None, registry: str | None,
                 timeout: float, memory_mb: int | None, ocr: str = "auto",
                 ) -> tuple[Any, str | None]:
        """process_file on ``task`` (``[path, name, …]``), its file from ``data`` if given."""
        if registry and not Path(registry).is_dir():
            return None, f"registry folder not found on worker {self.host}: {registry}"
        path, filename, *rest = task
        with tempfile.TemporaryDirectory(prefix="arkiv-worker-") as tmp:
            if data is not None:
                path = str(Path(tmp) / (Path(filename).name or "file"))
                Path(path).write_bytes(base64.b64decode(data))
            elif not os.path.isfile(path):
                return None, (f"not readable on worker {self.host}: {path} (larger files are "
                              "read from storage the workers share, at the same path)")
            pool = self.pool(registry, timeout, memory_mb, ocr)
            result = next(pool.map_unordered([(key, (path, filename, *rest))]))
        if result.value and result.value.get("parts"):
            pack_members(result.value)
        return result.value, result.error

    def _push(self, run: str, payload: str) -> None:
        deadline = time.monotonic() + BROKER_WAIT
        while True:
            try:
                pipe = self.client.pipeline()
                pipe.rpush(_results_key(run), payload)
                pipe.expire(_results_key(run), RUN_TTL * 10)
                pipe.execute()
                return
            except _connection_errors():
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.5)


def run_worker(url: str, *, concurrency: int | None = None, loglevel: str = "WARNING") -> int:
    """Run an ``arkiv worker`` until it is stopped (SIGTERM/Ctrl-C: finish the files in hand)."""
    from celery import signals
    from celery.exceptions import CPendingDeprecationWarning, SecurityWarning

    from indexer.parts import spools_removed

    def quiet(**_: Any) -> None:
        # Tasks in hand when the broker goes away finish, and their results wait for it:
        # chosen (worker_cancel_long_running_tasks_on_connection_loss), not to be warned
        # of. Celery's warning about root names options of its command line, not ours.
        warnings.filterwarnings("ignore", category=CPendingDeprecationWarning)
        warnings.filterwarnings("ignore", category=SecurityWarning)

    quiet()
    signals.celeryd_after_setup.connect(quiet, weak=False)  # its logging set-up re-enables them
    if os.geteuid() == 0:
        print("arkiv worker: running as root; a worker only reads files, so an unprivileged "
              "user will do", file=sys.stderr, flush=True)
    check_broker_url(url)
    slots = max(1, concurrency or os.cpu_count() or 1)
    app = make_app(url)
    state = _WorkerState(url, slots)

    @app.task(name=TASK_NAME)
    def process_file_task(**kwargs: Any) -> None:
        state.process(**kwargs)

    def received(request: Any, **_: Any) -> None:
        kwargs = request.kwargs or {}
        if request.name == TASK_NAME and "run" in kwargs:
            state.hold(kwargs["run"], kwargs["key"])

    signals.task_received.connect(received, weak=False)
    beating = threading.Thread(target=state.heartbeat_forever, name="arkiv-heartbeat",
                               daemon=True)
    beating.start()
    print(f"arkiv worker {state.name}: {slots} slot{'' if slots == 1 else 's'}, "
          f"broker {safe_url(url)}", flush=True)
    worker = app.Worker(
        pool="threads", concurrency=slots, hostname=f"arkiv@{state.name}",
        loglevel=loglevel, quiet=True, without_gossip=True, without_mingle=True,
        without_heartbeat=True, queues=[QUEUE],
    )
    try:
        with spools_removed():  # members a killed extraction left behind
            worker.start()
    finally:
        state.stopping.set()
        with contextlib.suppress(*_connection_errors()):
            state.client.delete(_worker_key(state.name))
    return int(worker.exitcode or 0)
