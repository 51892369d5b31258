"""Saved searches and alerts: new matches, and `arkiv alerts send` delivering one digest a
user to a real SMTP server (aiosmtpd, started here), nothing told twice."""

from __future__ import annotations

import email
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from conftest import CORPUS, IN_CI
from test_auth import arkiv

from archive import alerts
from archive.accounts import Accounts
from archive.catalog import Catalog
from archive.engine import Searcher
from indexer.pipeline import index_paths
from web import create_app
from web.alerts import saved_query

try:
    from aiosmtpd.controller import Controller
except ImportError:  # pragma: no cover - a dev machine without the test extra
    Controller = None


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp():
    if Controller is None:
        if IN_CI:
            pytest.fail("aiosmtpd is missing: pip install -e '.[test]'")
        pytest.skip("aiosmtpd is not installed (pip install aiosmtpd)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _accounts(catalog: Catalog, *names: str) -> None:
    for name in names:
        Accounts(catalog.db).add_user(name, "staff", f"{name.title()}-lösen-2026")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _send(home: Path, port: int) -> subprocess.CompletedProcess[str]:
    """``arkiv alerts send`` (run in this process, as the console script runs it)."""
    settings = {"ARKIV_SMTP_HOST": "127.0.0.1", "ARKIV_SMTP_PORT": str(port),
                "ARKIV_SMTP_FROM": "arkiv@kommun.test",
                "ARKIV_BASE_URL": "https://arkiv.kommun.test"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in settings.items():
            patch.setenv(name, value)
        return arkiv(home, "alerts", "send")


def test_alerts_send_mails_one_digest_a_user_with_only_the_new_matches(
    home: Path, tmp_path: Path, smtp
) -> None:
    inbox, port = smtp
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "lerum-byggnadsnamnden-protokoll-2024-04-18.txt", folder)
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    with Catalog(home) as catalog:
        _accounts(catalog, "anna", "bo")
        alerts.save(catalog, "anna", "Strandskydd", "q=strandskydd")
        alerts.save(catalog, "anna", "Vinterkräksjuka", "q=vinterkräksjuka")
        alerts.save(catalog, "bo", "Strandskydd för Bo", "q=strandskydd")
        alerts.set_email(catalog, "anna", "anna@kommun.test")
        # bo has no address: no mail for bo

    # nothing new yet: nothing sent (the protokoll that mentions strandskydd is old)
    result = _send(home, port)
    assert result.returncode == 0, result.stderr
    assert inbox.messages == []

    _write(folder, "dispens.txt", "Beslut om strandskyddsdispens\n\nByggnadsnämnden beviljar "
           "dispens från strandskyddet för en brygga vid Mjörn. Strandskydd gäller 100 meter.\n")
    _write(folder, "kraksjuka.txt", "Information om vinterkräksjuka\n\nVinterkräksjuka sprids "
           "på äldreboenden. Tvätta händerna.\n")
    _write(folder, "annat.txt", "Protokoll från kulturnämnden\n\nNämnden beslutar om bidrag "
           "till föreningar.\n")
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)

    result = _send(home, port)
    assert result.returncode == 0, result.stderr
    assert "sent: anna: 2 new documents" in result.stderr
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "anna@kommun.test"
    assert message["From"] == "arkiv@kommun.test"
    body = message.get_payload(decode=True).decode("utf-8")
    assert "Strandskydd (1)" in body and "Vinterkräksjuka (1)" in body
    assert "Beslut om strandskyddsdispens" in body
    assert "Information om vinterkräksjuka" in body
    assert "kulturnämnden" not in body and "Byggnadsnämnden 2024-04-18" not in body
    with Catalog(home, readonly=True) as catalog:
        new_id = catalog.get_by_path(str((folder / "dispens.txt").resolve())).id
    assert f"https://arkiv.kommun.test/documents/{new_id}" in body

    # sent once: a second run has nothing new to tell
    result = _send(home, port)
    assert result.returncode == 0, result.stderr
    assert len(inbox.messages) == 1
    assert "0 digests sent" in result.stderr


def _budget(home: Path, tmp_path: Path, name: str = "Budget", query: str = "q=budget"
            ) -> tuple[Path, alerts.SavedSearch, str]:
    """An archive with one budget document, and anna's saved search (for budget) with her
    e-mail address: (its folder, the saved search, its feed token)."""
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder, "a.txt", "Om budget\n\nBudgeten för 2025 antas.\n")
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    with Catalog(home) as catalog:
        _accounts(catalog, "anna")
        saved, token = alerts.save(catalog, "anna", name, query)
        alerts.set_email(catalog, "anna", "anna@kommun.test")
    return folder, saved, token


def test_a_failed_delivery_is_tried_again(home: Path, tmp_path: Path, smtp) -> None:
    inbox, port = smtp
    folder, _saved, _token = _budget(home, tmp_path)
    _write(folder, "b.txt", "Ny budget\n\nBudgeten för 2026 antas.\n")
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    result = _send(home, closed)
    assert result.returncode == 1
    assert "failed: anna: anna@kommun.test:" in result.stderr
    assert "Traceback" not in result.stderr
    result = _send(home, port)
    assert result.returncode == 0, result.stderr
    assert len(inbox.messages) == 1
    assert "Ny budget" in inbox.messages[0].get_payload(decode=True).decode("utf-8")


def test_new_matches_are_those_received_after_saving(home: Path, tmp_path: Path) -> None:
    folder, saved, token = _budget(home, tmp_path, name="", query="q=budget&type=protokoll")
    assert saved.name == "q=budget&type=protokoll"  # no name: the search names it
    with Catalog(home) as catalog:
        assert alerts.by_token(catalog, token) == saved
        assert alerts.by_token(catalog, token + "x") is None
    _write(folder, "b.txt", "Ny budget\n\nBudgeten för 2026 antas.\n")
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    with Catalog(home) as catalog, create_app({"ARKIV_HOME": str(home)}).test_request_context():
        searcher = Searcher(home)
        plain = alerts.new_matches(catalog, searcher, saved, saved_query("q=budget"),
                                   after=saved.since_row, upto=alerts.last_row(catalog))
        typed = alerts.new_matches(catalog, searcher, saved, saved_query(saved.query),
                                   after=saved.since_row, upto=alerts.last_row(catalog))
        searcher.close()
        assert [d.get("title") for d in plain.documents] == ["Ny budget"]
        assert typed.documents == []  # b.txt is no protokoll
        renewed = alerts.renew_token(catalog, saved.id, "anna")
        assert alerts.by_token(catalog, token) is None
        assert alerts.by_token(catalog, renewed) == saved


def test_a_removed_account_gets_no_digest_and_its_feed_ends(home: Path, tmp_path: Path,
                                                            smtp) -> None:
    inbox, port = smtp
    folder, _saved, token = _budget(home, tmp_path)
    with Catalog(home) as catalog:
        Accounts(catalog.db).remove_user("anna")
        assert alerts.by_token(catalog, token) is None
    _write(folder, "b.txt", "Ny budget\n\nBudgeten för 2026 antas.\n")
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    assert _send(home, port).returncode == 0
    assert inbox.messages == []
