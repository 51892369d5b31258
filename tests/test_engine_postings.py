"""Posting lists longer than one block (1,024 postings) are read back whole and in
order: the ids and frequencies search decodes are those Whoosh's own matcher reads, and
a search counts every document having the word."""

from __future__ import annotations

from pathlib import Path

from test_index import add

from archive.catalog import Catalog
from archive.engine import Index, Searcher
from archive.engine.files import open_generation
from archive.engine.postings import BLOCK_POSTINGS, read_postings
from archive.query import Query


def test_postings_of_several_blocks_read_as_whoosh_reads_them(tmp_path: Path) -> None:
    home = tmp_path / "home"
    catalog = Catalog(home)
    count = 2 * BLOCK_POSTINGS + 100  # three blocks
    with catalog.transaction():
        for n in range(count):
            word = "ofta ofta" if n % 3 else "ofta"
            add(catalog, f"{n}.txt", f"{word} dokument nummer {n}" + (" sällan" if n % 7 == 0 else ""))
    Index(home).rebuild(catalog)
    ix = open_generation(Index(home).current())
    with ix.reader() as reader:
        for term in ("ofta", "sällan", "nummer"):
            ids, weights = read_postings(reader.postings("exact", term.encode()))
            matcher = reader.postings("exact", term.encode())
            expected = list(matcher.all_items())
            assert ids.tolist() == [docnum for docnum, _ in expected]
            assert len(ids) == reader.doc_frequency("exact", term)
            whoosh = reader.postings("exact", term.encode())
            frequencies = []
            while whoosh.is_active():
                frequencies.append(whoosh.weight())
                whoosh.next()
            assert weights.tolist() == frequencies
    searcher = Searcher(home)
    assert searcher.search(Query(text="ofta")).total == count
    assert searcher.search(Query(text="sällan")).total == len(range(0, count, 7))
    searcher.close()
