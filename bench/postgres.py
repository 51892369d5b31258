"""Arkiv on PostgreSQL against the embedded default: ingest and search, in one run.

    python -m bench.postgres --docs 5000          # or: python -m bench --only postgres

Over ``--docs`` synthetic text documents (``bench.ingest``'s corpus from
:mod:`bench.corpus`; 100,000 by default) it ingests the same folder three ways, each
into a fresh archive, and then runs ``bench.search``'s query mix (one word, two words, a
phrase, a filter with dates, sorted by date; every query with facets over the whole
result set and snippets for the top 10) on each:

- embedded: ``index_paths`` with a local pool of ``--workers`` processes, SQLite + the
  embedded engine in ``ARKIV_HOME``;
- postgresql: the same with ``ARKIV_DATABASE_URL`` set: the search tables in a
  PostgreSQL 15 that this benchmark starts (as the tests do, ``tests/servers.py``);
- postgresql + broker: the same database setting, the files extracted by ``--workers``
  ``arkiv worker --broker`` processes over a ``redis-server`` started here.

Reported: documents/s, search p50/p95 (ms, all kinds and per kind) and peak memory:
the summed RSS of this process tree (workers included) and of the PostgreSQL server's
processes. Results are printed and kept in ``bench/out/postgres-<docs>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import with_defaults
from bench.ingest import OUT, REGISTRY, TreeMemory, write_corpus
from bench.search import KINDS, TOP, _arkiv_query, _percentiles, make_queries
from bench.workers import _redis_server, _start_workers, _wait_for_workers

DEFAULT_DOCS = 100_000
VARIANTS = ("embedded", "postgresql", "broker")
LABELS = {"embedded": "embedded", "postgresql": "postgresql",
          "broker": "postgresql + 2 workers, broker"}


def _postgres(stack: ExitStack) -> Any:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from servers import start_postgres

    return stack.enter_context(start_postgres())


def _database(server: Any, name: str) -> str:
    import psycopg

    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.url.rsplit("/", 1)[0] + "/" + name


def _postmaster(server: Any) -> int:
    return int((server.data / "postmaster.pid").read_text().split()[0])


def ingest(docs: Path, home: Path, count: int, workers: int, *, database: str | None,
           broker: bool, folder: Path, server: Any) -> dict[str, Any]:
    from indexer.pipeline import index_paths

    saved = os.environ.get("ARKIV_DATABASE_URL")
    if database:
        os.environ["ARKIV_DATABASE_URL"] = database
    redis = _redis_server(folder / "redis") if broker else None
    processes = _start_workers(redis.url, workers, folder, 1) if redis else []
    try:
        if redis:
            _wait_for_workers(redis.url, workers)
        with ExitStack() as memories:
            ours = memories.enter_context(TreeMemory())
            theirs = memories.enter_context(TreeMemory(_postmaster(server))) if database else None
            started = time.perf_counter()
            report = index_paths(home, [docs], registry_dir=REGISTRY, workers=workers,
                                 broker=redis.url if redis else None)
            seconds = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
            process.wait(60)
        if redis:
            redis.stop()
        if saved is None:
            os.environ.pop("ARKIV_DATABASE_URL", None)
        else:
            os.environ["ARKIV_DATABASE_URL"] = saved
    return {
        "seconds": round(seconds, 2),
        "docs_per_second": round(count / seconds, 2),
        "counts": report.counts,
        "peak_arkiv_rss_mb": ours.to_json()["peak_rss_sum_mb"],
        "peak_postgres_rss_mb": theirs.to_json()["peak_rss_sum_mb"] if theirs else 0.0,
    }


def search(home: Path, queries: list[dict[str, Any]], database: str | None,
           server: Any) -> dict[str, Any]:
    from archive.engine import EmbeddedBackend
    from archive.engine.postgres import PostgresBackend
    from archive.query import Query

    backend = PostgresBackend(home, database) if database else EmbeddedBackend(home)
    backend.search(Query(text="kommun", page_size=TOP))  # open, warm the caches
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    totals = []
    with ExitStack() as memories:
        ours = memories.enter_context(TreeMemory())
        theirs = memories.enter_context(TreeMemory(_postmaster(server))) if database else None
        for q in queries:
            begin = time.perf_counter()
            results = backend.search(_arkiv_query(q))
            timings[q["kind"]].append((time.perf_counter() - begin) * 1000)
            assert len(results.hits) <= TOP and all(h.snippets for h in results.hits)
            totals.append(results.total)
    backend.close()
    return {
        "all": _percentiles([t for values in timings.values() for t in values]),
        "kinds": {kind: _percentiles(values) for kind, values in timings.items()},
        "totals": totals,
        "peak_arkiv_rss_mb": ours.to_json()["peak_rss_sum_mb"],
        "peak_postgres_rss_mb": theirs.to_json()["peak_rss_sum_mb"] if theirs else 0.0,
    }


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.postgres",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=DEFAULT_DOCS,
                   help=f"documents (default {DEFAULT_DOCS:,})")
    p.add_argument("--workers", type=int, default=2,
                   help="local pool processes, and arkiv worker processes (default 2)")
    p.add_argument("--queries", type=int, default=40, help="queries of each kind (default 40)")
    p.add_argument("--parts", default=",".join(VARIANTS),
                   help="the variants to run, comma-separated, of: " + ", ".join(VARIANTS))
    p.add_argument("--seed", type=int, default=1, help="corpus and query seed")
    return p


def run(args: argparse.Namespace | None = None) -> dict[str, Any]:
    options = with_defaults(parser(), args)
    count, workers = options.docs, options.workers
    queries = make_queries(count, options.seed, options.queries)
    docs = write_corpus(count, seed=options.seed, workers=workers)
    parts = [p.strip() for p in options.parts.split(",") if p.strip()]
    figures: dict[str, Any] = {"documents": count, "workers": workers,
                               "queries": len(queries),
                               "load_average_at_start": os.getloadavg()[0]}
    folder = OUT / f"postgres-{count}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with ExitStack() as stack:
            server = _postgres(stack)
            for name in VARIANTS:
                if name not in parts:
                    continue
                print(f"{LABELS[name]} …", flush=True)
                database = _database(server, f"bench_{name}") if name != "embedded" else None
                home = folder / f"home-{name}"
                figures[name] = {"ingest": ingest(
                    docs, home, count, workers, database=database, broker=name == "broker",
                    folder=folder, server=server)}
                figures[name]["search"] = search(home, queries, database, server)
                print(f"  {figures[name]['ingest']['docs_per_second']} docs/s, search p50 "
                      f"{figures[name]['search']['all']['p50']} ms", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if "embedded" in figures and "postgresql" in figures:
        figures["same_totals"] = (figures["embedded"]["search"]["totals"]
                                  == figures["postgresql"]["search"]["totals"])
    print(summary(figures))
    target = OUT.parent / f"postgres-{count}.json"
    target.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"results: {target}")
    return figures


def summary(figures: dict[str, Any]) -> str:
    lines = [f"Arkiv on PostgreSQL: {figures['documents']:,} synthetic documents, "
             f"{figures['queries']} queries with facets and snippets "
             f"(load average at start {figures['load_average_at_start']:.1f})",
             f"  {'':<32}{'docs/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
             f"{'peak MB (arkiv + postgres) ingest':>36}{'search':>16}"]
    for name, label in LABELS.items():
        if name not in figures:
            continue
        ingested, searched = figures[name]["ingest"], figures[name]["search"]
        lines.append(
            f"  {label:<32}{ingested['docs_per_second']:8.1f}{searched['all']['p50']:9.1f}"
            f"{searched['all']['p95']:9.1f}"
            f"{ingested['peak_arkiv_rss_mb']:>24.0f} + {ingested['peak_postgres_rss_mb']:<8.0f}"
            f"{searched['peak_arkiv_rss_mb']:>8.0f} + {searched['peak_postgres_rss_mb']:.0f}")
        for kind, p in searched["kinds"].items():
            lines.append(f"      {kind:<28}{'':8}{p['p50']:9.1f}{p['p95']:9.1f}")
    if "same_totals" in figures:
        lines.append(f"  same totals on both backends: {figures['same_totals']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    figures = run(parser().parse_args(sys.argv[1:] if argv is None else argv))
    failed = [n for n in VARIANTS if figures.get(n, {}).get("ingest", {}).get(
        "counts", {}).get("failed")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
