"""Images of paper: PNG, JPEG and TIFF (several pages, Group 4 fax coding) read by OCR.

Each frame of the file is a page. Its resolution comes from the file (TIFF tags,
PNG pHYs, JPEG density); a fax's unequal resolutions (204 × 98 dpi) are evened out
and pages below 200 dpi are enlarged to 300, the size Tesseract reads best
(:mod:`indexer.extract.ocr`). A photo's EXIF orientation is applied first.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from indexer.extract import Extracted, ExtractionError, ocr
from indexer.extract.pdf import layout_title

#: Frames (pages) of one file read at most; a TIFF of more is cut here, with a warning.
MAX_PAGES = 2000
#: Pillow refuses images past twice its own bomb limit; ours is stricter and says so.
MAX_PIXELS = 200_000_000

#: The long side of A4 and of A3, in inches.
A4_INCHES, A3_INCHES = 11.69, 16.54

_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "MPO": "image/jpeg", "TIFF": "image/tiff"}


def extract(path: Path) -> Extracted:
    """OCR every page of an image file; a page Tesseract cannot read stays empty."""
    try:
        image = Image.open(path)
    except UnidentifiedImageError as exc:
        raise ExtractionError("damaged or unreadable image") from exc
    with image:
        content_type = _FORMATS.get(image.format or "")
        if content_type is None:
            raise ExtractionError(f"unsupported image format ({image.format})")
        reader = ocr.PageReader()
        pages: list[str] = []
        warnings: list[str] = []
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            if number > MAX_PAGES:
                warnings.append(f"only the first {MAX_PAGES} pages were read")
                break
            if frame.width * frame.height > MAX_PIXELS:
                raise ExtractionError(
                    f"image too large ({frame.width} × {frame.height} pixels)")
            pages.append(reader.read(lambda frame=frame: _page(frame), number))
    return Extracted(
        pages=pages,
        content_type=content_type,
        title=layout_title(reader.blocks),
        blocks=reader.blocks,
        needs_ocr=reader.unread > 0,
        warnings=reader.warnings() + warnings,
        text_sources=reader.sources,
        ocr_confidence=reader.confidence,
        ocr_status=reader.status,
    )


def _page(frame: Image.Image) -> tuple[Image.Image, int]:
    """One frame as a greyscale page at a resolution Tesseract reads well."""
    x_dpi, y_dpi = _resolution(frame)
    page = ImageOps.exif_transpose(frame).convert("L")
    if x_dpi != y_dpi:  # a fax's "normal" mode: half as many rows as columns
        page = page.resize((page.width, round(page.height * x_dpi / y_dpi)),
                           Image.Resampling.BICUBIC)
    dpi = x_dpi
    if dpi < ocr.MIN_DPI:
        scale = ocr.scale_for(page.width, page.height, dpi)
        page = page.resize((round(page.width * scale), round(page.height * scale)),
                           Image.Resampling.BICUBIC)
        dpi = round(dpi * scale)
    return page, round(dpi)


def _resolution(frame: Image.Image) -> tuple[float, float]:
    """The frame's (x, y) dpi. One the file does not give, or one that makes the page
    larger than A3 (cameras write 72 dpi), is guessed: the page is taken for A4."""
    try:
        x_dpi, y_dpi = (float(v) for v in frame.info["dpi"])
        if x_dpi >= 50 and y_dpi >= 50 and max(frame.width / x_dpi, frame.height / y_dpi) <= A3_INCHES:
            return x_dpi, y_dpi
    except (KeyError, TypeError, ValueError):
        pass
    guess = max(frame.width, frame.height) / A4_INCHES
    return guess, guess
