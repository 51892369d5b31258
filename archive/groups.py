"""A near-duplicate group: which member is shown, and the metadata its members share.

Two renderings of one document (a protokoll as the PDF and as a text copy of it) are
one group in the catalog; search shows one member, the others are its renderings.
The shown member is chosen in one place, :func:`shown_member`: the original format
first (a PDF over a text rendering of it, whose pages and "s. 5" links are the PDF's),
then the richer metadata, then the id (ids are content hashes, so the choice does not
depend on the order files arrived in, and ``reindex --reextract`` keeps it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The contract's metadata fields a duplicate group's members are compared on.
_FIELDS = (
    "title", "doc_type", "city", "cities_mentioned", "districts", "committee",
    "administration", "dnr", "document_date", "decision_date", "projects", "topics", "people",
)  # fmt: skip

#: Content types by how near they are to the document as it was issued, best first:
#: a PDF (paged, the original's look), then office formats and images, then markup,
#: and last a plain text rendering (what a PDF's text was copied into).
_ORIGINAL_FORMATS: tuple[tuple[str, ...], ...] = (
    ("application/pdf",),
    ("application/msword", "application/vnd.", "application/rtf", "text/rtf", "image/"),
    ("text/html", "application/xhtml", "application/xml", "text/xml", "message/"),
)


def format_rank(content_type: str) -> int:
    """How near a content type is to an issued original: 0 for a PDF, higher is further
    (a plain text rendering is last)."""
    for rank, prefixes in enumerate(_ORIGINAL_FORMATS):
        if content_type.startswith(prefixes):
            return rank
    return len(_ORIGINAL_FORMATS)


def _known(value: Any) -> bool:
    return value not in (None, "", [], "other")


def richness(metadata: dict[str, Any]) -> int:
    """How much metadata a member has: 10 per known field plus 1 per list item."""
    score = 0
    for name in _FIELDS:
        value = metadata.get(name)
        if _known(value):
            score += 10 + (len(value) if isinstance(value, list) else 0)
    return score


def shown_member(members: Mapping[str, tuple[str, dict[str, Any]]]) -> str:
    """The member search shows, of members given as id → (content type, own metadata):
    the original format first, then the richest metadata, then the smallest id."""
    return min(members, key=lambda doc_id: (format_rank(members[doc_id][0]),
                                            -richness(members[doc_id][1]), doc_id))


def merge_group(members: list[dict[str, Any]]) -> dict[str, Any]:
    """The metadata of a duplicate group: its richest member's, gaps filled from the others."""
    if not members:
        return {}
    ranked = sorted(members, key=richness, reverse=True)
    merged = dict(ranked[0])
    for other in ranked[1:]:
        for name, value in other.items():
            if not _known(merged.get(name)) and _known(value):
                merged[name] = value
    return merged
