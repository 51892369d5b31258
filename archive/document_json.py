"""One document as JSON: what ``arkiv show --json``, ``/api/documents/<id>`` and search
hits say of it, in one shape.

The contract's fields (DESIGN.md) and every other metadata value extraction found, where
the text came from, the file's facts, the other renderings of the same document (ids, as
a hit's ``renderings``) and every version its source path has shown. The caller passes
the renderings and versions its reader may see, and the document as that reader sees it
(for the public: its file name as ``path``, no internal links); ``access`` and
``access_reason`` are for staff only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from archive.models import Document


def document_json(
    document: Document,
    *,
    renderings: Iterable[str],
    versions: Iterable[tuple[int, str, str]],
    staff: bool,
    with_text: bool = True,
) -> dict[str, Any]:
    """The document's JSON (see the module's docstring)."""
    data = document.to_json(with_text=with_text)
    if staff:
        data["access"] = document.access
        data["access_reason"] = document.access_reason
    data.update(document.text_origin())
    for key, value in document.metadata.items():
        data.setdefault(key, value)
    data["renderings"] = list(renderings)
    data["superseded_by"] = document.superseded_by
    data["versions"] = versions_json(versions, document.id)
    data["file"] = {
        "filename": document.filename,
        "content_type": document.content_type,
        "size": document.size,
        "pages": len(document.page_starts),
        "ingested_at": document.ingested_at,
    }
    return data


def versions_json(versions: Iterable[tuple[int, str, str]], current: str) -> list[dict[str, Any]]:
    """Every version a document's source path has shown, marking the document's own (as
    a document's JSON and a hit asked for ``versions`` both give them)."""
    return [
        {"version": number, "id": doc_id, "at": at, "current": doc_id == current}
        for number, doc_id, at in versions
    ]
