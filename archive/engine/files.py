"""Whoosh's own view of a generation: for checking our writer and for benchmarks.

Owns nothing the search path uses. Tests and benchmarks that compare what
:mod:`archive.engine.writer` and :mod:`archive.engine.merger` write with what Whoosh
itself writes and reads go through here, so nothing outside the engine imports Whoosh.
Whoosh internals touched: ``whoosh.index.open_dir``/``create_in`` and
``whoosh.lang.stemmer_for_language`` (its 2007 Snowball Swedish).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.lang import stemmer_for_language

from archive.engine.schema import INDEX_NAME, make_schema


def open_generation(generation: Path) -> Any:
    """A generation opened by Whoosh itself (its ``reader()``, ``searcher()``, ``writer()``)."""
    return whoosh_index.open_dir(generation, indexname=INDEX_NAME)


def create_generation(folder: Path) -> Any:
    """An empty Whoosh index with the archive's schema, in ``folder``."""
    return whoosh_index.create_in(folder, make_schema(), indexname=INDEX_NAME)


def whoosh_stemmer(language: str) -> Callable[[str], str]:
    """Whoosh's built-in stemmer of a language (Swedish: the 2007 algorithm)."""
    return stemmer_for_language(language)
