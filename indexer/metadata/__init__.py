"""Metadata extraction: from clean text to the contract's metadata fields.

``extract_metadata`` is the one front function; each concern lives in its own module
(doctype, title, dates, dnr, organs, places, projects, people, topics, personnummer,
arenden), and every list it matches against comes from the Registry (data files staff
edit).
Near-duplicate detection (MinHash) is in ``duplicates``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from archive.swedish import fold_case
from indexer.metadata import dates
from indexer.metadata.arenden import MEETING_TYPES, parse_meeting, split_arenden
from indexer.metadata.dnr import document_dnr, find_dnrs, find_paragraphs
from indexer.metadata.doctype import classify
from indexer.metadata.organs import find_organs, header_organs
from indexer.metadata.people import find_people
from indexer.metadata.personnummer import count_personnummer
from indexer.metadata.places import find_places
from indexer.metadata.projects import discover_projects
from indexer.metadata.registry import Registry, default_registry
from indexer.metadata.text import header_end
from indexer.metadata.title import fallback_title, find_title, synthesized_title
from indexer.metadata.topics import explain_topics, topic_hits

__all__ = ["Registry", "default_registry", "extract_metadata"]

#: How many non-blank lines from the top hold a document's own dnr.
DNR_HEADER_LINES = 20
#: Characters at the top of a document that say who sends it.
SENDER_CHARS = 800
#: A sender of the state: the government, a department, a minister.
_NATIONAL_SENDER = re.compile(
    r"\bregeringen\b|\bregeringskansliet\b|departementet\b|\b[\wåäö-]*minister(?:n)?\b|\bstatsrådet\b"
)


def extract_metadata(
    text: str,
    *,
    title_hint: str | None = None,
    blocks: Sequence[Any] | None = None,
    registry: Registry | None = None,
    page_starts: list[int] | None = None,
) -> dict[str, Any]:
    """The contract's metadata fields of one document's clean text, plus extras.

    ``blocks`` are layout blocks of the first pages (``text, page, size, bold, x0, y0,
    x1, y1``); ``title_hint`` is the title the format gave; ``page_starts`` the offset
    where each page begins (for the pages of ärenden). Returns ``title, doc_type, city,
    cities_mentioned, districts, committee, administration, dnr, document_date,
    decision_date, projects, topics, people`` and ``dnr_verbatim, dnrs, paragraphs,
    dates, project_candidates, projects_suggested, personnummer``; a protokoll, a kallelse or a bundle of
    tjänsteutlåtanden with several § adds ``arenden`` (see ``arenden.split_arenden``)
    and ``meeting`` (see ``arenden.parse_meeting``).
    """
    registry = registry if registry is not None else default_registry()
    organs = find_organs(text, registry)
    own_title = find_title(text, registry, title_hint, blocks)
    doc_type = classify(text, registry, own_title)
    mentions = dates.find_dates(text, doc_type=doc_type)
    meeting = next((m.date for m in mentions if m.role == "meeting" and len(m.date) == 10), None)
    title = (
        synthesized_title(doc_type, organs.committee, meeting)
        or own_title
        or fallback_title(text, registry)
    )
    places = find_places(text, registry)
    if _is_national(text, doc_type, organs, registry):
        places = replace(places, city=None)
        organs = replace(organs, committee=None, administration=None)
    dnrs = find_dnrs(text)
    dnr = document_dnr(dnrs, header_end(text, DNR_HEADER_LINES), doc_type)
    discovered = discover_projects(text, registry)
    suggested = [name for name, strong in discovered if strong]
    projects = registry.project_index.find(text) + suggested
    metadata = {
        "title": title,
        "doc_type": doc_type,
        "city": places.city,
        "cities_mentioned": places.cities_mentioned,
        "districts": places.districts,
        "committee": organs.committee,
        "administration": organs.administration,
        "dnr": dnr.normalised if dnr else None,
        "document_date": dates.document_date(text, mentions, doc_type),
        "decision_date": dates.decision_date(text, mentions, doc_type),
        "projects": projects,
        "projects_suggested": suggested,
        **_topics(text, registry, projects),
        "people": find_people(text, registry),
        "dnr_verbatim": dnr.verbatim if dnr else None,
        "dnrs": [d.as_dict() for d in dnrs],
        "paragraphs": find_paragraphs(text),
        "dates": [m.as_dict() for m in mentions],
        "project_candidates": [name for name, _strong in discovered],
        "personnummer": count_personnummer(text),
    }
    arenden = split_arenden(text, doc_type=doc_type, page_starts=page_starts, registry=registry)
    if doc_type in MEETING_TYPES or arenden:
        metadata["arenden"] = arenden
        metadata["meeting"] = parse_meeting(text, registry=registry)
    return metadata


def _topics(text: str, registry: Registry, projects: list[str]) -> dict[str, Any]:
    """``topics`` and ``topic_cues``: each topic with the cue words that found it.

    The projects a document names are its subjects: a topic cue in a project's name
    ("Cities' Strategies Against Homelessness") gives the document that topic, however
    often the text repeats it.
    """
    explained = explain_topics(text, registry)
    in_text: dict[str, Any] | None = None
    for project in projects:
        for topic, cues in topic_hits(project, registry).items():
            if topic not in explained:
                in_text = in_text if in_text is not None else topic_hits(text, registry)
                explained[topic] = [cue for cue, _ in in_text.get(topic, Counter()).most_common()]
            explained[topic].extend(f"{cue} (projekt {project})" for cue in cues)
    order = registry.topic_index.order
    ordered = {name: explained[name] for name in order if name in explained}
    return {"topics": list(ordered), "topic_cues": ordered}


def _is_national(text: str, doc_type: str, organs: Any, registry: Registry) -> bool:
    """Whether the document is the state's, not a municipality's: a type of the state
    (a proposition, a kommittédirektiv, a law …), or a text without a municipal organ
    in its header whose top names the government as its sender. Such a document has
    no city and no nämnd of its own ("Stockholm" is where the government sits, and a
    proposition mentioning Länsstyrelsen is not Länsstyrelsen's)."""
    if (doc_type, "stat") in registry.doc_type_groups:
        return True
    if header_organs(text, organs):
        return False
    return bool(_NATIONAL_SENDER.search(fold_case(text[:SENDER_CHARS])))
