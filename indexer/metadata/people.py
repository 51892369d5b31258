"""People named in a document, each with a role and party when the text gives them.

A person is only recorded next to a cue (data/people.toml), never from capitalised
words alone:
- a header label: "Handläggare: Arion Chryssafis", "Justerare: Per Ekström";
- a role after the name: "Anna König Jerlmyr, ordförande och gruppledare (M)",
  "Johan Almqvist, socialdirektör";
- a role before the name: "socialborgarrådet Anna König Jerlmyr (M)",
  "sjukvårdsminister Acko Ankarberg Johansson";
- a party in parentheses: "Stina Bengtsson (C)";
- a quote: "säger Elisabeth Bengtsson".
Roles are given in their indefinite form ("socialborgarrådet" → "socialborgarråd").
One person named several times is one entry; its roles are joined. A name is only
the name: a role or title before it ("Statsrådet Björklund" is no name), a header
label, section heading or organisation run into it ("Sofia Grahn Paragrafer", "Uusmann
Regeringen") are dropped, and a genitive is the same person ("Ingrid Sjöholms (V)
avslagsyrkande" is Ingrid Sjöholm); what is left must still be two name parts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from indexer.metadata.text import alternation

if TYPE_CHECKING:
    from indexer.metadata.registry import Registry

_NAME_PART = r"[A-ZÅÄÖÉÜ][a-zåäöéèüæø]+(?:-[A-ZÅÄÖÉ][a-zåäöéèüæø]+)?"
#: Two to four capitalised words on one line ("Anna König Jerlmyr", "Lars-Göran Berg"),
#: not starting with a title of address ("Mr Bounpheng Saykanya" is "Bounpheng Saykanya").
_ADDRESS = r"(?:Mr|Ms|Mrs|Dr|Herr|Fru)\.?"
NAME = (
    rf"(?!{_ADDRESS}\b){_NAME_PART}"
    rf"(?: (?:(?:von|af|de|van|der) )?{_NAME_PART}){{1,3}}"
)
_SPEECH = r"(?:säger|berättar|menar|förklarar|fortsätter|skriver|says)"
#: Two capitalised words in a row, which every NAME opens with. A text without them
#: names nobody, and the cue patterns (which try every position) need not look.
_TWO_NAME_PARTS = re.compile(rf"{_NAME_PART} (?:(?:von|af|de|van|der) )?{_NAME_PART}")


@dataclass(frozen=True)
class PeopleIndex:
    """The cue patterns for people, compiled from data/people.toml."""

    labelled: re.Pattern[str]
    role_after: re.Pattern[str]
    role_before: re.Pattern[str]
    with_party: re.Pattern[str]
    quoted: re.Pattern[str]
    roles: tuple[str, ...]
    #: Capitalised words that are never part of a name (organisations, headings).
    not_names: frozenset[str]

    @classmethod
    def build(cls, registry: Registry) -> PeopleIndex:
        """Compile the labels, roles and parties of the registry."""
        labels = alternation(registry.person_labels)
        roles = alternation(registry.person_roles)
        parties = alternation(registry.parties)
        party = rf"\((?P<party>{parties})\)"
        party_after = rf"\((?P<party_after>{parties})\)"
        role_word = rf"(?i:(?:(?:vice|biträdande)\s+)?[a-zåäö-]*(?:{roles})[a-zåäö]*)"
        role_phrase = rf"(?P<role>{role_word}(?:[ \t]+[a-zåäöA-ZÅÄÖ-]+){{0,6}}?)"
        owner = (
            r"(?:[a-zåäö]+(?:nämndens|styrelsens|förvaltningens|kommunens|stadens|regionens)\s+)?"
        )
        return cls(
            labelled=re.compile(
                rf"^[ \t]*(?P<label>(?i:{labels}))[ \t]*(?::|[ \t]*[.…]{{3,}})[ \t]*(?P<name>{NAME})(?:,[ \t]*{role_phrase}(?=[ \t]*(?:[,.;\n]|$)))?",
                re.M,
            ),
            role_after=re.compile(
                rf"(?P<name>{NAME})(?:[ \t]*{party})?,[ \t]+{role_phrase}(?:[ \t]*{party_after})?(?=[ \t]*(?:[,.;()\n]|$))",
                re.M,
            ),
            role_before=re.compile(
                # The lookahead skips, cheaply, words not followed by a capitalised word.
                rf"(?<![\w-])(?=(?:[\w-]+[ \t]+){{1,2}}[A-ZÅÄÖÉÜ])"
                rf"(?P<role>{owner}{role_word})[ \t]+(?:{_ADDRESS}[ \t]+)?"
                rf"(?P<name>{NAME})(?:[ \t]*{party})?"
            ),
            with_party=re.compile(rf"(?P<name>{NAME})[ \t]*{party}"),
            quoted=re.compile(rf"\b{_SPEECH}[ \t]+(?P<name>{NAME})\b"),
            roles=registry.person_roles,
            not_names=frozenset(registry.not_name_words),
        )


def find_people(text: str, registry: Registry) -> list[dict[str, str | None]]:
    """People with a cue in ``text``: ``{"name", "role", "party"}``, None when unknown."""
    found: dict[str, dict[str, str | None]] = {}
    index = registry.people_index
    hits = sorted(_cued_names(text, index), key=_offset)
    names = {name for _, name, _, _ in hits}
    for _, name, role, party in hits:
        name = _only_the_name(name, registry)
        if name is None:
            continue
        if name.endswith("s") and (name[:-1] in names or _named_elsewhere(name[:-1], text)):
            name = name[:-1]  # "Ingrid Sjöholms (V) avslagsyrkande"
        person = found.setdefault(name, {"name": name, "role": None, "party": None})
        if role and (person["role"] is None or role not in person["role"].split(", ")):
            person["role"] = role if person["role"] is None else f"{person['role']}, {role}"
        if party and person["party"] is None:
            person["party"] = party
    return list(found.values())


def _only_the_name(name: str, registry: Registry) -> str | None:
    """The name without a role before it or a non-name word after it; None when fewer
    than two name parts are left ("Statsrådet Björklund", "Statsministern Reinfeldt")."""
    index = registry.people_index
    headings = registry.heading_index
    words = name.split()
    while words and (_is_role_word(words[0], index.roles) or words[0] in index.not_names):
        words.pop(0)  # "Socialborgarrådet Anna Berg (M)": the role is not the name
    for i, word in enumerate(words):
        if word in index.not_names or headings.is_label_line(word) or headings.is_section_heading(word):
            words = words[:i]
            break
    return " ".join(words) if len(words) >= 2 else None


def _named_elsewhere(name: str, text: str) -> bool:
    """Whether ``name`` stands in the text as a whole name of its own."""
    at = text.find(name)
    while at >= 0:
        after = text[at + len(name) : at + len(name) + 1]
        if not (after.isalpha() or after == "-"):
            return True
        at = text.find(name, at + 1)
    return False


def _offset(hit: tuple[int, str, str | None, str | None]) -> int:
    return hit[0]


def _cued_names(text: str, index: PeopleIndex) -> Iterator[tuple[int, str, str | None, str | None]]:
    """(offset, name, role, party) for every name next to a cue."""
    if not _TWO_NAME_PARTS.search(text):
        return
    for m in index.labelled.finditer(text):
        role = _indefinite(m.group("role") or m.group("label"), index.roles)
        yield m.start("name"), m.group("name"), role, None
    for m in index.role_after.finditer(text):
        role = _indefinite(m.group("role"), index.roles)
        yield m.start("name"), m.group("name"), role, m.group("party") or m.group("party_after")
    for m in roles_before(index.role_before, text):
        role = _indefinite(m.group("role"), index.roles)
        yield m.start("name"), m.group("name"), role, m.group("party")
    for m in index.with_party.finditer(text):
        yield m.start("name"), m.group("name"), None, m.group("party")
    for m in index.quoted.finditer(text):
        yield m.start("name"), m.group("name"), None, None


@lru_cache(maxsize=1)
def roles_before(role_before: re.Pattern[str], text: str) -> tuple[re.Match[str], ...]:
    """The matches of a ``PeopleIndex.role_before`` pattern in ``text``.

    The pattern is the costliest of the people cues, and both doc-type detection and
    ``find_people`` want its matches in the same document: the last text's are kept.
    """
    if not _TWO_NAME_PARTS.search(text):
        return ()
    return tuple(role_before.finditer(text))


def _is_role_word(word: str, stems: tuple[str, ...]) -> bool:
    """Whether ``word`` is a role ("Socialborgarrådet", "ordförande"), not part of a name."""
    return _indefinite(word, stems).endswith(stems)


def _indefinite(role: str, stems: tuple[str, ...]) -> str:
    """A role with its role words lowercase and indefinite ("Socialborgarrådet" →
    "socialborgarråd"); other words keep their case ("gruppledare för Liberalerna")."""
    words = role.split()
    for i, word in enumerate(words):
        lower = word.lower()
        if i == 0 or lower.endswith(stems):
            words[i] = lower
        for suffix in ("et", "en", "n"):
            if lower.endswith(suffix) and lower[: -len(suffix)].endswith(stems):
                words[i] = lower[: -len(suffix)]
                break
    return " ".join(words)
