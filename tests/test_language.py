"""Language detection on real documents and short texts in the archive's languages; "unknown"
rather than a guess, and Swedish never taken for Norwegian or Danish."""

from __future__ import annotations

import json

import pytest
from conftest import require_shared

from bench.quality import short_texts
from indexer.clean import clean_text
from indexer.language import MIN_LETTERS, detect_language

NORWEGIAN = (
    "Det er viktig at kommunen har en god plan for bygging av nye boliger i sentrum og at vi tar "
    "vare på naturen. Byggesaken gjelder oppføring av enebolig med garasje på eiendommen og "
    "kommunen har vurdert søknaden etter plan- og bygningsloven. Søknaden godkjennes."
)
DANISH = (
    "Kommunalbestyrelsen har besluttet at give tilladelse til opførelse af et nyt plejecenter i "
    "bydelen. Beboerne har ikke haft indsigelser, og forvaltningen vurderer, at projektet lever "
    "op til lokalplanen. Byggeriet forventes færdigt i løbet af næste år."
)
SWEDISH = (
    "Socialnämnden i Stockholms stad har fattat beslut om att fördela cirka 2,5 miljoner kronor till "
    "lokala utvecklingsarbeten för att stärka stadens arbete inom de sociala frågorna. Genom att "
    "stötta lokala utvecklingsprojekt kan vi skapa möjligheter samt prova och utvärdera nya metoder."
)
FINNISH = (
    "Tutkimus valmistuu syksyllä 2000. Hankkeen tavoitteena on selvittää, miten kunnat voivat "
    "tukea asunnottomia. Raportti julkaistaan suomeksi ja ruotsiksi."
)
ENGLISH = (
    "The Member States reaffirmed their long-term commitment to contribute to a permanent peace "
    "solution on the Korean Peninsula. The representatives also evaluated the operational tasks of "
    "the commission, including the exchange of information and the co-operation with its partners."
)


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seeds_are_swedish(prefix: str) -> None:
    (path,) = require_shared("seeds").glob(f"{prefix}_*.txt")
    language, confidence = detect_language(clean_text(path.read_text(encoding="utf-8")))
    assert language == "sv" and confidence > 0.99


def test_regeringen_pages_swedish_and_english() -> None:
    folder = require_shared("testdata/swedish-gov/regeringen")
    entries = [json.loads(line) for line in (folder / "metadata.jsonl").read_text(encoding="utf-8").splitlines()]
    press = [e for e in entries if e["category"] == "pressmeddelanden"]
    assert len(press) >= 100
    for entry in press:
        text = clean_text((folder / entry["file"]).read_text(encoding="utf-8"))
        expected = {"sv"} if sum(map(str.isalpha, text)) >= MIN_LETTERS else {"sv", "unknown"}
        assert detect_language(text)[0] in expected, entry["file"]

    statement = "uttalanden/2019/03/2019-joint-statement-by-neutral-nations-supervisory-commission-member-states.md"
    language, confidence = detect_language(clean_text((folder / statement).read_text(encoding="utf-8")))
    assert language == "en" and confidence > 0.9


@pytest.mark.parametrize(
    ("text", "language"),
    [(SWEDISH, "sv"), (ENGLISH, "en"), (NORWEGIAN, "nb"), (DANISH, "da"), (FINNISH, "fi")],
)
def test_languages_of_running_text(text: str, language: str) -> None:
    detected, confidence = detect_language(text)
    assert detected == language and confidence > 0.8  # bokmål or nynorsk: 0.83


@pytest.mark.parametrize(
    "text",
    ["", "Beslut om bygglov", "2004-11-24\nDNR 115-239/2002\n508 25 612\n" * 20, "§§ 12–14 ... — !!!"],
)
def test_short_or_letterless_text_is_unknown(text: str) -> None:
    """Too little to tell: "unknown" with a low confidence, not Swedish by default."""
    language, confidence = detect_language(text)
    assert language == "unknown" and confidence < 0.5


def test_a_short_line_gets_its_language_with_a_modest_confidence() -> None:
    language, confidence = detect_language(
        "Beslut om bygglov för tillbyggnad av enbostadshus på fastigheten Hökarängen 1:2")
    assert language == "sv" and 0.5 <= confidence < 0.9


#: (language, share of its UDHR three-sentence texts that must be right): the issue's targets.
TARGETS = [("sv", 0.95), ("en", 0.95), ("de", 0.95), ("fi", 0.95), ("da", 0.85), ("nb", 0.85),
           ("nn", 0.85)]


@pytest.mark.parametrize(("language", "share"), TARGETS)
def test_three_sentence_texts(language: str, share: float) -> None:
    require_shared("testdata/languages/udhr")
    texts = short_texts(language)
    answers = [detect_language(text)[0] for text in texts]
    assert len(texts) >= 20
    assert answers.count(language) >= share * len(texts), answers
    assert language in ("nb", "nn", "da") or not {"nb", "nn", "da"} & set(answers)


def test_uncertain_text_falls_back_to_swedish_with_low_confidence() -> None:
    mixed = (
        "Beslutet kan överklagas till länsstyrelsen inom tre veckor. Avgiften för bygglovet fastställs "
        "enligt kommunens taxa. Det er viktig at kommunen har en god plan for bygging av nye boliger i "
        "sentrum. Byggesaken gjelder oppføring av enebolig med garasje på eiendommen."
    )
    language, confidence = detect_language(mixed)
    assert language == "sv" and confidence < 0.8


def test_norwegian_guess_on_swedish_markers_is_swedish() -> None:
    """A Swedish decision quoting a Norwegian ruling: Swedish-only spellings decide."""
    text = (
        "Inte heller kan nämnden bevilja bygglov for tilbygg pa eiendommen da tiltaket strider mot "
        "gjeldende reguleringsplan og kommunen har vurdert saken og funnet at det ikke foreligger "
        "grunnlag for dispensasjon etter plan- og bygningsloven, och att beslutet kan överklagas."
    )
    assert detect_language(text)[0] == "sv"
    assert detect_language(NORWEGIAN)[0] == "nb", "real Norwegian stays Norwegian"


def test_header_lines_do_not_count() -> None:
    """Short title and letterhead lines are left out of the sample (langdetect on the
    whole text would say English here)."""
    lines = ["Annex 3: Employment and inclusion", "The City of Stockholm", "Department of Social Services",
             "PROJECT REPORT 2004 – EUROPEAN SOCIAL FUND – DNR 115-239/2002"]
    assert detect_language("\n".join(lines * 5 + [SWEDISH]))[0] == "sv"


def test_text_of_short_lines_only_is_still_detected() -> None:
    lines = ["The council has decided", "to build a new school", "in the southern district",
             "during the coming year", "and it should be ready", "by the autumn of 2026."]
    assert detect_language("\n".join(lines * 4))[0] == "en"


def test_long_texts_are_sampled_across_the_whole_text() -> None:
    """A Swedish summary before a long English report: the report's language wins."""
    text = "\n".join([SWEDISH] * 12 + [ENGLISH] * 150)
    assert text[:3000].count("Socialnämnden") > 10 and len(text) > 40_000
    assert detect_language(text)[0] == "en"


def test_results_repeat() -> None:
    text = SWEDISH + " " + NORWEGIAN
    assert len({detect_language(text) for _ in range(5)}) == 1
