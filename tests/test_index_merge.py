"""Merging segments by copying them: the index after many syncs and merges holds exactly
what a rebuild from the catalog writes, and search finds the same.

A real archive (the corpus, ingested by the pipeline: documents and ärenden), then small
syncs adding, replacing and grouping documents so that merged segments had deletions.
"""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS
from test_index import _postings, add

from archive.catalog import Catalog
from archive.engine import (
    Index,
    Searcher,
    SegmentLexicon,
    StemSequences,
    make_schema,
    merger,
    postings,
    writer,
)
from archive.engine.columnfile import ColumnFile
from archive.engine.files import open_generation
from archive.engine.schema import FACET_FIELDS
from archive.query import Query
from indexer.pipeline import index_paths

COLUMNS = [name for name, field in make_schema().items() if field.column_type is not None]
QUERIES = [
    "hemlöshet", "nämnd", "bygglov", '"olovligt byggande"', "2024-000456", "budget",
    "socialtjanstnamnd", "version", "dnr:2024-000456", "",
]


def _open(home: Path) -> Any:
    return open_generation(Index(home).current())


def _entries(home: Path) -> dict[str, dict[str, Any]]:
    """Every live entry by id: stored fields, lengths, column values, stems in order."""
    ix = _open(home)
    found: dict[str, dict[str, Any]] = {}
    with ix.reader() as reader:
        for leaf, _base in reader.leaf_readers():
            segment = leaf.segment()
            lexicon = SegmentLexicon.of_segment(ix.storage, segment, leaf)
            sequences = StemSequences.of_segment(ix.storage, segment)
            assert sequences is not None and len(sequences.ends) == leaf.doc_count_all()
            columns = {name: leaf.column_reader(name) for name in COLUMNS}
            _column_file_agrees_with_segment(ix.storage, leaf)
            for d in leaf.all_doc_ids():
                stored = leaf.stored_fields(d)
                low = sequences.offset + 4 * (sequences.ends[d - 1] if d else 0)
                high = sequences.offset + 4 * sequences.ends[d]
                ids = array("I", sequences.data[low:high])
                found[stored["id"]] = {
                    "stored": stored,
                    "lengths": {f: leaf.doc_field_length(d, f) for f in ("exact", "stem", "title")},
                    "columns": {name: column[d] for name, column in columns.items()},
                    "stems": [lexicon.terms[i] for i in ids],
                }
    return found


def _column_file_agrees_with_segment(storage: Any, leaf: Any) -> None:
    """A segment's mapped columns give every entry its stored id and the value set of
    each facet column."""
    mapped = ColumnFile.of_segment(storage, leaf.segment())
    if mapped is None:  # a segment from Whoosh's own writer (a small sync)
        return
    assert list(mapped.ids) == [leaf.stored_fields(d)["id"] for d in range(leaf.doc_count_all())]
    assert set(mapped.facets) == set(FACET_FIELDS)
    for name, facet in mapped.facets.items():
        column = leaf.column_reader(name, translate=False)
        if not hasattr(column, "codes"):
            assert set(facet.codes.tolist()) == {0} and facet.sets[0] == ()
            continue
        sets, codes = column.values(), column.codes()
        assert [facet.sets[c] for c in facet.codes] == [sets[c] for c in codes], name


def _lexicons_agree_with_postings(home: Path) -> None:
    """In a segment without deletions, each stem's document frequency is its postings'."""
    ix = _open(home)
    with ix.reader() as reader:
        for leaf, _base in reader.leaf_readers():
            if leaf.has_deletions():
                continue
            lexicon = SegmentLexicon.of_segment(ix.storage, leaf.segment(), leaf)
            assert list(lexicon.terms) == [t.decode() for t in leaf.lexicon("stem")]
            for term, df in zip(lexicon.terms, lexicon.dfs, strict=True):
                assert leaf.doc_frequency("stem", term) == df


def _results(home: Path) -> dict[str, list[str]]:
    searcher = Searcher(home)
    return {q: sorted(h.id + "#" + (h.arende or {}).get("key", "")
                      for h in searcher.search(Query(text=q, page_size=200)).hits)
            for q in QUERIES}


@pytest.fixture
def merged_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[int]]:
    """An archive whose index grew by 12 syncs, merging three segments of a size into one.

    Returns the home and, per merge, how many deleted entries its segments held.
    """
    report = index_paths(home, [CORPUS], registry_dir=CORPUS)
    assert report.counts["new"] > 10
    monkeypatch.setattr(merger, "MERGE_FACTOR", 3)
    # Term files are read a few records at a time: every refill of the buffer is used.
    monkeypatch.setattr(postings, "_READ_AHEAD", 64)
    # Stem sequences are copied two entries at a time: chunks with and without deletions.
    monkeypatch.setattr(merger, "_SEQUENCE_CHUNK", 2)
    merges: list[int] = []
    real_merge = merger._SegmentMerger.merged_segment

    def counted(self: Any) -> Any:
        merges.append(sum(len(set(r.segment().deleted_docs() or ())) for r in self.readers))
        return real_merge(self)

    monkeypatch.setattr(merger._SegmentMerger, "merged_segment", counted)
    catalog = Catalog(home)
    index = Index(home)
    for i in range(12):
        doc_id = add(catalog, f"extra-{i}.txt",
            f"Nämnden behandlade budget nummer {i} om hemlöshet och olovligt byggande.",
            path=f"/docs/extra-{i % 5}.txt",  # a new version of an earlier one: a deletion
            document_date=f"2020-02-{i + 1:02d}", topics=["hemlöshet"] if i % 2 else [],
            districts=["Skärholmen"] if i % 3 == 0 else [], dnr=f"KS 2020/{i}")
        if i == 7:  # indexed, then grouped as a rendering of another: its entry is deleted
            rendering = add(catalog, "rendering.txt", "Nämnden behandlade budget version två.")
            index.sync(catalog)
            catalog.set_group(doc_id, [rendering], catalog.own_metadata(doc_id))
        index.sync(catalog)
    catalog.close()
    return home, merges


def test_merged_segments_hold_what_a_rebuild_writes(merged_home: tuple[Path, list[int]]) -> None:
    home, merges = merged_home
    assert len(merges) >= 3, "the scenario must merge several times"
    assert any(merges), "some merged segment must have had deleted entries"
    assert len(_open(home)._segments()) < 13

    merged = (_entries(home), _postings(_open(home)), _results(home))
    _lexicons_agree_with_postings(home)
    with Catalog(home) as catalog:
        Index(home).rebuild(catalog)
    rebuilt = (_entries(home), _postings(_open(home)), _results(home))

    assert merged[0].keys() == rebuilt[0].keys()
    assert any("/" in entry for entry in merged[0])  # ärenden were merged too
    for entry_id, expected in rebuilt[0].items():
        assert merged[0][entry_id] == expected, entry_id
    assert merged[1] == rebuilt[1]
    assert merged[2] == rebuilt[2]
    assert merged[2]["hemlöshet"] and merged[2]['"olovligt byggande"']


def test_a_rebuild_merges_its_segments_into_a_few_holding_the_same(
    merged_home: tuple[Path, list[int]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A rebuild writes segments of SEGMENT_DOCS entries, then merges runs of them into
    # segments of up to MERGED_SEQUENCE_BYTES of stem sequences: what they hold and what
    # search finds are those of a rebuild into one segment.
    home, _ = merged_home
    with Catalog(home) as catalog:
        Index(home).rebuild(catalog)
        assert len(_open(home)._segments()) == 1
        one = (_entries(home), _postings(_open(home)), _results(home))
        whole = sum(path.stat().st_size for path in Index(home).current().glob("*.seq"))
        monkeypatch.setattr(writer, "SEGMENT_DOCS", 3)
        monkeypatch.setattr(merger, "MERGED_SEQUENCE_BYTES", whole // 3)
        Index(home).rebuild(catalog)
    sizes = [segment.doc_count() for segment in _open(home)._segments()]
    assert 2 <= len(sizes) <= 4 and max(sizes) > 3, sizes
    assert (_entries(home), _postings(_open(home)), _results(home)) == one


def test_a_merge_drops_deleted_entries_and_keeps_search_answering(
    merged_home: tuple[Path, list[int]],
) -> None:
    home, _ = merged_home
    searcher = Searcher(home)
    hits = searcher.search(Query(text="budget nummer", page_size=50)).hits
    # Five paths, each replaced by later versions: only the newest version of each is found.
    titles = {h.document["title"] for h in hits if h.document["title"].startswith("extra-")}
    assert titles == {f"extra-{i}.txt" for i in range(7, 12)}
    assert searcher.search(Query(text="budget", district=["Skärholmen"])).total >= 1


@pytest.mark.parametrize("read_ahead", [1 << 20, 64, 1])
def test_term_files_read_front_to_back_give_whooshs_terms(
    merged_home: tuple[Path, list[int]], monkeypatch: pytest.MonkeyPatch, read_ahead: int,
) -> None:
    home, _ = merged_home
    monkeypatch.setattr(postings, "_READ_AHEAD", read_ahead)
    with _open(home).reader() as reader:
        for leaf, _base in reader.leaf_readers():
            for name in leaf.indexed_field_names():
                ours = [(term, info) for term, info in postings._field_terms(leaf, name)]
                theirs = list(leaf.iter_field(name))
                assert [term for term, _ in ours] == [term for term, _ in theirs]
                for (term, raw), (_, info) in zip(ours, theirs, strict=True):
                    ids, _weights = postings._stored_postings(
                        leaf._terms._postfile, raw, "f")
                    matcher = leaf._terms.matcher(name, term, leaf.schema[name].format)
                    assert list(ids) == list(matcher.all_ids()), (name, term)
                    assert info.doc_frequency() == len(ids)
