"""The web's words for what archive/ says (:mod:`archive.messages`): Swedish, translated
like every page text (``web/translations``)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask

from archive.messages import Message
from web.i18n import gettext as _

#: Message id → its Swedish words (the English ones are in web/translations/en.json).
SWEDISH: dict[str, str] = {
    "index_missing": "Sökindex saknas eller är av en äldre version – kör 'arkiv reindex'",
    "fallback": "Inga träffar på alla ord – visar träffar på några av dem",
    "no_words": "Sökningen innehöll inga sökbara ord",
    "truncated": "Sökningen kortades till {n} tecken",
    "invalid_date": "Ogiltigt datum: {value}",
    "date_not_excluded": "Datum kan inte uteslutas: {value}",
    "first_words_only": "Bara de {n} första orden används",
    "database_unreachable": "Databasen svarar inte just nu – försök igen om en stund",
    "field_not_correctable": "fältet {field} kan inte rättas",
    "too_many_field_values": "för många eller för långa värden i {field}",
    "value_too_long": "värdet är för långt (högst {n} tecken)",
    "not_a_day": "{value} är inget datum (skriv ÅÅÅÅ-MM-DD)",
    "no_document": "inget dokument med id {id}",
    "unknown_decision": "okänt beslut {decision}",
    "merge_target_missing": "skriv vilket projekt kandidaten ska slås ihop med",
    "unknown_registry": "okänt register {registry}",
    "registry_unreadable": "kan inte läsa {name}",
    "too_many_values": "för många eller för långa värden",
    "entry_needs_name": "posten behöver ett namn",
    "kind_not_known": "sort ska vara en av {kinds}",
    "topic_needs_cues": "ett ämne behöver svenska sökord",
    "already_in_registry": "{name} finns redan i registret",
    "not_in_registry": "{name} finns inte i registret",
    "too_many_saved": "högst {n} bevakningar per person",
    "no_saved_search": "bevakningen finns inte",
    "not_an_email": "{email} är ingen e-postadress",
}


def say(message: Message) -> str:
    """A message in the visitor's language."""
    return _(SWEDISH[message.id], **message.params)


def say_all(messages: Iterable[Message]) -> str | None:
    """Several messages as one line (None when there are none)."""
    return " · ".join(say(message) for message in messages) or None


def init_app(app: Flask) -> None:
    """Make ``say_all`` available in every template."""
    app.jinja_env.globals.update(say_all=say_all)
