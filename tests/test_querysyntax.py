"""The search box syntax: every string parses, into what the user meant."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.messages import message
from archive.querysyntax import (
    And,
    Dnr,
    Filter,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Prefix,
    Word,
    parse,
    parse_date,
    parse_date_range,
)


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ("hemlöshet", Word("hemlöshet")),
        ("hemlöshet stöd", And((Word("hemlöshet"), Word("stöd")))),
        ("hemlöshet AND stöd", And((Word("hemlöshet"), Word("stöd")))),
        ("boende OR härbärge", Or((Word("boende"), Word("härbärge")))),
        ("boende ELLER härbärge", Or((Word("boende"), Word("härbärge")))),
        # OR binds tighter than the implicit AND.
        ("a b OR c d", And((Word("a"), Or((Word("b"), Word("c"))), Word("d")))),
        ("hemlöshet -skola", And((Word("hemlöshet"), Not(Word("skola"))))),
        ("hemlöshet NOT skola", And((Word("hemlöshet"), Not(Word("skola"))))),
        ("hemlöshet INTE skola", And((Word("hemlöshet"), Not(Word("skola"))))),
        ("NOT NOT a", Word("a")),
        ('"evidensbaserad praktik"', Phrase("evidensbaserad praktik")),
        ('-"sociala frågor" x', And((Not(Phrase("sociala frågor")), Word("x")))),
        ("hemlös*", Prefix("hemlös")),
        ("(a OR b) c", And((Or((Word("a"), Word("b"))), Word("c")))),
        # Lowercase "or", "not" are words, not operators.
        ("vård or omsorg", And((Word("vård"), Word("or"), Word("omsorg")))),
    ],
)
def test_words_and_operators(text: str, root: object) -> None:
    assert parse(text).root == root


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("stad:Stockholm", {"city": ["Stockholm"]}),
        ("city:Malmö", {"city": ["Malmö"]}),
        ('stad:"Upplands Väsby"', {"city": ["Upplands Väsby"]}),
        ("projekt:Europaforum project:Järvalyftet", {"project": ["Europaforum", "Järvalyftet"]}),
        ("nämnd:Socialtjänstnämnden", {"committee": ["Socialtjänstnämnden"]}),
        ("committee:Kommunstyrelsen", {"committee": ["Kommunstyrelsen"]}),
        ("typ:protokoll", {"doc_type": ["protokoll"]}),
        ("type:rapport", {"doc_type": ["rapport"]}),
        ("ämne:hemlöshet topic:skola", {"topic": ["hemlöshet", "skola"]}),
        ("stadsdel:Kista district:Bromma", {"district": ["Kista", "Bromma"]}),
        ("språk:en lang:sv", {"language": ["en", "sv"]}),
        ("år:2004", {"year": ["2004"]}),
        ("nämns:Riga mentioned:Bryssel", {"mentioned": ["Riga", "Bryssel"]}),
        ("STAD:Lund", {"city": ["Lund"]}),
    ],
)
def test_field_prefixes_set_filters(text: str, filters: dict[str, list[str]]) -> None:
    parsed = parse(text)
    assert parsed.filters == filters
    assert parsed.root is None


def test_field_prefix_with_words() -> None:
    parsed = parse("hemlöshet stad:Stockholm stöd")
    assert parsed.root == And((Word("hemlöshet"), Word("stöd")))
    assert parsed.filters == {"city": ["Stockholm"]}


def test_excluded_filter_stays_in_the_tree() -> None:
    parsed = parse("-typ:protokoll")
    assert parsed.root == Not(Filter("doc_type", "protokoll"))
    assert parsed.filters == {}


def test_unknown_prefix_is_just_text() -> None:
    assert parse("foo:bar").root == Word("foo:bar")


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ("dnr:115-239/2002", Dnr("115-239/2002")),
        ("dnr:ks 2019/123", Dnr("ks 2019/123")),
        ("dnr:KS 2019 / 123", Dnr("KS 2019 / 123")),
        ('dnr:"KS 2019/123"', Dnr("KS 2019/123")),
        # Found as a diarienummer without dnr: too.
        ("115-239/2002", Dnr("115-239/2002")),
        ("115 - 239/2002", Dnr("115 - 239/2002")),
        ("KS 2019/123", Dnr("KS 2019/123")),
        ("beslut KS 2019/123", And((Word("beslut"), Dnr("KS 2019/123")))),
        ("dnr:115-239/2002 budget", And((Dnr("115-239/2002"), Word("budget")))),
    ],
)
def test_diarienummer(text: str, root: object) -> None:
    assert parse(text).root == root


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("datum:2004", [(20040101, 20041231)]),
        ("datum:2004-02", [(20040201, 20040229)]),
        ("datum:2004-01..2004-06", [(20040101, 20040630)]),
        ("date:2004-05-17", [(20040517, 20040517)]),
        ("datum:..2010", [(None, 20101231)]),
        ("datum:2010..", [(20100101, None)]),
        ("datum:2004-2006", [(20040101, 20061231)]),
    ],
)
def test_dates(text: str, dates: list[tuple[int | None, int | None]]) -> None:
    parsed = parse(text)
    assert parsed.dates == dates
    assert parsed.notes == []


@pytest.mark.parametrize("value", ["banana", "2004-13", "2004-02-30", "..", "20045"])
def test_bad_dates_are_noted_and_ignored(value: str) -> None:
    parsed = parse(f"datum:{value} hemlöshet")
    assert parsed.dates == []
    assert parsed.root == Word("hemlöshet")
    assert parsed.notes == [message("invalid_date", value=value)]


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ('"unbalanced quote', Phrase("unbalanced quote")),
        ('a "b c', And((Word("a"), Phrase("b c")))),
        ("NOT", None),
        ("-", Word("-")),
        ("OR OR", None),
        ("OR a OR", Word("a")),
        ("a OR OR b", Or((Word("a"), Word("b")))),
        ("((a", Word("a")),
        ("a))) b", And((Word("a"), Word("b")))),
        ("()", None),
        ('""', None),
        ("", None),
        ("   ", None),
    ],
)
def test_malformed_input_gives_a_sensible_tree(text: str, root: object) -> None:
    assert parse(text).root == root


def test_only_punctuation_is_words_the_search_will_drop() -> None:
    parsed = parse("!!! ??? ...")
    assert parsed.filters == {}
    assert parsed.notes == []


def test_very_long_input_is_capped() -> None:
    parsed = parse("ord " * 10_000)
    assert isinstance(parsed.root, And)
    assert len(parsed.root.nodes) == 32
    assert parsed.notes == [message("first_words_only", n=32)]


@given(st.text(max_size=300))
@settings(max_examples=400, deadline=None)
def test_any_text_parses(text: str) -> None:
    assert isinstance(parse(text), ParsedQuery)


@given(st.text(alphabet='ab "-():*OR NOTstad:dnr2019/123.', max_size=60))
@settings(max_examples=400, deadline=None)
def test_any_mix_of_syntax_parses(text: str) -> None:
    assert isinstance(parse(text), ParsedQuery)


def test_parse_date_bounds() -> None:
    assert parse_date("2004", end=False) == 20040101
    assert parse_date("2004", end=True) == 20041231
    assert parse_date("2000-02", end=True) == 20000229
    assert parse_date("nope", end=False) is None
    assert parse_date_range("2004..2003") == (20040101, 20031231)  # empty, not an error
