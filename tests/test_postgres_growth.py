"""Growing past one PostgreSQL server with PostgreSQL's own means, on real servers on
loopback: a streaming replica that searches read while the primary ingests
(``ARKIV_DATABASE_READ_URL``), and two shards by kommun (postgres_fdw foreign
partitions) that answer exactly as one server does.

One primary, one replica and two shard servers for the whole module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from pgsearch import caught_up, database_env, start_replica, totals_while
from servers import PostgresServer, start_postgres
from test_index import add
from test_search_postgres import FILTERED, QUERIES, answer

from archive.catalog import Catalog
from archive.engine import backend_for
from archive.engine.pgshards import configure
from archive.engine.postgres import PostgresBackend
from archive.query import Query
from arkiv.cli import cli


def database(server: PostgresServer, name: str) -> str:
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="module")
def primary() -> Iterator[PostgresServer]:
    with start_postgres() as server:
        yield server


@pytest.fixture(scope="module")
def replica(primary: PostgresServer) -> Iterator[PostgresServer]:
    database(primary, "arkiv")  # before the base backup: the replica has it too
    with start_replica(primary) as server:
        yield server


# -- a read replica ----------------------------------------------------------------------


def test_searches_read_the_replica_while_the_primary_ingests(
        primary: PostgresServer, replica: PostgresServer, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    url = primary.url.rsplit("/", 1)[0] + "/arkiv"
    read_url = replica.url.rsplit("/", 1)[0] + "/arkiv"
    monkeypatch.setenv("ARKIV_DATABASE_READ_URL", read_url)
    home = tmp_path / "home"
    with database_env(url):
        catalog = Catalog(home)
        for n in range(5):
            add(catalog, f"start{n}.txt", f"Bygglov nummer {n} beviljas i Lerum.", city="Lerum")
        writer = backend_for(home)
        reader = backend_for(home)
    assert isinstance(reader, PostgresBackend) and reader.read_url == read_url
    writer.rebuild(catalog)
    caught_up(url, read_url)
    assert reader.searcher._conn().execute("SELECT pg_is_in_recovery()").fetchone()[0]
    assert reader.search(Query(text="bygglov")).total == 5

    def ingesting() -> None:
        for n in range(20):
            add(catalog, f"more{n}.txt", f"Bygglov för förråd {n} i Floda.", city="Lerum")
            assert writer.sync(catalog) == 1

    assert min(totals_while(reader, "bygglov", ingesting)) >= 5
    caught_up(url, read_url)
    assert reader.search(Query(text="bygglov")).total == 25
    assert reader.status()["seq"] == catalog.max_seq()
    primary_reader = PostgresBackend(home, url, url)
    query = Query(text="bygglov floda", page_size=30)
    assert answer(reader, query, hits=30) == answer(primary_reader, query, hits=30)
    for backend in (reader, writer, primary_reader):
        backend.close()
    catalog.close()


# -- two shards by kommun ------------------------------------------------------------------


@pytest.fixture(scope="module")
def shard_servers() -> Iterator[list[PostgresServer]]:
    with start_postgres() as first, start_postgres() as second:
        yield [first, second]


@pytest.fixture(scope="module")
def shards(shard_servers: list[PostgresServer]) -> list[str]:
    """A database on each shard server (a shard database holds one archive's tables)."""
    return [database(server, "arkiv_shard") for server in shard_servers]


@pytest.fixture(scope="module")
def one_and_sharded(primary: PostgresServer, shards: list[str], corpus_home: Path
                    ) -> Iterator[dict[str, Any]]:
    one = PostgresBackend(corpus_home, database(primary, "arkiv_one"))
    sharded_url = database(primary, "arkiv_sharded")
    configure(sharded_url, {"nord": shards[0], "syd": shards[1]},
              {"Lerum": "nord", "Stockholm": "syd", "Malmö": "syd"})
    sharded = PostgresBackend(corpus_home, sharded_url)
    with Catalog(corpus_home, readonly=True) as catalog:
        one.rebuild(catalog)
        sharded.rebuild(catalog)
        sharded.rebuild(catalog)  # a second generation replaces the first on the shards
    yield {"one": one, "sharded": sharded}
    one.close()
    sharded.close()


def test_the_shards_hold_their_kommuners_entries(one_and_sharded: dict[str, Any],
                                                shards: list[str]) -> None:
    held = []
    for url in shards:
        with psycopg.connect(url) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE tablename LIKE 'search_entries_g%'")]
            assert len(tables) == 1  # the older generation was dropped
            held.append(dict(conn.execute(
                f"SELECT shard, count(*) FROM {tables[0]} GROUP BY shard").fetchall()))
    assert set(held[0]) == {"Lerum"} and held[0]["Lerum"] > 10  # the §§ of Lerum's protokoll
    assert set(held[1]) <= {"Stockholm", "Malmö"} and held[1]
    with psycopg.connect(one_and_sharded["sharded"].url) as conn:
        local = dict(conn.execute(
            "SELECT shard, count(*) FROM search_entries_local GROUP BY shard").fetchall())
    assert local and not set(local) & {"Lerum", "Stockholm", "Malmö"}


@pytest.mark.parametrize("text", QUERIES)
def test_shards_answer_as_one_server(one_and_sharded: dict[str, Any], text: str) -> None:
    query = Query(text=text, page_size=20)
    assert answer(one_and_sharded["sharded"], query) == answer(one_and_sharded["one"], query)


@pytest.mark.parametrize("asked", FILTERED)
def test_shards_filter_sort_and_count_as_one_server(one_and_sharded: dict[str, Any],
                                                   asked: dict[str, Any]) -> None:
    query = Query(text="bygglov" if "sort" not in asked else "", **asked)
    one, sharded = one_and_sharded["one"], one_and_sharded["sharded"]
    assert answer(sharded, query, hits=20) == answer(one, query, hits=20)
    assert sharded.facet_values("city") == one.facet_values("city")
    assert sharded.timeline() == one.timeline()


def test_a_sync_writes_a_kommuns_documents_to_its_shard(
        primary: PostgresServer, shard_servers: list[PostgresServer], tmp_path: Path) -> None:
    url = database(primary, "arkiv_sync")
    shard = database(shard_servers[0], "arkiv_sync_shard")
    # Set up as an administrator does: the command line, on the archive's database.
    runner, env = CliRunner(), {"ARKIV_DATABASE_URL": url}
    assert runner.invoke(cli, ["shards"], env=env).output == "one server: no shards\n"
    bad = runner.invoke(cli, ["shards", "--kommun", "Kiruna"], env=env)
    assert bad.exit_code == 2 and "NAME=VALUE" in bad.output
    not_a_url = runner.invoke(cli, ["shards", "--server", "nord=db3", "--kommun", "Kiruna=nord"],
                              env=env)
    assert "is not a PostgreSQL URL" in str(not_a_url.exception)
    assert runner.invoke(cli, ["shards"], env=env).output == "one server: no shards\n"
    result = runner.invoke(cli, ["shards", "--server", f"nord={shard}",
                                 "--kommun", "Kiruna=nord"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"nord\t{shard}\tKiruna"]
    catalog = Catalog(tmp_path / "home")
    add(catalog, "a.txt", "Gruvan i Kiruna flyttar staden.", city="Kiruna")
    backend = PostgresBackend(tmp_path / "home", url)
    backend.rebuild(catalog)
    new = add(catalog, "b.txt", "Stadsflytten i Kiruna fortsätter.", city="Kiruna")
    gone = add(catalog, "c.txt", "Stadsflytten diskuteras i Luleå.", city="Luleå")
    assert backend.sync(catalog) == 2
    found = {h.id for h in backend.search(Query(text="stadsflytten")).hits}
    assert {new, gone} <= found, (new, gone, found)
    generation = backend.status()["generation"].removeprefix("pg-")
    with psycopg.connect(shard) as conn:
        on_shard = {r[0] for r in conn.execute(f"SELECT doc FROM search_entries_g{generation}")}
    assert new in on_shard and gone not in on_shard
    backend.close()
    catalog.close()
