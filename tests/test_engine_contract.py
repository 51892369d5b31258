"""The search backend contract: what every backend must do, run against each backend.

The rest of Arkiv talks to a :class:`archive.engine.SearchBackend` only. A new backend
(PostgreSQL) is added to ``BACKENDS`` and must pass this file unchanged. The archive is
real: a catalog filled through ``add_document``, indexed by the backend under test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pgsearch import postgres_backend
from test_index import add

from archive.catalog import Catalog
from archive.engine import EmbeddedBackend, SearchBackend
from archive.query import Query

#: Backend name → how to open one on an archive home.
BACKENDS: dict[str, Callable[[Path], SearchBackend]] = {
    "embedded": EmbeddedBackend, "postgresql": postgres_backend}

DOCUMENTS = {
    "beslut": ("Socialtjänstnämnden beslutade om hemlöshet och bostäder i Rinkeby.",
               {"city": "Stockholm", "doc_type": "protokoll", "decision_date": "2020-03-12",
                "topics": ["hemlöshet"]}),
    "budget": ("Budgeten för hemlöshetsarbetet ökar. Nämnden beslutar i maj.",
               {"city": "Malmö", "doc_type": "tjänsteutlåtande", "document_date": "2021-05-04",
                "topics": ["hemlöshet", "ekonomi"]}),
    "bygg": ("Olovligt byggande på fastigheten utreds av byggnadsnämnden.",
             {"city": "Göteborg", "doc_type": "protokoll", "decision_date": "2019-11-20",
              "topics": ["bygglov"]}),
    "english": ("The committee discussed homelessness and the inclusion of migrants.",
                {"city": "Malmö", "doc_type": "rapport", "language": "en",
                 "document_date": "2018-01-15"}),
    "skola": ("Skolan i Årsta får nya lokaler. Barn och elever flyttar i augusti.",
              {"city": "Stockholm", "doc_type": "pressmeddelande",
               "document_date": "2021-08-01", "topics": ["skola"]}),
}


@pytest.fixture(params=sorted(BACKENDS))
def opened(request: pytest.FixtureRequest, home: Path) -> Iterator[dict[str, Any]]:
    catalog = Catalog(home)
    ids = {name: add(catalog, f"{name}.txt", text, **meta)
           for name, (text, meta) in DOCUMENTS.items()}
    backend = BACKENDS[request.param](home)
    yield {"backend": backend, "catalog": catalog, "ids": ids, "home": home}
    backend.close()
    catalog.close()


@pytest.fixture
def indexed(opened: dict[str, Any]) -> dict[str, Any]:
    assert opened["backend"].rebuild(opened["catalog"]) == len(DOCUMENTS)
    return opened


def names(archive: dict[str, Any], query: Query) -> list[str]:
    by_id = {v: k for k, v in archive["ids"].items()}
    return [by_id[h.id] for h in archive["backend"].search(query).hits]


def test_without_an_index_search_answers_with_a_message(opened: dict[str, Any]) -> None:
    backend = opened["backend"]
    assert backend.needs_rebuild()
    results = backend.search(Query(text="hemlöshet"))
    assert results.total == 0 and results.hits == [] and results.message
    assert backend.facet_values("city") == []
    assert backend.status() == {}


def test_rebuild_makes_an_index_synced_to_the_catalog(indexed: dict[str, Any]) -> None:
    backend, catalog = indexed["backend"], indexed["catalog"]
    assert not backend.needs_rebuild()
    status = backend.status()
    assert status["seq"] == catalog.max_seq()
    assert {"schema_version", "built_at", "updated_at"} <= set(status)


def test_words_stems_compounds_and_folded_letters(indexed: dict[str, Any]) -> None:
    assert set(names(indexed, Query(text="hemlöshet"))) >= {"beslut", "budget"}
    assert names(indexed, Query(text="beslutet")) != []  # a stem of beslutade, beslutar
    assert "bygg" in names(indexed, Query(text="nämnden"))  # byggnadsnämnden: a compound
    assert names(indexed, Query(text="socialtjanstnamnden")) == ["beslut"]  # no å, ä, ö
    assert names(indexed, Query(text="arsta")) == ["skola"]


def test_phrases_match_words_in_a_row_in_either_language(indexed: dict[str, Any]) -> None:
    assert names(indexed, Query(text='"olovligt byggande"')) == ["bygg"]
    assert names(indexed, Query(text='"byggande olovligt"')) == []
    assert names(indexed, Query(text='"the committee"')) == ["english"]
    assert names(indexed, Query(text='"inclusion of migrants"')) == ["english"]


def test_filters_dates_and_facets_over_the_whole_result_set(indexed: dict[str, Any]) -> None:
    backend = indexed["backend"]
    results = backend.search(Query(text="hemlöshet", page_size=1))
    assert results.total == 2 and len(results.hits) == 1
    cities = {v.value: v.count for v in results.facets["city"]}
    assert cities == {"Stockholm": 1, "Malmö": 1}
    assert names(indexed, Query(city=["Stockholm"], sort="newest")) == ["skola", "beslut"]
    assert names(indexed, Query(text="hemlöshet", date_from="2021-01-01")) == ["budget"]
    assert names(indexed, Query(doc_type=["protokoll"], sort="oldest")) == ["bygg", "beslut"]


def test_facet_values_and_timeline_cover_the_archive(indexed: dict[str, Any]) -> None:
    backend = indexed["backend"]
    cities = backend.facet_values("city")
    assert [(v.value, v.count) for v in cities] == [
        ("Göteborg", 1), ("Malmö", 2), ("Stockholm", 2)]
    months = dict(backend.timeline())
    assert months["2020-03"] == 1 and sum(months.values()) == len(DOCUMENTS)
    assert dict(backend.timeline(Query(text="hemlöshet"))) == {"2020-03": 1, "2021-05": 1}


def test_suggestions_more_like_this_and_highlighting(indexed: dict[str, Any]) -> None:
    backend, ids = indexed["backend"], indexed["ids"]
    assert backend.suggest("hemlöshett") == "hemlöshet"
    assert backend.suggest("hemlöshet") is None
    similar = [h.id for h in backend.more_like_this(ids["beslut"])]
    assert ids["beslut"] not in similar and similar[0] == ids["budget"]
    html = backend.highlighter("hemlöshet").mark("Hemlösheten <b>ökar</b>")
    assert re.findall(r"<mark>(.*?)</mark>", html) == ["Hemlösheten"]
    assert "&lt;b&gt;" in html


def test_sync_applies_additions_and_removals(indexed: dict[str, Any]) -> None:
    backend, catalog = indexed["backend"], indexed["catalog"]
    before = backend.version
    new = add(catalog, "ny.txt", "Hemlöshet i Kiruna utreds.", city="Kiruna")
    assert backend.sync(catalog) == 1
    assert backend.version != before
    assert new in [h.id for h in backend.search(Query(text="kiruna")).hits]
    assert backend.status()["seq"] == catalog.max_seq()
    assert backend.sync(catalog) == 0
    # "beslut" becomes a rendering of "budget": it leaves the index, "budget" stays.
    ids = indexed["ids"]
    catalog.set_group(ids["budget"], [ids["beslut"]], catalog.own_metadata(ids["budget"]))
    assert backend.sync(catalog) >= 1
    found = [h.id for h in backend.search(Query(text="hemlöshet")).hits]
    assert ids["beslut"] not in found and ids["budget"] in found


def test_the_public_never_meets_an_internal_document(opened: dict[str, Any]) -> None:
    from archive.access import change

    backend, catalog, ids = opened["backend"], opened["catalog"], opened["ids"]
    change(catalog, ids["bygg"], "internal", "personuppgifter", by="test")
    backend.rebuild(catalog)
    public = ("public",)
    assert names(opened, Query(text="byggande")) == ["bygg"]
    assert names(opened, Query(text="byggande", access=list(public))) == []
    assert "Göteborg" in {v.value for v in backend.facet_values("city")}
    assert "Göteborg" not in {v.value for v in backend.facet_values("city", access=public)}
    assert "2019-11" in dict(backend.timeline())
    assert "2019-11" not in dict(backend.timeline(access=public))
    assert backend.suggest("byggnadsnämnde") == "byggnadsnämnden"
    assert backend.suggest("byggnadsnämnde", access=public) is None
    similar = backend.more_like_this(ids["beslut"], 10, access=public)
    assert ids["bygg"] not in [h.id for h in similar]
