"""From files on disk to documents in the archive: the ingest pipeline.

    file ──extract──▶ raw pages ──clean──▶ text ──language, metadata──▶ Document
    Document ──catalog (original, text, metadata, log)──▶ search index

Extraction, cleaning, language and metadata run in worker processes (one per core),
each file with a time limit and a memory cap; the parent is the single writer of the
catalog and the index. One bad file never stops a batch: it is logged with a one-line
reason and the batch goes on. Unchanged files (same size and mtime, or same content
hash) are skipped, so a re-run over the same folders does no work.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.access import INTERNAL, restrict, restrict_container, spread
from archive.catalog import Catalog, PathState, now_iso, sha256_file
from archive.groups import merge_group, shown_member
from archive.home import ensure_home, write_lock
from archive.jobs import clear_job, write_job
from archive.models import document_id
from archive.repair import restore_if_damaged
from indexer import parts
from indexer.access_rules import AccessRules
from indexer.clean import clean_pages
from indexer.extract import extract, ocr
from indexer.language import detect_language
from indexer.metadata import extract_metadata
from indexer.metadata.arenden import link_agenda
from indexer.metadata.duplicates import NEAR_DUPLICATE_THRESHOLD, bands, signature, similarity
from indexer.metadata.personnummer import mask_personnummer
from indexer.metadata.registry import Registry
from indexer.metadata.sekretess import sekretess_marking
from indexer.progress import Progress
from indexer.workers import WorkerPool

if TYPE_CHECKING:
    from indexer.distributed import BrokerPool

#: Files in a folder that are registries or housekeeping, not documents.
SKIPPED_SUFFIXES = frozenset({".toml"})
#: Fewer words than this and a text is too short to compare for near-duplicates.
MIN_WORDS_FOR_DUPLICATES = 50
DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MB = 2048
DEFAULT_MAX_FILE_MB = 512
#: During a long run, new documents become searchable this often (seconds). Each sync
#: writes a segment, and every segment's term dictionary costs about as much to write
#: whatever its size; eight segments of a size are then merged into one (copied, at
#: about a third of what writing them cost), so few, larger syncs are cheaper.
INDEX_SYNC_SECONDS = 60.0

_registry: Registry | None = None


@dataclass
class FileOutcome:
    path: str
    status: str  # new | updated | unchanged | failed
    reason: str | None = None
    document_id: str | None = None
    #: Unchanged since it failed in an earlier run (not tried again; see --retry-failed).
    failed_before: bool = False


@dataclass
class IndexReport:
    """What an ``arkiv index`` run did, file by file, with counts."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    elapsed: float = 0.0
    pages: int = 0
    #: Pages read by OCR, and files left with pages that need it (OCR off or missing).
    ocr_pages: int = 0
    needs_ocr: int = 0

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(o.status for o in self.outcomes)
        return {s: counts.get(s, 0) for s in ("new", "updated", "unchanged", "failed")}

    @property
    def failures(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def members(self) -> list[FileOutcome]:
        """Outcomes of the attachments and archive members (``container!/name``)."""
        return [o for o in self.outcomes if parts.SEPARATOR in o.path]

    @property
    def failed_before(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.failed_before]


def discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[Path, str | None]]:
    """Every file under ``paths`` (recursively, in a stable order), or why a path is unusable.

    Yields ``(path, None)`` for a file to ingest and ``(path, reason)`` for a path that
    cannot be read. Hidden files and folders and registry files (``*.toml``) are passed
    over; a file named explicitly is always tried.
    """
    for given in paths:
        path = Path(given).expanduser()
        if path.is_file():
            yield path.resolve(), None
        elif path.is_dir():
            for root, dirs, files in os.walk(path, onerror=None):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(".") or Path(name).suffix.lower() in SKIPPED_SUFFIXES:
                        continue
                    found = (Path(root) / name).resolve()
                    # A named pipe or device would block or never end when read.
                    special = found.exists() and not found.is_file()
                    yield found, "not a regular file" if special else None
        elif path.exists():
            yield path.resolve(), "not a regular file"
        else:
            yield path.absolute(), "no such file or folder"


# -- the work done in a worker process ----------------------------------------------


def _init_worker(registry_dir: str | None, parent: int | None = None, ocr_mode: str = "auto",
                 ocr_page_timeout: float = ocr.DEFAULT_PAGE_TIMEOUT) -> None:
    global _registry
    if parent is not None:
        _die_with_parent(parent)
    _registry = Registry.load(registry_dir)
    ocr.configure(ocr_mode, ocr_page_timeout)


#: prctl(2) option: the signal a process gets when its parent dies (Linux).
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """End this worker when the arkiv process that started it dies, even by kill -9.

    A worker inherits the archive's write lock; an orphan stuck in a parser would keep
    the archive "busy" long after its ``arkiv index`` was killed.
    """
    with contextlib.suppress(OSError, AttributeError):  # not Linux: workers end at EOF
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before that took effect
        os._exit(1)


def process_file(task: tuple[str, str] | tuple[str, str, int]) -> dict[str, Any]:
    """Extract, clean and describe one file (runs in a worker; pure of the catalog).

    ``task`` is ``(path to read, the file's own name)``, and for a member of a mail or
    an archive, how deep in containers it is; the name matters when the path is a
    content-addressed original or a spooled member.
    """
    path, _name, *nested = task
    depth = nested[0] if nested else 0
    registry = _registry if _registry is not None else Registry.load(None)
    extracted = extract(path)
    text, page_starts = clean_pages(extracted.pages)
    text, personnummer = mask_personnummer(text)
    language, confidence = detect_language(text)
    metadata = extract_metadata(
        text,
        title_hint=extracted.title,
        blocks=extracted.blocks,
        registry=registry,
        page_starts=page_starts,
    )
    metadata["language"] = language
    metadata["language_confidence"] = round(confidence, 3)
    metadata["needs_ocr"] = extracted.needs_ocr
    metadata["pages"] = len(extracted.pages)
    if extracted.ocr_status:
        metadata["text_source"] = extracted.text_sources
        metadata["ocr_confidence"] = extracted.ocr_confidence
        metadata["ocr_status"] = extracted.ocr_status
    if extracted.encoding:
        metadata["encoding"] = extracted.encoding
    if extracted.warnings:
        metadata["warnings"] = extracted.warnings
    metadata["personnummer"] = personnummer or metadata.get("personnummer", 0)
    metadata.update(extracted.metadata)
    marking = sekretess_marking(text, page_starts)
    if marking:
        metadata["sekretess"] = marking
    sig = signature(text) if len(text.split()) >= MIN_WORDS_FOR_DUPLICATES else None
    result = {
        "content_type": extracted.content_type,
        "text": text,
        "page_starts": page_starts,
        "metadata": metadata,
        "signature": sig,
        "bands": bands(sig) if sig else [],
    }
    if extracted.parts:  # a mail or an archive: its members are tasks of their own
        result.update(parts.spool(extracted.parts, depth))
    return result


# -- the parent: the single writer --------------------------------------------------


def _fallback_title(metadata: dict[str, Any], filename: str) -> None:
    if not metadata.get("title"):
        metadata["title"] = Path(filename).stem.replace("_", " ")


def group_duplicates(catalog: Catalog, doc_id: str, sig: list[int] | None, keys: list[str]) -> None:
    """Put a new document into its near-duplicate group, if it has one."""
    if not sig:
        return
    candidates = catalog.duplicate_candidates(keys, exclude=doc_id)
    similar = [cid for cid, other in candidates.items() if similarity(sig, other) >= NEAR_DUPLICATE_THRESHOLD]
    if not similar:
        return
    members: list[str] = [doc_id]
    for cid in similar:
        members.extend(m for m in catalog.group_of(cid) if m not in members)
    regroup(catalog, members)


def regroup(catalog: Catalog, members: list[str]) -> None:
    """Show the group's chosen member (:func:`archive.groups.shown_member`: the original
    format, then the richest metadata); every member carries the group's merged metadata
    (so a rendering without a header inherits the dnr and dates)."""
    own = {m: catalog.own_metadata(m) for m in members}
    kinds = {m: catalog.get(m, with_text=False).content_type for m in members}
    shown = shown_member({m: (kinds[m], own[m]) for m in members})
    ordered = [shown, *(m for m in members if m != shown)]
    catalog.set_group(shown, ordered, merged_metadata({m: own[m] for m in ordered}))


def merged_metadata(members: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A group's metadata (members by id, richest first): merged from its richest member,
    except that the ärenden come from the rendering with real pages (a PDF's page ranges
    beat a text file's); ``arenden_source`` names the document their offsets refer to."""
    merged = merge_group(list(members.values()))
    with_arenden = [doc_id for doc_id, meta in members.items() if meta.get("arenden")]
    if with_arenden:
        paged = max(with_arenden, key=lambda doc_id: members[doc_id].get("pages") or 0)
        merged["arenden"] = members[paged]["arenden"]
        merged["arenden_source"] = paged
    return merged


def link_meetings(catalog: Catalog, doc_ids: Iterable[str]) -> None:
    """Link a kallelse's agenda items and the protokoll §§ that decided them.

    Documents of the same meeting (same committee and meeting date) are paired; an
    item and a § are linked when they share a Dnr, or failing that a heading.
    """
    meetings = set()
    ids = list(dict.fromkeys(doc_ids))
    for start in range(0, len(ids), 500):  # a run's documents are read a batch at a time
        for doc in catalog.get_many(ids[start : start + 500], with_text=False).values():
            meta = doc.metadata
            date = (meta.get("meeting") or {}).get("meeting_date")
            if meta.get("doc_type") in ("kallelse", "protokoll") and meta.get("committee") and date:
                meetings.add((meta["committee"], date))
    for committee, date in sorted(meetings):
        docs = catalog.meeting_documents(committee, date)
        notices = [d for d in docs if d.metadata.get("doc_type") == "kallelse"]
        minutes = [d for d in docs if d.metadata.get("doc_type") == "protokoll"]
        for notice in notices:
            for protocol in minutes:
                items, paragraphs = notice.metadata["arenden"], protocol.metadata["arenden"]
                for i, j in link_agenda(items, paragraphs):
                    items[i]["decided_in"] = {"document": protocol.id, "number": paragraphs[j]["number"]}
                    paragraphs[j]["agenda_item"] = {"document": notice.id, "number": items[i]["number"]}
                catalog.set_arenden(notice.id, items)
                catalog.set_arenden(protocol.id, paragraphs)


def _discard_original(catalog: Catalog, stored: Future[Path], digest: str) -> None:
    """Remove the copy made ahead of a file that then failed, unless a document has it."""
    with contextlib.suppress(Exception):  # the copy may have failed too: nothing to remove
        path = stored.result()
        if catalog.get(document_id(digest), with_text=False) is None:
            path.unlink(missing_ok=True)


class _BackgroundSync:
    """Index syncs during a long run, in a process of their own, so results keep being
    stored (and workers fed) while a segment is written or merged. A thread would not
    do: writing a segment is Python work, and holding the interpreter lock it starved
    the writer. At most one sync runs at a time; an error in one is raised by the next
    call or at the end.

    The process is forked when this object is made, before the writer starts threads
    of its own (forking a process with threads can copy a lock someone holds).
    """

    def __init__(self, home: Path) -> None:
        self.home = home
        self.executor = ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("fork"),
            initializer=_die_with_parent, initargs=(os.getpid(),))
        self.executor.submit(int).result()  # start the process now
        self.running: Future[None] | None = None

    def __enter__(self) -> _BackgroundSync:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.running is not None and exc[0] is None:
                self.running.result()
        finally:
            # Always wait for the sync process, also after an error: an executor still
            # shutting down at interpreter exit races its own wake-up pipe (Python's
            # concurrent.futures.process._python_exit writes to it as the manager thread
            # closes it), printing "Exception ignored in: <module 'threading'> … Bad file
            # descriptor" after arkiv's own one-line error.
            self.executor.shutdown(wait=True, cancel_futures=True)

    def sync(self, *, wait: bool = False) -> None:
        """Start a sync unless one is running; ``wait``: one that starts after everything
        stored so far, and its end (the last sync of a run)."""
        if self.running is not None:
            if not self.running.done() and not wait:
                return
            self.running.result()
        self.running = self.executor.submit(_sync_in_process, str(self.home))
        if wait:
            self.running.result()


def _sync_in_process(home: str) -> None:
    with Catalog(home, readonly=True) as catalog:
        sync_index(Path(home), catalog)


def sync_index(home: Path, catalog: Catalog) -> None:
    """Bring the search index up to date with the catalog (creating it if needed)."""
    from archive.engine import backend_for

    index = backend_for(home)
    if index.needs_rebuild():
        index.rebuild(catalog)
    else:
        index.sync(catalog)


def _unchanged(catalog: Catalog, state: PathState, path: Path, size: int) -> FileOutcome:
    """An unchanged file: "unchanged", or "updated" when its original was missing or
    damaged and has been restored from it."""
    if restore_if_damaged(catalog, state.sha256, size, path):
        return FileOutcome(str(path), "updated", "original restored from this file",
                           document_id=state.document_id)
    return FileOutcome(str(path), "unchanged", document_id=state.document_id)


def index_paths(
    home: str | os.PathLike[str],
    paths: Iterable[str | os.PathLike[str]],
    *,
    registry_dir: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
    max_file_mb: int = DEFAULT_MAX_FILE_MB,
    progress: str = "none",
    retry_failed: bool = False,
    on_outcome: Callable[[FileOutcome], None] | None = None,
    access: str = "public",
    broker: str | None = None,
    ocr_mode: str = "auto",
    ocr_page_timeout: float = ocr.DEFAULT_PAGE_TIMEOUT,
) -> IndexReport:
    """Ingest files and folders into the archive at ``home``; see the module docstring.

    A file that failed in an earlier run and has not changed since is not tried again
    (it stays listed by ``arkiv failures``) unless ``retry_failed`` is set. ``access``
    "internal" makes every document of the run internal (also those already archived);
    so do the registry's ``access.toml`` folder rules and a sekretess marking. With
    ``broker`` (a Redis URL), extraction runs on ``arkiv worker``s (indexer.distributed).
    ``ocr_mode`` (auto, always, never) and ``ocr_page_timeout``: see
    :mod:`indexer.extract.ocr`.

    The run has four stages: :meth:`_Run.plan` (what needs extracting), :meth:`_Run.extract`
    (workers extract while the originals are copied), :meth:`_Run.store` (the single
    writer archives each result) and :meth:`_Run.finish`; what runs beside the writer
    is started in one place, :func:`_helpers`.
    """
    rules = AccessRules.load(str(registry_dir) if registry_dir else None)
    home = ensure_home(Path(home))
    started = time.monotonic()
    command = "index " + " ".join(str(p) for p in paths)
    pool_options = {"registry_dir": registry_dir, "workers": workers, "timeout": timeout,
                    "memory_mb": memory_mb, "ocr_mode": ocr_mode,
                    "ocr_page_timeout": ocr_page_timeout}
    with write_lock(home, purpose="arkiv index"), Catalog(home) as catalog, \
            _running_job(home, command) as update, parts.spools_removed(), \
            _helpers(home, broker, pool_options) as helpers:
        run = _Run(catalog, command, rules, access, on_outcome)
        found = list(discover(paths))
        run.bar = Progress(len(found), mode=progress, label="arkiv index", on_update=update,
                           details=getattr(helpers.pool, "figures", None))
        planned = run.plan(found, retry_failed=retry_failed, max_file_mb=max_file_mb)
        run.store(run.extract(planned, helpers), helpers.background)
        run.finish(helpers.background, started)
    return run.report


@dataclass
class _Helpers:
    """What works beside the single writer during a run: the index sync process, the
    extraction workers (processes here, or ``arkiv worker``s behind a broker) and the
    thread that copies originals into the archive."""

    background: _BackgroundSync
    pool: WorkerPool | BrokerPool
    copier: ThreadPoolExecutor


@contextlib.contextmanager
def _helpers(home: Path, broker: str | None, pool_options: dict[str, Any]) -> Iterator[_Helpers]:
    """Start a run's helpers, the one place its processes are started, and stop them after.

    The sync process is forked first, before anything starts threads (forking a process
    with threads can copy a lock someone holds), and it and the workers before the run's
    file lists exist: forked later, each would start with its own view of them (~2 KB a
    file).
    """
    with _BackgroundSync(home) as background, extraction_pool(broker, **pool_options) as pool, \
            ThreadPoolExecutor(1, thread_name_prefix="arkiv-originals") as copier:
        yield _Helpers(background, pool, copier)


class _Run:
    """One ``arkiv index`` run: its stages, and what it tells (the catalog's log, the
    report, the progress bar and the caller's ``on_outcome``)."""

    def __init__(self, catalog: Catalog, command: str, rules: AccessRules, access: str,
                 on_outcome: Callable[[FileOutcome], None] | None) -> None:
        self.catalog = catalog
        self.rules = rules
        self.access = access
        self.on_outcome = on_outcome
        self.report = IndexReport()
        self.bar: Progress
        self.run_id = catalog.start_run(command)
        #: Files to extract: their content hash and stat, and their originals being copied.
        self.facts: dict[str, tuple[str, os.stat_result]] = {}
        self.originals: dict[str, Future[Path]] = {}

    # -- what a run tells -----------------------------------------------------------

    def record(self, outcome: FileOutcome, pages: int = 0, st: os.stat_result | None = None,
               remember: bool = True) -> None:
        self.log(outcome, st, remember)
        self.count(outcome, pages)

    def log(self, outcome: FileOutcome, st: os.stat_result | None = None,
            remember: bool = True) -> None:
        """Log an outcome; a failure is remembered (not retried while the file is
        unchanged) unless it was the archive's fault, e.g. a full disk."""
        if outcome.failed_before:
            return
        self.catalog.log(self.run_id, outcome.path, outcome.status, reason=outcome.reason,
                         document_id=outcome.document_id)
        if outcome.status == "failed" and remember:
            self.catalog.remember_failure(
                outcome.path, outcome.reason or "failed",
                size=st.st_size if st else None, mtime=st.st_mtime if st else None,
            )
        else:
            self.catalog.forget_failure(outcome.path)

    def count(self, outcome: FileOutcome, pages: int = 0, ocr_pages: int = 0) -> None:
        self.report.outcomes.append(outcome)
        self.report.pages += pages
        self.report.ocr_pages += ocr_pages
        self.bar.advance(failed=outcome.status == "failed", pages=pages, ocr_pages=ocr_pages)
        if self.on_outcome:
            self.on_outcome(outcome)

    def classify(self, doc_id: str | None, key: str, marking: str | None = None, *,
                 stored: bool = False) -> None:
        """Make a document internal when its run, folder or text says so; a document
        just ``stored`` (it may have joined a group) takes its group's class too."""
        if doc_id is None:
            return
        if marking:
            restrict(self.catalog, doc_id, marking, "marking")
        rule = self.rules.reason_for(key)
        if rule:
            restrict(self.catalog, doc_id, rule, "rule")
        if self.access == INTERNAL:
            restrict(self.catalog, doc_id, "arkiv index --access internal", "ingest")
        if stored:
            spread(self.catalog, doc_id)

    # -- stage 1: plan ----------------------------------------------------------------

    def plan(self, found: list[tuple[Path, str | None]], *, retry_failed: bool,
             max_file_mb: int) -> list[tuple[str, tuple[str, str]]]:
        """Settle every file that needs no extraction (unchanged, known content, failed
        before, too large, unreadable); the tasks of the others, in order."""
        catalog = self.catalog
        to_extract: list[tuple[str, tuple[str, str]]] = []
        with catalog.transaction():
            for path, problem in found:
                key = str(path)
                if problem:
                    self.record(FileOutcome(key, "failed", problem))
                    continue
                st = None
                try:
                    st = path.stat()
                    reason = None if retry_failed else catalog.known_failure(
                        key, size=st.st_size, mtime=st.st_mtime
                    )
                    if reason is not None:
                        self.record(FileOutcome(key, "unchanged", reason, failed_before=True))
                        continue
                    if st.st_size > max_file_mb * 1024 * 1024:
                        size_mb = st.st_size / 1024 / 1024
                        raise ValueError(f"file too large ({size_mb:.0f} MB; limit {max_file_mb} MB)")
                    state = catalog.path_state(key)
                    if state and state.size == st.st_size and state.mtime == st.st_mtime:
                        self.classify(state.document_id, key)
                        self.record(_unchanged(catalog, state, path, st.st_size))
                        continue
                    digest = sha256_file(path)
                except (OSError, ValueError) as exc:
                    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                    self.record(FileOutcome(key, "failed", reason), st=st)
                    continue
                if state and state.sha256 == digest:
                    catalog.touch_path(key, mtime=st.st_mtime, size=st.st_size)
                    self.classify(state.document_id, key)
                    self.record(_unchanged(catalog, state, path, st.st_size))
                    continue
                known = catalog.get(document_id(digest), with_text=False)
                if known is not None:
                    status = catalog.add_path(key, known.id, mtime=st.st_mtime, size=st.st_size)
                    self.classify(known.id, key)
                    self.record(FileOutcome(key, status, document_id=known.id))
                    continue
                self.facts[key] = (digest, st)
                to_extract.append((key, (key, path.name)))
        return to_extract

    # -- stage 2: extract -------------------------------------------------------------

    def extract(self, planned: list[tuple[str, tuple[str, str]]], helpers: _Helpers
                ) -> tuple[parts.Containers, Iterator[Any]]:
        """The workers' results as they come (members of mails and archives included),
        with the containers that own those members."""
        containers = parts.Containers(self.catalog, self._store_member, self._member_outcome)
        tasks = containers.tasks(self._copying_originals(planned, helpers.copier))
        return containers, helpers.pool.map_unordered(tasks)

    def _copying_originals(self, planned: list[tuple[str, tuple[str, str]]],
                           copier: ThreadPoolExecutor) -> Iterator[tuple[str, tuple[str, str]]]:
        """Hand files to the workers and, meanwhile, copy each into the archive's
        originals (I/O and fsync off the writer's path; an original without a row
        is harmless, the next run or ``arkiv check`` finds it)."""
        for key, task in planned:
            self.originals[key] = copier.submit(self.catalog.store_original, key,
                                                self.facts[key][0])
            yield key, task

    # -- stage 3: store ---------------------------------------------------------------

    def store(self, extracted: tuple[parts.Containers, Iterator[Any]],
              background: _BackgroundSync) -> None:
        """Archive each result as it comes, syncing the index now and then."""
        containers, results = extracted
        last_sync = time.monotonic()
        for result in results:
            key = result.key
            if containers.owns(key):  # a member of a mail or an archive
                containers.handle(key, result.value, result.error)
            elif result.error is not None:
                digest, st = self.facts[key]
                _discard_original(self.catalog, self.originals.pop(key), digest)
                self.record(FileOutcome(key, "failed", result.error), st=st)
                continue
            else:
                value = result.value
                _fallback_title(value["metadata"], Path(key).name)
                if value.get("parts"):  # archived once its members are
                    containers.open(key, value,
                                    lambda c, key=key, value=value: self._store_file(key, value, c))
                else:
                    self._store_file(key, value)
            if time.monotonic() - last_sync >= INDEX_SYNC_SECONDS:
                background.sync()
                last_sync = time.monotonic()

    def _store_file(self, key: str, value: dict[str, Any],
                    container: parts.Open | None = None) -> None:
        """Archive a processed file; a container with the list of its members."""
        catalog = self.catalog
        digest, st = self.facts[key]
        try:
            self.originals.pop(key).result()
            # One commit a document: its row, its duplicate group, its log line.
            with catalog.transaction():
                doc_id, status = archive_document(
                    catalog, key, value, sha256=digest, source=key,
                    size=st.st_size, mtime=st.st_mtime)
                self.classify(doc_id, key, value["metadata"].get("sekretess"), stored=True)
                if container is not None:
                    catalog.set_parts(doc_id, container.listed)
                    restrict_container(catalog, doc_id)
                if container is not None or status == "updated":  # members may be gone
                    kept = container.kept if container is not None else []
                    catalog.retire_paths_under(key + parts.SEPARATOR, kept, doc_id)
                outcome = FileOutcome(key, status, document_id=doc_id)
                self.log(outcome, st)
        except (OSError, sqlite3.OperationalError) as exc:  # disk full, read-only …
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self.record(FileOutcome(key, "failed", f"could not archive: {detail}"), st=st,
                        remember=False)
            return
        metadata = value["metadata"]
        self.report.needs_ocr += bool(metadata["needs_ocr"])
        self.count(outcome, pages=metadata["pages"],
                   ocr_pages=metadata.get("text_source", []).count("ocr"))

    def _store_member(self, key: str, value: dict[str, Any], entry: dict[str, Any]
                      ) -> tuple[str, str]:
        _fallback_title(value["metadata"], Path(key).name)
        with self.catalog.transaction():
            doc_id, status = archive_document(self.catalog, key, value, sha256=entry["sha256"],
                                              source=entry["path"], size=entry["size"])
            self.classify(doc_id, key, value["metadata"].get("sekretess"), stored=True)
            return doc_id, status

    def _member_outcome(self, outcome: parts.Outcome) -> None:
        path, status, reason, doc_id = outcome
        member = FileOutcome(path, status, reason, document_id=doc_id)
        self.log(member)
        self.report.outcomes.append(member)

    # -- stage 4: finish --------------------------------------------------------------

    def finish(self, background: _BackgroundSync, started: float) -> None:
        """Link the meetings of what is new, make it all searchable, close the run."""
        link_meetings(self.catalog, (o.document_id for o in self.report.outcomes
                                     if o.status in ("new", "updated")))
        background.sync(wait=True)
        self.bar.finish()
        self.report.elapsed = time.monotonic() - started
        self.catalog.finish_run(self.run_id, self.report.counts)


def archive_document(
    catalog: Catalog, path: str, value: dict[str, Any], *, sha256: str, source: str,
    size: int, mtime: float | None = None,
) -> tuple[str, str]:
    """Archive one processed file (or container member) as a document version of
    ``path`` and put it into its near-duplicate group; returns (document id, status)."""
    doc_id, status = catalog.add_document(
        path=path, sha256=sha256, source=source, filename=Path(path).name,
        content_type=value["content_type"], size=size,
        text=value["text"], page_starts=value["page_starts"],
        metadata=value["metadata"], signature=value["signature"],
        bands=value["bands"], mtime=mtime,
    )
    group_duplicates(catalog, doc_id, value["signature"], value["bands"])
    return doc_id, status


def extraction_pool(
    broker: str | None, *, registry_dir: str | os.PathLike[str] | None, workers: int | None,
    timeout: float, memory_mb: int | None, ocr_mode: str = "auto",
    ocr_page_timeout: float = ocr.DEFAULT_PAGE_TIMEOUT,
) -> WorkerPool | BrokerPool:
    """Where extraction runs: worker processes on this machine, or, given a ``broker``
    URL, ``arkiv worker``s on any machines (the same interface: ``map_unordered``)."""
    registry = str(registry_dir) if registry_dir else None
    if broker:
        from indexer.distributed import BrokerPool

        return BrokerPool(broker, registry_dir=registry, timeout=timeout, memory_mb=memory_mb,
                          ocr_mode=ocr_mode)
    return WorkerPool(process_file, workers=workers, timeout=timeout, memory_mb=memory_mb,
                      initializer=_init_worker,
                      initargs=(registry, os.getpid(), ocr_mode, ocr_page_timeout))


@contextlib.contextmanager
def _running_job(home: Path, command: str) -> Iterator[Callable[[dict[str, Any]], None]]:
    """Publish the job's progress for the status page while it runs (see archive.jobs)."""
    started_at = now_iso()

    def update(figures: dict[str, Any]) -> None:
        write_job(home, f"arkiv {command}", figures, started_at=started_at)

    update({"done": 0, "total": None})
    try:
        yield update
    finally:
        clear_job(home)


def reindex(
    home: str | os.PathLike[str],
    *,
    reextract: bool = False,
    registry_dir: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: str = "none",
    only_needs_ocr: bool = False,
    ocr_mode: str = "auto",
) -> int:
    """Rebuild the search index from the catalog; with ``reextract``, first re-run
    extraction on every archived original (after an extractor improves), or with
    ``only_needs_ocr`` on those an earlier run flagged ``needs_ocr`` (Tesseract was
    missing or OCR off then).

    Returns the number of documents in the new index.
    """
    from archive.engine import backend_for

    home = Path(home)
    reextract = reextract or only_needs_ocr
    command = "reindex --reextract" if reextract else "reindex"
    if only_needs_ocr:
        command += " --only-needs-ocr"
    with write_lock(home, purpose="arkiv reindex"), Catalog(home) as catalog, \
            _running_job(home, command) as update:
        if reextract:
            _reextract(catalog, registry_dir, workers, timeout, progress, update,
                       only_needs_ocr=only_needs_ocr, ocr_mode=ocr_mode)
        index = backend_for(home)
        bar = Progress(catalog.count(), mode=progress, label="arkiv reindex", on_update=update)

        def tick(done: int, total: int) -> None:
            while bar.done < done:
                bar.advance()

        count = index.rebuild(catalog, progress=tick)
        bar.finish()
        return count


@dataclass(frozen=True, slots=True)
class _Original:
    id: str
    path: str
    filename: str
    sha256: str


def _reextract(
    catalog: Catalog,
    registry_dir: str | os.PathLike[str] | None,
    workers: int | None,
    timeout: float,
    progress: str,
    update: Callable[[dict[str, Any]], None],
    *,
    only_needs_ocr: bool = False,
    ocr_mode: str = "auto",
) -> None:
    # What re-extraction needs of each document, not the documents (their metadata
    # would hold ~9 KB a document in memory for the whole run).
    docs = [_Original(d.id, d.path, d.filename, d.sha256)
            for d in catalog.iter_documents(indexable_only=False, with_text=False)
            if d.superseded_by is None and (d.metadata.get("needs_ocr") or not only_needs_ocr)]
    bar = Progress(len(docs), mode=progress, label="arkiv reindex --reextract",
                   on_update=lambda figures: update({**figures, "stage": "reextract"}))
    with tempfile.TemporaryDirectory(prefix="arkiv-reextract-") as tmp:
        tasks = []
        for doc in docs:
            # The extractor sniffs content but takes the extension as a hint: give it the name.
            link = Path(tmp) / doc.id / (doc.filename or doc.id)
            link.parent.mkdir()
            link.symlink_to(catalog.original_path(doc.sha256))
            tasks.append((doc.id, (str(link), doc.filename)))
        with extraction_pool(None, registry_dir=registry_dir, workers=workers, timeout=timeout,
                             memory_mb=DEFAULT_MEMORY_MB, ocr_mode=ocr_mode) as pool:
            by_id = {d.id: d for d in docs}
            for result in pool.map_unordered(tasks):
                bar.advance(failed=result.error is not None)
                if result.error is not None:
                    catalog.log(None, by_id[result.key].path, "failed", reason=result.error)
                    continue
                parts.remove_spool(result.value)  # members are documents of their own
                metadata = result.value["metadata"]
                _fallback_title(metadata, by_id[result.key].filename)
                catalog.replace_content(
                    result.key, text=result.value["text"],
                    page_starts=result.value["page_starts"], metadata=metadata,
                )
                if metadata.get("sekretess"):
                    restrict(catalog, result.key, metadata["sekretess"], "marking")
        for doc in docs:
            group = catalog.group_of(doc.id)
            if len(group) > 1 and catalog.get(doc.id, with_text=False).duplicate_of is None:
                regroup(catalog, group)
                spread(catalog, doc.id)
    link_meetings(catalog, (d.id for d in docs))
    bar.finish()
