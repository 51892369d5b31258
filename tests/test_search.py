"""Search over a real index of the seed documents plus small documents, one per behaviour."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pgsearch import BACKENDS, open_backend
from test_index import add, seed_archive

from archive.catalog import Catalog
from archive.engine import MESSAGE_FALLBACK, Index, Searcher, search
from archive.messages import message
from archive.models import DOCUMENT_FIELDS
from archive.query import FACETS, Query, Results


@pytest.fixture(scope="module", params=BACKENDS)
def archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, Any]:
    """One indexed archive for the whole module: the seeds and small documents, searched
    by each backend."""
    home = tmp_path_factory.mktemp("search") / "arkiv-home"
    catalog = Catalog(home)
    ids = seed_archive(catalog)
    small = {
        "beslutade": ("Styrelsen beslutade igår att avsluta projektet.", {}),
        "nämnd": ("Ärendet gick till nämnd för prövning.", {"document_date": "2020-02-01"}),
        "sn_only": ("Socialtjänstnämnden sammanträdde i maj om budgeten.",
                    {"document_date": "2020-03-01", "committee": "Socialtjänstnämnden"}),
        "ascii": ("Protokollet skrevs av socialtjanstnamnden utan prickar.",
                  {"document_date": "2020-04-01"}),
        "compound": ("Hemlöshetsarbetet i staden utvecklas vidare.",
                     {"document_date": "1999-05-01", "city": "Göteborg"}),
        "far": ("Min far var sjöman hela livet.", {"document_date": "2001-01-01"}),
        "får": ("Hon får ett svar i morgon.", {"document_date": "2002-01-01"}),
        "english": ("The city council discussed housing for homeless people.",
                    {"language": "en", "document_date": "2018-01-01", "city": "Malmö"}),
        "finnish": ("Kaupunki tukee asunnottomia ja rakentaa uusia asuntoja.",
                    {"language": "fi", "document_date": "2017-01-01"}),
        "norwegian": ("Kommunen har vurdert søknadene om bygging av boliger.",
                      {"language": "nb", "document_date": "2017-02-01"}),
        "danish": ("Kommunalbestyrelsen behandlede en ansøgning om byggetilladelse.",
                   {"language": "da", "document_date": "2017-03-01"}),
        "fk": ("Försäkringskassan beviljar assistansersättning.", {"document_date": "2016-01-01"}),
        "sol": ("Beslutet fattas enligt 4 kap. 1 § SoL.", {"document_date": "2016-02-01"}),
        "parts": ("Kompetensen och försörjningen av lärare diskuterades.",
                  {"document_date": "2015-01-01"}),
        "whole": ("Kompetensförsörjningen är god.", {"document_date": "2015-02-01"}),
        "ks": ("Budgetärende inför nästa år.",
               {"dnr": "KS 2019/123", "document_date": "2019-02-02",
                "decision_date": "2019-03-03"}),
        "sbn": ("Detaljplan för kvarteret.",
                {"dnrs": [{"verbatim": "SBN 2020/55", "normalised": "SBN 2020/55"}],
                 "document_date": "2020-05-05"}),
        "phrase_marks": ("Praktik sker ofta. Evidensbaserad metod där. Den evidensbaserade "
                         "praktiken prövas, sedan praktik igen.", {"document_date": "2023-01-01"}),
        "xss": ("<script>alert('x')</script> hemlöshet & annat <b>fett</b>",
                {"document_date": "2021-01-01"}),
    }
    for name, (text, metadata) in small.items():
        ids[name] = add(catalog, f"{name}.txt", text, **metadata)
    pages = ["Inledning om staden.\n", "Mellanspel om parker.\n", "Bilaga om trängselskatt.\n"]
    starts = [sum(len(p) for p in pages[:i]) for i in range(len(pages))]
    ids["pages"] = add(catalog, "pages.txt", "".join(pages), page_starts=starts,
                       document_date="2022-01-01")
    if request.param == "embedded":
        Index(home).rebuild(catalog)
        return {"home": home, "ids": ids, "searcher": Searcher(home), "search": search}
    backend = open_backend(request.param, home)
    backend.rebuild(catalog)
    return {"home": home, "ids": ids, "searcher": backend.searcher,
            "search": lambda home, query: backend.search(query)}


def run(archive: dict[str, Any], text: str = "", **query: Any) -> Results:
    return archive["searcher"].search(Query(text=text, **query))


def hits(archive: dict[str, Any], text: str = "", **query: Any) -> list[str]:
    query.setdefault("page_size", 100)
    return [h.id for h in run(archive, text, **query).hits]


def name_of(archive: dict[str, Any], doc_id: str) -> str:
    return next(name for name, i in archive["ids"].items() if i == doc_id)


# -- analysis at work ---------------------------------------------------------------------


def test_stems_find_inflections(archive: dict[str, Any]) -> None:
    assert archive["ids"]["beslutade"] in hits(archive, "beslut")


def test_compound_heads_are_found_below_exact_words(archive: dict[str, Any]) -> None:
    ids = archive["ids"]
    found = hits(archive, "nämnd")
    assert ids["sn_only"] in found
    assert found.index(ids["nämnd"]) < found.index(ids["sn_only"])


def test_compound_modifiers_are_found(archive: dict[str, Any]) -> None:
    assert archive["ids"]["compound"] in hits(archive, "hemlöshet")


def test_a_ring_is_a_letter(archive: dict[str, Any]) -> None:
    ids = archive["ids"]
    assert ids["får"] in hits(archive, "får")
    assert ids["far"] not in hits(archive, "får")
    assert ids["far"] not in hits(archive, '"får"')


def test_words_typed_without_dots_find_them_ranked_lower(archive: dict[str, Any]) -> None:
    ids = archive["ids"]
    found = hits(archive, "socialtjanstnamnden")
    assert ids["sn_only"] in found
    assert found.index(ids["ascii"]) < found.index(ids["sn_only"])


def test_english_documents_are_stemmed_in_english(archive: dict[str, Any]) -> None:
    # The report says "Baltic Cities" and ranks first; the English document says "city".
    assert archive["ids"]["english"] in hits(archive, "cities")
    assert hits(archive, "councils")[0] == archive["ids"]["english"]
    # English stop words are not indexed there: they rank, they are not required.
    assert hits(archive, "the city council")[0] == archive["ids"]["english"]
    assert run(archive, "the city council").message is None


def test_a_compound_query_word_finds_its_parts_below_the_compound(archive: dict[str, Any]) -> None:
    ids = archive["ids"]
    found = hits(archive, "kompetensförsörjning")
    assert found[0] == ids["whole"] and ids["parts"] in found


@pytest.mark.parametrize(("query", "name"), [("fk", "fk"), ("socialtjänstlagen", "sol")])
def test_an_abbreviation_finds_its_long_form_and_back(
        archive: dict[str, Any], query: str, name: str) -> None:
    """archive/data/synonyms.toml: "FK" is Försäkringskassan, "SoL" socialtjänstlagen."""
    result = run(archive, query)
    assert archive["ids"][name] in [h.id for h in result.hits]
    hit = next(h for h in result.hits if h.id == archive["ids"][name])
    assert "<mark>" in hit.snippets[0].html


@pytest.mark.parametrize(
    ("query", "name"),
    [("asuntoihin", "finnish"), ("søknad", "norwegian"), ("ansøgningerne", "danish")],
)
def test_finnish_norwegian_and_danish_documents_are_stemmed_in_their_language(
        archive: dict[str, Any], query: str, name: str) -> None:
    """Another inflection of a word finds the document (its own Snowball stemmer), and
    is highlighted in the snippet."""
    result = run(archive, query)
    assert [h.id for h in result.hits] == [archive["ids"][name]]
    assert "<mark>" in result.hits[0].snippets[0].html


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("dnr:115-239/2002", "002_da9cc209dec7227b.txt"),
        ("115-239/2002", "002_da9cc209dec7227b.txt"),
        ("115 - 239/2002", "002_da9cc209dec7227b.txt"),
        ("dnr:ks 2019/123", "ks"),
        ("dnr:KS2019/123", "ks"),
        ("KS 2019/123", "ks"),
        ("dnr:2019/123", "ks"),
        ("dnr:sbn 2020/55", "sbn"),
    ],
)
def test_diarienummer(archive: dict[str, Any], text: str, name: str) -> None:
    assert hits(archive, text)[0] == archive["ids"][name]


def test_diarienummer_in_metadata_only_ranks_first(archive: dict[str, Any]) -> None:
    # "Budgetärende" does not say its dnr; the other documents say 2019 or 123.
    assert hits(archive, "dnr:KS 2019/123")[0] == archive["ids"]["ks"]


def test_phrases(archive: dict[str, Any]) -> None:
    ids = archive["ids"]
    assert set(hits(archive, '"evidensbaserad praktik"')) == {
        ids["004_efc360e798257d01.txt"], ids["phrase_marks"]}
    assert hits(archive, '"praktik evidensbaserad"') == []


def test_a_phrase_is_marked_where_its_words_stand_together(archive: dict[str, Any]) -> None:
    result = run(archive, '"evidensbaserad praktik"', year=["2023"])
    assert [h.id for h in result.hits] == [archive["ids"]["phrase_marks"]]
    marked = " ".join(s.html for s in result.hits[0].snippets)
    assert marked.count("<mark>") == 1
    assert "<mark>evidensbaserade praktiken</mark>" in marked


def test_or_not_and_prefix(archive: dict[str, Any]) -> None:
    ids = archive["ids"]
    either = set(hits(archive, "sjöman OR morgon"))
    assert either == {ids["far"], ids["får"]}
    assert ids["far"] not in hits(archive, "sjöman -far")
    assert ids["compound"] in hits(archive, "hemlöshetsarb*")


def test_natural_language_question(archive: dict[str, Any]) -> None:
    found = hits(archive, "Vad beslutade nämnden om hemlösa EU-medborgare?")
    assert found[0] == archive["ids"]["004_efc360e798257d01.txt"]


def test_falls_back_to_some_words(archive: dict[str, Any]) -> None:
    results = run(archive, "hemlöshet kvantfysik")
    assert results.total > 0
    assert results.notes == [MESSAGE_FALLBACK]
    assert run(archive, "hemlöshet").message is None


# -- filters, facets, sorting --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"project": ["Europaforum"]}, {"002_da9cc209dec7227b.txt"}),
        ({"city": ["Sollentuna"]}, {"003_c0d7bba4146d21a4.txt"}),
        ({"city": ["göteborg", "malmö"]}, {"compound", "english"}),
        ({"district": ["Skärholmen"]}, {"004_efc360e798257d01.txt"}),
        ({"mentioned": ["Riga"]}, {"000_1b8a4bf8a8410e47.txt"}),
        ({"committee": ["Socialtjänstnämnden"]},
         {"000_1b8a4bf8a8410e47.txt", "002_da9cc209dec7227b.txt", "sn_only"}),
        ({"doc_type": ["pressmeddelande"]}, {"004_efc360e798257d01.txt"}),
        ({"topic": ["missbruk"]}, {"004_efc360e798257d01.txt"}),
        ({"language": ["en"]}, {"english"}),
        ({"language": ["engelska"]}, {"english"}),
        ({"year": ["2013"]}, {"004_efc360e798257d01.txt"}),
        ({"date_from": "2004-11-01", "date_to": "2004-12-31"}, {"002_da9cc209dec7227b.txt"}),
        ({"decision_from": "2019-03-01", "decision_to": "2019-03"}, {"ks"}),
        ({"document_from": "2019-02", "document_to": "2019-02-28"}, {"ks"}),
        ({"text": "datum:2013"}, {"004_efc360e798257d01.txt"}),
        ({"text": "datum:1999..2001"}, {"compound", "far"}),
        ({"text": "stad:sollentuna"}, {"003_c0d7bba4146d21a4.txt"}),
        ({"text": "nämnd:socialtjänstnämnden budget"}, {"sn_only"}),
        ({"text": "typ:pressmeddelande OR typ:artikel"},
         {"003_c0d7bba4146d21a4.txt", "004_efc360e798257d01.txt"}),
        ({"text": "hemlöshet -typ:pressmeddelande stad:stockholm"},
         {"002_da9cc209dec7227b.txt", "xss"}),
    ],
)
def test_filters_narrow(archive: dict[str, Any], query: dict[str, Any], expected: set[str]
                        ) -> None:
    query.setdefault("text", "")
    found = {name_of(archive, i) for i in hits(archive, **query)}
    assert found == expected


def test_facets_count_the_whole_result_set(archive: dict[str, Any]) -> None:
    results = run(archive, "hemlöshet", page_size=1, committee=["Socialnämnden"])
    assert len(results.hits) == 1
    assert set(results.facets) == set(FACETS)
    assert sum(v.count for v in results.facets["doc_type"]) == results.total
    committee = {v.value: v for v in results.facets["committee"]}
    assert committee["Socialnämnden"].selected
    everything = run(archive, "", page_size=1)
    assert sum(v.count for v in everything.facets["language"]) == everything.total
    assert not any(v.selected for values in everything.facets.values() for v in values)
    by_year = {v.value: v.count for v in everything.facets["year"]}
    assert by_year["2004"] == 2


def test_empty_query_browses_newest_first(archive: dict[str, Any]) -> None:
    results = run(archive, "", page_size=100)
    assert results.total == len(archive["ids"]) - 1  # one rendering is not shown
    dates = [h.document["decision_date"] or h.document["document_date"] for h in results.hits]
    known = [d for d in dates if d]
    assert known == sorted(known, reverse=True)
    assert dates[: len(known)] == known  # undated documents last
    filtered = run(archive, "", city=["Stockholm"], doc_type=["rapport"], page_size=100)
    assert filtered.total > 0
    assert all(h.document["city"] == "Stockholm" for h in filtered.hits)


def test_sorting_by_date(archive: dict[str, Any]) -> None:
    newest = run(archive, "hemlöshet", sort="newest", page_size=100).hits
    oldest = run(archive, "hemlöshet", sort="oldest", page_size=100).hits
    key = [h.document["decision_date"] or h.document["document_date"] for h in newest]
    assert key == sorted(key, reverse=True)
    assert [h.id for h in oldest] == [h.id for h in newest][::-1]


def test_paging(archive: dict[str, Any]) -> None:
    everything = [h.id for h in run(archive, "", page_size=100).hits]
    pages = [[h.id for h in run(archive, "", page=p, page_size=4).hits] for p in (1, 2, 3)]
    assert pages[0] + pages[1] + pages[2] == everything[:12]
    assert run(archive, "", page=99, page_size=4).hits == []
    assert run(archive, "", page=99, page_size=4).total == len(everything)


# -- hits ---------------------------------------------------------------------------------


def test_hits_carry_the_document_contract(archive: dict[str, Any]) -> None:
    hit = run(archive, "trängselskatt").hits[0]
    assert list(hit.document) == list(DOCUMENT_FIELDS)
    assert hit.to_json()["score"] > 0


def test_snippets_mark_matches_with_their_page(archive: dict[str, Any]) -> None:
    hit = run(archive, "trängselskatt").hits[0]
    assert hit.id == archive["ids"]["pages"]
    assert hit.snippets[0].page == 3
    assert "<mark>trängselskatt</mark>" in hit.snippets[0].html
    compound = run(archive, "nämnd", committee=["Socialtjänstnämnden"]).hits
    assert any("<mark>Socialtjänstnämnden</mark>" in s.html for h in compound for s in h.snippets)
    folded = run(archive, "socialtjanstnamnden").hits
    assert any("<mark>Socialtjänstnämnden</mark>" in s.html for h in folded for s in h.snippets)


def test_snippets_are_escaped(archive: dict[str, Any]) -> None:
    for text in ("hemlöshet", "<script>", "fett"):
        for hit in run(archive, text, page_size=100).hits:
            for snippet in hit.snippets:
                assert "<script" not in snippet.html and "<b>" not in snippet.html
    xss = next(h for h in run(archive, "hemlöshet", page_size=100).hits
               if h.id == archive["ids"]["xss"])
    assert "&lt;script&gt;" in xss.snippets[0].html
    assert "<mark>hemlöshet</mark> &amp; annat &lt;b&gt;fett&lt;/b&gt;" in xss.snippets[0].html


def test_near_duplicates_show_once_with_their_renderings(archive: dict[str, Any]) -> None:
    ids = archive["ids"]
    found = run(archive, "Europaforum", page_size=100).hits
    report = [h for h in found if h.id == ids["002_da9cc209dec7227b.txt"]]
    assert len(report) == 1
    assert report[0].renderings == [ids["001_d76c021fc7400117.txt"]]
    assert ids["001_d76c021fc7400117.txt"] not in [h.id for h in found]


def test_did_you_mean(archive: dict[str, Any]) -> None:
    results = run(archive, "hemlöshte")
    assert results.total == 0
    assert results.suggestion == "hemlöshet"
    assert run(archive, "hemlöshet").suggestion is None


def test_more_like_this(archive: dict[str, Any]) -> None:
    searcher = archive["searcher"]
    report = archive["ids"]["002_da9cc209dec7227b.txt"]
    related = searcher.more_like_this(report, limit=3)
    assert 0 < len(related) <= 3
    assert report not in [h.id for h in related]
    assert searcher.more_like_this("no-such-document") == []


def test_facet_values_and_timeline(archive: dict[str, Any]) -> None:
    searcher = archive["searcher"]
    cities = searcher.facet_values("city")
    assert [v.value for v in cities] == ["Göteborg", "Malmö", "Sollentuna", "Stockholm"]
    assert {v.value: v.count for v in searcher.facet_values("project")} == {"Europaforum": 1}
    assert searcher.facet_values("nonsense") == []
    timeline = dict(searcher.timeline())
    assert timeline["2004-12"] == 1 and timeline["2013-06"] == 1
    assert list(timeline) == sorted(timeline)
    assert searcher.timeline(Query(text="hemlöshet", city=["Göteborg"])) == [("1999-05", 1)]


def test_one_searcher_serves_many_threads(archive: dict[str, Any]) -> None:
    queries = ["hemlöshet", "nämnd", '"evidensbaserad praktik"', "", "cities", "hemlöshte"]
    expected = {q: [h.id for h in run(archive, q).hits] for q in queries}
    errors: list[BaseException] = []
    mismatches: list[str] = []

    def work(offset: int) -> None:
        try:
            for i in range(30):
                text = queries[(i + offset) % len(queries)]
                if [h.id for h in run(archive, text).hits] != expected[text]:
                    mismatches.append(text)
        except BaseException as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and mismatches == []


def test_search_function_shares_a_searcher(archive: dict[str, Any]) -> None:
    assert archive["search"](archive["home"], Query(text="trängselskatt")).total == 1


# -- whatever the user types ----------------------------------------------------------------

MALFORMED = [
    '"unbalanced quote', "NOT", "OR OR", "x" * 10_000, "ord " * 5_000, "!!! ??? ...",
    "datum:banana", "datum:", "dnr:", "stad:", '"', "-", "*", "a*", "((((", "))", "NOT NOT NOT",
    "\x00\x01", "<script>alert(1)</script>", "hemlöshet\u200b", "ÅÄÖ", "🙂", "%s %d {}",
    "stad:Ingenstans", "typ:", "datum:9999-99-99", "datum:..", "-stad:Stockholm",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_input_gives_results(archive: dict[str, Any], text: str) -> None:
    results = run(archive, text)
    assert isinstance(results, Results)
    assert results.total >= len(results.hits)


def test_malformed_input_messages(archive: dict[str, Any]) -> None:
    assert run(archive, "datum:banana").notes == [message("invalid_date", value="banana")]
    assert "cut to 1000 characters" in (run(archive, "x" * 10_000).message or "")
    assert run(archive, "!!!").message == "the search had no searchable words"
    assert run(archive, "", date_from="igår").message == "not a date: igår"


def test_bad_paging_and_sort_are_normalised(archive: dict[str, Any]) -> None:
    results = run(archive, "hemlöshet", page=-3, page_size=10_000, sort="sideways")
    assert results.query.page == 1 and results.query.page_size == 100
    assert results.query.sort == "relevance"
    assert results.hits


@given(text=st.text(max_size=120))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_searches(archive: dict[str, Any], text: str) -> None:
    results = run(archive, text, page_size=100)
    indexed = set(archive["ids"].values())
    assert {h.id for h in results.hits} <= indexed
    assert results.total >= len(results.hits)


@given(text=st.text(alphabet='hemlöst nämd"-:*()ORNT stad:dnr115/2', max_size=40))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_syntax_searches(archive: dict[str, Any], text: str) -> None:
    results = run(archive, text)
    assert {h.id for h in results.hits} <= set(archive["ids"].values())


def test_index_only_holds_documents_of_this_archive(archive: dict[str, Any]) -> None:
    shown = set(hits(archive, ""))
    assert shown == set(archive["ids"].values()) - {archive["ids"]["001_d76c021fc7400117.txt"]}


def test_searcher_without_catalog_or_index(tmp_path: Path) -> None:
    results = Searcher(tmp_path / "nothing").search(Query(text="x"))
    assert [note.id for note in results.notes] == ["index_missing"]
    assert Searcher(tmp_path / "nothing").timeline() == []


def test_a_search_asked_again_answers_alike_and_sees_the_index_change(tmp_path: Path) -> None:
    """A searcher keeps its answers per state of the index: asked again, a query answers
    as a fresh searcher does, what a caller does to its results is its own, and once
    the index changes the same query finds what was added."""
    home = tmp_path / "arkiv-home"
    catalog = Catalog(home)
    first = add(catalog, "a.txt", "Nämnden beslutade om budget för skolan.", city="Lerum",
                document_date="2020-03-01")
    Index(home).sync(catalog)
    searcher = Searcher(home)
    query = Query(text="budget")

    def cities(results: Results) -> dict[str, int]:
        return {v.value: v.count for v in results.facets.get("city", [])}

    def archive_wide() -> tuple[Any, ...]:
        return ({v.value: v.count for v in searcher.facet_values("city")},
                searcher.facet_spans("city"), searcher.timeline())

    asked = searcher.search(query)
    assert [h.id for h in asked.hits] == [first] and cities(asked) == {"Lerum": 1}
    assert searcher.more_like_this(first) == []
    before = archive_wide()
    assert before[0] == {"Lerum": 1} and set(before[1]) == {"Lerum"} and len(before[2]) == 1
    searcher.facet_values("city").clear()
    searcher.facet_spans("city").clear()
    searcher.timeline().clear()
    assert archive_wide() == before
    asked.facets.clear()
    asked.hits.clear()
    again = searcher.search(query)
    fresh = Searcher(home).search(query)
    assert [h.id for h in again.hits] == [h.id for h in fresh.hits] == [first]
    assert cities(again) == cities(fresh) == {"Lerum": 1}

    second = add(catalog, "b.txt", "Budget för äldreomsorgen.", city="Alingsås",
                 document_date="2021-05-02")
    Index(home).sync(catalog)
    after = searcher.search(query)
    assert {h.id for h in after.hits} == {first, second} and after.total == 2
    assert cities(after) == {"Lerum": 1, "Alingsås": 1}
    assert [h.id for h in searcher.more_like_this(first)] == [second]
    after_wide = archive_wide()
    assert after_wide[0] == {"Lerum": 1, "Alingsås": 1} and set(after_wide[1]) == {"Lerum", "Alingsås"}
    assert sum(n for _month, n in after_wide[2]) == 2
    catalog.close()


def test_did_you_mean_picks_what_whooshs_corrector_picks(corpus_home: Path) -> None:
    # The suggestion scans only words of the same first letter and length ± 2: for
    # misspellings of the archive's own words it picks what Whoosh's corrector did.
    import random

    from archive.engine.files import open_generation

    ix = open_generation(Index(corpus_home).current())
    searcher = Searcher(corpus_home)
    rng = random.Random(3)
    with ix.reader() as reader:
        words = [t.decode() for t in reader.lexicon("exact")]
        corrector = reader.corrector("exact")
        checked = 0
        for word in rng.sample([w for w in words if w.isalpha() and len(w) > 4], 60):
            at = rng.randrange(1, len(word))
            typo = rng.choice([word[:at] + word[at + 1:], word[:at] + "x" + word[at:],
                               word[:at] + "q" + word[at + 1:]])
            if reader.doc_frequency("exact", typo):
                continue
            expected = corrector.suggest(typo, limit=5, maxdist=2, prefix=1)
            results = searcher.search(Query(text=typo))
            if results.total >= 3:  # found by stem or compound: no suggestion asked
                continue
            assert results.suggestion == (expected[0] if expected else None), typo
            checked += 1
    assert checked > 30
    searcher.close()
