"""Who is asking: login and logout (``/login``, ``/logout``), API tokens, and ``@requires``.

Anonymous visitors are the public. Staff and admins log in with a name and password
(Flask-Login keeps the session in a signed, HttpOnly, SameSite cookie, Secure unless
``SESSION_COOKIE_SECURE`` is turned off for plain-http local use); scripts send
``Authorization: Bearer arkiv_…`` (``arkiv tokens add``). Every form POST carries its
CSRF token (Flask-WTF); a request with a bearer token needs none, as no browser sends
one by itself.

A view says who may use it with a decorator, never with checks inside::

    @bp.post("/admin/reindex")
    @requires("admin")
    def start_reindex(): ...

What a role may *see* (internal documents) is decided in one place, the archive access
layer (:mod:`web.archive_access`), from :func:`viewer_role`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import AnonymousUserMixin, LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.wrappers import Response
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from archive.accounts import MAX_PASSWORD_LENGTH, Account, LoginResult, rank, secret_key
from archive.home import ArchiveError
from web.archive_access import archive, viewer_role
from web.errors import error_response, wants_json
from web.i18n import gettext as _

__all__ = ["bp", "current_user", "init_app", "requires", "viewer_role"]

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()
F = TypeVar("F", bound=Callable[..., Any])


class User:
    """The signed-in account, as Flask-Login wants it (a person or an API token)."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, account: Account) -> None:
        self.account = account
        self.name = account.name
        self.role = account.role

    def get_id(self) -> str:
        # The session version changes with the password, which ends old sessions.
        return f"{self.account.session_version}:{self.account.name}"

    def may(self, role: str) -> bool:
        return self.account.may(role)


class Anonymous(AnonymousUserMixin):
    """The public."""

    name = None
    role = "public"

    def may(self, role: str) -> bool:
        return role == "public"


def requires(role: str) -> Callable[[F], F]:
    """A view only ``role`` (or a more trusted role) may use.

    The public is sent to the login page (an API client gets 401); a signed-in account
    without the role gets 403. The role is kept on the view (``required_role``) so the
    authorisation test can list what each route asks for.
    """
    rank(role)  # an unknown role is a programming error, found at import

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.may(role):
                if current_user.is_authenticated:
                    abort(403, _("Ditt konto har inte behörighet till det här."))
                if wants_json() or request.method != "GET":
                    return error_response(
                        401, _("Logga in för att se det här."),
                        headers={"WWW-Authenticate": 'Bearer realm="arkiv"'},
                    )
                return redirect(url_for("auth.login", next=_here()))
            return view(*args, **kwargs)

        guarded.required_role = role  # type: ignore[attr-defined]
        return cast(F, guarded)

    return decorate


def _here() -> str:
    return request.full_path.rstrip("?")


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site, else the search page."""
    fallback = url_for("search.search")
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if any(c in target for c in "\\\r\n\t") or any(ord(c) < 32 for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


class LoginForm(FlaskForm):
    name = StringField(validators=[DataRequired(), Length(max=64)])
    password = PasswordField(validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    next = HiddenField()


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    target = safe_next(form.next.data or request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target)
    message, status, headers = None, 200, {}
    if form.validate_on_submit():
        accounts = archive().accounts
        result = accounts.login(
            form.name.data or "", form.password.data or "", client=request.remote_addr or "-"
        ) if accounts.available() else LoginResult(None)  # an archive not yet migrated
        if result.account is not None:
            session.clear()  # a new session on login: no fixation
            login_user(User(result.account))
            return redirect(target)
        if result.retry_after:
            status = 429
            headers["Retry-After"] = str(result.retry_after)
            message = _(
                "För många felaktiga försök. Försök igen om {n} sekunder.", n=result.retry_after
            )
        else:
            status = 401
            message = _("Fel användarnamn eller lösenord.")
    elif request.method == "POST":
        status = 400
        message = _("Fyll i användarnamn och lösenord.")
    form.next.data = target
    form.password.data = None
    page = render_template("login.html", form=form, message=message)
    return Response(page, status=status, headers=headers, mimetype="text/html")


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    session.clear()
    return redirect(url_for("search.search"))


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    version, _sep, name = user_id.partition(":")
    accounts = archive().accounts
    if not accounts.available():
        return None
    account = accounts.user(name)
    if account is None or str(account.session_version) != version:
        return None
    return User(account)


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _authenticate() -> Response | None:
    """Before each request: a bearer token must be valid; a form POST must carry its CSRF token."""
    token = _bearer_token()
    if token is not None:
        accounts = archive().accounts
        account = accounts.token_account(token) if accounts.available() else None
        if account is None:
            return error_response(
                401, _("Ogiltig API-nyckel."),
                headers={"WWW-Authenticate": 'Bearer realm="arkiv", error="invalid_token"'},
            )
        # The request's user is the token's, whatever session cookie came along (Flask-Login
        # keeps the request's user in g._login_user; its request_loader is not asked when
        # a session exists).
        g._login_user = User(account)
        return None
    if request.method in current_app.config["WTF_CSRF_METHODS"] and request.endpoint:
        csrf.protect()
    return None


def _private(response: Response) -> Response:
    """What a signed-in account sees is for it alone: never kept by a shared cache."""
    if current_user.is_authenticated:
        response.cache_control.public = False
        response.cache_control.private = True
        response.cache_control.no_store = True
    return response


def _csrf_refused(exc: CSRFError) -> Response:
    return error_response(
        400, _("Formuläret saknar sin säkerhetskod eller har gått ut. Ladda om sidan och försök igen.")
    )


def init_app(app: Flask) -> None:
    """Sessions, CSRF and the login manager; cookie settings from ``app.config``."""
    if not app.config.get("SECRET_KEY"):
        try:
            app.config["SECRET_KEY"] = secret_key(app.extensions["arkiv"].home)
        except ArchiveError:  # no archive folder yet: sessions last as long as this process
            app.config["SECRET_KEY"] = secrets.token_hex(32)
    if app.config["SESSION_COOKIE_NAME"] == "session":  # Flask's default
        app.config["SESSION_COOKIE_NAME"] = "arkiv_session"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config["SESSION_COOKIE_SAMESITE"] or "Lax"
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked in _authenticate
    login_manager.anonymous_user = Anonymous
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    login_manager.init_app(app)
    csrf.init_app(app)
    app.before_request(_authenticate)
    app.after_request(_private)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_blueprint(bp)
