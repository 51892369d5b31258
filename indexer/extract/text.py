"""Plain text: find the encoding, never produce mojibake; form feeds split pages.

Swedish files arrive as UTF-8 (with or without BOM), UTF-16 from Windows tools (with a
BOM, sometimes without) and, from older systems, Windows-1252 or ISO-8859-1. The order
of the checks matters: a byte order mark decides; a NUL in every other byte is UTF-16;
bytes that decode as UTF-8 are UTF-8 (an 8-bit text almost never does by chance, while
reading UTF-8 as cp1252 would turn "ä" into "Ã¤"); anything else is cp1252, a superset
of ISO-8859-1 for every printable character.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from indexer.clean import normalise_characters
from indexer.extract import TEXT, Extracted, ExtractionError

#: Byte order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
#: Bytes never found in text: C0 controls other than tab, newline, vertical tab, form
#: feed, carriage return and escape.
_BINARY_BYTES = bytes([*range(0x00, 0x09), 0x0E, 0x0F, *range(0x10, 0x1B), *range(0x1C, 0x20)])
#: Bytes that Windows-1252 leaves undefined; a text with them is plain ISO-8859-1.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_C1_RANGE = re.compile(rb"[\x80-\x9f]")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CP1252_FALLBACK = "arkiv-cp1252-fallback"
_MARKDOWN_H1 = re.compile(r"\A\s*# +(\S.*?)[ \t#]*$", re.MULTILINE)
_MARKDOWN_BOLD = re.compile(r"^\*\*(\S(?:[^*\n]|\n(?![ \t]*\n))*?\S)\*\*[ \t]*$", re.MULTILINE)
#: A bold first paragraph counts as the title only this close to the start.
_TITLE_WINDOW = 1500


def extract(path: Path) -> Extracted:
    """Read a plain-text file; pages are separated by form feeds."""
    text, encoding, warnings = decode(path.read_bytes())
    text = normalise_characters(text)
    if not text.strip():
        raise ExtractionError("empty file")
    pages = text.split("\f")
    while len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    return Extracted(pages=pages, content_type=TEXT, title=_title(text), encoding=encoding, warnings=warnings)


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """The text in ``data``, the name of its encoding and any warnings.

    Binary data is an error. A UTF-8 text with a few stray 8-bit bytes (a cp1252
    line pasted into it) stays UTF-8, the stray bytes read as cp1252.
    """
    if not data.strip():
        raise ExtractionError("empty file")
    encoding = _bom_encoding(data) or _utf16_without_bom(data)
    if encoding:
        try:
            return data.decode(encoding).removeprefix("\ufeff"), encoding, []
        except UnicodeDecodeError as exc:
            raise ExtractionError(f"not text: invalid {encoding} data") from exc
    if looks_binary(data):
        raise ExtractionError("not text: binary content")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    utf8_bytes = sum(len(sequence) for sequence in _UTF8_SEQUENCE.findall(data))
    stray = sum(byte >= 0x80 for byte in data) - utf8_bytes
    if utf8_bytes > stray:
        text = data.decode("utf-8", errors=_CP1252_FALLBACK)
        return text, "utf-8", [f"{stray} bytes that are not UTF-8 read as cp1252"]
    if _CP1252_UNDEFINED.search(data):
        return data.decode("iso-8859-1"), "iso-8859-1", []
    encoding = "cp1252" if _C1_RANGE.search(data) else "iso-8859-1"
    return data.decode("cp1252"), encoding, []


def _read_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    stray = error.object[error.start : error.end]
    return stray.decode("cp1252", errors="replace"), error.end


codecs.register_error(_CP1252_FALLBACK, _read_as_cp1252)


def looks_binary(head: bytes) -> bool:
    """Whether the bytes are not text in any encoding we read (UTF-16 is text)."""
    if _bom_encoding(head) or _utf16_without_bom(head):
        return False
    sample = head[:8192]
    if b"\x00" in sample:
        return True
    binary = len(sample) - len(sample.translate(None, _BINARY_BYTES))
    return binary > 0.1 * len(sample)


def peek_text(head: bytes) -> str:
    """The start of a file decoded well enough to look for markup (for sniffing)."""
    encoding = _bom_encoding(head) or _utf16_without_bom(head) or "utf-8"
    return head.decode(encoding, errors="replace").lstrip("\ufeff")


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: Latin text has a NUL as every other byte.

    Swedish letters (å ä ö are U+00E5, U+00E4, U+00F6) keep the pattern, so a NUL in
    nearly every high byte and almost none in the low bytes is decisive.
    """
    sample = data[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return None
    pairs = len(sample) // 2
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls >= 0.6 * pairs and even_nuls <= 0.05 * pairs:
        return "utf-16-le"
    if even_nuls >= 0.6 * pairs and odd_nuls <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _title(text: str) -> str | None:
    """A Markdown title: a ``# heading`` first line, or a leading **bold** paragraph."""
    start = text[:_TITLE_WINDOW]
    match = _MARKDOWN_H1.match(start) or _MARKDOWN_BOLD.search(start)
    return " ".join(match.group(1).split()) if match else None
