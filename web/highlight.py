"""Marking a search's words in a document's full text (the document page after a search).

The search engine marks matches in its snippets; the full text shown on a document
page is marked here, by word prefix, which is close enough to the engine's Swedish
stemming for a reader's eye: ``hemlösa`` marks hemlös, hemlösa, hemlösheten.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_OPERATORS = frozenset({"and", "or", "not", "och", "eller", "inte"})
_WORD = re.compile(r"\w+")
_FIELD_PREFIX = re.compile(r"\b\w+:")
#: Excluded words (NOT x, INTE x, -x, also quoted) are not marked.
_EXCLUDED = re.compile(r'(?:\b(?:NOT|INTE)\s+|(?<!\S)-)(?:"[^"]*"|\S+)')
#: Inflection endings taken off a query word before it is matched as a prefix.
_ENDINGS = (
    "heterna", "heten", "het", "erna", "arna", "orna", "ande", "ende", "are",
    "en", "et", "er", "ar", "or", "na", "a", "e", "s",
)
MIN_STEM = 4
#: Most words marked: a pasted page must not turn into a huge pattern.
MAX_TERMS = 20


def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def query_terms(query: str) -> list[str]:
    """The word stems of a query, without operators, field names and excluded words."""
    words = _WORD.findall(_FIELD_PREFIX.sub(" ", _EXCLUDED.sub(" ", query)).lower())
    stems = dict.fromkeys(_stem(w) for w in words if w not in _OPERATORS and len(w) >= 2)
    return list(stems)[:MAX_TERMS]


class Highlighter:
    """Marks the words of one query in texts: escapes everything, wraps matches in <mark>."""

    def __init__(self, query: str) -> None:
        terms = sorted(query_terms(query), key=len, reverse=True)
        self.pattern = (
            re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\w*", re.IGNORECASE)
            if terms
            else None
        )

    def matches(self, text: str) -> bool:
        return bool(self.pattern and self.pattern.search(text))

    def __call__(self, text: str) -> Markup:
        if self.pattern is None:
            return escape(text)
        parts: list[Markup] = []
        position = 0
        for match in self.pattern.finditer(text):
            parts.append(escape(text[position : match.start()]))
            parts.append(Markup("<mark>%s</mark>") % match.group())
            position = match.end()
        parts.append(escape(text[position:]))
        return Markup("").join(parts)
