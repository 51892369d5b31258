"""End-to-end ingest benchmark: ``arkiv index`` and ``arkiv reindex`` at scale, and resuming.

Over ``--docs`` synthetic text documents (:class:`bench.corpus.CorpusGenerator`, ~1,500
words each, written as .txt files under ``bench/out/ingest/``; 100,000 by default,
the issue's size) it measures, with the real catalog and the real index:

- ingest: ``indexer.pipeline.index_paths`` over the folder — documents/s, and the peak
  memory of the whole process tree (parent + workers: ``VmRSS`` and ``Pss`` of every
  process sampled every 0.5 s, summed; the peak of the sums), with the time the parent
  spends in each of its own steps (hashing, catalog writes, index syncs, grouping);
- reindex: ``indexer.pipeline.reindex`` (a new index generation from the catalog) —
  documents/s and peak memory;
- resume: ``index_paths`` in a child process, killed (SIGKILL by default, or SIGINT)
  once the catalog holds half the documents, then run again to completion — the work
  done (files extracted in both runs / files; target ≤ 1.05) and the time of both runs
  against the uninterrupted one, and that the catalog and the index end up complete;
- the baseline: SQLite FTS5 (``unicode61``) indexing the same texts — documents/s.

``--parts profile`` instead profiles ``--profile-docs`` documents (500): cProfile of the
parent with one worker, and of ``process_file`` run in-process for the workers' share,
summed by pipeline stage.

    python -m bench.ingest --docs 2000                 # quick
    python -m bench.ingest                             # 100,000 documents (hours)
    python -m bench.ingest --parts profile
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import hashlib
import json
import multiprocessing
import os
import pstats
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import with_defaults

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "ingest"
REGISTRY = ROOT / "corpus"
DEFAULT_DOCS = 100_000
DOCS_PER_FOLDER = 1000
SAMPLE_SECONDS = 0.5
TARGET_RESUME_RATIO = 1.05
PARTS = ("ingest", "reindex", "resume", "fts5", "profile")
DEFAULT_PARTS = "ingest,reindex,resume,fts5"


# -- the corpus ---------------------------------------------------------------------------


_generators: dict[int, Any] = {}


def _write_folder(job: tuple[int, int, int, str]) -> int:
    """Write documents ``start`` … ``stop - 1`` (one folder of a corpus)."""
    from bench.corpus import CorpusGenerator

    seed, start, stop, folder = job
    generator = _generators.get(seed)
    if generator is None:
        generator = _generators[seed] = CorpusGenerator(seed)
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for document in generator.documents(stop - start, start=start):
        (target / document.filename).write_text(document.text, encoding="utf-8")
    return stop - start


def write_corpus(count: int, *, seed: int = 1, workers: int = 2, root: Path = OUT) -> Path:
    """``count`` synthetic documents as .txt files, 1,000 a folder; reused when complete.

    Returns the folder to ingest (``…/docs``).
    """
    base = root / f"corpus-seed{seed}-{count}"
    docs = base / "docs"
    marker = base / "complete.json"
    made_by = generator_fingerprint(seed)
    if marker.exists() and json.loads(marker.read_text(encoding="utf-8")).get("generator") == made_by:
        return docs
    shutil.rmtree(base, ignore_errors=True)
    jobs = [
        (seed, start, min(count, start + DOCS_PER_FOLDER), str(docs / f"{start // DOCS_PER_FOLDER:04d}"))
        for start in range(0, count, DOCS_PER_FOLDER)
    ]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        written = sum(pool.imap_unordered(_write_folder, jobs))
    marker.write_text(json.dumps({"documents": written, "seed": seed, "generator": made_by}) + "\n",
                      encoding="utf-8")
    return docs


def generator_fingerprint(seed: int) -> str:
    """What the generator makes now (its first documents, hashed): a corpus written by
    another version of it, or without the seeds, is written again, not reused."""
    from bench.corpus import CorpusGenerator

    generator = _generators.get(seed)
    if generator is None:
        generator = _generators[seed] = CorpusGenerator(seed)
    sample = "".join(generator.document(number).text for number in range(3))
    return hashlib.sha256(sample.encode("utf-8")).hexdigest()[:16]


def corpus_files(docs: Path) -> list[Path]:
    return sorted(docs.rglob("*.txt"))


# -- memory of a process tree ------------------------------------------------------------


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, queue = [], [root]
    while queue:
        pid = queue.pop()
        tree.append(pid)
        queue.extend(children.get(pid, ()))
    return tree


def _kilobytes(path: str, field_name: str) -> int:
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(field_name):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory:
    """Samples the memory of a process tree every ``interval`` seconds, in a thread.

    ``peak_rss`` is the peak of the summed VmRSS (shared pages counted in every process
    that maps them, as the issue asks); ``peak_pss`` the peak of the summed Pss (shared
    pages split between their processes: the memory the tree really uses).
    """

    def __init__(self, root: int | None = None, interval: float = SAMPLE_SECONDS) -> None:
        self.root = root or os.getpid()
        self.interval = interval
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_root_rss = 0
        self.peak_processes = 0
        self.peak_breakdown: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-memory", daemon=True)

    def sample(self) -> None:
        pids = _descendants(self.root)
        rss = [_kilobytes(f"/proc/{pid}/status", "VmRSS:") for pid in pids]
        pss = sum(_kilobytes(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in pids)
        if sum(rss) > self.peak_rss:
            # Who held it: the parent first, then the others largest first (MB).
            self.peak_breakdown = [round(rss[0] / 1024)] + sorted(
                (round(r / 1024) for r in rss[1:]), reverse=True)
        self.peak_rss = max(self.peak_rss, sum(rss))
        self.peak_pss = max(self.peak_pss, pss)
        self.peak_root_rss = max(self.peak_root_rss, rss[0] if rss else 0)
        self.peak_processes = max(self.peak_processes, len(pids))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> TreeMemory:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def to_json(self) -> dict[str, float]:
        return {
            "peak_rss_sum_mb": round(self.peak_rss / 1024, 1),
            "peak_pss_sum_mb": round(self.peak_pss / 1024, 1),
            "peak_parent_rss_mb": round(self.peak_root_rss / 1024, 1),
            "peak_processes": self.peak_processes,
            "peak_rss_by_process_mb": self.peak_breakdown,
        }


# -- where the parent's time goes ---------------------------------------------------------


@contextlib.contextmanager
def parent_timers() -> Iterator[Counter[str]]:
    """Time the parent's own steps of ``index_paths`` (seconds by step) while it runs."""
    from archive.catalog import Catalog
    from indexer import pipeline

    spent: Counter[str] = Counter()
    targets = [
        (pipeline, "sha256_file", "hashing"),
        (pipeline, "sync_index", "index sync"),
        (pipeline, "group_duplicates", "near-duplicate grouping"),
        (Catalog, "add_document", "catalog: add document (+ original)"),
        (Catalog, "log", "catalog: ingest log"),
        (Catalog, "path_state", "catalog: path lookups"),
    ]
    originals = []
    for owner, name, label in targets:
        original = getattr(owner, name)
        originals.append((owner, name, original))
        setattr(owner, name, _timed(original, label, spent))
    try:
        yield spent
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def _timed(func: Callable[..., Any], label: str, spent: Counter[str]) -> Callable[..., Any]:
    @functools.wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started

    return timed


def code_fingerprint() -> str:
    """A short hash of the code and data being measured (archive/, indexer/), so figures
    can be matched to the code they came from while it changes under them."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("archive/**/*.py"), *ROOT.glob("indexer/**/*.py"),
                        *ROOT.glob("indexer/metadata/data/*")]):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


# -- the parts ------------------------------------------------------------------------------


def _progress(total: int, label: str) -> Callable[[Any], None]:
    """An ``on_outcome`` callback printing a line at every 10 % (long runs need a pulse)."""
    started = time.monotonic()
    state = {"done": 0, "next": max(1, total // 10)}

    def tick(_outcome: Any) -> None:
        state["done"] += 1
        if state["done"] >= state["next"]:
            elapsed = time.monotonic() - started
            print(f"    {label}: {state['done']}/{total} files, {state['done'] / elapsed:.1f}/s",
                  flush=True)
            state["next"] += max(1, total // 10)

    return tick


class CpuTime:
    """CPU seconds used by this process and by its reaped children (the workers) meanwhile.

    On a shared machine the wall clock says as much about the neighbours as about
    Arkiv; CPU time says what the work costs. ``ideal_seconds`` is the least wall time
    the same work could take on ``cores`` otherwise idle cores, with the parent a single
    process.
    """

    def __enter__(self) -> CpuTime:
        self._self = resource.getrusage(resource.RUSAGE_SELF)
        self._children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return self

    def __exit__(self, *exc: object) -> None:
        now_self = resource.getrusage(resource.RUSAGE_SELF)
        now_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.parent = _cpu(now_self) - _cpu(self._self)
        self.workers = _cpu(now_children) - _cpu(self._children)

    def ideal_seconds(self, cores: int) -> float:
        return max((self.parent + self.workers) / cores, self.parent)

    def to_json(self, count: int, cores: int) -> dict[str, float]:
        ideal = self.ideal_seconds(cores)
        return {
            "parent_cpu_seconds": round(self.parent, 2),
            "worker_cpu_seconds": round(self.workers, 2),
            "cpu_ms_per_doc": round((self.parent + self.workers) / count * 1000, 2) if count else 0.0,
            "ideal_docs_per_second": round(count / ideal, 2) if ideal else 0.0,
        }


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def run_ingest(docs: Path, home: Path, count: int, workers: int) -> dict[str, Any]:
    from indexer.pipeline import index_paths

    with TreeMemory() as memory, parent_timers() as spent, CpuTime() as cpu:
        started = time.perf_counter()
        report = index_paths(home, [docs], registry_dir=REGISTRY, workers=workers,
                             on_outcome=_progress(count, "ingest"))
        seconds = time.perf_counter() - started
    return {
        "documents": count,
        "seconds": round(seconds, 2),
        "docs_per_second": round(count / seconds, 2),
        **cpu.to_json(count, workers),
        "counts": report.counts,
        "first_failures": [f"{f.path}: {f.reason}" for f in report.failures[:3]],
        "parent_seconds_by_step": {k: round(v, 2) for k, v in spent.most_common()},
        **memory.to_json(),
    }


def run_reindex(home: Path, workers: int) -> dict[str, Any]:
    from indexer.pipeline import reindex

    with TreeMemory() as memory, CpuTime() as cpu:
        started = time.perf_counter()
        count = reindex(home, workers=workers)
        seconds = time.perf_counter() - started
    return {"documents": count, "seconds": round(seconds, 2),
            "docs_per_second": round(count / seconds, 2), **cpu.to_json(count, workers),
            **memory.to_json()}


def run_fts5(files: list[Path], database: Path) -> dict[str, Any]:
    """The baseline: the same texts into SQLite FTS5 (unicode61), 1,000 a transaction."""
    database.unlink(missing_ok=True)
    cpu_before = _cpu(resource.getrusage(resource.RUSAGE_SELF))
    db = sqlite3.connect(database, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, body, tokenize='unicode61')")
    started = time.perf_counter()
    for start in range(0, len(files), 1000):
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO docs (path, body) VALUES (?, ?)",
            ((str(f), f.read_text(encoding="utf-8")) for f in files[start : start + 1000]),
        )
        db.execute("COMMIT")
    seconds = time.perf_counter() - started
    cpu = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - cpu_before
    hits = db.execute("SELECT COUNT(*) FROM docs WHERE docs MATCH 'förvaltningen'").fetchone()[0]
    db.close()
    return {"documents": len(files), "seconds": round(seconds, 2),
            "docs_per_second": round(len(files) / seconds, 2),
            "cpu_ms_per_doc": round(cpu / len(files) * 1000, 3), "check_hits": hits,
            "size_mb": round(database.stat().st_size / 1024 / 1024, 1)}


def _catalog_count(home: Path) -> int:
    path = home / "catalog.sqlite3"
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return int(db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def _child_command(home: Path, docs: Path, log: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "bench.ingest", "--child", str(home), str(docs), str(log),
            str(workers)]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _lines(path: Path) -> int:
    if not path.exists():
        return 0
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def run_resume(docs: Path, home: Path, count: int, workers: int, stop: str,
               uninterrupted: float | None) -> dict[str, Any]:
    """Interrupt an ingest half way, finish it, and count the work both runs did."""
    log = home.parent / f"{home.name}-extracted.log"
    started_log = log.with_name(log.name + ".started")
    log.unlink(missing_ok=True)
    started_log.unlink(missing_ok=True)
    command = _child_command(home, docs, log, workers)
    started = time.perf_counter()
    # The interrupted run's output (a KeyboardInterrupt traceback after SIGINT) is dropped.
    child = subprocess.Popen(command, cwd=ROOT, env=_child_env(), start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    at_kill = 0
    while child.poll() is None:
        at_kill = _catalog_count(home)
        if at_kill >= count // 2:
            # The child leads its own process group: this stops it and its workers only.
            os.killpg(child.pid, signal.SIGKILL if stop == "kill" else signal.SIGINT)
            break
        time.sleep(SAMPLE_SECONDS)
    child.wait()
    first_seconds = time.perf_counter() - started
    if stop == "kill":
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # any worker still alive
    first_extracted = _lines(log)
    first_started = _lines(started_log)
    committed = _catalog_count(home)

    started = time.perf_counter()
    second = subprocess.run(command, cwd=ROOT, env=_child_env(), capture_output=True, text=True,
                            check=False)
    second_seconds = time.perf_counter() - started
    total_extracted = _lines(log)
    counts = json.loads(second.stdout.strip().splitlines()[-1]) if second.returncode == 0 else None
    return {
        "documents": count,
        "signal": "SIGKILL" if stop == "kill" else "SIGINT",
        "catalog_at_interrupt": at_kill,
        "catalog_after_first_run": committed,
        "extracted_first_run": first_extracted,
        "extracted_second_run": total_extracted - first_extracted,
        "work_ratio": round(total_extracted / count, 4),
        "started_first_run": first_started,
        "started_ratio": round(_lines(started_log) / count, 4),
        "first_run_seconds": round(first_seconds, 2),
        "second_run_seconds": round(second_seconds, 2),
        "time_ratio": round((first_seconds + second_seconds) / uninterrupted, 3) if uninterrupted else None,
        "second_run_exit": second.returncode,
        "second_run_counts": counts,
        "second_run_error": second.stderr.strip().splitlines()[-1:] if second.returncode else [],
        "catalog_documents": _catalog_count(home),
        "index_documents": _index_count(home),
    }


def _index_count(home: Path) -> int | None:
    from archive.engine import Index
    from archive.engine.files import open_generation

    generation = Index(home).current()
    if generation is None:
        return None
    ix = open_generation(generation)
    try:
        return int(ix.doc_count())
    finally:
        ix.close()


def _child(home: str, docs: str, log: str, workers: str) -> int:
    """The ingest the resume test interrupts: ``index_paths`` with every finished
    extraction appended to ``log`` and every started one to ``log.started`` (one line
    a file, written by the worker)."""
    from indexer import pipeline

    extract_one = pipeline.process_file

    def counted(task: tuple[str, str]) -> dict[str, Any]:
        with open(log + ".started", "a", encoding="utf-8") as handle:
            handle.write(task[0] + "\n")
        value = extract_one(task)
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(task[0] + "\n")
        return value

    pipeline.process_file = counted
    report = pipeline.index_paths(home, [docs], registry_dir=REGISTRY, workers=int(workers))
    print(json.dumps(report.counts))
    return 1 if report.failures else 0


# -- the profile --------------------------------------------------------------------------

#: Pipeline stages as (label, file the function is in, function name).
WORKER_STAGES = (
    ("extract (read + decode)", "indexer/extract/__init__.py", "extract"),
    ("clean_pages", "indexer/clean.py", "clean_pages"),
    ("mask_personnummer", "indexer/metadata/personnummer.py", "mask_personnummer"),
    ("detect_language", "indexer/language.py", "detect_language"),
    ("extract_metadata", "indexer/metadata/__init__.py", "extract_metadata"),
    ("near-duplicate signature", "indexer/metadata/duplicates.py", "signature"),
    ("LSH bands", "indexer/metadata/duplicates.py", "bands"),
)
PARENT_STAGES = (
    ("discover (walk folders)", "indexer/pipeline.py", "discover"),
    ("hashing (sha256_file)", "archive/catalog.py", "sha256_file"),
    ("catalog: path lookups", "archive/catalog.py", "path_state"),
    ("catalog: add_document", "archive/catalog.py", "add_document"),
    ("  of which store_original", "archive/catalog.py", "store_original"),
    ("near-duplicate grouping", "indexer/pipeline.py", "group_duplicates"),
    ("catalog: ingest log", "archive/catalog.py", "log"),
    ("index sync (sync_index)", "indexer/pipeline.py", "sync_index"),
    ("waiting for the worker", "multiprocessing/connection.py", "wait"),
    ("receiving results (unpickle)", "multiprocessing/connection.py", "recv"),
)


def _stage_times(stats: pstats.Stats, stages: tuple[tuple[str, str, str], ...]) -> dict[str, float]:
    """Cumulative seconds of each stage's function in a profile."""
    table: dict[str, float] = {}
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    for label, filename, function in stages:
        table[label] = sum(
            value[3] for (file, _line, name), value in raw.items()
            if name == function and file.endswith(filename)
        )
    return table


def _top(stats: pstats.Stats, count: int) -> list[tuple[str, float, float, int]]:
    """The functions with the most own time: (where, own s, cumulative s, calls)."""
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    rows = sorted(raw.items(), key=lambda item: item[1][2], reverse=True)[:count]
    return [
        (f"{_short(file)}:{line}({name})", value[2], value[3], value[1])
        for (file, line, name), value in rows
    ]


def _short(file: str) -> str:
    for marker in ("site-packages/", "/work/main/", "python3.11/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def run_profile(docs: Path, home: Path, count: int) -> dict[str, Any]:
    """cProfile of ``index_paths`` with one worker (the parent), and of ``process_file``
    run in-process over the same files (the worker's share)."""
    from indexer import pipeline

    files = corpus_files(docs)[:count]
    shutil.rmtree(home, ignore_errors=True)
    parent = cProfile.Profile()
    started = time.perf_counter()
    parent.enable()
    pipeline.index_paths(home, files, registry_dir=REGISTRY, workers=1)
    parent.disable()
    wall = time.perf_counter() - started

    pipeline._init_worker(str(REGISTRY))
    worker = cProfile.Profile()
    started = time.perf_counter()
    worker.enable()
    for path in files:
        pipeline.process_file((str(path), path.name))
    worker.disable()
    worker_wall = time.perf_counter() - started

    OUT.mkdir(parents=True, exist_ok=True)
    parent.dump_stats(OUT / "profile-parent.prof")
    worker.dump_stats(OUT / "profile-worker.prof")
    parent_stats, worker_stats = pstats.Stats(parent), pstats.Stats(worker)
    return {
        "documents": len(files),
        "wall_seconds_workers_1": round(wall, 2),
        "worker_seconds_in_process": round(worker_wall, 2),
        "worker_ms_per_doc": {k: round(v / len(files) * 1000, 2)
                              for k, v in _stage_times(worker_stats, WORKER_STAGES).items()},
        "parent_ms_per_doc": {k: round(v / len(files) * 1000, 2)
                              for k, v in _stage_times(parent_stats, PARENT_STAGES).items()},
        "worker_top": _top(worker_stats, 20),
        "parent_top": _top(parent_stats, 20),
        "profiles": [str(OUT / "profile-parent.prof"), str(OUT / "profile-worker.prof")],
    }


def profile_table(result: dict[str, Any]) -> str:
    n = result["documents"]
    lines = [f"Profile, {n} documents: index_paths with 1 worker took {result['wall_seconds_workers_1']} s "
             f"({n / result['wall_seconds_workers_1']:.1f} docs/s); process_file in-process "
             f"{result['worker_seconds_in_process']} s (under cProfile)",
             "  worker, ms per document (cumulative):"]
    lines += [f"    {k:34} {v:8.2f}" for k, v in result["worker_ms_per_doc"].items()]
    lines.append("  parent, ms per document (cumulative):")
    lines += [f"    {k:34} {v:8.2f}" for k, v in result["parent_ms_per_doc"].items()]
    for side in ("worker", "parent"):
        lines.append(f"  {side}: top functions by own time (own s, cumulative s, calls)")
        lines += [f"    {where[:78]:78} {own:7.2f} {cum:7.2f} {calls:8d}"
                  for where, own, cum, calls in result[f"{side}_top"][:12]]
    return "\n".join(lines)


# -- the benchmark ---------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=DEFAULT_DOCS, help="documents (default 100,000)")
    p.add_argument("--resume-docs", type=int, default=None,
                   help="documents for the resume test (default: --docs)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--parts", default=DEFAULT_PARTS, help="comma-separated, of: " + ", ".join(PARTS))
    p.add_argument("--profile-docs", type=int, default=500)
    p.add_argument("--stop", choices=("kill", "int"), default="kill",
                   help="how the resume test interrupts the first run: SIGKILL or SIGINT")
    p.add_argument("--json", type=Path, default=None,
                   help="where to write the results (default bench/out/ingest-DOCS.json)")
    p.add_argument("--keep", action="store_true", help="keep the archives built (under bench/out/ingest)")
    return p


@dataclass
class _Run:
    """The archives of one benchmark run (removed afterwards unless ``--keep``)."""

    folder: Path

    @property
    def home(self) -> Path:
        return self.folder / "home"

    @property
    def resume_home(self) -> Path:
        return self.folder / "resume-home"

    @property
    def profile_home(self) -> Path:
        return self.folder / "profile-home"


def run(args: argparse.Namespace | None = None) -> dict[str, Any]:
    """Run the chosen parts, print a summary, and return the figures."""
    options = with_defaults(parser(), args)
    parts = [p.strip() for p in options.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise SystemExit(f"unknown part(s): {', '.join(sorted(unknown))}")
    count = options.docs
    figures: dict[str, Any] = {"documents": count, "workers": options.workers,
                               "started_at": time.strftime("%Y-%m-%d %H:%M:%S"),
                               "code": code_fingerprint(),
                               "load_average_at_start": os.getloadavg()[0], "finished": False}
    target = options.json or OUT.parent / f"ingest-{count}.json"
    target.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        """Keep what is measured so far: a run of hours may be stopped half way."""
        target.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    started = time.perf_counter()
    docs = write_corpus(count, seed=options.seed, workers=options.workers)
    print(f"corpus: {count} documents in {docs} (ready in {time.perf_counter() - started:.1f} s)", flush=True)
    run_dir = _Run(OUT / f"run-{count}-{os.getpid()}")
    run_dir.folder.mkdir(parents=True, exist_ok=True)
    try:
        if "ingest" in parts or "reindex" in parts:
            print("ingest …", flush=True)
            figures["ingest"] = run_ingest(docs, run_dir.home, count, options.workers)
            print(f"  {figures['ingest']['docs_per_second']} docs/s", flush=True)
            save()
        if "reindex" in parts:
            print("reindex …", flush=True)
            figures["reindex"] = run_reindex(run_dir.home, options.workers)
            print(f"  {figures['reindex']['docs_per_second']} docs/s", flush=True)
            save()
        if "fts5" in parts:
            print("FTS5 baseline …", flush=True)
            figures["fts5"] = run_fts5(corpus_files(docs), run_dir.folder / "fts5.sqlite3")
            print(f"  {figures['fts5']['docs_per_second']} docs/s", flush=True)
            save()
        if "resume" in parts:
            resume_count = options.resume_docs or count
            resume_docs = docs if resume_count == count else write_corpus(
                resume_count, seed=options.seed, workers=options.workers)
            uninterrupted = figures.get("ingest", {}).get("seconds") if resume_count == count else None
            print(f"resume ({resume_count} documents) …", flush=True)
            figures["resume"] = run_resume(resume_docs, run_dir.resume_home, resume_count,
                                           options.workers, options.stop, uninterrupted)
            print(f"  work ratio {figures['resume']['work_ratio']}", flush=True)
            save()
        if "profile" in parts:
            print(f"profile ({options.profile_docs} documents) …", flush=True)
            figures["profile"] = run_profile(docs, run_dir.profile_home, options.profile_docs)
        figures["finished"] = True
        save()
    finally:
        if not options.keep:
            shutil.rmtree(run_dir.folder, ignore_errors=True)
    print(summary(figures))
    print(f"results: {target}")
    return figures


def summary(figures: dict[str, Any]) -> str:
    lines = [f"Ingest: {figures['documents']} synthetic text documents, {figures['workers']} workers"]
    if "ingest" in figures:
        i = figures["ingest"]
        lines.append(f"  index_paths   {i['docs_per_second']:8.1f} docs/s  ({i['seconds']} s; {i['counts']})")
        lines.append(f"    CPU: parent {i['parent_cpu_seconds']} s, workers {i['worker_cpu_seconds']} s = "
                     f"{i['cpu_ms_per_doc']} ms a document; at most {i['ideal_docs_per_second']} docs/s "
                     f"on {figures['workers']} otherwise idle cores")
        lines.append(f"    peak memory, all processes: {i['peak_rss_sum_mb']} MB RSS summed "
                     f"({i['peak_pss_sum_mb']} MB PSS); parent {i['peak_parent_rss_mb']} MB; "
                     f"{i['peak_processes']} processes"
                     + (f"; at the peak, MB RSS by process (parent first): "
                        f"{i['peak_rss_by_process_mb']}" if i.get("peak_rss_by_process_mb") else ""))
        lines.append("    parent's own steps, s: " + ", ".join(
            f"{k} {v}" for k, v in i["parent_seconds_by_step"].items()))
    if "reindex" in figures:
        r = figures["reindex"]
        lines.append(f"  reindex       {r['docs_per_second']:8.1f} docs/s  ({r['seconds']} s; "
                     f"{r['cpu_ms_per_doc']} CPU ms a document; "
                     f"peak {r['peak_rss_sum_mb']} MB RSS summed, {r['peak_pss_sum_mb']} MB PSS)")
    if "fts5" in figures:
        f = figures["fts5"]
        lines.append(f"  FTS5 baseline {f['docs_per_second']:8.1f} docs/s  ({f['seconds']} s, one process, "
                     f"{f['cpu_ms_per_doc']} CPU ms a document)")
        if "ingest" in figures:
            lines.append(f"    Arkiv ingest / FTS5: {figures['ingest']['docs_per_second'] / f['docs_per_second']:.3f}")
    if "resume" in figures:
        r = figures["resume"]
        verdict = "met" if r["work_ratio"] <= TARGET_RESUME_RATIO else "NOT met"
        lines.append(f"  resume ({r['documents']} documents, {r['signal']} at {r['catalog_at_interrupt']} in "
                     f"the catalog): extracted {r['extracted_first_run']} + {r['extracted_second_run']} "
                     f"→ work ratio {r['work_ratio']} (target ≤ {TARGET_RESUME_RATIO}: {verdict}; "
                     f"counting extractions cut off by the kill: {r['started_ratio']})")
        lines.append(f"    time {r['first_run_seconds']} + {r['second_run_seconds']} s"
                     + (f" = {r['time_ratio']}× the uninterrupted run" if r["time_ratio"] else "")
                     + f"; end state: catalog {r['catalog_documents']}, index {r['index_documents']} "
                     f"documents; second run exit {r['second_run_exit']} {r['second_run_counts']}")
    if "profile" in figures:
        lines.append(profile_table(figures["profile"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return _child(*argv[1:5])
    found = problems(run(parser().parse_args(argv)))
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


def problems(figures: dict[str, Any]) -> list[str]:
    """What went wrong in a run (not missed targets: failed files, an incomplete resume)."""
    found = []
    if figures.get("ingest", {}).get("counts", {}).get("failed"):
        found.append("ingest: some files failed")
    resume = figures.get("resume")
    if resume and not (resume["second_run_exit"] == 0
                       and resume["catalog_documents"] == resume["index_documents"] == resume["documents"]):
        found.append("resume: the second run did not complete the archive")
    return found


if __name__ == "__main__":
    sys.exit(main())
