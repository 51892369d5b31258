"""Places: issuing city, other cities (Swedish exonyms), districts — from real snippets."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from indexer.metadata.places import find_places
from indexer.metadata.registry import Registry

# (text, city)
CITY_CASES: list[tuple[str, str | None]] = [
    ("Stockholms stad är redan engagerad i arbete inom UBC (Union of Baltic Cities).", "Stockholm"),
    (
        "Men i Sollentuna har man valt att satsa på det internationella. En kommun där den högsta "
        "politiska ledningen bestämt det är Sollentuna kommun norr om Stockholm.",
        "Sollentuna",
    ),
    ("SUNDBYBERGS STAD\nSocialnämnden\n\nSAMMANTRÄDESPROTOKOLL", "Sundbyberg"),
    ("Göteborgs Stad\nSocialförvaltning Centrum", "Göteborg"),
    ("Socialnämnden i Malmö stad har fattat beslut om att utöka antalet sovplatser.", "Malmö"),
    (
        "Sollentunas socialtjänst har studerat hur Danmark arbetar. Sollentunas modell sprids "
        "och i Sollentuna är personalen stabil.",
        "Sollentuna",
    ),
    ("Lunds kommun\nSocialförvaltningen", "Lund"),
    (
        "Skärholmens stadsdelsförvaltning\n\nMålgruppen är unga vuxna i Skärholmen och Bredäng. "
        "Samverkan med Botkyrka kommun och Huddinge kommun har fungerat väl i Skärholmen.",
        "Stockholm",
    ),
    ("Stadsdelsnämnden i Spånga-Tensta har beslutat att förlänga projektet i Tensta.", "Stockholm"),
    # Passing mentions are not an issuer.
    (
        "Regeringen har idag utsett Ulrika Sundberg till ambassadör i Dublin, med stationering i "
        "Stockholm.",
        None,
    ),
    ("Anna Lund och Per Berg deltog från Vara. Mark och vatten.", None),
    ("Stockholm och Göteborg deltar. Stockholm och Göteborg rapporterar.", None),
]


# (text, cities_mentioned)
MENTION_CASES: list[tuple[str, list[str]]] = [
    ("Våren 2004 vid Eurocities sociala kommitté (ESWC) möte i Genova", ["Genua"]),
    ("Workshopen leddes av Eurocities sekretariat i Bryssel. Wien, Åbo och Riga.", ["Bryssel", "Wien", "Åbo", "Riga"]),
    ("Studiebesök i Bucuresti och Turku", ["Bukarest", "Åbo"]),
    ("samarbete med kommunerna Lund och Helsingborg kring erfarenhetsutbyte", ["Lund", "Helsingborg"]),
    ("slutkonferensen för det transnationella arbetet i Asti/Italien", ["Asti"]),
    ("Porto i Portugal och Bergen i Norge", ["Porto", "Bergen"]),
    ("resan gick till Porto, och Bergen var vackra", []),
    ("Lissabonstrategin och Göteborgsagendan", []),
    ("Sollentuna kommun norr om Stockholm; studiebesök i London", ["Sollentuna", "Stockholm", "London"]),
    ("Members include Amsterdam, Athens, Helsinki and Vienna", ["Amsterdam", "Aten", "Helsingfors", "Wien"]),
]  # fmt: skip


# (text, districts)
DISTRICT_CASES: list[tuple[str, list[str]]] = [
    (
        "Hägersten-Liljeholmen, Rinkeby- Kista, Spånga-Tensta, Skarpnäck och Skärholmen samt "
        "Enheten för hemlösa ges stöd. Rinkeby-Kista, Skärholmen och Södermalm ges medel.",
        ["Hägersten-Liljeholmen", "Rinkeby-Kista", "Spånga-Tensta", "Skarpnäck", "Skärholmen", "Södermalm"],
    ),
    ("uppsökande arbete i stadsområdena Innerstaden och Söder", ["Innerstaden", "Söder"]),
    ("Söder om Stockholm ligger Huddinge.", []),
    ("I samverkan med Kista stadsdelsförvaltning genomfördes ett seminarium.", ["Kista"]),
    ("skolorna (Purvciems Viduskola, Hökarängsskolan och Hjulstaskolan)", []),
    ("Hägersten-\nLiljeholmens stadsdelsnämnd", ["Hägersten-Liljeholmen"]),
]  # fmt: skip


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(CORPUS)


@pytest.mark.parametrize(("text", "city"), CITY_CASES, ids=[c[0][:30] for c in CITY_CASES])
def test_city(registry: Registry, text: str, city: str | None) -> None:
    assert find_places(text, registry).city == city


@pytest.mark.parametrize(("text", "cities"), MENTION_CASES, ids=[c[0][:30] for c in MENTION_CASES])
def test_cities_mentioned(registry: Registry, text: str, cities: list[str]) -> None:
    places = find_places(text, registry)
    assert [c for c in [places.city, *places.cities_mentioned] if c] == cities


@pytest.mark.parametrize(
    ("text", "districts"), DISTRICT_CASES, ids=[c[0][:30] for c in DISTRICT_CASES]
)
def test_districts(registry: Registry, text: str, districts: list[str]) -> None:
    assert find_places(text, registry).districts == districts


def test_issuing_city_is_not_among_cities_mentioned(registry: Registry) -> None:
    places = find_places(
        "Stockholms stad\n\nStudiebesök i Riga tillsammans med Stockholm.", registry
    )
    assert (places.city, places.cities_mentioned) == ("Stockholm", ["Riga"])


def test_every_gazetteer_form_maps_to_the_swedish_name(registry: Registry) -> None:
    index = registry.place_index
    assert {p.name for p in index.lookup("Genova")} == {"Genua"}
    assert {p.name for p in index.lookup("Stockholms stad")} == {"Stockholm"}
    assert {p.name for p in index.lookup("Göteborgs stad")} == {"Göteborg"}
    assert {p.name for p in index.lookup("Rinkeby- Kista")} == {"Rinkeby-Kista"}
