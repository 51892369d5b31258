"""Phrases are found from each stem's places (StemPositions) exactly as a scan of the
stem sequences finds them: every pair and triple of stems that stand together in some
document, stems that never do, and stems at the end of one document and the start of
the next."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from test_index import add, phrase_files

from archive.catalog import Catalog
from archive.engine import Index
from archive.engine import phrases as phrase_module

WORDS = ("nämnd", "beslut", "bygglov", "fastighet", "olovligt", "byggande", "kommun",
         "detaljplan", "förslag", "yttrande", "hemlöshet", "skola")


def test_positions_find_what_scanning_the_sequences_finds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(phrase_module, "_POSITIONS_CHUNK", 97)  # placed in many chunks
    home = tmp_path / "home"
    catalog = Catalog(home)
    rng = random.Random(7)
    for n in range(60):  # few words, so pairs recur across documents and within them
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 40)))
        add(catalog, f"{n}.txt", f"{text}.")
    Index(home).rebuild(catalog)
    lexicon, sequences, _, positions = phrase_files(home)
    assert sequences is not None and positions is not None
    ids = sorted({i for i in (lexicon.index_of(t) for t in lexicon.terms) if i is not None})
    phrases = [[a, b] for a in ids for b in ids]
    phrases += [[rng.choice(ids) for _ in range(3)] for _ in range(300)]
    stems = np.frombuffer(sequences.data, "<u4", offset=sequences.offset)
    last = sequences.ends[0]
    across = [int(stems[last - 1]), int(stems[last])]  # the end of one, the start of the next
    phrases.append(across)
    found_any = 0
    for phrase in phrases:
        expected = sorted(sequences.docs_containing(sequences.needle(phrase)))
        assert positions.docs_containing(phrase).tolist() == expected, phrase
        found_any += bool(expected)
    assert 0 < found_any < len(phrases)
    assert positions.docs_containing([len(lexicon.terms) + 5, ids[0]]).tolist() == []
    assert 0 not in positions.docs_containing(across).tolist()
