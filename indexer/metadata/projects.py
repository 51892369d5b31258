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
("Eurocities sociala och ekonomiska kommitté (ESWC)"), and the stoplist in
data/discovery.toml, are not projects. Names already in the registry count as
projects; the others are ``project_candidates`` for staff to review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.metadata.text import alternation, collapse

if TYPE_CHECKING:
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
                rf"(?<![\w-])(?i:{cues})\s+(?:(?:[a-zåäö]+\s+){{0,3}}{quoted}|{named})",
                re.M,
            ),
            not_projects=registry.not_projects,
            not_project_words=re.compile(rf"(?i:\b{not_words}|{not_words}\w{{0,3}}\b)"),
            definition_cue=re.compile(alternation(registry.project_definition_cues), re.I),
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


def discover_project_candidates(text: str, registry: Registry) -> list[str]:
    """Names ``text`` presents as projects that are not in the registry."""
    index = registry.project_index
    candidates: list[str] = []
    for name in _discovered_names(text, index):
        if (
            name in index.not_projects
            or index.registered(name)
            or registry.place_index.lookup(name)
            or name in candidates
        ):
            continue
        candidates.append(name)
    return candidates


def _discovered_names(text: str, index: ProjectIndex) -> list[str]:
    found: list[tuple[int, str]] = []
    for match in _SHORT_AFTER.finditer(text):
        short = match.group("short")
        window = _CLAUSE_BREAK.split(text[max(0, match.start() - 160) : match.start()])[-1]
        long_form = _long_form(short, window)
        if long_form and _presents_project(text, match, long_form, index):
            found.append((match.start(), short))
    # Not searched without a parenthesis, which it needs (cheaper than finding nothing).
    for match in _SHORT_BEFORE.finditer(text) if "(" in text else ():
        short, inside = match.group("short"), match.group("long").strip()
        if _long_form(short, inside) == inside and _presents_project(text, match, inside, index):
            found.append((match.start(), short))
    for match in index.cue_name.finditer(text):
        name = collapse(match.group("quoted") or match.group("name") or "")
        if name and name.split()[0] not in _NOT_NAME_START:
            found.append((match.start(), name))
    found.sort()
    return [name for _, name in found]


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
