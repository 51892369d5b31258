"""Synthetic PDFs of Swedish municipal documents, with the source text of every page.

A generated PDF looks to an extractor like a real tjänsteutlåtande or report: a
letterhead on page 1 (förvaltning, handläggare, telephone, document date, committee and
meeting date, diarienummer), a bold title, headings and paragraphs of Swedish text with
å, ä and ö (words from :mod:`bench.corpus`'s vocabulary, built from the seeds), a small
running header and a page number ("Sida 2 av 5", "2 (5)" or a bare "2") on every page.
Pages are set in one column (ragged right, one string per line, as word processors do)
or two justified columns (each word placed on its own, as layout programs do), and long
words are hyphenated at line ends, Swedish style ("kon-" / "takter").

Two-column pages come in two content-stream orders: ``stream`` draws the left column,
then the right one (the reading order, what most producers write); ``rows`` draws the
lines of both columns row by row, left to right (some layout and OCR tools do), so an
extractor that keeps content-stream order reads across the gutter.

Every page's *source* — its words in reading order, unhyphenated, paragraphs separated
by blank lines; the running header and page number are furniture, not source — comes
back with the PDF (and in ``sources.jsonl`` beside a generated corpus), so extraction
quality can be measured against it. The same seed and number always give the same PDF.

    python -m bench.pdfs bench/out/pdfs --pdfs 20 --pages 5
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from bench.corpus import COMMITTEES, DNR_PREFIXES, FIRST_NAMES, LAST_NAMES, THEMES, CorpusGenerator

FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"
REGULAR, BOLD = "ArkivBenchVera", "ArkivBenchVeraBd"
MANIFEST = "sources.jsonl"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 62.0
MARGIN_TOP = 70.0
MARGIN_BOTTOM = 68.0
GUTTER = 20.0
#: Body text: (font size, leading) for one and for two columns.
ONE_COLUMN = (10.5, 14.0)
TWO_COLUMNS = (9.5, 12.5)
HEADING_SIZE = 11.0
TITLE_SIZE = 15.0
FURNITURE_SIZE = 8.0
#: Words at least this long may be hyphenated at a line end ...
HYPHENATE_MIN = 8
#: ... with this probability (word processors' automatic hyphenation is often on).
HYPHENATE_SHARE = 0.85
#: How PDFs lay out their pages: one column, two columns, or a mix (page 1 is always
#: one column then, like a report with a cover page).
STYLES = (("one", 50), ("two", 25), ("mixed", 25))
#: Share of PDFs with two-column pages whose content stream runs row by row.
ROWS_ORDER_SHARE = 0.25

ADMINISTRATIONS = (
    "Socialtjänstförvaltningen", "Stadsledningskontoret", "Utbildningsförvaltningen",
    "Stadsbyggnadskontoret", "Äldreförvaltningen", "Trafikkontoret", "Miljöförvaltningen",
    "Kulturförvaltningen", "Arbetsmarknadsförvaltningen", "Exploateringskontoret",
    "Skärholmens stadsdelsförvaltning", "Hägersten-Liljeholmens stadsdelsförvaltning",
)
UNITS = (
    "Avdelningen för stadsövergripande sociala frågor", "Enheten för utveckling",
    "Planeringsavdelningen", "Ekonomiavdelningen", "Staben", "Avdelningen för äldreomsorg",
    "Enheten för näringsliv och arbetsmarknad", "Kvalitets- och utvecklingsenheten",
)
HEADINGS = (
    "Sammanfattning", "Bakgrund", "Ärendet", "Förvaltningens synpunkter", "Ekonomiska konsekvenser",
    "Förslagets konsekvenser för barn", "Samverkan", "Uppföljning", "Genomförda aktiviteter",
    "Pågående processer", "Remissinstansernas synpunkter", "Tidplan", "Övriga frågor",
)
DECISION_HEADING = "Förslag till beslut"
PAGE_NUMBER_STYLES = ("sida", "paren", "bare")
_SPLITTABLE = re.compile(r"^[A-ZÅÄÖa-zåäöéü][a-zåäöéü]+$")
_VOWELS = frozenset("aeiouyåäöéü")
#: Consonant pairs a Swedish hyphenation does not split.
_DIGRAPHS = frozenset({"ck", "ng", "sj", "tj", "kj", "ch", "ph", "th", "sk", "st"})
_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """The words of a text as search sees them: runs of letters and digits, casefolded."""
    return _TOKEN.findall(text.casefold())


@dataclass
class PageSource:
    """What one page says: its words in reading order (paragraphs split by blank lines)."""

    number: int
    columns: int
    order: str
    text: str


@dataclass
class PdfSource:
    """A generated PDF and the source text of its pages."""

    path: str
    number: int
    style: str
    order: str
    title: str
    dnr: str
    running_header: str
    pages: list[PageSource] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> PdfSource:
        pages = [PageSource(**page) for page in data.pop("pages")]  # type: ignore[arg-type, union-attr]
        return cls(**data, pages=pages)  # type: ignore[arg-type]


def register_fonts() -> None:
    """Register reportlab's bundled Bitstream Vera (it has å, ä, ö; embedded as TrueType)."""
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "VeraBd.ttf")))


def hyphenation_points(word: str) -> list[int]:
    """Where a Swedish word may be broken, as indexes into it (``kon|takter`` → 3 …).

    Between two consonants that are not a digraph (``kon-takter``), or before a
    consonant that starts a syllable (``mö-te``); at least two letters before the break
    and three after it, and a vowel on both sides.
    """
    if len(word) < HYPHENATE_MIN or not _SPLITTABLE.match(word):
        return []
    lower = word.lower()
    points = []
    for i in range(2, len(lower) - 2):
        left, right = lower[:i], lower[i:]
        if not (_VOWELS & set(left) and _VOWELS & set(right)):
            continue
        a, b = lower[i - 1], lower[i]
        consonants = a not in _VOWELS and b not in _VOWELS
        if consonants and a + b not in _DIGRAPHS or (
            a in _VOWELS and b not in _VOWELS and lower[i + 1] in _VOWELS
        ):
            points.append(i)
    return points


@dataclass
class _Block:
    kind: str  # heading | paragraph
    words: list[str]


@dataclass
class _Line:
    """One line set on a page: its pieces (words, the last maybe hyphenated) and place."""

    pieces: list[str]
    x: float
    y: float
    width: float
    font: str
    size: float
    justify: bool
    column: int


class _Page:
    def __init__(self, number: int, columns: int) -> None:
        self.number = number
        self.columns = columns
        self.lines: list[_Line] = []
        self.paragraphs: list[list[str]] = []


class PdfGenerator:
    """Deterministic synthetic PDFs: ``generator.write(number, folder)`` for 0, 1, 2 …"""

    def __init__(self, seed: int = 1, pages_per_pdf: int = 5) -> None:
        self.seed = seed
        self.pages_per_pdf = pages_per_pdf
        corpus = CorpusGenerator(seed)
        self.cities = corpus.cities
        # The corpus's words and Zipf weights, without the seeds' footnote debris ("¹").
        self.words: list[str] = []
        self.cum_weights: list[float] = []
        vocab, previous, total = corpus.vocabulary, 0.0, 0.0
        for word, cumulative in zip(vocab.words, vocab.cum_weights, strict=True):
            if all(part.isalpha() for part in word.split("-")):
                total += cumulative - previous
                self.words.append(word)
                self.cum_weights.append(total)
            previous = cumulative
        register_fonts()

    # -- content -------------------------------------------------------------------

    def _sentence(self, rng: random.Random, theme: str, specials: Sequence[str]) -> list[str]:
        count = rng.randint(6, 22)
        words = rng.choices(self.words, cum_weights=self.cum_weights, k=count)
        for i in range(len(words)):
            if rng.random() < 0.08:
                words[i] = rng.choice(THEMES[theme])
        if rng.random() < 0.12:
            words.insert(rng.randrange(len(words)), rng.choice(specials))
        words[0] = words[0][:1].upper() + words[0][1:]
        words[-1] += "."
        return " ".join(words).split()

    def _blocks(self, rng: random.Random, theme: str, specials: Sequence[str]) -> Iterator[_Block]:
        """An endless flow of headings and paragraphs."""
        headings = list(HEADINGS)
        rng.shuffle(headings)
        yield _Block("heading", DECISION_HEADING.split())
        yield _Block("paragraph", self._paragraph(rng, theme, specials, 1, 3))
        for index in range(10_000):
            if rng.random() < 0.35:
                yield _Block("heading", headings[index % len(headings)].split())
            yield _Block("paragraph", self._paragraph(rng, theme, specials, 2, 7))

    def _paragraph(self, rng: random.Random, theme: str, specials: Sequence[str], low: int, high: int) -> list[str]:
        words: list[str] = []
        for _ in range(rng.randint(low, high)):
            words.extend(self._sentence(rng, theme, specials))
        return words

    # -- one PDF -----------------------------------------------------------------------

    def write(
        self, number: int, folder: str | Path, *, style: str | None = None, order: str | None = None
    ) -> PdfSource:
        """Write PDF number ``number`` into ``folder`` and return its source text.

        ``style`` ("one", "two", "mixed") and ``order`` ("stream", "rows") override the
        random choice, for tests that need a particular layout.
        """
        rng = random.Random(f"pdf:{self.seed}:{number}")
        theme = rng.choice(list(THEMES))
        year = rng.randint(1998, 2025)
        month, day = rng.randint(1, 11), rng.randint(1, 28)
        date = f"{year}-{month:02d}-{day:02d}"
        meeting = f"{year}-{month + 1:02d}-{rng.randint(1, 28):02d}"
        if rng.random() < 0.5:
            dnr = f"{rng.choice(DNR_PREFIXES)} {year}/{rng.randint(1, 9999)}"
        else:
            dnr = f"{rng.randint(100, 999)}-{rng.randint(1, 999)}/{year}"
        administration = rng.choice(ADMINISTRATIONS)
        committee = rng.choice(COMMITTEES)
        person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        city = rng.choice(self.cities[:40])
        specials = (dnr, city, date, f"{rng.randint(2, 95)} procent",
                    f"{rng.randint(1, 900)} 000 kronor", f"år {year}")
        title_words = rng.choices(self.words[:3000], cum_weights=self.cum_weights[:3000], k=rng.randint(4, 9))
        first = rng.choice(THEMES[theme])
        title = " ".join([first[:1].upper() + first[1:], *title_words])
        chosen_style = rng.choices([s for s, _ in STYLES], [w for _, w in STYLES])[0]
        style = style or chosen_style
        columns = [self._columns(rng, style, page) for page in range(1, self.pages_per_pdf + 1)]
        chosen_order = "rows" if 2 in columns and rng.random() < ROWS_ORDER_SHARE else "stream"
        order = order or chosen_order
        running_header = f"{administration}   Tjänsteutlåtande   Dnr {dnr}"
        page_style = rng.choice(PAGE_NUMBER_STYLES)

        letterhead_left = [(administration, BOLD), (rng.choice(UNITS), REGULAR),
                           (f"Handläggare: {person}", REGULAR),
                           (f"Tfn: 08-508 {rng.randint(10, 99)} {rng.randint(100, 999)}", REGULAR)]
        letterhead_right = [("TJÄNSTEUTLÅTANDE", BOLD), (date, REGULAR),
                            (committee.upper(), BOLD), (meeting, REGULAR), (f"Dnr {dnr}", REGULAR)]

        pages = [_Page(n, c) for n, c in enumerate(columns, start=1)]
        top = self._letterhead(pages[0], letterhead_left, letterhead_right, committee, title)
        last_fill = rng.uniform(0.35, 1.0)
        self._flow(rng, pages, self._blocks(rng, theme, specials), top, last_fill)

        path = Path(folder) / f"{number:06d}.pdf"
        self._draw(path, pages, order, running_header, page_style, title)
        return PdfSource(
            path=str(path), number=number, style=style, order=order, title=title, dnr=dnr,
            running_header=running_header,
            pages=[
                PageSource(page.number, page.columns, order if page.columns == 2 else "stream",
                           "\n\n".join(" ".join(words) for words in page.paragraphs if words))
                for page in pages
            ],
        )

    @staticmethod
    def _columns(rng: random.Random, style: str, page: int) -> int:
        if style == "one":
            return 1
        if style == "two":
            return 2
        return 1 if page == 1 else rng.choice((1, 2))

    def _letterhead(
        self,
        page: _Page,
        left: list[tuple[str, str]],
        right: list[tuple[str, str]],
        committee: str,
        title: str,
    ) -> float:
        """Set page 1's letterhead and title; returns the y where the body starts."""
        y = PAGE_HEIGHT - MARGIN_TOP
        for (text, font), offset in zip(left, range(len(left)), strict=True):
            self._set(page, [text], MARGIN_X, y - offset * 13, font, 9.5)
        for (text, font), offset in zip(right, range(len(right)), strict=True):
            self._set(page, [text], PAGE_WIDTH / 2 + 40, y - offset * 13, font, 9.5)
        page.paragraphs.append(" ".join(text for text, _ in left).split())
        page.paragraphs.append(" ".join(text for text, _ in right).split())
        y -= 5 * 13 + 18
        self._set(page, ["Till"], MARGIN_X, y, REGULAR, 10)
        self._set(page, [committee], MARGIN_X, y - 13, REGULAR, 10)
        page.paragraphs.append(["Till", *committee.split()])
        y -= 13 + 30
        width = PAGE_WIDTH - 2 * MARGIN_X
        for line in self._break(title.split(), width, BOLD, TITLE_SIZE, None):
            self._set(page, line, MARGIN_X, y, BOLD, TITLE_SIZE)
            y -= TITLE_SIZE * 1.3
        page.paragraphs.append(title.split())
        return y - 14

    @staticmethod
    def _set(page: _Page, pieces: list[str], x: float, y: float, font: str, size: float,
             width: float = 0.0, justify: bool = False, column: int = 0) -> None:
        page.lines.append(_Line(pieces, x, y, width, font, size, justify, column))

    @staticmethod
    def _break(
        words: list[str], width: float, font: str, size: float, rng: random.Random | None
    ) -> Iterator[list[str]]:
        """Greedy line breaking; with ``rng``, a word that does not fit may be hyphenated
        (its first part then ends the line with "-", the rest starts the next)."""
        space = pdfmetrics.stringWidth(" ", font, size)
        line: list[str] = []
        used = 0.0
        queue = list(words)
        while queue:
            word = queue.pop(0)
            need = pdfmetrics.stringWidth(word, font, size) + (space if line else 0.0)
            if used + need <= width or not line:
                line.append(word)
                used += need
                continue
            room = width - used - space
            fits = []
            if rng is not None and rng.random() < HYPHENATE_SHARE:
                fits = [i for i in hyphenation_points(word.rstrip(".,"))
                        if pdfmetrics.stringWidth(word[:i] + "-", font, size) <= room]
            if fits:
                line.append(word[: fits[-1]] + "-")
                queue.insert(0, word[fits[-1] :])
            else:
                queue.insert(0, word)
            yield line
            line, used = [], 0.0
        if line:
            yield line

    def _flow(
        self,
        rng: random.Random,
        pages: list[_Page],
        blocks: Iterator[_Block],
        top: float,
        last_fill: float,
    ) -> None:
        """Set blocks into the pages' columns until the last page is ``last_fill`` full."""
        index, column, y = 0, 0, top
        page = pages[0]
        bottom = MARGIN_BOTTOM
        column_top = top
        last_words: list[str] = []

        def geometry(page: _Page) -> tuple[float, float, float]:
            size, leading = ONE_COLUMN if page.columns == 1 else TWO_COLUMNS
            width = PAGE_WIDTH - 2 * MARGIN_X
            if page.columns == 2:
                width = (width - GUTTER) / 2
            return size, leading, width

        def last_bottom() -> float:
            return PAGE_HEIGHT - MARGIN_TOP - last_fill * (PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)

        for block in blocks:
            size, leading, width = geometry(page)
            font = BOLD if block.kind == "heading" else REGULAR
            fsize = HEADING_SIZE if block.kind == "heading" else size
            gap = leading * (1.0 if block.kind == "heading" else 0.5)
            if y < column_top:
                y -= gap
            hyphenate = rng if block.kind == "paragraph" else None
            lines = list(self._break(block.words, width, font, fsize, hyphenate))
            if block.kind == "heading" and y - 2 * leading < bottom:
                # A heading never ends a column: it goes where its paragraph starts.
                y = bottom - 1
            current: list[str] = []
            page.paragraphs.append(current)
            number = 0
            while number < len(lines):
                if y < bottom + leading * 0.2:
                    column += 1
                    if column >= page.columns:
                        if index + 1 >= len(pages):
                            return
                        index, column = index + 1, 0
                        page = pages[index]
                        column_top = PAGE_HEIGHT - MARGIN_TOP
                        if index + 1 == len(pages):
                            bottom = last_bottom()
                        if geometry(page) != (size, leading, width):
                            # The rest of the paragraph is set again in the new measure.
                            size, leading, width = geometry(page)
                            fsize = HEADING_SIZE if block.kind == "heading" else size
                            rest = _unhyphenate([piece for line in lines[number:] for piece in line])
                            lines = lines[:number] + list(self._break(rest, width, font, fsize, hyphenate))
                    y = column_top
                    current = []
                    page.paragraphs.append(current)
                line = lines[number]
                x = MARGIN_X + column * (width + GUTTER)
                justify = page.columns == 2 and number < len(lines) - 1
                self._set(page, line, x, y, font, fsize, width, justify, column)
                words = list(line)
                if last_words and last_words[-1].endswith("-"):
                    # The rest of a hyphenated word: the word counts where it starts.
                    last_words[-1] = last_words[-1][:-1] + words.pop(0)
                current.extend(words)
                last_words = current
                y -= leading
                number += 1
            if index + 1 == len(pages) and y < bottom:
                return

    # -- drawing -------------------------------------------------------------------------

    def _draw(self, path: Path, pages: list[_Page], order: str, header: str, page_style: str, title: str) -> None:
        # invariant: no creation date or random document id, so the same seed gives the same bytes.
        pdf = canvas.Canvas(str(path), pagesize=A4, pageCompression=1, invariant=1)
        pdf.setTitle(title)
        pdf.setAuthor("Arkiv bench")
        total = len(pages)
        for page in pages:
            pdf.setFont(REGULAR, FURNITURE_SIZE)
            pdf.drawString(MARGIN_X, PAGE_HEIGHT - 40, header)
            lines = page.lines
            if order == "rows" and page.columns == 2:
                lines = sorted(lines, key=lambda line: (-round(line.y), line.x))
            for line in lines:
                _draw_line(pdf, line)
            pdf.setFont(REGULAR, FURNITURE_SIZE)
            label = {"sida": f"Sida {page.number} av {total}", "paren": f"{page.number} ({total})",
                     "bare": str(page.number)}[page_style]
            pdf.drawRightString(PAGE_WIDTH - MARGIN_X, 38, label)
            pdf.showPage()
        pdf.save()


def _unhyphenate(pieces: list[str]) -> list[str]:
    """Words again from the pieces of set lines ("kon-", "takter" → "kontakter")."""
    words: list[str] = []
    for piece in pieces:
        if words and words[-1].endswith("-"):
            words[-1] = words[-1][:-1] + piece
        else:
            words.append(piece)
    return words


def _draw_line(pdf: canvas.Canvas, line: _Line) -> None:
    if not line.justify or len(line.pieces) < 2:
        pdf.setFont(line.font, line.size)
        pdf.drawString(line.x, line.y, " ".join(line.pieces))
        return
    widths = [pdfmetrics.stringWidth(p, line.font, line.size) for p in line.pieces]
    space = (line.width - sum(widths)) / (len(line.pieces) - 1)
    text = pdf.beginText()
    text.setFont(line.font, line.size)
    x = line.x
    for piece, width in zip(line.pieces, widths, strict=True):
        text.setTextOrigin(x, line.y)
        text.textOut(piece)
        x += width + space
    pdf.drawText(text)


# -- corpora on disk ---------------------------------------------------------------------


_generators: dict[tuple[int, int], PdfGenerator] = {}


def _write_range(job: tuple[int, int, int, int, str]) -> list[dict[str, object]]:
    seed, pages, start, stop, folder = job
    generator = _generators.get((seed, pages))
    if generator is None:
        generator = _generators[(seed, pages)] = PdfGenerator(seed, pages)
    return [generator.write(number, folder).to_json() for number in range(start, stop)]


def generate(folder: str | Path, pdfs: int, *, pages: int = 5, seed: int = 1, workers: int = 2) -> list[PdfSource]:
    """Write ``pdfs`` PDFs of ``pages`` pages into ``folder`` (in parallel) with their
    sources in ``sources.jsonl``; a complete corpus already there is reused."""
    folder = Path(folder)
    manifest = folder / MANIFEST
    if manifest.exists():
        sources = load(folder)
        if len(sources) == pdfs and all(Path(s.path).exists() for s in sources):
            return sources
    folder.mkdir(parents=True, exist_ok=True)
    chunk = max(1, min(50, pdfs // (workers * 4) or 1))
    jobs = [(seed, pages, start, min(pdfs, start + chunk), str(folder)) for start in range(0, pdfs, chunk)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = [item for part in pool.imap(_write_range, jobs) for item in part]
    tmp = manifest.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        for item in results:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    tmp.replace(manifest)
    return [PdfSource.from_json(item) for item in results]


def load(folder: str | Path) -> list[PdfSource]:
    """The sources of a generated corpus (its ``sources.jsonl``)."""
    with open(Path(folder) / MANIFEST, encoding="utf-8") as handle:
        return [PdfSource.from_json(json.loads(line)) for line in handle if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pdfs", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where to write the PDFs and sources.jsonl")
    parser.add_argument("--pdfs", type=int, default=20)
    parser.add_argument("--pages", type=int, default=5, help="pages per PDF")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    started = time.monotonic()
    sources = generate(args.folder, args.pdfs, pages=args.pages, seed=args.seed, workers=args.workers)
    pages = sum(len(s.pages) for s in sources)
    print(f"{len(sources)} PDFs, {pages} pages in {args.folder} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
