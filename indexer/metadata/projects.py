"""Projects: registry matches, and discovery of project names not yet registered.

Registry entries (corpus/projects.toml) are matched by name and aliases: a one-word
form as written (case-sensitive, whole word, also in all capitals, genitive -s
allowed: "MAGIC", "ResursUtbytes"); a form of several words in any case, with any
punctuation or line break between its words ("Cities´Strategies Against Homelessness").

Discovery finds names a document presents as a project:
- acronym definitions, both ways, in a sentence about a project, an application, a
  programme or a model: "Projektet har utgångspunkterna forskning, utveckling,
  erfarenhet och lärande (FUEL)", "enligt modellen MUST (Mutual Study Visits)" —
  checked with the Schwartz–Hearst rule (the acronym's letters appear in order in
  the long form, the first at a word start);
- a capitalised name after a cue word: "projektet Vägen in", "modellen MUST";
- a quoted name just after a cue word: "under arbetsnamnet ”Accessible Cities”".
Acronyms whose long form names an organisation, body, method or plan
("Eurocities sociala och ekonomiska kommitté (ESWC)"), the stoplist in
data/discovery.toml and the names staff rejected (``rejected`` in projects.toml) are
not projects. Names already in the registry count as projects; the others are
``project_candidates`` for staff to review. A candidate the document names as a
project, programme or network (an acronym defined in a project sentence, or a name
after a strong cue: "projektet Vägen in") is a suggested project at once: searchable
as a project, shown as "föreslaget" until staff confirm it (add it to the registry)
or reject it.

Discovered names are normalised so one project is one name: typographic apostrophes,
quotes and dashes as the plain ones ("Cities´Strategies" and "Cities’ Strategies" are
"Cities' Strategies"), and a header label or section heading that a line break ran
into the name cut off ("Vägen in Dnr SN" is "Vägen in").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.metadata.text import alternation, collapse

if TYPE_CHECKING:
    from indexer.metadata.headings import HeadingIndex
    from indexer.metadata.registry import Registry

_QUOTES = '"”“„«»'
_SHORT_AFTER = re.compile(r"\(\s*(?P<short>[A-ZÅÄÖ][\wÅÄÖåäö-]{1,11})\s*\)")
_SHORT_BEFORE = re.compile(
    r"(?<![\w-])(?P<short>[A-ZÅÄÖ][A-ZÅÄÖ0-9-]{1,9})\s*\((?P<long>[^()]{3,120})\)"
)
#: What ends the long-form window before "(ACRONYM)" (a line break inside a
#: paragraph does not: raw PDF text wraps long forms).
_CLAUSE_BREAK = re.compile(r"[.:;!?()]|\n\s*\n|\s[–—]\s")
_NAME_WORD = r"(?:[A-ZÅÄÖ][\wÅÄÖåäö-]*)"
_LOWER_WORD = r"(?:[a-zåäö][a-zåäö-]*)"
#: Words that start the rest of a sentence after a name ("Trygg i Skärholmen har …"):
#: a name may be followed by one, but never ends with one.
_STOP_WORD = (
    r"(?:har|är|ska|var|blir|kan|som|och|att|med|för|till|på|av|under|inom|där|vilket|"
    r"samt|eller|men|is|has|and|the)\b"
)
#: What may follow a name: punctuation, the end of a line, a year ("Bostad först 2023").
_NAME_END = r"(?=\s*(?:[,.;:()]|$)|\s(?:19|20)\d\d\b)"
_WORD = re.compile(r"[\wÅÄÖåäö]+")
#: Capitalised words that open sentences, never names.
_NOT_NAME_START = frozenset(
    {"Det", "Den", "De", "Detta", "Denna", "Dessa", "Som", "Vi", "Han", "Hon", "Man", "Jag",
     "Ett", "En", "I", "Om", "Och", "Att", "Är", "Har", "Ska"}
)  # fmt: skip


@dataclass(frozen=True)
class ProjectIndex:
    """The registry's names and aliases as one regex, plus the discovery rules."""

    pattern: re.Pattern[str] | None
    canonical: dict[str, str]
    cue_name: re.Pattern[str]
    not_projects: frozenset[str]
    not_project_words: re.Pattern[str]
    definition_cue: re.Pattern[str]
    strong_cues: frozenset[str]
    rejected: frozenset[str]

    @classmethod
    def build(cls, registry: Registry) -> ProjectIndex:
        """Compile the registry's projects and the discovery lists."""
        exact: list[str] = []
        loose: list[str] = []
        canonical: dict[str, str] = {}
        for project in registry.projects:
            for form in (project.name, *project.aliases):
                words = _WORD.findall(form)
                if len(words) == 1:
                    for variant in {form, form.upper()}:
                        exact.append(re.escape(variant) + "s?")
                        canonical[variant] = project.name
                else:
                    loose.append(r"[\W_]+".join(re.escape(w) for w in words))
                    canonical[_loose_key(form)] = project.name
        branches = []
        if exact:
            branches.append("|".join(sorted(exact, key=len, reverse=True)))
        if loose:
            branches.append("(?i:" + "|".join(sorted(loose, key=len, reverse=True)) + ")")
        cues = alternation(registry.project_name_cues)
        not_words = alternation(registry.not_project_words)
        quoted = rf"[{_QUOTES}](?P<quoted>[^{_QUOTES}\n]{{3,80}}?)\s*[{_QUOTES}]"
        capitalised = rf"{_NAME_WORD}(?:[ ](?:{_LOWER_WORD}[ ]){{0,2}}{_NAME_WORD}){{0,3}}"
        word = rf"[ ](?!{_STOP_WORD}){_LOWER_WORD}"
        tail = rf"{word}(?:(?:[ ]{_LOWER_WORD})?{word})?"
        named = rf"(?P<name>{capitalised}{tail}{_NAME_END}|{capitalised}(?={_NAME_END}|[ ]{_STOP_WORD}))"
        return cls(
            pattern=(
                re.compile(r"(?<![\w-])(?:" + "|".join(branches) + r")(?![\w])")
                if branches
                else None
            ),
            canonical=canonical,
            cue_name=re.compile(
                rf"(?<![\w-])(?P<cue>(?i:{cues}))\s+(?:(?:[a-zåäö]+\s+){{0,3}}{quoted}|{named})",
                re.M,
            ),
            not_projects=registry.not_projects,
            not_project_words=re.compile(rf"(?i:\b{not_words}|{not_words}\w{{0,3}}\b)"),
            definition_cue=re.compile(alternation(registry.project_definition_cues), re.I),
            strong_cues=frozenset(c.casefold() for c in registry.project_strong_cues),
            rejected=frozenset(project_key(n) for n in registry.rejected_projects),
        )

    def registered(self, name: str) -> str | None:
        """The registry's canonical name for ``name``, if it is registered."""
        return self.canonical.get(name) or self.canonical.get(_loose_key(name))

    def find(self, text: str) -> list[str]:
        """Registry projects named in ``text``, canonical names in order of appearance."""
        if self.pattern is None:
            return []
        found: list[str] = []
        for match in self.pattern.finditer(text):
            form = match.group(0)
            name = self.canonical.get(form) or self.canonical.get(form[:-1])
            name = name or self.canonical.get(_loose_key(form))
            if name and name not in found:
                found.append(name)
        return found


def _loose_key(form: str) -> str:
    return " ".join(w.lower() for w in _WORD.findall(form))


_APOSTROPHES = str.maketrans({c: "'" for c in "´’‘`ʼ′"} | {c: '"' for c in "”“„«»″"}
                             | {c: "-" for c in "‐‑‒"})
_GLUED_APOSTROPHE = re.compile(r"(?<=\w)'(?=[A-ZÅÄÖ])")


def normalise_project_name(name: str) -> str:
    """One spelling of a project name: plain apostrophes, quotes and hyphens, single
    spaces, and a space after an apostrophe glued to the next word ("Cities´Strategies")."""
    name = collapse(name.translate(_APOSTROPHES))
    return _GLUED_APOSTROPHE.sub("' ", name).strip(" ,.;:")


def project_key(name: str) -> str:
    """How two spellings of one project compare: normalised and casefolded."""
    return normalise_project_name(name).casefold()


def discover_project_candidates(text: str, registry: Registry) -> list[str]:
    """Names ``text`` presents as projects that are not in the registry."""
    return [name for name, _strong in discover_projects(text, registry)]


def discover_projects(text: str, registry: Registry) -> list[tuple[str, bool]]:
    """Names ``text`` presents as projects that are not in the registry, each with
    whether the text names it as a project, programme or network (a suggested project)."""
    index = registry.project_index
    labels = registry.heading_index
    candidates: dict[str, tuple[str, bool]] = {}
    for raw, strong in _discovered_names(text, index):
        name = _without_trailing_label(normalise_project_name(raw), labels)
        key = project_key(name)
        if (
            not name
            or name in index.not_projects
            or key in index.rejected
            or index.registered(name)
            or index.find(name)  # a registered name and the words after it
            or registry.place_index.lookup(name)
        ):
            continue
        if key in candidates:
            first, was_strong = candidates[key]
            candidates[key] = (first, was_strong or strong)
        else:
            candidates[key] = (name, strong)
    return list(candidates.values())


def _without_trailing_label(name: str, labels: HeadingIndex) -> str:
    """The name up to a header label or section heading a line break ran into it."""
    words = name.split()
    for i, word in enumerate(words[1:], start=1):
        if labels.is_label_line(word) or labels.is_section_heading(word):
            return " ".join(words[:i])
    return name


def _discovered_names(text: str, index: ProjectIndex) -> list[tuple[str, bool]]:
    found: list[tuple[int, str, bool]] = []
    for match in _SHORT_AFTER.finditer(text):
        short = match.group("short")
        window = _CLAUSE_BREAK.split(text[max(0, match.start() - 160) : match.start()])[-1]
        long_form = _long_form(short, window)
        if long_form and _presents_project(text, match, long_form, index):
            found.append((match.start(), short, True))
    # Not searched without a parenthesis, which it needs (cheaper than finding nothing).
    for match in _SHORT_BEFORE.finditer(text) if "(" in text else ():
        short, inside = match.group("short"), match.group("long").strip()
        if _long_form(short, inside) == inside and _presents_project(text, match, inside, index):
            found.append((match.start(), short, True))
    for match in index.cue_name.finditer(text):
        name = collapse(match.group("quoted") or match.group("name") or "")
        if name and name.split()[0] not in _NOT_NAME_START:
            found.append((match.start(), name, match.group("cue").casefold() in index.strong_cues))
    found.sort()
    return [(name, strong) for _, name, strong in found]


def _presents_project(text: str, match: re.Match[str], long_form: str, index: ProjectIndex) -> bool:
    """Whether an acronym definition's sentence presents a project, not a body or term."""
    if index.not_project_words.search(long_form):
        return False
    start = max(text.rfind(". ", 0, match.start()), text.rfind("\n\n", 0, match.start()), 0)
    stops = [i for i in (text.find(". ", match.end()), text.find("\n\n", match.end())) if i >= 0]
    return bool(index.definition_cue.search(text[start : min(stops, default=len(text))]))


def _long_form(short: str, window: str) -> str | None:
    """The long form in ``window`` that ``short`` abbreviates (Schwartz & Hearst 2003).

    Each letter of the short form, from the last, is found going backwards in the
    window; the first letter must start a word. The long form may have at most
    ``len(short) + 5`` words, and when the short form is an ordinary capitalised word
    ("Alfa" for "Ett tillgängligt arbetsliv för alla") two to ``len(short) + 1``; an
    acronym may abbreviate one compound ("Rosengårdsmodellen (RGM)").
    """
    letters = [c.lower() for c in short if c.isalnum()]
    text = window.lower()
    pos = len(text) - 1
    for i in range(len(letters) - 1, -1, -1):
        while pos >= 0 and (
            text[pos] != letters[i] or (i == 0 and pos > 0 and text[pos - 1].isalnum())
        ):
            pos -= 1
        if pos < 0:
            return None
        pos -= 1
    start = pos + 1
    long_form = window[start:].strip(" ,")
    words = _WORD.findall(long_form)
    if len(words) > len(letters) + 5 or (len(words) < 2 and not short.isupper()):
        return None
    if not short.isupper() and len(words) > len(letters) + 1:
        return None
    return long_form
