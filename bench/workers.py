"""Ingest on this machine's worker pool vs on ``arkiv worker`` processes over a broker.

    python -m bench.workers --docs 5000        # or: python -m bench --only workers

Over ``--docs`` synthetic text documents (``bench.ingest``'s corpus; 5,000 by default, a
few minutes a variant on two cores) it ingests the same folder into fresh archives:

- local: ``index_paths`` with its own pool of ``--workers`` processes (the embedded default);
- broker: ``index_paths(broker=…)`` with ``--workers`` ``arkiv worker --concurrency N``
  processes (``--slots``, default 1) over a real ``redis-server`` on loopback (started here, as the tests do), the
  files travelling inside the tasks (up to ``indexer.distributed.INLINE_MAX_BYTES``);
- broker, by path: the same, with every file read by the workers from its path (what
  larger files do, and what shared storage serves).

Reported: documents/s, CPU ms a document (this process, the workers and Redis) and peak
memory of the whole process tree. ``--parts payload`` times one task's bytes through Redis
(base64 in the task, pushed and popped) against reading the file from disk, by file size:
what a file carried inline costs, and so where ``INLINE_MAX_BYTES`` lies.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import with_defaults
from bench.ingest import OUT, REGISTRY, CpuTime, TreeMemory, write_corpus

ARKIV = str(Path(sys.executable).parent / "arkiv")
PARTS = ("local", "broker", "path", "payload")
PAYLOAD_SIZES = (10_000, 100_000, 1_000_000, 8_000_000)


def _redis_server(folder: Path) -> Any:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from servers import REDIS_SERVER, RedisServer

    found = shutil.which(REDIS_SERVER)
    if found is None:
        raise SystemExit("redis-server not found: install it with `apt-get install redis-server`")
    server = RedisServer(found, folder, fsync="everysec")  # as a deployment runs it
    server.start()
    return server


def _start_workers(url: str, count: int, folder: Path, slots: int) -> list[subprocess.Popen[bytes]]:
    workers = []
    for number in range(count):
        with open(folder / f"worker{number}.log", "wb") as log:
            workers.append(subprocess.Popen(
                [ARKIV, "worker", "--broker", url, "--concurrency", str(slots)],
                stdout=log, stderr=subprocess.STDOUT))
    return workers


def _wait_for_workers(url: str, count: int) -> None:
    import redis

    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 60
    while len(list(client.scan_iter(match="arkiv:worker:*"))) < count:
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not start (see their logs)")
        time.sleep(0.2)
    client.close()


def run_ingest(docs: Path, home: Path, count: int, workers: int, *, broker: str | None = None,
               by_path: bool = False, folder: Path | None = None, slots: int = 1,
               ) -> dict[str, Any]:
    from indexer import distributed
    from indexer.pipeline import index_paths

    server = _redis_server(folder / "redis") if broker else None
    url = server.url if server else None
    processes = _start_workers(url, workers, folder, slots) if url else []
    saved = distributed.INLINE_MAX_BYTES
    try:
        if url:
            _wait_for_workers(url, workers)
        if by_path:
            distributed.INLINE_MAX_BYTES = 0  # for this variant only
        with TreeMemory() as memory, CpuTime() as cpu:
            started = time.perf_counter()
            report = index_paths(home, [docs], registry_dir=REGISTRY, workers=workers, broker=url)
            seconds = time.perf_counter() - started
            for process in processes:  # their CPU counts once they are reaped
                process.terminate()
                process.wait(60)
            if server:
                server.stop()
    finally:
        distributed.INLINE_MAX_BYTES = saved
        for process in processes:
            process.kill()
        if server:
            server.stop()
    return {
        "documents": count,
        "seconds": round(seconds, 2),
        "docs_per_second": round(count / seconds, 2),
        "cpu_ms_per_doc": cpu.to_json(count, workers)["cpu_ms_per_doc"],
        "counts": report.counts,
        **memory.to_json(),
    }


def run_payload(folder: Path, rounds: int = 20) -> dict[str, Any]:
    """ms for one file's bytes: through Redis inside a task, or read from disk."""
    import redis

    server = _redis_server(folder / "redis-payload")
    client = redis.Redis.from_url(server.url)
    figures = {}
    try:
        for size in PAYLOAD_SIZES:
            path = folder / f"payload-{size}.bin"
            path.write_bytes(os.urandom(size))
            started = time.perf_counter()
            for _ in range(rounds):
                message = json.dumps({"data": base64.b64encode(path.read_bytes()).decode()})
                client.rpush("bench:payload", message)
                _key, popped = client.blpop(["bench:payload"])
                with tempfile.NamedTemporaryFile(dir=folder) as copy:
                    copy.write(base64.b64decode(json.loads(popped)["data"]))
            inline = (time.perf_counter() - started) / rounds
            started = time.perf_counter()
            for _ in range(rounds):
                path.read_bytes()
            disk = (time.perf_counter() - started) / rounds
            figures[str(size)] = {"inline_ms": round(inline * 1000, 2),
                                  "read_ms": round(disk * 1000, 3)}
    finally:
        client.close()
        server.stop()
    return figures


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=5000, help="documents (default 5,000)")
    p.add_argument("--workers", type=int, default=2,
                   help="local pool processes, and arkiv worker processes (default 2)")
    p.add_argument("--slots", type=int, default=1,
                   help="files each arkiv worker extracts at once (--concurrency; default 1)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--parts", default=",".join(PARTS), help="comma-separated, of: " + ", ".join(PARTS))
    return p


def run(args: argparse.Namespace | None = None) -> dict[str, Any]:
    options = with_defaults(parser(), args)
    parts = [p.strip() for p in options.parts.split(",") if p.strip()]
    count, workers = options.docs, options.workers
    docs = write_corpus(count, seed=options.seed, workers=workers)
    figures: dict[str, Any] = {"documents": count, "workers": workers, "slots": options.slots,
                               "load_average_at_start": os.getloadavg()[0]}
    folder = OUT / f"workers-{count}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    variants = {"local": {}, "broker": {"broker": True}, "path": {"broker": True, "by_path": True}}
    try:
        for name, how in variants.items():
            if name in parts:
                print(f"{name} …", flush=True)
                figures[name] = run_ingest(
                    docs, folder / f"home-{name}", count, workers, folder=folder,
                    broker="yes" if how.get("broker") else None, by_path=bool(how.get("by_path")),
                    slots=options.slots)
                print(f"  {figures[name]['docs_per_second']} docs/s", flush=True)
        if "payload" in parts:
            figures["payload"] = run_payload(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    target = OUT.parent / f"workers-{count}.json"
    target.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(summary(figures))
    print(f"results: {target}")
    return figures


def summary(figures: dict[str, Any]) -> str:
    lines = [f"Ingest over a broker: {figures['documents']} synthetic text documents, "
             f"{figures['workers']} processes"]
    labels = {"local": "local pool", "broker": "2 workers, broker",
              "path": "2 workers, by path"}
    for name, label in labels.items():
        if name in figures:
            f = figures[name]
            lines.append(f"  {label:<20}{f['docs_per_second']:8.1f} docs/s  ({f['seconds']} s, "
                         f"{f['cpu_ms_per_doc']} CPU ms a document, peak {f['peak_rss_sum_mb']} MB "
                         f"RSS summed; {f['counts']})")
    if "local" in figures and "broker" in figures:
        lines.append(f"    broker / local: "
                     f"{figures['broker']['docs_per_second'] / figures['local']['docs_per_second']:.2f}")
    if "payload" in figures:
        lines.append("  one file's bytes: inside a task through Redis vs read from disk (ms)")
        for size, f in figures["payload"].items():
            lines.append(f"    {int(size):>10,} bytes  {f['inline_ms']:8.2f}  vs  {f['read_ms']:.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    figures = run(parser().parse_args(sys.argv[1:] if argv is None else argv))
    failed = [n for n in ("local", "broker", "path") if figures.get(n, {}).get("counts", {}).get("failed")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
