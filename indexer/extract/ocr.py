"""OCR with Tesseract: a page image in, its text and how sure Tesseract was out.

Scanned PDF pages (:mod:`indexer.extract.pdf`) and image files
(:mod:`indexer.extract.image`) are read here, one page at a time:

- the page is made greyscale and, when it lies more than ``DESKEW_MIN_DEGREES``
  askew, turned straight (the angle whose row profile is sharpest: text lines
  then fall on rows). Tesseract copes with small skew itself, and re-sampling a
  page costs it more than it gains below that (measured on ``bench.scans``);
- Tesseract (the ``tesseract`` program, Swedish and English models) reads it with
  one thread (``OMP_THREAD_LIMIT=1``: the worker pool runs one page per core) and
  its TSV output gives the words, their lines and paragraphs, and a confidence
  per word. The page image goes in on stdin as a PNG with light compression
  (encoding a noisy page at the default level took longer than reading it);
- a page that reads badly (few words, low confidence) is read again as sparse text
  (``--psm 11``: the layout analysis passed over large light lettering on a cover
  page), then checked for a turned scan (90°, 180°, 270°) with Tesseract's
  orientation detection and read again; the reading with more confident words wins.

Each page has its own time budget (``settings().page_timeout``); the worker
pool's time limit for the file is paused meanwhile
(:func:`indexer.workers.separate_budget`).

Settings (``configure``) are per process: the worker pool's initializer sets the
``--ocr`` mode of ``arkiv index``: ``auto`` reads pages without a usable text
layer and images; ``always`` also reads scanned pages that carry a text layer
(an earlier OCR's, often poor); ``never`` reads nothing, and such files are
flagged ``needs_ocr`` as when Tesseract is missing.
"""

from __future__ import annotations

import functools
import io
import math
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image, ImageOps

from indexer.extract import TextBlock
from indexer.workers import separate_budget

MODES = ("auto", "always", "never")
LANGUAGES = ("swe", "eng")
#: What to install where Tesseract or its models are missing (Debian package names).
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-swe tesseract-ocr-eng"
#: Pages are rendered (PDF) or scaled (images below 200 dpi) to this resolution.
DPI = 300
#: Images whose resolution is unknown or below this are scaled up to ``DPI``.
MIN_DPI = 200
#: A page is never rendered larger than this (an A0 drawing at 300 dpi is 140 Mpx).
MAX_PIXELS = 40_000_000
DEFAULT_PAGE_TIMEOUT = 60.0
#: Extra seconds the worker pool allows a page beyond its OCR budget (render, kill, exit).
BUDGET_GRACE = 15.0
#: Pages turned by less than this (degrees) are read as they are.
DESKEW_MIN_DEGREES = 1.5
DESKEW_MAX_DEGREES = 10.0
#: Below this mean word confidence (0–1) or word count, a page is checked for a turned scan.
POOR_CONFIDENCE = 0.6
POOR_WORDS = 5
#: Pages whose paragraphs become layout blocks (title and header fields live on the first two).
LAYOUT_PAGES = 2


@dataclass
class Settings:
    mode: str = "auto"
    page_timeout: float = DEFAULT_PAGE_TIMEOUT


_settings = Settings()


def configure(mode: str = "auto", page_timeout: float = DEFAULT_PAGE_TIMEOUT) -> None:
    """Set this process's OCR mode and page budget (the worker pool's initializer does)."""
    if mode not in MODES:
        raise ValueError(f"unknown OCR mode {mode!r} (choose from {', '.join(MODES)})")
    _settings.mode = mode
    _settings.page_timeout = page_timeout


def settings() -> Settings:
    return _settings


@functools.cache
def missing() -> str | None:
    """Why Tesseract cannot be used here (one line, with what to install), or None."""
    program = shutil.which("tesseract")
    if program is None:
        return f"Tesseract is not installed ({INSTALL_HINT})"
    try:
        listed = subprocess.run([program, "--list-langs"], capture_output=True, text=True,
                                timeout=30, check=False).stdout.split()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Tesseract does not run ({exc}; {INSTALL_HINT})"
    absent = [language for language in LANGUAGES if language not in listed]
    if absent:
        packages = " ".join(f"tesseract-ocr-{language}" for language in absent)
        return f"Tesseract lacks the {'+'.join(absent)} model (apt-get install {packages})"
    return None


@dataclass
class OcrPage:
    """What Tesseract read on one page."""

    text: str
    #: Mean word confidence, 0–1; None when no word was read.
    confidence: float | None
    words: int
    error: str | None = None
    #: Its paragraphs as layout blocks (points from the top-left; ``page`` 0 until known).
    blocks: list[TextBlock] = field(default_factory=list)


@dataclass
class PageReader:
    """Reads the pages of one file under this process's settings and keeps what the
    file's :class:`~indexer.extract.Extracted` should say about it."""

    sources: list[str] = field(default_factory=list)
    confidences: list[tuple[float, int]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    unread: int = 0
    #: Layout blocks of the first pages read, for the title and header fields.
    blocks: list[TextBlock] = field(default_factory=list)

    @property
    def status(self) -> str | None:
        """``done``, ``failed`` (some page timed out or broke), ``unavailable``
        (Tesseract missing), ``off`` (``--ocr=never``), or None (nothing needed OCR)."""
        if self.unread:
            if _settings.mode == "never":
                return "off"
            return "failed" if self.failures else "unavailable"
        return "done" if "ocr" in self.sources else None

    @property
    def confidence(self) -> float | None:
        """Mean word confidence over the pages read, weighted by their words."""
        words = sum(n for _c, n in self.confidences)
        if not words:
            return None
        return round(sum(c * n for c, n in self.confidences) / words, 3)

    def can_read(self) -> bool:
        return _settings.mode != "never" and missing() is None

    def read(self, render: Callable[[], tuple[Image.Image, int]], number: int) -> str:
        """The text of page ``number`` (1-based): ``render()`` gives its image and
        resolution; records the page's source. Returns "" when it cannot be read."""
        if not self.can_read():
            self.unread += 1
            self.sources.append("none")
            return ""
        with separate_budget(_settings.page_timeout + BUDGET_GRACE):
            image, dpi = render()
            page = recognise(image, dpi=dpi, timeout=_settings.page_timeout)
        if page.error:
            self.failures.append(f"page {number}: {page.error}")
            self.unread += 1
            self.sources.append("none")
            return ""
        self.sources.append("ocr")
        if number <= LAYOUT_PAGES:
            for block in page.blocks:
                block.page = number
            self.blocks.extend(page.blocks)
        if page.confidence is not None:
            self.confidences.append((page.confidence, page.words))
        return page.text

    def skip(self) -> None:
        """A page that keeps its own text."""
        self.sources.append("text")

    def warnings(self) -> list[str]:
        """One line on what OCR did (or could not do) for the file."""
        read = self.sources.count("ocr")
        lines = list(self.failures)
        if read:
            confidence = self.confidence
            sure = f", mean word confidence {confidence:.2f}" if confidence is not None else ""
            lines.append(f"{read} of {len(self.sources)} pages read by OCR{sure}")
        if self.unread and not self.failures:
            why = "OCR is off: --ocr=never" if _settings.mode == "never" else missing()
            lines.append(f"{self.unread} of {len(self.sources)} pages have no text layer: "
                         f"needs OCR ({why})")
        return lines


def recognise(image: Image.Image, *, dpi: int = DPI, timeout: float = DEFAULT_PAGE_TIMEOUT) -> OcrPage:
    """Read one page image with Tesseract (straightened first when it is askew)."""
    page = image.convert("L")
    angle = skew_angle(page)
    if abs(angle) >= DESKEW_MIN_DEGREES:
        page = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    try:
        result = _tesseract(page, dpi, timeout)
        if _poor(result):  # a sparse page, whose layout analysis may pass text over
            result = max(result, _tesseract(page, dpi, timeout, "--psm", "11"), key=_weight)
        if _poor(result):
            turn = _orientation(page, dpi, timeout)
            if turn:
                result = max(result, _tesseract(page.rotate(-turn, expand=True), dpi, timeout),
                             key=_weight)
    except subprocess.TimeoutExpired:
        return OcrPage("", None, 0, error=f"OCR gave up after {timeout:g} s")
    except (OSError, subprocess.CalledProcessError) as exc:
        return OcrPage("", None, 0, error=f"OCR failed: {_first_line(exc)}")
    return result


def skew_angle(page: Image.Image) -> float:
    """The angle (degrees, counter-clockwise) that turns the page's text lines level.

    Projection profile: on a small copy of the page, the rotation whose row sums
    change most sharply from row to row is the one where lines lie on rows. A coarse
    search in whole degrees, then tenths around the best.
    """
    scale = 600 / max(page.size)
    small = ImageOps.invert(page.resize(
        (max(1, round(page.width * scale)), max(1, round(page.height * scale))),
        Image.Resampling.BOX))

    def sharpness(angle: float) -> int:
        turned = small.rotate(angle, resample=Image.Resampling.BILINEAR)
        rows = turned.resize((1, turned.height), Image.Resampling.BOX).tobytes()
        return sum((a - b) ** 2 for a, b in zip(rows, rows[1:], strict=False))

    limit = int(DESKEW_MAX_DEGREES)
    best = max(range(-limit, limit + 1), key=sharpness)
    fine = max((best + tenth / 10 for tenth in range(-5, 6)), key=sharpness)
    return round(fine, 1)


def _run(page: Image.Image, dpi: int, timeout: float, *args: str) -> str:
    buffer = io.BytesIO()
    page.save(buffer, "PNG", compress_level=1)
    program = shutil.which("tesseract") or "tesseract"
    completed = subprocess.run(
        [program, "stdin", "stdout", "--dpi", str(dpi), *args],
        input=buffer.getvalue(), capture_output=True, timeout=timeout, check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return completed.stdout.decode("utf-8", errors="replace")


def _tesseract(page: Image.Image, dpi: int, timeout: float, *options: str) -> OcrPage:
    return text_of_tsv(_run(page, dpi, timeout, "-l", "+".join(LANGUAGES), *options, "tsv"), dpi)


def _poor(page: OcrPage) -> bool:
    return page.words < POOR_WORDS or (page.confidence or 0) < POOR_CONFIDENCE


def _weight(page: OcrPage) -> float:
    """Which of two readings of a page to keep: confident words count."""
    return (page.confidence or 0) * page.words


def _orientation(page: Image.Image, dpi: int, timeout: float) -> int:
    """How far the page is turned (0, 90, 180, 270, clockwise), by Tesseract's
    orientation detection; 0 when it cannot tell."""
    try:
        report = _run(page, dpi, timeout, "--psm", "0")
    except subprocess.CalledProcessError:  # "too few characters" on an empty page
        return 0
    facts = dict(line.split(":", 1) for line in report.splitlines() if ":" in line)
    try:
        rotate = int(facts.get("Rotate", "0").strip())
        confidence = float(facts.get("Orientation confidence", "0").strip())
    except ValueError:
        return 0
    return rotate if confidence >= 2.0 else 0


def text_of_tsv(tsv: str, dpi: int = DPI) -> OcrPage:
    """Tesseract's TSV as text: words of a line joined by spaces, lines by line breaks,
    paragraphs by blank lines; marks it saw in dust (no letter or digit, low confidence)
    are left out. Each paragraph is also a layout block, its size the median height of
    its words."""
    paragraphs: list[list[list[str]]] = []
    boxes: list[list[tuple[int, int, int, int]]] = []
    last_paragraph = last_line = None
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        word, confidence = cells[11].strip(), float(cells[10])
        if not word or (confidence < 60 and not any(ch.isalnum() for ch in word)):
            continue
        paragraph, line = (cells[2], cells[3]), (cells[2], cells[3], cells[4])
        if paragraph != last_paragraph:
            paragraphs.append([])
            boxes.append([])
            last_paragraph, last_line = paragraph, None
        if line != last_line:
            paragraphs[-1].append([])
            last_line = line
        paragraphs[-1][-1].append(word)
        left, top, width, height = (int(cell) for cell in cells[6:10])
        boxes[-1].append((left, top, left + width, top + height))
        if confidence >= 0:
            confidences.append(confidence)
    texts = ["\n".join(" ".join(words) for words in lines) for lines in paragraphs]
    if not any(ch.isalnum() for text in texts for ch in text):  # specks read as marks
        return OcrPage("", None, 0)
    mean = sum(confidences) / len(confidences) / 100 if confidences else None
    points = 72 / dpi
    blocks = [
        TextBlock(
            text=text, page=0, bold=False,
            size=round(sorted(y1 - y0 for _x0, y0, _x1, y1 in words)[len(words) // 2] * points, 1),
            x0=round(min(b[0] for b in words) * points, 2), y0=round(min(b[1] for b in words) * points, 2),
            x1=round(max(b[2] for b in words) * points, 2), y1=round(max(b[3] for b in words) * points, 2),
        )
        for text, words in zip(texts, boxes, strict=True)
    ]
    return OcrPage("\n\n".join(texts), None if mean is None else round(mean, 3),
                   len(confidences), blocks=blocks)


def scale_for(width: float, height: float, dpi: float) -> float:
    """How much to enlarge a page of ``width`` × ``height`` pixels at ``dpi`` so that it
    is read at :data:`DPI`, within :data:`MAX_PIXELS`."""
    scale = DPI / dpi
    if width * height * scale * scale > MAX_PIXELS:
        scale = math.sqrt(MAX_PIXELS / (width * height))
    return scale


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        stderr = (exc.stderr or b"").decode("utf-8", errors="replace").strip().splitlines()
        return stderr[-1] if stderr else f"tesseract exited with {exc.returncode}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
