"""Dates: every date mention in a text, with its role, and the document's own dates.

Understood forms (Swedish and English):

- ISO dates and ranges: ``2004-11-24``, ``2024-03-27 – 2024-04-18``; also in URLs
  (``/2013/06/25/``, ``…/document/2013-06-11/Dagordning/…``)
- day and month: ``24 november 2004``, ``den 1 maj 2004``, ``den 20 – 23 april``,
  ``20 april – 3 maj 2004``, ``25 June 2013``, ``Jun 25, 2013``, ``24/11 2004``, ``24.11.2004``
- ISO weeks: ``vecka 17 år 2004`` → that week's Monday to Sunday
- months and years: ``augusti 2004`` → ``2004-08``; ``hösten 2003`` → ``2003``;
  ``år 2004``, ``under 2004``, ``2018 års`` → the year

A date written without a year ("den 20 – 23 april") takes its year from the nearest
explicit year in the same paragraph, else from the document date, else from the
nearest explicit year anywhere in the text — never from today.

Roles come from the words just before a date on its line, or from the line above a
date that stands alone: ``Sammanträdesdatum`` → meeting, ``Justeringens plats och tid``
→ justering, ``Anslaget`` → anslag, a committee heading (``SOCIALTJÄNSTNÄMNDEN``) →
decision, ``Pressmeddelande •`` → published, ``Datum`` or a doc-type heading → document.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from archive.swedish import fold_case
from indexer.metadata.text import (
    alternation,
    collapse,
    header_end,
    line_at,
    line_start,
    previous_line,
)

MONTHS: dict[str, int] = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "february": 2, "feb": 2,
    "mars": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "maj": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "augusti": 8, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip


#: A month name, not the start of a longer word in any case ("2 MAJORITETEN" is no
#: date); an abbreviation's dot belongs to it only before a number ("nov. 2004").
_MONTH = rf"(?i:{alternation(MONTHS)})(?:\.(?=\s*\d))?(?![^\W\d_])"
#: ``_MONTH`` for text folded by ``fold_case``, for use before whitespace only (where
#: its lookahead always holds and is left out).
_FOLDED_MONTH = rf"{alternation(MONTHS)}(?:\.(?=\s*\d))?"
_SEASONS = alternation(
    ["vår", "våren", "vårvintern", "försommaren", "sommaren", "hösten", "senhösten",
     "vintern", "vårterminen", "höstterminen", "spring", "summer", "autumn", "winter"]
)  # fmt: skip
_YEAR_CUES = alternation(
    [
        "år",
        "året",
        "under",
        "sedan",
        "inför",
        "i början av",
        "i slutet av",
        "fram till",
        "till och med",
    ]
)
_DASH = r"\s*[-–—]\s*"
_YEAR = r"(?:19|20)\d\d"

#: A year, the day of a month (the boundary before it is checked once the first digit is
#: read, so that the pattern opens with a digit and the regex engine skips from digit to
#: digit instead of trying every position of the text).
_YEAR_AFTER = rf"(?P<y>{_YEAR})(?<![\d-]\d{{4}})"  # "2004" not after a digit or a hyphen
_DAY_WORD = r"(?P<d>\d(?<!\w\d)\d?)"  # "24" opening a word
_DAY_NUMBER = r"(?P<d>\d(?<![\d/.-]\d)\d?)"  # "24" not after a digit, "/", "." or "-"

# Each pattern fills some of the groups d, m, y (start) and d2, m2, y2 (end); or
# week/week2/y for ISO weeks, or y alone for years. Earlier patterns win overlaps.
# Patterns that open with a word in any case are matched in the text folded by
# ``fold_case`` ("folded"), written in lowercase: the same matches at the same offsets,
# at about half the cost of case-insensitive matching. A pattern with a "needs" is only
# matched when the folded text has a match of that: a part of every match of the
# pattern that opens with a literal character, which the regex engine skips to fast.
_PATTERNS: tuple[tuple[str, bool, re.Pattern[str], re.Pattern[str] | None], ...] = tuple(
    (kind, folded, re.compile(pattern), re.compile(needs) if needs else None)
    for kind, folded, pattern, needs in (
        ("iso", False, rf"{_YEAR_AFTER}-(?P<m>\d\d)-(?P<d>\d\d){_DASH}(?P<y2>{_YEAR})-(?P<m2>\d\d)-(?P<d2>\d\d)(?!\d)", r"-\d\d-\d\d"),
        ("iso", False, rf"{_YEAR_AFTER}-(?P<m>\d\d)-(?P<d>\d\d)(?![\d-])", r"-\d\d-\d\d"),
        ("iso", False, rf"/(?P<y>{_YEAR})/(?P<m>\d\d)/(?P<d>\d\d)(?=/|\b)", None),
        ("dm", False, rf"{_DAY_WORD}\s+(?P<m>{_MONTH}){_DASH}(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH})(?:,?\s+(?P<y>{_YEAR})\b)?", None),
        ("dm", False, rf"{_DAY_WORD}{_DASH}(?P<d2>\d{{1,2}})\s+(?P<m>{_MONTH})(?:,?\s+(?P<y>{_YEAR})\b)?", None),
        ("dm", False, rf"{_DAY_WORD}(?::[ae])?\s+(?P<m>{_MONTH})(?:,?\s+(?P<y>{_YEAR})\b)?", None),
        ("dm", True, rf"\b(?P<m>{_FOLDED_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>{_YEAR})\b", None),
        ("dm", False, rf"{_DAY_NUMBER}/(?P<m>\d{{1,2}})[ -](?P<y>{_YEAR})\b", rf"/\d\d?[ -]{_YEAR}"),
        ("dm", False, rf"{_DAY_NUMBER}\.(?P<m>\d{{1,2}})\.(?P<y>{_YEAR})\b", rf"\.\d\d?\.{_YEAR}"),
        ("week", False, rf"(?i:\bvecka|\bv\.|\bweek)\s*(?P<week>\d{{1,2}})(?:{_DASH}(?P<week2>\d{{1,2}}))?(?:,?\s+(?:år\s+)?(?P<y>{_YEAR})\b)?", r"(?:vecka|v\.|week)\s*\d"),
        ("month", True, rf"\b(?P<m>{_FOLDED_MONTH})\s+(?P<y>{_YEAR})\b", None),
        ("year", True, rf"\b{_SEASONS}\s+(?:år\s+)?(?P<y>{_YEAR})\b", None),
        ("year", True, rf"\b{_YEAR_CUES}\s+(?P<y>{_YEAR})\b(?![-/]\d)", None),
        ("year", False, rf"(?P<y>{_YEAR})(?<!\w\d{{4}})\s+års\b", "års"),
    )
)  # fmt: skip

_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
#: The folded text holds one of these wherever ``_URL`` matches.
_URL_OPENINGS = ("http", "www.")
_SENTENCE_END = re.compile(r"[.!?;]\s")
#: The header: this many non-blank lines from the top; its fields are short lines.
_HEADER_LINES = 20
_SHORT_LINE = 60
_MEETING_DOCUMENTS = ("protokoll", "kallelse", "beslut")
#: Texts that report a decision: their body's decision or meeting date is the decision's.
_NEWS = ("pressmeddelande", "artikel")
#: A dateline stands within this many characters of the start of a text.
_DATELINE_CHARS = 600
#: "…, den " or "…, " closing a lead sentence, or a place opening its line ("Stockholm den ").
#: Deadlines ("senast den 1 oktober 2010.") and effective dates are neither.
_DATELINE_BEFORE = re.compile(r"(?:,\s*(?:den\s+)?|^[A-ZÅÄÖ][\wåäöé-]+\s+den\s+)$")
# Role cues, checked in this order on the words before a date (same sentence), then
# on the line above when the date stands alone after at most a label. The generic
# "Datum" (document) comes last: "Sammanträde med socialnämnden / Datum: …" is a meeting.
_ROLE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("justering", re.compile(r"juster", re.I)),
    ("anslag", re.compile(r"anslag", re.I)),
    (
        "meeting",
        re.compile(
            r"sammanträd|\bmöte|\bmötet\b|tid och plats|plats och tid|dagordning|\bmeeting", re.I
        ),
    ),
    (
        "decision",
        re.compile(
            r"beslutsdatum|beslutade|beslutades|\bbeslut den|\bbeslutad\b|\bdecided\b", re.I
        ),
    ),
    ("published", re.compile(r"publicera|pressmeddelande|press release|\bpublished", re.I)),
)
_DOCUMENT_CUE = re.compile(r"\bdatum\b|\bdate\b|\bdaterad", re.I)
#: A letter's place-and-date line: "Stockholm den 24 november 2004", "Sollentuna, 2019-05-02".
_PLACE_AND_DATE = re.compile(r"^[A-ZÅÄÖ][\wåäö-]+(?:,|\s+den)$")
_URL_MEETING = re.compile(
    r"dagordning|protokoll|sammantrade|kallelse|(?<![a-z])mote(?![a-z])", re.I
)
_COMMITTEE_LINE = re.compile(
    r"^(?:[\w-]+\s+){0,2}[\w-]*(?:nämnden|styrelsen|fullmäktige|utskottet)$", re.I
)
#: Whatever may stand before a date on a header line and still leave it "alone".
_LABEL_ONLY = re.compile(r"^(?:[^\d:\n]{1,40}:)?\s*(?:\w+dagen\s*)?(?:den\s*)?$", re.I)
_DECISION_VERB = re.compile(
    r"har fattat beslut|fattade beslut|har beslutat|\bbeslutade\b|\bbeslutar\b|har godkänt|\bgodkände\b",
    re.I,
)


@dataclass(frozen=True)
class DateMention:
    """One date in the text: ``date`` is ISO, ``YYYY-MM`` or ``YYYY``; ``end`` ends a range."""

    date: str
    end: str | None
    role: str | None
    text: str
    start: int

    def as_dict(self) -> dict[str, str | None]:
        """The mention as the ``dates`` entry of the metadata."""
        return {"date": self.date, "end": self.end, "role": self.role, "text": self.text}


@dataclass(frozen=True)
class _Raw:
    """A match before its year is known: month/day parts and where it is."""

    kind: str
    groups: dict[str, str | None]
    text: str
    start: int
    end: int


def find_dates(text: str, *, doc_type: str | None = None) -> list[DateMention]:
    """Every date mention in ``text``, in reading order, each with its role (or None)."""
    folded = fold_case(text)
    raws = _scan(text, folded)
    has_url = any(opening in folded for opening in _URL_OPENINGS)
    urls = [m.span() for m in _URL.finditer(text)] if has_url else []
    previous_ends = [0, *(raw.end for raw in raws)]
    roles = [_role(text, raw, previous_ends[i], urls) for i, raw in enumerate(raws)]
    explicit = [(r.start, int(r.groups["y"])) for r in raws if r.groups.get("y")]
    mentions = [
        m
        for raw, role in zip(raws, roles, strict=True)
        if raw.groups.get("y") and (m := _mention(raw, int(raw.groups["y"]), role))
    ]
    undated = [
        (raw, role) for raw, role in zip(raws, roles, strict=True) if not raw.groups.get("y")
    ]
    if undated:
        document_year = _year_of(document_date(text, mentions, doc_type))
        breaks = [m.start() for m in re.finditer(r"\n\s*\n", text)]
        for raw, role in undated:
            year = _context_year(raw.start, explicit, breaks, document_year)
            if year and (m := _mention(raw, year, role)):
                mentions.append(m)
    mentions.sort(key=lambda m: m.start)
    return mentions


def has_date(line: str) -> bool:
    """Whether ``line`` mentions a day, week or month (a header field, not a title)."""
    folded_line = fold_case(line)
    return any(
        p.search(folded_line if folded else line)
        for kind, folded, p, _ in _PATTERNS
        if kind != "year"
    )


def document_date(
    text: str, mentions: list[DateMention], doc_type: str | None = None
) -> str | None:
    """When the document was written or published (ISO), or None.

    A date labelled as the document's (``Datum``, ``TJÄNSTEUTLÅTANDE`` above it) or
    its publication; for minutes and notices the meeting date; else a full date
    that ends a line of the header after at most two words ("2019-05-02" under the dnr).
    """
    full = [m for m in mentions if len(m.date) == 10]
    for role in ("document", "published"):
        for m in full:
            if m.role == role:
                return m.date
    if doc_type in ("protokoll", "kallelse"):
        for m in full:
            if m.role == "meeting":
                return m.date
    end = header_end(text, _HEADER_LINES)
    for m in full:
        if m.start < end and m.role is None and m.end is None and _stands_alone(text, m):
            return m.date
    for m in full:
        if m.start < _DATELINE_CHARS and m.role is None and m.end is None and _is_dateline(text, m):
            return m.date
    return None


def _is_dateline(text: str, mention: DateMention) -> bool:
    """Whether a date closes a dateline near the top ("…, Dagens industri, den 8 november
    2022." or "Stockholm den 18 april 2013"), ending its sentence or line."""
    before = text[line_start(text, mention.start) : mention.start]
    after = text[mention.start + len(mention.text) : mention.start + len(mention.text) + 2]
    return bool(_DATELINE_BEFORE.search(before)) and (not after.strip() or after[0] in ".\n")


def decision_date(text: str, mentions: list[DateMention], doc_type: str | None) -> str | None:
    """The meeting at which the deciding committee decides or decided, or None.

    In order: a date the header labels as the decision's (a committee heading above it
    in a tjänsteutlåtande, "Beslutsdatum"); for a tjänsteutlåtande, minutes, notice or
    decision the meeting its header names; for minutes, notices and decisions any
    meeting date. A press release or article that says a committee has decided gives
    the decision's date or the meeting it names (in the text or a linked URL). Other
    bodies only tell a case's history ("Regeringen beslutade den 21 december 2009").
    """
    full = [m for m in mentions if len(m.date) == 10]
    end = header_end(text, _HEADER_LINES)
    in_header = [m for m in full if m.start < end and _on_short_line(text, m.start)]
    for m in in_header:
        if m.role == "decision":
            return m.date
    if doc_type in ("tjänsteutlåtande", *_MEETING_DOCUMENTS):
        for m in in_header:
            if m.role == "meeting":
                return m.date
    if doc_type in _MEETING_DOCUMENTS:
        return next((m.date for m in full if m.role == "meeting"), None)
    if doc_type not in _NEWS:
        return None
    decided = next((m.date for m in full if m.role == "decision"), None)
    if decided or not _DECISION_VERB.search(text):
        return decided
    return next((m.date for m in full if m.role == "meeting"), None)


def _scan(text: str, folded: str) -> list[_Raw]:
    """Every match of the date patterns, earlier patterns winning overlaps; ``folded``
    is ``fold_case(text)``."""
    taken: list[tuple[int, int]] = []
    raws: list[_Raw] = []
    for kind, on_folded, pattern, needs in _PATTERNS:
        if needs is not None and not needs.search(folded):
            continue
        for match in pattern.finditer(folded if on_folded else text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            groups = match.groupdict()  # digits and month names: folded or not alike
            raws.append(_Raw(kind, groups, collapse(text[start:end]), start, end))
    raws.sort(key=lambda r: r.start)
    return raws


def _mention(raw: _Raw, year: int, role: str | None) -> DateMention | None:
    g = raw.groups
    try:
        if raw.kind == "year":
            return DateMention(str(year), None, role, raw.text, raw.start)
        if raw.kind == "week":
            first = int(g["week"])
            last = int(g["week2"]) if g.get("week2") else first
            monday = dt.date.fromisocalendar(year, first, 1)
            sunday = dt.date.fromisocalendar(year, last, 7)
            return DateMention(monday.isoformat(), sunday.isoformat(), role, raw.text, raw.start)
        month = _month(g["m"])
        if raw.kind == "month":
            return DateMention(f"{year:04d}-{month:02d}", None, role, raw.text, raw.start)
        start = dt.date(year, month, int(g["d"]))
        end = None
        if g.get("d2"):
            end_year = int(g["y2"]) if g.get("y2") else year
            end_month = _month(g["m2"]) if g.get("m2") else month
            end = dt.date(end_year, end_month, int(g["d2"]))
            if end <= start:
                return None
        return DateMention(
            start.isoformat(), end.isoformat() if end else None, role, raw.text, raw.start
        )
    except ValueError:
        return None


def _month(value: str) -> int:
    if value.isdigit():
        return int(value)
    # Folded as the patterns matched it: "aprıl" (a dotless i) is April.
    return MONTHS[fold_case(value.rstrip("."))]


def _role(text: str, raw: _Raw, window_start: int, urls: list[tuple[int, int]]) -> str | None:
    """The role of a date from a URL it sits in, the words before it since
    ``window_start`` (the previous date), or the header line above it."""
    for url_start, url_end in urls:
        if url_start <= raw.start < url_end:
            return "meeting" if _URL_MEETING.search(text[url_start:url_end]) else None
    line_begin = line_start(text, raw.start)
    before = text[max(line_begin, window_start, raw.start - 80) : raw.start]
    sentence = _SENTENCE_END.split(before)[-1]
    for role, cue in _ROLE_CUES:
        if cue.search(sentence):
            return role
    prefix = text[line_begin : raw.start].strip()
    if _LABEL_ONLY.match(prefix):
        above = previous_line(text, raw.start)
        for role, cue in _ROLE_CUES:
            if cue.search(above):
                return role
        if _COMMITTEE_LINE.match(above):
            return "decision"
        if (
            not prefix
            and _ends_line(text, raw)
            and above
            and len(above.split()) <= 3
            and not any(c.isdigit() for c in above)
        ):
            return "document"
    if _DOCUMENT_CUE.search(sentence) or (_PLACE_AND_DATE.match(prefix) and _ends_line(text, raw)):
        return "document"
    return None


def _on_short_line(text: str, offset: int) -> bool:
    """Whether the line holding ``offset`` is a short header field (not prose, no URL)."""
    line = line_at(text, offset)
    return len(line) <= _SHORT_LINE and not _URL.search(line)


def _stands_alone(text: str, mention: DateMention) -> bool:
    """Whether the date ends its line after at most a few words ("Sollentuna 2019-05-02")."""
    stop = text.find("\n", mention.start)
    rest = text[mention.start + len(mention.text) : stop if stop >= 0 else len(text)]
    prefix = text[line_start(text, mention.start) : mention.start]
    return not rest.strip() and len(prefix.split()) <= 2


def _ends_line(text: str, raw: _Raw) -> bool:
    stop = text.find("\n", raw.end)
    return not text[raw.end : stop if stop >= 0 else len(text)].strip()


def _context_year(
    offset: int, explicit: list[tuple[int, int]], breaks: list[int], document_year: int | None
) -> int | None:
    if not explicit:
        return document_year
    para_start = max((b for b in breaks if b < offset), default=0)
    para_end = min((b for b in breaks if b > offset), default=1 << 62)
    same_paragraph = [
        (abs(pos - offset), year) for pos, year in explicit if para_start <= pos < para_end
    ]
    if same_paragraph:
        return min(same_paragraph)[1]
    if document_year:
        return document_year
    return min((abs(pos - offset), year) for pos, year in explicit)[1]


def _year_of(iso: str | None) -> int | None:
    return int(iso[:4]) if iso else None
