"""Cleaning raw extracted text: table-driven cases and the real seed documents."""

from __future__ import annotations

import re

import pytest
from conftest import require_shared

from indexer.clean import clean_pages, clean_text, normalise_characters

# A wrapped line in these cases is as wide as a line of a real A4 page (~75 chars).
WIDE = "Socialtjänstnämnden beslutade under hösten att göra en studieresa till"

CLEANING_CASES = [
    # hyphenation at a line end: lowercase continuation joins
    ("Syftet var att skapa kon-\ntakter med", "Syftet var att skapa kontakter med"),
    ("skolorna Purvciems Viduskola, Hökar-\nängsskolan och", "skolorna Purvciems Viduskola, Hökarängsskolan och"),
    ("inom UBC (Union of Baltic Citi-\nes). Fortsatta", "inom UBC (Union of Baltic Cities). Fortsatta"),
    ("länderna ingår i Eu-\nropeiska Unionen", "länderna ingår i Europeiska Unionen"),
    ("vård och behandling av missbruka-\nre.", "vård och behandling av missbrukare."),
    ("Resan genomfördes med ersätta- \n re i nämnden", "Resan genomfördes med ersättare i nämnden"),
    # real hyphens stay
    ("stadsdelarna Rinkeby-Kista och Spånga-Tensta", "stadsdelarna Rinkeby-Kista och Spånga-Tensta"),
    ("godkände nämnden Equal-ansökan MAGIC", "godkände nämnden Equal-ansökan MAGIC"),
    ("arbetet för EU-medborgare i hemlöshet", "arbetet för EU-medborgare i hemlöshet"),
    ("stöd ges till Hägersten-\nLiljeholmen och Skärholmen", "stöd ges till Hägersten-Liljeholmen och Skärholmen"),
    ("det arbete som utförs för EU-\nmedborgare i hemlöshet", "det arbete som utförs för EU-medborgare i hemlöshet"),
    ("brev och e-\npost sändes", "brev och e-post sändes"),
    ("stadens FoU-\nplan antogs", "stadens FoU-plan antogs"),
    ("under åren 2004-\n2006 pågick", "under åren 2004-2006 pågick"),
    # the document's own inline spelling decides a lowercase continuation
    ("Equal-projekt pågår. Vi sökte medel för ett nytt Equal-\nprojekt i höstas.",
     "Equal-projekt pågår. Vi sökte medel för ett nytt Equal-projekt i höstas."),
    # suspended compounds keep "- "
    ("i enlighet med stadens forsknings- och utvecklingsplan", "i enlighet med stadens forsknings- och utvecklingsplan"),
    ("i enlighet med stadens forsknings-\noch utvecklingsplan", "i enlighet med stadens forsknings- och utvecklingsplan"),
    ("Vid stats- och regeringschefernas toppmöte", "Vid stats- och regeringschefernas toppmöte"),
    ("Hägersten-Liljeholmen, Rinkeby- Kista, Spånga-Tensta", "Hägersten-Liljeholmen, Rinkeby- Kista, Spånga-Tensta"),
    ("barn och/eller unga, och-/eller-frågor", "barn och/eller unga, och-/eller-frågor"),
    # stray spaces
    ("år 2004  blev Stockholm stad  invald i   Eurocities", "år 2004 blev Stockholm stad invald i Eurocities"),
    # hard-wrapped lines become one paragraph; a blank line separates paragraphs
    (f"{WIDE}\nBaltikum under vecka 17.\n\n{WIDE}\nLettland.",
     f"{WIDE} Baltikum under vecka 17.\n\n{WIDE} Lettland."),
    # short lines (letterhead fields) and headings keep their line breaks
    (f"Handläggare: Arion Chryssafis\nTfn: 508 25 612\n\n{WIDE}\nBaltikum.",
     f"Handläggare: Arion Chryssafis\nTfn: 508 25 612\n\n{WIDE} Baltikum."),
    (f"{WIDE}\nBaltikum i april.\nBakgrund\n{WIDE}\nRiga.",
     f"{WIDE} Baltikum i april.\nBakgrund\n{WIDE} Riga."),
    # list items stay on their own lines, even after a full-width line
    (f"{WIDE}:\n• undersöka vilka föreskrifter som krävs,\n• analysera sanktionsavgifter.",
     f"{WIDE}:\n• undersöka vilka föreskrifter som krävs,\n• analysera sanktionsavgifter."),
    (f"Utredaren ska bl.a.\n\uf0b7 undersöka vilka föreskrifter som {WIDE}",
     f"Utredaren ska bl.a.\n• undersöka vilka föreskrifter som {WIDE}"),
    # a § of minutes starts its own line; a § reference wrapped onto a line does not
    (f"{WIDE} Baltikum.\n§ 45 Dnr BN 2023/0207\nDetaljplan för bostäder",
     f"{WIDE} Baltikum.\n§ 45 Dnr BN 2023/0207\nDetaljplan för bostäder"),
    (f"{WIDE} Baltikum\n§ 41\nVal av justerare", f"{WIDE} Baltikum\n§ 41\nVal av justerare"),
    (f"{WIDE} beslut 2023-11-16\n§ 142, och har", f"{WIDE} beslut 2023-11-16 § 142, och har"),
    # page numbers at a page edge go, in every common form
    (f"{WIDE}.\n3", f"{WIDE}."),
    (f"- 3 -\n{WIDE}.", f"{WIDE}."),
    (f"{WIDE}.\nSida 3 av 10", f"{WIDE}."),
    (f"Sid 1 (1)\n{WIDE}.", f"{WIDE}."),
    (f"{WIDE}.\n3 (10)", f"{WIDE}."),
    # ... but a number inside the text stays
    ("Antal deltagare\n12\nAntal stadsdelar\n14\nAntal kommuner\n4\nSumma för projektet",
     "Antal deltagare\n12\nAntal stadsdelar\n14\nAntal kommuner\n4\nSumma för projektet"),
    # footnote markers glued to a word go when the footnote is there
    ("nå målen i Lissabonstrategin1 och Göteborgsagendan.\n\n1 EU:s stats- och regeringschefer antog",
     "nå målen i Lissabonstrategin och Göteborgsagendan.\n\n1 EU:s stats- och regeringschefer antog"),
    ("nå målen i Lissabonstrategin¹ och Göteborgsagendan.", "nå målen i Lissabonstrategin och Göteborgsagendan."),
    ("målet EU2020 och lokalen på 40 m²", "målet EU2020 och lokalen på 40 m²"),
    # characters: no-break and odd spaces, soft hyphens, ligatures, control chars, NFC
    ("Dnr\u00a0115-239/2002 och\u202f25\u2009000 kr", "Dnr 115-239/2002 och 25 000 kr"),
    ("social\u00adtjänst och försörj\u00ad\nningsstöd", "socialtjänst och försörjningsstöd"),
    ("ﬁnansiering och ﬂyktingmottagning", "finansiering och flyktingmottagning"),
    ("Beslut\x00 om\u200b bygglov\x07", "Beslut om bygglov"),
    ("Ha\u0308gersten och A\u030angermanland", "Hägersten och Ångermanland"),
    ("rad ett\r\nrad två\rrad tre", "rad ett\nrad två\nrad tre"),
]


@pytest.mark.parametrize(("raw", "clean"), CLEANING_CASES)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_normalise_characters_keeps_tabs_newlines_and_form_feeds() -> None:
    assert normalise_characters("a\tb\nc\fd\x01e\u00a0f") == "a\tb\nc\fde f"


def _page(number: int, body: list[str]) -> str:
    header = "Socialtjänstförvaltningen, Stockholms stad   Dnr 115-239/2002"
    return "\n".join([header, *body, f"Sida {number} av 3"])


PARAGRAPHS = [
    [
        "Europaforum Stockholm ska till kommunstyrelsen lämna två rapporter per år om",
        "genomförda aktiviteter. Detta ärende är en omarbetad version av rapporten som",
        "översänds till stadsledningskontoret för sammanställning till kommunstyrelsen.",
    ],
    [
        "År 2004 är på många sätt ett historiskt år. I maj utökades EU från 15 till 25",
        "medlemsstater och för första gången gavs medborgarna i 25 länder möjlighet att",
        "samtidigt välja ledamöterna till det gemensamma parlamentet.",
    ],
    [
        "De redovisade aktiviteterna i denna promemoria fokuserar i huvudsak på",
        "aktiviteter inom den öppna samordningsmetoden. OMC är det redskap som",
        "utvecklats inom EU för att skapa ett kunskapsutbyte lokalt och nationellt.",
    ],
]


def test_clean_pages_drops_running_header_and_page_numbers_and_offsets_pages() -> None:
    first, second, third = PARAGRAPHS
    pages = [_page(1, ["Bakgrund", *first]), _page(2, second), _page(3, ["Inledning", *third])]
    text, starts = clean_pages(pages)

    assert text.count("Socialtjänstförvaltningen, Stockholms stad") == 1, "header kept once, on page 1"
    assert text.startswith("Socialtjänstförvaltningen, Stockholms stad Dnr 115-239/2002\nBakgrund\n")
    assert "Sida" not in text
    assert starts[0] == 0 and len(starts) == 3
    assert text[starts[1] - 2 : starts[1]] == "\n\n"
    assert text[starts[1] : starts[2]] == " ".join(second) + "\n\n"
    assert text[starts[2] :] == "Inledning\n" + " ".join(third)


def test_clean_pages_rejoins_a_word_hyphenated_over_a_page_break() -> None:
    first, second, _ = PARAGRAPHS
    page_one = _page(1, [*first, "Arbetet med att knyta berörda delar inom staden till detta utvecklings-"])
    page_two = _page(2, ["arbete har påbörjats.", *second])
    text, starts = clean_pages([page_one, page_two])

    assert text[: starts[1]].endswith("till detta utvecklingsarbete\n\n")
    assert text[starts[1] :].startswith("har påbörjats.\nÅr 2004 är på många sätt")


def test_lines_repeated_inside_pages_are_not_taken_for_headers() -> None:
    first, second, third = PARAGRAPHS
    page = "\n".join([*first, *second, "Synpunkter", *third, "Synpunkter", *first, *second])
    text, _ = clean_pages([page, page, page])
    assert text.count("Synpunkter") == 6


def test_running_header_and_page_number_inside_the_text_order() -> None:
    """pdfium gives text in content-stream order: on pages with tables the header and
    page number can come after the first lines; found at the edges of other pages,
    they go there too."""
    lines = [line for line in _seed("001").splitlines() if len(line.strip()) > 60]
    body = [lines[n * 8 : n * 8 + 8] for n in range(4)]
    header = "Prop. 2008/09:5"
    pages = [
        "\n".join([header, "5", *body[0]]),
        "\n".join([*body[1][:5], header, "6", *body[1][5:]]),
        "\n".join([header, "7", *body[2]]),
        "\n".join([*body[3][:5], header, "8", *body[3][5:]]),
    ]
    text, starts = clean_pages(pages)

    assert text.count(header) == 1
    assert not re.search(r"(?m)^\d+$", text)
    assert _words(text[starts[1] : starts[2]]) == _words("\n".join(body[1]))


def test_clean_pages_keeps_empty_pages_in_the_offsets() -> None:
    text, starts = clean_pages(["Första sidan.", "", "Tredje sidan."])
    assert text == "Första sidan.\n\n\n\nTredje sidan."
    assert starts == [0, 15, 17]
    assert text[starts[2] :] == "Tredje sidan."
    assert clean_pages([]) == ("", [])


# -- the seed documents: real raw text out of PDFs ---------------------------------------


def _seed(prefix: str) -> str:
    seeds = require_shared("seeds")
    (path,) = seeds.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _words(text: str) -> list[str]:
    return "".join(ch if ch.isalpha() else " " for ch in text).split()


def test_seed_000_is_dehyphenated_and_reflowed() -> None:
    text = clean_text(_seed("000"))

    for word in ("kontakter", "Europeiska", "socialroteln", "Cities", "missbrukare",
                 "erfarenhetsutbyte", "Hökarängsskolan", "Kriscentrum", "ersättare", "frågor"):
        assert re.search(rf"\b{word}\b", text), word
    assert not re.search(r"\w-\n", text), "no line ends in a hyphenated word part"
    assert "  " not in text
    lines = text.splitlines()
    assert "Sammanfattning" in lines and "Bakgrund" in lines and "Fortsatta kontakter" in lines
    assert any(line.startswith("Syftet med studiebesöket i Baltikum var erfarenhetsutbyte och att skapa "
                               "kontakter, särskilt utifrån") for line in lines)
    assert max(len(line) for line in lines) > 300, "hard wraps are joined into paragraphs"


def test_seed_001_cleaned_has_the_words_of_the_clean_rendering_002() -> None:
    cleaned = clean_text(_seed("001"))
    reference_words = set(_words(_seed("002")))

    words = _words(cleaned)
    found = sum(word in reference_words for word in words) / len(words)
    assert found > 0.98, f"only {found:.1%} of the cleaned words are in the clean rendering"
    assert "Lissabonstrategin1" not in cleaned and "Lissabonstrategin och Göteborgsagendan" in cleaned
    assert "Equal-ansökan" in cleaned and "Equal-nätverken" in cleaned
    assert "stats- och regeringschefer" in cleaned


def test_seed_001_cleaned_has_the_paragraphs_of_the_clean_rendering_002() -> None:
    """Reflow rebuilds the report's paragraphs: most of 002's appear verbatim."""
    raw = _seed("001")
    cleaned = clean_text(raw)
    paragraphs = [p for p in clean_text(_seed("002")).split("\n\n") if len(p) > 80]

    assert len(paragraphs) > 25
    assert sum(p in cleaned for p in paragraphs) >= 20
    assert not any(p in raw for p in paragraphs)


@pytest.mark.parametrize("prefix", ["002", "003", "004"])
def test_clean_seeds_keep_their_words(prefix: str) -> None:
    """Already clean text loses no words and keeps its paragraphs."""
    raw = _seed(prefix)
    cleaned = clean_text(raw)
    assert _words(cleaned) == _words(raw)
    assert cleaned.count("\n\n") >= 5


def test_minutes_laid_out_one_paragraph_a_page_keep_every_paragraph() -> None:
    pages = [
        f"Byggnadsnämnden Lerum\nSammanträdesprotokoll 2024-04-18\n§ {n} Dnr BN 2024/00{n}\n"
        f"Beslut\nNämnden beslutar i ärende {n} om bygglov.\nSida {n - 40} (4)"
        for n in (41, 42, 43, 44)
    ]
    text, page_starts = clean_pages(pages)
    for n in (41, 42, 43, 44):
        assert f"§ {n} Dnr BN 2024/00{n}\nBeslut\nNämnden beslutar i ärende {n}" in text
    assert text.count("Sammanträdesprotokoll 2024-04-18") == 1  # the running header, once
    assert "Sida" not in text and len(page_starts) == 4
