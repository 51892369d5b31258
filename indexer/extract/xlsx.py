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

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from indexer.clean import normalise_characters
from indexer.extract import XLSX, Extracted, ExtractionError
from indexer.extract.office import core_title, office_zip, xml_member

S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
KIND = "an Excel workbook"
_SHEET = re.compile(r"xl/worksheets/sheet(\d+)\.xml")


def extract(path: Path) -> Extracted:
    """The text of a workbook's sheets, a page each."""
    with office_zip(path, KIND) as archive:
        strings = _shared_strings(archive)
        sheets = sorted(
            (int(m.group(1)), name) for name in archive.namelist() if (m := _SHEET.fullmatch(name))
        )
        if not sheets:
            raise ExtractionError("not an Excel workbook: no worksheets")
        pages = [normalise_characters(_sheet_text(archive, name, strings)) for _n, name in sheets]
        # A sheet's first cells are seldom a title: the properties', else the file's name.
        title = core_title(archive) or path.stem.replace("_", " ")
    if not any(page.strip() for page in pages):
        raise ExtractionError("empty file: the workbook has no text")
    return Extracted(pages=pages, content_type=XLSX, title=title)


def _parse(archive: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    """A member's XML root, or None when the workbook has no such member."""
    if name not in archive.NameToInfo:
        return None
    with xml_member(archive, name, KIND) as handle:
        try:
            return ElementTree.parse(handle).getroot()
        except (ElementTree.ParseError, DefusedXmlException) as exc:
            raise ExtractionError(f"not {KIND}: broken XML ({exc})") from exc


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
