"""Staff corrections of a document's metadata, and the audit log that records them.

A correction overrides what extraction found for one field of a document (and of the
other renderings of its near-duplicate group: they are one document). It lives in the
catalog's ``corrections`` table; a trigger lays it over the document's metadata every
time anything writes that metadata (see :mod:`archive.staff_schema`), so it survives
``arkiv reindex``, ``arkiv reindex --reextract`` and regrouping, and a changed version of
the same file inherits it. Every change — a correction, a revert, a project candidate
confirmed, merged or rejected — is a row of the audit log: who, when, field, before, after.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from archive import db as catalog_db
from archive.access import group
from archive.catalog import Catalog, now_iso
from archive.home import ArchiveBusy, InputError, write_lock
from archive.messages import message

#: The fields staff may correct, with the kind of value each takes.
CORRECTABLE: dict[str, str] = {
    "title": "text",
    "doc_type": "text",
    "document_date": "date",
    "decision_date": "date",
    "city": "text",
    "committee": "text",
    "dnr": "text",
    "projects": "list",
    "topics": "list",
}
#: What a project candidate may become.
DECISIONS = ("confirmed", "merged", "rejected")
MAX_VALUE_LENGTH = 500
MAX_LIST_VALUES = 50


class CorrectionError(InputError):
    """A value staff typed that a field cannot take."""


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log; ``before`` and ``after`` are the values (JSON types)."""

    id: int
    document_id: str | None
    action: str
    field: str | None
    before: Any
    after: Any
    by_user: str
    at: str


def normalise(field: str, value: Any) -> Any:
    """A typed value as the field keeps it (None clears it); :class:`CorrectionError` when
    the field cannot be corrected or the value is not one it takes."""
    kind = CORRECTABLE.get(field)
    if kind is None:
        raise CorrectionError(message("field_not_correctable", field=field))
    if kind == "list":
        items = value if isinstance(value, list | tuple) else re.split(r"[\n;]", str(value or ""))
        cleaned = list(dict.fromkeys(" ".join(str(v).split()) for v in items))
        cleaned = [v for v in cleaned if v]
        if len(cleaned) > MAX_LIST_VALUES or any(len(v) > MAX_VALUE_LENGTH for v in cleaned):
            raise CorrectionError(message("too_many_field_values", field=field))
        return cleaned
    text = " ".join(str(value or "").split())
    if not text:
        return None
    if len(text) > MAX_VALUE_LENGTH:
        raise CorrectionError(message("value_too_long", field=field, n=MAX_VALUE_LENGTH))
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise CorrectionError(message("not_a_day", value=text)) from None
    return text


def _touch(catalog: Catalog, ids: Iterable[str]) -> None:
    """Rewrite the documents' metadata (the trigger applies the corrections) and bump their
    sequence numbers so the index takes them up."""
    for doc_id in ids:
        catalog.db.execute(
            "UPDATE documents SET metadata = metadata, seq = "
            "(SELECT COALESCE(MAX(seq), 0) + 1 FROM documents) WHERE id = ?",
            (doc_id,),
        )


def _audit(
    catalog: Catalog, doc_id: str | None, action: str, field: str | None,
    before: Any, after: Any, user: str,
) -> None:
    catalog.db.execute(
        "INSERT INTO audit_log (document_id, action, field, before, after, by_user, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (doc_id, action, field, json.dumps(before, ensure_ascii=False),
         json.dumps(after, ensure_ascii=False), user, now_iso()),
    )


def correct(catalog: Catalog, doc_id: str, changes: dict[str, Any], user: str) -> list[str]:
    """Correct fields of a document; returns the names of the fields that changed.

    Values are checked first (:func:`normalise`): one bad value changes nothing.
    A value equal to the current one is not a change and is not logged.
    """
    doc = catalog.get(doc_id, with_text=False)
    if doc is None:
        raise CorrectionError(message("no_document", id=doc_id))
    wanted = {field: normalise(field, value) for field, value in changes.items()}
    changed = []
    with catalog.transaction():
        members = group(catalog, doc_id)
        for field, after in wanted.items():
            before = doc.get(field)
            if after == before or (after is None and before in (None, [])):
                continue
            changed.append(field)
            encoded = json.dumps(after, ensure_ascii=False)
            for member in members:
                catalog.db.execute(
                    "INSERT INTO corrections (document_id, field, value, extracted, by_user, at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(document_id, field) DO UPDATE SET "
                    "value = excluded.value, by_user = excluded.by_user, at = excluded.at",
                    (member, field, encoded, json.dumps(before, ensure_ascii=False), user,
                     now_iso()),
                )
            _audit(catalog, doc_id, "corrected", field, before, after, user)
        if changed:
            _touch(catalog, members)
    return changed


def revert(catalog: Catalog, doc_id: str, field: str, user: str) -> bool:
    """Drop a field's correction: the field shows what extraction found again.
    Returns False when the field had no correction."""
    with catalog.transaction():
        members = group(catalog, doc_id)
        marks = ",".join("?" * len(members))
        row = catalog.db.execute(
            f"SELECT value, extracted FROM corrections WHERE field = ? AND document_id IN ({marks}) "
            "ORDER BY at DESC LIMIT 1",
            (field, *members),
        ).fetchone()
        if row is None:
            return False
        catalog.db.execute(
            f"DELETE FROM corrections WHERE field = ? AND document_id IN ({marks})",
            (field, *members),
        )
        for member in members:
            catalog.db.execute(
                "UPDATE documents SET metadata = json_set(metadata, '$.' || ?, json(?)) "
                "WHERE id = ?",
                (field, row["extracted"], member),
            )
        _audit(catalog, doc_id, "reverted", field, json.loads(row["value"]),
               json.loads(row["extracted"]), user)
        _touch(catalog, members)
    return True


def corrected_fields(catalog: Catalog, doc_id: str) -> dict[str, dict[str, Any]]:
    """The fields of a document that carry a correction: field → by_user, at, extracted."""
    members = group(catalog, doc_id)
    marks = ",".join("?" * len(members))
    rows = catalog.db.execute(
        f"SELECT field, by_user, at, extracted FROM corrections WHERE document_id IN ({marks}) "
        "ORDER BY at",
        members,
    )
    return {
        r["field"]: {"by_user": r["by_user"], "at": r["at"], "extracted": json.loads(r["extracted"])}
        for r in rows
    }


def audit_log(catalog: Catalog, doc_id: str | None = None, *, limit: int = 200) -> list[AuditEntry]:
    """The audit log, newest first: of one document (its whole group), or all of it."""
    if doc_id is None:
        rows = catalog.db.execute("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
    else:
        members = group(catalog, doc_id)
        marks = ",".join("?" * len(members))
        rows = catalog.db.execute(
            f"SELECT * FROM audit_log WHERE document_id IN ({marks}) ORDER BY id DESC LIMIT ?",
            (*members, limit),
        )
    return [
        AuditEntry(
            id=r["id"], document_id=r["document_id"], action=r["action"], field=r["field"],
            before=json.loads(r["before"]) if r["before"] is not None else None,
            after=json.loads(r["after"]) if r["after"] is not None else None,
            by_user=r["by_user"], at=r["at"],
        )
        for r in rows
    ]


# -- project candidates ---------------------------------------------------------------


def project_decisions(catalog: Catalog) -> dict[str, tuple[str, str | None]]:
    """Decided project candidates: name → (decision, project it was merged into)."""
    if catalog.readonly and not catalog_db.has_table(catalog.db, "project_decisions"):
        return {}  # a catalog no Arkiv with staff tables has opened for writing yet
    rows = catalog.db.execute("SELECT name, decision, target FROM project_decisions")
    return {r[0]: (r[1], r[2]) for r in rows}


def open_candidates(catalog: Catalog, doc_id: str) -> list[str]:
    """A document's project candidates that nobody has decided on yet."""
    doc = catalog.get(doc_id, with_text=False)
    if doc is None:
        return []
    decided = project_decisions(catalog)
    projects = set(doc.get("projects"))
    found = doc.metadata.get("project_candidates") or catalog.own_metadata(doc_id).get(
        "project_candidates") or []
    return [name for name in found if name not in decided and name not in projects]


def decide_candidate(
    catalog: Catalog, doc_id: str, name: str, decision: str, user: str,
    *, target: str | None = None,
) -> None:
    """Confirm a project candidate (it becomes one of the document's projects), merge it
    into an existing project (the document gets that project) or reject it (it is not
    offered again, here or on any other document)."""
    if decision not in DECISIONS:
        raise CorrectionError(message("unknown_decision", decision=decision))
    name = " ".join(name.split())
    target = " ".join((target or "").split()) or None
    if decision == "merged" and not target:
        raise CorrectionError(message("merge_target_missing"))
    doc = catalog.get(doc_id, with_text=False)
    if doc is None:
        raise CorrectionError(message("no_document", id=doc_id))
    with catalog.transaction():
        catalog.db.execute(
            "INSERT INTO project_decisions (name, decision, target, by_user, at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET decision = excluded.decision, "
            "target = excluded.target, by_user = excluded.by_user, at = excluded.at",
            (name, decision, target if decision == "merged" else None, user, now_iso()),
        )
        _audit(catalog, doc_id, f"project-{decision}", "project_candidates", name,
               target if decision == "merged" else name if decision == "confirmed" else None,
               user)
        project = name if decision == "confirmed" else target if decision == "merged" else None
        if project and project not in doc.get("projects"):
            correct(catalog, doc_id, {"projects": [*doc.get("projects"), project]}, user)


def record_registry_change(
    catalog: Catalog, registry: str, name: str, before: Any, after: Any, user: str
) -> None:
    """Log a change of a registry entry (a project or a topic) in the audit log."""
    with catalog.transaction():
        _audit(catalog, None, f"registry-{registry}", name, before, after, user)


# -- after a change ---------------------------------------------------------------------


def sync_index_if_idle(home: Path) -> bool:
    """Bring the search index up to date after a staff change, unless another process
    is writing (an ``arkiv index`` run syncs the change itself, within a minute).
    Returns whether the index was synchronised now."""
    from archive.engine import backend_for

    try:
        with write_lock(Path(home), purpose="arkiv web (a staff change)"), \
                Catalog(home, readonly=True) as catalog:
            backend_for(Path(home)).sync(catalog)
    except ArchiveBusy:
        return False
    return True
