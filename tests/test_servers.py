"""The server fixtures themselves: a real PostgreSQL 15 and a real Redis answer, and Redis
keeps what it was told across a kill -9 (what the distributed-worker tests rely on)."""

from __future__ import annotations

import psycopg
import pytest
import redis
import servers


def test_postgres_fixture_answers_a_query(postgres_server) -> None:
    with psycopg.connect(postgres_server.url, connect_timeout=10) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
        version = conn.execute("show server_version").fetchone()[0]
    assert version.startswith("15."), version


def test_redis_fixture_keeps_data_across_kill_and_restart(redis_server) -> None:
    client = redis.Redis.from_url(redis_server.url)
    client.rpush("arkiv:test", "första", "andra")
    client.close()
    redis_server.kill()
    redis_server.start()
    client = redis.Redis.from_url(redis_server.url)
    assert [v.decode() for v in client.lrange("arkiv:test", 0, -1)] == ["första", "andra"]
    client.close()


def test_a_missing_server_skips_with_what_to_install_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(servers, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match=r"install it with `apt-get install redis-server`"):
        servers.require_binary("/nonexistent/redis-server", "redis-server")
    monkeypatch.setattr(servers, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match=r"/nonexistent/initdb not found"):
        servers.require_binary("/nonexistent/initdb", "postgresql-15")
