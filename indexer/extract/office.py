"""What the zip-based office formats share (.docx, .xlsx, OpenDocument): opening the
zip and one XML member of it, with one-line errors and a limit against zip bombs, and
the title in an Office file's properties."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from indexer.extract import ExtractionError

DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
#: An XML member larger than this unpacked is refused (a zip bomb, not a document).
MAX_XML_BYTES = 256 * 1024 * 1024


@contextmanager
def office_zip(path: Path, kind: str) -> Iterator[zipfile.ZipFile]:
    """The zip of an office file; ``kind`` names the format in errors ("a Word document")."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ExtractionError(f"not {kind}: broken zip container") from exc
    with archive:
        yield archive


@contextmanager
def xml_member(archive: zipfile.ZipFile, name: str, kind: str) -> Iterator[IO[bytes]]:
    """One XML member of an office zip, opened for reading; it must be there."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ExtractionError(f"not {kind}: no {name}") from None
    if info.file_size > MAX_XML_BYTES:
        raise ExtractionError(f"too large to extract: {name} unpacks to over {MAX_XML_BYTES // 2**20} MB")
    with archive.open(info) as handle:
        yield handle


def core_title(archive: zipfile.ZipFile) -> str | None:
    """The title in an Office file's properties (``docProps/core.xml``), if it is one."""
    title = properties_title(archive, "docProps/core.xml")
    # One-word core titles are template names ("ReferatLagrummet", "Normal"), not titles.
    return title if title and len(title.split()) >= 2 else None


def properties_title(archive: zipfile.ZipFile, member: str) -> str | None:
    """The Dublin Core title in a properties member (``docProps/core.xml``, ODF's
    ``meta.xml``), on one line."""
    try:
        with archive.open(member) as handle:
            root = ElementTree.parse(handle).getroot()
    except (KeyError, ElementTree.ParseError, DefusedXmlException):
        return None
    element = root.find(f".//{DC_TITLE}")
    text = " ".join((element.text or "").split()) if element is not None else ""
    return text or None
