"""The registry: every list metadata extraction matches against, loaded once.

Staff edit these lists as data files; nothing here is a Python literal list.
``Registry.load(registry_dir)`` takes each file from ``registry_dir`` when it is
there, else from the packaged ``indexer/metadata/data/``:

- ``projects.toml``   project registry (staff-edited; ``corpus/projects.toml``).
  Not packaged: without it in ``registry_dir`` the project registry is empty,
  so one file stays the single source of truth.
- ``topics.toml``     controlled vocabulary of topics with cue stems.
- ``kommuner.csv``, ``stadsdelar.csv``, ``europeiska_stader.csv``   the gazetteer.
- ``doctypes.toml``  the document types and their headings, designations and phrases.
- ``places.toml``, ``organs.toml``, ``people.toml``, ``headings.toml``,
  ``discovery.toml``, ``arenden.toml``   cue lists for places, committees, people,
  header lines, projects, and the ärenden of minutes and notices.

A Registry is immutable and picklable (it is sent to worker processes); the
compiled matchers are built on first use and cached on the instance.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from indexer.metadata import arenden, doctype, headings, organs, people, places, projects, topics

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Project:
    """One registry entry; ``kind`` is project, network, programme or forum."""

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    description: str | None = None


@dataclass(frozen=True)
class Topic:
    """One topic of the controlled vocabulary; ``cues`` maps a language to its cue stems."""

    name: str
    cues: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Municipality:
    """A Swedish municipality (kommun) from kommuner.csv."""

    code: str
    name: str
    official_style: str
    genitive: str
    needs_context: bool


@dataclass(frozen=True)
class District:
    """A district of Stockholm, Göteborg or Malmö from stadsdelar.csv."""

    city: str
    name: str
    kind: str
    needs_context: bool


@dataclass(frozen=True)
class ForeignCity:
    """A European city from europeiska_stader.csv; ``forms`` are every way it is written."""

    name: str
    forms: tuple[str, ...]
    country: str
    needs_context: bool


@dataclass(frozen=True)
class Registry:
    """Everything metadata extraction matches against. Build it with ``Registry.load``."""

    projects: tuple[Project, ...]
    topics: tuple[Topic, ...]
    municipalities: tuple[Municipality, ...]
    districts: tuple[District, ...]
    foreign_cities: tuple[ForeignCity, ...]
    district_context_words: tuple[str, ...]
    municipality_context_words: tuple[str, ...]
    committee_endings: tuple[tuple[str, str], ...]
    administration_endings: tuple[tuple[str, str], ...]
    not_committees: frozenset[str]
    not_administrations: frozenset[str]
    person_labels: tuple[str, ...]
    person_roles: tuple[str, ...]
    parties: tuple[str, ...]
    not_name_words: tuple[str, ...]
    doc_type_headings: tuple[tuple[str, tuple[str, ...]], ...]
    doc_type_weak_headings: tuple[tuple[str, tuple[str, ...]], ...]
    doc_type_designations: tuple[tuple[str, tuple[str, ...]], ...]
    doc_type_phrases: tuple[tuple[str, tuple[str, ...]], ...]
    #: (doc type, "kommun", "stat" or "media"): doctypes.toml's groups.
    doc_type_groups: tuple[tuple[str, str], ...]
    section_headings: frozenset[str]
    header_labels: frozenset[str]
    header_labels_without_colon: frozenset[str]
    unit_words: tuple[str, ...]
    project_name_cues: tuple[str, ...]
    project_strong_cues: tuple[str, ...]
    rejected_projects: tuple[str, ...]
    project_definition_cues: tuple[str, ...]
    not_projects: frozenset[str]
    not_project_words: tuple[str, ...]
    #: arenden.toml flattened: ("sections.decision", ("beslut",)), ("cues.presenter", …), …
    arende_words: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def load(cls, registry_dir: str | Path | None = None) -> Registry:
        """Read the registry files, each from ``registry_dir`` if there, else packaged."""
        folder = Path(registry_dir) if registry_dir is not None else None

        def path(name: str) -> Path | None:
            if folder is not None and (folder / name).is_file():
                return folder / name
            packaged = DATA_DIR / name
            return packaged if packaged.is_file() else None

        def toml(name: str) -> dict[str, Any]:
            found = path(name)
            if found is None:
                return {}
            with found.open("rb") as fh:
                return tomllib.load(fh)

        def rows(name: str) -> list[dict[str, str]]:
            found = path(name)
            if found is None:
                return []
            with found.open(encoding="utf-8", newline="") as fh:
                return list(csv.DictReader(fh))

        place_cfg = toml("places.toml")
        organ_cfg = toml("organs.toml")
        people_cfg = toml("people.toml")
        heading_cfg = toml("headings.toml")
        doc_types = toml("doctypes.toml").get("type", [])

        def per_type(key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
            return tuple((t["name"], tuple(t[key])) for t in doc_types if t.get(key))
        discovery_cfg = toml("discovery.toml")
        arende_cfg = toml("arenden.toml")
        project_cfg = toml("projects.toml")
        district_cfg = place_cfg.get("districts", {})
        foreign_cfg = place_cfg.get("foreign_cities", {})
        context_districts = set(district_cfg.get("needs_context", []))
        context_foreign = set(foreign_cfg.get("needs_context", []))
        return cls(
            projects=tuple(
                Project(
                    name=entry["name"],
                    kind=entry.get("kind", "project"),
                    aliases=tuple(entry.get("aliases", [])),
                    description=entry.get("description"),
                )
                for entry in project_cfg.get("project", [])
            ),
            topics=tuple(
                Topic(
                    name=entry["name"],
                    cues=tuple(
                        (lang, tuple(cues))
                        for lang, cues in entry.items()
                        if lang != "name" and isinstance(cues, list)
                    ),
                )
                for entry in toml("topics.toml").get("topic", [])
            ),
            municipalities=tuple(
                Municipality(
                    code=row["code"],
                    name=row["name"],
                    official_style=row["official_style"],
                    genitive=row["genitive"],
                    needs_context="kräv kontext" in row["notes"],
                )
                for row in rows("kommuner.csv")
            ),
            districts=tuple(
                dict.fromkeys(
                    District(
                        city=row["city"],
                        name=row["district"],
                        kind=row["kind"],
                        needs_context=row["district"] in context_districts,
                    )
                    for row in rows("stadsdelar.csv")
                )
            ),
            foreign_cities=tuple(
                ForeignCity(
                    name=row["name_sv"],
                    forms=tuple(
                        dict.fromkeys(
                            [row["name_sv"], row["name_local"]]
                            + [n for n in row["other_names"].split("|") if n]
                        )
                    ),
                    country=row["country_sv"],
                    needs_context=row["name_sv"] in context_foreign,
                )
                for row in rows("europeiska_stader.csv")
            ),
            district_context_words=tuple(district_cfg.get("context_words", [])),
            municipality_context_words=tuple(
                place_cfg.get("municipalities", {}).get("context_words", [])
            ),
            committee_endings=tuple(organ_cfg.get("committee", {}).get("endings", {}).items()),
            administration_endings=tuple(
                organ_cfg.get("administration", {}).get("endings", {}).items()
            ),
            not_committees=frozenset(organ_cfg.get("committee", {}).get("not_names", [])),
            not_administrations=frozenset(organ_cfg.get("administration", {}).get("not_names", [])),
            person_labels=tuple(people_cfg.get("labels", [])),
            person_roles=tuple(people_cfg.get("roles", [])),
            parties=tuple(people_cfg.get("parties", [])),
            not_name_words=tuple(people_cfg.get("not_names", [])),
            doc_type_headings=per_type("headings"),
            doc_type_weak_headings=per_type("weak_headings"),
            doc_type_designations=per_type("designations"),
            doc_type_phrases=per_type("phrases"),
            doc_type_groups=tuple((t["name"], t.get("group", "kommun")) for t in doc_types),
            section_headings=frozenset(heading_cfg.get("section_headings", [])),
            header_labels=frozenset(heading_cfg.get("labels", [])),
            header_labels_without_colon=frozenset(heading_cfg.get("labels_without_colon", [])),
            unit_words=tuple(heading_cfg.get("unit_words", [])),
            project_name_cues=tuple(discovery_cfg.get("name_cues", [])),
            project_strong_cues=tuple(discovery_cfg.get("strong_name_cues", [])),
            rejected_projects=tuple(project_cfg.get("rejected", [])),
            project_definition_cues=tuple(discovery_cfg.get("definition_cues", [])),
            not_projects=frozenset(discovery_cfg.get("not_projects", [])),
            not_project_words=tuple(discovery_cfg.get("not_project_words", [])),
            arende_words=tuple(
                (f"{table}.{key}", tuple(words))
                for table, entries in arende_cfg.items()
                for key, words in entries.items()
            ),
        )

    @cached_property
    def heading_index(self) -> headings.HeadingIndex:
        """Line tests for doc-type headings, section headings and header labels."""
        return headings.HeadingIndex.build(self)

    @cached_property
    def doc_type_index(self) -> doctype.DocTypeIndex:
        """The doc-type vocabulary's designations, weak headings and phrases, compiled."""
        return doctype.DocTypeIndex.build(self)

    @cached_property
    def place_index(self) -> places.PlaceIndex:
        """Compiled matcher for municipalities, districts and foreign cities."""
        return places.PlaceIndex.build(self)

    @cached_property
    def organ_index(self) -> organs.OrganIndex:
        """Compiled matcher for committee and administration names."""
        return organs.OrganIndex.build(self)

    @cached_property
    def project_index(self) -> projects.ProjectIndex:
        """Compiled matcher for registry projects and project-name discovery."""
        return projects.ProjectIndex.build(self)

    @cached_property
    def topic_index(self) -> topics.TopicIndex:
        """Compiled matcher for topic cue words."""
        return topics.TopicIndex.build(self)

    @cached_property
    def people_index(self) -> people.PeopleIndex:
        """Compiled matcher for people next to a role, label or party cue."""
        return people.PeopleIndex.build(self)

    @cached_property
    def arende_index(self) -> arenden.ArendeIndex:
        """Compiled matchers for the sections and cues of ärenden and meetings."""
        return arenden.ArendeIndex.build(self)


@cache
def default_registry() -> Registry:
    """The packaged registry (no project registry: pass ``Registry.load(corpus_dir)``)."""
    return Registry.load()
