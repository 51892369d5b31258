"""Swedish labels for document fields, facets and filters (translated with ``_`` when shown):
the fields' from :mod:`archive.fields`, the names of values here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from flask import Flask
from markupsafe import Markup, escape

from archive import fields
from web.i18n import catalogue, current_language
from web.i18n import gettext as _


def field_label(column: str) -> str:
    """A document field's label, a message id ("districts" → "Stadsdelar"; archive.fields)."""
    found = fields.by_column(column)
    return found.column_label if found is not None and found.column_label else column


def facet_label(facet: str) -> str:
    """A facet's heading in the sidebar, a message id ("districts" → "Stadsdel")."""
    found = fields.by_facet(facet)
    return found.label if found is not None else facet


def param_label(param: str) -> str:
    """A URL parameter's label on a removable filter chip, a message id."""
    found = fields.by_param(param)
    if found is not None:
        return found.label
    for spec in fields.date_ranges():
        if param in spec.params:
            return spec.bound_labels[spec.params.index(param)]
    return param


#: Document language codes as the interface names them.
LANGUAGE_NAMES: dict[str, str] = {
    "sv": "svenska",
    "en": "engelska",
    "da": "danska",
    "no": "norska",
    "nb": "norska (bokmål)",
    "nn": "nynorska",
    "fi": "finska",
    "de": "tyska",
    "fr": "franska",
    "et": "estniska",
    "lv": "lettiska",
    "es": "spanska",
    "nl": "nederländska",
    "pl": "polska",
    "unknown": "okänt språk",
}


def plain(value: Any) -> str:
    """A field value as text; a person (name, party, role) reads "Karin Lindqvist (S), ordförande"."""
    if not isinstance(value, dict):
        return str(value)
    text = str(value.get("name") or "")
    if value.get("party"):
        text += f" ({value['party']})"
    if value.get("role"):
        text += f", {value['role']}"
    return text


#: Document types as the interface names them (the vocabulary: indexer/metadata/data/doctypes.toml;
#: the seeds' types are shown as they are written).
DOC_TYPE_NAMES: dict[str, str] = {
    "other": "övrigt",
    "kommittédirektiv": "kommittédirektiv",
    "proposition": "proposition",
    "utredning": "utredning (SOU, Ds)",
    "remiss": "remiss",
    "yttrande": "yttrande",
    "tal": "tal",
    "uttalande": "uttalande",
    "debattartikel": "debattartikel",
    "medborgarförslag": "medborgarförslag",
    "interpellation": "interpellation",
    "fråga": "fråga",
    "revisionsrapport": "revisionsrapport",
    "årsredovisning": "årsredovisning",
    "delegationsbeslut": "delegationsbeslut",
    "detaljplan": "detaljplan",
    "budget": "budget",
    "avtal": "avtal",
    "policy": "policy, riktlinje, plan",
    "lag": "lag",
    "förordning": "förordning",
    "föreskrift": "föreskrift",
    "dom": "dom",
}
#: What a hit is (archive.models.KINDS), as the interface names it.
KIND_NAMES: dict[str, str] = {"document": "hela dokument", "arende": "ärenden (§)"}


#: The fields whose values have names in the interface.
_VALUE_NAMES = {"language": LANGUAGE_NAMES, "doc_type": DOC_TYPE_NAMES, "type": DOC_TYPE_NAMES,
                "kind": KIND_NAMES}


def value_label(field: str, value: Any) -> str:
    """How a field's value reads in the interface (language codes become names)."""
    return _value_label_in(current_language(), field, value)


def timestamp(value: str | None) -> str:
    """An ISO 8601 time as people read it: "2026-11-22 09:54 UTC" (empty when unknown)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def facet_items(name: str, links: Iterable[Any]) -> Markup:
    """A facet's values as list items, each linking to the search with it toggled.

    Built here in one pass of plain string formatting: a results page lists hundreds of
    values, and both a template macro per value and ``Markup.format`` per value cost more
    than the search behind the page. Every value, label and URL is escaped.
    """
    remove, narrow = escape(_("Ta bort filtret")), escape(_("Avgränsa till detta"))
    items = []
    for link in links:
        label, url = escape(value_label(name, link.value)), escape(link.toggle_url)
        if link.selected:
            items.append(f'<li><a class="facet__value is-selected" href="{url}" '
                         f'aria-current="true" title="{remove}">')
        else:
            items.append(f'<li><a class="facet__value" href="{url}" title="{narrow}">')
        items.append(f'<span class="facet__label">{label}</span> '
                     f'<span class="facet__count">{int(link.count)}</span></a></li>\n')
    return Markup("".join(items))


def option_items(param: str, values: Iterable[Any], chosen: Iterable[Any]) -> Markup:
    """A form list's ``<option>``s, the chosen ones selected (the city list alone has every
    kommun: built in one pass, and kept while the archive's values stay the same)."""
    picked = frozenset(str(value) for value in chosen)
    return _option_items(current_language(), param, tuple(values), picked)


@lru_cache(maxsize=64)
def _option_items(language: str, param: str, values: tuple[Any, ...],
                  picked: frozenset[str]) -> Markup:
    return Markup("".join(
        f'<option value="{escape(value)}"{" selected" if str(value) in picked else ""}>'
        f"{escape(_value_label_in(language, param, value))}</option>\n"
        for value in values))


def _value_label_in(language: str, field: str, value: Any) -> str:
    """:func:`value_label` in ``language`` (also for what is kept across requests)."""
    names = _VALUE_NAMES.get(field) or {}
    if isinstance(value, str) and value in names:
        return catalogue(language).get(names[value], names[value])
    return plain(value)


def init_app(app: Flask) -> None:
    """Make the labels available in every template."""
    app.jinja_env.globals.update(
        facet_items=facet_items,
        facet_label=facet_label,
        option_items=option_items,
        param_label=param_label,
        value_label=value_label,
    )
    app.jinja_env.filters["timestamp"] = timestamp
