"""Saved searches and alerts ("bevakningar") in the browser: a staff member saves the
search they see, and finds the documents that arrived since on ``/bevakningar`` and in a
private Atom feed per saved search (``/bevakningar/flode/<token>.atom``: the token in the
URL is the only key, so a feed reader needs no login; a new link revokes the old one).
The e-mail digest is ``arkiv alerts send`` (:mod:`archive.alerts`).

The page and the digest list every new match, internal documents too (they are for a
staff member). The feed lists public documents only: a feed address travels — into
feed-reading services, shared links — and an internal document's title must not go with
it. A feed ends when its owner's account is removed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode
from xml.etree import ElementTree as ET

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.datastructures import MultiDict

from archive.alerts import (
    AlertError,
    by_token,
    delete,
    email_of,
    last_row,
    new_matches,
    of_user,
    renew_token,
    save,
    set_email,
)
from archive.catalog import Catalog
from archive.models import Document
from archive.query import Query
from web.archive_access import archive
from web.auth import requires
from web.export import ATOM, _sub
from web.i18n import gettext as _
from web.messages import say
from web.staff_common import current_username
from web.state import BadParameter, parse_query, query_args


def saved_query(query_string: str) -> Query:
    """The search a saved query string asks for (:class:`web.state.BadParameter` if none)."""
    return parse_query(MultiDict(parse_qsl(query_string, keep_blank_values=False)))


def canonical_query_string(query_string: str) -> str:
    """A search's query string as it is saved: its canonical form, without paging."""
    query = saved_query(query_string)
    return urlencode([(k, v) for k, v in query_args(query) if k not in ("page", "page_size")])


bp = Blueprint("alerts", __name__)


def _render_list(catalog: Catalog, user: str, new_token: tuple[int, str] | None = None) -> str:
    searcher = archive().searcher
    upto = last_row(catalog)
    rows = []
    for saved in of_user(catalog, user):
        try:
            query = saved_query(saved.query)
        except BadParameter:
            rows.append({"search": saved, "documents": [], "broken": True})
            continue
        found = new_matches(catalog, searcher, saved, query, after=saved.since_row, upto=upto,
                            limit=current_app.config["FEED_SIZE"])
        rows.append({"search": saved, "documents": found.documents, "broken": False})
    feed_url = None
    if new_token:
        feed_url = url_for("alerts.feed", token=new_token[1], _external=True)
    return render_template("staff/alerts.html", rows=rows, email=email_of(catalog, user),
                           new_feed=(new_token[0], feed_url) if new_token else None)


@bp.get("/bevakningar")
@bp.get("/alerts")
@requires("staff")
def alerts_page() -> str:
    token = session.pop("new_feed", None)
    return _render_list(archive().catalog, _user(), tuple(token) if token else None)


@bp.post("/bevakningar")
@bp.post("/alerts")
@requires("staff")
def save_search() -> Response:
    query_string = canonical_query_string(request.form.get("query", ""))
    with Catalog(archive().home) as catalog:
        try:
            saved, token = save(catalog, _user(), request.form.get("name", ""), query_string)
        except AlertError as exc:
            flash(say(exc.message), "error")
            return _to_page()
    session["new_feed"] = [saved.id, token]
    flash(_("Bevakningen sparades."), "info")
    return _to_page()


@bp.post("/bevakningar/<int:search_id>/ta-bort")
@requires("staff")
def remove(search_id: int) -> Response:
    with Catalog(archive().home) as catalog:
        if not delete(catalog, search_id, _user()):
            abort(404)
    flash(_("Bevakningen togs bort."), "info")
    return _to_page()


@bp.post("/bevakningar/<int:search_id>/ny-lank")
@requires("staff")
def renew(search_id: int) -> Response:
    with Catalog(archive().home) as catalog:
        try:
            token = renew_token(catalog, search_id, _user())
        except AlertError:
            abort(404)
    session["new_feed"] = [search_id, token]
    flash(_("Flödet har fått en ny adress; den gamla fungerar inte längre."), "info")
    return _to_page()


@bp.post("/bevakningar/epost")
@requires("staff")
def email_address() -> Response:
    with Catalog(archive().home) as catalog:
        try:
            set_email(catalog, _user(), request.form.get("email"))
        except AlertError as exc:
            flash(say(exc.message), "error")
            return _to_page()
    flash(_("E-postadressen sparades."), "info")
    return _to_page()


@bp.get("/bevakningar/flode/<token>.atom")
def feed(token: str) -> Response:
    """A saved search's new documents as Atom; the token is the key (no login)."""
    catalog = archive().raw_catalog
    saved = by_token(catalog, token)
    if saved is None:
        abort(404)
    public = archive().searcher_for("public")  # a feed address travels: public documents only
    found = new_matches(catalog, public, saved, saved_query(saved.query),
                        after=saved.since_row, upto=last_row(catalog),
                        limit=current_app.config["FEED_SIZE"])
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    root = request.url_root.rstrip("/")
    page_url = url_for("alerts.alerts_page", _external=True)  # not the search: its words stay home
    feed_element = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed_element, "title", _("Arkiv: bevakningen {name}", name=saved.name))
    _sub(feed_element, "id", f"{root}/bevakningar/{saved.id}")
    entries = [(doc, _arrived(doc, now)) for doc in found.documents]
    _sub(feed_element, "updated", max((u for _d, u in entries), default=now))
    _sub(feed_element, "link", href=page_url, rel="alternate", type="text/html")
    _sub(_sub(feed_element, "author"), "name", "Arkiv")
    for doc, updated in entries:
        url = url_for("documents.document", doc_id=doc.id, _external=True)
        entry = _sub(feed_element, "entry")
        _sub(entry, "title", doc.get("title") or doc.filename)
        _sub(entry, "id", url)
        _sub(entry, "updated", updated)
        _sub(entry, "link", href=url, rel="alternate", type="text/html")
        facts = (doc.get("doc_type"), doc.get("committee"), doc.get("city"),
                 doc.get("decision_date") or doc.get("document_date"))
        summary = " · ".join(str(v) for v in facts if v)
        if summary:
            _sub(entry, "summary", summary)
    body = ET.tostring(feed_element, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml",
                    headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"})


def _arrived(doc: Document, fallback: str) -> str:
    """When a document arrived in the archive (what is new to a bevakning), as Atom wants it."""
    return doc.ingested_at.replace("+00:00", "Z") if doc.ingested_at else fallback


def _to_page() -> Response:
    return redirect(url_for("alerts.alerts_page"), code=303)


def _user() -> str:
    return current_username() or "?"
