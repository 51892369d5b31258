"""Shared test fixtures: real archives in temporary ARKIV_HOMEs, the shared test data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

# Servers the tests start themselves (Redis, PostgreSQL); IN_CI: a missing tool fails in CI.
from servers import IN_CI, postgres_server, redis_server  # noqa: F401  (fixtures for all tests)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
#: ../shared beside the repository (CI clones main with shared/ beside it).
SHARED = (ROOT.parent / "shared").resolve()  # the paths the pipeline records


def require_shared(relative: str) -> Path:
    """A path under ../shared; skip outside CI when it is absent, fail in CI."""
    path = SHARED / relative
    if not path.exists():
        message = f"shared test data not found: {path}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty ARKIV_HOME for one test."""
    path = tmp_path / "arkiv-home"
    monkeypatch.setenv("ARKIV_HOME", str(path))
    return path


# -- web: real archives built by the real pipeline, shared read-only by the web tests --

#: A title and text that try to break out of HTML, attributes, scripts, XML and CSV
#: (a word first, so the file reads as plain text, not as HTML).
HOSTILE_TITLE = 'Skadeprov <script>alert(1)</script> "><img src=x onerror=alert(1)>'
HOSTILE_TEXT = (
    f"{HOSTILE_TITLE}\n\n"
    "Socialnämnden behandlade ärendet om skadeprovet. "
    'Texten innehåller <script>alert(2)</script> och "><img src=x onerror=alert(3)> '
    "samt =HYPERLINK(\"http://example.invalid\") för kalkylblad.\n\n"
    "Skadeprovet ska visas som text och aldrig tolkas som kod i webbläsaren.\n"
)
#: A word only the hostile document contains.
HOSTILE_WORD = "skadeprovet"


@pytest.fixture(scope="session")
def corpus_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ARKIV_HOME holding corpus/, ingested and indexed by indexer.pipeline."""
    from indexer.pipeline import index_paths

    home = tmp_path_factory.mktemp("corpus-archive") / "arkiv"
    report = index_paths(home, [CORPUS], registry_dir=CORPUS)
    assert report.counts["new"] > 0, report.failures
    return home


@pytest.fixture(scope="session")
def corpus_app(corpus_home: Path) -> Any:
    """The web app over :func:`corpus_home`, for tests that only read."""
    from web import create_app

    return create_app({"ARKIV_HOME": str(corpus_home)})


@pytest.fixture(scope="session")
def hostile_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ARKIV_HOME holding one hostile .txt document (ingested by indexer.pipeline)."""
    from indexer.pipeline import index_paths

    folder = tmp_path_factory.mktemp("hostile-files")
    (folder / "skadeprov.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    home = tmp_path_factory.mktemp("hostile-archive") / "arkiv"
    report = index_paths(home, [folder], registry_dir=CORPUS)
    assert report.counts["new"] == 1, report.failures
    return home


# -- the web as a browser uses it: https, forms with their CSRF token -------------------

#: Where test clients pretend the app runs: session cookies are Secure, and Flask-WTF
#: checks that a form POST over https comes from the same site (its Referer).
HTTPS = "https://arkiv.example"


def csrf_token(client: Any, url: str = "/login") -> str:
    """The CSRF token a page's form carries (the session keeps its pair)."""
    html = client.get(url, base_url=HTTPS).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post(client: Any, url: str, **kwargs: Any) -> Any:
    """A form POST as a browser sends it over https (with a same-origin Referer)."""
    return client.post(url, base_url=HTTPS, headers={"Referer": HTTPS + "/"}, **kwargs)


def form_login(client: Any, name: str, password: str, **extra: str) -> Any:
    """Log in through the login form, as a person does."""
    data = {"name": name, "password": password, "csrf_token": csrf_token(client)}
    return post(client, "/login", data={**data, **extra})


# -- slow tests: `make stress` (pytest -m slow --run-slow) ---------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow", action="store_true", default=False,
        help="also run tests marked slow (long stress tests; `make stress`)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow stress test: run with --run-slow (make stress)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
