"""What the public's access filter costs a search: the same query mix as staff and as the public.

Over a synthetic corpus (:mod:`bench.search`'s catalog and query mix, ``--docs``
documents, ``--internal`` percent of them made internal at random) it runs every query
twice in turn — as staff (no filter) and as the public (``Query.access = ["public"]``:
internal entries are taken off the matches) — and prints p50/p95 for each and their
ratio. Both run in one process over one warmed searcher, alternating, so the machine's
speed changes hit both alike.

    python -m bench.access --docs 10000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.search import _arkiv_query, fill_catalog, make_queries

OUT = Path(__file__).parent / "out" / "access"


def _make_internal(home: Path, percent: float, seed: int) -> int:
    from archive.access import restrict
    from archive.catalog import Catalog
    from archive.engine import Index

    rng = random.Random(seed)
    with Catalog(home) as catalog:
        ids = [d.id for d in catalog.iter_documents(with_text=False)]
        chosen = rng.sample(ids, int(len(ids) * percent / 100))
        with catalog.transaction():
            for doc_id in chosen:
                restrict(catalog, doc_id, "bench", "ingest")
        Index(home).rebuild(catalog)
    return len(chosen)


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def run(docs: int, internal: float, seed: int, rounds: int) -> dict[str, Any]:
    from archive.engine import Searcher

    home = OUT / f"seed{seed}-{docs}" / "home"
    home.parent.mkdir(parents=True, exist_ok=True)
    fill_catalog(home, docs, seed)
    made = _make_internal(home, internal, seed)
    queries = [_arkiv_query(q) for q in make_queries(docs, seed, per_kind=20)]
    searcher = Searcher(home)
    for query in queries[:10]:  # warm both paths
        searcher.search(query)
        searcher.search(replace(query, access=["public"]))
    staff: list[float] = []
    public: list[float] = []
    hidden = 0
    for _ in range(rounds):
        for query in queries:
            for audience, samples in (([], staff), (["public"], public)):
                begin = time.perf_counter()
                results = searcher.search(replace(query, access=audience))
                samples.append((time.perf_counter() - begin) * 1000)
                hidden += results.total if not audience else -results.total
    return {
        "documents": docs, "internal": made, "queries": len(staff),
        "staff_ms": {"p50": _p(staff, 0.5), "p95": _p(staff, 0.95)},
        "public_ms": {"p50": _p(public, 0.5), "p95": _p(public, 0.95)},
        "public_over_staff_mean": round(statistics.mean(public) / statistics.mean(staff), 3),
        "hits_hidden_from_the_public": hidden,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.access", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--internal", type=float, default=5.0, help="percent made internal")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    result = run(args.docs, args.internal, args.seed, args.rounds)
    print(json.dumps(result, indent=2))
    (OUT / "results.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
