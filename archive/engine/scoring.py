"""Scoring: BM25, and how much each way of matching a query word counts.

Owns the BM25 parameters and the boosts (a word as typed counts most, then its stem,
the title and the names of its kommun, stadsdel, nämnd and projects (``meta``, as much
as the title), compounds and accent-free spellings). A query word has one idf in all
its fields (BM25F: :meth:`archive.engine.segments._View.word_idf`). The per-document length norms are
computed in :meth:`archive.engine.segments._Segment.norms`; the sums in
:mod:`archive.engine.matching`.

Touches no Whoosh internals.
"""

from __future__ import annotations

K1 = 1.2
B = 0.75
#: How much each way of matching a query word counts: the word as typed counts most.
BOOST_EXACT = 2.0
BOOST_STEM = 1.0
BOOST_TITLE = 1.5
BOOST_COMPOUND = 0.5  # "nämnd" in "socialtjänstnämnden" (the word is the compound's head)
BOOST_MODIFIER = 0.4  # "hemlöshet" in "hemlöshetsarbete" (the word comes first)
BOOST_FOLDED = 0.5  # "socialtjanstnamnden" for "socialtjänstnämnden"
BOOST_PARTS = 0.4  # "kompetens … försörjning" for "kompetensförsörjning" (each part)
BOOST_PREFIX = 1.0
BOOST_DNR = 8.0
