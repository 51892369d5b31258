"""Marking what a query matched: snippets for the search page, whole texts for the
document page.

Owns :class:`_Highlights` (what a compiled query matches: words, stems, prefixes,
phrases) and :class:`_Marker`, the one highlighter of the archive: it finds candidate
words with ``str.find`` and keeps those the query's analysis (:mod:`archive.engine.analysis`)
matches; a phrase is marked only where its words stand together. The search page's
snippets and the document page's full text (``Searcher.highlighter``) are marked by it,
so both mark the same words.

Touches no Whoosh internals.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from archive.engine.analysis import STEMMING, foreign_stems
from archive.models import Document
from archive.query import (
    Snippet,
)

SNIPPETS_PER_HIT = 3
SNIPPET_CHARS = 220

@dataclass
class _Highlights:
    """What a query matched, to mark in snippets: words, stems and word beginnings, and
    phrases (the stems of words in a row: marked only where they stand together)."""

    words: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    phrases: list[list[str]] = field(default_factory=list)



_WORD_CHAR = re.compile(r"[^\W_]")


class _Marker:
    """Finds the query's matches in a text and cuts snippets around them.

    The candidate places are found with ``str.find`` (in C) for each needle — the query
    words, their stems, the stems less their last letter, and the compounds and
    accented forms the query was expanded to — anywhere in a word; only the words found
    there are then checked with the same analysis the search used. A 13 KB text takes
    a fraction of a millisecond.
    """

    def __init__(self, highlights: _Highlights) -> None:
        self.highlights = highlights
        needles = set()
        bare_stems = {stem.partition(":")[2] or stem for stem in highlights.stems}
        for word in highlights.words | bare_stems | highlights.prefixes:
            needles.add(word)
            if len(word) > 4:
                needles.add(word[:-1])
        needles.discard("")
        # A needle containing another finds nothing the other does not.
        self.needles = [n for n in needles if not any(m != n and m in n for m in needles)]
        self.verdicts: dict[str, bool] = {}
        # A phrase: its words' stems in a row, up to two (stop) words between them.
        self.phrases = [
            re.compile(r"(?<![^\W_])" + r"[^\W_]*[\W_]+(?:[^\W_]+[\W_]+){0,2}?".join(
                re.escape(stem) for stem in phrase) + r"[^\W_]*")
            for phrase in highlights.phrases
        ]

    def matches_word(self, word: str) -> bool:
        verdict = self.verdicts.get(word)
        if verdict is None:
            h = self.highlights
            verdict = (
                word in h.words
                or STEMMING["sv"]._stem(word) in h.stems
                or STEMMING["en"]._stem(word) in h.stems
                or any(stem in h.stems for stem in foreign_stems(word))
                or any(word.startswith(p) for p in h.prefixes)
            )
            self.verdicts[word] = verdict
        return verdict

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every matching word in ``text``."""
        lowered = text.lower()
        if len(lowered) != len(text):  # a few characters lowercase to two
            lowered = "".join(c.lower()[:1] for c in text)
        words: dict[int, int] = {}
        for needle in self.needles:
            at = lowered.find(needle)
            while at >= 0:
                start, end = at, at + len(needle)
                while start > 0 and _WORD_CHAR.match(lowered, start - 1):
                    start -= 1
                while end < len(lowered) and _WORD_CHAR.match(lowered, end):
                    end += 1
                words[start] = end
                at = lowered.find(needle, end)
        found = [(s, e) for s, e in words.items() if self.matches_word(lowered[s:e])]
        for pattern in self.phrases:
            found += [m.span() for m in pattern.finditer(lowered)]
        spans: list[tuple[int, int]] = []
        for start, end in sorted(found):
            if spans and start < spans[-1][1]:  # a word inside a marked phrase
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
        return spans

    def matches(self, text: str) -> bool:
        """True when the query matches somewhere in ``text``."""
        return bool(self.spans(text))

    def mark(self, text: str) -> str:
        """The whole ``text`` as HTML: escaped, every match in ``<mark>`` (the document
        page marks what the search matched, the way snippets do)."""
        parts: list[str] = []
        position = 0
        for start, end in self.spans(text):
            parts.append(html.escape(text[position:start], quote=True))
            parts.append(f"<mark>{html.escape(text[start:end], quote=True)}</mark>")
            position = end
        parts.append(html.escape(text[position:], quote=True))
        return "".join(parts)

    def snippets(self, doc: Document) -> list[Snippet]:
        text = doc.text
        spans = self.spans(text)
        if not spans:
            lead = _window(text, 0, 0)
            return [Snippet(_render(text, lead, []), 1)] if text.strip() else []
        windows = _choose_windows(text, spans)
        return [
            Snippet(_render(text, window, spans), doc.page_of(first))
            for window, first in windows
        ]


    def arende_snippets(self, source: Document | None, arende: dict[str, Any]) -> list[Snippet]:
        """An ärende's decision (or proposal) first, then where else in it the query matched.

        ``source`` is the document the ärende's offsets point into (None when gone).
        """
        start, end = arende.get("start"), arende.get("end")
        text = ""
        if source is not None and isinstance(start, int) and isinstance(end, int):
            text = source.text[start:end]
        pages = arende.get("pages") or [1]
        snippets: list[Snippet] = []
        decided = (-1, -1)  # where the decision stands in ``text``
        decision = arende.get("decision")
        if isinstance(decision, str) and decision.strip():
            spans = self.spans(decision)
            window = _window(decision, *spans[0]) if spans else _window(decision, 0, 0)
            at = text.find(decision[:40]) if text else -1
            page = source.page_of(start + at) if source is not None and at >= 0 else pages[0]
            if at >= 0:
                decided = (at, at + len(decision))
            label = "decision" if arende.get("status") else "proposal"
            snippets.append(Snippet(_render(decision, window, spans), page, label))
        if not text:
            return snippets
        spans = [span for span in self.spans(text)
                 if not decided[0] <= span[0] < decided[1]]
        if not spans:
            if not snippets:
                snippets.append(Snippet(_render(text, _window(text, 0, 0), []), pages[0]))
            return snippets
        for window, first in _choose_windows(text, spans)[: SNIPPETS_PER_HIT - len(snippets)]:
            snippets.append(Snippet(_render(text, window, spans), source.page_of(start + first)))
        return snippets


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    """A window of about ``SNIPPET_CHARS`` around [start, end), cut at spaces."""
    room = max(0, SNIPPET_CHARS - (end - start))
    left = max(0, start - room // 3)
    right = min(len(text), max(end, left + SNIPPET_CHARS))
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else right
    return left, right


def _choose_windows(text: str, spans: list[tuple[int, int]]) -> list[tuple[tuple[int, int], int]]:
    """Up to three non-overlapping windows holding the most different matched words."""
    lowered = [text[s:e].lower() for s, e in spans]
    candidates = []
    j = 0
    for i, (start, _) in enumerate(spans):
        j = max(j, i)
        while j + 1 < len(spans) and spans[j + 1][1] - start <= SNIPPET_CHARS * 2 // 3:
            j += 1
        distinct = len(set(lowered[i : j + 1]))
        candidates.append((distinct, j - i, -start, i, j))
    chosen: list[tuple[tuple[int, int], int]] = []
    for _, _, _, i, j in sorted(candidates, reverse=True):
        window = _window(text, spans[i][0], spans[j][1])
        if all(window[1] <= w[0] or window[0] >= w[1] for w, _ in chosen):
            chosen.append((window, spans[i][0]))
        if len(chosen) == SNIPPETS_PER_HIT:
            break
    return sorted(chosen)


def _render(text: str, window: tuple[int, int], spans: list[tuple[int, int]]) -> str:
    """The window as HTML: escaped, whitespace collapsed, matches in ``<mark>``."""
    left, right = window
    parts = ["…"] if left > 0 else []
    position = left
    for start, end in spans:
        if end <= left or start >= right:
            continue
        start, end = max(start, left), min(end, right)
        parts.append(_plain(text[position:start]))
        parts.append(f"<mark>{_plain(text[start:end])}</mark>")
        position = end
    parts.append(_plain(text[position:right]))
    if right < len(text):
        parts.append("…")
    return "".join(parts).strip()


def _plain(text: str) -> str:
    return html.escape(re.sub(r"\s+", " ", text), quote=True)



