"""Committee and administration: which organ a document belongs to, normalised."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from indexer.metadata.organs import find_organs
from indexer.metadata.registry import Registry

# (text, committee, administration) — headers, sender lines and decisions from real texts.
CASES: list[tuple[str, str | None, str | None]] = [
    (
        "Socialtjänstförvaltningen\n\nEUROPAFORUM\n\nHandläggare: Arion Chryssafis\n\n"
        "TJÄNSTEUTLÅTANDE\n2004-11-24\n\nSOCIALTJÄNSTNÄMNDEN\n2004-12-16\n\nDNR 115-239/2002\n\n"
        "Till\nSocialtjänstnämnden\n\nEuropaforum Stockholm ska till kommunstyrelsen lämna två "
        "rapporter per år. Rapporten översänds till kommunstyrelsen.",
        "Socialtjänstnämnden",
        "Socialtjänstförvaltningen",
    ),
    (
        "Alliansen i Stockholms stad\n\nSocialnämnden, Stockholms stad\n"
        "Anna König Jerlmyr, ordförande och gruppledare (M)",
        "Socialnämnden",
        None,
    ),
    (
        "Socialtjänstnämnden beslutade under hösten 2003 att göra en studieresa till Baltikum.",
        "Socialtjänstnämnden",
        None,
    ),
    (
        "I augusti godkände socialtjänstnämnden Equal-ansökan MAGIC. Rapporten lämnas till "
        "kommunstyrelsen.",
        "Socialtjänstnämnden",
        None,
    ),
    (
        "SUNDBYBERGS STAD\nSocialnämnden\n\nSAMMANTRÄDESPROTOKOLL\n\nJusteringens plats och tid: "
        "Socialförvaltningen, 2024-03-26\n\nSocialförvaltningen har följt upp projektet.",
        "Socialnämnden",
        "Socialförvaltningen",
    ),
    (
        "Skärholmens stadsdelsförvaltning · Tjänsteutlåtande · Dnr SDN 2019/145\n\n"
        "Skärholmens stadsdelsförvaltning\n\nTill\nSkärholmens stadsdelsnämnd\nSammanträde 2019-05-23",
        "Skärholmens stadsdelsnämnd",
        "Skärholmens stadsdelsförvaltning",
    ),
    ("Till\nRinkeby-Kista stadsdelsnämnd", "Rinkeby-Kista stadsdelsnämnd", None),
    (
        "Stadsdelsnämnden i Hägersten-Liljeholmen beslutade att godkänna rapporten.",
        "Hägersten-Liljeholmens stadsdelsnämnd",
        None,
    ),
    ("Kultur- och fritidsnämnden har beslutat om nya bidrag.", "Kultur- och fritidsnämnden", None),
    ("KOMMUNSTYRELSEN\n2019-04-03", "Kommunstyrelsen", None),
    (
        "PROTOKOLL\nKOMMUNSTYRELSENS ARBETSUTSKOTT\nSammanträdesdatum 2021-02-08",
        "Kommunstyrelsens arbetsutskott",
        None,
    ),
    (
        "Kommunfullmäktige antog planen. Kommunfullmäktiges beslut överklagades.",
        "Kommunfullmäktige",
        None,
    ),
    # Not a municipal committee or not the document's.
    ("Socialstyrelsen har beslutat om nya föreskrifter.", None, None),
    ("År 2004 blev Stockholm stad invald i Eurocities styrelse.", None, None),
    ("Det finns ett intresse bland stadsdelsförvaltningarna och fackförvaltningarna.", None, None),
    ("Nämnden godkänner förvaltningens rapport.", None, None),
    ("Rapporten översänds till stadsledningskontoret för sammanställning.", None, None),
]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(CORPUS)


@pytest.mark.parametrize(
    ("text", "committee", "administration"), CASES, ids=[c[0][:30] for c in CASES]
)
def test_find_organs(
    registry: Registry, text: str, committee: str | None, administration: str | None
) -> None:
    organs = find_organs(text, registry)
    assert (organs.committee, organs.administration) == (committee, administration)


def test_every_mention_is_normalised(registry: Registry) -> None:
    text = "SOCIALTJÄNSTNÄMNDEN beslutade; socialtjänstnämndens ordförande; Socialtjänstnämnds"
    assert {m.name for m in find_organs(text, registry).mentions} == {"Socialtjänstnämnden"}


def test_odd_letters_in_a_name_read_as_the_plain_ones(registry: Registry) -> None:
    # A long ſ in the ending, a dotless ı in the word: once a crash, now the same organ.
    assert find_organs("Kommunſtyrelsen beslutade att anta planen.", registry).committee \
        == "Kommunstyrelsen"
    assert find_organs("Socıaltjänstnämnden beslutade att bevilja medel.", registry).committee \
        == "Socialtjänstnämnden"
