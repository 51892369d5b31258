"""The bulk segment writer, and building a generation from the catalog.

Owns :class:`_BulkSegmentWriter` (several hundred documents a second where Whoosh's own
writer manages ~45: postings kept as flat arrays per term and written in whole blocks;
it also writes the segment's lexicon and stem sequences), :class:`_SegmentBuilder`
(a stream of documents into segments of ``SEGMENT_DOCS``) and :func:`_build` (a whole
catalog, in ``BUILD_WORKERS`` processes for big ones).

Whoosh internals touched: ``SegmentWriter`` (subclassed; its ``_finalize_segment``,
``_finish``, per-document storage, column writers and field-length bookkeeping),
``TOC`` and ``clean_files`` to commit built segments, ``length_to_byte``.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import queue
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import TOC, clean_files
from whoosh.system import pack_ushort
from whoosh.writing import SegmentWriter

from archive.catalog import Catalog
from archive.engine.columnfile import ColumnFile
from archive.engine.lexicon import SegmentLexicon
from archive.engine.phrases import StemPositions, StemSequences
from archive.engine.postings import _write_postings
from archive.engine.schema import INDEX_NAME, TermsField, index_entries, make_schema
from archive.home import ArchiveError
from archive.models import Document

#: Documents per segment in a rebuild: bounds each writer's memory (~20 KB a document).
SEGMENT_DOCS = 15_000
#: Processes that analyse and write a rebuild (the machine has two cores) …
BUILD_WORKERS = 2
#: … once the catalog holds this many documents (starting them takes a second).
PARALLEL_FROM = 5_000

class _TermPostings(dict):
    """A field's postings while a segment is written: term → array (doc, freq, doc …)."""

    def __missing__(self, term: str) -> array:
        entry = self[term] = array("I")
        return entry


class _BulkSegmentWriter(SegmentWriter):
    """Writes one new segment (rebuilds, syncs), several times faster than Whoosh's writer.

    Whoosh's writer turns every posting into a tuple, external-sorts them through
    pickled temporary runs and writes them one call at a time (~9 µs a posting; a
    document has ~1,200). Documents arrive in docnum order, so each term's postings
    are already sorted: this writer appends them to one compact ``array`` per term
    (doc, frequency, doc, frequency …) and writes whole blocks to the postings file at
    once; it also makes the segment's :class:`SegmentLexicon` and
    :class:`StemSequences`, saved beside it. It relies on the internals of Whoosh's W3 codec, pinned by
    ``whoosh-reloaded<2.8``; ``tests/test_index.py`` reads what it writes back through
    Whoosh's own API.
    """

    def __init__(self, ix: Any) -> None:
        # Not a compound file: Whoosh would copy each part of it into memory to read it.
        super().__init__(ix, limitmb=16, compound=False, _lk=False)
        self.lexicon: SegmentLexicon | None = None
        self.sequences: StemSequences | None = None
        self._terms: dict[str, _TermPostings] = {}
        self._other: dict[str, dict[bytes, list[tuple[int, float, bytes]]]] = {}
        self._lengths: dict[str, array] = {}
        # The stems of each document in order, as ids numbered as first seen.
        self._stem_ids: defaultdict[str, int] = defaultdict(itertools.count().__next__)
        self._sequence = array("I")
        self._sequence_ends = array("Q")

    def _finish(self) -> None:
        # Whoosh's writer removes the index's shared temporary folder here, under the
        # feet of any other writer using it (a sync's own writer, the other build
        # process); each writer removes its own temporary files anyway.
        self.is_closed = True

    def add_document(self, **fields: Any) -> None:
        docnum = self.docnum
        schema = self.schema
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            field = schema[name]
            length = 0
            if isinstance(field, TermsField):
                length = len(value)
                self._add_terms(name, docnum, value)
                self._lengths.setdefault(name, array("I")).append(length)
                if field.sequences:
                    self._sequence.extend(map(self._stem_ids.__getitem__, value))
                    self._sequence_ends.append(len(self._sequence))
            elif field.indexed:
                other = self._other.setdefault(name, {})
                for tbytes, _freq, weight, vbytes in field.index(value):
                    other.setdefault(tbytes, []).append((docnum, weight, vbytes))
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _add_terms(self, name: str, docnum: int, words: list[str]) -> None:
        buffer = self._terms.get(name)
        if buffer is None:
            buffer = self._terms[name] = _TermPostings()
        counts = Counter(words)
        # Each term's array gets (docnum, frequency) appended; the loops run in C
        # (a Python loop over a document's ~1,800 terms was a third of a sync's time).
        entries = list(map(buffer.__getitem__, counts))
        collections.deque(map(array.append, entries, itertools.repeat(docnum)), maxlen=0)
        collections.deque(map(array.append, entries, counts.values()), maxlen=0)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        writer = self.fieldwriter
        for name in sorted({*self._terms, *self._other}):
            field = self.schema[name]
            writer.start_field(name, field)
            if name in self._terms:
                terms, dfs = self._write_terms(self._terms.pop(name), self._lengths[name])
                if field.sequences:
                    self.lexicon = SegmentLexicon(terms, dfs)
                    self.sequences = self._renumbered_sequences(terms)
            else:
                for tbytes, postings in sorted(self._other.pop(name).items()):
                    writer.start_term(tbytes)
                    for docnum, weight, vbytes in postings:
                        writer.add(docnum, weight, vbytes, 0)
                    writer.finish_term()
            writer.finish_field()
        writer.close()

    def _write_terms(self, buffer: dict[str, array], lengths: array) -> tuple[list[str], array]:
        """Write a field's postings; returns its terms and their document frequencies."""
        writer = self.fieldwriter
        fieldid = pack_ushort(writer._fieldid)
        bounds = (max(1, min(lengths)), max(1, max(lengths)))
        terms = sorted(buffer)
        dfs = array("I")
        for term in terms:
            entry = buffer.pop(term)
            docs, freqs = entry[0::2].tolist(), entry[1::2].tolist()
            terminfo = _write_postings(writer._postfile, docs, freqs, bounds)
            writer._tindex.add(fieldid + term.encode("utf-8"), terminfo.to_bytes())
            dfs.append(len(docs))
        return terms, dfs

    def _renumbered_sequences(self, terms: list[str]) -> StemSequences:
        """The stem sequences with each stem's id its place in the sorted ``terms``."""
        place = array("I", bytes(4 * len(self._stem_ids)))
        for index, term in enumerate(terms):
            place[self._stem_ids[term]] = index
        return StemSequences.of_ids(array("I", map(place.__getitem__, self._sequence)),
                                    self._sequence_ends)



def _build(
    generation: Path, catalog: Catalog, progress: Callable[[int, int], None] | None
) -> int:
    """Index every indexable document of the catalog into a new Whoosh index.

    Big catalogs are analysed and written by ``BUILD_WORKERS`` processes, each turning
    its share into segments; this process streams the catalog to them.
    """
    ix = whoosh_index.create_in(generation, make_schema(), indexname=INDEX_NAME)
    total = catalog.count()
    report = progress or (lambda done, total: None)
    if total >= PARALLEL_FROM and BUILD_WORKERS > 1:
        segments, done = _build_in_workers(generation, catalog, total, report)
    else:
        builder = _SegmentBuilder(ix, SEGMENT_DOCS)
        done = 0
        for doc in catalog.iter_documents(received_order=True):
            builder.add(doc, _arende_source(catalog, doc))
            done += 1
            if done % 500 == 0:
                report(done, total)
        segments = _compacted(ix, builder.finish())
    report(done, total)
    _commit_segments(ix, segments)
    return done


class _SegmentBuilder:
    """Turns a stream of documents into bulk-written segments of ``SEGMENT_DOCS``."""

    def __init__(self, ix: Any, segment_docs: int) -> None:
        self.ix = ix
        self.segment_docs = segment_docs
        self.writer: _BulkSegmentWriter | None = None
        self.segments: list[Any] = []

    def add(self, doc: Document, arende_source: str | None = None) -> None:
        """Add a document's entries (see :func:`index_entries`); all go into one segment."""
        if self.writer is None:
            self.writer = _BulkSegmentWriter(self.ix)
        for fields in index_entries(doc, arende_source):
            self.writer.add_document(**fields)
        if self.writer.doc_count() >= self.segment_docs:
            self._flush()

    def _flush(self) -> None:
        if self.writer is not None:
            segment = self.writer._finalize_segment()
            if self.writer.lexicon is not None and self.writer.sequences is not None:
                self.writer.lexicon.save(self.ix.storage, segment)
                self.writer.sequences.save(self.ix.storage, segment)
                StemPositions.save_from_sequences(self.ix.storage, segment)
                ColumnFile.save(self.ix.storage, self.ix.schema, segment)
            self.segments.append(segment)
            self.writer._finish()
            self.writer = None

    def finish(self) -> list[Any]:
        self._flush()
        return self.segments


def _compacted(ix: Any, segments: list[Any]) -> list[Any]:
    """A build's segments merged into a few large ones (:func:`merger.compacted`; each
    build process merges its own, side by side)."""
    from archive.engine.merger import compacted  # the merger builds on this module

    return compacted(ix, segments)


def _build_worker(generation: str, segment_docs: int, jobs: Any, results: Any) -> None:
    """A build process: documents in from ``jobs``, its finished segments out."""
    try:
        ix = whoosh_index.open_dir(generation, indexname=INDEX_NAME)
        builder = _SegmentBuilder(ix, segment_docs)
        while (batch := jobs.get()) is not None:
            for doc, arende_source in batch:
                builder.add(doc, arende_source)
        results.put(("ok", _compacted(ix, builder.finish())))
    except BaseException as exc:  # reported to the parent, which raises it
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def _build_in_workers(
    generation: Path, catalog: Catalog, total: int, report: Callable[[int, int], None]
) -> tuple[list[Any], int]:
    # fork, as indexer.workers does: no re-import of the caller's main module.
    context = multiprocessing.get_context("fork")
    jobs = context.Queue(maxsize=BUILD_WORKERS * 4)
    results = context.Queue()
    workers = [
        context.Process(
            target=_build_worker,
            args=(str(generation), SEGMENT_DOCS, jobs, results),
            daemon=True,
        )
        for _ in range(BUILD_WORKERS)
    ]
    for worker in workers:
        worker.start()
    segments: list[Any] = []
    done = 0
    try:
        batch: list[tuple[Document, str | None]] = []
        for doc in catalog.iter_documents(received_order=True):
            batch.append((doc, _arende_source(catalog, doc)))
            if len(batch) == 100:
                _hand_over(jobs, batch, workers)
                done += len(batch)
                batch = []
                if done % 500 == 0:
                    report(done, total)
        if batch:
            _hand_over(jobs, batch, workers)
            done += len(batch)
        for _ in workers:
            _hand_over(jobs, None, workers)
        for _ in workers:
            status, payload = _receive(results, workers)
            if status != "ok":
                raise ArchiveError(f"building the index failed: {payload}")
            segments.extend(payload)
        for worker in workers:
            worker.join()
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
    return segments, done


def _hand_over(jobs: Any, batch: list[tuple[Document, str | None]] | None,
               workers: list[Any]) -> None:
    while True:
        try:
            jobs.put(batch, timeout=1)
            return
        except queue.Full:
            if not all(w.is_alive() for w in workers):
                raise ArchiveError("building the index failed: a worker process died") from None


def _receive(results: Any, workers: list[Any]) -> tuple[str, Any]:
    while True:
        try:
            return results.get(timeout=1)
        except queue.Empty:
            if not any(w.is_alive() for w in workers):
                raise ArchiveError("building the index failed: a worker process died") from None


def _commit_segments(ix: Any, segments: list[Any]) -> None:
    """Make the built segments the index's content (a new table of contents)."""
    generation = ix.latest_generation() + 1
    TOC(ix.schema, segments, generation).write(ix.storage, INDEX_NAME)
    clean_files(ix.storage, INDEX_NAME, generation, segments)



def _index_documents(ix: Any, catalog: Catalog, ids: list[str]) -> list[Any]:
    """New segments (not yet in the index) holding these catalog documents."""
    builder = _SegmentBuilder(ix, SEGMENT_DOCS)
    for start in range(0, len(ids), 200):
        for doc in catalog.get_many(ids[start : start + 200]).values():
            builder.add(doc, _arende_source(catalog, doc))
    return builder.finish()


def _arende_source(catalog: Catalog, doc: Document) -> str | None:
    """The text a document's ärenden point into when it is another rendering's."""
    if not doc.metadata.get("arenden"):
        return None
    source = catalog.arenden_source(doc)
    return source.text if source is not None and source is not doc else None


