"""The web pages over a real archive of corpus/: search, facets, documents, browse, about."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask.testing import FlaskClient
from pgsearch import served_app_fixtures
from werkzeug.http import parse_options_header

from archive.catalog import Catalog
from indexer.pipeline import index_paths
from web import create_app
from web.i18n import catalogue

#: backend, corpus_home, app and client: each test on each search backend.
globals().update(served_app_fixtures())


def api(client: FlaskClient, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def links(html: str, pattern: str) -> list[str]:
    """hrefs in a page matching a regular expression (HTML entities undone)."""
    hrefs = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)]
    return [h for h in hrefs if re.search(pattern, h)]


def test_home_page_is_a_swedish_search_page(client: FlaskClient) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert '<html lang="sv">' in html
    assert 'name="q"' in html and ">Sök</button>" in html
    for label in ("Dokumenttyp", "Projekt", "Stad", "Stadsdel", "Nämnd", "Ämne", "Beslutsdatum"):
        assert label in html
    assert "<details" in html and "Söktips" in html
    assert 'href="/hjalp"' in html


def test_search_shows_hits_with_marked_snippets_and_page_numbers(client: FlaskClient) -> None:
    html = client.get("/search?q=hemlöshet").get_data(as_text=True)
    data = api(client, "/api/search?q=hemlöshet")
    assert data["total"] >= 1
    assert f"{data['total']} träff" in html
    first = data["hits"][0]
    assert f"/documents/{first['id']}?q=heml%C3%B6shet" in html
    assert "<mark>" in html
    assert re.search(r"s\.&nbsp;\d+", html)


def test_sort_links_and_labels(client: FlaskClient) -> None:
    html = client.get("/search?q=stockholm").get_data(as_text=True)
    for label in ("Relevans", "Nyast först", "Äldst först"):
        assert label in html
    assert links(html, r"sort=newest") and links(html, r"sort=oldest")
    newest = api(client, "/api/search?sort=newest&page_size=100")["hits"]
    dates = [h["decision_date"] or h["document_date"] for h in newest]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)


def test_clicking_a_facet_value_narrows_and_clicking_again_removes_it(client: FlaskClient) -> None:
    everything = api(client, "/api/search")
    city = everything["facets"]["city"][0]
    narrowed_url = city["toggle_url"]
    narrowed = api(client, narrowed_url)
    assert narrowed["total"] == city["count"] <= everything["total"]
    assert all(h["city"] == city["value"] for h in narrowed["hits"])
    selected = next(v for v in narrowed["facets"]["city"] if v["value"] == city["value"])
    assert selected["selected"] is True
    back = api(client, selected["toggle_url"])
    assert back["total"] == everything["total"]

    html = client.get(narrowed_url.replace("/api/search", "/search")).get_data(as_text=True)
    assert "is-selected" in html and "Ta bort filtret" in html


def test_filters_repeat_as_query_parameters(client: FlaskClient) -> None:
    cities = [v["value"] for v in api(client, "/api/search")["facets"]["city"]][:2]
    if len(cities) < 2:
        pytest.skip("the corpus has fewer than two cities")
    both = api(client, f"/api/search?city={cities[0]}&city={cities[1]}")
    one = api(client, f"/api/search?city={cities[0]}")
    other = api(client, f"/api/search?city={cities[1]}")
    assert both["total"] == one["total"] + other["total"]
    assert both["query"]["city"] == cities


def test_empty_form_fields_redirect_to_a_clean_url(client: FlaskClient) -> None:
    response = client.get("/search?q=hemlöshet&city=&type=&decision_from=&lang=en")
    assert response.status_code == 302
    assert response.headers["Location"] == "/search?q=heml%C3%B6shet&lang=en"


def test_date_range_filter(client: FlaskClient) -> None:
    data = api(client, "/api/search?decision_from=2004-01-01&decision_to=2004-12-31&page_size=100")
    assert data["total"] >= 1
    assert all(h["decision_date"].startswith("2004") for h in data["hits"])
    html = client.get("/search?decision_from=2004").get_data(as_text=True)
    assert 'value="2004-01-01"' in html  # the filters open with the range filled in
    assert "Beslutsdatum från" in html


def test_pagination_links(client: FlaskClient) -> None:
    data = api(client, "/api/search?page_size=2")
    assert data["pages"] >= 2
    html = client.get("/search?page_size=2").get_data(as_text=True)
    assert links(html, r"page=2&page_size=2")
    assert data["links"]["next"] == "/api/search?page=2&page_size=2"
    second = api(client, data["links"]["next"])
    assert second["links"]["prev"] == "/api/search?page_size=2"
    assert {h["id"] for h in second["hits"]}.isdisjoint({h["id"] for h in data["hits"]})


def test_did_you_mean_links_to_the_suggestion(client: FlaskClient) -> None:
    suggestion = api(client, "/api/search?q=hemlösht")["suggestion"]
    assert suggestion
    html = client.get("/search?q=hemlösht").get_data(as_text=True)
    assert "Menade du" in html
    assert f'href="/search?{urlencode({"q": suggestion})}"' in html


def test_the_engine_message_is_shown(client: FlaskClient) -> None:
    message = api(client, "/api/search?q=hemlöshet xylofonorkesterkvantfysik")["message"]
    assert message
    assert message in client.get("/search?q=hemlöshet xylofonorkesterkvantfysik").get_data(as_text=True)


def test_no_results_says_so(client: FlaskClient) -> None:
    html = client.get("/search?q=xylofonorkesterkvantfysik").get_data(as_text=True)
    assert "0 träffar" in html
    assert "Inga dokument matchar sökningen." in html


def test_document_page(client: FlaskClient, corpus_home: Path) -> None:
    hit = api(client, "/api/search?q=hemlöshet")["hits"][0]
    response = client.get(f"/documents/{hit['id']}?q=hemlöshet")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ladda ner original" in html
    assert f'href="/documents/{hit["id"]}/original"' in html
    assert "Liknande dokument" in html
    assert "<mark>" in html and "Gå till första träffen" in html
    assert "Uppgifter" in html and "<table" in html
    with Catalog(corpus_home, readonly=True) as catalog:
        document = catalog.get(hit["id"])
    assert document is not None
    if document.get("decision_date"):
        assert "Beslutsdatum" in html
    assert html.count('class="text-page"') == len(document.page_starts)


def test_people_read_as_names_parties_and_roles(client: FlaskClient, corpus_home: Path) -> None:
    with Catalog(corpus_home, readonly=True) as catalog:
        document = next(d for d in catalog.iter_documents(with_text=False) if d.get("people"))
    person = document.get("people")[0]
    html = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "{&#39;name&#39;" not in html and "{'name'" not in html
    assert person["name"] in html
    if person.get("party"):
        assert f"{person['name']} ({person['party']})" in html
    rows = list(csv.DictReader(io.StringIO(client.get("/search.csv?lang=en").data.decode("utf-8-sig"))))
    row = next(r for r in rows if r["id"] == document.id)
    assert person["name"] in row["people"] and "{" not in row["people"]


def test_long_facets_fold_the_rest_away(client: FlaskClient) -> None:
    html = client.get("/search").get_data(as_text=True)
    facets = api(client, "/api/search")["facets"]
    longest = max(facets.values(), key=len)
    if len(longest) <= 6:
        pytest.skip("no facet with more than six values")
    assert '<details class="facet__more">' in html
    assert f"Visa alla ({len(longest)})" in html


def test_document_page_without_search_marks_nothing(client: FlaskClient) -> None:
    hit = api(client, "/api/search?q=hemlöshet")["hits"][0]
    html = client.get(f"/documents/{hit['id']}").get_data(as_text=True)
    assert "<mark>" not in html


def test_original_download_is_the_archived_file(client: FlaskClient, corpus_home: Path) -> None:
    """PDFs are shown in the browser, text and HTML downloaded; ?download=1 always downloads."""
    with Catalog(corpus_home, readonly=True) as catalog:
        documents = list(catalog.iter_documents(with_text=False))
        for document in documents:
            mimetype = document.content_type.split(";")[0]
            for query, disposition in (("", "inline" if mimetype == "application/pdf" else "attachment"),
                                       ("?download=1", "attachment")):
                response = client.get(f"/documents/{document.id}/original{query}")
                assert response.status_code == 200
                assert response.data == catalog.original_path(document.sha256).read_bytes()
                assert response.mimetype == mimetype
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                kind, options = parse_options_header(response.headers["Content-Disposition"])
                assert kind == disposition, (document.filename, query)
                assert options["filename"] == document.filename  # filename*= decoded when not ASCII


def test_document_renderings_and_versions_are_shown(client: FlaskClient, corpus_home: Path) -> None:
    with Catalog(corpus_home, readonly=True) as catalog:
        grouped = [
            d for d in catalog.iter_documents(indexable_only=False, with_text=False)
            if catalog.renderings(d.id)
        ]
    if not grouped:
        pytest.skip("no near-duplicate renderings in this corpus")
    html = client.get(f"/documents/{grouped[0].id}").get_data(as_text=True)
    assert "Andra versioner av samma dokument" in html


@pytest.fixture(scope="module")
def versioned(tmp_path_factory: pytest.TempPathFactory) -> tuple[FlaskClient, str, str]:
    """An archive where one file was ingested, changed and ingested again: (client, old, new)."""
    folder = tmp_path_factory.mktemp("versions")
    paper = folder / "beslut.txt"
    text = "Beslut om vinterhjälp\n\nSocialnämnden i Malmö beslutar att öppna {n} sovplatser.\n"
    home = tmp_path_factory.mktemp("versions-archive") / "arkiv"
    ids = []
    for places in (40, 120):  # different sizes: seen as changed even within one mtime tick
        paper.write_text(text.format(n=places), encoding="utf-8")
        index_paths(home, [folder])
        with Catalog(home, readonly=True) as catalog:
            ids.append(catalog.path_state(paper.resolve()).document_id)  # type: ignore[union-attr]
    return create_app({"ARKIV_HOME": str(home)}).test_client(), ids[0], ids[1]


def test_earlier_versions_are_linked_both_ways(versioned: tuple[FlaskClient, str, str]) -> None:
    client, old, new = versioned
    current = client.get(f"/documents/{new}").get_data(as_text=True)
    assert "Tidigare versioner" in current and f'href="/documents/{old}"' in current
    earlier = client.get(f"/documents/{old}").get_data(as_text=True)
    assert "Det här är en tidigare version." in earlier and f'href="/documents/{new}"' in earlier
    versions = api(client, f"/api/documents/{new}")["versions"]
    assert [(v["version"], v["id"], v["current"]) for v in versions] == [(1, old, False), (2, new, True)]
    assert api(client, f"/api/documents/{old}")["superseded_by"] == new


def test_unknown_document_is_404(client: FlaskClient) -> None:
    for url in ("/documents/0000000000000000", "/documents/nope", "/documents/../../etc/passwd"):
        response = client.get(url)
        assert response.status_code == 404
        assert "text/html" in response.content_type


def test_browse_pages_link_into_searches(client: FlaskClient) -> None:
    for page in ("/browse", "/browse/projects", "/browse/places", "/browse/topics", "/browse/timeline"):
        response = client.get(page)
        assert response.status_code == 200, page
    projects = client.get("/browse/projects").get_data(as_text=True)
    project_links = links(projects, r"^/search\?project=")
    assert project_links, "no project links"
    project = parse_qs(urlsplit(project_links[0]).query)["project"][0]
    count = api(client, f"/api/search?project={project}")["total"]
    assert count >= 1
    entry = next(e for e in api(client, "/api/browse/projects") if e["name"] == project)
    assert entry["count"] == count

    timeline = client.get("/browse/timeline").get_data(as_text=True)
    assert links(timeline, r"from=\d{4}-\d{2}&")
    for year in api(client, "/api/browse/timeline")["years"]:
        assert api(client, "/api" + year["url"])["total"] == year["count"]
        for month in year["months"]:
            if month["url"]:
                assert api(client, "/api" + month["url"])["total"] == month["count"], month

    places = client.get("/browse/places").get_data(as_text=True)
    assert links(places, r"^/search\?city=")


def test_topic_browse_reaches_documents_without_typing(client: FlaskClient) -> None:
    topics = api(client, "/api/browse/topics")
    if not topics:
        pytest.skip("no topics in this corpus")
    results = api(client, "/api" + topics[0]["url"])
    assert results["total"] == topics[0]["count"]


def test_about_page_shows_the_archive_state(client: FlaskClient, corpus_home: Path) -> None:
    html = client.get("/om").get_data(as_text=True)
    status = api(client, "/api/status")
    with Catalog(corpus_home, readonly=True) as catalog:
        stats = catalog.stats()
    assert status["documents"] == stats["documents"]
    assert status["failures"] == stats["failures"]
    assert status["last_run"]["started_at"]
    assert f"<td>{stats['documents']}</td>" in html
    assert "Senaste inläsning" in html
    assert client.get("/about").status_code == 200


def test_help_page(client: FlaskClient) -> None:
    html = client.get("/hjalp").get_data(as_text=True)
    assert "Så söker du i arkivet" in html
    assert "<kbd>/</kbd>" in html


def test_language_switch_to_english_is_remembered(client: FlaskClient) -> None:
    swedish = client.get("/search?q=hemlöshet").get_data(as_text=True)
    assert 'href="/search?q=heml%C3%B6shet&amp;lang=en"' in swedish
    response = client.get("/search?q=hemlöshet&lang=en")
    english = response.get_data(as_text=True)
    assert '<html lang="en">' in english
    assert ">Search</button>" in english and "Newest first" in english
    assert "lang=en" in response.headers["Set-Cookie"]
    later = client.get("/browse").get_data(as_text=True)
    assert '<html lang="en">' in later and "Browse the archive" in later
    back = client.get("/?lang=sv").get_data(as_text=True)
    assert '<html lang="sv">' in back


def test_the_forms_lists_name_values_in_the_visitors_language(client: FlaskClient) -> None:
    # The lists are kept between requests: each language still gets its own names.
    def types(html: str) -> dict[str, str]:
        select = html.split('<select name="type"', 1)[1].split("</select>", 1)[0]
        return dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select))

    swedish = types(client.get("/search?lang=sv").get_data(as_text=True))
    english = types(client.get("/search?lang=en").get_data(as_text=True))
    again = types(client.get("/search?lang=sv").get_data(as_text=True))
    assert swedish == again and swedish.keys() == english.keys() and len(swedish) > 2
    named = [value for value in swedish if swedish[value] != english[value]]
    assert named, "some type has an English name"
    for value in named:
        assert english[value] == catalogue("en")[swedish[value]]
    chosen = client.get(f"/search?type={named[0]}&lang=en").get_data(as_text=True)
    assert f'<option value="{named[0]}" selected>{english[named[0]]}</option>' in chosen


def test_swedish_letters_survive_the_round_trip(client: FlaskClient) -> None:
    html = client.get("/search?q=Skärholmen åäö ÅÄÖ").get_data(as_text=True)
    assert 'value="Skärholmen åäö ÅÄÖ"' in html
    assert "Äldst först" in html


def test_a_bad_parameter_is_a_400_page(client: FlaskClient) -> None:
    response = client.get("/search?page=abc")
    assert response.status_code == 400
    assert "text/html" in response.content_type
    assert "page" in response.get_data(as_text=True)


def test_a_missing_archive_is_a_clear_503(tmp_path: Path) -> None:
    client = create_app({"ARKIV_HOME": str(tmp_path / "none")}).test_client()
    response = client.get("/api/search")
    assert response.status_code == 503
    assert "arkiv index" in response.get_json()["error"]
    assert client.get("/").status_code == 503
