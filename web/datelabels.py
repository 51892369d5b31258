"""A document's dates under the words that fit its type.

``decision_date`` is the meeting at which a committee decides: for a kallelse, a
protokoll or a tjänsteutlåtande that is the sammanträdesdatum (a kallelse announces a
meeting, nothing is decided yet); only other documents (a beslut, a press release that
reports one) have a real beslutsdatum. ``document_date`` of a press release or an
article is the day it was published.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from web.i18n import gettext as _

#: Types whose ``decision_date`` is the date of the meeting they belong to.
MEETING_DATED = frozenset({"kallelse", "protokoll", "tjänsteutlåtande"})
#: Types whose ``document_date`` is the day they were published (shown first).
PUBLISHED = frozenset({"pressmeddelande", "artikel", "debattartikel", "uttalande", "tal"})


def document_dates(doc: Any) -> list[tuple[str, str]]:
    """(label, ISO date) for the dates a document shows, the one that heads a hit first;
    a date the same as the one before it is shown once."""
    doc_type, decided, written = doc.get("doc_type"), doc.get("decision_date"), doc.get("document_date")
    decision = (_("Sammanträdesdatum") if doc_type in MEETING_DATED else _("Beslutsdatum"), decided)
    if doc_type in PUBLISHED:
        dates = [(_("Publicerad"), written), decision]
    else:
        dates = [decision, (_("Dokumentdatum"), written)]
    shown: list[tuple[str, str]] = []
    for label, value in dates:
        if value and value not in (v for _label, v in shown):
            shown.append((label, value))
    return shown


def init_app(app: Flask) -> None:
    """Make ``document_dates`` available in every template."""
    app.jinja_env.globals.update(document_dates=document_dates)
