"""Saved searches and alerts ("bevakningar"): a staff member keeps a search, and the
documents that arrive afterwards and match it are listed for them — on their page, in a
private Atom feed, and in an e-mail digest (``arkiv alerts send``, run from cron).

A saved search is its URL's query string (the search state, :mod:`web.state`); what
counts as new is a document received after it: the catalog row number of the last
document received when it was saved (``since_row``) and when its last digest was sent
(``sent_row``). A digest never goes beyond what the search index already holds, so a
document received during a long ingest is told in the next digest, never skipped, and
a document is never told twice.

Mail settings come from ``ARKIV_HOME/config.toml``::

    [smtp]
    host = "smtp.kommun.se"      # ARKIV_SMTP_HOST (required to send)
    port = 587                   # ARKIV_SMTP_PORT (default 25, 465 with tls = "ssl")
    tls = "starttls"             # ARKIV_SMTP_TLS: none | starttls | ssl (default none)
    user = "arkiv"               # ARKIV_SMTP_USER (no login when unset)
    password = "…"               # ARKIV_SMTP_PASSWORD
    sender = "arkiv@kommun.se"   # ARKIV_SMTP_FROM (default arkiv@localhost)

    [web]
    base_url = "https://arkiv.kommun.se"   # ARKIV_BASE_URL: links in the mails

An environment variable wins over the file.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import smtplib
import ssl
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from itertools import islice
from pathlib import Path
from typing import Any

from archive.accounts import Accounts
from archive.catalog import SHOWN, Catalog, now_iso
from archive.engine import SearchBackend, backend_for
from archive.home import ArchiveError, InputError
from archive.messages import message
from archive.models import Document
from archive.query import MAX_PAGE_SIZE, Hit, Query

MAX_NAME_LENGTH = 200
MAX_SAVED_PER_USER = 100
#: Most documents one check of a saved search looks at (a digest after a bulk ingest
#: says how many more there are).
MAX_NEW = 500


class AlertError(InputError):
    """A saved search that cannot be made or sent."""


@dataclass(frozen=True)
class SavedSearch:
    id: int
    user: str
    name: str
    query: str
    created_at: str
    since_row: int
    sent_row: int


@dataclass
class Matches:
    """A saved search's new documents (newest arrival first) up to ``upto_row``."""

    search: SavedSearch
    documents: list[Document] = field(default_factory=list)
    upto_row: int = 0


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _row(row: Any) -> SavedSearch:
    return SavedSearch(row["id"], row["user"], row["name"], row["query"], row["created_at"],
                       row["since_row"], row["sent_row"])


def last_row(catalog: Catalog) -> int:
    """The row number of the last document received."""
    return int(catalog.db.execute("SELECT COALESCE(MAX(rowid), 0) FROM documents").fetchone()[0])


def save(catalog: Catalog, user: str, name: str, query: str) -> tuple[SavedSearch, str]:
    """Save a search (its query string) for ``user``; returns it and its feed token (shown
    once: only its hash is kept)."""
    name = " ".join(name.split())[:MAX_NAME_LENGTH] or query[:MAX_NAME_LENGTH] or "Alla dokument"
    token = secrets.token_urlsafe(24)
    with catalog.transaction():
        count = catalog.db.execute(
            "SELECT COUNT(*) FROM saved_searches WHERE user = ?", (user,)).fetchone()[0]
        if count >= MAX_SAVED_PER_USER:
            raise AlertError(message("too_many_saved", n=MAX_SAVED_PER_USER))
        row = last_row(catalog)
        cur = catalog.db.execute(
            "INSERT INTO saved_searches (user, name, query, created_at, since_row, sent_row, "
            "feed_token) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (user, name, query, now_iso(), row, row, _hash(token)),
        )
    saved = get(catalog, int(cur.lastrowid or 0))
    assert saved is not None
    return saved, token


def get(catalog: Catalog, search_id: int) -> SavedSearch | None:
    row = catalog.db.execute("SELECT * FROM saved_searches WHERE id = ?", (search_id,)).fetchone()
    return _row(row) if row else None


def by_token(catalog: Catalog, token: str) -> SavedSearch | None:
    """The saved search whose feed URL carries ``token``: None for an unknown or revoked
    token, or when its owner is no longer staff."""
    if not token or len(token) > 100:
        return None
    row = catalog.db.execute(
        "SELECT * FROM saved_searches WHERE feed_token = ?", (_hash(token),)).fetchone()
    if row is None:
        return None
    owner = Accounts(catalog.db).user(row["user"])
    return _row(row) if owner is not None and owner.may("staff") else None


def of_user(catalog: Catalog, user: str) -> list[SavedSearch]:
    rows = catalog.db.execute(
        "SELECT * FROM saved_searches WHERE user = ? ORDER BY id", (user,))
    return [_row(r) for r in rows]


def renew_token(catalog: Catalog, search_id: int, user: str) -> str:
    """A new feed token for a saved search: the old feed URL stops working."""
    token = secrets.token_urlsafe(24)
    with catalog.transaction():
        cur = catalog.db.execute(
            "UPDATE saved_searches SET feed_token = ? WHERE id = ? AND user = ?",
            (_hash(token), search_id, user))
    if not cur.rowcount:
        raise AlertError(message("no_saved_search"))
    return token


def delete(catalog: Catalog, search_id: int, user: str) -> bool:
    with catalog.transaction():
        cur = catalog.db.execute(
            "DELETE FROM saved_searches WHERE id = ? AND user = ?", (search_id, user))
    return bool(cur.rowcount)


def set_email(catalog: Catalog, user: str, email: str | None) -> None:
    """Where ``user``'s digest goes (None or "": no e-mail)."""
    email = (email or "").strip()
    if email and ("@" not in email or len(email) > 254 or any(c in email for c in " \r\n,;<>")):
        raise AlertError(message("not_an_email", email=email))
    with catalog.transaction():
        if email:
            catalog.db.execute(
                "INSERT INTO alert_recipients (user, email) VALUES (?, ?) "
                "ON CONFLICT(user) DO UPDATE SET email = excluded.email", (user, email))
        else:
            catalog.db.execute("DELETE FROM alert_recipients WHERE user = ?", (user,))


def email_of(catalog: Catalog, user: str) -> str | None:
    row = catalog.db.execute(
        "SELECT email FROM alert_recipients WHERE user = ?", (user,)).fetchone()
    return row[0] if row else None


def indexed_row(catalog: Catalog, home: Path, after: int) -> int:
    """The last row number up to which every received document is in the search index."""
    indexed_seq = int((backend_for(Path(home)).status() or {}).get("seq") or 0)
    pending = catalog.db.execute(
        "SELECT MIN(rowid) FROM documents WHERE rowid > ? AND seq > ?", (after, indexed_seq)
    ).fetchone()[0]
    return int(pending) - 1 if pending is not None else last_row(catalog)


#: Received documents asked of the searcher at once (a ``Query.documents`` filter).
ARRIVALS_BATCH = 50
#: A query matching at most this many entries has its matches listed first (a few
#: pages of ids), so only received documents that match are asked for; one matching
#: more finds enough among the first batches of arrivals.
ARRIVALS_DIRECT = 2_000


def arrivals(
    catalog: Catalog, searcher: SearchBackend, query: Query, *, after: int = 0,
    upto: int | None = None, limit: int = MAX_NEW, snippets: bool = False,
) -> Iterator[tuple[Hit, str]]:
    """The hits of ``query`` among the documents received last (catalog rows after
    ``after`` up to ``upto``, at most ``limit`` of them), newest arrival first, each with
    when it was received. Asked of ``searcher`` a batch at a time, so a searcher limited
    to some access classes limits these too."""
    probe = replace(query, page=1, page_size=1, snippets=False, facets=False)
    total = searcher.search(probe).total
    if not total:
        return  # nothing in the archive matches: no batch of arrivals can
    top = upto if upto is not None else last_row(catalog)
    if total <= ARRIVALS_DIRECT:  # a rare query: most batches of arrivals would hold none
        batches = _batches(_received_among(
            catalog, _matching_documents(searcher, query), after, top, limit))
    else:
        batches = _batches(catalog.db.execute(
            f"SELECT id, ingested_at FROM documents WHERE rowid > ? AND rowid <= ? AND {SHOWN} "
            "ORDER BY rowid DESC LIMIT ?", (after, top, limit)))
    for rows in batches:
        received = dict(rows)
        order = {doc_id: number for number, doc_id in enumerate(received)}
        asked = replace(query, documents=list(received), page=1, page_size=MAX_PAGE_SIZE,
                        snippets=snippets, facets=False)
        hits: list[Hit] = []
        while True:
            results = searcher.search(asked)
            hits += results.hits
            if asked.page >= results.pages or not results.hits:
                break
            asked = replace(asked, page=asked.page + 1)
        for hit in sorted(hits, key=lambda hit: order.get(hit.id, len(order))):
            yield hit, received.get(hit.id, "")


def _batches(rows: Iterable[Any]) -> Iterator[list[tuple[str, str]]]:
    """Received (id, time) rows ARRIVALS_BATCH at a time, read only as far as asked: a
    feed that fills from the first batches never reads the rest of the catalog (each row
    read is costly: the columns asked for sit after the document's text)."""
    reading = iter(rows)  # one pass over the cursor, whichever database's it is
    while batch := [(row[0], row[1]) for row in islice(reading, ARRIVALS_BATCH)]:
        yield batch


def _received_among(catalog: Catalog, ids: set[str], after: int, top: int,
                    limit: int) -> list[tuple[str, str]]:
    """(id, time) of those of ``ids`` among the ``limit`` documents received last in rows
    ``after`` < row ≤ ``top``, last received first: looked up by id, not by reading the
    whole window."""
    floor = after
    if top - after > limit:  # the window is the newest ``limit`` rows of the range
        row = catalog.db.execute(
            f"SELECT rowid FROM documents WHERE rowid > ? AND rowid <= ? AND {SHOWN} "
            "ORDER BY rowid DESC LIMIT 1 OFFSET ?", (after, top, limit - 1)).fetchone()
        floor = row[0] - 1 if row else after
    found: list[Any] = []
    listed = sorted(ids)
    for start in range(0, len(listed), 500):
        chunk = listed[start:start + 500]
        found += catalog.db.execute(
            f"SELECT rowid, id, ingested_at FROM documents WHERE id IN ({','.join('?' * len(chunk))}) "
            f"AND rowid > ? AND rowid <= ? AND {SHOWN}", (*chunk, floor, top)).fetchall()
    found.sort(key=lambda row: row[0], reverse=True)
    return [(doc_id, received) for _row, doc_id, received in found]


def _matching_documents(searcher: SearchBackend, query: Query) -> set[str]:
    """The ids of the documents ``query`` matches (itself or by an ärende), page by page."""
    asked = replace(query, sort="newest", page=1, page_size=MAX_PAGE_SIZE, snippets=False,
                    facets=False)
    found: set[str] = set()
    while True:
        results = searcher.search(asked)
        found.update(hit.id for hit in results.hits)
        if asked.page >= results.pages or not results.hits:
            return found
        asked = replace(asked, page=asked.page + 1)


def new_matches(
    catalog: Catalog, searcher: SearchBackend, saved: SavedSearch, query: Query,
    *, after: int, upto: int, limit: int = MAX_NEW,
) -> Matches:
    """The documents received after row ``after`` (up to ``upto``) that match ``query``."""
    matched = list(dict.fromkeys(
        hit.id for hit, _ in arrivals(catalog, searcher, query, after=after, upto=upto,
                                      limit=limit)))
    docs = catalog.get_many(matched, with_text=False)
    return Matches(saved, [docs[d] for d in matched if d in docs], upto)


# -- the e-mail digest ----------------------------------------------------------------


@dataclass(frozen=True)
class MailSettings:
    host: str | None
    port: int
    tls: str
    user: str | None
    password: str | None
    sender: str
    base_url: str


def mail_settings(home: Path) -> MailSettings:
    """SMTP settings from ``ARKIV_HOME/config.toml`` and the environment (see the module)."""
    path = Path(home) / "config.toml"
    config: dict[str, Any] = {}
    if path.is_file():
        try:
            config = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ArchiveError(f"cannot read {path}: {exc}") from exc
    smtp = config.get("smtp") or {}
    web = config.get("web") or {}

    def value(env: str, section: dict[str, Any], key: str, default: Any = None) -> Any:
        return os.environ.get(env) or section.get(key) or default

    tls = str(value("ARKIV_SMTP_TLS", smtp, "tls", "none")).lower()
    if tls not in ("none", "starttls", "ssl"):
        raise ArchiveError(f"smtp tls must be none, starttls or ssl, not {tls!r}")
    port = value("ARKIV_SMTP_PORT", smtp, "port", 465 if tls == "ssl" else 25)
    try:
        port = int(port)
    except ValueError:
        raise ArchiveError(f"smtp port is not a number: {port!r}") from None
    return MailSettings(
        host=value("ARKIV_SMTP_HOST", smtp, "host"),
        port=port,
        tls=tls,
        user=value("ARKIV_SMTP_USER", smtp, "user"),
        password=value("ARKIV_SMTP_PASSWORD", smtp, "password"),
        sender=value("ARKIV_SMTP_FROM", smtp, "sender", "arkiv@localhost"),
        base_url=str(value("ARKIV_BASE_URL", web, "base_url", "http://localhost:5000")).rstrip("/"),
    )


def digest(user: str, email: str, found: list[Matches], base_url: str) -> EmailMessage:
    """One user's digest: every saved search with new documents, each with its links."""
    total = sum(len(m.documents) for m in found)
    message = EmailMessage()
    message["Subject"] = (f"Arkiv: {total} nytt dokument i dina bevakningar" if total == 1
                          else f"Arkiv: {total} nya dokument i dina bevakningar")
    message["To"] = email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="arkiv")
    lines = [f"Hej {user}!", "", "Nya dokument som matchar dina bevakningar:", ""]
    for matches in found:
        lines.append(f"{matches.search.name} ({len(matches.documents)})")
        for doc in matches.documents:
            facts = [doc.get("doc_type"), doc.get("committee"),
                     doc.get("decision_date") or doc.get("document_date")]
            title = doc.get("title") or doc.filename
            lines.append(f"  - {title}" + (f" ({', '.join(str(f) for f in facts if f)})"
                                             if any(facts) else ""))
            lines.append(f"    {base_url}/documents/{doc.id}")
        lines.append(f"  Sökningen: {base_url}/search?{matches.search.query}")
        lines.append("")
    lines.append(f"Dina bevakningar: {base_url}/bevakningar")
    message.set_content("\n".join(lines))
    return message


@dataclass
class SendReport:
    sent: list[tuple[str, int]] = field(default_factory=list)  # (user, documents)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (user, reason)


def send_digests(
    home: Path, parse: Callable[[str], Query], *, settings: MailSettings | None = None,
) -> SendReport:
    """Send each user with an e-mail address one digest of their saved searches' new
    matches, then move their searches on: a document is never told twice; a digest that
    could not be sent is tried again next time. ``parse`` reads a saved query string."""
    settings = settings or mail_settings(home)
    if not settings.host:
        raise ArchiveError("no SMTP server set (ARKIV_SMTP_HOST or [smtp] host in config.toml)")
    report = SendReport()
    with Catalog(home) as catalog:
        searcher = backend_for(Path(home))
        try:
            users = catalog.db.execute(
                "SELECT DISTINCT s.user, r.email FROM saved_searches s "
                "JOIN alert_recipients r ON r.user = s.user ORDER BY s.user").fetchall()
            accounts = Accounts(catalog.db)
            for user, email in users:
                account = accounts.user(user)
                if account is None or not account.may("staff"):
                    continue  # a removed account's saved searches tell nobody anything
                found = []
                for saved in of_user(catalog, user):
                    after = max(saved.since_row, saved.sent_row)
                    upto = indexed_row(catalog, home, after)
                    try:
                        query = parse(saved.query)
                    except ValueError as exc:
                        report.failed.append((user, f"{saved.name}: {exc}"))
                        continue
                    found.append(new_matches(catalog, searcher, saved, query,
                                             after=after, upto=upto))
                with_news = [m for m in found if m.documents]
                if with_news:
                    message = digest(user, email, with_news, settings.base_url)
                    message["From"] = settings.sender
                    try:
                        _send(settings, message)
                    except (OSError, smtplib.SMTPException) as exc:
                        report.failed.append((user, f"{email}: {exc}"))
                        continue
                    report.sent.append((user, sum(len(m.documents) for m in with_news)))
                with catalog.transaction():
                    for matches in found:
                        catalog.db.execute(
                            "UPDATE saved_searches SET sent_row = MAX(sent_row, ?) WHERE id = ?",
                            (matches.upto_row, matches.search.id))
        finally:
            searcher.close()
    return report


def _send(settings: MailSettings, message: EmailMessage) -> None:
    assert settings.host is not None
    if settings.tls == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=30, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=30)
    with client:
        if settings.tls == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.user:
            client.login(settings.user, settings.password or "")
        client.send_message(message)
