"""The browse pages' project date spans and each city's districts come from the search
index's columns, and say what one pass over the catalog says."""

from __future__ import annotations

from pathlib import Path

from archive.catalog import Catalog
from archive.engine import backend_for
from web.browse import summarise


def test_spans_and_districts_from_the_index_match_the_catalog(corpus_home: Path) -> None:
    catalog = Catalog(corpus_home, readonly=True)
    expected = summarise(catalog)
    backend = backend_for(corpus_home)
    try:
        spans = backend.facet_spans("project")
        districts = backend.facet_pairs("city", "district")
    finally:
        backend.close()
    assert expected.spans and expected.districts  # the corpus has both
    assert spans == expected.spans
    assert districts == expected.districts
