"""Title: the document's own title, as a user wants it in a result list.

In order of trust:
1. the format's hint (an HTML <h1>, the largest font of a PDF, a leading bold line);
2. the largest-font block of page 1 that stands out from the body text;
3. a Markdown-marked title in the text ("**Rapport angående …**", "# Title");
4. the first title-like line of the header: not a section heading ("Bakgrund"),
   a field label ("Handläggare: …"), a doc-type word ("TJÄNSTEUTLÅTANDE"), a unit
   or sender ("Socialtjänstförvaltningen", "Alliansen i Stockholms stad"), a date,
   a person or a registry name ("EUROPAFORUM"); lines that continue it in the same
   paragraph are joined.
Minutes and notices are titled from their committee and meeting ("Protokoll –
Socialnämnden, 2024-03-19"): their headers are lists of attendees and items. Text with no title at all (raw
PDF text starting at "Sammanfattning") gets the first sentence of its first
paragraph, shortened — never a section heading.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from indexer.metadata import dates
from indexer.metadata.people import NAME
from indexer.metadata.sekretess import is_marking
from indexer.metadata.text import collapse, strip_markup

if TYPE_CHECKING:
    from indexer.metadata.registry import Registry

#: How many non-blank lines from the top are searched for a title.
HEADER_LINES = 20
MAX_TITLE_CHARS = 250
#: How far from the top a Markdown-marked title ("**…**", "# …") is looked for.
MARKED_CHARS = 3000
FALLBACK_CHARS = 100
#: Header fields are short lines; a longer line with a date in it is prose.
SHORT_LINE = 60
#: A sender line ("Alliansen i Stockholms stad") has at most this many words.
UNIT_WORDS = 6
#: A PDF block is a title when its font is this much larger than the body text.
TITLE_SIZE_RATIO = 1.15

_MARKED = re.compile(
    r"^\s*(?:\*\*(?P<bold>[^*]{3,300}?)\*\*|#[ \t]+(?P<heading>[^\n]{3,300}))", re.M
)
_PERSON_LINE = re.compile(rf"^{NAME}$")
_PAGE_LINE = re.compile(r"^(?:sida\s+)?\d+\s*(?:\(\d+\)|/\s*\d+|av\s+\d+)?$", re.I)
_PHONE_OR_NUMBER = re.compile(r"^[\d\s()+./:-]+$")
_LINE_END_HYPHEN = re.compile(r"(\w)-[ \t]*\n[ \t]*(\w)")
#: A word the layout broke at a line end: "Forskningsdatautred-\nningen" (not "hälso-\noch").
_WRAPPED_WORD = re.compile(r"([a-zåäö])-[ \t]*\n[ \t]*(?!(?:och|eller|samt)\b)([a-zåäö])")
#: A series designation ending a title block: "Vissa skolfrågor Prop. 2012/13:187".
_TRAILING_SERIES = re.compile(r"\s+(?:Prop\.|Dir\.|SOU|Ds)\s*\d{4}(?:/\d{2,4})?(?::\s?\d+)?\s*$")
_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)", re.S)
_DOC_TYPE_REST = re.compile(r"^\s*(?:[:•·|–—-].*)?$")
#: What follows a series in a line naming only the series: "Prop. 2008/09:5", "SOU 2013:75".
_SERIES_NUMBER = re.compile(r"^\s*(?:[A-Za-zÅÄÖåäö]{1,6}\.?\s*)?[\d/:.\s]*$")
#: Words that end a line in the middle of a title ("… processer inom" / "Europaforum").
_OPEN_ENDINGS = frozenset(
    {"och", "i", "om", "för", "inom", "av", "på", "till", "med", "mot", "från", "över", "under",
     "vid", "samt", "eller", "and", "of", "for", "the", "in", "on", "to"}
)  # fmt: skip
_SYNTHESIZED = {"protokoll": "Protokoll", "kallelse": "Kallelse"}


def find_title(
    text: str,
    registry: Registry,
    title_hint: str | None = None,
    blocks: Sequence[Any] | None = None,
) -> str | None:
    """The document's own title from the hint, the layout or the text, or None."""
    if title_hint:
        hint = collapse(strip_markup(title_hint))
        if _acceptable_marked(hint, registry):
            return hint
    from_blocks = _title_from_blocks(blocks, registry) if blocks else None
    if from_blocks:
        return from_blocks
    for match in _MARKED.finditer(text[:MARKED_CHARS]):
        marked = collapse(match.group("bold") or match.group("heading"))
        if _acceptable_marked(marked, registry):
            return marked
    return _title_from_header(text, registry)


def synthesized_title(doc_type: str, committee: str | None, meeting: str | None) -> str | None:
    """A title for minutes and notices from their committee and meeting date."""
    label = _SYNTHESIZED.get(doc_type)
    if label is None or committee is None:
        return None
    return f"{label} – {committee}, {meeting}" if meeting else f"{label} – {committee}"


def fallback_title(text: str, registry: Registry) -> str | None:
    """The first sentence of the first body paragraph, shortened to FALLBACK_CHARS."""
    text = _LINE_END_HYPHEN.sub(r"\1\2", text)
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [strip_markup(line) for line in paragraph.splitlines() if line.strip()]
        while lines and _skippable(lines[0], registry):
            lines.pop(0)
        if not lines:
            continue
        body = collapse(" ".join(lines))
        match = _SENTENCE.match(body)
        sentence = match.group(1) if match else body
        if len(sentence) <= FALLBACK_CHARS:
            return sentence
        cut = sentence[:FALLBACK_CHARS].rsplit(" ", 1)[0]
        return cut.rstrip(",;:–- ") + " …"
    return None


def _title_from_header(text: str, registry: Registry) -> str | None:
    lines = [strip_markup(line) for line in text.splitlines()]
    seen = 0
    for i, line in enumerate(lines):
        if not line:
            continue
        seen += 1
        if seen > HEADER_LINES or len(line) > MAX_TITLE_CHARS:
            return None
        if _skippable(line, registry):
            continue
        if not _plausible(line):
            return None
        title = line
        for nxt in lines[i + 1 :]:
            if not nxt:
                break
            continues = nxt[0].islower() or title.split()[-1].lower() in _OPEN_ENDINGS
            if not continues and len(nxt) <= SHORT_LINE and _skippable(nxt, registry):
                break
            if len(title) + len(nxt) >= MAX_TITLE_CHARS:
                return None  # the paragraph runs on: body text, not a title
            title = f"{title}{' ' if continues else ' – '}{nxt}"
        return None if title.endswith("-") else title
    return None


def _title_from_blocks(blocks: Sequence[Any], registry: Registry) -> str | None:
    first_page = [b for b in blocks if b.page == 1 and b.text.strip()]
    if not first_page:
        return None
    body_size = statistics.median(b.size for b in first_page)
    standing_out = [
        b
        for b in first_page
        if b.size >= body_size * TITLE_SIZE_RATIO or (b.bold and b.size >= body_size)
    ]
    for size in sorted({b.size for b in standing_out}, reverse=True):
        same = sorted((b for b in standing_out if b.size == size), key=lambda b: b.y0)
        groups: list[list[Any]] = []
        for block in same:
            if groups and block.y0 - groups[-1][-1].y1 < size:
                groups[-1].append(block)
            else:
                groups.append([block])
        for group in groups:
            candidate = _without_series(collapse(_WRAPPED_WORD.sub(
                r"\1\2", "\n".join(b.text for b in group))))
            if _acceptable_marked(candidate, registry):
                return candidate
    return None


def _without_series(title: str) -> str:
    return _TRAILING_SERIES.sub("", title)


def _acceptable_marked(line: str, registry: Registry) -> bool:
    """Whether a line the format or layout marks as a title can be one.

    Marked lines are trusted more than header lines: a date or an organ may be part
    of the title ("Regeringsförklaringen 3 oktober 2014"); only headings, labels,
    doc-type words, a person's name alone and bare names of units are refused.
    """
    if not _plausible(line):
        return False
    headings = registry.heading_index
    if headings.is_section_heading(line) or headings.is_label_line(line):
        return False
    if _doc_type_only(line, registry) or _PERSON_LINE.match(line):
        return False
    if registry.project_index.registered(line) or registry.place_index.lookup(line):
        return False
    organs = registry.organ_index.find(line, registry)
    return not (organs and organs[0].start == 0 and organs[0].end >= len(line.rstrip(" .,")) - 1)


def _doc_type_only(line: str, registry: Registry) -> bool:
    """A doc-type word alone or with a date, or a series and its number, but no title:
    "TJÄNSTEUTLÅTANDE", "Pressmeddelande • Jun 25", "Kommittédirektiv",
    "Regeringens proposition 2008/09:5", "Dir. 2016:15", "SOU 2013:75"."""
    if (len(line) <= SHORT_LINE and _SERIES_NUMBER.match(line)
            and registry.doc_type_index.designation([line])):
        return True
    if not registry.heading_index.doc_type_of_line(line):
        return False
    end = registry.heading_index.heading_end(line) or 0
    rest = strip_markup(line)[end:]
    if rest.startswith(":") and len(rest.strip(" :")) > 3:
        return False  # "Kommittédirektiv: Översyn av …" is a title
    return bool(_DOC_TYPE_REST.match(rest) or _SERIES_NUMBER.match(rest))


def _plausible(line: str) -> bool:
    """Long enough, not a paragraph, not a label waiting for its value."""
    return 3 <= len(line) <= MAX_TITLE_CHARS and not line.endswith(":")


def _skippable(line: str, registry: Registry) -> bool:
    """Header lines that are not the title: headings, labels, units, dates, people."""
    headings = registry.heading_index
    if (
        headings.is_section_heading(line)
        or headings.is_label_line(line)
        or headings.is_unit_line(line)
    ):
        return True
    if _doc_type_only(line, registry):
        return True
    if (
        _PERSON_LINE.match(line)
        or _PAGE_LINE.match(line)
        or _PHONE_OR_NUMBER.match(line)
        or line.startswith("§")
        or (len(line) <= SHORT_LINE and dates.has_date(line))
        or is_marking(line)
    ):
        return True
    return _is_unit(line, registry)


def _is_unit(line: str, registry: Registry) -> bool:
    """A sender or unit line: an organ, a municipality, a registry name, a person cue.

    "Socialtjänstförvaltningen", "Alliansen i Stockholms stad", "EUROPAFORUM",
    "Skärholmens stadsdelsförvaltning · Tjänsteutlåtande · Dnr SDN 2019/145".
    """
    if registry.project_index.registered(line) or registry.place_index.lookup(line):
        return True
    short = len(line.split()) <= UNIT_WORDS or any(sep in line for sep in "·•|")
    end = len(line.rstrip(" .,")) - 1
    organs = registry.organ_index.find(line, registry)
    if short and organs and (organs[0].start == 0 or organs[-1].end >= end):
        return True
    places = [p for p in registry.place_index.find(line) if p.place.official]
    if short and places and (places[0].start == 0 or places[-1].end >= end):
        return True
    people = registry.people_index
    return bool(people.role_after.search(line) or people.with_party.search(line))
