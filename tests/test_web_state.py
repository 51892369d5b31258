"""Pure parts of the web app: URL state, translations, Swedish sorting."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from archive.query import MAX_PAGE_SIZE, FacetValue, Query
from archive.swedish import sort_key
from web import create_app
from web.browse import initial
from web.documents import human_size
from web.search import pagination
from web.state import (
    BadParameter,
    active_filters,
    facet_links,
    parse_query,
    query_args,
    search_url,
)

WEB = Path(__file__).resolve().parents[1] / "web"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app({"ARKIV_HOME": str(tmp_path_factory.mktemp("no-archive"))})


def parse(app: Flask, url: str) -> Query:
    with app.test_request_context(url):
        from flask import request

        return parse_query(request.args)


def test_parse_query_reads_every_parameter(app: Flask) -> None:
    query = parse(
        app,
        "/search?q=+hemlöshet+&city=Stockholm&city=Malmö&district=Skärholmen&mentioned=Riga"
        "&project=MUST&committee=Socialnämnden&type=protokoll&topic=EU&language=sv&year=2004"
        "&from=2004&to=2004-06&decision_from=2004-01-02&decision_to=2004-12-31"
        "&document_from=2003-01-01&document_to=2005-01-01&sort=newest&page=2&page_size=50&lang=en",
    )
    assert query == Query(
        text="hemlöshet",
        city=["Stockholm", "Malmö"],
        district=["Skärholmen"],
        mentioned=["Riga"],
        project=["MUST"],
        committee=["Socialnämnden"],
        doc_type=["protokoll"],
        topic=["EU"],
        language=["sv"],
        year=["2004"],
        date_from="2004-01-01",
        date_to="2004-06-30",
        decision_from="2004-01-02",
        decision_to="2004-12-31",
        document_from="2003-01-01",
        document_to="2005-01-01",
        sort="newest",
        page=2,
        page_size=50,
    )


def test_empty_and_repeated_values_are_dropped(app: Flask) -> None:
    query = parse(app, "/search?q=&city=&city=Malmö&city=Malmö&from=&page=")
    assert query == Query(city=["Malmö"])


@pytest.mark.parametrize(
    "url",
    [
        "/?page=abc", "/?page=0", "/?page=1.5", "/?page=10001", "/?page_size=0",
        f"/?page_size={MAX_PAGE_SIZE + 1}", "/?from=2024-02-30", "/?to=yesterday",
        "/?sort=score", "/?q=" + "x" * 1001, "/?city=" + "x" * 201,
        "/?" + "&".join(f"city=c{i}" for i in range(51)),
    ],
)
def test_bad_parameters_raise(app: Flask, url: str) -> None:
    with pytest.raises(BadParameter):
        parse(app, url)


def test_canonical_url_leaves_defaults_out(app: Flask) -> None:
    with app.test_request_context():
        assert search_url(Query()) == "/search"
        assert search_url(Query(text="å ä", sort="relevance", page=1, page_size=20)) == (
            "/search?q=%C3%A5+%C3%A4"
        )
        assert search_url(Query(city=["A", "B"]), "api.search", page=3) == (
            "/api/search?city=A&city=B&page=3"
        )


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
values = st.lists(texts.map(str.strip).filter(bool), max_size=3, unique=True)


@given(
    text=texts.map(str.strip),
    city=values,
    project=values,
    sort=st.sampled_from(["relevance", "newest", "oldest"]),
    page=st.integers(1, 10_000),
    page_size=st.integers(1, MAX_PAGE_SIZE),
    day=st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat) | st.none(),
)
def test_url_round_trip(
    app: Flask, text: str, city: list[str], project: list[str], sort: str, page: int,
    page_size: int, day: str | None,
) -> None:
    query = Query(
        text=text, city=city, project=project, sort=sort, page=page, page_size=page_size,
        decision_from=day, document_to=day,
    )
    with app.test_request_context():
        url = search_url(query)
    assert parse(app, url) == query


def test_toggle_urls_add_then_remove_a_value_and_reset_the_page(app: Flask) -> None:
    query = Query(text="x", city=["Malmö"], topic=["EU"], sort="oldest", page=4)
    facets = {"city": [FacetValue("Lund", 1)], "doc_type": [FacetValue("protokoll", 1)]}
    with app.test_request_context():
        links = facet_links(query, facets)
        lund = links["city"][0].toggle_url
        assert parse(app, lund) == replace(query, city=["Malmö", "Lund"], page=1)
        again = facet_links(parse(app, lund), facets)
        assert parse(app, again["city"][0].toggle_url) == replace(query, page=1)
        typed = parse(app, links["doc_type"][0].toggle_url)
        assert typed == replace(query, doc_type=["protokoll"], page=1)


_values = st.lists(st.text(min_size=1, max_size=8).map(str.strip).filter(bool), max_size=3,
                   unique=True)


@given(text=st.text(max_size=10), city=_values, topic=_values, offered=_values,
       sort=st.sampled_from(["relevance", "newest"]), page=st.integers(1, 5),
       day=st.sampled_from([None, "2020-01-31"]))
def test_every_toggle_url_is_the_query_with_that_value_toggled(
    app: Flask, text: str, city: list[str], topic: list[str], offered: list[str], sort: str,
    page: int, day: str | None,
) -> None:
    query = Query(text=text.strip(), city=city, topic=topic, sort=sort, page=page,
                  decision_from=day)
    facets = {"city": [FacetValue(v, 1) for v in offered], "topics": [FacetValue("EU", 2)]}
    with app.test_request_context():
        links = facet_links(query, facets)
    for link in links["city"]:
        chosen = query.values("city")
        toggled = ([c for c in chosen if c != link.value] if link.value in chosen
                   else [*chosen, link.value])
        assert parse(app, link.toggle_url) == replace(query, city=toggled, page=1)
    eu = links["topics"][0]
    assert parse(app, eu.toggle_url) == replace(
        query, topic=[t for t in query.values("topic") if t != "EU"] if "EU" in query.values(
            "topic") else [*query.values("topic"), "EU"], page=1)


def test_facet_links_carry_count_selected_and_toggle_url(app: Flask) -> None:
    query = Query(text="x", city=["Malmö", "Gone"])
    facets = {
        "city": [FacetValue("Malmö", 3, True), FacetValue("Lund", 2)],
        "doc_type": [FacetValue("protokoll", 5)],
    }
    with app.test_request_context():
        links = facet_links(query, facets)
        chips = active_filters(query)
    malmo, lund, gone = links["city"]
    assert (malmo.value, malmo.count, malmo.selected) == ("Malmö", 3, True)
    assert malmo.toggle_url == "/search?q=x&city=Gone"
    assert lund.toggle_url == "/search?q=x&city=Malm%C3%B6&city=Gone&city=Lund"
    assert (gone.value, gone.count, gone.selected) == ("Gone", 0, True)  # still removable
    assert links["doc_type"][0].toggle_url == "/search?q=x&city=Malm%C3%B6&city=Gone&type=protokoll"
    assert [c[:2] for c in chips] == [("city", "Malmö"), ("city", "Gone")]


def test_pagination_window() -> None:
    with create_app({"ARKIV_HOME": "/nonexistent"}).test_request_context():
        numbers = [n for n, _url in pagination(Query(page=10), 20)]
    assert numbers == [1, None, 8, 9, 10, 11, 12, None, 20]


def test_query_args_order_is_stable() -> None:
    query = Query(text="q", topic=["t"], city=["c"], decision_to="2004-12-31", sort="oldest")
    assert [k for k, _ in query_args(query)] == ["q", "city", "topic", "decision_to", "sort"]


# -- translations --------------------------------------------------------------------------


def _messages() -> set[str]:
    """Every literal message in the code and templates."""
    found: set[str] = set()
    single = re.compile(r"""(?<![\w.])_\(\s*(["'])(.+?)\1""")
    plural = re.compile(r"""ngettext\(\s*(["'])(.+?)\1\s*,\s*(["'])(.+?)\3""")
    for path in [*WEB.rglob("*.py"), *WEB.rglob("*.html")]:
        text = path.read_text(encoding="utf-8")
        found.update(m.group(2) for m in single.finditer(text))
        for m in plural.finditer(text):
            found.update((m.group(2), m.group(4)))
    return found


def test_every_message_has_an_english_translation() -> None:
    english = json.loads((WEB / "translations" / "en.json").read_text(encoding="utf-8"))
    missing = sorted(_messages() - set(english))
    assert not missing


def test_translations_keep_their_placeholders() -> None:
    english = json.loads((WEB / "translations" / "en.json").read_text(encoding="utf-8"))
    for swedish, translated in english.items():
        assert set(re.findall(r"{\w+}", swedish)) == set(re.findall(r"{\w+}", translated)), swedish


# -- small helpers -----------------------------------------------------------------------


def test_swedish_order_puts_a_ring_a_umlaut_o_umlaut_last() -> None:
    names = ["Örebro", "Ängelholm", "Åmål", "Zinkgruvan", "alby", "Borås"]
    assert sorted(names, key=sort_key) == ["alby", "Borås", "Zinkgruvan", "Åmål", "Ängelholm", "Örebro"]
    assert initial("Åmål") == "Å" and initial("3D-projektet") == "#"


def test_human_size() -> None:
    assert [human_size(n) for n in (512, 12_345, 3_400_000)] == ["512 B", "12 kB", "3.4 MB"]

