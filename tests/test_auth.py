"""Accounts as staff and scripts meet them: the CLI, login and logout, CSRF, tokens, the brake.

Real archives (the pipeline ingests a few corpus files), the real app, real argon2.
"""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, HTTPS, csrf_token, form_login, post
from flask import Flask
from flask.testing import FlaskClient

from archive.accounts import AccountError, Accounts
from archive.catalog import Catalog
from arkiv.cli import main
from web import create_app
from web.auth import safe_next

PASSWORDS = {"stina": "Stina-lösen-4711", "adam": "Adam-lösen-0815"}


def arkiv(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``arkiv ARGS`` run in this process (as the console script runs it), stdin piped."""
    runner = CliRunner()
    with runner.isolation(input=stdin, env={"ARKIV_HOME": str(home), "ARKIV_DEBUG": None}) as (
        out, err, _output
    ):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
    return subprocess.CompletedProcess(
        args, code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")
    )


def make_archive(home: Path) -> Path:
    from indexer.pipeline import index_paths

    report = index_paths(home, [CORPUS / "sollentuna-artikel-internationalisera-mera.txt"])
    assert report.counts["new"] == 1, report.failures
    with Catalog(home) as catalog:
        accounts = Accounts(catalog.db)
        accounts.add_user("stina", "staff", PASSWORDS["stina"])
        accounts.add_user("adam", "admin", PASSWORDS["adam"])
    return home


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_archive(tmp_path_factory.mktemp("auth") / "arkiv")


@pytest.fixture
def home(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the module's archive (accounts and their brake are changed by tests)."""
    return Path(shutil.copytree(template, tmp_path / "arkiv"))


@pytest.fixture
def app(home: Path) -> Flask:
    return create_app({"ARKIV_HOME": str(home)})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def log_in(client: FlaskClient, name: str, password: str | None = None, **extra: str):  # noqa: ANN201
    return form_login(client, name, password or PASSWORDS[name], **extra)


def signed_in_as(client: FlaskClient) -> str | None:
    html = client.get("/", base_url=HTTPS).get_data(as_text=True)
    match = re.search(r'class="account__name">([^ <]+)', html)
    return match.group(1) if match else None


# -- the command line ------------------------------------------------------------------


def test_users_are_added_listed_changed_and_removed_from_the_command_line(home: Path) -> None:
    added = arkiv(home, "users", "add", "Karin", "--role", "admin", stdin="Karins-lösen-2026\n")
    assert added.returncode == 0, added.stderr
    listed = arkiv(home, "users", "list")
    assert re.search(r"^karin\s+admin", listed.stdout, re.M), listed.stdout
    assert re.search(r"^stina\s+staff", listed.stdout, re.M)

    again = arkiv(home, "users", "add", "karin", stdin="Karins-lösen-2026\n")
    short = arkiv(home, "users", "add", "olle", stdin="kort\n")
    nobody = arkiv(home, "users", "remove", "nobody")
    for result in (again, short, nobody):
        assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr
    assert "already" in again.stderr and "at least" in short.stderr
    bad_role = arkiv(home, "users", "add", "olle", "--role", "king", stdin="Olles-lösen-2026\n")
    assert bad_role.returncode == 2

    assert arkiv(home, "users", "passwd", "karin", stdin="Nytt-lösen-2027\n").returncode == 0
    app = create_app({"ARKIV_HOME": str(home)})
    client = app.test_client()
    assert log_in(client, "karin", "Karins-lösen-2026").status_code == 401
    assert log_in(client, "karin", "Nytt-lösen-2027").status_code == 302

    assert arkiv(home, "users", "remove", "karin").returncode == 0
    assert "karin" not in arkiv(home, "users", "list").stdout
    assert signed_in_as(client) is None  # a removed account's session ends at once


def test_tokens_are_printed_once_and_kept_only_as_hashes(home: Path) -> None:
    made = arkiv(home, "tokens", "add", "nattjobb")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert re.fullmatch(r"arkiv_[A-Za-z0-9_-]{40,}", token)
    listed = arkiv(home, "tokens", "list", "--json")
    assert '"nattjobb"' in listed.stdout and token not in listed.stdout
    assert token.encode() not in b"".join(p.read_bytes() for p in home.glob("catalog.sqlite3*"))

    client = create_app({"ARKIV_HOME": str(home)}).test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/search", headers=bearer).status_code == 200
    wrong = client.get("/api/search", headers={"Authorization": "Bearer arkiv_nope"})
    assert wrong.status_code == 401 and wrong.get_json() == {"error": wrong.get_json()["error"]}
    assert "invalid_token" in wrong.headers["WWW-Authenticate"]
    assert "Set-Cookie" not in client.get("/api/search", headers=bearer).headers

    assert arkiv(home, "tokens", "remove", "nattjobb").returncode == 0
    assert client.get("/api/search", headers=bearer).status_code == 401


# -- logging in and out ------------------------------------------------------------------


def test_login_sets_a_secure_httponly_samesite_session_and_logout_ends_it(client: FlaskClient) -> None:
    form_page = client.get("/login", base_url=HTTPS)
    assert form_page.mimetype == "text/html"
    form = form_page.get_data(as_text=True)
    assert 'type="password"' in form and 'name="csrf_token"' in form
    response = log_in(client, "stina")
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("arkiv_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert signed_in_as(client) == "stina"
    page = client.get("/", base_url=HTTPS)
    assert "no-store" in page.headers["Cache-Control"] and "private" in page.headers["Cache-Control"]

    token = csrf_token(client, "/")
    assert client.get("/logout", base_url=HTTPS).status_code == 405
    assert post(client, "/logout", data={"csrf_token": token}).status_code == 302
    assert signed_in_as(client) is None


def test_wrong_and_empty_logins_are_refused_without_saying_which_part_was_wrong(
    client: FlaskClient,
) -> None:
    unknown = log_in(client, "okand", "Vad-som-helst-1")
    wrong = log_in(client, "stina", "Fel-lösenord-99")
    assert unknown.status_code == wrong.status_code == 401
    assert "Fel användarnamn eller lösenord" in wrong.get_data(as_text=True)
    assert 'value="Fel-lösenord-99"' not in wrong.get_data(as_text=True)
    empty = post(client, "/login", data={"csrf_token": csrf_token(client)})
    assert empty.status_code == 400 and "Traceback" not in empty.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_a_form_post_without_its_csrf_token_is_refused(client: FlaskClient) -> None:
    refused = post(client, "/login", data={"name": "stina", "password": PASSWORDS["stina"]})
    assert refused.status_code == 400
    assert signed_in_as(client) is None
    forged = post(client, "/login", data={
        "name": "stina", "password": PASSWORDS["stina"], "csrf_token": "forged.token.value",
    })
    assert forged.status_code == 400
    assert log_in(client, "stina").status_code == 302
    assert post(client, "/logout").status_code == 400  # logged in, no token
    assert signed_in_as(client) == "stina"


EVIL_NEXT = [
    "//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
    "http:/evil.example", "\\\\evil.example", "/\r\nLocation: https://evil.example", "",
]


def test_no_open_redirect_after_login(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        for target in EVIL_NEXT:
            assert safe_next(target) == "/search", target
        assert safe_next("/documents/0123456789abcdef?q=a") == "/documents/0123456789abcdef?q=a"
    response = log_in(client, "stina", next="//evil.example/")
    assert response.status_code == 302 and response.headers["Location"] == "/search"


def test_after_login_the_visitor_lands_where_they_were(client: FlaskClient) -> None:
    assert log_in(client, "stina", next="/search?q=europa").headers["Location"] == "/search?q=europa"


def test_a_new_password_ends_the_old_sessions(home: Path, client: FlaskClient) -> None:
    assert log_in(client, "stina").status_code == 302
    with Catalog(home) as catalog:
        Accounts(catalog.db).set_password("stina", "Ett-helt-nytt-lösen")
    assert signed_in_as(client) is None


# -- the brake on guessing ---------------------------------------------------------------


def test_ten_wrong_passwords_are_slowed_down(home: Path, client: FlaskClient) -> None:
    answers = [log_in(client, "stina", f"Gissning-nummer-{n}") for n in range(10)]
    codes = [a.status_code for a in answers]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}, codes
    assert all(int(a.headers["Retry-After"]) >= 1 for a in answers[5:])
    assert "Försök igen om" in answers[-1].get_data(as_text=True)
    # While the brake is on, even the right password is not let in …
    assert log_in(client, "stina").status_code == 429
    # … nor the same account from elsewhere (the brake is per account, not only per address).
    other = create_app({"ARKIV_HOME": str(home)}).test_client()
    response = post(other, "/login", environ_base={"REMOTE_ADDR": "10.9.8.7"},
                    data={"name": "stina", "password": PASSWORDS["stina"],
                                "csrf_token": csrf_token(other)})
    assert response.status_code == 429
    # Once the wait is over (an hour later), the right password works and clears the count.
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        db.execute("UPDATE login_failures SET at = at - 3600")
    assert log_in(client, "stina").status_code == 302


def test_each_failure_past_the_free_ones_doubles_the_wait(home: Path) -> None:
    now = [1_000_000.0]
    with Catalog(home) as catalog:
        accounts = Accounts(catalog.db, clock=lambda: now[0], free_attempts={"user": 2, "ip": 3})
        for _ in range(2):
            assert accounts.login("stina", "fel-fel-fel-fel", client="1.2.3.4").account is None
        waits = []
        for _ in range(2):
            result = accounts.login("stina", "fel-fel-fel-fel", client="1.2.3.4")
            if result.retry_after:
                waits.append(result.retry_after)
                now[0] += result.retry_after
                result = accounts.login("stina", "fel-fel-fel-fel", client="1.2.3.4")
            assert result.account is None and result.retry_after == 0
        assert waits == [1, 2]
        # Many names from one address: the address is braked too.
        accounts.login("adam", "fel-fel-fel-fel", client="5.6.7.8")
        accounts.login("olle", "fel-fel-fel-fel", client="5.6.7.8")
        accounts.login("karin", "fel-fel-fel-fel", client="5.6.7.8")
        assert accounts.login("adam", PASSWORDS["adam"], client="5.6.7.8").retry_after > 0
        assert accounts.login("adam", PASSWORDS["adam"], client="9.9.9.9").account is not None


def test_passwords_are_never_stored_or_logged_in_clear(
    home: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    secret = "Klartext-Lösen-Som-Inte-Får-Synas"
    caplog.set_level(logging.DEBUG)
    assert arkiv(home, "users", "add", "klara", stdin=secret + "\n").returncode == 0
    client = create_app({"ARKIV_HOME": str(home)}).test_client()
    log_in(client, "klara", secret + "-fel")
    log_in(client, "klara", secret)
    arkiv(home, "users", "passwd", "klara", stdin=secret + "2\n")
    stored = b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())
    for form in (secret, secret + "-fel"):
        assert form.encode("utf-8") not in stored
        assert form not in caplog.text
    out, err = capfd.readouterr()
    assert secret not in out + err
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        hashes = [row[0] for row in db.execute("SELECT password_hash FROM users")]
    assert all(h.startswith("$argon2id$") for h in hashes)


def test_bad_names_and_passwords_are_refused_by_the_store(home: Path) -> None:
    with Catalog(home) as catalog:
        accounts = Accounts(catalog.db)
        for name in ("", "a b", "../etc", "x" * 65, "<script>"):
            with pytest.raises(AccountError):
                accounts.add_user(name, "staff", "Ett-bra-lösenord")
        with pytest.raises(AccountError):
            accounts.add_user("olle", "public", "Ett-bra-lösenord")


def test_behind_a_trusted_proxy_the_brake_counts_the_real_client(home: Path) -> None:
    def failed_addresses(config: dict[str, object]) -> set[str]:
        client = create_app({"ARKIV_HOME": str(home), **config}).test_client()
        client.post("/login", base_url=HTTPS, headers={
            "Referer": HTTPS + "/", "X-Forwarded-For": "203.0.113.9"}, data={
            "name": "stina", "password": "Fel-lösenord-1", "csrf_token": csrf_token(client)})
        with sqlite3.connect(home / "catalog.sqlite3") as db:
            keys = {row[0] for row in db.execute("SELECT key FROM login_failures")}
            db.execute("DELETE FROM login_failures")
        return keys

    assert "ip:203.0.113.9" not in failed_addresses({})  # a header anyone can send
    assert "ip:203.0.113.9" in failed_addresses({"TRUSTED_PROXIES": 1})
