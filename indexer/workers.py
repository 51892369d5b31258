"""A pool of worker processes where every task has a time limit and a memory cap.

``multiprocessing.Pool`` and ``concurrent.futures`` cannot stop one stuck task: some
real PDFs keep a parser busy for minutes. Here each worker owns one pipe; the parent
keeps ``PREFETCH`` tasks in flight per worker (the next one waits in the pipe, so a
worker does not sit idle while the parent stores the last result), waits on all pipes
at once, and when the task a worker is running overruns its deadline, kills that
worker and starts a fresh one. A worker that dies (out of memory, a segfault in a C
library) costs only the task it was running; the ones queued behind it are handed
out again. A step of a task with a time limit of its own (OCR of a page) pauses the
task's clock meanwhile: :func:`separate_budget`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

#: Tasks handed to a worker at once: the one it runs and the one it takes up next.
PREFETCH = 2

#: In a worker process: its pipe to the parent (None elsewhere).
_channel: Connection | None = None


@dataclass(frozen=True)
class _Budget:
    """A worker's note to the parent: a step with its own time limit starts
    (``seconds``) or ends (None)."""

    seconds: float | None


@contextlib.contextmanager
def separate_budget(seconds: float) -> Iterator[None]:
    """Run a step of the current task on a time budget of its own: the task's time
    limit stops counting meanwhile, and the step may take ``seconds``. Outside a
    worker (tests, a single process) it does nothing."""
    if _channel is None:
        yield
        return
    _channel.send(_Budget(seconds))
    try:
        yield
    finally:
        _channel.send(_Budget(None))


@dataclass
class TaskResult:
    """What became of one task: ``value`` when it succeeded, else a one-line ``error``."""

    key: Any
    value: Any = None
    error: str | None = None


def _worker_main(
    conn: Connection,
    func: Callable[[Any], Any],
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
    memory_mb: int | None,
) -> None:
    global _channel
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _channel = conn
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        key, arg = task
        try:
            conn.send((key, func(arg), None))
        except MemoryError:
            conn.send((key, None, f"out of memory (over {memory_mb} MB)"))
        except Exception as exc:  # a worker must report every failure, never die of it
            reason = str(exc).splitlines()[0] if str(exc) else ""
            message = reason or type(exc).__name__
            if os.environ.get("ARKIV_DEBUG"):
                message += "\n" + traceback.format_exc()
            conn.send((key, None, message))


class _Worker:
    def __init__(self, ctx: Any, args: tuple[Any, ...]) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, *args), daemon=True)
        self.process.start()
        child.close()
        #: Tasks sent and not yet answered, in order; the first is the one running.
        self.tasks: deque[tuple[Any, Any]] = deque()
        self.deadline = 0.0
        #: While a step runs on its own budget: the time the task had left.
        self.paused: float | None = None

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """Run ``func(arg)`` for each task in ``workers`` processes, results as they finish.

    >>> with WorkerPool(len, workers=2, timeout=10) as pool:       # doctest: +SKIP
    ...     for result in pool.map_unordered([("a", "abc"), ("b", "de")]):
    ...         print(result.key, result.value)
    """

    def __init__(
        self,
        func: Callable[[Any], Any],
        *,
        workers: int | None = None,
        timeout: float = 120.0,
        memory_mb: int | None = None,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        self.size = max(1, workers or os.cpu_count() or 1)
        self.timeout = timeout
        self._ctx = multiprocessing.get_context("fork")
        self._args = (func, initializer, initargs, memory_mb)
        self._workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        self._workers = [_Worker(self._ctx, self._args) for _ in range(self.size)]
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self._workers:
            if not worker.tasks and worker.process.is_alive():
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
                worker.process.join(2)
            worker.kill()
        self._workers = []

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self._workers[self._workers.index(worker)] = _Worker(self._ctx, self._args)

    def map_unordered(self, tasks: Iterable[tuple[Any, Any]]) -> Iterator[TaskResult]:
        """Yield a TaskResult for every ``(key, arg)`` task, in the order they finish.

        Tasks are pulled from ``tasks`` lazily, so a generator over a huge folder is
        never held in memory at once. ``tasks`` may grow while results are consumed (a
        container's members are tasks of their own): whenever a worker is free it is
        asked again, and the run ends when it has nothing more and no task is running.
        """
        pending = iter(tasks)
        backlog: deque[tuple[Any, Any]] = deque()
        while True:
            for worker in self._workers:
                while len(worker.tasks) < PREFETCH:
                    if not backlog:
                        nxt = next(pending, None)
                        if nxt is None:
                            break
                        backlog.append(nxt)
                    task = backlog.popleft()
                    try:
                        worker.conn.send(task)
                    except OSError:  # the worker died; its answers tell which task killed it
                        backlog.appendleft(task)
                        if not worker.tasks:
                            self._replace(worker)
                        break
                    if not worker.tasks:
                        worker.deadline = time.monotonic() + self.timeout
                    worker.tasks.append(task)
            busy = [w for w in self._workers if w.tasks]
            if not busy:
                return
            soonest = min(w.deadline for w in busy)
            ready = wait([w.conn for w in busy], timeout=max(0.0, soonest - time.monotonic()))
            now = time.monotonic()
            for worker in busy:
                key = worker.tasks[0][0]
                if worker.conn in ready:
                    try:
                        message = worker.conn.recv()
                    except (EOFError, OSError):
                        worker.process.join(5)  # the pipe closes before the exit code is known
                        code = worker.process.exitcode
                        self._requeue_waiting(worker, backlog)
                        yield TaskResult(key, error=_death_reason(code))
                        continue
                    if isinstance(message, _Budget):
                        if message.seconds is not None:
                            worker.paused = worker.deadline - now
                            worker.deadline = now + message.seconds
                        else:
                            worker.deadline = now + (worker.paused or 0.0)
                            worker.paused = None
                        continue
                    rkey, value, error = message
                    worker.paused = None
                    worker.tasks.popleft()
                    worker.deadline = now + self.timeout  # the next task starts now
                    yield TaskResult(rkey, value, error)
                elif now >= worker.deadline:
                    overran = worker.paused is not None
                    self._requeue_waiting(worker, backlog)
                    yield TaskResult(key, error="a step overran its own time limit (OCR of a page)"
                                     if overran else f"timed out after {self.timeout:g} s")

    def _requeue_waiting(self, worker: _Worker, backlog: deque[tuple[Any, Any]]) -> None:
        """Replace a worker that died or overran; the tasks queued behind its running one
        go back to the front of the backlog."""
        waiting = list(worker.tasks)[1:]
        backlog.extendleft(reversed(waiting))
        self._replace(worker)


def _death_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        if name == "SIGKILL":
            return "worker was killed (out of memory?)"
        return f"worker crashed ({name})"
    return "worker crashed"
