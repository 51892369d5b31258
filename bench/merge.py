"""Index merges: copying eight segments into one vs indexing their documents again.

    python -m bench.merge --docs 20000      # or: python -m bench --only merge

A sync during a long ``arkiv index`` run writes a segment; eight segments of a size are
then merged into one. Arkiv copies them (``archive.engine.merger._SegmentMerger``); the baseline
in the same run is what merges did before: reading the documents back from the catalog
and indexing them again (``_index_documents``). Both start from the same eight segments
of a real archive of synthetic documents (``bench.ingest``'s corpus, ingested by the
pipeline) and write a segment that is not committed. Reported: CPU ms per merged
document, wall seconds and peak memory of this process for each.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from typing import Any

from archive.catalog import Catalog
from archive.engine import merger, store, writer
from archive.engine.files import open_generation
from bench.ingest import OUT, REGISTRY, corpus_files, write_corpus
from indexer import pipeline

SEGMENTS = 8


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(work: Any) -> dict[str, float]:
    cpu, wall = _cpu(), time.perf_counter()
    work()
    return {"cpu_seconds": round(_cpu() - cpu, 2), "wall_seconds": round(time.perf_counter() - wall, 2)}


def run(count: int, seed: int, workers: int) -> dict[str, Any]:
    docs = write_corpus(count, seed=seed, workers=workers)
    home = OUT / f"merge-{count}"
    shutil.rmtree(home, ignore_errors=True)
    # Settings changed for this benchmark only: ``python -m bench`` runs others after it.
    saved = (pipeline.INDEX_SYNC_SECONDS, writer.SEGMENT_DOCS, writer.PARALLEL_FROM)
    try:
        # One sync at the end: the catalog is what matters here, not the run's segments.
        pipeline.INDEX_SYNC_SECONDS = float("inf")
        pipeline.index_paths(home, corpus_files(docs), registry_dir=REGISTRY, workers=workers)
        catalog = Catalog(home, readonly=True)
        generation = store.Index(home).root / "gen-bench-merge"
        shutil.rmtree(generation, ignore_errors=True)
        generation.mkdir()
        # Eight segments of count / 8 entries each, as eight syncs would have written.
        writer.SEGMENT_DOCS = max(1, count // SEGMENTS)
        writer.PARALLEL_FROM = sys.maxsize
        writer._build(generation, catalog, None)
        ix = open_generation(generation)
        segments = ix._segments()[:SEGMENTS]
        ids = merger._entry_documents(ix, segments)
        writer.SEGMENT_DOCS = sys.maxsize  # the re-index writes one segment too
        copy = _timed(lambda: merger._SegmentMerger(ix, segments).merged_segment())
        copy["peak_rss_mb"] = _peak_mb()
        reindex = _timed(lambda: writer._index_documents(ix, catalog, ids))
        reindex["peak_rss_mb"] = _peak_mb()  # a process's peak: at least the copy's
        catalog.close()
    finally:
        pipeline.INDEX_SYNC_SECONDS, writer.SEGMENT_DOCS, writer.PARALLEL_FROM = saved
        shutil.rmtree(home, ignore_errors=True)
    merged = len(ids)
    for figures in (copy, reindex):
        figures["cpu_ms_per_document"] = round(figures["cpu_seconds"] / merged * 1000, 3)
    return {"documents": merged, "segments": len(segments), "copy": copy, "reindex": reindex,
            "cpu_ratio": round(reindex["cpu_seconds"] / max(copy["cpu_seconds"], 1e-9), 2)}


def summary(figures: dict[str, Any]) -> str:
    c, r = figures["copy"], figures["reindex"]
    return "\n".join([
        f"Merge of {figures['segments']} segments holding {figures['documents']} documents:",
        f"  copy (Arkiv)           {c['cpu_ms_per_document']:7.3f} CPU ms a document "
        f"({c['cpu_seconds']} CPU s, {c['wall_seconds']} s; peak {c['peak_rss_mb']} MB)",
        f"  re-index (baseline)    {r['cpu_ms_per_document']:7.3f} CPU ms a document "
        f"({r['cpu_seconds']} CPU s, {r['wall_seconds']} s)",
        f"  copy is {figures['cpu_ratio']}× cheaper by CPU",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.merge", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000, help="documents (default 20000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="ingest workers (default 2)")
    options, _unknown = parser.parse_known_args(argv)
    figures = run(options.docs, options.seed, options.workers)
    print(summary(figures))
    target = OUT.parent / f"merge-{options.docs}.json"
    target.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"results: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
