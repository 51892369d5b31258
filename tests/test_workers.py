"""One stuck, crashing or greedy file costs only itself; the batch goes on."""

from __future__ import annotations

import os
import time

from indexer.workers import WorkerPool


def _task(arg: str) -> str:
    if arg == "hang":
        time.sleep(60)
    if arg == "crash":
        os._exit(3)
    if arg == "kill":
        os.kill(os.getpid(), 9)
    if arg == "greedy":
        blob = bytearray(1024 * 1024 * 1024)  # 1 GiB against a 300 MB cap
        return str(len(blob))
    if arg == "raise":
        raise ValueError("broken xref table\nsecond line")
    return arg.upper()


def test_pool_survives_hangs_crashes_and_memory_hogs() -> None:
    tasks = [(name, name) for name in ("a", "hang", "b", "crash", "kill", "greedy", "raise", "c")]
    started = time.monotonic()
    with WorkerPool(_task, workers=2, timeout=2, memory_mb=300) as pool:
        results = {r.key: r for r in pool.map_unordered(tasks)}
    assert time.monotonic() - started < 20
    assert {k: results[k].value for k in "abc"} == {"a": "A", "b": "B", "c": "C"}
    assert results["hang"].error == "timed out after 2 s"
    assert results["crash"].error == "worker crashed"
    assert "killed" in results["kill"].error
    assert "out of memory" in results["greedy"].error
    assert results["raise"].error == "broken xref table"  # one line, no traceback


def test_tasks_queued_behind_a_stuck_or_crashing_one_still_run() -> None:
    # One worker: every task after "hang" and "crash" waited in that worker's pipe.
    tasks = [(f"{name}-{i}", name) for i, name in enumerate(("a", "hang", "b", "crash", "c", "d"))]
    with WorkerPool(_task, workers=1, timeout=2) as pool:
        results = {r.key: r for r in pool.map_unordered(tasks)}
    assert sorted(results) == sorted(key for key, _ in tasks)
    assert {k: r.value for k, r in results.items() if r.error is None} == {
        "a-0": "A", "b-2": "B", "c-4": "C", "d-5": "D"}
    assert results["hang-1"].error == "timed out after 2 s"
    assert results["crash-3"].error == "worker crashed"


def test_a_worker_is_not_idle_while_the_parent_handles_a_result() -> None:
    tasks = [(i, i) for i in range(5)]
    handled: dict[int, float] = {}
    started: dict[int, float] = {}
    with WorkerPool(_started_at, workers=1, timeout=10) as pool:
        for result in pool.map_unordered(tasks):
            started[result.key] = result.value
            time.sleep(0.1)  # the parent storing the result
            handled[result.key] = time.monotonic()
    # Each next task was already running before the parent had handled the result before it.
    assert all(started[i + 1] < handled[i] for i in range(4))


def _started_at(arg: int) -> float:
    begun = time.monotonic()
    time.sleep(0.05)
    return begun
