"""Access classes: every document is ``public`` or ``internal``.

The public (anyone not logged in) sees public documents only; staff see both. What
makes a document internal, strongest first:

1. ``staff``   — a staff member changed it on the document page, with a reason (either
                 way; this wins over everything below and is kept in ``access_changes``);
2. ``ingest``  — ``arkiv index --access internal PATH``;
3. ``rule``    — a folder rule in the registry's ``access.toml``;
4. ``marking`` — the text carries a sekretess marking ("Sekretess enligt 26 kap. 1 § OSL").

Anything not made internal is public (``default``). Being internal is sticky: a second
ingest of the same content as public does not make it public again; only staff can.
The catalog keeps the outcome on the document (``documents.access``, ``access_reason``,
``access_source``), so it survives ``reindex --reextract`` and the index carries it as a
filter field.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from archive.catalog import NEEDS_OCR, Catalog, now_iso

PUBLIC, INTERNAL = "public", "internal"
ACCESS_CLASSES: tuple[str, ...] = (PUBLIC, INTERNAL)
#: Where a document's access class came from (see the module docstring).
SOURCES: tuple[str, ...] = ("default", "marking", "rule", "ingest", "staff")
MAX_REASON = 500

_NEXT_SEQ = "(SELECT COALESCE(MAX(seq), 0) + 1 FROM documents)"


class AccessError(ValueError):
    """A change of access that cannot be made (unknown class, no reason …)."""


def restrict_container(catalog: Catalog, container_id: str) -> bool:
    """Make a container (a mail, an archive) internal when one of its members is: its
    text names its members ("Bilagor: …", an archive's list of files), so it would tell
    the public what the internal member is. Returns True when it changed."""
    row = catalog.db.execute(
        "SELECT p.name FROM parts p JOIN documents d ON d.id = p.document_id "
        "WHERE p.container_id = ? AND d.access = ? ORDER BY p.position LIMIT 1",
        (container_id, INTERNAL),
    ).fetchone()
    if row is None:
        return False
    return restrict(catalog, container_id, f"innehåller en intern handling: {row[0]}", "marking")


def group(catalog: Catalog, doc_id: str) -> list[str]:
    """The document and the other renderings of its near-duplicate group: one text, so one
    access class (what one of them says, the others say too). An earlier version is in
    its own list too."""
    members = catalog.group_of(doc_id)
    return members if doc_id in members else [doc_id, *members]


def restrict(catalog: Catalog, doc_id: str, reason: str, source: str) -> bool:
    """Make a document (and its group) internal because of ``source`` (ingest, rule, marking).

    Leaves alone a document whose access staff decided, or one internal already for a
    stronger reason. Returns True when a document changed (its ``seq`` is bumped, so the
    index picks the change up).
    """
    rank = SOURCES.index(source)
    changed = False
    with catalog.transaction():
        for member in group(catalog, doc_id):
            row = catalog.db.execute(
                "SELECT access, access_source FROM documents WHERE id = ?", (member,)
            ).fetchone()
            if row is None:
                continue
            access, current = row[0], row[1] or "default"
            if current == "staff" or (access == INTERNAL and SOURCES.index(current) >= rank):
                continue
            catalog.db.execute(
                f"UPDATE documents SET access = ?, access_reason = ?, access_source = ?, "
                f"seq = {_NEXT_SEQ} WHERE id = ?",
                (INTERNAL, reason[:MAX_REASON], source, member),
            )
            changed = True
    return changed


def spread(catalog: Catalog, doc_id: str) -> bool:
    """A document that joined a group with an internal member becomes internal too."""
    members = group(catalog, doc_id)
    marks = ",".join("?" * len(members))
    row = catalog.db.execute(
        f"SELECT access_reason, access_source FROM documents WHERE id IN ({marks}) "
        "AND access = 'internal' AND access_source != 'staff' ORDER BY seq LIMIT 1",
        members,
    ).fetchone()
    return restrict(catalog, doc_id, row[0] or "", row[1]) if row else False


def change(catalog: Catalog, doc_id: str, access: str, reason: str, *, by: str) -> bool:
    """A staff member sets the access class of a document (and its group), with a reason.

    Every document changed gets a line in ``access_changes``; returns False when none
    changed (they had that class already).
    """
    reason = " ".join(reason.split())[:MAX_REASON]
    if access not in ACCESS_CLASSES:
        raise AccessError(f"unknown access class {access!r}")
    if not reason:
        raise AccessError("a change of access needs a reason")
    changed = False
    with catalog.transaction():
        if catalog.db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None:
            raise AccessError(f"no document {doc_id}")
        for member in group(catalog, doc_id):
            row = catalog.db.execute(
                "SELECT access FROM documents WHERE id = ?", (member,)
            ).fetchone()
            catalog.db.execute(
                f"UPDATE documents SET access = ?, access_reason = ?, access_source = 'staff', "
                f"seq = {_NEXT_SEQ} WHERE id = ?",
                (access, reason, member),
            )
            if row[0] != access:
                catalog.db.execute(
                    "INSERT INTO access_changes "
                    "(document_id, before, after, reason, changed_by, at) VALUES (?, ?, ?, ?, ?, ?)",
                    (member, row[0], access, reason, by, now_iso()),
                )
                changed = True
        if access == INTERNAL:  # the mails and archives that name it follow
            containers = catalog.db.execute(
                "SELECT DISTINCT container_id FROM parts WHERE document_id = ?", (doc_id,))
            for (container_id,) in containers.fetchall():
                restrict_container(catalog, container_id)
    return changed


def changes(db: sqlite3.Connection, doc_id: str) -> list[dict[str, Any]]:
    """Staff changes of a document's access, newest first (who, when, before, after, why)."""
    rows = db.execute(
        "SELECT before, after, reason, changed_by, at FROM access_changes "
        "WHERE document_id = ? ORDER BY id DESC",
        (doc_id,),
    )
    return [
        {"before": r[0], "after": r[1], "reason": r[2], "by": r[3], "at": r[4]} for r in rows
    ]


def source_of(db: sqlite3.Connection, doc_id: str) -> str:
    """Where a document's access class came from (one of :data:`SOURCES`)."""
    row = db.execute("SELECT access_source FROM documents WHERE id = ?", (doc_id,)).fetchone()
    return str(row[0]) if row and row[0] else "default"


def access_of(db: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    """The access class of each document id (unknown ids are left out)."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(f"SELECT id, access FROM documents WHERE id IN ({marks})", chunk)
        found.update({r[0]: r[1] for r in rows})
    return found


def public_stats(db: sqlite3.Connection) -> dict[str, Any]:
    """The document counts the status page shows, of public documents only."""
    public = "access = 'public'"
    current = f"{public} AND superseded_by IS NULL"
    one = lambda where: int(db.execute(f"SELECT COUNT(*) FROM documents WHERE {where}").fetchone()[0])  # noqa: E731
    by_type: dict[str, int] = {}
    for row in db.execute(
        "SELECT COALESCE(json_extract(metadata, '$.doc_type'), '') AS t, COUNT(*) FROM documents "
        f"WHERE {current} AND duplicate_of IS NULL GROUP BY t ORDER BY 2 DESC, 1"
    ):
        by_type[row[0] or "okänd"] = int(row[1])
    return {
        "documents": one(f"{current} AND duplicate_of IS NULL"),
        "renderings": one(f"{current} AND duplicate_of IS NOT NULL"),
        "earlier_versions": one(f"{public} AND superseded_by IS NOT NULL"),
        "needs_ocr": one(f"{current} AND {NEEDS_OCR}"),
        "by_type": by_type,
    }
