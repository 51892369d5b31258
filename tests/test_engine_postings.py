"""Posting lists longer than one block (1,024 postings) are read back whole and in
order: the ids and frequencies search decodes are those Whoosh's own matcher reads, and
a search counts every document having the word."""

from __future__ import annotations

import pickle
import random
import zlib
from pathlib import Path

import numpy as np
import pytest
from test_index import add

from archive.catalog import Catalog
from archive.engine import Index, Searcher
from archive.engine.files import open_generation
from archive.engine.postings import BLOCK_POSTINGS, _decode_block, read_postings
from archive.query import Query


def test_postings_of_several_blocks_read_as_whoosh_reads_them(tmp_path: Path) -> None:
    home = tmp_path / "home"
    catalog = Catalog(home)
    count = 2 * BLOCK_POSTINGS + 100  # three blocks
    with catalog.transaction():
        for n in range(count):
            word = "ofta ofta" if n % 3 else "ofta"
            text = f"{word} dokument nummer {n}" + (" sällan" if n % 7 == 0 else "")
            if n % 900 == 0:  # gaps of 900 documents, and a word 300 times in a document
                text += " glest" + " kommunen" * (300 if n % 1800 == 0 else 2)
            add(catalog, f"{n}.txt", text)
    Index(home).rebuild(catalog)
    ix = open_generation(Index(home).current())
    with ix.reader() as reader:
        for term in ("ofta", "sällan", "nummer", "glest", "kommunen", "dokument"):
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


@pytest.mark.parametrize("seed", range(6))
def test_a_block_decodes_as_unpickling_it_gives(seed: int) -> None:
    # Blocks of small deltas and frequencies are read from their bytes, others unpickled:
    # both give what Whoosh's own unpickling does.
    rng = random.Random(seed)
    for _ in range(200):
        count = rng.choice([1, 2, 3, 4, 5, 100, 1024])
        top = rng.choice([1, 255, 256, 70_000, 2**40])
        deltas = tuple(rng.randint(1, top) for _ in range(count))
        if rng.random() < 0.5:  # a block's first delta is its first document number
            deltas = (rng.choice([0, 7, 300, 70_000, 2**31 - 1]), *deltas[1:])
        weights = rng.choice([
            None, tuple(rng.randint(1, rng.choice([2, 255, 300])) for _ in range(count)),
            tuple(rng.random() * 3 for _ in range(count)), 2.5])
        data = pickle.dumps((deltas, weights, None), 2)
        if rng.random() < 0.3:
            data = zlib.decompress(zlib.compress(data))
        ids, decoded = _decode_block(data, count)
        assert ids.dtype == np.intp and decoded.dtype == np.float64
        assert ids.tolist() == list(np.cumsum(deltas))
        if weights is None:
            expected = [1.0] * count
        elif isinstance(weights, float):
            expected = [weights] * count
        else:
            expected = [float(w) for w in weights]
        assert decoded.tolist() == expected
