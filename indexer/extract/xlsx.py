"""Excel workbooks (.xlsx, Office Open XML): the cells' text, one page a sheet.

A .xlsx is a zip: ``xl/sharedStrings.xml`` holds the strings, each
``xl/worksheets/sheetN.xml`` its cells (a string cell points into the shared strings;
numbers and inline strings stand in the cell). Each row becomes a line, its cells
separated by tabs. The XML is parsed with defusedxml.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from indexer.clean import normalise_characters
from indexer.extract import XLSX, Extracted, ExtractionError

S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
#: A sheet or string table larger than this unpacked is refused (a zip bomb).
MAX_XML_BYTES = 256 * 1024 * 1024
_SHEET = re.compile(r"xl/worksheets/sheet(\d+)\.xml")


def extract(path: Path) -> Extracted:
    """The text of a workbook's sheets, a page each."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ExtractionError("not an Excel workbook: broken zip container") from exc
    with archive:
        strings = _shared_strings(archive)
        sheets = sorted(
            (int(m.group(1)), name) for name in archive.namelist() if (m := _SHEET.fullmatch(name))
        )
        if not sheets:
            raise ExtractionError("not an Excel workbook: no worksheets")
        pages = [normalise_characters(_sheet_text(archive, name, strings)) for _n, name in sheets]
    if not any(page.strip() for page in pages):
        raise ExtractionError("empty file: the workbook has no text")
    return Extracted(pages=pages, content_type=XLSX)


def _parse(archive: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_XML_BYTES:
        raise ExtractionError("Excel workbook too large to extract")
    with archive.open(info) as handle:
        return _root(handle)


def _root(handle: IO[bytes]) -> ElementTree.Element:
    try:
        return ElementTree.parse(handle).getroot()
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise ExtractionError(f"not an Excel workbook: broken XML ({exc})") from exc


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    root = _parse(archive, "xl/sharedStrings.xml")
    if root is None:
        return []
    return ["".join(t.text or "" for t in item.iter(f"{S}t")) for item in root.iter(f"{S}si")]


def _sheet_text(archive: zipfile.ZipFile, name: str, strings: list[str]) -> str:
    root = _parse(archive, name)
    lines = []
    for row in root.iter(f"{S}row") if root is not None else ():
        cells = [_cell_text(cell, strings) for cell in row.iter(f"{S}c")]
        line = "\t".join(c for c in cells if c)
        if line.strip():
            lines.append(line)
    return "\n".join(lines)


def _cell_text(cell: ElementTree.Element, strings: list[str]) -> str:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{S}t"))
    value = cell.find(f"{S}v")
    text = (value.text or "") if value is not None else ""
    if kind == "s":
        try:
            return strings[int(text)]
        except (ValueError, IndexError):
            return ""
    return text
