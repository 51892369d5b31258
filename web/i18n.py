"""The interface language: Swedish by default, English on request.

Messages are written in Swedish in the code and templates (``_("Sök")``); the
English catalogue ``translations/en.json`` maps each Swedish message to English.
A visitor picks English with ``?lang=en`` (and Swedish again with ``?lang=sv``); the
choice is remembered in a cookie, so links need not carry it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, g, request

LANGUAGES: tuple[str, ...] = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).parent / "translations"


@cache
def catalogue(language: str) -> dict[str, str]:
    """The messages of one language (Swedish → that language); empty for Swedish."""
    path = TRANSLATIONS / f"{language}.json"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def current_language() -> str:
    """The language of this request: ``?lang=``, else the cookie, else Swedish."""
    if "ui_language" not in g:
        chosen = request.args.get("lang") or request.cookies.get(COOKIE)
        g.ui_language = chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE
    return str(g.ui_language)


def gettext(message: str, **values: object) -> str:
    """``message`` in the current language, with ``{name}`` placeholders filled in."""
    if "ui_messages" not in g:
        g.ui_messages = catalogue(current_language())
    text = g.ui_messages.get(message, message)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    """The singular or plural message for ``n`` (``{n}`` is filled in)."""
    return gettext(singular if n == 1 else plural, n=n, **values)


def language_url(language: str) -> str:
    """This page in another interface language (the rest of the query string kept)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + "?" + urlencode([*args, ("lang", language)])


def _remember_choice(response: Response) -> Response:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    """Make ``_``, ``ngettext`` and ``ui_language`` available in every template."""
    app.after_request(_remember_choice)
    app.jinja_env.globals.update(
        _=gettext, ngettext=ngettext, ui_language=current_language, language_url=language_url
    )
