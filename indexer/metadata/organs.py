"""Organs: the deciding committee (nämnd, styrelse, fullmäktige) and the administration
(förvaltning, kontor) a document comes from.

Names are normalised to their definite form with one capital: "SOCIALTJÄNSTNÄMNDEN",
"socialtjänstnämndens" → "Socialtjänstnämnden"; an organ of an organ keeps the
genitive ("KOMMUNSTYRELSENS ARBETSUTSKOTT" → "Kommunstyrelsens arbetsutskott"). A district committee or
administration takes the district's name: "stadsdelsnämnden i Skärholmen",
"Skärholmens stadsdelsnämnd" → "Skärholmens stadsdelsnämnd".

Which committee is the document's, in order of evidence:
1. a header line that is the committee's name ("SOCIALTJÄNSTNÄMNDEN", "Till
   Socialtjänstnämnden", "Socialnämnden, Stockholms stad");
2. the committee that decides in the text ("Socialtjänstnämnden beslutade",
   "godkände socialtjänstnämnden", "Socialnämnden i Stockholms stad har fattat beslut");
3. the committee named most often, if at least twice.
The administration: a header line naming it, else the one named most often (twice).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.swedish import fold_case
from indexer.metadata.places import DISTRICT
from indexer.metadata.text import header_end, line_at, line_start, strip_markup

if TYPE_CHECKING:
    from indexer.metadata.registry import Registry

COMMITTEE, ADMINISTRATION = "committee", "administration"
#: Organs that take a district's name: "Skärholmens stadsdelsnämnd".
_DISTRICT_ORGANS = frozenset({"stadsdelsnämnd", "stadsdelsförvaltning", "stadsdelsområdesnämnd"})
#: How many non-blank lines from the top count as the header.
HEADER_LINES = 20
#: A header line longer than this is prose, not a name.
MAX_NAME_LINE = 60
MIN_MENTIONS = 2

_INFLECTIONS = {"en": "(?:ens|en|s)?", "n": "(?:ns|n|s)?", "et": "(?:ets|et|s)?", "": "s?"}
_DECIDES_AFTER = re.compile(
    r"^(?:\s+i\s+[\wÅÄÖåäö ]{2,30}?)?\s+(?:har\s+)?(?:beslutat|beslutade|beslutar|fattat beslut|"
    r"fattade beslut|godkänt|godkände|godkänner|antagit|antog|antar)\b",
    re.I,
)
_DECIDES_BEFORE = re.compile(r"\b(?:beslutade|godkände|godkänner|antog|beslutar)\s+$", re.I)
_ADDRESSEE = re.compile(r"^till(?:\s+|$)", re.I)
_SEPARATORS = ",·•|–-"


@dataclass(frozen=True)
class OrganMention:
    """One committee or administration name in the text, normalised."""

    kind: str
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class OrganIndex:
    """Regexes for committee and administration names (in text folded by ``fold_case``)."""

    pattern: re.Pattern[str]
    endings: dict[str, tuple[str, str]]
    not_names: frozenset[str]

    @classmethod
    def build(cls, registry: Registry) -> OrganIndex:
        """Compile the endings and exclusions of data/organs.toml."""
        endings: dict[str, tuple[str, str]] = {}
        parts = []
        for kind, table in (
            (COMMITTEE, registry.committee_endings),
            (ADMINISTRATION, registry.administration_endings),
        ):
            for ending, definite in table:
                endings[ending] = (kind, definite)
                parts.append(re.escape(fold_case(ending)) + _INFLECTIONS.get(definite, "s?"))
        return cls(
            pattern=re.compile(
                r"(?<![\w-])(?P<prefix>[a-zåäöé]+-\s(?:och|&)\s)?"
                rf"(?P<word>[a-zåäöé]{{3,}}?)(?P<ending>{'|'.join(parts)})(?![\w])"
            ),
            endings=endings,
            not_names=registry.not_committees | registry.not_administrations,
        )

    def find(self, text: str, registry: Registry) -> list[OrganMention]:
        """Every committee and administration name in ``text``, in reading order."""
        mentions: list[OrganMention] = []
        for match in self.pattern.finditer(fold_case(text)):
            # As folded ("socıalnämnden" with a dotless i reads as socialnämnden).
            word = match.group("word") or ""
            ending_text = match.group("ending") or ""
            ending = next(e for e in self.endings if ending_text.startswith(e))
            kind, definite = self.endings[ending]
            if word + ending in _DISTRICT_ORGANS:
                district = _district_of(text, match, registry)
                if district is None:
                    continue
                start, end, name = district
                mentions.append(
                    OrganMention(kind, f"{_district_genitive(name)} {word + ending}", start, end)
                )
                continue
            if word + ending in self.not_names:
                continue
            prefix = match.group("prefix") or ""
            name = (prefix + word + ending + definite).capitalize()
            owner = mentions[-1] if mentions else None
            if owner and _owns(text, owner, match):
                # "Kommunstyrelsens arbetsutskott": the owner's genitive names the organ.
                name = f"{owner.name}s {word + ending}"
                mentions[-1] = OrganMention(kind, name, owner.start, match.end())
                continue
            mentions.append(OrganMention(kind, name, *match.span()))
        return mentions


def _owns(text: str, owner: OrganMention, match: re.Match[str]) -> bool:
    """Whether ``owner`` is written in the genitive right before the organ ``match``."""
    between = text[owner.end : match.start()]
    return text[owner.end - 1 : owner.end].lower() == "s" and between in (" ", "\t")


def _district_of(
    text: str, match: re.Match[str], registry: Registry
) -> tuple[int, int, str] | None:
    """The district a district organ belongs to: "Skärholmens stadsdelsnämnd" or
    "stadsdelsnämnden i Skärholmen" → (start, end, "Skärholmen")."""
    start, end = match.span()
    window_start = max(0, start - 40)
    window = text[window_start : end + 40]
    for place in registry.place_index.find(window):
        if place.place.kind != DISTRICT:
            continue
        place_start, place_end = window_start + place.start, window_start + place.end
        if place_end <= start and not text[place_end:start].strip():
            return place_start, end, place.place.name
        if place_start >= end and re.fullmatch(r"\s+i\s+", text[end:place_start]):
            return start, place_end, place.place.name
    return None


def _district_genitive(district: str) -> str:
    """Stockholm's usage: "Skärholmens stadsdelsnämnd" but "Rinkeby-Kista stadsdelsnämnd"."""
    district = re.sub(r"\s*[-–]\s*", "-", district)
    return district + "s" if district[-1].lower() not in "aeiouyåäösxz" else district


@dataclass(frozen=True)
class Organs:
    """The committee and administration of one document."""

    committee: str | None
    administration: str | None
    mentions: list[OrganMention]


def find_organs(text: str, registry: Registry) -> Organs:
    """The document's committee and administration (see the module docstring)."""
    mentions = registry.organ_index.find(text, registry)
    header_names = _header_names(text, mentions)
    committees = [m for m in mentions if m.kind == COMMITTEE]
    committee = next((n for k, n in header_names if k == COMMITTEE), None)
    if committee is None:
        committee = next((m.name for m in committees if _decides(text, m)), None)
    if committee is None:
        committee = _most_named(committees)
    administration = next((n for k, n in header_names if k == ADMINISTRATION), None)
    if administration is None:
        administration = _most_named([m for m in mentions if m.kind == ADMINISTRATION])
    return Organs(committee, administration, mentions)


def header_organs(text: str, organs: Organs) -> list[tuple[str, str]]:
    """(kind, name) of the organs that head the document (its own, not mentioned ones)."""
    return _header_names(text, organs.mentions)


def _header_names(text: str, mentions: list[OrganMention]) -> list[tuple[str, str]]:
    """Organs whose name makes up a header line: an optional "Till", the name, then at
    most a separator and a city or unit ("Socialnämnden, Stockholms stad")."""
    end_of_header = header_end(text, HEADER_LINES)
    names = []
    for m in mentions:
        if m.start >= end_of_header:
            break
        if len(line_at(text, m.start)) > MAX_NAME_LINE:
            continue
        begin = line_start(text, m.start)
        stop = text.find("\n", m.start)
        lead = _ADDRESSEE.sub("", strip_markup(text[begin : m.start]))
        rest = strip_markup(text[m.end : stop if stop >= 0 else len(text)])
        if not lead and (not rest or rest[0] in _SEPARATORS):
            names.append((m.kind, m.name))
    return names


def _decides(text: str, mention: OrganMention) -> bool:
    after = text[mention.end : mention.end + 60]
    before = text[max(0, mention.start - 20) : mention.start]
    return bool(_DECIDES_AFTER.match(after) or _DECIDES_BEFORE.search(before))


def _most_named(mentions: list[OrganMention]) -> str | None:
    if not mentions:
        return None
    counts = Counter(m.name for m in mentions)
    name, count = counts.most_common(1)[0]
    return name if count >= MIN_MENTIONS else None
