"""Small text helpers shared by the extractors."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Markup a text rendering may leave around a line: "# Title", "**Title**", "## 1. Bakgrund".
_MARKUP = re.compile(r"^[#*_\s]+|[*_\s]+$")
_SPACES = re.compile(r"\s+")
_NON_BLANK_LINE = re.compile(r"[^\n]*\S[^\n]*")


def strip_markup(line: str) -> str:
    """The line without Markdown heading/bold markers and surrounding space."""
    if line and line[0] not in "#*_" and line[-1] not in "*_" and not line[0].isspace() and not line[-1].isspace():
        return line  # nothing to strip: most lines (the regex tries every position)
    return _MARKUP.sub("", line)


def collapse(text: str) -> str:
    """``text`` with every run of whitespace (line breaks too) as one space."""
    return _SPACES.sub(" ", text).strip()


def alternation(words: Iterable[str]) -> str:
    """A regex matching any of ``words`` literally, the longest one where several match.

    The words are laid out as a trie ("socialnämnd|socialtjänst" → "social(?:nämnd|tjänst)")
    so the regex engine tries one branch per next character instead of every word in
    turn; a space in a word matches any run of whitespace.
    """
    trie: dict[str, dict] = {}
    for word in set(words):
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie) if trie else "(?!)"


def _trie_regex(node: dict[str, dict]) -> str:
    branches = [
        (r"\s+" if ch == " " else re.escape(ch)) + _trie_regex(child)
        for ch, child in sorted(node.items())
        if ch
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{body})?"
    return body


def line_start(text: str, offset: int) -> int:
    """Offset of the start of the line that holds ``offset``."""
    return text.rfind("\n", 0, offset) + 1


def line_at(text: str, offset: int) -> str:
    """The whole line that holds ``offset``, stripped."""
    stop = text.find("\n", offset)
    return text[line_start(text, offset) : stop if stop >= 0 else len(text)].strip()


def previous_line(text: str, offset: int) -> str:
    """The nearest non-blank line above the line that holds ``offset``, stripped."""
    end = line_start(text, offset) - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip()
        if line:
            return strip_markup(line)
        end = start - 1
    return ""


def header_end(text: str, lines: int) -> int:
    """Offset just past the first ``lines`` non-blank lines: the document's header."""
    for seen, match in enumerate(_NON_BLANK_LINE.finditer(text), start=1):
        if seen == lines:
            return match.end()
    return len(text)
