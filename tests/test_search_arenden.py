"""Every § an ärende you can find: Dnr and matter searches land on the §, with its decision.

Real archive (the corpus: Lerum Byggnadsnämnden's protokoll and kallelse of 2024-04-18,
as text and PDF; Sundbyberg's), real index, real Flask app.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS
from pgsearch import BACKENDS, postgres_backend

from archive.catalog import Catalog
from archive.engine import Index, Searcher
from archive.query import Query
from indexer.pipeline import index_paths
from web import create_app

PROTOKOLL = CORPUS / "lerum-byggnadsnamnden-protokoll-2024-04-18.pdf"
KALLELSE = CORPUS / "lerum-byggnadsnamnden-kallelse-2024-04-18.pdf"
PROTOKOLL_TXT = CORPUS / "lerum-byggnadsnamnden-protokoll-2024-04-18.txt"


def _shown(home: Path, path: Path):  # noqa: ANN202 - a Document
    with Catalog(home, readonly=True) as catalog:
        doc = catalog.get_by_path(path)
        return catalog.get(doc.duplicate_of or doc.id)


#: The backend this module's searches run on (see ``engine``), and PostgreSQL's per archive.
_ENGINE = {"name": "embedded"}
_POSTGRES: dict[Path, Any] = {}


@pytest.fixture(scope="module", params=BACKENDS, autouse=True)
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test of this module on each backend: the embedded index the pipeline keeps,
    or PostgreSQL synced from the same catalog."""
    _ENGINE["name"] = request.param
    yield request.param
    for backend in _POSTGRES.values():
        backend.close()
    _POSTGRES.clear()


def _searcher(home: Path) -> Any:
    """The backend under test of the archive in ``home``, synced to its catalog."""
    if _ENGINE["name"] == "embedded":
        return Searcher(home)
    backend = _POSTGRES.get(home) or _POSTGRES.setdefault(home, postgres_backend(home))
    with Catalog(home, readonly=True) as catalog:
        backend.sync(catalog)
    return backend


def _rebuild(home: Path, catalog: Catalog) -> None:
    if _ENGINE["name"] == "embedded":
        Index(home).rebuild(catalog)
    else:
        _POSTGRES.pop(home, None)
        _POSTGRES[home] = postgres_backend(home)
        _POSTGRES[home].rebuild(catalog)


def _search(home: Path, **asked: object):  # noqa: ANN202 - Results
    return _searcher(home).search(Query(**asked))


@pytest.fixture(scope="module")
def client(corpus_home: Path):  # noqa: ANN201 - Flask's test client
    return create_app({"ARKIV_HOME": str(corpus_home), "TESTING": True}).test_client()


def test_a_search_for_each_dnr_returns_its_paragraph_first(corpus_home: Path) -> None:
    protocol = _shown(corpus_home, PROTOKOLL)
    with_dnr = [a for a in protocol.metadata["arenden"] if a.get("dnr")]
    assert len(with_dnr) >= 12
    for arende in with_dnr:
        results = _search(corpus_home, text=f"dnr:{arende['dnr']}")
        first = results.hits[0]
        assert first.arende is not None, arende["dnr"]
        assert (first.id, first.arende["number"]) == (protocol.id, arende["number"])


def test_a_dnr_typed_as_it_stands_finds_the_paragraph_and_its_decision(corpus_home: Path) -> None:
    results = _search(corpus_home, text="2024-000456")
    first = results.hits[0]
    assert first.arende["number"] == "48"
    assert first.arende["heading"] == "Bygglov för nybyggnad av enbostadshus, Floda 5:112"
    decision = first.snippets[0]
    assert decision.label == "decision"
    assert decision.html.startswith("Byggnadsnämnden beviljar bygglov")
    assert decision.page == 5
    # The § comes before the whole protokoll, and before the agenda item that announced it.
    kinds = [(h.kind, h.document["doc_type"]) for h in results.hits]
    assert kinds.index(("document", "protokoll")) > 0
    assert kinds.index(("arende", "kallelse")) > 0


def test_a_matter_lands_on_its_paragraph(corpus_home: Path) -> None:
    first = _search(corpus_home, text="olovligt byggande Lerum 14:3").hits[0]
    assert first.arende is not None
    assert first.arende["heading"].startswith("Tillsyn – olovligt byggande")
    assert first.document["doc_type"] == "protokoll"


def test_an_undecided_agenda_item_shows_its_proposal(corpus_home: Path) -> None:
    results = _search(corpus_home, text="Floda 5:112", kind=["arende"], doc_type=["kallelse"])
    item = results.hits[0]
    assert item.arende["numbering"] == "item"
    assert item.snippets[0].label == "proposal"
    assert "beviljar bygglov" in item.snippets[0].html


def test_arenden_inherit_city_committee_and_meeting_date(corpus_home: Path) -> None:
    results = _search(corpus_home, text="bygglov", kind=["arende"], city=["Lerum"],
                      page_size=100)
    assert results.total >= 4
    for hit in results.hits:
        assert hit.arende is not None
        assert hit.document["committee"] == "Byggnadsnämnden"
    dated = _search(corpus_home, text="bygglov", kind=["arende"],
                    date_from="2024-04-18", date_to="2024-04-18")
    assert dated.total == results.total
    elsewhere = _search(corpus_home, text="bygglov", kind=["arende"], city=["Stockholm"])
    assert elsewhere.total == 0


def test_kind_facet_counts_documents_and_arenden(corpus_home: Path) -> None:
    results = _search(corpus_home, text="bygglov")
    counts = {f.value: f.count for f in results.facets["kind"]}
    assert counts["arende"] > 0 and counts["document"] > 0
    assert counts["arende"] + counts["document"] == results.total
    only = _search(corpus_home, text="bygglov", kind=["document"])
    assert only.total == counts["document"]
    assert all(h.arende is None for h in only.hits)


def test_browsing_lists_documents_not_their_paragraphs(corpus_home: Path) -> None:
    with Catalog(corpus_home, readonly=True) as catalog:
        shown = sum(1 for _ in catalog.iter_documents(with_text=False))
    browsed = _search(corpus_home, page_size=100)
    assert browsed.total == shown
    assert all(h.arende is None for h in browsed.hits)
    paragraphs = _search(corpus_home, kind=["arende"], committee=["Byggnadsnämnden"],
                         page_size=100)
    protocol = _shown(corpus_home, PROTOKOLL)
    notice = _shown(corpus_home, KALLELSE)
    expected = len(protocol.metadata["arenden"]) + len(notice.metadata["arenden"])
    assert paragraphs.total == expected
    searcher = _searcher(corpus_home)
    committees = {f.value: f.count for f in searcher.facet_values("committee")}
    assert committees["Byggnadsnämnden"] == 2  # the protokoll and the kallelse, once each


def test_references_inside_the_text_are_not_search_entries(corpus_home: Path) -> None:
    protocol = _shown(corpus_home, PROTOKOLL)
    numbers = {a["number"] for a in protocol.metadata["arenden"]}
    found = _search(corpus_home, text="dnr:BN", kind=["arende"], page_size=100)
    for hit in found.hits:
        if hit.id == protocol.id:
            assert hit.arende["number"] in numbers
    # "antagna av byggnadsnämnden 2022-04-21 § 108" stands in the text; § 108 is no ärende.
    assert "108" not in numbers


def test_search_page_cites_the_paragraph_and_links_to_it(client, corpus_home: Path) -> None:
    protocol = _shown(corpus_home, PROTOKOLL)
    page = client.get("/search?q=2024-000456").get_data(as_text=True)
    first_hit = page[page.index('class="hit'):]
    first_hit = first_hit[: first_hit.index("</li>")]
    assert "§ 48 i Byggnadsnämndens protokoll 2024-04-18" in first_hit
    assert f"/documents/{protocol.id}/arenden/48" in first_hit
    assert "Beslut:" in first_hit and "beviljar bygglov" in first_hit
    english_client = client.application.test_client()  # the language choice is a cookie
    english = english_client.get("/search?q=2024-000456&lang=en").get_data(as_text=True)
    assert "§ 48 in the minutes of Byggnadsnämnden, 2024-04-18" in english
    assert "Decision:" in english


def test_api_hit_of_an_arende_links_to_its_json(client, corpus_home: Path) -> None:
    data = client.get("/api/search?q=dnr:2024-000456").get_json()
    hit = data["hits"][0]
    assert hit["kind"] == "arende"
    assert hit["arende"]["citation"] == "§ 48 i Byggnadsnämndens protokoll 2024-04-18"
    assert hit["snippets"][0]["label"] == "decision"
    item = client.get(hit["arende"]["api_url"]).get_json()
    assert item["number"] == "48" and item["dnr"] == hit["arende"]["dnr"]
    assert client.get(hit["arende"]["url"]).status_code == 200
    assert {"document", "arende"} <= {v["value"] for v in data["facets"]["kind"]}


def test_exports_name_the_arende(client) -> None:
    body = client.get("/search.csv?q=dnr:2024-000456").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body), delimiter=";"))
    paragraph = next(r for r in rows
                     if r["Träff"] == "arende" and r["Dokumenttyp"] == "protokoll")
    assert paragraph["Ärende"] == "§ 48 i Byggnadsnämndens protokoll 2024-04-18"
    assert paragraph["Ärendets diarienummer"] == "2024-000456"
    assert paragraph["Länk"].endswith("/arenden/48")
    feed = client.get("/search.atom?q=dnr:2024-000456").get_data(as_text=True)
    assert "§ 48 i Byggnadsnämndens protokoll 2024-04-18: Bygglov för nybyggnad" in feed


def test_an_edited_protokoll_replaces_its_arenden_in_the_index(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    target = folder / "protokoll.txt"
    shutil.copy(PROTOKOLL_TXT, target)
    index_paths(home, [folder], workers=1)
    before = _search(home, text='"Floda 5:112"', kind=["arende"])
    assert before.total == 1
    text = PROTOKOLL_TXT.read_text(encoding="utf-8").replace("Floda 5:112", "Gråbo 7:19")
    target.write_text(text, encoding="utf-8")
    index_paths(home, [folder], workers=1)
    assert _search(home, text='"Floda 5:112"', kind=["arende"]).total == 0
    after = _search(home, text='"Gråbo 7:19"', kind=["arende"])
    assert after.total == 1 and after.hits[0].arende["number"] == "48"
    # A rebuild from the catalog gives the same entries.
    with Catalog(home) as catalog:
        _rebuild(home, catalog)
    assert _search(home, text='"Gråbo 7:19"', kind=["arende"]).total == 1
    assert _search(home, text='"Floda 5:112"', kind=["arende"]).total == 0


def test_an_arende_has_its_own_topics(corpus_home: Path) -> None:
    results = _search(corpus_home, topic=["hemlöshet"], kind=["arende"], page_size=100)
    assert results.total >= 1
    with Catalog(corpus_home, readonly=True) as catalog:
        for hit in results.hits:
            arenden = catalog.get(hit.id).metadata["arenden"]
            own = next(a for a in arenden if a["number"] == hit.arende["number"])
            assert "hemlöshet" in own["topics"], own["heading"]
    # The protokoll as a whole is about homelessness; its other §§ are not.
    protocol_hits = [h for h in results.hits if h.document["doc_type"] == "protokoll"]
    protocol = protocol_hits[0].document
    assert "hemlöshet" in protocol["topics"]
    everything = _search(corpus_home, kind=["arende"], committee=[protocol["committee"]],
                         doc_type=["protokoll"], page_size=100)
    assert len(protocol_hits) < everything.total


def test_a_word_naming_the_kommun_finds_its_arenden(corpus_home: Path) -> None:
    """Staff type the kommun into the box: "Lerum" is the city of Byggnadsnämnden's
    ärenden, not a word of § 48 or § 49, yet those bygglov decisions come first."""
    results = _search(corpus_home, text="bygglov lerum", page_size=5)
    first = [(h.arende or {}).get("number") for h in results.hits[:2]]
    assert sorted(first) == ["48", "49"], [(h.arende or {}).get("heading") for h in results.hits]


@pytest.mark.parametrize("word", ["rinkeby", "socialnämnden", "resursutbyte", "Stockholm"])
def test_free_text_matches_district_committee_project_and_city(tmp_path: Path, word: str) -> None:
    from test_index import add

    home = tmp_path / "home"
    catalog = Catalog(home)
    doc = add(catalog, "a.txt", "Ansökan om medel beviljas.", city="Stockholm",
              districts=["Rinkeby"], committee="Socialnämnden", projects=["ResursUtbyte"])
    add(catalog, "b.txt", "Ansökan om medel avslås.", city="Malmö")
    _rebuild(home, catalog)
    assert [h.id for h in _search(home, text=f"ansökan {word}").hits] == [doc]


def test_an_exact_text_match_ranks_above_a_field_match(tmp_path: Path) -> None:
    """The city as a field counts like a title word, below the word in the text."""
    from test_index import add

    home = tmp_path / "home"
    catalog = Catalog(home)
    in_text = add(catalog, "a.txt", "Beslut om bygglov i Lerum för en carport.", city="Alingsås")
    as_field = add(catalog, "b.txt", "Beslut om bygglov för en carport.", city="Lerum")
    _rebuild(home, catalog)
    ids = [h.id for h in _search(home, text="bygglov lerum").hits]
    assert ids == [in_text, as_field]
