"""Ärenden: the matters of minutes and notices, each with its dnr and its decision.

An ärende is one matter before a committee: one § of a protokoll ("§ 64 Dnr BN
2024/0123"), one numbered item of a kallelse's föredragningslista ("3. Detaljplan för
…"), or one § of a bundle of tjänsteutlåtanden. Staff looking for a past decision want
that §: its heading, dnr, who presented it, the decision ("Beslut") and the proposal
("Förslag till beslut", "Förvaltningens förslag till beslut", "Utskottets förslag"),
reservations and notes (protokollsanteckningar), and whether it was tabled (bordlagt)
or sent back (återremitterat).

Where a § starts an ärende: a "§ N" ("§ 64/20", "KS § 64") that opens a line and is
followed on that line by nothing, a dnr or a capitalised heading. So these are not
ärenden: references inside a line ("antagna av byggnadsnämnden 2022-04-21 § 108",
"Plan- och bygglagen 4 kap. 34 §"), a line opening with a § that a lowercase word,
punctuation or a law follows ("§ 5 i reglementet", "§ 142, och", "§ 2 SoL"), a range
("§§ 21–28"). The same number again right after ("§ 23 forts.") continues the ärende;
a number seen earlier (a list of contents) gives way to the later one.

A kallelse without § numbers is split at its numbered items after the agenda heading
("Föredragningslista"): "1. Val av justerare", counting up by one, each a heading (no
closing full stop), so a numbered list inside an item ("1. Nämnden beslutar …") is not
an item.

Section labels, cue words and the labels of a protokoll's first page are data
(data/arenden.toml). The text comes from the cleaner, which may have joined a label
onto the line above it ("… stödboende för unga Beslut", "… – antagande BN 2022/0318
Föredragande: Sara Nordqvist"); such labels are split off again.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archive.swedish import DNR_LABEL, HEADING_DNR, fold_case, normalise_dnr
from indexer.metadata import dates
from indexer.metadata import registry as registry_module
from indexer.metadata.dnr import cites_law, find_dnrs
from indexer.metadata.organs import find_organs
from indexer.metadata.people import NAME
from indexer.metadata.places import find_places
from indexer.metadata.text import alternation, strip_markup
from indexer.metadata.topics import find_topics

if TYPE_CHECKING:
    from indexer.metadata.registry import Registry

#: Documents made of ärenden; a tjänsteutlåtande (or a text of unknown type) is a
#: bundle of ärenden only when it has at least MIN_BUNDLE_PARAGRAPHS of them.
MEETING_TYPES = ("protokoll", "kallelse")
BUNDLE_TYPES = ("tjänsteutlåtande", None)
MIN_BUNDLE_PARAGRAPHS = 2
#: Headings of a kallelse item and a protokoll § that are this similar (0–1) are one ärende.
HEADING_SIMILARITY = 0.85
#: A label the cleaner joined onto the end of a line follows at least this much text.
MIN_GLUED_PREFIX = 30
#: A kallelse item's heading is at most this long.
MAX_HEADING = 200

_CLOSING_PUNCTUATION = (".", "!", "?", ";", ":", ",")
_PARAGRAPH_LINE = re.compile(
    r"^[ \t#*]*(?:[A-ZÅÄÖ]{2,6}[ \t]+)?§[ \t]*(?P<number>\d{1,4}(?:/\d{2,4})?)(?![\d/§])"
    r"[ \t*]*(?P<rest>[^\n]*)$",
    re.M,
)
_ITEM_LINE = re.compile(
    r"^[ \t#*]*(?:(?i:ärende|punkt)[ \t]+)?(?P<number>\d{1,3})(?:[.)][ \t]*|[ \t]+)(?P<rest>[^\n]*)$",
    re.M,
)
_CONTINUED = re.compile(r"^[(\[]?\s*forts(?:\.|ättning\b)", re.I)
_DNR_LABEL = re.compile(rf"(?<!\w)(?i:{DNR_LABEL})\b")
#: A dnr written without a label where a heading line ends or starts.
_BARE_DNR_AT_END = re.compile(HEADING_DNR + r"[ \t]*$")
_BARE_DNR_AT_START = re.compile(r"^" + HEADING_DNR)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ(–-])")
_TIME = re.compile(
    r"(?<![\d.:-])(?P<start>\d{1,2}[.:]\d{2})(?:\s*[-–]\s*(?P<end>\d{1,2}[.:]\d{2}))?(?![\d.:])"
)
_RANGE = re.compile(r"§§\s*(?P<first>\d+)\s*[-–]\s*(?P<last>\d+)")
_NAME = re.compile(NAME)
_NAME_BEFORE = re.compile(rf"(?P<name>{NAME})[ \t]+$")


@dataclass(frozen=True)
class ArendeIndex:
    """The matchers for ärenden and meetings, compiled from data/arenden.toml."""

    kinds: dict[str, str]
    label_line: re.Pattern[str]
    glued_colon: re.Pattern[str]
    glued_end: re.Pattern[str]
    presenter: re.Pattern[str]
    reservation: re.Pattern[str]
    note: re.Pattern[str]
    statuses: tuple[tuple[str, re.Pattern[str]], ...]
    rejected: re.Pattern[str]
    agenda_heading: re.Pattern[str]
    groups: dict[str, str]
    group_line: re.Pattern[str]
    person_line: re.Pattern[str]
    justerare: re.Pattern[str]
    plats: re.Pattern[str]
    tid: re.Pattern[str]
    paragraphs: re.Pattern[str]
    with_party: re.Pattern[str]

    @classmethod
    def build(cls, registry: Registry) -> ArendeIndex:
        """Compile the lists of the registry's arenden.toml."""
        words = dict(registry.arende_words)
        kinds = {
            _key(label): kind
            for kind in ("decision", "proposal", "reservation", "note", "other")
            for label in words.get(f"sections.{kind}", ())
        }
        presenters = words.get("cues.presenter", ())
        lower = alternation(kinds)
        capitalised = alternation(w[0].upper() + w[1:] for w in (*kinds, *presenters))
        glued = rf"(?:[A-ZÅÄÖ][\w-]*s[ \t]+(?:{lower})|{capitalised})"
        groups = {
            _key(label): group
            for group in ("beslutande", "ersättare", "övriga")
            for label in words.get(f"meeting.{group}", ())
        }
        parties = alternation(registry.parties)
        return cls(
            kinds=kinds,
            label_line=re.compile(
                rf"^[ \t#*]*(?:[\w-]+s[ \t]+)?(?P<label>{lower})[ \t*]*"
                rf"(?::[ \t]*(?P<rest>.*?))?[ \t*]*$",
                re.I,
            ),
            glued_colon=re.compile(rf"[ \t]+(?={glued}[ \t]*:)"),
            glued_end=re.compile(
                rf"^(?P<head>.{{{MIN_GLUED_PREFIX},}}?)[ \t]+(?P<label>{glued})[ \t]*$"
            ),
            presenter=re.compile(
                rf"^(?i:{alternation(presenters)})[ \t]*(?::|[.…]{{3,}})?[ \t]*"
                rf"(?:[a-zåäö-]+[ \t]+){{0,2}}(?P<name>{NAME})"
            ),
            reservation=_words_pattern(words.get("cues.reservation", ())),
            note=_words_pattern(words.get("cues.note", ())),
            statuses=tuple(
                (status, _words_pattern(words.get(f"cues.{status}", ())))
                for status in ("bordlagt", "återremitterat")
            ),
            rejected=_words_pattern(words.get("cues.rejected", ())),
            agenda_heading=re.compile(
                rf"^[ \t#*]*(?i:{alternation(words.get('agenda.headings', ()))})[ \t*]*:?[ \t]*$",
                re.M,
            ),
            groups=groups,
            group_line=re.compile(rf"^(?P<label>(?i:{alternation(groups)}))[ \t]*:?$"),
            person_line=re.compile(
                rf"^(?P<name>{NAME})(?:[ \t]*\((?P<party>{parties})\))?"
                rf"(?:[ \t]*,[ \t]*(?P<role>.+?))?[ \t]*$"
            ),
            justerare=_label_pattern(words.get("meeting.justerare", ()), dotted=True),
            plats=_label_pattern(words.get("meeting.plats", ())),
            tid=_label_pattern(words.get("meeting.tid", ())),
            paragraphs=re.compile(
                rf"(?i:{alternation(words.get('meeting.paragrafer', ()))})[ \t]*:?[ \t]*"
                + _RANGE.pattern
            ),
            with_party=registry.people_index.with_party,
        )

    def label(self, line: str) -> tuple[str, str] | None:
        """The section kind and the text after the colon, if ``line`` is a section label."""
        match = self.label_line.match(line)
        if match is None:
            return None
        return self.kinds[_key(match.group("label"))], (match.group("rest") or "").strip()


def split_arenden(
    text: str,
    *,
    doc_type: str | None,
    page_starts: list[int] | None = None,
    registry: Registry | None = None,
) -> list[dict[str, Any]]:
    """The ärenden of a protokoll, kallelse or bundle of tjänsteutlåtanden, in order.

    Each is ``{"number", "numbering", "heading", "dnr", "dnr_verbatim", "dnrs",
    "presenter", "decision", "proposal", "status", "reservations", "notes", "start",
    "end", "pages"}``: ``number`` is "64" or "64/20" for a § (``numbering``
    "paragraph"), "3" for a kallelse item ("item"); ``dnr`` is normalised and ``dnrs``
    holds every dnr in the ärende (its own first, then those it lists, such as the
    delegationsbeslut it reports); ``decision`` is the decision taken, else the
    proposed one (``proposal``); ``status`` is "bordlagt", "återremitterat" or
    "beslutat" when a decision was taken, else None; ``reservations`` and ``notes``
    are ``{"text", "people": [{"name", "party"}]}``; ``start`` and ``end`` are offsets
    in ``text``; ``pages`` is ``[first, last]`` (1-based) from ``page_starts``, or None;
    ``districts``, ``cities_mentioned``, ``projects`` and ``topics`` are the ärende's own.
    """
    if doc_type not in (*MEETING_TYPES, *BUNDLE_TYPES):
        return []
    index = _registry(registry).arende_index
    starts, continued = _paragraph_starts(text)
    if not starts and doc_type == "kallelse":
        starts = _agenda_starts(text, index)
    if len(starts) < (1 if doc_type in MEETING_TYPES else MIN_BUNDLE_PARAGRAPHS):
        return []
    ends = [start.start for start in starts[1:]] + [len(text)]
    arenden = [
        _arende(
            text, start, end, index, continued, page_starts, body_decides=doc_type == "protokoll"
        )
        for start, end in zip(starts, ends, strict=True)
    ]
    for arende in arenden:
        arende.update(_described(text[arende["start"] : arende["end"]], _registry(registry)))
    return arenden


def _described(text: str, registry: Registry) -> dict[str, list[str]]:
    """What an ärende itself is about: the places, projects and topics in its own text
    (its document's city, committee and date it inherits when searched)."""
    places = find_places(text, registry)
    return {
        "districts": places.districts,
        "cities_mentioned": places.cities_mentioned,
        "projects": registry.project_index.find(text),
        "topics": find_topics(text, registry),
    }


def parse_meeting(text: str, *, registry: Registry | None = None) -> dict[str, Any]:
    """What a protokoll or kallelse says of its meeting, from the part before its ärenden.

    Returns ``organ, meeting_date, time, plats, present, justerare, justering_date,
    anslag_from, anslag_to, paragraph_range``: ``present`` lists ``{"name", "party",
    "role", "group"}`` with group "beslutande", "ersättare" or "övriga";
    ``paragraph_range`` is ``[first, last]`` ("§§ 21–28" → ["21", "28"]). Unknown
    values are None (``present`` and ``justerare`` empty lists).
    """
    registry = _registry(registry)
    index = registry.arende_index
    starts, _ = _paragraph_starts(text)
    if not starts:
        starts = _agenda_starts(text, index)
    header = text[: starts[0].start] if starts else text
    mentions = [m for m in dates.find_dates(header) if len(m.date) == 10]
    anslag_from, anslag_to = _anslag([m for m in mentions if m.role == "anslag"])
    lines = [strip_markup(line) for line in header.splitlines()]
    return {
        "organ": find_organs(header, registry).committee,
        "meeting_date": next((m.date for m in mentions if m.role == "meeting"), None),
        "time": _meeting_time(lines, index),
        "plats": _meeting_place(lines, index),
        "present": _present(lines, index),
        "justerare": _justerare(lines, index),
        "justering_date": next((m.date for m in mentions if m.role == "justering"), None),
        "anslag_from": anslag_from,
        "anslag_to": anslag_to,
        "paragraph_range": _paragraph_range(header, starts, index),
    }


def link_agenda(
    kallelse_arenden: list[dict[str, Any]], protokoll_arenden: list[dict[str, Any]]
) -> list[tuple[int, int]]:
    """Pairs ``(kallelse index, protokoll index)`` of the same ärende, in kallelse order.

    An agenda item and a § are one ärende when they share a dnr, or failing that when
    their headings are alike (normalised, similarity at least HEADING_SIMILARITY) and
    their dnrs do not differ. Each is linked at most once. Whether the two documents are
    of the same meeting (committee and date) is the caller's check.
    """
    links: dict[int, int] = {}
    used: set[int] = set()
    for i, item in enumerate(kallelse_arenden):
        same = [
            j
            for j, paragraph in enumerate(protokoll_arenden)
            if item.get("dnr") and paragraph.get("dnr") == item["dnr"] and j not in used
        ]
        if same:
            links[i] = max(same, key=lambda j: _similarity(item, protokoll_arenden[j]))
            used.add(links[i])
    alike = sorted(
        (
            (score, i, j)
            for i, item in enumerate(kallelse_arenden)
            if i not in links
            for j, paragraph in enumerate(protokoll_arenden)
            if j not in used
            and not (item.get("dnr") and paragraph.get("dnr"))
            and (score := _similarity(item, paragraph)) >= HEADING_SIMILARITY
        ),
        key=lambda candidate: (-candidate[0], candidate[1], candidate[2]),
    )
    for _, i, j in alike:
        if i not in links and j not in used:
            links[i] = j
            used.add(j)
    return sorted(links.items())


# -- where ärenden start ----------------------------------------------------------


@dataclass(frozen=True)
class _Start:
    """Where an ärende begins (its § or item number) and where its first line goes on."""

    number: str
    start: int
    rest: int
    numbering: str


def _paragraph_starts(text: str) -> tuple[list[_Start], set[int]]:
    """The § lines that start ärenden, and the line offsets of those that continue one."""
    starts: list[_Start] = []
    continued: set[int] = set()
    for match in _PARAGRAPH_LINE.finditer(text):
        number, rest = match.group("number"), match.group("rest").strip()
        if not (_opens_arende(rest) or _CONTINUED.match(rest)):
            continue
        if starts and starts[-1].number == number:
            continued.add(match.start())  # "§ 23 forts.", or the § again atop the next page
            continue
        starts = [start for start in starts if start.number != number]
        sign = text.index("§", match.start())
        starts.append(_Start(number, sign, match.start("rest"), "paragraph"))
    return starts, continued


def _opens_arende(rest: str) -> bool:
    """Whether what follows "§ N" on its line fits an ärende: nothing, a dnr, a heading."""
    if not rest:
        return True
    if cites_law(rest):
        return False
    if _DNR_LABEL.match(rest) or _BARE_DNR_AT_START.match(rest):
        return True
    return rest[0].isupper()


def _agenda_starts(text: str, index: ArendeIndex) -> list[_Start]:
    """The numbered items of a kallelse, counting up by one from the agenda heading."""
    heading = index.agenda_heading.search(text)
    expected = None if heading else 1
    starts: list[_Start] = []
    for match in _ITEM_LINE.finditer(text, heading.end() if heading else 0):
        number = int(match.group("number"))
        if expected is not None and number != expected:
            continue
        first = _split_glued(match.group("rest").strip(), None, index)[0]
        _, title = _dnr_in(first)
        if not title or not title[0].isupper() or title.endswith(_CLOSING_PUNCTUATION):
            continue
        if len(title) > MAX_HEADING:
            continue
        starts.append(_Start(str(number), match.start("number"), match.start("rest"), "item"))
        expected = number + 1
    return starts


# -- one ärende -------------------------------------------------------------------


@dataclass
class _Section:
    kind: str | None
    lines: list[str]


def _arende(
    text: str,
    start: _Start,
    end: int,
    index: ArendeIndex,
    continued: set[int],
    page_starts: list[int] | None,
    *,
    body_decides: bool,
) -> dict[str, Any]:
    end = start.start + len(text[start.start : end].rstrip())
    heading: str | None = None
    own_dnr: tuple[str, str] | None = None
    presenter: str | None = None
    sections: list[_Section] = []
    in_head = True
    for line in _lines(text, start.rest, end, continued, index):
        if presenter_match := index.presenter.match(line):
            presenter = presenter or presenter_match.group("name")
            continue
        if label := index.label(line):
            sections.append(_Section(label[0], [label[1]] if label[1] else []))
            in_head = False
            continue
        if in_head:
            found, rest = _dnr_in(line)
            own_dnr = own_dnr or found
            if not rest:
                continue
            if heading is None:
                heading = rest
                continue
            in_head = False
        if not sections:
            sections.append(_Section(None, []))
        sections[-1].lines.append(line)

    decided = _first_text(sections, "decision")
    proposal = _first_text(sections, "proposal")
    if body_decides and decided is None and proposal is None:
        decided = _first_text(sections, None)
    dnrs = [own_dnr[0]] if own_dnr else []
    dnrs += [d.normalised for d in find_dnrs(text[start.start : end]) if d.normalised not in dnrs]
    return {
        "number": start.number,
        "numbering": start.numbering,
        "heading": heading,
        "dnr": own_dnr[0] if own_dnr else None,
        "dnr_verbatim": own_dnr[1] if own_dnr else None,
        "dnrs": dnrs,
        "presenter": presenter,
        "decision": decided or proposal,
        "proposal": proposal,
        "status": _status(decided, index) if decided else None,
        "reservations": _statements(sections, "reservation", index.reservation, index),
        "notes": _statements(sections, "note", index.note, index),
        "start": start.start,
        "end": end,
        "pages": _pages(page_starts, start.start, end) if page_starts else None,
    }


def _lines(
    text: str, begin: int, end: int, continued: set[int], index: ArendeIndex
) -> Iterator[str]:
    """The non-blank lines of an ärende, stripped, with glued labels split off again."""
    raw: list[str] = []
    offset = begin
    for line in text[begin:end].split("\n"):
        if offset not in continued and (stripped := strip_markup(line)):
            raw.append(stripped)
        offset += len(line) + 1
    for i, line in enumerate(raw):
        yield from _split_glued(line, raw[i + 1] if i + 1 < len(raw) else None, index)


def _split_glued(line: str, next_line: str | None, index: ArendeIndex) -> list[str]:
    """``line`` as the lines the cleaner joined: "Heading Föredragande: Name" → two;
    "… för unga Beslut" → the text and the label, unless a label follows anyway."""
    cuts = [0, *(m.end() for m in index.glued_colon.finditer(line) if m.start() > 0)]
    parts = [line[a:b].strip() for a, b in zip(cuts, [*cuts[1:], len(line)], strict=True)]
    glued = index.glued_end.match(parts[-1])
    if glued and not (next_line and index.label(next_line)):
        parts[-1:] = [glued.group("head").strip(), glued.group("label")]
    return [part for part in parts if part]


def _dnr_in(line: str) -> tuple[tuple[str, str] | None, str]:
    """The dnr on a heading line, as (normalised, verbatim), and the line without it:
    "Dnr BN 2024/0001", "Heading Dnr SN 2024/40", "Heading BN 2022/0318"."""
    label = _DNR_LABEL.search(line)
    if label and (found := find_dnrs(line[label.start() :])):
        dnr = found[0]
        value_end = label.start() + dnr.start + len(dnr.verbatim)
        return (dnr.normalised, dnr.verbatim), _without(line, label.start(), value_end)
    for pattern in (_BARE_DNR_AT_START, _BARE_DNR_AT_END):
        if bare := pattern.search(line):
            value = bare.group("value")
            return (normalise_dnr(value), value), _without(line, bare.start(), bare.end())
    return None, line


def _without(line: str, start: int, end: int) -> str:
    """``line`` without ``line[start:end]`` and the separators around it."""
    parts = (line[:start].strip(" \t,:–-"), line[end:].strip(" \t,:–-"))
    return " ".join(part for part in parts if part)


def _first_text(sections: list[_Section], kind: str | None) -> str | None:
    for section in sections:
        if section.kind == kind and section.lines:
            return _join(section.lines)
    return None


def _join(lines: list[str]) -> str:
    """Lines as one text; a line that opens in lowercase continues the one above (a
    paragraph broken by a page)."""
    out = lines[0]
    for line in lines[1:]:
        out += (" " if line[0].islower() else "\n") + line
    return out


def _status(decision: str, index: ArendeIndex) -> str:
    """ "bordlagt" or "återremitterat" when the decision says so, else "beslutat"."""
    for sentence in _SENTENCE_BREAK.split(decision):
        if index.rejected.search(sentence):
            continue
        for status, cue in index.statuses:
            if cue.search(sentence):
                return status
    return "beslutat"


def _statements(
    sections: list[_Section], kind: str, cue: re.Pattern[str], index: ArendeIndex
) -> list[dict[str, Any]]:
    """Reservations or notes: the sentences of ``kind`` sections, a new one at each
    sentence with ``cue``; elsewhere each sentence with ``cue``."""
    statements: list[str] = []
    for section in sections:
        if not section.lines:
            continue
        sentences = _SENTENCE_BREAK.split(_join(section.lines))
        if section.kind == kind:
            own: list[str] = []
            for sentence in sentences:
                if own and not cue.search(sentence):
                    own[-1] += " " + sentence
                else:
                    own.append(sentence)
            statements += own
        elif section.kind not in ("reservation", "note"):
            statements += [sentence for sentence in sentences if cue.search(sentence)]
    return [{"text": s, "people": _people_of(s, cue, index)} for s in statements]


def _people_of(
    statement: str, cue: re.Pattern[str], index: ArendeIndex
) -> list[dict[str, str | None]]:
    """Who makes a reservation or note: the names before its cue ("Anna Ek (M) och
    Per Nilsson (KD) reserverar sig"), else every name with a party in it."""
    match = cue.search(statement)
    before = statement[: match.start()] if match else statement
    people = {m.group("name"): m.group("party") for m in index.with_party.finditer(before)}
    if not people and match and (alone := _NAME_BEFORE.search(before)):
        people[alone.group("name")] = None
    return [{"name": name, "party": party} for name, party in people.items()]


def _pages(page_starts: list[int], start: int, end: int) -> list[int]:
    return [bisect_right(page_starts, start), bisect_right(page_starts, max(start, end - 1))]


# -- the meeting ------------------------------------------------------------------


def _meeting_time(lines: list[str], index: ArendeIndex) -> str | None:
    for line in lines:
        if (label := index.tid.match(line)) and (time := _TIME.search(label.group("value"))):
            return time.group("start") + (f"–{time.group('end')}" if time.group("end") else "")
    return None


def _meeting_place(lines: list[str], index: ArendeIndex) -> str | None:
    """The place on a "Plats och tid" line, without its date and time."""
    for line in lines:
        if label := index.plats.match(line):
            parts = [p.strip() for p in label.group("value").split(",")]
            place = [p for p in parts if p and not dates.has_date(p) and not _TIME.search(p)]
            if place:
                return ", ".join(place)
    return None


def _present(lines: list[str], index: ArendeIndex) -> list[dict[str, str | None]]:
    """Who took part: the names listed under "Beslutande", "Ersättare", "Övriga närvarande"."""
    present: list[dict[str, str | None]] = []
    group: str | None = None
    for line in lines:
        if not line:
            continue
        if heading := index.group_line.match(line):
            group = index.groups[_key(heading.group("label"))]
        elif group and (person := index.person_line.match(line)):
            present.append(
                {
                    "name": person.group("name"),
                    "party": person.group("party"),
                    "role": person.group("role"),
                    "group": group,
                }
            )
        else:
            group = None
    return present


def _anslag(mentions: list[dates.DateMention]) -> tuple[str | None, str | None]:
    """When the minutes were posted and taken down: one range ("2024-03-27 – 2024-04-18")
    or two dates ("Datum då anslaget sätts upp", "… tas ned")."""
    if not mentions:
        return None, None
    first = mentions[0]
    return first.date, first.end or (mentions[1].date if len(mentions) > 1 else None)


def _justerare(lines: list[str], index: ArendeIndex) -> list[str]:
    names: dict[str, None] = {}
    for line in lines:
        if label := index.justerare.match(line):
            names.update(dict.fromkeys(m.group(0) for m in _NAME.finditer(label.group("value"))))
    return list(names)


def _paragraph_range(header: str, starts: list[_Start], index: ArendeIndex) -> list[str] | None:
    """The "Paragrafer §§ 21–28" of the first page, else the first and last § found."""
    if labelled := index.paragraphs.search(header):
        return [labelled.group("first"), labelled.group("last")]
    if starts and starts[0].numbering == "paragraph":
        return [starts[0].number, starts[-1].number]
    return None


# -- helpers ----------------------------------------------------------------------


def _registry(registry: Registry | None) -> Registry:
    return registry if registry is not None else registry_module.default_registry()


def _key(label: str) -> str:
    """A label as the tables spell it: case folded as the ``re.I`` pattern matched it
    ("BESLUT", "beſlut" with a long s), spaces collapsed."""
    return " ".join(fold_case(label).split())


def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alternation(words)})\b", re.I)


def _label_pattern(labels: tuple[str, ...], *, dotted: bool = False) -> re.Pattern[str]:
    """``Label: value`` (or ``Label ……… value`` when ``dotted``) as a whole line."""
    separator = r"(?::|[.…]{3,})" if dotted else ":"
    return re.compile(rf"^(?i:{alternation(labels)})[ \t]*{separator}[ \t]*(?P<value>.+)$")


def _similarity(item: dict[str, Any], paragraph: dict[str, Any]) -> float:
    a, b = _normalised_heading(item.get("heading")), _normalised_heading(paragraph.get("heading"))
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def _normalised_heading(heading: str | None) -> str:
    if not heading:
        return ""
    return " ".join(re.findall(r"\w+(?::\d+)?", heading.lower()))
