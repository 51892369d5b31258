"""Saved searches and alerts ("bevakningar") in the browser: a staff member saves the
search they see, and finds the documents that arrived since on ``/bevakningar`` and in a
private Atom feed per saved search (``/bevakningar/flode/<token>.atom``: the token in the
URL is the only key, so a feed reader needs no login; a new link revokes the old one).
The e-mail digest is ``arkiv alerts send`` (:mod:`archive.alerts`).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from werkzeug.datastructures import MultiDict

from archive.query import Query
from web.state import parse_query, query_args


def saved_query(query_string: str) -> Query:
    """The search a saved query string asks for (:class:`web.state.BadParameter` if none)."""
    return parse_query(MultiDict(parse_qsl(query_string, keep_blank_values=False)))


def canonical_query_string(query_string: str) -> str:
    """A search's query string as it is saved: its canonical form, without paging."""
    query = saved_query(query_string)
    return urlencode([(k, v) for k, v in query_args(query) if k not in ("page", "page_size")])
