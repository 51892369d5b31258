"""Swedish text as the archive reads it: diarienummer, dates as people type them, and
folding (accents, case, A–Ö order) — one home, used by the indexer and by search alike.

Pure functions and patterns: text in, values out.

A diarienummer (dnr) is the registry number of a case: "KS 2019/123", "115-239/2002",
"Kst/2012:214", "SN 2024/12". It is written two ways by this module:

* :func:`normalise_dnr`, the readable form kept in a document's metadata and shown
  ("2012- 182-3.1" → "2012-182-3.1", "KS 2019 / 123" → "KS 2019/123");
* :func:`dnr_key`, the comparable form the index and the query match on ("ks 2019/123",
  "Dnr KS 2019/123" and "KS2019/123" are all "KS2019/123").
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date

# -- folding ------------------------------------------------------------------------

ACCENTS = str.maketrans("åäöáàâãéèêëíìîïóòôõúùûüýÿæøç", "aaoaaaaeeeeiiiioooouuuuyyaoc")
#: What ``re.IGNORECASE`` takes to be the same letter but ``str.lower`` does not: the
#: dotless ı and long ſ, and İ, whose lowercase is two characters (see ``fold_case``).
_CASE_FOLDS = (("ı", "i"), ("ſ", "s"), ("İ", "i"))
#: Swedish alphabetical order: å, ä, ö after z (in code point order ä < å); the Danish
#: and Norwegian æ, ø file as ä, ö.
_SWEDISH_ORDER = str.maketrans({"å": "z{", "ä": "z|", "ö": "z}", "æ": "z|", "ø": "z}"})


def fold(text: str) -> str:
    """å→a, ä→a, ö→o (and other accents): how a word is typed on a foreign keyboard.

    One character in, one character out, so offsets in folded text match the original.
    """
    return text.translate(ACCENTS)


#: The last long text ``fold_case`` folded, and the result: organs, doc type, dates and
#: topics each fold the same whole document in turn (0.09 ms a time for 20 KB), with
#: short lines and names folded in between (cheap, and not kept).
_last_folded: tuple[str, str] = ("", "")
_KEEP_FROM = 1000


def fold_case(text: str) -> str:
    """``text`` lowercased so that a lowercase pattern compiled without ``re.I`` matches
    it where the pattern with ``re.I`` matches ``text``, at the same offsets.

    Lowering a text once is much cheaper than case-insensitive matching, which gives
    up the regex engine's fast tests of the next literal character.
    """
    global _last_folded
    last, folded = _last_folded
    if text is last:
        return folded
    original = text
    for odd, plain in _CASE_FOLDS:
        text = text.replace(odd, plain)  # rare: far cheaper than str.translate
    folded = text.lower()
    if len(original) >= _KEEP_FROM:
        _last_folded = (original, folded)
    return folded


def sort_key(text: str) -> str:
    """Sort key for Swedish A–Ö order (case-insensitive; å, ä, ö after z)."""
    return text.casefold().translate(_SWEDISH_ORDER)


# -- diarienummer -------------------------------------------------------------------

#: The words that label a dnr: "Dnr", "DNR", "Diarienummer", "Diarienr", "Diarie nr",
#: with "Vårt"/"Ert" before them (a pattern for ``re.I``).
DNR_LABEL = r"(?:(?:vårt|ert|er)\s+)?(?:dnr|diarienummer|diarienr|diarie\s*nr)"
#: Separators inside a dnr's number, dashes of every kind included ("115–239/2002" as
#: a PDF typesets it is "115-239/2002").
_SEPARATORS = "-‐‑‒–—―−/.:"
_SEPARATOR = f"[{_SEPARATORS}]"
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})

#: A labelled dnr in a document: "Dnr KS 2019/123", "Diarienummer: 115-239/2002",
#: "Vårt dnr 1.5.3-219-2012" (the value is the group ``value``).
LABELLED_DNR = re.compile(
    rf"(?i:\b{DNR_LABEL}\.?)\s*:?\s*"
    r"(?P<value>(?:[A-ZÅÄÖ][A-Za-zÅÄÖåäö]{0,6}(?:[ /]|\s?-\s?)?)?"
    rf"(?:\d+(?:[ \t]?{_SEPARATOR}[ \t]?\d+)+|\d{{3,}}))(?![\w/])"
)
#: A dnr of an unmistakable form with no label: "Kst/2012:214".
BARE_DNR = re.compile(r"(?<![\w/])(?P<value>[A-ZÅÄÖ][a-zåäö]{1,4}/(?:19|20)\d\d:\d+)(?![\w/:])")
#: A dnr without a label where a heading of minutes names its case: "BN 2022/0318",
#: "2024-000456" (not a span of years: "2024-2026"); anchor it where it must stand.
HEADING_DNR = (
    r"(?<![\w/-])(?P<value>[A-ZÅÄÖ]{1,6}[ ]?(?:19|20)\d\d/\d{1,6}"
    r"|(?:[A-ZÅÄÖ]{1,6}[ ]?)?(?:19|20)\d\d-(?!(?:19|20)\d\d(?!\d))\d{3,6})(?![\w/-])"
)
#: A dnr typed in a search box without ``dnr:``: a short letter prefix (not a whole
#: word before it: "bygglov 2019/12" is a word and a dnr), then numbers joined by
#: - / . : ("KS 2019/123", "115-239/2002", "115 - 239/2002", "SDN 2004-123-45").
TYPED_DNR = re.compile(
    rf"(?<![\w-])(?:[^\W\d_]{{1,4}}[ \t]*)?\d+(?:[ \t]*{_SEPARATOR}[ \t]*\d+)+(?![\w/])"
)
#: The value after ``dnr:`` in a search box (spaces allowed, letters in the number too).
TYPED_DNR_VALUE = re.compile(
    rf"[ \t]*((?:[^\W\d_]{{1,8}}[ \t]*)?\w+(?:[ \t]*{_SEPARATOR}[ \t]*\w+)*)"
)

_SEPARATOR_SPACE = re.compile(rf"\s*({_SEPARATOR})\s*")
_LEADING_LABEL = re.compile(rf"^(?i:{DNR_LABEL})\b[\s.:]*")
_LETTER_PREFIX = re.compile(r"^[^\W\d_]+")


def normalise_dnr(verbatim: str) -> str:
    """A dnr as it is kept and shown: no spaces around its separators, one kind of dash,
    single spaces elsewhere ("KS 2019 / 123" → "KS 2019/123")."""
    text = unicodedata.normalize("NFKC", verbatim).translate(_DASHES)
    return " ".join(_SEPARATOR_SPACE.sub(r"\1", text).split())


def dnr_key(value: str) -> str:
    """A dnr as one comparable term: its readable form without a label, uppercase, no
    spaces ("ks 2019/123", "Dnr KS 2019/123" and "115 – 239/2002" become "KS2019/123"
    and "115-239/2002")."""
    text = _LEADING_LABEL.sub("", normalise_dnr(value))
    return "".join(text.upper().split())


def dnr_keys(value: str) -> list[str]:
    """The terms a dnr is found by: its key, and the key without its letter prefix
    ("KS 2019/123" → "KS2019/123", "2019/123")."""
    full = dnr_key(value)
    if not full:
        return []
    core = _LETTER_PREFIX.sub("", full)
    return [full, core] if core and core != full and any(c.isdigit() for c in core) else [full]


# -- dates as people type them ------------------------------------------------------

_TYPED_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def date_span(text: str) -> tuple[date, date] | None:
    """The first and last day a typed date covers: "2004" → 2004-01-01..2004-12-31,
    "2004-06" → the month, "2004-06-17" → that day; None for anything else (a month
    or day that does not exist included)."""
    match = _TYPED_DATE.fullmatch(text.strip())
    if not match:
        return None
    year = int(match[1])
    months = (int(match[2]),) * 2 if match[2] else (1, 12)
    if year < 1 or not 1 <= months[0] <= 12:
        return None
    last_day = calendar.monthrange(year, months[1])[1]
    if match[3]:
        day = int(match[3])
        if not 1 <= day <= last_day:
            return None
        return date(year, months[0], day), date(year, months[0], day)
    return date(year, months[0], 1), date(year, months[1], last_day)
