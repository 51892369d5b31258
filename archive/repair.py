"""Restoring a damaged original: ``arkiv check --repair`` and a re-index of its source.

An original is damaged when its file in ``originals/`` is missing or no longer has the
SHA-256 it was archived under. It is restored from a file whose hash is that SHA-256: the
unchanged source it was ingested from (any path the catalog knows for the document) or
the copy in an export (``arkiv export``). A corrupt file is first set aside, beside it as
``.corrupt-<sha256>``, never deleted: a later re-index of its source then finds it
missing and restores it, and the bytes stay for whoever wants to look at them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from archive.catalog import Catalog, sha256_file


@dataclass(frozen=True)
class Damaged:
    """A document whose original is missing or corrupt."""

    document_id: str
    sha256: str
    path: str
    missing: bool

    def describe(self) -> str:
        state = "missing" if self.missing else "corrupt"
        return f"original {state} for document {self.document_id} ({self.path})"


def set_aside(catalog: Catalog, sha256: str) -> None:
    """Move a corrupt original out of the way (kept beside it as ``.corrupt-<sha256>``)."""
    original = catalog.original_path(sha256)
    if original.exists():
        os.replace(original, original.with_name(f".corrupt-{sha256}"))


def restore_from(catalog: Catalog, sha256: str, candidates: Iterable[Path]) -> Path | None:
    """Restore the original with this hash from the first candidate file that has it;
    returns that file, or None when none has it."""
    for candidate in candidates:
        try:
            if not candidate.is_file() or sha256_file(candidate) != sha256:
                continue
        except OSError:
            continue
        set_aside(catalog, sha256)
        catalog.store_original(candidate, sha256)
        return candidate
    return None


def restore_if_damaged(catalog: Catalog, sha256: str, size: int, source: Path) -> bool:
    """At a re-index of an unchanged ``source``: restore its original when that is
    missing or of the wrong size (a cheap test; ``arkiv check`` hashes, and sets a corrupt
    one aside, so a re-index after it restores that too)."""
    original = catalog.original_path(sha256)
    try:
        if original.is_file() and original.stat().st_size == size:
            return False
    except OSError:
        pass
    return restore_from(catalog, sha256, [source]) is not None


def repair_originals(
    catalog: Catalog, damaged: Iterable[Damaged],
    export: tuple[Path, Callable[[str], Path]] | None = None,
) -> tuple[list[str], list[str]]:
    """Restore each damaged original from an unchanged source, else from the export
    (its name, and where it keeps an original by hash); returns (what was repaired,
    what could not be), one line each."""
    repaired: list[str] = []
    left: list[str] = []
    for item in damaged:
        paths = [Path(row[0]) for row in catalog.db.execute(
            "SELECT path FROM paths WHERE document_id = ? ORDER BY path", (item.document_id,))]
        in_export = export[1](item.sha256) if export else None
        source = restore_from(catalog, item.sha256, paths + [in_export] if in_export else paths)
        if source is not None:
            name = f"the export {export[0]}" if export and source == in_export else source
            repaired.append(f"{item.describe()}: restored from {name}")
        elif export is None:
            left.append(f"{item.describe()}: not restored, no unchanged source "
                        "(give an export with --from)")
        else:
            left.append(f"{item.describe()}: not restored, neither an unchanged source "
                        "nor the export has it")
    return repaired, left
