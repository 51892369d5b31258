"""Hostile queries: any query string or API parameter, on a real archive, gets an answer
(200, or 400 with a one-line reason), never a 500 or a traceback, and nothing a visitor
typed comes back as markup. Also ``archive.engine.search`` called directly, and the CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability import arkiv

from archive.engine import search
from archive.query import Query
from web import create_app

#: Examples per property: the default run, and ``make stress``.
EXAMPLES = [200, pytest.param(3000, marks=pytest.mark.slow, id="stress")]

#: What a visitor might try to smuggle into a page; none may come back as markup.
PAYLOADS = (
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<svg onload=alert(1)>",
    "'><iframe src=javascript:alert(1)>", "</mark><b>", "]]><x>", "&lt;script&gt;",
)
MARKUP = ("<script>alert", "<img src=x", "<svg onload", "<iframe src=javascript", "]]><x>")
OPERATORS = (
    '"', "-", "*", "?", "OR", "AND", "NOT", "(", ")", ":", "stad:", "dnr:", "typ:", "city:",
    "~", "^", "\\", "/", "%", "&", "+", "'", "\x00", "\u200b", "\ufeff", "…", "𝔸",
)
WORDS = (
    "socialnämnden", "hemlöshet", "Stockholm", "Sundbyberg", "2004", "115-239/2002",
    "Europaforum", "bistånd", "protokoll", "ÅÄÖ", "socialtjanstnamnden",
)
PARAMS = (
    "q", "city", "district", "mentioned", "project", "committee", "type", "topic",
    "language", "year", "from", "to", "decision_from", "decision_to", "document_from",
    "document_to", "sort", "page", "page_size", "lang", "unknown",
)

words = st.sampled_from(WORDS + OPERATORS + PAYLOADS)
queries = st.one_of(
    st.text(max_size=80),
    st.lists(words, max_size=12).map(" ".join),
    st.lists(st.one_of(words, st.text(max_size=8)), max_size=8).map("".join),
    st.text(min_size=900, max_size=3000),  # around and over the 1,000-character limit
)
numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["0", "-1", "1e9", "0x10", "١٢", "１", " 3 ", "NaN", "", "99999999999"]),
)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        ["2024-02-30", "2023-02-29", "0000-00-00", "9999-12-31", "2024-13", "2024-1-1", "-2024",
         "20240101", "２０２４", "2024-02-29T00:00", "1e4", ""]
    ),
    st.text(max_size=20),
)
values = st.one_of(queries, numbers, dates, st.sampled_from(["relevance", "newest", "oldest"]))
FILTER_PARAMS = ("city", "district", "mentioned", "project", "committee", "type", "topic",
                 "language", "year")
DATE_PARAMS = ("from", "to", "decision_from", "decision_to", "document_from", "document_to")
#: A query string: any parameters, repeated or not, with any values; or one that is
#: mostly valid, so that the searches behind the checks run too.
pairs = st.one_of(
    st.lists(st.tuples(st.sampled_from(PARAMS), values), max_size=10),
    st.lists(
        st.one_of(
            st.tuples(st.just("q"), queries),
            st.tuples(st.sampled_from(FILTER_PARAMS),
                      st.one_of(st.sampled_from(WORDS + PAYLOADS), st.text(max_size=30))),
            st.tuples(st.sampled_from(DATE_PARAMS),
                      st.one_of(st.dates().map(lambda d: d.isoformat()),
                                st.sampled_from(["2004", "2004-06", "2024-03-19"]))),
            st.tuples(st.sampled_from(["page", "page_size"]), st.integers(1, 100).map(str)),
            st.tuples(st.just("sort"), st.sampled_from(["relevance", "newest", "oldest"])),
        ),
        max_size=8,
    ),
)


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def client(corpus_home: Path) -> FlaskClient:
    return create_app({"ARKIV_HOME": str(corpus_home), "TESTING": True}).test_client()


def query_string(params: list[tuple[str, str]]) -> str:
    return urlencode(params, quote_via=quote)


def assert_answered(response, path: str) -> None:  # noqa: ANN001 - a Flask test response
    """200 (or a redirect to the clean URL), or 4xx with a one-line reason; never 500."""
    assert response.status_code in (200, 302, 400), (path, response.status_code)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    if response.status_code == 400 and response.is_json:
        error = response.get_json()["error"]
        assert error and "\n" not in error


def assert_no_markup_from_the_query(body: str) -> None:
    for marker in MARKUP:
        assert marker not in body, marker


@pytest.mark.parametrize("examples", EXAMPLES)
def test_api_search_answers_any_parameters(client: FlaskClient, examples: int) -> None:
    @fuzz(examples)
    @given(params=pairs)
    def check(params: list[tuple[str, str]]) -> None:
        path = f"/api/search?{query_string(params)}"
        response = client.get(path)
        assert_answered(response, path)
        assert response.is_json
        data = response.get_json()
        if response.status_code == 200:
            assert data["total"] >= len(data["hits"]) >= 0
            assert len(data["hits"]) <= data["page_size"]

    check()


@pytest.mark.parametrize("examples", EXAMPLES)
def test_search_page_and_exports_answer_any_parameters_escaped(
    client: FlaskClient, examples: int
) -> None:
    @fuzz(examples)
    @given(params=pairs, view=st.sampled_from(["/search", "/search.json", "/search.atom",
                                               "/search.csv", "/"]))
    def check(params: list[tuple[str, str]], view: str) -> None:
        path = f"{view}?{query_string(params)}"
        response = client.get(path)
        assert_answered(response, path)
        body = response.get_data(as_text=True)
        if response.status_code == 200:
            if view == "/search.json":
                json.loads(body)
            elif view == "/search.atom":
                ET.fromstring(response.get_data())  # well-formed XML, whatever was asked
        if response.mimetype in ("application/json", "text/csv"):  # data, never a page
            assert response.headers["X-Content-Type-Options"] == "nosniff"
        else:  # HTML pages (results or errors) and the Atom feed
            assert_no_markup_from_the_query(body)

    check()


@pytest.mark.parametrize("examples", EXAMPLES)
def test_raw_query_strings_are_answered(client: FlaskClient, examples: int) -> None:
    """Bytes as a browser or a script might send them: bad percent-escapes, invalid
    UTF-8, NUL, parameters without values, separators in odd places."""
    raw = st.lists(
        st.one_of(
            st.sampled_from([b"q=", b"page=", b"&", b"=", b"%", b"%zz", b"%ff%fe", b"%00",
                             b"%c3", b"%e2%80", b";", b"+", b"q", b"city=", b"from=", b"#"]),
            st.binary(max_size=12).map(lambda b: quote(b, safe="").encode()),
        ),
        max_size=15,
    ).map(b"".join)

    @fuzz(examples)
    @given(qs=raw, view=st.sampled_from(["/search", "/api/search", "/search.atom"]))
    def check(qs: bytes, view: str) -> None:
        path = f"{view}?{qs.decode('ascii')}"  # percent-escaped: the raw bytes on the wire
        response = client.get(path)
        assert_answered(response, path)

    check()


@pytest.mark.parametrize("examples", EXAMPLES)
def test_document_urls_answer_any_id(client: FlaskClient, examples: int) -> None:
    ids = st.one_of(st.text(min_size=1, max_size=60), st.sampled_from(
        ["..", "%2e%2e", "..%2F..%2Fcatalog.sqlite3", "0" * 16, "f" * 200, "%00", "<script>"]
    ))
    pages = st.sampled_from(["/documents/{}", "/api/documents/{}", "/documents/{}/original",
                             "/documents/{}/arenden/1", "/api/documents/{}/arenden/x"])

    @fuzz(examples)
    @given(doc_id=ids, page=pages, q=queries)
    def check(doc_id: str, page: str, q: str) -> None:
        path = page.format(quote(doc_id, safe="%")) + f"?q={quote(q)}"
        response = client.get(path)
        # 308: "//" in a path is merged into "/" (a %2F in an id becomes one).
        assert response.status_code in (200, 308, 404), (path, response.status_code)
        assert_no_markup_from_the_query(response.get_data(as_text=True))

    check()


# -- archive.engine.search directly -----------------------------------------------------


filter_values = st.lists(st.one_of(st.text(max_size=30), st.sampled_from(WORDS + PAYLOADS)),
                         max_size=4)
library_queries = st.builds(
    Query,
    text=queries,
    city=filter_values, district=filter_values, mentioned=filter_values,
    project=filter_values, committee=filter_values, doc_type=filter_values,
    topic=filter_values, language=filter_values, year=filter_values,
    date_from=st.none() | dates, date_to=st.none() | dates,
    decision_from=st.none() | dates, document_to=st.none() | dates,
    sort=st.sampled_from(["relevance", "newest", "oldest"]),
    page=st.integers(1, 10**6), page_size=st.integers(1, 100),
    snippets=st.booleans(), facets=st.booleans(),
)


@pytest.mark.parametrize("examples", EXAMPLES)
def test_the_library_search_never_raises(corpus_home: Path, examples: int) -> None:
    @fuzz(examples)
    @given(query=library_queries)
    def check(query: Query) -> None:
        results = search(corpus_home, query)
        assert results.total >= len(results.hits)
        json.dumps(results.to_json())  # what the API and the CLI print
        for hit in results.hits:
            for snippet in hit.snippets:
                assert_no_markup_from_the_query(snippet.html)

    check()


# -- the command line -----------------------------------------------------------------

CLI_ARGS: list[tuple[str, ...]] = [
    ("--json", '"inte avslutad', "((((((", "-", "OR", "*", "stad:", "ä" * 5000),
    ("--from", "2024-02-30", "x"), ("--page", "99999999999999999999"), ("--page-size", "0"),
    ("--json", "--city", "", "--type", "\u200b", "<script>alert(1)</script>"),
]


@pytest.mark.parametrize("args", CLI_ARGS, ids=lambda a: " ".join(a)[:30])
def test_cli_search_answers_hostile_arguments_in_one_line(corpus_home: Path, args: tuple) -> None:
    result = arkiv(corpus_home, "search", *args)
    assert result.returncode in (0, 2), result.stderr
    assert "Traceback" not in result.stderr
    if result.returncode == 2:
        assert "Error:" in result.stderr
    elif "--json" in args:
        assert json.loads(result.stdout)["total"] >= 0

