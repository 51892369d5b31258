"""What archive/ says to a person, as a message id with its values.

The words are not archive's: the web shows each id in the visitor's language through its
own words and translations (``web/messages.py``, ``web/translations``); the command line
prints the English line kept here (``str(message)``), as it does every error line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The command line's English line for each message id.
ENGLISH: dict[str, str] = {
    # searching
    "index_missing": "the search index is missing or from an older version – run 'arkiv reindex'",
    "fallback": "no hits on all the words – showing hits on some of them",
    "no_words": "the search had no searchable words",
    "truncated": "the search was cut to {n} characters",
    "invalid_date": "not a date: {value}",
    "date_not_excluded": "a date cannot be excluded: {value}",
    "first_words_only": "only the first {n} words are used",
    "database_unreachable": "the database does not answer just now – try again in a moment",
    # corrections
    "field_not_correctable": "the field {field!r} cannot be corrected",
    "too_many_field_values": "too many or too long values for {field}",
    "value_too_long": "the value of {field} is too long (at most {n})",
    "not_a_day": "not a date: {value!r} (use YYYY-MM-DD)",
    "no_document": "no document with id {id}",
    "unknown_decision": "unknown decision {decision!r}",
    "merge_target_missing": "say which project the candidate is merged into",
    # registries
    "unknown_registry": "unknown registry {registry!r}",
    "registry_unreadable": "cannot read {path}: {reason}",
    "too_many_values": "too many or too long values",
    "entry_needs_name": "an entry needs a name",
    "kind_not_known": "kind must be one of {kinds}",
    "topic_needs_cues": "a topic needs Swedish cue words",
    "already_in_registry": "{name} is already in the registry",
    "not_in_registry": "{name} is not in the registry",
    # saved searches
    "too_many_saved": "at most {n} saved searches a user",
    "no_saved_search": "no such saved search",
    "not_an_email": "not an e-mail address: {email}",
}


@dataclass(frozen=True)
class Message:
    """A message id (a key of :data:`ENGLISH`) and the values its words take."""

    id: str
    values: tuple[tuple[str, Any], ...] = ()

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.values)

    def __str__(self) -> str:
        return ENGLISH[self.id].format(**self.params)


def message(message_id: str, **values: Any) -> Message:
    """The message ``message_id`` with ``values`` (KeyError for an unknown id)."""
    ENGLISH[message_id]  # noqa: B018 - fail where the message is made, not where it is shown
    return Message(message_id, tuple(values.items()))
