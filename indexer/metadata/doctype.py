"""Document type, from designations, headings, structure and style — never from the file name.

The vocabulary (types, their headings, designations and style phrases) is
``data/doctypes.toml``: what a municipality writes and receives (tjänsteutlåtande,
protokoll, kallelse, motion, medborgarförslag, interpellation, fråga, delegationsbeslut,
beslut, yttrande, remissvar, skrivelse, rapport, utredning, detaljplan, avtal, policy,
budget, årsredovisning, revisionsrapport, pressmeddelande, artikel) and what arrives from
the state (proposition, kommittédirektiv, SOU/Ds as utredning, remiss, lag, förordning,
föreskrift, dom, tal, uttalande, debattartikel). In order:

1. The document's own designation near the top: "Dir. 2007:60", "SOU 2022:9",
   "Prop. 2008/09:5", "Lag (1994:1809) om …", "AFS 2011:19" — on a line of its own, or
   after an "ID-nummer:" label (a designation cited in running text does not count).
2. A doc-type heading near the top: "TJÄNSTEUTLÅTANDE", "SAMMANTRÄDESPROTOKOLL",
   "Pressmeddelande • Jun 25, 2013", "Rapport om …", "Tilläggsdirektiv till …".
   "Beslut" counts only as one of the first lines, and not in minutes or a
   tjänsteutlåtande: there it is a section.
3. The structure of municipal documents:
   - protokoll: "§ N" items and a justering or a list of those present;
   - kallelse: "kallas till sammanträde";
   - tjänsteutlåtande: two of a Handläggare field, "Förvaltningens synpunkter/förslag",
     "Förslag till beslut", "Bakgrund", "detta ärende", "tjänsteutlåtandet";
   - motion: the mover proposes that fullmäktige decides;
   - remissvar: a line opening with "Svar på remiss", "Remissyttrande", "Yttrande över".
4. The style of the first page (the vocabulary's phrases; the type with most wins):
   "I propositionen föreslås", "En särskild utredare ska", "Det talade ordet gäller",
   "Vid intresse från media", "…, säger utrikesminister …". A state document's
   phrases (directive, bill, inquiry, remiss) on a page that quotes an official
   ("– …, säger kulturminister …") make a press release about it.
5. A press release's headline as title: the government or an official doing something
   ("Regeringen föreslår …", "Skolministern bjuder in …"), an appointment ("Ny chef
   för …", "Nya ambassadörer …") or an engagement ("… talar vid …").
6. A weak heading: a title opening with "Avtal", "Riktlinjer", "Utredning" ….
7. What is left of news:
   - pressmeddelande: a press contact; an official quoted by title ("…, säger
     sjukvårdsminister Acko Ankarberg Johansson"); or an organisation announcing what
     it "har i dag" decided, with a quote;
   - rapport: a title that starts with a report word;
   - artikel: journalistic quotes ("– …, säger hon") without a header, or a piece
     signed by its authors at the end ("Jakob Forssmed (KD), socialminister").
8. Otherwise "other".
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archive.swedish import fold_case
from indexer.metadata.headings import _AFTER_HEADING, MAX_HEADING_WORDS
from indexer.metadata.people import roles_before
from indexer.metadata.text import alternation, strip_markup

if TYPE_CHECKING:
    from indexer.metadata.registry import Registry


def _packaged_types() -> tuple[str, ...]:
    with open(Path(__file__).parent / "data" / "doctypes.toml", "rb") as fh:
        return tuple(entry["name"] for entry in tomllib.load(fh)["type"])


#: The packaged vocabulary's types, and "other".
DOC_TYPES = (*_packaged_types(), "other")
#: Characters of the first page searched for the style phrases.
FIRST_PAGE = 3000
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
#: Said by the role that follows, perhaps the second of two joined by "och"
#: ("säger arbetsmarknads- och integrationsminister Mats Persson").
_SPEECH_BEFORE = re.compile(
    r"\b(?:säger|sade|sa|berättar|menar|skriver)(?:\s+[\wåäö]+-\s+(?:och|samt))?\s*$", re.I
)
#: How far before a role its verb of saying is looked for.
_SPEECH_REACH = 40
_SAYS = re.compile(r"\b(?:säger|sade|sa|berättar)[ \t]+")
#: A press release's headline, a sentence about the government or an official:
#: "Regeringen föreslår …", "Skolministern bjuder in …", "Finansminister Elisabeth
#: Svantesson presenterar …", "Statsråden Bohlin och Jonson gör …".
_OFFICIAL_ROLE = (
    r"(?i:regeringen|[\wåäö-]*(?:minister|statsråd|generaldirektör|landshövding|ambassadör|"
    r"kommunalråd|borgarråd)(?:n|en|et|er|erna)?)"
)
_HEADLINE_SUBJECT = re.compile(
    rf"^{_OFFICIAL_ROLE}(?:,?[ \t]+(?:[A-ZÅÄÖÉ][\w'’-]*|och))*[ \t]+"
    r"(?:[a-zåäö]+(?:r|s)|vill|ska|kan)\b"
)
#: … or an appointment or an official's engagement: "Ny chef för …", "Nya ambassadörer
#: till Sverige", "… talar vid …", "… fortsätter som ordförande", "… lämnar sitt uppdrag".
_HEADLINE_EVENT = re.compile(
    r"^(?:ny|nytt|nya)[ \t]+[\wåäö-]*(?:chef|direktör|ambassadör|landshövding|ordförande|"
    r"styrelse|ledam|rektor)"
    r"|\b(?:talar|medverkar|deltar)[ \t]+(?:vid|på|i)\b|\bbesöker\b|\bgör[ \t]+(?:[\wåäö]+[ \t]+)?besök\b"
    r"|\bbjuder[ \t]+in\b|\bfortsätter[ \t]+som\b|\blämnar[ \t]+sitt[ \t]+uppdrag\b"
    r"|\b(?:utses|utnämns|utsedd|utnämnd)[ \t]+till\b",
    re.I,
)
#: State documents do not quote people: an official's quoted words on a page make it
#: news about the directive, the inquiry or the bill, not the document itself.
_UNQUOTING = frozenset({"kommittédirektiv", "proposition", "utredning", "remiss"})


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
    """The document type of ``text`` (one of the vocabulary's types, or "other")."""
    vocabulary = registry.doc_type_index
    lines = _top_lines(text)
    own = vocabulary.designation(lines)
    if own:
        return own
    by_heading = _from_headings(lines, registry)
    if by_heading and by_heading != "beslut":
        return by_heading
    by_structure = _from_structure(text, registry)
    if by_structure is None:
        by_structure = (
            _from_phrases(text, registry)
            or _from_headline(title or (lines[0] if lines else ""))
            or _from_weak_headings(lines, vocabulary)
            or _from_news(text, registry, title)
        )
    if by_heading == "beslut" and by_structure not in _OUTRANK_DECISION:
        return "beslut"
    return by_structure


def _top_lines(text: str) -> list[str]:
    """The first ``HEADING_LINES`` non-blank lines, without Markdown markers."""
    lines = []
    for raw in text.splitlines():
        line = strip_markup(raw)
        if line:
            lines.append(line)
            if len(lines) == HEADING_LINES:
                break
    return lines


def _from_headings(lines: list[str], registry: Registry) -> str | None:
    headings = registry.heading_index
    for seen, line in enumerate(lines, start=1):
        doc_type = headings.doc_type_of_line(line)
        if doc_type == "beslut" and seen > DECISION_HEADING_LINES:
            continue
        if doc_type:
            return doc_type
    return None


def _from_phrases(text: str, registry: Registry) -> str | None:
    """The type the first page's style phrases show; a state document's phrases on a
    page that quotes an official ("– …, säger kulturminister …") are a press release's."""
    found = registry.doc_type_index.by_phrases(fold_case(text[:FIRST_PAGE]))
    if found in _UNQUOTING and _QUOTE.search(text, fold_case(text)) and _quotes_official(
        text, registry
    ):
        return "pressmeddelande"
    return found


def _from_headline(title: str) -> str | None:
    """pressmeddelande when the title reads as a press release's headline."""
    title = strip_markup(title)
    if _HEADLINE_SUBJECT.match(title) or _HEADLINE_EVENT.search(title):
        return "pressmeddelande"
    return None


def _quotes_official(text: str, registry: Registry) -> bool:
    """Whether the text quotes someone by role: "säger sjukvårdsminister Acko
    Ankarberg Johansson" or "säger Jakob Forssmed, socialminister"."""
    people = registry.people_index
    if any(
        _SPEECH_BEFORE.search(text[max(0, m.start() - _SPEECH_REACH) : m.start()])
        for m in roles_before(people.role_before, text)
    ):
        return True
    return any(people.role_after.match(text, m.end()) for m in _SAYS.finditer(text))


def _from_weak_headings(lines: list[str], vocabulary: DocTypeIndex) -> str | None:
    return next((found for line in lines if (found := vocabulary.weak_heading(line))), None)


def _from_structure(text: str, registry: Registry) -> str | None:
    """The type the structure of a municipal document shows, if any."""
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
    return None


def _from_news(text: str, registry: Registry, title: str | None) -> str:
    """pressmeddelande, rapport or artikel by what is left of news; else "other"."""
    folded = fold_case(text)
    people = registry.people_index
    official_quote = _quotes_official(text, registry)
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


#: Every designation has a number with a colon: "2007:60", "2008/09:5", "(1994:1809)".
_DESIGNATION_NUMBER = re.compile(r"\d\s?:\s?\d")
#: A phrase's regex up to its first special character, after a leading ``\b`` or ``^\s*``.
_LEADING_LITERAL = re.compile(r"^(?:\\b|\^\\s\*)?([^\\\[\](){}?*+|.^$]{3,})")


@dataclass(frozen=True)
class _Phrase:
    """A style phrase of a type, and the literal text it opens with (or "").

    Most first pages hold few of the vocabulary's phrases: ``hint in page`` (a
    substring search in C) rules most of them out before their regex runs.
    """

    doc_type: str
    hint: str
    pattern: re.Pattern[str]

    @classmethod
    def compile(cls, doc_type: str, pattern: str) -> _Phrase:
        literal = _LEADING_LITERAL.match(pattern)
        hint = literal.group(1) if literal else ""
        if literal and pattern[literal.end() : literal.end() + 1] in ("?", "*", "{"):
            hint = hint[:-1]  # "särskilda?": the last letter is optional
        return cls(doc_type, hint, re.compile(pattern, re.M))


@dataclass(frozen=True)
class DocTypeIndex:
    """The vocabulary's designations, weak headings and style phrases, compiled."""

    at_start: re.Pattern[str] | None
    after_label: re.Pattern[str] | None
    at_end: re.Pattern[str] | None
    weak_headings: tuple[tuple[str, re.Pattern[str]], ...]
    phrases: tuple[_Phrase, ...]
    types: tuple[str, ...]

    @classmethod
    def build(cls, registry: Registry) -> DocTypeIndex:
        types = tuple(t for t, _ in registry.doc_type_designations)
        either = "|".join(f"(?P<t{i}>{'|'.join(patterns)})"
                          for i, (_, patterns) in enumerate(registry.doc_type_designations))

        def compiled(pattern: str) -> re.Pattern[str] | None:
            return re.compile(pattern, re.I) if either else None

        weak = [(doc_type, re.compile(rf"^(?:{alternation(words)}){_AFTER_HEADING}", re.I))
                for doc_type, words in registry.doc_type_weak_headings]
        phrases = tuple(_Phrase.compile(doc_type, pattern)
                        for doc_type, patterns in registry.doc_type_phrases for pattern in patterns)
        return cls(
            at_start=compiled(f"(?:{either})"),
            after_label=compiled(rf"(?:id-nummer|beteckning|nummer)\s*[:·]\s*(?:{either})"),
            at_end=compiled(rf",\s+(?:{either})\s*$"),
            weak_headings=tuple(weak),
            phrases=phrases,
            types=types,
        )

    def designation(self, lines: list[str]) -> str | None:
        """The type of the first line carrying a document's own designation: at its
        start, after an "ID-nummer:" label, or ending a title after a comma."""
        if self.at_start is None or self.after_label is None or self.at_end is None:
            return None
        for line in lines:
            if not _DESIGNATION_NUMBER.search(line):
                continue
            found = (self.at_start.match(line)
                     or ("ummer" in line or "eteckning" in line) and self.after_label.search(line)
                     or "," in line and self.at_end.search(line))
            if found and found.lastgroup:
                return self.types[int(found.lastgroup[1:])]
        return None

    def weak_heading(self, line: str) -> str | None:
        if len(line.split()) > MAX_HEADING_WORDS * 3:
            return None
        return next((t for t, pattern in self.weak_headings if pattern.match(line)), None)

    def by_phrases(self, folded: str) -> str | None:
        """The type with most style phrases in ``folded`` (the first page, case-folded);
        a tie goes to the type listed first."""
        counts: Counter[str] = Counter(
            phrase.doc_type for phrase in self.phrases
            if phrase.hint in folded and phrase.pattern.search(folded)
        )
        if not counts:
            return None
        best = max(counts.values())
        return next(t for t in counts if counts[t] == best)
