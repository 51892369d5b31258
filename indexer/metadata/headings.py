"""Header lines of a document: doc-type headings, section headings, field labels.

The word lists live in ``data/headings.toml``; this module turns them into line tests
that doc_type, title and dates share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.metadata.text import alternation, strip_markup

if TYPE_CHECKING:
    from indexer.metadata.registry import Registry

_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+")
#: Separators a layout puts between a doc-type word and what follows: "Pressmeddelande • Jun 25".
_AFTER_HEADING = r"(?:$|\s*[:•·|–—-]|\s+\S)"
#: How many words a line may have and still be a heading rather than prose.
MAX_HEADING_WORDS = 8


@dataclass(frozen=True)
class HeadingIndex:
    """Line tests built from the heading and label lists of the registry."""

    doc_type_patterns: tuple[tuple[str, re.Pattern[str]], ...]
    section_headings: frozenset[str]
    label_line: re.Pattern[str]
    unit_line: re.Pattern[str]

    @classmethod
    def build(cls, registry: Registry) -> HeadingIndex:
        """Compile the registry's heading lists."""
        patterns = []
        for doc_type, words in registry.doc_type_headings:
            patterns.append(
                (doc_type, re.compile(rf"^(?P<words>{alternation(words)}){_AFTER_HEADING}", re.I))
            )
        labels = alternation(registry.header_labels)
        bare_labels = alternation(registry.header_labels_without_colon)
        return cls(
            doc_type_patterns=tuple(patterns),
            section_headings=registry.section_headings,
            label_line=re.compile(rf"^(?:(?:{labels})\s*(?:[:.…]|$)|(?:{bare_labels})\s+\S)", re.I),
            unit_line=re.compile(rf"^(?:{alternation(registry.unit_words)})\b", re.I),
        )

    def doc_type_of_line(self, line: str) -> str | None:
        """The doc type a short heading line announces ("TJÄNSTEUTLÅTANDE" → tjänsteutlåtande)."""
        line = strip_markup(line)
        if not line or len(line.split()) > MAX_HEADING_WORDS:
            return None
        for doc_type, pattern in self.doc_type_patterns:
            if pattern.match(line):
                return doc_type
        return None

    def heading_end(self, line: str) -> int | None:
        """Where the doc-type heading words opening ``line`` end ("Regeringens
        proposition 2008/09:5" → 23), or None when no doc-type heading opens it."""
        line = strip_markup(line)
        for _doc_type, pattern in self.doc_type_patterns:
            found = pattern.match(line)
            if found:
                return found.end("words")
        return None

    def opens_with(self, line: str, doc_type: str) -> bool:
        """Whether the line, however long, opens with a heading word of ``doc_type``
        ("Rapport angående genomförda aktiviteter …" → rapport)."""
        line = strip_markup(line)
        return any(t == doc_type and p.match(line) for t, p in self.doc_type_patterns)

    def is_section_heading(self, line: str) -> bool:
        """Whether the line is a section heading such as "Bakgrund" or "2. Ärendet"."""
        line = _NUMBERING.sub("", strip_markup(line)).rstrip(":").strip().lower()
        return line in self.section_headings

    def is_unit_line(self, line: str) -> bool:
        """Whether the line names a unit ("Avdelningen för individ- och familjeomsorg")."""
        line = strip_markup(line)
        return len(line.split()) <= MAX_HEADING_WORDS and bool(self.unit_line.match(line))

    def is_label_line(self, line: str) -> bool:
        """Whether the line is a header field ("Handläggare: …", "Till", "Dnr 12/2004")."""
        return bool(self.label_line.match(strip_markup(line)))
