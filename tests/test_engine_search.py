"""The engine's query side analyses as the index did, and one highlighter marks the
search page's snippets and the document page's text alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pgsearch import BACKENDS, open_backend
from test_index import add

from archive.catalog import Catalog
from archive.query import Query


@pytest.fixture(scope="module", params=BACKENDS)
def archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("engine") / "arkiv-home"
    catalog = Catalog(home)
    docs = {
        "committee": ("The committee approved the inclusion of migrants in the programme.",
                      {"language": "en"}),
        "committees": ("Two committees met; a committee of experts advised them.",
                       {"language": "en"}),
        "council": ("The council discussed housing. A committee was not mentioned here, "
                    "only the board.", {"language": "en"}),
        "bygg": ("Nämnden utredde olovligt byggande på fastigheten. Byggande av vägar "
                 "är olovligt utan bygglov.", {}),
        "snn": ("Socialtjänstnämnden beslutade om hemlöshet. Nämnden möts i maj.", {}),
        "under": ("Under tiden arbetade nämnden vidare. Tiden räckte inte.", {}),
    }
    ids = {name: add(catalog, f"{name}.txt", text, **meta) for name, (text, meta) in docs.items()}
    backend = open_backend(request.param, home)
    backend.rebuild(catalog)
    yield {"home": home, "ids": ids, "backend": backend, "catalog": catalog}
    backend.close()


def found(archive: dict[str, Any], text: str) -> set[str]:
    names = {v: k for k, v in archive["ids"].items()}
    results = archive["backend"].search(Query(text=text, page_size=100))
    return {names[h.id] for h in results.hits}


def test_english_phrases_with_stop_words_find_what_the_index_holds(
        archive: dict[str, Any]) -> None:
    assert found(archive, '"the committee"') == {"committee", "committees", "council"}
    assert found(archive, '"inclusion of migrants"') == {"committee"}
    assert found(archive, '"committee of experts"') == {"committees"}


def test_a_phrase_spelt_the_english_way_does_not_match_swedish_documents(
        archive: dict[str, Any]) -> None:
    # "under" is an English stop word: in Swedish text the whole phrase must stand.
    assert found(archive, '"under tiden"') == {"under"}
    assert found(archive, '"olovligt byggande"') == {"bygg"}


def marked(archive: dict[str, Any], query: str, name: str) -> list[str]:
    """The words the document page marks in a document's text."""
    import re

    text = archive["catalog"].get(archive["ids"][name]).text
    html = archive["backend"].highlighter(query).mark(text)
    return re.findall(r"<mark>(.*?)</mark>", html)


def test_document_page_marks_what_the_search_matched(archive: dict[str, Any]) -> None:
    # Typed without å, ä, ö: the accented compound the search found is marked.
    assert found(archive, "socialtjanstnamnden") == {"snn"}
    assert marked(archive, "socialtjanstnamnden", "snn") == ["Socialtjänstnämnden"]
    # A phrase: marked only where its words stand together, not each word anywhere.
    assert marked(archive, '"olovligt byggande"', "bygg") == ["olovligt byggande"]


def test_snippets_and_document_page_mark_the_same_words(archive: dict[str, Any]) -> None:
    import re

    for query in ("nämnden", '"olovligt byggande"', "hemlöshet"):
        results = archive["backend"].search(Query(text=query, page_size=100))
        assert results.hits
        for hit in results.hits:
            in_snippets = {m.lower() for s in hit.snippets
                           for m in re.findall(r"<mark>(.*?)</mark>", s.html)}
            names = {v: k for k, v in archive["ids"].items()}
            on_page = {m.lower() for m in marked(archive, query, names[hit.id])}
            assert in_snippets and in_snippets <= on_page


def test_highlighter_escapes_what_it_marks(archive: dict[str, Any], tmp_path: Path) -> None:
    mark = archive["backend"].highlighter("nämnden").mark
    assert mark('Nämnden <script>alert(1)</script> "x"') == (
        "<mark>Nämnden</mark> &lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot;")
    assert archive["backend"].highlighter("").mark("<b>") == "&lt;b&gt;"
