"""Document type, from headings and structure — never from the file name.

Values: tjänsteutlåtande, protokoll, kallelse, pressmeddelande, artikel, rapport,
skrivelse, motion, remissvar, beslut, other.

1. A doc-type heading near the top (data/headings.toml): "TJÄNSTEUTLÅTANDE",
   "SAMMANTRÄDESPROTOKOLL", "Pressmeddelande • Jun 25, 2013", "Rapport om …".
   "Beslut" counts only as one of the first lines, and not in minutes or a
   tjänsteutlåtande: there it is a section.
2. Otherwise the structure:
   - protokoll: "§ N" items and a justering or a list of those present;
   - kallelse: "kallas till sammanträde";
   - tjänsteutlåtande: two of a Handläggare field, "Förvaltningens synpunkter/förslag",
     "Förslag till beslut", "Bakgrund", "detta ärende", "tjänsteutlåtandet";
   - motion: the mover proposes that fullmäktige decides;
   - remissvar: a line opening with "Svar på remiss", "Remissyttrande", "Yttrande över";
   - pressmeddelande: a press contact; an official quoted by title ("…, säger
     sjukvårdsminister Acko Ankarberg Johansson"); or an organisation announcing what
     it "har i dag" decided, with a quote;
   - rapport: a title that starts with a report word;
   - artikel: journalistic quotes ("– …, säger hon") without a header, or a piece
     signed by its authors at the end ("Jakob Forssmed (KD), socialminister").
3. Otherwise "other".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.metadata.people import roles_before
from indexer.metadata.text import fold_case, strip_markup

if TYPE_CHECKING:
    from indexer.metadata.registry import Registry

DOC_TYPES = (
    "tjänsteutlåtande", "protokoll", "kallelse", "pressmeddelande", "artikel", "rapport",
    "skrivelse", "motion", "remissvar", "beslut", "other",
)  # fmt: skip
#: How many non-blank lines from the top may carry the doc-type heading.
HEADING_LINES = 25
#: "Beslut" is the document's type only among the first lines, and only when the
#: structure does not show minutes, a notice or a tjänsteutlåtande (which have
#: "Beslut" sections).
DECISION_HEADING_LINES = 3
_OUTRANK_DECISION = frozenset({"protokoll", "kallelse", "tjänsteutlåtande"})

_PARAGRAPH_ITEM = re.compile(r"^\s*§\s*\d+", re.M)
_MINUTES = re.compile(r"\bjusterare\b|\bjustering|\bbeslutande\b|\bnärvarande\b", re.I)
_REMISS = re.compile(r"^\s*(?:svar på remiss|remissyttrande|yttrande över)\b", re.I | re.M)
_ANNOUNCES = re.compile(
    r"\bhar\s+(?:i\s*dag\s+)?(?:fattat beslut|beslutat|utsett|tillsatt|gett|presenterat|"
    r"lämnat|fördelat|föreslagit)\b",
    re.I,
)
_SPEECH_BEFORE = re.compile(r"\b(?:säger|sade|sa|berättar|menar|skriver)\s*$", re.I)


@dataclass(frozen=True)
class _Cue:
    """A cue searched for in the whole text, and its hints: patterns one of which
    matches wherever the cue does — in the text folded by ``fold_case`` when the cue
    ignores case (where a lowercase hint finds what ``re.I`` would), else in the text.

    A hint opens with one literal character, which the regex engine skips ahead to,
    while a cue opening with ``^``, ``\\b`` or a choice of words makes it try every
    position of the text; and most texts have no hint of most cues.
    """

    pattern: re.Pattern[str]
    hints: tuple[re.Pattern[str], ...]

    @classmethod
    def compile(cls, pattern: str, flags: int, *hints: str) -> _Cue:
        """The cue ``pattern`` with ``flags``; the hints take its ``re.M`` only."""
        return cls(re.compile(pattern, flags), tuple(re.compile(h, flags & re.M) for h in hints))

    def search(self, text: str, folded: str) -> re.Match[str] | None:
        """The cue's first match in ``text`` (``folded`` is ``fold_case(text)``)."""
        within = folded if self.pattern.flags & re.I else text
        if not any(hint.search(within) for hint in self.hints):
            return None
        return self.pattern.search(text)


_NOTICE = _Cue.compile(r"kallas\s+(?:härmed\s+)?till\s+sammanträde", re.I, "kallas")
_MEMO_CUES = (
    _Cue.compile(r"^\s*handläggare\s*:", re.I | re.M, r"handläggare\s*:"),
    _Cue.compile(
        r"^\s*förvaltningens\s+(?:synpunkter|förslag|bedömning|yttrande)",
        re.I | re.M,
        r"förvaltningens\s+(?:synpunkter|förslag|bedömning|yttrande)",
    ),
    _Cue.compile(r"^\s*förslag\s+till\s+beslut", re.I | re.M, r"förslag\s+till\s+beslut"),
    _Cue.compile(r"^\s*bakgrund\s*$", re.I | re.M, r"bakgrund\s*$"),
    _Cue.compile(
        r"\b(?:detta|i detta|föreliggande)\s+ärende\b",
        re.I,
        r"detta\s+ärende",
        r"föreliggande\s+ärende",
    ),
    _Cue.compile(r"\btjänsteutlåtande(?:t|ts)?\b", re.I, "tjänsteutlåtande"),
)
_MOTION = _Cue.compile(r"\b(?:jag|vi)\s+föreslår\b.{0,80}\bfullmäktige\b", re.I | re.S, "föreslår")
_PRESS_CONTACT = _Cue.compile(
    r"^\s*(?:presskontakt|pressekreterare|för mer information)",
    re.I | re.M,
    "press",
    "för mer information",
)
_QUOTE = _Cue.compile(
    r"(?:^|\n)\s*[–—-]\s+\S.{10,}?,?\s+(?:säger|menar|berättar|fortsätter)\b",
    re.S,
    r"\A\s*[–—-]\s",
    r"\n\s*[–—-]\s",
)
_SPEECH = _Cue.compile(
    r"\b(?:säger|berättar|menar)\s+(?:hon|han|[A-ZÅÄÖ])",
    0,
    r"säger\s+(?:hon|han|[A-ZÅÄÖ])",
    r"berättar\s+(?:hon|han|[A-ZÅÄÖ])",
    r"menar\s+(?:hon|han|[A-ZÅÄÖ])",
)
#: A remiss answer says so near its top.
REMISS_CHARS = 1500


def classify(text: str, registry: Registry, title: str | None = None) -> str:
    """The document type of ``text`` (one of DOC_TYPES)."""
    by_heading = _from_headings(text, registry)
    if by_heading and by_heading != "beslut":
        return by_heading
    by_structure = _from_structure(text, registry, title)
    if by_heading == "beslut" and by_structure not in _OUTRANK_DECISION:
        return "beslut"
    return by_structure


def _from_headings(text: str, registry: Registry) -> str | None:
    headings = registry.heading_index
    seen = 0
    for raw in text.splitlines():
        line = strip_markup(raw)
        if not line:
            continue
        seen += 1
        if seen > HEADING_LINES:
            break
        doc_type = headings.doc_type_of_line(line)
        if doc_type == "beslut" and seen > DECISION_HEADING_LINES:
            continue
        if doc_type:
            return doc_type
    return None


def _from_structure(text: str, registry: Registry, title: str | None) -> str:
    folded = fold_case(text)
    if "§" in text and len(_PARAGRAPH_ITEM.findall(text)) >= 2 and _MINUTES.search(text):
        return "protokoll"
    if _NOTICE.search(text, folded):
        return "kallelse"
    if sum(1 for cue in _MEMO_CUES if cue.search(text, folded)) >= 2:
        return "tjänsteutlåtande"
    if _MOTION.search(text, folded):
        return "motion"
    if _REMISS.search(text[:REMISS_CHARS]):
        return "remissvar"
    people = registry.people_index
    official_quote = any(
        _SPEECH_BEFORE.search(text[max(0, m.start() - 12) : m.start()])
        for m in roles_before(people.role_before, text)
    )
    lead = " ".join(re.split(r"\n\s*\n", text.strip(), maxsplit=2)[:2])
    quoted = bool(_QUOTE.search(text, folded) or _SPEECH.search(text, folded))
    if (
        _PRESS_CONTACT.search(text, folded)
        or official_quote
        or (quoted and _ANNOUNCES.search(lead))
    ):
        return "pressmeddelande"
    if title and registry.heading_index.opens_with(title, "rapport"):
        return "rapport"
    last = re.split(r"\n\s*\n", text.strip())[-1]
    signed = people.role_after.search(last) or people.with_party.search(last)
    if quoted or (signed and len(last) < len(text) // 3):
        return "artikel"
    return "other"
