"""Who may see what: staff and admin accounts, API tokens, and the brake on password guessing.

Anonymous visitors are the public; an account is ``staff`` (also sees internal documents)
or ``admin`` (also runs jobs and sees users). Accounts and tokens live in the catalog
(``users``, ``api_tokens``, ``login_failures``; see the catalog's migrations).

- Passwords are kept only as argon2id hashes (argon2-cffi); nothing here ever logs or
  stores one in clear. An unknown name costs the same hash check as a wrong password.
- An API token (``arkiv_…``) is shown once when made and kept as its SHA-256: tokens are
  long random strings, so a fast hash is enough to make a stolen catalog useless.
- Wrong passwords are slowed down per account and per client address: after
  ``FREE_ATTEMPTS`` failures within ``FAILURE_WINDOW`` every further attempt must wait
  twice as long as the one before (up to ``MAX_DELAY``); while it waits, even the right
  password is refused without being checked, and the caller is told how long to wait.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from archive import db as catalog_db
from archive.home import ArchiveError, database_url

#: Roles from least to most trusted; each sees and does what the ones before it do.
ROLES: tuple[str, ...] = ("public", "staff", "admin")
#: Roles an account or a token can have.
ACCOUNT_ROLES: tuple[str, ...] = ("staff", "admin")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
TOKEN_PREFIX = "arkiv_"
#: Failures remembered (seconds), and how many are let through before the brake.
FAILURE_WINDOW = 3600.0
FREE_ATTEMPTS = {"user": 5, "ip": 20}
MAX_DELAY = 900.0
#: A token's ``last_used`` is written at most this often (seconds): not on every request.
LAST_USED_EVERY = 60.0

_NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
_hasher = PasswordHasher()
#: Checked against when the name is unknown, so the answer takes as long as for a known one.
_DUMMY_HASH = _hasher.hash("not a password of anyone " + secrets.token_hex(8))


class AccountError(ArchiveError):
    """A request about accounts that cannot be done (unknown name, weak password …)."""


@dataclass(frozen=True)
class Account:
    """A signed-in principal: a person's account or a script's API token.

    ``session_version`` changes with the password, which ends the account's sessions.
    """

    name: str
    role: str
    kind: str = "user"  # "user" or "token"
    session_version: int = 0
    created_at: str | None = None
    last_seen: str | None = None

    def may(self, role: str) -> bool:
        """True when this account has ``role`` or a more trusted one."""
        return rank(self.role) >= rank(role)


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt came to: the account, or a refusal (``retry_after`` > 0 when
    the brake is on: the attempt was not even checked)."""

    account: Account | None
    retry_after: int = 0


def rank(role: str) -> int:
    """How trusted a role is (``public`` 0); ValueError for an unknown role."""
    return ROLES.index(role)


def check_name(name: str) -> str:
    """An account or token name as stored (lower case); AccountError when it cannot be one."""
    normal = name.strip().lower()
    if not _NAME.fullmatch(normal):
        raise AccountError(
            f"not a valid name: {name!r} (letters a-z, digits and . _ @ -, at most 64)"
        )
    return normal


def check_role(role: str) -> str:
    if role not in ACCOUNT_ROLES:
        raise AccountError(f"unknown role {role!r} (use {' or '.join(ACCOUNT_ROLES)})")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"the password may have at most {MAX_PASSWORD_LENGTH} characters")
    return password


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(seconds))


class Accounts:
    """The accounts, tokens and login brake of one catalog connection (writable)."""

    def __init__(
        self,
        db: sqlite3.Connection,
        *,
        clock: Callable[[], float] = time.time,
        free_attempts: dict[str, int] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.free_attempts = free_attempts or FREE_ATTEMPTS

    @classmethod
    def open(cls, home: Path) -> Accounts:
        """Accounts over the catalog in ``home``, for the web app (no migration is run:
        an archive not yet migrated simply has no accounts)."""
        url = database_url()
        if url is not None:
            return cls(catalog_db.connect(url))
        path = Path(home) / "catalog.sqlite3"
        if not path.exists():
            raise ArchiveError(f"no archive at {home} (run 'arkiv index' first)")
        try:
            db = sqlite3.connect(path, timeout=10, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot open catalog {path}: {exc}") from exc
        return cls(db)

    def available(self) -> bool:
        """True when the catalog has the account tables (its schema is recent enough)."""
        return catalog_db.has_table(self.db, "users")

    def _write(self, sql: str, params: tuple[object, ...] = ()) -> int:
        cursor = self.db.execute(sql, params)
        if self.db.in_transaction:
            self.db.commit()
        return cursor.rowcount

    # -- users -----------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str) -> Account:
        name, role = check_name(name), check_role(role)
        digest = _hasher.hash(check_password(password))
        try:
            self._write(
                "INSERT INTO users (name, role, password_hash, session_version, created_at) "
                "VALUES (?, ?, ?, 0, ?)",
                (name, role, digest, _iso(self.clock())),
            )
        except sqlite3.IntegrityError:
            raise AccountError(f"there is already a user {name!r}") from None
        account = self.user(name)
        assert account is not None
        return account

    def user(self, name: str) -> Account | None:
        row = self.db.execute(
            "SELECT name, role, session_version, created_at, last_login_at FROM users "
            "WHERE name = ?",
            (name.strip().lower(),),
        ).fetchone()
        return Account(row[0], row[1], "user", row[2], row[3], row[4]) if row else None

    def users(self) -> list[Account]:
        rows = self.db.execute(
            "SELECT name, role, session_version, created_at, last_login_at FROM users "
            "ORDER BY name"
        )
        return [Account(r[0], r[1], "user", r[2], r[3], r[4]) for r in rows]

    def remove_user(self, name: str) -> None:
        if not self._write("DELETE FROM users WHERE name = ?", (check_name(name),)):
            raise AccountError(f"there is no user {name!r}")

    def set_password(self, name: str, password: str) -> None:
        """A new password: the account's sessions end and its failed attempts are forgotten."""
        name = check_name(name)
        digest = _hasher.hash(check_password(password))
        changed = self._write(
            "UPDATE users SET password_hash = ?, session_version = session_version + 1 "
            "WHERE name = ?",
            (digest, name),
        )
        if not changed:
            raise AccountError(f"there is no user {name!r}")
        self._write("DELETE FROM login_failures WHERE key = ?", (f"user:{name}",))

    def set_role(self, name: str, role: str) -> None:
        name, role = check_name(name), check_role(role)
        if not self._write("UPDATE users SET role = ? WHERE name = ?", (role, name)):
            raise AccountError(f"there is no user {name!r}")

    # -- logging in ------------------------------------------------------------------

    def login(self, name: str, password: str, *, client: str) -> LoginResult:
        """Check a name and password typed at the login form, with the brake on guessing.

        ``client`` is the caller's address. A refused attempt while the brake is on is
        not counted (it was not checked); a success forgets the account's failures.
        """
        normal = name.strip().lower()[:64]
        keys = [f"user:{normal}", f"ip:{client}"]
        wait = max(self._wait(key) for key in keys)
        if wait > 0:
            return LoginResult(None, retry_after=int(wait + 0.999))
        row = self.db.execute(
            "SELECT password_hash FROM users WHERE name = ?", (normal,)
        ).fetchone()
        stored = row[0] if row else _DUMMY_HASH
        try:
            ok = _hasher.verify(stored, password[:MAX_PASSWORD_LENGTH]) and row is not None
        except (VerificationError, InvalidHashError):
            ok = False
        now = self.clock()
        if not ok:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT INTO login_failures (key, at) VALUES (?, ?)", [(k, now) for k in keys]
            )
            self.db.execute("DELETE FROM login_failures WHERE at < ?", (now - FAILURE_WINDOW,))
            self.db.commit()
            return LoginResult(None)
        if _hasher.check_needs_rehash(stored):
            self._write(
                "UPDATE users SET password_hash = ? WHERE name = ?",
                (_hasher.hash(password), normal),
            )
        self._write("DELETE FROM login_failures WHERE key = ?", (keys[0],))
        self._write("UPDATE users SET last_login_at = ? WHERE name = ?", (_iso(now), normal))
        return LoginResult(self.user(normal))

    def _wait(self, key: str) -> float:
        """Seconds ``key`` must still wait before its next attempt is checked (0: none)."""
        kind = key.split(":", 1)[0]
        since = self.clock() - FAILURE_WINDOW
        count, last = self.db.execute(
            "SELECT COUNT(*), MAX(at) FROM login_failures WHERE key = ? AND at >= ?",
            (key, since),
        ).fetchone()
        over = count - self.free_attempts[kind]
        if over < 0 or last is None:
            return 0.0
        delay = min(2.0**over, MAX_DELAY)
        return max(0.0, last + delay - self.clock())

    # -- API tokens ------------------------------------------------------------------

    def add_token(self, name: str, role: str = "staff") -> str:
        """A new token for scripts; the only time its value is known (keep it)."""
        name, role = check_name(name), check_role(role)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        try:
            self._write(
                "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, role, token_digest(token), _iso(self.clock())),
            )
        except sqlite3.IntegrityError:
            raise AccountError(f"there is already a token {name!r}") from None
        return token

    def tokens(self) -> list[Account]:
        rows = self.db.execute(
            "SELECT name, role, created_at, last_used_at FROM api_tokens ORDER BY name"
        )
        return [Account(r[0], r[1], "token", 0, r[2], r[3]) for r in rows]

    def remove_token(self, name: str) -> None:
        if not self._write("DELETE FROM api_tokens WHERE name = ?", (check_name(name),)):
            raise AccountError(f"there is no token {name!r}")

    def token_account(self, token: str) -> Account | None:
        """The token's account, or None for an unknown (or removed) token."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        row = self.db.execute(
            "SELECT name, role, created_at, last_used_at, last_used FROM api_tokens "
            "WHERE token_hash = ?",
            (token_digest(token),),
        ).fetchone()
        if row is None:
            return None
        now = self.clock()
        if row[4] is None or now - row[4] > LAST_USED_EVERY:
            with contextlib.suppress(sqlite3.OperationalError):  # busy: only a courtesy figure
                self._write(
                    "UPDATE api_tokens SET last_used = ?, last_used_at = ? WHERE name = ?",
                    (now, _iso(now), row[0]),
                )
        return Account(row[0], row[1], "token", 0, row[2], row[3])


#: The catalog migration that adds accounts (see archive.catalog._MIGRATIONS).
SCHEMA = """
CREATE TABLE users (
    name            TEXT PRIMARY KEY,
    role            TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
    password_hash   TEXT NOT NULL,
    session_version INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    last_login_at   TEXT
);
CREATE TABLE api_tokens (
    name         TEXT PRIMARY KEY,
    role         TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used    REAL,
    last_used_at TEXT
);
-- Wrong passwords by account ('user:NAME') and by client address ('ip:ADDR').
CREATE TABLE login_failures (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX login_failures_key ON login_failures(key, at);
"""


def secret_key(home: Path) -> bytes:
    """The key that signs session cookies: ``$ARKIV_SECRET_KEY``, else one made once and
    kept in ``ARKIV_HOME/secret_key`` (mode 600), so every server process shares it."""
    from_env = os.environ.get("ARKIV_SECRET_KEY")
    if from_env:
        return from_env.encode("utf-8")
    path = Path(home) / "secret_key"
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32).encode("ascii")
    tmp = path.with_name(f".secret_key.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        os.link(tmp, path)  # atomic, and never over a key another process made first
    except FileExistsError:
        return path.read_bytes().strip()
    except OSError as exc:
        raise ArchiveError(f"cannot keep the session key in {path}: {exc.strerror}") from exc
    finally:
        with contextlib.suppress(OSError):  # a read-only archive: there was none to remove
            tmp.unlink(missing_ok=True)
    return key
