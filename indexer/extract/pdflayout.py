"""Page layout from pdfium's text rectangles: text blocks and two-column reading order.

pdfium groups the characters of a page into rectangles, one per text object (a line, a
run or a single word, depending on the producer), in content-stream order. From those
rectangles, and a few characters looked up for their font, this module builds

- text blocks like pdfminer.six's layout analysis (``LAParams()`` defaults): rectangles
  close together on one baseline make a line, lines of the same size set close together
  and aligned make a block; a block's size and boldness are those of most of its text.
  Titles and header fields are read from them (:func:`page_blocks`);
- the reading order of two-column pages: a vertical gutter that no text crosses over
  most of the page splits it into columns, read one after the other, band by band
  between the lines that span the gutter (:func:`column_text`).

Only the rectangles' geometry is read for every page; characters are looked up only for
the lines of the first pages, so the layout costs a small part of the text extraction
(see ``bench/pdftext.py``). Coordinates are PDF points with pdfium's origin (bottom-left)
until a :class:`TextBlock` turns them top-left.
"""

from __future__ import annotations

import ctypes
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate, islice
from operator import itemgetter

import pypdfium2.raw as pdfium_c

from indexer.clean import normalise_characters
from indexer.extract import TextBlock

#: pdfminer's ``LAParams`` defaults the blocks follow: two lines belong to one block when
#: the gap between them is under LINE_MARGIN × their height and they are aligned and of
#: about the same size; two rectangles belong to one line when they overlap vertically by
#: LINE_OVERLAP of the lower one and the gap between them is under CHAR_MARGIN character
#: widths (half an em each).
LINE_MARGIN = 0.5
LINE_OVERLAP = 0.5
CHAR_MARGIN = 2.0
#: An em is about this many times the height of a line's glyphs (which are tight boxes).
EM_PER_GLYPH_HEIGHT = 1.4
#: A character's box in pdfminer runs from the font's descent to one em above it.
DESCENT = 0.21
#: Column detection: the gutter is at least GUTTER_WIDTH points wide, lies in the middle
#: GUTTER_ZONE of the text's width, and at most GUTTER_CROSSING of the text's height
#: (in the busiest column) crosses it.
GUTTER_WIDTH = 8.0
GUTTER_ZONE = (0.3, 0.7)
GUTTER_CROSSING = 0.1
#: Each column holds at least COLUMN_LINES lines, and most of them (COLUMN_FULL) fill at
#: least COLUMN_FILL of its width; the narrower column is at least COLUMN_BALANCE of the
#: wider one's width: text set in columns, not a table.
COLUMN_LINES = 6
COLUMN_BALANCE = 0.7
COLUMN_FULL = 0.5
COLUMN_FILL = 0.6
#: A page's text runs row by row across the columns when its text order crosses the
#: gutter more than this many times, plus two a band (a page read column by column
#: crosses it about once a band; one read row by row, twice a row).
ROW_ORDER_CROSSINGS = 4
_BOLD_FONT = re.compile(rb"bold|black|heavy", re.IGNORECASE)
_HYPHEN_MARK = re.compile(r"[\ufffe\x02]")
#: What separates two words in pdfium's text: spaces, line breaks, a line-end hyphen.
_WORD_GAP = re.compile(r"\s+|[\ufffe\x02]\s*")

#: A text rectangle: (x0, y0, x1, y1), PDF points, origin bottom-left.
Rect = tuple[float, float, float, float]


def page_rects(textpage: ctypes.c_void_p) -> list[Rect]:
    """pdfium's text rectangles of a page, in text order (empty ones left out)."""
    left, top, right, bottom = (ctypes.c_double() for _ in range(4))
    rects = []
    for index in range(pdfium_c.FPDFText_CountRects(textpage, 0, -1)):
        pdfium_c.FPDFText_GetRect(textpage, index, left, top, right, bottom)
        if right.value - left.value > 0.01 and top.value - bottom.value > 0.01:
            rects.append((left.value, bottom.value, right.value, top.value))
    return rects


# -- columns -------------------------------------------------------------------------------


@dataclass
class Columns:
    """A two-column page: the gutter's x and the page's bands, top to bottom.

    A band is (y0, y1, spanning): a stretch of lines that cross the gutter (a title, a
    table, a footer) or of the two columns beside each other.
    """

    gutter: float
    x0: float
    x1: float
    bands: list[tuple[float, float, bool]] = field(default_factory=list)


def find_columns(rects: list[Rect]) -> Columns | None:
    """The columns of a page set in two columns of text, or None."""
    if len(rects) < 2 * COLUMN_LINES:
        return None
    lefts = sorted(map(itemgetter(0), rects))
    rights = sorted(map(itemgetter(2), rects))
    x0, x1 = lefts[0], rights[-1]
    zone_x0, zone_x1 = (x0 + share * (x1 - x0) for share in GUTTER_ZONE)
    if bisect_left(rights, zone_x1) < COLUMN_LINES or len(lefts) - bisect_right(lefts, zone_x0) < COLUMN_LINES:
        return None  # lines run across the middle: one column
    gutter = _gutter(rects, x0, x1)
    if gutter is None:
        return None
    left = [r for r in rects if r[2] <= gutter]
    right = [r for r in rects if r[0] >= gutter]
    if not (left and right):
        return None
    widths = (max(map(itemgetter(2), left)) - x0, x1 - min(map(itemgetter(0), right)))
    if min(widths) < COLUMN_BALANCE * max(widths):
        return None  # a narrow column beside a wide one: a table, or a margin of notes
    if not (_text_column(left) and _text_column(right)):
        return None
    spanning = sorted(((r[1], r[3]) for r in rects if r[0] < gutter < r[2]), reverse=True)
    return Columns(gutter, x0, x1, _bands(spanning, min(r[1] for r in rects), max(r[3] for r in rects)))


def _gutter(rects: list[Rect], x0: float, x1: float) -> float | None:
    """The middle of the widest gutter in the middle of the text, if there is one.

    How much text height crosses each point of the width (one-point steps) shows the
    columns as plateaus and the gutter as a valley between them.
    """
    width = int(x1 - x0) + 2
    change = [0.0] * (width + 1)
    for left, bottom, right, top in rects:
        change[int(left - x0)] += top - bottom
        change[int(right - x0) + 1] -= top - bottom
    crossing = list(accumulate(change))
    ceiling = GUTTER_CROSSING * max(crossing)
    start, stop = int(width * GUTTER_ZONE[0]), int(width * GUTTER_ZONE[1])
    best: tuple[int, int] | None = None
    run_start = None
    for x in range(start, stop + 1):
        low = x < stop and crossing[x] <= ceiling
        if low and run_start is None:
            run_start = x
        elif not low and run_start is not None:
            if best is None or x - run_start > best[1] - best[0]:
                best = (run_start, x)
            run_start = None
    if best is None or best[1] - best[0] < GUTTER_WIDTH:
        return None
    return x0 + (best[0] + best[1]) / 2


def _text_column(rects: list[Rect]) -> bool:
    """Whether rectangles beside a gutter are lines of running text filling the column."""
    lines = _line_extents(rects)
    if len(lines) < COLUMN_LINES:
        return False
    column_x0 = min(line[0] for line in lines)
    column_x1 = max(line[1] for line in lines)
    full = sum(1 for a, b in lines if b - a >= COLUMN_FILL * (column_x1 - column_x0))
    return full >= COLUMN_FULL * len(lines)


def _line_extents(rects: list[Rect]) -> list[tuple[float, float]]:
    """The horizontal extent of each line of rectangles (grouped by vertical overlap)."""
    lines: list[tuple[float, float]] = []
    x0 = x1 = y0 = y1 = 0.0
    for left, bottom, right, top in sorted(rects, key=lambda r: -r[3]):
        if lines:
            overlap = (top if top < y1 else y1) - (bottom if bottom > y0 else y0)
            height = top - bottom if top - bottom < y1 - y0 else y1 - y0
            if overlap >= LINE_OVERLAP * height:
                x0, x1 = (left if left < x0 else x0), (right if right > x1 else x1)
                y0, y1 = (bottom if bottom < y0 else y0), (top if top > y1 else y1)
                lines[-1] = (x0, x1)
                continue
        x0, y0, x1, y1 = left, bottom, right, top
        lines.append((x0, x1))
    return lines


def _bands(spanning: list[tuple[float, float]], bottom: float, top: float) -> list[tuple[float, float, bool]]:
    """Bands top to bottom: the stretches the spanning lines cover, and those between."""
    merged: list[list[float]] = []
    for y0, y1 in spanning:
        if merged and y1 >= merged[-1][0]:
            merged[-1][0] = min(merged[-1][0], y0)
        else:
            merged.append([y0, y1])
    bands = []
    above = top
    for y0, y1 in merged:
        if above > y1:
            bands.append((y1, above, False))
        bands.append((y0, y1, True))
        above = y0
    if above > bottom:
        bands.append((bottom, above, False))
    return bands


def read_in_rows(rects: list[Rect], columns: Columns) -> bool:
    """Whether the text order runs row by row across the columns (crossing the gutter
    on most lines) rather than down one column, then the other."""
    crossings = 0
    side = None
    for left, _bottom, right, _top in rects:
        if left < columns.gutter < right:
            continue
        now = right <= columns.gutter
        if side is not None and now != side:
            crossings += 1
        side = now
    return crossings > ROW_ORDER_CROSSINGS + 2 * len(columns.bands)


def column_text(textpage: ctypes.c_void_p, columns: Columns, characters: int) -> str:
    """The page text read band by band, each band's left column before its right one."""
    parts = []
    buffer = _buffer(characters)
    for y0, y1, spanning in columns.bands:
        if spanning:
            parts.append(_bounded_text(textpage, (columns.x0 - 1, y0, columns.x1 + 1, y1), buffer))
        else:
            parts.append(_bounded_text(textpage, (columns.x0 - 1, y0, columns.gutter, y1), buffer))
            parts.append(_bounded_text(textpage, (columns.gutter, y0, columns.x1 + 1, y1), buffer))
    return "\r\n".join(part for part in parts if part.strip())


def _buffer(characters: int) -> ctypes.Array[ctypes.c_ushort]:
    """Room for the text of any part of a page: pdfium adds line breaks between lines."""
    return (ctypes.c_ushort * (3 * characters + 16))()


def _bounded_text(textpage: ctypes.c_void_p, box: Rect, buffer: ctypes.Array[ctypes.c_ushort]) -> str:
    x0, y0, x1, y1 = box
    count = pdfium_c.FPDFText_GetBoundedText(textpage, x0, y1, x1, y0, buffer, len(buffer))
    if count <= 0:
        return ""
    return ctypes.string_at(buffer, 2 * count).decode("utf-16-le", "ignore").rstrip("\x00")


# -- blocks --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    """Rectangles on one baseline: their tight box (the union of the glyph boxes), the
    first of them in text order, and what its first character says about the line."""

    x0: float
    y0: float
    x1: float
    y1: float
    first: Rect
    rects: int = 1
    start: int = -1
    text: str = ""
    size: float = 0.0
    bold: bool = False
    baseline: float = 0.0
    upright: bool = True

    @property
    def top(self) -> float:
        """Top of the line as pdfminer sets it: one em above the font's descent."""
        return self.baseline + (1 - DESCENT) * self.size

    @property
    def bottom(self) -> float:
        return self.baseline - DESCENT * self.size


def page_blocks(textpage: ctypes.c_void_p, rects: list[Rect], text: str, page: int, top: float) -> list[TextBlock]:
    """The text blocks of a page from its rectangles and its text as pdfium reads it
    (``page`` counts from 1; ``top`` is the y of the page's top edge)."""
    lines = _lines(rects)
    sampler = _FirstCharacter(textpage, text)
    for line in lines:
        sampler.read(line)
    _line_texts(textpage, lines, text)
    lines = [line for line in lines if line.upright and line.text]
    blocks = (_block(group, page, top) for group in _group_lines(lines))
    return [block for block in blocks if block.text]


def _lines(rects: list[Rect]) -> list[_Line]:
    """Consecutive rectangles on one baseline, no further apart than pdfminer's
    character margin, make a line."""
    lines: list[_Line] = []
    line = None
    for rect in rects:
        left, bottom, right, top = rect
        if line is not None:
            height = top - bottom
            line_height = line.y1 - line.y0
            overlap = (top if top < line.y1 else line.y1) - (bottom if bottom > line.y0 else line.y0)
            em = EM_PER_GLYPH_HEIGHT * (height if height > line_height else line_height)
            if (overlap >= LINE_OVERLAP * (height if height < line_height else line_height)
                    and -em < left - line.x1 < CHAR_MARGIN * em / 2):
                if left < line.x0:
                    line.x0 = left
                if right > line.x1:
                    line.x1 = right
                if bottom < line.y0:
                    line.y0 = bottom
                if top > line.y1:
                    line.y1 = top
                line.rects += 1
                continue
        line = _Line(left, bottom, right, top, rect)
        lines.append(line)
    return lines


class _FirstCharacter:
    """Reads the first character of a line: where the line starts in the page's text,
    its font size as set on the page, boldness (from the font's name) and baseline.
    Text that is not upright (rotated, mirrored) makes no block: it is not a title,
    nor a header field."""

    def __init__(self, textpage: ctypes.c_void_p, text: str) -> None:
        self.textpage = textpage
        #: pdfium's text indexes are its character indexes unless some character
        #: takes two UTF-16 units; without the text, no guesses.
        self.text = text if len(text) == pdfium_c.FPDFText_CountChars(textpage) else ""
        self.after = -1
        self.after_rects = 0
        self.matrix = pdfium_c.FS_MATRIX()
        self.name = ctypes.create_string_buffer(256)
        self.x, self.y = ctypes.c_double(), ctypes.c_double()
        self.box = [ctypes.c_double() for _ in range(4)]

    def read(self, line: _Line) -> None:
        index = self._first_index(line.first)
        self.after_rects = line.rects
        if index < 0:
            left, bottom, right, top = line.first
            line.size, line.baseline = round(top - bottom, 1), bottom
            return
        self.after = line.start = index
        textpage = self.textpage
        matrix = self.matrix
        pdfium_c.FPDFText_GetMatrix(textpage, index, matrix)
        line.upright = matrix.a * matrix.d > 0 and matrix.b * matrix.c <= 0 and abs(matrix.b) < abs(matrix.a)
        scale = (matrix.c**2 + matrix.d**2) ** 0.5 or 1.0
        line.size = round(pdfium_c.FPDFText_GetFontSize(textpage, index) * scale, 1)
        length = pdfium_c.FPDFText_GetFontInfo(textpage, index, self.name, len(self.name), None)
        line.bold = 0 < length <= len(self.name) and bool(_BOLD_FONT.search(self.name.value))
        pdfium_c.FPDFText_GetCharOrigin(textpage, index, self.x, self.y)
        line.baseline = self.y.value
        line.x0 = min(line.x0, self.x.value)  # where the first character is set, not its ink

    def _first_index(self, rect: Rect) -> int:
        """The index of a rectangle's first character, or -1.

        A line most often starts right after the previous line's break in the text, or
        (when pdfium puts no break there) after as many words as the previous line has
        rectangles (a producer that sets each word on its own); one look at the
        character's box confirms a guess. Else pdfium finds the character at the
        rectangle's left edge, a slower search.
        """
        if self.text:
            guess = self.text.find("\r\n", self.after + 1) + 2
            if guess > 1 and self._inside(guess, rect):
                return guess
            if self.after >= 0:
                gaps = _WORD_GAP.finditer(self.text, self.after + 1)
                gap = next(islice(gaps, self.after_rects - 1, None), None)
                if gap is not None and gap.end() != guess and self._inside(gap.end(), rect):
                    return gap.end()
        textpage = self.textpage
        left, bottom, right, top = rect
        height = top - bottom
        x, y = left + min(height / 5, (right - left) / 2), (bottom + top) / 2
        index = pdfium_c.FPDFText_GetCharIndexAtPos(textpage, x, y, 0, 0)
        if index < 0:
            index = pdfium_c.FPDFText_GetCharIndexAtPos(textpage, x, y, height / 2, height / 2)
        if index > 0 and self._inside(index - 1, rect):  # the second glyph of a tight pair
            index -= 1
        return index

    def _inside(self, index: int, rect: Rect) -> bool:
        """Whether a character's box lies in a rectangle and has some width (pdfium's
        own spaces and line breaks do not)."""
        box_left, box_right, box_bottom, box_top = self.box
        if not pdfium_c.FPDFText_GetCharBox(self.textpage, index, box_left, box_right, box_bottom, box_top):
            return False
        left, bottom, right, top = rect
        return (left - 0.1 <= box_left.value < box_right.value <= right + 0.1
                and bottom - 0.1 <= box_bottom.value and box_top.value <= top + 0.1)


def _line_texts(textpage: ctypes.c_void_p, lines: list[_Line], text: str) -> None:
    """Each line's text: the page text from its first character to the next line's.

    Lines follow the text order, so that is exact; should their first characters not
    follow one another (a page pdfium reads in some odd order), each line's text is
    read from its box instead.
    """
    starts = [line.start for line in lines]
    in_order = bool(starts) and starts[0] >= 0 and all(a < b for a, b in zip(starts, starts[1:], strict=False))
    if in_order and len(text) != pdfium_c.FPDFText_CountChars(textpage):
        starts = [pdfium_c.FPDFText_GetTextIndexFromCharIndex(textpage, start) for start in starts]
        in_order = starts[0] >= 0 and all(a < b for a, b in zip(starts, starts[1:], strict=False))
    if in_order:
        for line, start, end in zip(lines, starts, [*starts[1:], len(text)], strict=True):
            line.text = " ".join(text[start:end].split())
        return
    buffer = _buffer(pdfium_c.FPDFText_CountChars(textpage))
    for line in lines:
        line.text = " ".join(_bounded_text(textpage, (line.x0, line.y0, line.x1, line.y1), buffer).split())


def _group_lines(lines: list[_Line]) -> list[list[_Line]]:
    """Lines into blocks, as pdfminer groups them: a line's neighbours are the lines of
    about its size that overlap it once it is grown by half its height up and down, and
    share its left edge, right edge or centre (to within half its height). A block's
    lines come top to bottom."""
    order = sorted(lines, key=lambda line: -line.top)
    parent = list(range(len(order)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(order):
        reach = LINE_MARGIN * a.size
        floor = a.bottom - reach
        for j in range(i + 1, len(order)):
            b = order[j]
            if b.top < floor:
                break
            if b.x1 < a.x0 or b.x0 > a.x1 or abs(a.size - b.size) > reach:
                continue
            if (abs(a.x0 - b.x0) <= reach or abs(a.x1 - b.x1) <= reach
                    or abs((a.x0 + a.x1) - (b.x0 + b.x1)) / 2 <= reach):
                parent[root(j)] = root(i)
    groups: dict[int, list[_Line]] = {}
    for i, line in enumerate(order):
        groups.setdefault(root(i), []).append(line)
    return list(groups.values())


def _block(lines: list[_Line], page: int, top: float) -> TextBlock:
    """A block of lines as a :class:`TextBlock` (top-left origin), with the size and
    boldness of most of its text."""
    sizes: Counter[float] = Counter()
    bold = 0
    for line in lines:
        sizes[line.size] += len(line.text)
        bold += len(line.text) if line.bold else -len(line.text)
    text = normalise_characters(_HYPHEN_MARK.sub("-", "\n".join(line.text for line in lines)))
    return TextBlock(
        text="\n".join(row for row in (" ".join(row.split()) for row in text.splitlines()) if row),
        page=page,
        size=sizes.most_common(1)[0][0],
        bold=bold > 0,
        x0=round(min(line.x0 for line in lines), 2),
        y0=round(top - max(line.top for line in lines), 2),
        x1=round(max(line.x1 for line in lines), 2),
        y1=round(top - min(line.bottom for line in lines), 2),
    )
