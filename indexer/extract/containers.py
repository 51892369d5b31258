"""Archives (.zip, .tar, .tar.gz/.tgz, and .gz or .bz2 of one file): members as parts.

A zip of bilagor is one file and many documents. The archive's own document lists
what it holds; every member is a :class:`Part` the pipeline archives as a document of
its own, under a path that says where it lives (``bilagor.zip!/bilagor/missiv.txt``).
Members are read into memory from the archive, never extracted to disk paths, so a
member named ``../../etc/passwd`` cannot write anywhere; such a name, an encrypted
member and a zip bomb (a member that unpacks to far more than it takes, or to more
than the limits) each give one line and cost nothing else: the other members are read.
"""

from __future__ import annotations

import bz2
import gzip
import tarfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO

from archive.models import escaping_name
from indexer.extract import BZIP2, GZIP, TAR, ZIP, Extracted, ExtractionError, Part, sniff

#: No member may unpack to more than this.
MAX_MEMBER_BYTES = 256 * 1024 * 1024
#: Nor all members of one archive together (nested archives share it: see indexer.parts).
MAX_TOTAL_BYTES = 512 * 1024 * 1024
#: A member that unpacks to more than this many times its packed size is a bomb …
MAX_RATIO = 200
#: … once it is larger than this (a small, very regular text may pack well by itself).
RATIO_FROM_BYTES = 1024 * 1024
#: Members read from one archive; the rest are named in one line.
MAX_MEMBERS = 5000
_CHUNK = 1 << 20


def extract(path: Path) -> Extracted:
    """An archive's listing as its text, and its members as parts."""
    with path.open("rb") as handle:
        content_type = sniff(handle.read(4096), path.name)
    if content_type == ZIP:
        parts = _zip_parts(path)
    elif content_type == TAR or _is_tar(path):
        parts = _tar_parts(path, path.stat().st_size)
    else:
        parts = [_single_part(path, content_type)]
    listing = [f"{part.name}" + (f" ({part.problem})" if part.problem else "") for part in parts]
    text = f"{path.name}\n\nInnehåll:\n" + "\n".join(listing) if listing else ""
    if not parts:
        raise ExtractionError("empty archive: no files in it")
    return Extracted(pages=[text], content_type=content_type, title=path.name, parts=parts)


def bomb_reason(unpacked: int, packed: int) -> str | None:
    """Why a member of this unpacked and packed size is refused, or None."""
    if unpacked > MAX_MEMBER_BYTES:
        return f"member too large: {unpacked / 2**20:.0f} MB unpacked (limit {MAX_MEMBER_BYTES // 2**20} MB)"
    if unpacked > RATIO_FROM_BYTES and unpacked > MAX_RATIO * max(packed, 1):
        return f"zip bomb: packed {unpacked // max(packed, 1)}:1 (limit {MAX_RATIO}:1)"
    return None


class _Budget:
    """What an archive may still unpack in all; a member past it gets one line."""

    def __init__(self) -> None:
        self.left = MAX_TOTAL_BYTES
        self.members = 0

    def refuse(self, size: int) -> str | None:
        self.members += 1
        if self.members > MAX_MEMBERS:
            return f"more than {MAX_MEMBERS} files in the archive: not read"
        if size > self.left:
            return f"archive too large unpacked (over {MAX_TOTAL_BYTES // 2**20} MB): not read"
        self.left -= size
        return None


def _zip_parts(path: Path) -> list[Part]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExtractionError(f"broken zip archive: {exc}") from exc
    parts = []
    budget = _Budget()
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = info.filename
            problem = (
                "unsafe member name (path traversal): not read" if escaping_name(name)
                else "encrypted member (password required)" if info.flag_bits & 0x1
                else bomb_reason(info.file_size, info.compress_size)
                or budget.refuse(info.file_size)
            )
            if problem:
                parts.append(Part(name, problem=problem))
                continue
            try:
                with archive.open(info) as handle:
                    parts.append(_read_bounded(name, handle, info.compress_size))
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                parts.append(Part(name, problem=f"damaged member: {exc}"))
            except (NotImplementedError, RuntimeError) as exc:  # compression we cannot read
                parts.append(Part(name, problem=f"cannot unpack member: {exc}"))
    return parts


def _is_tar(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except (OSError, EOFError, zlib.error):
        return False


def _tar_parts(path: Path, packed: int) -> list[Part]:
    parts = []
    budget = _Budget()
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                name = member.name
                if member.isdir():
                    continue
                problem = (
                    "unsafe member name (path traversal): not read" if escaping_name(name)
                    else "a link or special file, not a file: not read" if not member.isfile()
                    else bomb_reason(member.size, packed) or budget.refuse(member.size)
                )
                if problem:
                    parts.append(Part(name, problem=problem))
                    continue
                handle = archive.extractfile(member)
                if handle is not None:
                    parts.append(_read_bounded(name, handle, packed))
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        if not parts:
            raise ExtractionError(f"broken tar archive: {exc}") from exc
        parts.append(Part("…", problem=f"the rest of the archive is damaged: {exc}"))
    return parts


def _single_part(path: Path, content_type: str) -> Part:
    """The one file a .gz or .bz2 holds, named as the file without that extension."""
    name = path.stem if path.suffix.lower() in (".gz", ".bz2", ".gzip", ".bzip2") else path.name
    opener = gzip.open if content_type == GZIP else bz2.open if content_type == BZIP2 else None
    if opener is None:
        raise ExtractionError(f"unsupported archive ({content_type})")
    try:
        with opener(path, "rb") as handle:
            return _read_bounded(name, handle, path.stat().st_size)
    except (OSError, EOFError, zlib.error) as exc:
        raise ExtractionError(f"broken compressed file: {exc}") from exc


def _read_bounded(name: str, handle: IO[bytes], packed: int) -> Part:
    """A member's bytes, refused as soon as they pass the limits (a member's declared
    size may lie, so the bytes themselves are counted)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := handle.read(_CHUNK):
        size += len(chunk)
        problem = bomb_reason(size, packed)
        if problem:
            return Part(name, problem=problem)
        chunks.append(chunk)
    return Part(str(PurePosixPath(name)), data=b"".join(chunks))
