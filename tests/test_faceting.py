"""Multi-choice facets (OR within a facet, AND across) and a timeline that honours the
search, over the corpus archive: web page, API, CLI."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from arkiv.cli import cli


def search(client: FlaskClient, pairs: list[tuple[str, str]]) -> dict:
    response = client.get("/api/search", query_string=pairs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def total(client: FlaskClient, pairs: list[tuple[str, str]]) -> int:
    return int(search(client, [*pairs, ("page_size", "1")])["total"])


@pytest.fixture
def client(corpus_app: Flask) -> FlaskClient:
    return corpus_app.test_client()


@pytest.fixture(scope="module")
def cities(corpus_app: Flask) -> list[str]:
    facets = corpus_app.test_client().get("/api/search").get_json()["facets"]["city"]
    names = [v["value"] for v in facets if v["count"]]
    assert len(names) >= 3, "the corpus has documents of at least three cities"
    return names


def test_after_one_city_is_picked_the_others_stay_offered_with_their_counts(
    client: FlaskClient, cities: list[str]
) -> None:
    first = cities[0]
    facet = {v["value"]: v for v in search(client, [("city", first)])["facets"]["city"]}
    assert set(cities) <= set(facet)
    assert facet[first]["selected"]
    for city in cities[1:]:
        assert not facet[city]["selected"]
        # A city's count: what picking it too adds (OR within the facet).
        assert facet[city]["count"] == total(client, [("city", city)]) > 0
        toggled = parse_qsl(urlsplit(facet[city]["toggle_url"]).query)
        assert toggled == [("city", first), ("city", city)]
        both = total(client, toggled)
        assert both == total(client, [("city", first)]) + facet[city]["count"]


def test_each_facet_is_counted_under_every_other_filter(
    client: FlaskClient, cities: list[str]
) -> None:
    chosen = [("city", cities[0]), ("city", cities[1])]
    types = search(client, chosen)["facets"]["doc_type"]
    doc_type = types[0]["value"]
    asked = [*chosen, ("type", doc_type)]
    facets = search(client, asked)["facets"]
    assert total(client, asked) < total(client, chosen)
    # Every type of the two cities stays offered after one is picked.
    assert {v["value"] for v in facets["doc_type"]} == {v["value"] for v in types}
    for value in facets["city"]:  # cities: under the type filter (AND across facets)
        assert value["count"] == total(client, [("city", value["value"]), ("type", doc_type)])
    for value in facets["doc_type"]:  # types: under both cities, without the type filter
        assert value["count"] == total(client, [*chosen, ("type", value["value"])])


def test_the_search_page_offers_the_other_cities_after_one_is_picked(
    client: FlaskClient, cities: list[str]
) -> None:
    page = client.get("/search", query_string={"city": cities[0]}).get_data(as_text=True)
    links = {unescape(href) for href in re.findall(r'class="facet__value[^"]*" href="([^"]+)"', page)}
    offered = {tuple(parse_qsl(urlsplit(href).query)) for href in links}
    for city in cities[1:]:
        assert (("city", cities[0]), ("city", city)) in offered, city


def test_arkiv_search_takes_a_facet_option_again_for_any_of_its_values(
    corpus_home: Path, client: FlaskClient, cities: list[str]
) -> None:
    runner = CliRunner()
    args = ["--home", str(corpus_home), "search", "--json", "--city", cities[0], "--city",
            cities[1]]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    pairs = [("city", cities[0]), ("city", cities[1])]
    assert data["total"] == total(client, pairs) == (
        total(client, pairs[:1]) + total(client, pairs[1:]))
    counted = {v["value"]: v["count"] for v in data["facets"]["city"]}
    assert counted[cities[2]] == total(client, [("city", cities[2])])


def test_the_timeline_honours_the_search_and_counts_the_undated(
    client: FlaskClient, cities: list[str]
) -> None:
    everything = client.get("/api/browse/timeline").get_json()
    dated = sum(year["count"] for year in everything["years"])
    assert everything["undated"] > 0  # the corpus has documents without any date
    assert dated + everything["undated"] == total(client, [])
    city = cities[0]
    one = client.get("/api/browse/timeline", query_string={"city": city}).get_json()
    in_city = sum(year["count"] for year in one["years"])
    assert 0 < in_city + one["undated"] == total(client, [("city", city)]) < total(client, [])
    for year in one["years"]:
        assert dict(parse_qsl(urlsplit(year["url"]).query))["city"] == city
        assert total(client, parse_qsl(urlsplit(year["url"]).query)) == year["count"]
    page = client.get("/browse/timeline", query_string={"city": city}).get_data(as_text=True)
    assert f'data-undated="{one["undated"]}"' in page or one["undated"] == 0
    if everything["undated"]:
        whole = client.get("/browse/timeline").get_data(as_text=True)
        assert f'data-undated="{everything["undated"]}"' in whole
        assert "saknar datum" in whole
