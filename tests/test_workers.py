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
