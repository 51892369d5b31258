"""Arkiv's search engine: one module per part, behind one backend contract.

The rest of Arkiv uses :class:`SearchBackend` (:func:`backend_for`), and only this
package imports Whoosh. The embedded engine writes and reads Whoosh's file format
(whoosh-reloaded, pinned exactly in ``pyproject.toml``: the writer, merger and postings
reader depend on its W3 codec's internals). Its parts, in the order data flows:

========================  ===================================================================
``analysis``              words → exact terms and stems, per language; one pipeline for the
                          index, the query and the highlighter; diarienummer normalisation
``schema``                the Whoosh schema and what a document (and each ärende) indexes as
``postings``              the posting-list format: one encoder, one decoder, term files
``lexicon``               a segment's stem lexicon; query expansion (compounds, å/ä/ö)
``phrases``               per-document stem sequences and each stem's places in them;
                          phrases matched by intersecting places
``writer``                the bulk segment writer, and building a generation from the catalog
``merger``                merging segments by copying postings; a rebuild's segments merged
                          into a few large ones; the merge policy of syncs
``store``                 generations on disk (CURRENT, lock, state), sync and rebuild
``segments``              what search keeps open of each segment (columns, caches, views)
``docsets``               sets of documents as sorted NumPy arrays: union, intersection, top-k
``scoring``               BM25 and the weights of each way of matching
``matching``              the compiled query tree: which documents match, and their scores
``columnfile``            each segment's facet columns as mapped arrays (never parsed)
``facets``                facet counts over a result set
``highlight``             marking matches: snippets and whole texts (search and document pages)
``searcher``              a search, end to end: plan, match, rank, facets, hits
``backend``               the contract (:class:`SearchBackend`) and the choice of backend
``embedded``              the contract implemented by the parts above
``files``                 Whoosh's own view of a generation, for tests and benchmarks
``postgres``              the contract on PostgreSQL (search tables, the same planner)
``pgstore``               PostgreSQL's search tables: schema, writing, term statistics
``pgshards``              shards by kommun on other PostgreSQL servers (postgres_fdw)
========================  ===================================================================
"""

from archive.engine.analysis import (
    ENGLISH_STOP_WORDS,
    EXACT,
    STEMS,
    SWEDISH_STOP_WORDS,
    analyse,
    document_language,
    swedish_stem,
    terms,
)
from archive.engine.backend import Highlighter, SearchBackend, backend_for
from archive.engine.embedded import EmbeddedBackend
from archive.engine.lexicon import SegmentLexicon
from archive.engine.phrases import StemSequences
from archive.engine.schema import INDEX_NAME, document_fields, make_schema
from archive.engine.searcher import (
    MESSAGE_FALLBACK,
    MESSAGE_NO_INDEX,
    Searcher,
    search,
    searcher_for,
)
from archive.engine.store import CURRENT_FILE, SCHEMA_VERSION, Index, IndexBusy
from archive.engine.writer import PARALLEL_FROM

__all__ = [
    "CURRENT_FILE", "ENGLISH_STOP_WORDS", "EXACT", "INDEX_NAME", "MESSAGE_FALLBACK",
    "MESSAGE_NO_INDEX", "PARALLEL_FROM", "SCHEMA_VERSION", "STEMS", "SWEDISH_STOP_WORDS",
    "EmbeddedBackend", "Highlighter", "Index", "IndexBusy", "SearchBackend", "Searcher",
    "SegmentLexicon", "StemSequences", "analyse", "backend_for",
    "document_fields", "document_language", "make_schema", "search", "searcher_for", "swedish_stem", "terms",
]
