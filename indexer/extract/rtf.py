"""RTF: the text through striprtf (control words, groups, code pages and \\u escapes).

RTF is 7-bit text that names its own code page (``\\ansicpg1252``); 8-bit characters
come as ``\\'e4`` escapes, Unicode as ``\\u228?``. striprtf decodes both. The text is
one page: RTF's page breaks are only hints to the word processor that wrote it.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from striprtf.striprtf import rtf_to_text

from indexer.clean import normalise_characters
from indexer.extract import RTF, Extracted, ExtractionError

_CODE_PAGE = re.compile(rb"\\ansicpg(\d+)")


def extract(path: Path) -> Extracted:
    """The text of an RTF file, paragraphs kept."""
    data = path.read_bytes()
    text = rtf_to_text(data.decode("latin-1"), encoding=_code_page(data), errors="replace")
    text = normalise_characters(text)
    if not text.strip():
        raise ExtractionError("empty file: the RTF document has no text")
    return Extracted(pages=[text], content_type=RTF)


def _code_page(data: bytes) -> str:
    """The code page the RTF header names (Windows-1252 when it names none we know)."""
    match = _CODE_PAGE.search(data[:4096])
    if match:
        try:
            return codecs.lookup(f"cp{int(match.group(1))}").name
        except LookupError:
            pass
    return "cp1252"
