"""Merging segments by copying what they hold, and the merge policy of syncs.

Owns :class:`_SegmentMerger` (stored fields, columns, lengths, postings, lexicon and
stem sequences copied with documents renumbered and deleted ones left out; a tenth of
the cost of indexing again), :func:`compacted` (a rebuild's segments merged into a few
large ones) and :func:`_merged` (``MERGE_FACTOR`` small segments of a size become one).

Whoosh internals touched: those of :mod:`archive.engine.writer` and
:mod:`archive.engine.postings`, plus ``SegmentReader`` (stored fields, deleted
documents, ``column_reader``) and the column readers' ``_uniques``.
"""

from __future__ import annotations

import heapq
import itertools
import math
import operator
from array import array
from collections.abc import Iterator
from typing import Any

from whoosh.reading import SegmentReader
from whoosh.system import pack_ushort

from archive.catalog import Catalog
from archive.engine import writer
from archive.engine.columnfile import ColumnFile
from archive.engine.lexicon import SegmentLexicon
from archive.engine.phrases import StemPositions, StemSequences, _little_endian
from archive.engine.postings import _field_terms, _stored_postings, _write_postings
from archive.engine.schema import LENGTH_FIELDS, FacetColumn, IntColumn, TermsField
from archive.engine.writer import _BulkSegmentWriter, _index_documents

#: A sync merges this many small segments of about the same size into one.
MERGE_FACTOR = 8
#: A rebuild's segments are merged into segments holding up to this many bytes of stem
#: sequences (about 60,000 documents of 1,500 words): every segment costs each search
#: term lookups and a pass of its own, and merging one peaks at about three times this.
MERGED_SEQUENCE_BYTES = 256 * 2**20

class _SegmentMerger(_BulkSegmentWriter):
    """Merges segments into one new segment by copying what they hold.

    Stored fields, columns, field lengths, postings, the stem lexicon and the stem
    sequences are read from the segments and written again with the documents
    renumbered, deleted ones left out; no text is read from the catalog or analysed
    again (a re-index costs ~3.5 ms a document, a copy a tenth of that). Postings of a
    term are streamed from every segment in term order, so memory is one term's postings
    and the lexicon, whatever the segments' size. Segments without stem sequences (never
    written by this module) cannot be merged this way: see :meth:`can_merge`.
    """

    def __init__(self, ix: Any, segments: list[Any]) -> None:
        super().__init__(ix)
        self.readers = [SegmentReader(ix.storage, ix.schema, s) for s in segments]
        #: Per segment: each old docnum's new one, -1 for a deleted entry.
        self.docmaps: list[array] = []
        #: Per segment without deletions: what its docnums move by (None: see docmaps).
        self._shifts: list[int | None] = []
        #: Per segment: each old stem id's new one (filled while the stems are merged).
        self._stem_maps: list[array] = []

    @staticmethod
    def can_merge(storage: Any, segments: list[Any]) -> bool:
        """Whether every segment has its stem sequences (all this module writes do)."""
        for segment in segments:
            if not storage.file_exists(segment.make_filename(StemSequences.EXTENSION)):
                return False
        return True

    def merged_segment(self) -> Any:
        """Write the merged segment (with its lexicon and sequences); returns it."""
        try:
            for reader in self.readers:
                self._copy_entries(reader)
            segment = self._finalize_segment()
            if self.lexicon is not None:
                self.lexicon.save(self.storage, segment)
                self._save_sequences(segment)
                StemPositions.save_from_sequences(self.storage, segment)
                ColumnFile.save(self.storage, self.schema, segment)
            self._finish()
            return segment
        finally:
            for reader in self.readers:
                reader.close()

    # -- per entry: stored fields, lengths, columns ----------------------------------

    def _copy_entries(self, reader: Any) -> None:
        schema = self.schema
        size = reader.doc_count_all()
        deleted = set(reader.segment().deleted_docs() or ())
        docmap = array("i", [-1]) * size
        self.docmaps.append(docmap)
        self._shifts.append(None if deleted else self.docnum)
        columns = {name: _column_values(reader, name, size)
                   for name in schema.names() if schema[name].column_type is not None}
        columns = {name: values for name, values in columns.items() if values is not None}
        # A TermsField's length: exact from its own column (capped at 65,535 there),
        # else as Whoosh kept it (a byte: exact for short fields).
        capped = {name: columns.get(LENGTH_FIELDS[name]) for name in schema.names()
                  if isinstance(schema[name], TermsField)}
        perdoc = self.perdocwriter
        for old in range(size):
            if old in deleted:
                continue
            docnum = docmap[old] = self.docnum
            perdoc.start_doc(docnum)
            for name, value in reader.stored_fields(old).items():
                perdoc.add_field(name, schema[name], value, 0)
            for name, lengths in capped.items():
                length = lengths[old] if lengths is not None else 0
                if lengths is None or length >= 65535:
                    length = reader.doc_field_length(old, name, 0)
                if length:
                    perdoc.add_field(name, schema[name], None, length)
                self._lengths.setdefault(name, array("I")).append(length)
            for name, values in columns.items():
                perdoc.add_column_value(name, schema[name].column_type, values[old])
            perdoc.finish_doc()
            self.docnum += 1
        self._added = True

    # -- postings --------------------------------------------------------------------

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        names = sorted({name for reader in self.readers for name in reader.indexed_field_names()})
        for name in names:
            field = self.schema[name]
            if isinstance(field, TermsField):
                self._merge_terms(name, field)
            elif field.indexed:
                self._merge_other(name, field)
        self.fieldwriter.close()

    def _term_sources(self, name: str) -> Iterator[tuple[bytes, list[tuple[int, bytes]]]]:
        """Each term of the field in order, with the segments holding it (index, term info)."""
        def tagged(index: int) -> Iterator[tuple[bytes, int, bytes]]:
            for term, info in _field_terms(self.readers[index], name):
                yield term, index, info

        merged = heapq.merge(*(tagged(index) for index in range(len(self.readers))))
        for term, group in itertools.groupby(merged, key=operator.itemgetter(0)):
            yield term, [(index, info) for _, index, info in group]

    def _postings(self, index: int, info: bytes, weight_type: str) -> tuple[array, array]:
        """A term's postings in segment ``index``, renumbered, deleted entries left out."""
        ids, weights = _stored_postings(self.readers[index]._terms._postfile, info, weight_type)
        shift = self._shifts[index]
        if shift is not None:  # no deletions: every entry moves by the same amount
            return (array("I", [i + shift for i in ids]) if shift else ids), weights
        docmap = self.docmaps[index]
        keep = [k for k, i in enumerate(ids) if docmap[i] >= 0]
        return (array("I", [docmap[ids[k]] for k in keep]),
                array(weight_type, [weights[k] for k in keep]))

    def _merge_terms(self, name: str, field: TermsField) -> None:
        writer = self.fieldwriter
        lengths = self._lengths.get(name) or array("I", [0])
        bounds = (max(1, min(lengths)), max(1, max(lengths)))
        started = False
        terms: list[str] = []
        dfs = array("I")
        if field.sequences:
            self._stem_maps = [array("I") for _ in self.readers]
        for term, sources in self._term_sources(name):
            docs, freqs = array("I"), array("I")
            for index, info in sources:
                ids, weights = self._postings(index, info, "I")
                docs.extend(ids)
                freqs.extend(weights)
            if field.sequences:  # a segment's stem ids are its terms' places, in order
                for index, _ in sources:
                    self._stem_maps[index].append(len(terms) if docs else 0)
            if not docs:
                continue
            if not started:
                writer.start_field(name, field)
                started = True
            terminfo = _write_postings(writer._postfile, docs.tolist(), freqs.tolist(), bounds)
            writer._tindex.add(pack_ushort(writer._fieldid) + term, terminfo.to_bytes())
            if field.sequences:
                terms.append(term.decode("utf-8"))
                dfs.append(len(docs))
        if started:
            writer.finish_field()
        if field.sequences:
            self.lexicon = SegmentLexicon(terms, dfs)

    def _merge_other(self, name: str, field: Any) -> None:
        writer = self.fieldwriter
        started = False
        for term, sources in self._term_sources(name):
            postings: list[tuple[int, float]] = []
            for index, info in sources:
                ids, weights = self._postings(index, info, "f")
                postings.extend(zip(ids, weights, strict=True))
            if not postings:
                continue
            if not started:
                writer.start_field(name, field)
                started = True
            writer.start_term(term)
            for docnum, weight in postings:
                writer.add(docnum, weight, b"", 0)
            writer.finish_term()
        if started:
            writer.finish_field()

    # -- stem sequences ----------------------------------------------------------------

    def _save_sequences(self, segment: Any) -> None:
        """Each live entry's stems, renumbered into the merged lexicon, streamed to disk
        ``_SEQUENCE_CHUNK`` entries at a time (a segment's are ~6 KB an entry)."""
        storage = self.storage
        sources = [r.segment().make_filename(StemSequences.EXTENSION) for r in self.readers]
        source_ends = [StemSequences.ends_of(storage, name) for name in sources]
        ends = array("Q")
        total = 0
        for docmap, old_ends in zip(self.docmaps, source_ends, strict=True):
            for old, new in enumerate(docmap):
                if new >= 0:
                    total += old_ends[old] - (old_ends[old - 1] if old else 0)
                    ends.append(total)
        with segment.create_file(storage, StemSequences.EXTENSION) as handle:
            handle.write(_little_endian(array("Q", [len(ends)])).tobytes())
            handle.write(_little_endian(ends).tobytes())
            for name, old_ends, docmap, stem_map in zip(
                sources, source_ends, self.docmaps, self._stem_maps, strict=True
            ):
                with storage.open_file(name) as source:
                    base = 8 + 8 * len(old_ends)
                    for first in range(0, len(docmap), _SEQUENCE_CHUNK):
                        last = min(first + _SEQUENCE_CHUNK, len(docmap))
                        low = old_ends[first - 1] if first else 0
                        source.seek(base + 4 * low)
                        ids = _little_endian(array("I", source.read(4 * (old_ends[last - 1] - low))))
                        mapped = array("I", map(stem_map.__getitem__, ids))
                        if all(docmap[old] >= 0 for old in range(first, last)):
                            handle.write(_little_endian(mapped).tobytes())
                            continue
                        for old in range(first, last):
                            if docmap[old] >= 0:
                                start = (old_ends[old - 1] if old else 0) - low
                                run = mapped[start : old_ends[old] - low]
                                handle.write(_little_endian(run).tobytes())



#: Entries whose stem sequences a merge reads and writes at a time.
_SEQUENCE_CHUNK = 1000

def _column_values(reader: Any, name: str, size: int) -> Any:
    """Every entry's raw value of a column (indexable by docnum), None if it has none."""
    if not reader.has_column(name):
        return None
    column = reader.column_reader(name, translate=False)
    if isinstance(column, FacetColumn.Reader):
        uniques = column._uniques
        return [uniques[code] for code in column.codes()]
    if isinstance(column, IntColumn.Reader):
        return column.load_array(size)
    return [column[d] for d in range(size)]



def compacted(ix: Any, segments: list[Any], budget: int | None = None) -> list[Any]:
    """A rebuild's segments, runs of them merged into one up to ``budget`` bytes of stem
    sequences each (in order: the documents keep their order). At 100,000 documents
    eight segments became two and the benchmark's searches took about a quarter less
    time (p50 21.8 → 16.8 ms, ``bench.search``)."""
    budget = MERGED_SEQUENCE_BYTES if budget is None else budget
    if len(segments) < 2 or not _SegmentMerger.can_merge(ix.storage, segments):
        return segments
    sizes = [ix.storage.file_length(s.make_filename(StemSequences.EXTENSION)) for s in segments]
    runs: list[list[Any]] = [[]]
    held = 0
    for segment, size in zip(segments, sizes, strict=True):
        if runs[-1] and held + size > budget:
            runs.append([])
            held = 0
        runs[-1].append(segment)
        held += size
    return [run[0] if len(run) == 1 else _SegmentMerger(ix, run).merged_segment()
            for run in runs]


def _merged(ix: Any, catalog: Catalog, segments: list[Any]) -> list[Any]:
    """Merge policy of syncs: ``MERGE_FACTOR`` small segments of a size become one.

    Every sync adds a small segment; segments of about the same size (the same power of
    ``MERGE_FACTOR`` documents) are merged into one once there are ``MERGE_FACTOR`` of
    them, so an entry is copied a few times at most and searches see few segments. A
    rebuild's segments (``SEGMENT_DOCS``) and merged ones that large are left alone.
    Merging copies the segments' postings (:class:`_SegmentMerger`); segments it cannot
    copy are re-indexed from the catalog.
    """
    segments = [s for s in segments if s.doc_count() > 0]
    tiers: dict[int, list[Any]] = {}
    for segment in segments:
        if segment.doc_count() < writer.SEGMENT_DOCS:
            tier = int(math.log(segment.doc_count(), MERGE_FACTOR))
            tiers.setdefault(tier, []).append(segment)
    result = list(segments)
    for tier in tiers.values():
        if len(tier) < MERGE_FACTOR:
            continue
        place = result.index(tier[0])
        result = [s for s in result if s not in tier]
        if _SegmentMerger.can_merge(ix.storage, tier):
            merged = [_SegmentMerger(ix, tier).merged_segment()]
        else:
            merged = _index_documents(ix, catalog, _entry_documents(ix, tier))
        result[place:place] = merged
    return result


def _entry_documents(ix: Any, segments: list[Any]) -> list[str]:
    """The catalog documents of the live entries of these segments, in order."""
    ids: list[str] = []
    for segment in segments:
        reader = SegmentReader(ix.storage, ix.schema, segment)
        ids += [reader.stored_fields(d)["doc"] for d in reader.all_doc_ids()]
        reader.close()
    return list(dict.fromkeys(ids))


