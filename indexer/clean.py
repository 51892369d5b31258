"""From raw extracted text to clean, searchable text (pure functions, no I/O).

Raw text out of PDFs is a set of visual lines: words hyphenated at line ends, hard
wraps inside paragraphs, stray runs of spaces, running headers and page numbers on
every page, footnote numbers glued to words ("Lissabonstrategin1"). Cleaning undoes
that, with rules chosen for Swedish municipal documents:

- A line-end hyphen followed by a lowercase word part is a hyphenation and is removed
  (``kon-/takter`` → ``kontakter``, ``Hökar-/ängsskolan`` → ``Hökarängsskolan``).
- It is a real hyphen, and stays, when the next part is capitalised
  (``Hägersten-/Liljeholmen``), when the first part is an acronym, a number or a single
  letter (``EU-/medborgare``, ``FoU-/plan``, ``e-/post``), or when the document spells the same
  compound with a hyphen elsewhere (``Equal-/ansökan`` beside ``Equal-ansökan``).
- Before ``och``/``eller``/``samt`` it is a suspended compound and stays with its space
  (``forsknings-/och utvecklingsplan`` → ``forsknings- och utvecklingsplan``).
- Hard-wrapped lines are rejoined into paragraphs; blank lines, headings, list items,
  the § lines of minutes (``§ 45 Dnr BN 2023/0207``) and short lines (letterhead
  fields such as ``Handläggare: …``) keep their breaks.
- Page numbers (``3``, ``- 3 -``, ``Sida 3 av 10``, ``3 (10)``) at the top or bottom
  of a page are dropped (bare numbers when they are the first or last line, or count
  up with the pages); a running header or footer (the same first or last lines on
  most pages, digits ignored) is kept once, where it first appears, so its words stay
  searchable and a letterhead naming the förvaltning is not lost.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

PAGE_SEPARATOR = "\n\n"

#: How many non-blank lines at the top and bottom of a page may be page furniture
#: (pdfium gives lines in content-stream order, so a header may follow a line or two).
EDGE_LINES = 4
#: A line at least this share of the typical line width was wrapped by the layout.
FULL_LINE_RATIO = 0.6
#: A heading is a line shorter than this share of the typical width.
HEADING_RATIO = 0.85
#: Typical line widths (in characters) that mark a text as hard-wrapped.
WRAPPED_WIDTH = (40, 160)
#: Words after a line-end hyphen that make it a suspended compound ("forsknings- och").
SUSPENDING_WORDS = frozenset({"och", "eller", "samt", "respektive", "resp", "liksom", "and", "or"})

_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
_CHAR_TABLE = str.maketrans(
    {
        **{space: " " for space in _SPACES},
        **_LIGATURES,
        "\u2028": "\n",
        "\u2029": "\n\n",
        "\x0b": "\n",
    }
)
_TABLE_CHARS = re.escape("".join(map(chr, _CHAR_TABLE)))
#: Any character of the table: most texts have none, and translating is slow.
_TRANSLATED = re.compile(f"[{_TABLE_CHARS}]")
#: Control characters except tab, newline and form feed; Unicode format characters
#: (zero-width spaces, direction marks, BOM); noncharacters pdfium emits (U+FFFE/FFFF).
_INVISIBLE_CHARS = r"\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufffe\uffff"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
#: Word processors export list bullets from the Symbol/Wingdings fonts as private-use
#: characters (U+F0B7 and friends); at the start of a line they are bullets.
_PRIVATE_USE_CHARS = r"\ue000-\uf8ff"
_PRIVATE_BULLET = re.compile(rf"^[ \t]*[{_PRIVATE_USE_CHARS}](?=[ \t])", re.MULTILINE)
_PRIVATE_USE = re.compile(f"[{_PRIVATE_USE_CHARS}]")
#: Every character ``normalise_characters`` does more to than compose (NFC): line ends
#: other than "\n", the table's, soft hyphens, invisible and private-use characters.
#: Most texts have none, and one search for them spares the five passes that deal
#: with them. (NFC never makes one of them of other characters: see the tests.)
_ODD_CHARACTER = re.compile(f"[\r\u00ad{_TABLE_CHARS}{_INVISIBLE_CHARS}{_PRIVATE_USE_CHARS}]")

#: Page numbers spelled out ("- 3 -", "Sida 3 av 10", "3 (10)"): furniture anywhere
#: near a page edge.
_PAGE_NUMBER = re.compile(
    r"""^(?:
        [-–—]\s*\d{1,4}\s*[-–—]                                      # - 3 -
      | (?:sida|sid\.?|s\.|page|p\.)\s*\d{1,4}
        (?:\s*(?:av|of|/)\s*\d{1,4}|\s*\(\d{1,4}\))?                  # Sida 3 av 10, Sid 1 (1)
      | \d{1,4}\s*\(\d{1,4}\)                                        # 3 (10)
      | \d{1,4}\s*(?:/|av|of)\s*\d{1,4}                              # 3/10, 3 av 10
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
#: A bare number is a page number as the very first or last line of a page, or near
#: an edge when such numbers count up with the pages.
_BARE_NUMBER = re.compile(r"^\d{1,3}$")
#: Lines that start a list item, a numbered section or a § of minutes ("•", "1)", "a)",
#: "2.1 Bakgrund", "§ 45 Dnr BN 2023/0207"); a § followed by lowercase or punctuation
#: ("§ 142, och har") is a reference wrapped onto the line and is joined as usual.
_LIST_ITEM = re.compile(
    r"^(?:[•·▪◦‣∙○●■□➢➤►*–—-]\s|\(?\d{1,2}[.)]\s|\(?[a-zåäö]\)\s|\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZÅÄÖ]"
    r"|§\s*\d+(?:/\d+)?(?:$|\s+[A-ZÅÄÖ]))"
)
#: A table-of-contents entry ends in dot leaders and a page number.
_CONTENTS_ENTRY = re.compile(r"(?:\.{4,}|…)\s*\d{1,4}$")
_LINE_END_HYPHEN = re.compile(r"([^\W_]+)-$")
_LEADING_WORD = re.compile(r"^([^\W_]+)(\S*)\s*")
_INLINE_HYPHENATED = re.compile(r"(?<![\w-])([^\W_]+)-([^\W_]+)(?![\w-])")
_WORD = re.compile(r"[^\W_]+")
#: A run of spaces and tabs that is not already a single space.
_SPACE_RUN = re.compile(r" [ \t]+|\t[ \t]*")
_FOOTNOTE_LINE = re.compile(r"^(\d{1,2}) \S")
_FOOTNOTE_MARKER = re.compile(r"\b([^\W\d_]{3,})(\d{1,2})\b")
_SUPERSCRIPT = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]")
_SUPERSCRIPT_MARKER = re.compile(r"\b([^\W\d_]{4,})[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_SENTENCE_END = (".", "!", "?", ":", ";")


def normalise_characters(text: str) -> str:
    """Unicode hygiene shared by every extractor: the characters, not the layout.

    Line ends become ``\\n``; no-break and other odd spaces become a plain space;
    ligatures are spelled out; control and zero-width characters go (tab, newline and
    form feed stay); a soft hyphen at a line end joins the lines, elsewhere it is
    dropped; text is composed (NFC) so ``a`` + combining ring is one ``å``.
    """
    if not _ODD_CHARACTER.search(text):
        return unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _TRANSLATED.search(text):
        text = text.translate(_CHAR_TABLE)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00ad\n", "").replace("\u00ad", "")
    text = _PRIVATE_BULLET.sub("•", text)
    return _INVISIBLE.sub("", _PRIVATE_USE.sub("", text))


def clean_text(text: str) -> str:
    """Clean one text; form feeds in it separate pages as in :func:`clean_pages`."""
    return clean_pages(text.split("\f"))[0]


def clean_pages(pages: list[str]) -> tuple[str, list[int]]:
    """Clean the raw text of each page and join the pages.

    Returns the clean text and, for each page, the character offset where it begins;
    pages are separated by a blank line (``"\\n\\n"``), an empty page included.
    """
    if not pages:
        return "", []
    page_lines = [_split_lines(normalise_characters(page).replace("\f", "\n\n")) for page in pages]
    kept_furniture = _drop_page_furniture(page_lines)
    all_lines = [line for lines in page_lines for line in lines]
    # Only words broken at a line end ask how the text spells them elsewhere.
    broken = any(line.endswith("-") for line in all_lines)
    hyphenated, words = _spellings("\n".join(all_lines)) if broken else (set(), set())
    footnotes = {m.group(1) for line in all_lines if (m := _FOOTNOTE_LINE.match(line))}
    width = _typical_width(all_lines)
    wrapped = WRAPPED_WIDTH[0] <= width <= WRAPPED_WIDTH[1]

    pieces = [
        [_Line(text, alone=index in kept) for index, text in enumerate(lines)]
        for lines, kept in zip(page_lines, kept_furniture, strict=True)
    ]
    for index in range(len(pieces) - 1):
        _join_across_pages(pieces[index], pieces[index + 1], hyphenated, words)
    texts = [
        _strip_footnote_markers(_reflow(lines, width, wrapped, hyphenated, words), footnotes)
        for lines in pieces
    ]

    starts: list[int] = []
    offset = 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(texts), starts


class _Line:
    """A line of a page, the width it had there (for telling hard wraps), whether it
    runs on into the next line (a word was rejoined over the break) and whether it
    stands alone (a running header kept once)."""

    __slots__ = ("text", "width", "runs_on", "alone", "heading")

    def __init__(self, text: str, alone: bool = False) -> None:
        self.text = text
        self.width = len(text)
        self.runs_on = False
        self.alone = alone
        self.heading = False


def _split_lines(page: str) -> list[str]:
    if "  " in page or "\t" in page:  # a run needs either; most pages have neither
        page = _SPACE_RUN.sub(" ", page)
    return [line.strip() for line in page.split("\n")]


#: A line that carries a page number among other words ("Sida 3 (10)", "3 av 10").
_PAGED_LINE = re.compile(r"\b(?:sida|sid|page|s\.)\s*\d|\d+\s*\(\s*\d+\s*\)|\d+\s*(?:av|of|/)\s*\d+", re.I)


def furniture_key(line: str) -> str:
    """How running headers are compared across pages: case and spacing ignored, and
    the digits of a line that carries a page number ("Sida 3" and "sida  4" are the
    same header). Other digits count: "§ 41 Dnr BN 2024/0041" and "§ 42 …" on two
    pages are two paragraphs of minutes, not one header."""
    key = " ".join(line.casefold().split())
    return re.sub(r"\d+", "#", key) if _PAGED_LINE.search(key) else key


def is_page_number(line: str) -> bool:
    """Whether a line is nothing but a page number ("3", "- 3 -", "Sida 3 av 10")."""
    line = line.strip()
    return bool(_PAGE_NUMBER.match(line) or _BARE_NUMBER.match(line))


def _edge_indexes(lines: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(lines) if line]
    return sorted(set(filled[:EDGE_LINES] + filled[-EDGE_LINES:]))


def _drop_page_furniture(page_lines: list[list[str]]) -> list[set[int]]:
    """Blank out page numbers and repeated running headers/footers, in place.

    A running line is found at the page edges but removed wherever it stands as a
    whole line: pdfium gives text in content-stream order, which can put the header of
    a page with a table in the middle of its text. Returns, per page, the indexes of
    the running lines kept (their first occurrence).
    """
    needed = max(2, math.ceil(len(page_lines) / 2))
    running = _running_keys(page_lines, needed)
    places = [
        [i for i, line in enumerate(lines) if line and furniture_key(line) in running] if running else []
        for lines in page_lines
    ]
    numbers = [
        sorted({*_edge_indexes(lines), *(j for i in at for j in (i - 1, i + 1) if 0 <= j < len(lines))})
        for lines, at in zip(page_lines, places, strict=True)
    ]
    offset = _page_number_offset(page_lines, numbers, needed)

    seen: set[str] = set()
    kept: list[set[int]] = []
    for page, (lines, at, near) in enumerate(zip(page_lines, places, numbers, strict=True)):
        kept.append(set())
        for i in at:
            key = furniture_key(lines[i])
            if key in seen:
                lines[i] = ""
            else:
                kept[-1].add(i)
                seen.add(key)
        for i in near:
            counts_up = _BARE_NUMBER.match(lines[i]) and int(lines[i]) - page == offset
            if counts_up or (i in _edge_indexes(lines) and _PAGE_NUMBER.match(lines[i])):
                lines[i] = ""
        filled = [i for i, line in enumerate(lines) if line]
        for i in {filled[0], filled[-1]} if filled else ():
            if _BARE_NUMBER.match(lines[i]):
                lines[i] = ""
    return kept


def _running_keys(page_lines: list[list[str]], needed: int) -> set[str]:
    """Lines (as :func:`furniture_key`) at the edges of at least ``needed`` pages,
    other than page numbers.

    Two kinds of edge line are never running furniture: a § line of minutes, and a
    one-word line, which is a section label ("Beslut") far more often than a header.
    """
    counts: Counter[str] = Counter()
    for lines in page_lines:
        counts.update({
            furniture_key(lines[i]) for i in _edge_indexes(lines)
            if not is_page_number(lines[i]) and not lines[i].lstrip().startswith("§")
        })
    return {
        key for key, count in counts.items()
        if count >= needed and sum(ch.isalpha() for ch in key) >= 3 and len(key.split()) >= 2
    }


def _page_number_offset(page_lines: list[list[str]], candidates: list[list[int]], needed: int) -> int | None:
    """The offset between page index and printed page number, if bare numbers near the
    page edges or running headers count up with the pages on most pages."""
    offsets: Counter[int] = Counter()
    for page, (lines, indexes) in enumerate(zip(page_lines, candidates, strict=True)):
        offsets.update({int(lines[i]) - page for i in indexes if _BARE_NUMBER.match(lines[i])})
    if not offsets:
        return None
    offset, count = offsets.most_common(1)[0]
    return offset if count >= needed else None


def _spellings(text: str) -> tuple[set[str], set[str]]:
    """The hyphenated compounds the text writes inline, and all its words (casefolded)."""
    hyphenated = {f"{a}-{b}".casefold() for a, b in _INLINE_HYPHENATED.findall(text)}
    words = {word.casefold() for word in _WORD.findall(text)}
    return hyphenated, words


def _typical_width(lines: list[str]) -> int:
    """The width lines wrap at: the 90th percentile of line lengths (the longest line
    in a text of a few lines)."""
    lengths = sorted(len(line) for line in lines if line)
    if len(lengths) < 10:
        return lengths[-1] if lengths else 0
    return lengths[int(0.9 * (len(lengths) - 1))]


def _hyphen_joiner(left: str, right: str, hyphenated: set[str], words: set[str]) -> str | None:
    """How a word broken as ``left-`` / ``right`` at a line end is put back together.

    ``""`` joins the parts, ``"-"`` keeps the hyphen, ``None`` leaves a suspended
    compound (``forsknings- och``) for the reflow to join with a space.
    """
    if right.casefold() in SUSPENDING_WORDS:
        return None
    if right[0].isupper() or right[0].isdigit():
        return "-"
    if len(left) == 1 or sum(ch.isupper() for ch in left) >= 2 or any(ch.isdigit() for ch in left):
        return "-"
    if f"{left}-{right}".casefold() in hyphenated and f"{left}{right}".casefold() not in words:
        return "-"
    return ""


def _dehyphenate(upper: _Line, lower: _Line, hyphenated: set[str], words: set[str]) -> bool:
    """Move the rest of a word broken at the end of ``upper`` up from ``lower``.

    Returns whether ``lower`` was used up; then ``upper`` takes over its width, since
    the short last line of a paragraph is what ends the paragraph.
    """
    end = _line_end_hyphen(upper.text)
    start = _LEADING_WORD.match(lower.text)
    if end is None or start is None:
        return False
    joiner = _hyphen_joiner(end.group(1), start.group(1), hyphenated, words)
    if joiner is None:
        return False
    upper.text = upper.text[:-1] + joiner + start.group(1) + start.group(2)
    lower.text = lower.text[start.end() :]
    if lower.text:
        upper.runs_on = True
        return False
    upper.width = lower.width
    upper.runs_on = lower.runs_on
    return True


def _join_across_pages(page: list[_Line], following: list[_Line], hyphenated: set[str], words: set[str]) -> None:
    """Rejoin a word hyphenated over a page break, keeping it on the earlier page."""
    last = next((line for line in reversed(page) if line.text), None)
    first = next((line for line in following if line.text), None)
    if last is None or first is None or not first.text[0].islower():
        return
    if _dehyphenate(last, first, hyphenated, words):
        following.remove(first)


def _reflow(lines: list[_Line], width: int, wrapped: bool, hyphenated: set[str], words: set[str]) -> str:
    """Join hard-wrapped lines into paragraphs; blank lines separate paragraphs."""
    index = 0
    while index < len(lines) - 1:
        if lines[index].text and _dehyphenate(lines[index], lines[index + 1], hyphenated, words):
            del lines[index + 1]
        else:
            index += 1

    if wrapped:
        _mark_headings(lines, width)
    paragraphs: list[str] = []
    current: list[str] = []
    previous: _Line | None = None
    for line in lines:
        if not line.text:
            if current:
                paragraphs.append("".join(current))
            current, previous = [], None
            continue
        if previous is None:
            current.append(line.text)
        elif _continues(previous, line, width, wrapped):
            current.append(" " + line.text)
        else:
            current.append("\n" + line.text)
        previous = line
    if current:
        paragraphs.append("".join(current))
    return "\n\n".join(paragraphs)


def _line_end_hyphen(line: str) -> re.Match[str] | None:
    """The word a hyphen at the end of ``line`` breaks (lines hold no newline; the test
    first spares the regex, which would try every position of the line)."""
    return _LINE_END_HYPHEN.search(line) if line.endswith("-") else None


def _continues(previous: _Line, line: _Line, width: int, wrapped: bool) -> bool:
    """Whether ``line`` continues the paragraph of ``previous``.

    A rejoined word or a suspended compound always runs on; other lines are joined
    only in hard-wrapped text, and never to or from a heading, list item, running
    header or table-of-contents entry.
    """
    if previous.runs_on or _line_end_hyphen(previous.text):
        return True
    if not wrapped or previous.alone or line.alone or previous.heading or line.heading:
        return False
    if _LIST_ITEM.match(line.text) or _CONTENTS_ENTRY.search(previous.text):
        return False
    if previous.width >= FULL_LINE_RATIO * width:
        return True
    return line.text[0].islower() and not previous.text.endswith(_SENTENCE_END)


def _mark_headings(lines: list[_Line], width: int) -> None:
    """Mark headings: a capitalised line, shorter than the text width and without
    closing punctuation, between a finished sentence (or a blank line) and a line
    that starts a sentence, a list or a section."""
    for index, line in enumerate(lines):
        if not line.text or not (line.text[0].isupper() or line.text[0].isdigit()):
            continue
        if line.width >= HEADING_RATIO * width or line.text.endswith((*_SENTENCE_END, ",", "-")):
            continue
        before = lines[index - 1] if index else None
        after = lines[index + 1] if index + 1 < len(lines) else None
        if before is not None and before.text and not (before.heading or before.text.endswith((".", "!", "?", ":"))):
            continue
        if after is not None and after.text and not (after.text[0].isupper() or _LIST_ITEM.match(after.text)):
            continue
        line.heading = True


def _strip_footnote_markers(text: str, footnotes: set[str]) -> str:
    """Drop footnote numbers glued to words ("Lissabonstrategin1", "Lissabonstrategin¹").

    A glued number counts as a footnote marker only when a footnote with that number
    exists (a line starting with it) and the word ends in a lowercase letter, so codes
    such as "EU2020" or "Ö2668" are left alone.
    """
    if _SUPERSCRIPT.search(text):  # rare; the marker regex tries every word
        text = _SUPERSCRIPT_MARKER.sub(r"\1", text)
    if not footnotes:
        return text

    def unglue(match: re.Match[str]) -> str:
        word, number = match.groups()
        return word if word[-1].islower() and number in footnotes else match.group(0)

    return _FOOTNOTE_MARKER.sub(unglue, text)
