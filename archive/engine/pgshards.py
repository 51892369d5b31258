"""Shards: the search tables of some kommuner on other PostgreSQL servers (postgres_fdw).

Owns the shard layout of a PostgreSQL archive and its tables: :func:`configure` names
the shard servers and which kommuner each holds (kept in ``search_state`` as
``shards``; takes effect at the next rebuild). A sharded archive's ``search_entries``,
``search_postings`` and ``search_chunks`` are partitioned by kommun (their ``shard``
column): each listed kommun's rows live on its shard server, reached as a
``postgres_fdw`` foreign table attached as a partition, the rest on this server (the
default partition). ``search_terms`` and ``search_state`` stay on this server, so IDF
and the lexicon are the whole archive's: a search answers exactly as on one server.

A rebuild (:mod:`archive.engine.pgstore`) makes each shard's tables of the new
generation (``search_entries_g<N>`` …, plain tables with their indexes, on the shard
server), attaches them, and after the swap drops the shards' older generations.
"""

from __future__ import annotations

import json
from typing import Any

from archive.engine import pgstore
from archive.home import ArchiveError

#: The partitioned tables (``search_terms`` is not partitioned).
PARTITIONED = pgstore.TABLES[:3]


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise ArchiveError(f"a shard server's name must be letters, digits and _: {name!r}")
    return name.lower()


def configure(url: str, servers: dict[str, str], kommuner: dict[str, str]) -> None:
    """Make ``servers`` (name → PostgreSQL URL) this archive's shard servers, holding
    the search tables of ``kommuner`` (kommun → server name); empty: one server again.
    Takes effect at the next rebuild."""
    from psycopg.conninfo import conninfo_to_dict

    from archive.db import is_postgres_url, redacted

    unknown = sorted(set(kommuner.values()) - set(servers))
    if unknown:
        raise ArchiveError(f"no shard server named {', '.join(unknown)}")
    for name, server_url in servers.items():  # all checked before anything is changed
        _ident(name)
        if not is_postgres_url(server_url):
            raise ArchiveError(f"shard server {name}: {redacted(server_url)} is not a "
                               "PostgreSQL URL (postgresql://user@host:5432/database)")
    layout: dict[str, Any] = {"servers": {}, "kommuner": dict(kommuner)}
    with pgstore.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw")
        for name, server_url in servers.items():
            info = conninfo_to_dict(server_url)
            server = _ident(name)
            options = {k: str(info[k]) for k in ("host", "port", "dbname") if info.get(k)}
            conn.execute(f"DROP SERVER IF EXISTS {server} CASCADE")
            conn.execute(f"CREATE SERVER {server} FOREIGN DATA WRAPPER postgres_fdw OPTIONS ("
                         + ", ".join(f"{k} {_literal(v)}" for k, v in options.items()) + ")")
            mapping = {k: str(info[k]) for k in ("user", "password") if info.get(k)}
            if mapping:
                conn.execute(f"CREATE USER MAPPING FOR CURRENT_USER SERVER {server} OPTIONS ("
                             + ", ".join(f"{k} {_literal(v)}" for k, v in mapping.items()) + ")")
            layout["servers"][server] = server_url
        layout["kommuner"] = {k: _ident(v) for k, v in kommuner.items()}
        conn.execute(pgstore.STATE_SQL)
        conn.execute("INSERT INTO search_state VALUES ('shards', %s) ON CONFLICT (key) "
                     "DO UPDATE SET value = excluded.value",
                     (json.dumps(layout) if kommuner else "",))


def layout(url: str) -> dict[str, Any]:
    """The archive's shard layout as set by :func:`configure`: ``servers`` (name → URL,
    without its password) and ``kommuner`` (kommun → server name); empty when the
    search tables live on one server."""
    from archive.db import redacted

    with pgstore.connect(url, autocommit=True) as conn:
        state = pgstore.raw_state(conn)
    if not state.get("shards"):
        return {"servers": {}, "kommuner": {}}
    stored = json.loads(state["shards"])
    return {"servers": {name: redacted(str(server)) for name, server in stored["servers"].items()},
            "kommuner": dict(stored["kommuner"])}


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _generation(conn: Any) -> int:
    return int(pgstore.raw_state(conn).get("generation", 0)) + 1


def attach(conn: Any, sfx: str, layout: dict[str, Any]) -> None:
    """Partitions of the new tables ``{sfx}``: a local default one, and one a shard server
    (its plain tables of the new generation, made there)."""
    generation = _generation(conn)
    for table in PARTITIONED:
        conn.execute(f"CREATE TABLE {table}{sfx}_local PARTITION OF {table}{sfx} DEFAULT")
    for server, server_url in layout["servers"].items():
        held = [k for k, s in layout["kommuner"].items() if s == server]
        if not held:
            continue
        remote_sfx = f"_g{generation}"
        with pgstore.connect(server_url, autocommit=True) as remote:
            for table in PARTITIONED:
                remote.execute(f"DROP TABLE IF EXISTS {table}{remote_sfx}")
            for statement in pgstore.table_sql(remote_sfx)[: len(PARTITIONED)]:
                remote.execute(statement)
        values = ", ".join(_literal(k) for k in held)
        for table in PARTITIONED:
            conn.execute(f"CREATE FOREIGN TABLE {table}{sfx}_{server} PARTITION OF {table}{sfx} "
                         f"FOR VALUES IN ({values}) SERVER {server} "
                         f"OPTIONS (table_name {_literal(table + remote_sfx)})")


def index(conn: Any, sfx: str, layout: dict[str, Any]) -> None:
    """The indexes of the filled tables: local partitions here, shard tables there."""
    for statement in pgstore.index_sql(sfx + "_local"):
        if "search_terms" not in statement:
            conn.execute(statement)
    for statement in pgstore.index_sql(sfx):
        if "search_terms" in statement:
            conn.execute(statement)
    generation = _generation(conn)
    for server_url in _used_servers(layout):
        with pgstore.connect(server_url, autocommit=True) as remote:
            for statement in pgstore.index_sql(f"_g{generation}"):
                if "search_terms" not in statement:
                    remote.execute(statement)
            remote.execute(f"ANALYZE {', '.join(t + f'_g{generation}' for t in PARTITIONED)}")


def renamed(conn: Any, layout: dict[str, Any]) -> None:
    """After the swap: the new partitions take the live names (in the swap's transaction)."""
    for table in PARTITIONED:
        conn.execute(f"ALTER TABLE {table}_new_local RENAME TO {table}_local")
        for server in _servers_used(layout):
            conn.execute(f"ALTER FOREIGN TABLE {table}_new_{server} RENAME TO {table}_{server}")


def drop_old(conn: Any, layout: dict[str, Any]) -> None:
    """Remove the shards' tables of generations no longer live (after the swap)."""
    live = int(pgstore.raw_state(conn).get("generation", 0))
    for server_url in _used_servers(layout):
        with pgstore.connect(server_url, autocommit=True) as remote:
            rows = remote.execute("SELECT tablename FROM pg_tables WHERE tablename ~ "
                                  "'^search_(entries|postings|chunks)_g[0-9]+$'").fetchall()
            for (name,) in rows:
                if int(name.rsplit("_g", 1)[1]) != live:
                    remote.execute(f"DROP TABLE IF EXISTS {name}")


def _servers_used(layout: dict[str, Any]) -> list[str]:
    return sorted(set(layout["kommuner"].values()))


def _used_servers(layout: dict[str, Any]) -> list[str]:
    return [layout["servers"][s] for s in _servers_used(layout)]
