"""Places: the issuing municipality, other cities mentioned, and districts.

All names of the gazetteer (kommuner.csv, stadsdelar.csv, europeiska_stader.csv) are
found in one pass over the words of the text, by dictionary lookup of the longest run
of words starting at each capitalised word. Every form maps to one canonical name:
a municipality to its short name ("Stockholms stad", "Stockholms" → "Stockholm"), a
foreign city to its Swedish name ("Genova", "Genoa" → "Genua"), a district to its name
in stadsdelar.csv ("Rinkeby- Kista" → "Rinkeby-Kista").

Names that are also ordinary words need context (data/places.toml): "Lund" counts
in "Lunds kommun" or "kommunerna Lund och Helsingborg", not in "Anna Lund".

The issuing city is the municipality with the strongest evidence: its self-styled
name ("Sollentuna kommun", "Stockholms stad") or a district organ ("stadsdelsnämnden i
Spånga-Tensta") weigh most, then mentions on header lines, then other mentions of it
or its districts; it must clearly beat the runner-up. ``cities_mentioned`` is every other
municipality and foreign city named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from indexer.metadata.text import alternation, header_end, line_at

if TYPE_CHECKING:
    from indexer.metadata.registry import Registry

MUNICIPALITY, DISTRICT, FOREIGN = "municipality", "district", "foreign"
#: Evidence weights for the issuing city; measured on the seeds and the corpus.
OFFICIAL_WEIGHT, MENTION_WEIGHT, HEADER_BONUS, MIN_CITY_SCORE = 3, 1, 2, 3
#: The header: this many non-blank lines from the top; its lines are short.
HEADER_LINES = 20
SHORT_LINE = 60
#: How far around a name its context words are looked for.
CONTEXT_CHARS = 40
COUNTRY_CONTEXT_CHARS = 300


@dataclass(frozen=True)
class Place:
    """What one written form of a place name stands for."""

    kind: str
    name: str
    city: str | None
    needs_context: bool
    official: bool = False
    country: str | None = None


@dataclass(frozen=True)
class PlaceMention:
    """One place name found in a text."""

    place: Place
    start: int
    end: int


_WORD = re.compile(r"\w+")
#: A word that may be capitalised: it opens with a letter other than a common lowercase
#: one (the letter first lets the regex engine skip the rest; ``isupper`` decides).
_CAPITALISED = re.compile(r"[^\W\d_a-zåäöé](?<!\w.)\w*")


def _surface(form: str) -> str:
    """A written form with one space between words and no spaces around hyphens."""
    return re.sub(r"\s+", " ", re.sub(r"\s*[-–]\s*", "-", form)).strip()


def _genitive(name: str) -> str:
    return name if name[-1] in "sxzSXZ" else name + "s"


@dataclass(frozen=True)
class PlaceIndex:
    """Every written form of every place, looked up word by word (no per-name scans).

    ``forms`` maps a form's lowercase surface to the places it stands for and the
    exact surfaces that count (plain names are case-sensitive, with an all-capitals
    variant; self-styled names such as "Stockholms stad" match whatever the case of
    the words after the capitalised name: "Göteborgs Stad", "SUNDBYBERGS STAD").
    """

    forms: dict[str, tuple[tuple[Place, ...], frozenset[str] | None]]
    max_words: dict[str, int]
    district_context: re.Pattern[str]
    municipality_context: re.Pattern[str]

    @classmethod
    def build(cls, registry: Registry) -> PlaceIndex:
        """Collect every written form of every place in the registry's gazetteer."""
        places: dict[str, list[Place]] = {}
        surfaces: dict[str, set[str] | None] = {}

        def add(form: str, place: Place, any_case: bool = False) -> None:
            surface = _surface(form)
            key = surface.lower()
            found = places.setdefault(key, [])
            if place not in found:
                found.append(place)
            if any_case:
                surfaces[key] = None
            elif surfaces.get(key, set()) is not None:
                surfaces.setdefault(key, set()).update({surface, surface.upper()})

        for m in registry.municipalities:
            styled = Place(MUNICIPALITY, m.name, m.name, False, official=True)
            for form in (
                m.official_style,
                f"{m.genitive} kommun",
                f"{m.name} kommun",
                f"{m.genitive} stad",
                f"{m.genitive} kommuns",
                f"{m.name} kommuns",
            ):
                add(form, styled, any_case=True)
            bare = Place(MUNICIPALITY, m.name, m.name, m.needs_context)
            for form in (m.name, m.genitive):
                add(form, bare)
        for d in registry.districts:
            place = Place(DISTRICT, d.name, d.city, d.needs_context)
            for form in (d.name, _genitive(d.name)):
                add(form, place)
        for c in registry.foreign_cities:
            place = Place(FOREIGN, c.name, None, c.needs_context, country=c.country)
            for name in c.forms:
                for form in (name, _genitive(name)):
                    add(form, place)
        max_words: dict[str, int] = {}
        for key in places:
            words = _WORD.findall(key)
            max_words[words[0]] = max(max_words.get(words[0], 0), len(words))
        return cls(
            forms={
                key: (tuple(found), frozenset(surfaces[key]) if surfaces[key] is not None else None)
                for key, found in places.items()
            },
            max_words=max_words,
            district_context=re.compile(alternation(registry.district_context_words), re.I),
            municipality_context=re.compile(alternation(registry.municipality_context_words), re.I),
        )

    def lookup(self, form: str) -> tuple[Place, ...]:
        """What a written form stands for, ignoring case (nothing when unknown)."""
        entry = self.forms.get(_surface(form).lower())
        return entry[0] if entry else ()

    def find(self, text: str) -> list[PlaceMention]:
        """Every place mention in ``text`` whose context (where needed) is there.

        At each capitalised word the longest run of following words that is a known
        form wins: "Rinkeby- Kista" before "Rinkeby", "Stockholms stad" before "Stockholms".
        """
        mentions = []
        taken = 0  # the end of the last name found: its words start no other name
        for first in _CAPITALISED.finditer(text):
            word, start = first.group(0), first.start()
            width = self.max_words.get(word.lower(), 0) if word[0].isupper() else 0
            if not width or start < taken:
                continue
            words = [first, *islice(_WORD.finditer(text, first.end()), width - 1)]
            for n in range(len(words), 0, -1):
                end = words[n - 1].end()
                surface = _surface(text[start:end])
                entry = self.forms.get(surface.lower())
                if entry is None or (entry[1] is not None and surface not in entry[1]):
                    continue
                for place in entry[0]:
                    if not place.needs_context or self.has_context(text, start, end, place):
                        mentions.append(PlaceMention(place, start, end))
                taken = end
                break
        return mentions

    def has_context(self, text: str, start: int, end: int, place: Place) -> bool:
        """Whether the words around a mention are the context its kind of place needs."""
        if place.kind == FOREIGN:
            window = text[max(0, start - COUNTRY_CONTEXT_CHARS) : end + COUNTRY_CONTEXT_CHARS]
            return bool(place.country) and place.country in window
        window = text[max(0, start - CONTEXT_CHARS) : end + CONTEXT_CHARS]
        cue = self.district_context if place.kind == DISTRICT else self.municipality_context
        return bool(cue.search(window))


@dataclass(frozen=True)
class Places:
    """The places of one document."""

    city: str | None
    cities_mentioned: list[str]
    districts: list[str]


def find_places(text: str, registry: Registry) -> Places:
    """The issuing city, other cities mentioned, and districts named in ``text``."""
    index = registry.place_index
    mentions = index.find(text)
    end_of_header = header_end(text, HEADER_LINES)
    scores: dict[str, int] = {}
    districts: list[str] = []
    others: list[str] = []
    for mention in mentions:
        place = mention.place
        if place.kind == DISTRICT:
            if place.name not in districts:
                districts.append(place.name)
        elif place.name not in others:
            others.append(place.name)
        if place.city is None:
            continue
        if place.kind == DISTRICT and _ambiguous_district(registry, place):
            continue
        official = place.official or (
            place.kind == DISTRICT and index.has_context(text, mention.start, mention.end, place)
        )
        weight = OFFICIAL_WEIGHT if official else MENTION_WEIGHT
        if mention.start < end_of_header and len(line_at(text, mention.start)) <= SHORT_LINE:
            weight += HEADER_BONUS
        scores[place.city] = scores.get(place.city, 0) + weight
    city = _winner(scores)
    return Places(city=city, cities_mentioned=[c for c in others if c != city], districts=districts)


def _ambiguous_district(registry: Registry, place: Place) -> bool:
    return len({p.city for p in registry.place_index.lookup(place.name) if p.kind == DISTRICT}) > 1


def _winner(scores: dict[str, int]) -> str | None:
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] < MIN_CITY_SCORE:
        return None
    if len(ranked) > 1 and ranked[1][1] >= ranked[0][1]:
        return None
    return ranked[0][0]
