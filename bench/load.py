"""A bounded load test of ``arkiv serve``: requests/s, p50/p99 latency and errors (must be 0).

It ingests a corpus into a temporary archive with ``arkiv index`` (corpus/ by default,
or N synthetic documents from :mod:`bench.corpus` with ``--synthetic N``), starts
``arkiv serve`` on a free port of 127.0.0.1 only, sends a fixed number of requests at
a fixed concurrency with a realistic mix (search pages, filtered searches, the API,
document pages, browse pages, feeds), then stops the server with SIGTERM.

Bounded: at most ``--requests`` requests and ``--max-seconds`` seconds of load.

    python -m bench.load --requests 2000 --concurrency 8
    python -m bench.load --synthetic 1000 --workers 2
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
HOST = "127.0.0.1"
STARTUP_SECONDS = 120
REQUEST_TIMEOUT = 60
#: The request mix: kind → weight (how often it is sent, relative).
MIX: dict[str, int] = {
    "search": 30,
    "search_filtered": 15,
    "search_sorted": 5,
    "api_search": 15,
    "document": 20,
    "api_document": 5,
    "browse": 4,
    "home": 4,
    "atom": 2,
}
#: Words no document holds: searches that find nothing are part of real traffic.
MISSES = ("xylofonkvartett", "kvantkromodynamik")


@dataclass
class LoadReport:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Latency in milliseconds at percentile ``p`` (nearest rank)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index] * 1000

    def summary(self) -> str:
        errors = sum(self.errors.values())
        lines = [
            f"requests     {self.requests} in {self.seconds:.1f} s",
            f"throughput   {self.requests_per_second:.1f} requests/s",
            f"latency      p50 {self.percentile(50):.1f} ms   p90 {self.percentile(90):.1f} ms   "
            f"p99 {self.percentile(99):.1f} ms   max {self.percentile(100):.1f} ms",
            f"mean         {statistics.fmean(self.latencies) * 1000:.1f} ms" if self.latencies else "",
            f"errors       {errors}" + (f"  {dict(self.errors)}" if errors else ""),
            "mix          " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items())),
        ]
        return "\n".join(line for line in lines if line)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def arkiv(*args: str) -> list[str]:
    """The ``arkiv`` command line, run with this interpreter."""
    return [sys.executable, "-c", "import sys; from arkiv.cli import main; main(sys.argv[1:])", *args]


def write_synthetic(folder: Path, count: int) -> None:
    """``count`` synthetic documents as .txt files (title on the first line)."""
    from bench.corpus import CorpusGenerator

    folder.mkdir(parents=True, exist_ok=True)
    for document in CorpusGenerator().documents(count):
        body = f"{document.get('title')}\n\n{document.text}\n"
        (folder / document.filename).write_text(body, encoding="utf-8")


def ingest(home: Path, synthetic: int, work: Path) -> None:
    if synthetic:
        source = work / "synthetic"
        write_synthetic(source, synthetic)
        command = arkiv("--home", str(home), "index", "--progress", "none", str(source))
    else:
        command = arkiv(
            "--home", str(home), "index", "--progress", "none", "--registry", str(CORPUS), str(CORPUS)
        )
    started = time.monotonic()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    print(f"ingested in {time.monotonic() - started:.1f} s", file=sys.stderr)


@contextmanager
def running_server(home: Path, workers: int | None) -> Iterator[int]:
    """``arkiv serve`` on a free loopback port; stopped with SIGTERM afterwards."""
    port = free_port()
    command = arkiv("--home", str(home), "serve", "--host", HOST, "--port", str(port))
    if workers:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while fetch(port, "/api/status")[0] != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"arkiv serve did not start (exit {process.poll()})")
            time.sleep(0.25)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fetch(port: int, path: str) -> tuple[int, bytes]:
    """GET ``path``; (status, body), or (0, b"") when the server cannot be reached."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    except OSError:
        return 0, b""
    finally:
        connection.close()


def plan(port: int, count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` (kind, path) requests drawn from the archive's own words, ids and facets."""
    import json

    status, body = fetch(port, "/api/search?page_size=100&sort=newest")
    if status != 200:
        raise RuntimeError(f"/api/search answered {status}")
    data = json.loads(body)
    ids = [hit["id"] for hit in data["hits"]]
    words = sorted(
        {
            w.lower()
            for hit in data["hits"]
            for w in re.findall(r"[^\W\d_]{5,}", hit.get("title") or "")
        }
    ) or ["stockholm"]
    facets = [
        (param, value["value"])
        for name, param in (("city", "city"), ("doc_type", "type"), ("projects", "project"),
                            ("topics", "topic"), ("year", "year"))
        for value in data["facets"].get(name, [])[:10]
    ]
    if not ids:
        raise RuntimeError("the archive is empty")
    rng = random.Random(seed)
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=count)
    browse = ("/browse/projects", "/browse/places", "/browse/topics", "/browse/timeline")

    def word() -> str:
        return rng.choice(MISSES) if rng.random() < 0.05 else rng.choice(words)

    requests: list[tuple[str, str]] = []
    for kind in kinds:
        if kind == "search":
            path = "/search?" + urlencode({"q": word()})
        elif kind == "search_filtered" and facets:
            param, value = rng.choice(facets)
            args = [(param, value)] + ([("q", word())] if rng.random() < 0.5 else [])
            path = "/search?" + urlencode(args)
        elif kind == "search_sorted":
            path = "/search?" + urlencode({"q": word(), "sort": rng.choice(("newest", "oldest"))})
        elif kind == "api_search":
            path = "/api/search?" + urlencode({"q": word(), "page": rng.randint(1, 2)})
        elif kind == "document":
            path = f"/documents/{rng.choice(ids)}?q={quote(word())}"
        elif kind == "api_document":
            path = f"/api/documents/{rng.choice(ids)}"
        elif kind == "browse":
            path = rng.choice(browse)
        elif kind == "atom":
            path = "/search.atom?" + urlencode({"q": word()})
        else:
            path = "/"
        requests.append((kind, path))
    return requests


def load(port: int, requests: list[tuple[str, str]], concurrency: int, max_seconds: float) -> LoadReport:
    """Send the requests from ``concurrency`` threads; stop early at ``max_seconds``."""
    report = LoadReport()
    lock = threading.Lock()
    queue = iter(requests)
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            kind, path = item
            started = time.perf_counter()
            status, _body = fetch(port, path)
            elapsed = time.perf_counter() - started
            with lock:
                report.requests += 1
                report.latencies.append(elapsed)
                report.by_kind[kind] += 1
                if status != 200:
                    report.errors[f"{status} {kind}"] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report.seconds = time.monotonic() - started
    return report


def run(
    *,
    requests: int = 2000,
    concurrency: int = 8,
    workers: int | None = None,
    synthetic: int = 0,
    home: Path | None = None,
    max_seconds: float = 300.0,
    seed: int = 1,
) -> LoadReport:
    """Ingest (unless ``home`` is given), serve, load, stop; the figures."""
    work = Path(tempfile.mkdtemp(prefix="arkiv-load-"))
    try:
        if home is None:
            home = work / "arkiv"
            ingest(home, synthetic, work)
        with running_server(home, workers) as port:
            for _kind, path in plan(port, 20, seed + 1):  # warm every worker's caches
                fetch(port, path)
            return load(port, plan(port, requests, seed), concurrency, max_seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.load``: print the figures; exit 1 if any request failed."""
    parser = argparse.ArgumentParser(prog="bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, help="server processes (default: arkiv serve's)")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="ingest N synthetic documents instead of corpus/")
    parser.add_argument("--home", type=Path, help="use this ingested archive as it is")
    parser.add_argument("--max-seconds", type=float, default=300.0)
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 64 or not 1 <= args.requests <= 100_000:
        parser.error("--concurrency must be 1–64 and --requests 1–100000")
    report = run(
        requests=args.requests,
        concurrency=args.concurrency,
        workers=args.workers,
        synthetic=args.synthetic,
        home=args.home,
        max_seconds=args.max_seconds,
    )
    print(f"arkiv serve load test: {args.concurrency} concurrent clients, "
          f"{args.workers or 'default'} workers, {os.cpu_count()} cores")
    print(report.summary())
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
