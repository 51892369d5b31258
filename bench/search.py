"""Search benchmark: Arkiv's index against SQLite FTS5 over the same synthetic corpus.

For each size (``--docs``; 10,000 and 100,000 by default) it generates a corpus with
:class:`bench.corpus.CorpusGenerator` into a real catalog (kept under
``bench/out/search/`` and reused by later runs) and measures, each phase in its own
child process so the memory peaks are separate:

- catalog: ``Catalog.add_document`` of every document (originals stored, 500 per
  transaction) — documents/s;
- build: ``Index.rebuild`` from the catalog — documents/s, index size on disk, peak
  memory (the largest process, and the sum over the build's process tree, sampled);
- the same corpus into SQLite FTS5 (``tokenize='unicode61'``, text stored for
  ``snippet()``, facet values in a side table) — documents/s and size;
- queries: a fixed mix (one word, two words, a phrase, a filter with a date range,
  sorted by date), every query with facets over the whole result set and snippets for
  the top 10 — p50/p95 latency per kind, against FTS5 doing the same (``bm25`` ranking,
  ``snippet()``, facet counts with ``GROUP BY`` over the match set).

- the same in tantivy (tantivy-py, the ``bench`` extra; skipped with a note when it
  is not installed): Swedish stemming, facets as fast fields counted by aggregation,
  snippets from its ``SnippetGenerator``.

Ratios are Arkiv / FTS5 and Arkiv / tantivy (below 1 is Arkiv faster or smaller). ``--profile`` adds a
cProfile summary of a query run and of a small build.

    python -m bench.search --docs 10000          # quick (a few minutes)
    python -m bench.search                       # 10,000 and 100,000 documents
    ARKIV_BENCH_OUT=/work/bench100k python -m bench.search --docs 100000 --keep-baselines
                                                 # corpora outside the repo; baselines reused
    python -m bench.search --docs 1000000 --words 300
                                                 # a million shorter documents
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing
import os
import pstats
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.corpus import WORDS_PER_DOC

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(os.environ.get("ARKIV_BENCH_OUT") or ROOT / "bench" / "out" / "search")
DEFAULT_SIZES = (10_000, 100_000)
QUERIES_PER_KIND = 40
KINDS = ("one word", "two words", "phrase", "filter + dates", "sorted by date")
TOP = 10

# -- the corpus in a catalog ----------------------------------------------------------


_generators: dict[tuple[int, int], Any] = {}


def _generate(job: tuple[int, int, int, int]) -> list[Any]:
    from bench.corpus import CorpusGenerator

    seed, words, start, stop = job
    if (seed, words) not in _generators:
        _generators[seed, words] = CorpusGenerator(seed, words)
    return [_generators[seed, words].document(i) for i in range(start, stop)]


def fill_catalog(home: Path, count: int, seed: int, words: int = WORDS_PER_DOC) -> dict[str, Any]:
    """Generate ``count`` documents into a new catalog at ``home``; returns the rates."""
    from archive.catalog import Catalog

    if home.exists():
        shutil.rmtree(home)
    catalog = Catalog(home)
    source = home.parent / "incoming.txt"
    jobs = [(seed, words, start, min(start + 500, count)) for start in range(0, count, 500)]
    inserting = 0.0
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        for docs in pool.imap(_generate, jobs):
            begin = time.perf_counter()
            with catalog.transaction():
                for doc in docs:
                    source.write_text(doc.text, encoding="utf-8")
                    catalog.add_document(
                        path=doc.path, sha256=doc.sha256, source=source, filename=doc.filename,
                        content_type=doc.content_type, size=doc.size, text=doc.text,
                        page_starts=doc.page_starts, metadata=doc.metadata,
                    )
            inserting += time.perf_counter() - begin
    source.unlink(missing_ok=True)
    catalog.close()
    return {
        "documents": count,
        "seconds": round(time.perf_counter() - started, 1),
        "insert_docs_per_s": round(count / inserting, 1),
    }


# -- memory of a process tree ---------------------------------------------------------


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                    stat = f.read()
            except OSError:
                continue
            children.setdefault(int(stat[stat.rfind(")") + 2 :].split()[1]), []).append(
                int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class TreeMemory:
    """Samples the summed RSS of this process and its descendants (peak of the sums)."""

    def __init__(self, every: float = 0.25) -> None:
        self.every = every
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(_rss_mb(p) for p in _tree(os.getpid())))
            self._stop.wait(self.every)


def _max_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (build workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _size_mb(path: Path) -> float:
    files = [path] if path.is_file() else path.rglob("*")
    return round(sum(p.stat().st_size for p in files if p.is_file()) / 2**20, 1)


# -- building -------------------------------------------------------------------------


def build_arkiv(home: Path) -> dict[str, Any]:
    from archive.catalog import Catalog
    from archive.engine import Index

    catalog = Catalog(home)
    index = Index(home)
    with TreeMemory() as memory:
        started, cpu = time.perf_counter(), _cpu_seconds()
        count = index.rebuild(catalog)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    return {
        "documents": count,
        "seconds": round(seconds, 1),
        "docs_per_s": round(count / seconds, 1),
        "docs_per_cpu_s": round(count / cpu, 1),
        "size_mb": _size_mb(index.current()),
        "peak_mb": _max_rss_mb(),
        "peak_tree_mb": round(memory.peak, 1),
    }


FTS_SCHEMA = """
CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='unicode61');
CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, date INTEGER NOT NULL);
CREATE TABLE facets (rowid INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL);
"""
FTS_INDEXES = """
CREATE INDEX docs_date ON docs (date);
CREATE INDEX facets_rowid ON facets (rowid);
CREATE INDEX facets_value ON facets (facet, value, rowid);
"""
FACET_NAMES = ("doc_type", "city", "districts", "cities_mentioned", "projects", "committee",
               "topics", "language")


def _date(doc: Any) -> int:
    value = doc.get("decision_date") or doc.get("document_date") or ""
    return int(value.replace("-", "")) if value else 0


def build_fts(home: Path, database: Path) -> dict[str, Any]:
    from archive.catalog import Catalog

    database.unlink(missing_ok=True)
    catalog = Catalog(home, readonly=True)
    db = sqlite3.connect(database)
    db.executescript(FTS_SCHEMA)
    started, cpu = time.perf_counter(), _cpu_seconds()
    count = 0
    with db:
        for rowid, doc in enumerate(catalog.iter_documents(received_order=True), start=1):
            db.execute("INSERT INTO fts (rowid, title, body) VALUES (?, ?, ?)",
                       (rowid, doc.get("title") or "", doc.text))
            date = _date(doc)
            db.execute("INSERT INTO docs VALUES (?, ?, ?)", (rowid, doc.id, date))
            values = [(rowid, "year", str(date // 10000))] if date else []
            for name in FACET_NAMES:
                value = doc.get(name)
                for v in value if isinstance(value, list) else [value] if value else []:
                    values.append((rowid, name, v))
            db.executemany("INSERT INTO facets VALUES (?, ?, ?)", values)
            count += 1
        db.executescript(FTS_INDEXES)
    db.close()
    return _build_figures(count, started, cpu, database)


def _build_figures(count: int, started: float, cpu: float, path: Path) -> dict[str, Any]:
    """A baseline build's rate, size and peak, from its start (wall clock, CPU seconds)."""
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    return {
        "documents": count,
        "seconds": round(seconds, 1),
        "docs_per_s": round(count / seconds, 1),
        "docs_per_cpu_s": round(count / cpu, 1),
        "size_mb": _size_mb(path),
        "peak_mb": _max_rss_mb(),
    }


# -- tantivy ------------------------------------------------------------------------
#
# The engine paperless-ngx moved to (tantivy-py, the ``bench`` extra): the same documents,
# stemmed in Swedish as Arkiv stems them, the same facets (multi-valued ``raw`` text fast
# fields, counted with a terms aggregation over the match set) and snippets.

TANTIVY_FACETS = (*FACET_NAMES, "year")


def _tantivy_schema() -> Any:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name="sv")
    builder.add_text_field("body", stored=True, tokenizer_name="sv")
    builder.add_integer_field("date", indexed=True, fast=True)
    for name in TANTIVY_FACETS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw")
    return builder.build()


def _tantivy_index(folder: Path) -> Any:
    import tantivy

    index = tantivy.Index(_tantivy_schema(), path=str(folder))
    swedish = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
               .filter(tantivy.Filter.lowercase())
               .filter(tantivy.Filter.stemmer("swedish")).build())
    index.register_tokenizer("sv", swedish)
    return index


def build_tantivy(home: Path, folder: Path) -> dict[str, Any]:
    import tantivy

    from archive.catalog import Catalog

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    catalog = Catalog(home, readonly=True)
    index = _tantivy_index(folder)
    started, cpu = time.perf_counter(), _cpu_seconds()
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    count = 0
    for doc in catalog.iter_documents(received_order=True):
        date = _date(doc)
        fields: dict[str, Any] = {"id": doc.id, "title": doc.get("title") or "",
                                  "body": doc.text, "date": date}
        if date:
            fields["year"] = str(date // 10000)
        for name in FACET_NAMES:
            value = doc.get(name)
            values = value if isinstance(value, list) else [value] if value else []
            if values:
                fields[name] = list(values)
        writer.add_document(tantivy.Document(**fields))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return _build_figures(count, started, cpu, folder)


def query_tantivy(folder: Path, queries: list[dict[str, Any]]) -> dict[str, Any]:
    index = _tantivy_index(folder)
    index.reload()
    return _baseline_mix(lambda q: _tantivy_search(index, q), queries)


def _tantivy_search(index: Any, q: dict[str, Any]) -> tuple[int, list[Any], dict[str, Any]]:
    """One search as tantivy does it: total, top 10 with snippets, facets of the match set."""
    import tantivy

    searcher = index.searcher()
    if q["kind"] == "phrase":
        text = '"' + " ".join(q["words"]) + '"'
    else:
        text = " ".join(f"+{w}" for w in q["words"])
    query = index.parse_query(text, ["title", "body"])
    if "city" in q:
        low, high = (int(q[k].replace("-", "")) for k in ("from", "to"))
        query = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, query),
            (tantivy.Occur.Must, tantivy.Query.term_query(index.schema, "city", q["city"])),
            (tantivy.Occur.Must, tantivy.Query.range_query(
                index.schema, "date", tantivy.FieldType.Integer, low, high)),
        ])
    if q.get("sort") == "newest":
        result = searcher.search(query, TOP, count=True, order_by_field="date",
                                 order=tantivy.Order.Desc)
    else:
        result = searcher.search(query, TOP, count=True)
    snippets = tantivy.SnippetGenerator.create(searcher, query, index.schema, "body")
    hits = []
    for _score, address in result.hits:
        doc = searcher.doc(address)
        hits.append((doc["id"][0], snippets.snippet_from_doc(doc).to_html()))
    facets = searcher.aggregate(query, {name: {"terms": {"field": name, "size": 100}}
                                        for name in TANTIVY_FACETS})
    return result.count, hits, facets


# -- queries --------------------------------------------------------------------------

_LETTERS = re.compile(r"[^\W\d_]{3,}")


def make_queries(count: int, seed: int, per_kind: int,
                 words_per_doc: int = WORDS_PER_DOC) -> list[dict[str, Any]]:
    """The fixed query mix: the same for both engines, drawn from the corpus itself."""
    from archive.engine import SWEDISH_STOP_WORDS
    from bench.corpus import THEMES, CorpusGenerator

    rng = random.Random(seed * 7919)
    generator = CorpusGenerator(seed, words_per_doc)
    words = [w for w in generator.vocabulary.words[150:4000]
             if w not in SWEDISH_STOP_WORDS and _LETTERS.fullmatch(w)]
    themes = [w.lower() for values in THEMES.values() for w in values if _LETTERS.fullmatch(w)]
    queries: list[dict[str, Any]] = []
    for _ in range(per_kind):
        queries.append({"kind": "one word", "words": [rng.choice(words + themes)]})
        queries.append({"kind": "two words", "words": [rng.choice(themes), rng.choice(words)]})
        queries.append({"kind": "phrase", "words": _phrase(generator, rng, count)})
        year = rng.randint(1995, 2021)
        queries.append({"kind": "filter + dates", "words": [rng.choice(themes)],
                        "city": "Stockholm", "from": f"{year}-01-01", "to": f"{year + 4}-12-31"})
        queries.append({"kind": "sorted by date", "words": [rng.choice(themes + words)],
                        "sort": "newest"})
    return queries


def _phrase(generator: Any, rng: random.Random, count: int) -> list[str]:
    from archive.engine import SWEDISH_STOP_WORDS

    while True:
        words = _LETTERS.findall(generator.document(rng.randrange(count)).text.lower())
        start = rng.randrange(len(words) - 1)
        pair = words[start : start + 2]
        if not set(pair) & SWEDISH_STOP_WORDS:
            return pair


def _percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:  # a query file without this kind (e.g. a profile of one kind)
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 2), "p95": round(p95, 2),
            "max": round(ordered[-1], 2)}


def _summarise(timings: dict[str, list[float]], cpu: dict[str, list[float]], totals: list[int],
               first: float) -> dict[str, Any]:
    """Latency percentiles per kind: wall clock, and CPU time (what an idle machine sees)."""
    return {
        "kinds": {kind: _percentiles(values) for kind, values in timings.items()},
        "all": _percentiles([t for values in timings.values() for t in values]),
        "cpu_kinds": {kind: _percentiles(values) for kind, values in cpu.items()},
        "cpu_all": _percentiles([t for values in cpu.values() for t in values]),
        "first_query_ms": round(first, 1),
        "mean_total": round(statistics.mean(totals), 1),
        "peak_mb": _max_rss_mb(),
    }


def query_arkiv(home: Path, queries: list[dict[str, Any]], profile: bool) -> dict[str, Any]:
    from archive.engine import Searcher
    from archive.query import Query

    searcher = Searcher(home)
    started = time.perf_counter()
    searcher.search(Query(text="kommun", page_size=TOP))
    first = (time.perf_counter() - started) * 1000
    for text in ("nämnd", '"sociala frågor"', "hemlöshet stad:Stockholm"):
        searcher.search(Query(text=text, page_size=TOP))
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    totals = []
    for q in queries:
        query = _arkiv_query(q)
        begin, begin_cpu = time.perf_counter(), time.process_time()
        results = searcher.search(query)
        timings[q["kind"]].append((time.perf_counter() - begin) * 1000)
        cpu[q["kind"]].append((time.process_time() - begin_cpu) * 1000)
        assert len(results.hits) <= TOP and all(h.snippets for h in results.hits)
        totals.append(results.total)
    summary = _summarise(timings, cpu, totals, first)
    summary["anonymous_mb"] = _anonymous_mb()
    if profile:  # a second, untimed pass (fresh caches) under the profiler
        searcher = Searcher(home)
        profiler = cProfile.Profile()
        profiler.enable()
        for q in queries:
            searcher.search(_arkiv_query(q))
        profiler.disable()
        summary["profile"] = _profile_table(profiler)
    return summary


def _arkiv_query(q: dict[str, Any]) -> Any:
    from archive.query import Query

    words = q["words"]
    text = f'"{" ".join(words)}"' if q["kind"] == "phrase" else " ".join(words)
    return Query(text=text, page_size=TOP, city=[q["city"]] if "city" in q else [],
                 date_from=q.get("from"), date_to=q.get("to"), sort=q.get("sort", "relevance"))


def _anonymous_mb() -> float:
    """This process's memory that is not mapped files (the index pages read are)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def query_fts(database: Path, queries: list[dict[str, Any]]) -> dict[str, Any]:
    db = sqlite3.connect(database)
    return _baseline_mix(lambda q: _fts_search(db, q), queries)


def _baseline_mix(search: Any, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """A baseline's latencies over the mix: ``search(q)`` → (total, top hits, facets)."""
    started = time.perf_counter()
    search({"kind": "one word", "words": ["kommun"]})
    first = (time.perf_counter() - started) * 1000
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    totals = []
    for q in queries:
        begin, begin_cpu = time.perf_counter(), time.process_time()
        total, hits, _facets = search(q)
        timings[q["kind"]].append((time.perf_counter() - begin) * 1000)
        cpu[q["kind"]].append((time.process_time() - begin_cpu) * 1000)
        assert len(hits) <= TOP
        totals.append(total)
    return _summarise(timings, cpu, totals, first)


def _fts_search(db: sqlite3.Connection, q: dict[str, Any]) -> tuple[int, list[Any], list[Any]]:
    """One search as FTS5 does it: total, top 10 with snippets, facets of the match set."""
    if q["kind"] == "phrase":
        match = '"' + " ".join(q["words"]) + '"'
    else:
        match = " ".join(f'"{w}"' for w in q["words"])
    where = "fts MATCH ?"
    args: list[Any] = [match]
    if "city" in q:
        where += (" AND fts.rowid IN (SELECT d.rowid FROM docs d JOIN facets f"
                  " ON f.rowid = d.rowid WHERE f.facet = 'city' AND f.value = ?"
                  " AND d.date BETWEEN ? AND ?)")
        args += [q["city"], int(q["from"].replace("-", "")), int(q["to"].replace("-", ""))]
    total = db.execute(f"SELECT count(*) FROM fts WHERE {where}", args).fetchone()[0]
    order = "docs.date DESC" if q.get("sort") == "newest" else "bm25(fts)"
    hits = db.execute(
        f"SELECT docs.id, snippet(fts, 1, '<mark>', '</mark>', '…', 24) FROM fts "
        f"JOIN docs ON docs.rowid = fts.rowid WHERE {where} ORDER BY {order} LIMIT {TOP}",
        args,
    ).fetchall()
    facets = db.execute(
        f"SELECT facet, value, count(*) FROM facets WHERE rowid IN "
        f"(SELECT fts.rowid FROM fts WHERE {where}) GROUP BY facet, value",
        args,
    ).fetchall()
    return total, hits, facets


# -- profiles -------------------------------------------------------------------------


def _profile_table(profiler: cProfile.Profile, count: int = 18) -> str:
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("tottime").print_stats(count)
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(lines[start:])


def profile_build(home: Path, documents: int) -> dict[str, Any]:
    """cProfile of building ``documents`` documents in this one process."""
    from archive.catalog import Catalog
    from archive.engine import writer
    from archive.engine.files import create_generation

    catalog = Catalog(home, readonly=True)
    folder = OUT / "profile-build"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ix = create_generation(folder)
    builder = writer._SegmentBuilder(ix, documents)
    profiler = cProfile.Profile()
    profiler.enable()
    for n, doc in enumerate(catalog.iter_documents()):
        if n == documents:
            break
        builder.add(doc)
    builder.finish()
    profiler.disable()
    shutil.rmtree(folder, ignore_errors=True)
    return {"profile": _profile_table(profiler)}


# -- running --------------------------------------------------------------------------


def _child(argv: list[str]) -> int:
    phase, options = argv[0], json.loads(argv[1])
    home = Path(options["home"])
    if phase == "catalog":
        result = fill_catalog(home, options["docs"], options["seed"], options["words"])
    elif phase == "build":
        result = build_arkiv(home)
    elif phase == "fts-build":
        result = build_fts(home, Path(options["fts"]))
    elif phase == "query-arkiv":
        queries = json.loads(Path(options["queries"]).read_text(encoding="utf-8"))
        result = query_arkiv(home, queries, options["profile"])
    elif phase == "tantivy-build":
        result = build_tantivy(home, Path(options["tantivy"]))
    elif phase == "query-tantivy":
        queries = json.loads(Path(options["queries"]).read_text(encoding="utf-8"))
        result = query_tantivy(Path(options["tantivy"]), queries)
    elif phase == "query-fts":
        queries = json.loads(Path(options["queries"]).read_text(encoding="utf-8"))
        result = query_fts(Path(options["fts"]), queries)
    else:
        result = profile_build(home, options["profile_docs"])
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _in_child(phase: str, options: dict[str, Any]) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "bench.search", "--child", phase, json.dumps(options)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench.search: phase {phase} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_size(count: int, args: argparse.Namespace) -> dict[str, Any]:
    folder = OUT / (f"seed{args.seed}-{count}"
                    + (f"-w{args.words}" if args.words != WORDS_PER_DOC else ""))
    folder.mkdir(parents=True, exist_ok=True)
    home = folder / "home"
    marker = folder / "catalog.json"
    options: dict[str, Any] = {"home": str(home), "docs": count, "seed": args.seed,
                               "words": args.words,
                               "fts": str(folder / "fts5.sqlite3"),
                               "tantivy": str(folder / "tantivy"),
                               "queries": str(folder / "queries.json"),
                               "profile": args.profile, "profile_docs": args.profile_docs}
    figures: dict[str, Any] = {"documents": count, "words": args.words,
                               "load": os.getloadavg()[0]}
    print(f"[{count}] catalog …", flush=True)
    cached = json.loads(marker.read_text()) if marker.exists() else None
    if cached is None or cached.get("documents") != count or args.fresh:
        cached = _in_child("catalog", options)
        (folder / "baselines.json").unlink(missing_ok=True)  # built from another catalog
        marker.write_text(json.dumps(cached) + "\n", encoding="utf-8")
    figures["catalog"] = cached
    print(f"[{count}] building Arkiv's index …", flush=True)
    figures["arkiv_build"] = _in_child("build", options)
    kept_file = folder / "baselines.json"
    kept = json.loads(kept_file.read_text()) if kept_file.exists() and args.keep_baselines else {}
    if "fts_build" not in kept or not Path(options["fts"]).exists():
        print(f"[{count}] building FTS5 …", flush=True)
        kept["fts_build"] = _in_child("fts-build", options)
    figures["fts_build"] = kept["fts_build"]
    if _has_tantivy():
        if "tantivy_build" not in kept or not Path(options["tantivy"]).exists():
            print(f"[{count}] building tantivy …", flush=True)
            kept["tantivy_build"] = _in_child("tantivy-build", options)
        figures["tantivy_build"] = kept["tantivy_build"]
    kept_file.write_text(json.dumps(kept) + "\n", encoding="utf-8")
    queries = make_queries(count, args.seed, args.queries, args.words)
    Path(options["queries"]).write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    print(f"[{count}] {len(queries)} queries each …", flush=True)
    figures["arkiv_query"] = _in_child("query-arkiv", options)
    figures["fts_query"] = _in_child("query-fts", options)
    if "tantivy_build" in figures:
        figures["tantivy_query"] = _in_child("query-tantivy", options)
    if args.profile:
        figures["build_profile"] = _in_child("profile-build", options)["profile"]
    (folder / "results.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False),
                                         encoding="utf-8")
    return figures


def _has_tantivy() -> bool:
    """tantivy-py is the ``bench`` extra: without it the table has FTS5 only."""
    try:
        import tantivy  # noqa: F401
    except ImportError:
        print("bench.search: tantivy not installed (pip install -e '.[bench]'): FTS5 only",
              file=sys.stderr)
        return False
    return True


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "–"


def table(f: dict[str, Any]) -> str:
    ab, fb, tb = f["arkiv_build"], f["fts_build"], f.get("tantivy_build")
    aq, fq, tq = f["arkiv_query"], f["fts_query"], f.get("tantivy_query")
    other = tb is not None

    def row(label: str, a: float, b: float | None, c: float | None, fmt: str = ",.0f") -> str:
        line = f"  {label:28}{a:>12{fmt}}{b:>12{fmt}}" if b is not None else f"  {label:28}{a:>12{fmt}}{'':>12}"
        if other:
            line += f"{c:>12{fmt}}" if c is not None else f"{'':>12}"
        line += f"{_ratio(a, b):>12}" if b is not None else f"{'':>12}"
        if other and c is not None:
            line += f"{_ratio(a, c):>14}"
        return line

    head = f"  {'':28}{'Arkiv':>12}{'FTS5':>12}"
    if other:
        head += f"{'tantivy':>12}"
    head += f"{'Arkiv/FTS5':>12}" + (f"{'Arkiv/tantivy':>14}" if other else "")
    lines = [
        f"Search benchmark: {f['documents']:,} documents of about {f.get('words', WORDS_PER_DOC):,} "
        f"words (load average {f['load']:.1f} "
        f"on {os.cpu_count()} cores at the start)",
        f"  catalog insert (Catalog.add_document): {f['catalog']['insert_docs_per_s']:,.0f} docs/s",
        "",
        head,
        row("build, docs/s", ab["docs_per_s"], fb["docs_per_s"], tb and tb["docs_per_s"]),
        row("build, docs per CPU-second", ab["docs_per_cpu_s"], fb["docs_per_cpu_s"],
            tb and tb["docs_per_cpu_s"]),
        row("index size, MB", ab["size_mb"], fb["size_mb"], tb and tb["size_mb"]),
        row("build peak memory, MB", ab["peak_mb"], fb["peak_mb"], tb and tb["peak_mb"]),
        f"  {'  (sum over processes)':28}{ab['peak_tree_mb']:>12,.0f}",
        row("query peak memory, MB", aq["peak_mb"], fq["peak_mb"], tq and tq["peak_mb"]),
        f"  {'  (not mapped index files)':28}{aq['anonymous_mb']:>12,.0f}",
        row("first query, ms", aq["first_query_ms"], fq["first_query_ms"],
            tq and tq["first_query_ms"], ",.1f"),
        row("mean hits a query", aq["mean_total"], fq["mean_total"], tq and tq["mean_total"]),
    ]
    for label, kinds, every in (("wall clock", "kinds", "all"), ("CPU time", "cpu_kinds", "cpu_all")):
        lines += ["", f"  {f'latency ms, {label} (p50/p95)':34}{'Arkiv':>14}{'FTS5':>16}"
                      + (f"{'tantivy':>16}" if other else "")
                      + f"{'÷FTS5 p50/p95':>16}" + (f"{'÷tantivy p50/p95':>20}" if other else "")]
        for kind in [*KINDS, "all"]:
            a = aq[every] if kind == "all" else aq[kinds][kind]
            b = fq[every] if kind == "all" else fq[kinds][kind]
            line = f"  {kind:28}{a['p50']:>12.1f}/{a['p95']:<7.1f}{b['p50']:>8.1f}/{b['p95']:<7.1f}"
            if other:
                c = tq[every] if kind == "all" else tq[kinds][kind]
                line += f"{c['p50']:>8.1f}/{c['p95']:<7.1f}"
            line += f"{_ratio(a['p50'], b['p50']):>8}/{_ratio(a['p95'], b['p95']):<7}"
            if other:
                line += f"{_ratio(a['p50'], c['p50']):>12}/{_ratio(a['p95'], c['p95'])}"
            lines.append(line)
    if "profile" in aq:
        lines += ["", "  Query profile (cProfile, tottime):", aq["profile"]]
    if "build_profile" in f:
        lines += ["", "  Build profile, one process (cProfile, tottime):", f["build_profile"]]
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.search",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", default=",".join(str(n) for n in DEFAULT_SIZES),
                   help="corpus sizes, comma-separated (default 10000,100000)")
    p.add_argument("--queries", type=int, default=QUERIES_PER_KIND,
                   help=f"queries of each kind (default {QUERIES_PER_KIND})")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--words", type=int, default=WORDS_PER_DOC,
                   help=f"mean words a document (default {WORDS_PER_DOC}; fewer for a "
                        "million documents on a small disk)")
    p.add_argument("--fresh", action="store_true", help="regenerate the catalog")
    p.add_argument("--keep-baselines", action="store_true",
                   help="reuse the FTS5 and tantivy indexes (and their build figures) of an "
                        "earlier run on the same catalog")
    p.add_argument("--profile", action="store_true", help="add cProfile summaries")
    p.add_argument("--profile-docs", type=int, default=3000)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return _child(argv[1:])
    args = parser().parse_args(argv)
    for count in (int(n) for n in str(args.docs).split(",") if n.strip()):
        print(table(run_size(count, args)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
