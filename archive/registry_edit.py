"""Editing the staff-edited registries — projects (``projects.toml``) and topics
(``topics.toml``) — from the web, in the registry folder the archive's ingest reads
(``ARKIV_REGISTRY``, ``arkiv index --registry``; see indexer/metadata/registry.py).

An entry is changed in place with tomlkit, so the files' comments and layout stay as
staff wrote them; a file is replaced atomically. A topics.toml that is not yet in the
folder starts as a copy of the packaged one. A registry change alters no archived
document by itself: extraction reads it, so it applies to files ingested from then on,
and to the whole archive after ``arkiv reindex --reextract``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from archive.home import InputError
from archive.messages import message

#: The registries the web edits: file, array of tables, and the packaged copy's path
#: (relative to the repository's indexer/metadata/data).
FILES = {"projects": ("projects.toml", "project"), "topics": ("topics.toml", "topic")}
PROJECT_KINDS = ("project", "network", "programme", "forum")
TOPIC_LANGUAGES = ("sv", "en")
PACKAGED = Path(__file__).resolve().parent.parent / "indexer" / "metadata" / "data"
MAX_ITEMS = 100
MAX_LENGTH = 300


class RegistryError(InputError):
    """A registry entry that cannot be saved."""


@dataclass(frozen=True)
class Change:
    """What one edit did: the entry before and after (None: added / removed)."""

    registry: str
    name: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _path(folder: Path, registry: str) -> Path:
    if registry not in FILES:
        raise RegistryError(message("unknown_registry", registry=registry))
    return Path(folder) / FILES[registry][0]


def _load(folder: Path, registry: str) -> tomlkit.TOMLDocument:
    path = _path(folder, registry)
    source = path if path.is_file() else PACKAGED / path.name
    try:
        text = source.read_text(encoding="utf-8") if source.is_file() else ""
        return tomlkit.parse(text)
    except (OSError, TOMLKitError) as exc:
        raise RegistryError(message("registry_unreadable", path=path, name=path.name,
                                    reason=exc)) from exc


def entries(folder: Path, registry: str) -> list[dict[str, Any]]:
    """The registry's entries as plain values, in file order."""
    table = FILES[registry][1]
    return [dict(entry.unwrap()) for entry in _load(folder, registry).get(table, [])]


def _items(values: Any, *, lower: bool = False) -> list[str]:
    items = values if isinstance(values, list | tuple) else re.split(r"[\n;]", str(values or ""))
    cleaned = [" ".join(str(v).split()) for v in items]
    cleaned = list(dict.fromkeys(v.lower() if lower else v for v in cleaned if v))
    if len(cleaned) > MAX_ITEMS or any(len(v) > MAX_LENGTH for v in cleaned):
        raise RegistryError(message("too_many_values"))
    return cleaned


def _entry(registry: str, values: dict[str, Any]) -> dict[str, Any]:
    """A checked entry from what staff typed."""
    name = " ".join(str(values.get("name") or "").split())
    if not name or len(name) > MAX_LENGTH:
        raise RegistryError(message("entry_needs_name"))
    if registry == "projects":
        kind = str(values.get("kind") or "project")
        if kind not in PROJECT_KINDS:
            raise RegistryError(message("kind_not_known", kinds=", ".join(PROJECT_KINDS)))
        entry: dict[str, Any] = {"name": name, "kind": kind,
                                 "aliases": _items(values.get("aliases"))}
        description = " ".join(str(values.get("description") or "").split())
        if description:
            entry["description"] = description[:MAX_LENGTH]
        return entry
    entry = {"name": name}
    for language in TOPIC_LANGUAGES:
        cues = _items(values.get(language), lower=True)
        if cues:
            entry[language] = cues
    if not entry.get("sv"):
        raise RegistryError(message("topic_needs_cues"))
    return entry


def save_entry(
    folder: Path, registry: str, values: dict[str, Any], *, original: str | None = None
) -> Change:
    """Add an entry, or change the one named ``original``; returns the change."""
    entry = _entry(registry, values)
    document = _load(folder, registry)
    table = FILES[registry][1]
    array = document.get(table)
    if array is None:
        array = tomlkit.aot()
        document.append(table, array)
    names = [str(e.get("name")) for e in array]
    if entry["name"] != original and entry["name"] in names:
        raise RegistryError(message("already_in_registry", name=entry["name"]))
    before = None
    if original:
        if original not in names:
            raise RegistryError(message("not_in_registry", name=original))
        existing = array[names.index(original)]
        before = dict(existing.unwrap())
        for key in [k for k in existing if k not in entry]:
            del existing[key]
        for key, value in entry.items():
            existing[key] = value
    else:
        table_item = tomlkit.table()
        for key, value in entry.items():
            table_item[key] = value
        array.append(table_item)
    _write(_path(folder, registry), document)
    return Change(registry, entry["name"], before, entry)


def remove_entry(folder: Path, registry: str, name: str) -> Change:
    document = _load(folder, registry)
    array = document.get(FILES[registry][1]) or []
    names = [str(e.get("name")) for e in array]
    if name not in names:
        raise RegistryError(message("not_in_registry", name=name))
    before = dict(array[names.index(name)].unwrap())
    del array[names.index(name)]
    _write(_path(folder, registry), document)
    return Change(registry, name, before, None)


def add_alias(folder: Path, project: str, alias: str) -> Change:
    """Make ``alias`` another way of writing the registered ``project`` (a merged candidate)."""
    current = {e["name"]: e for e in entries(folder, "projects")}
    if project not in current:
        raise RegistryError(message("not_in_registry", name=project))
    entry = current[project]
    return save_entry(folder, "projects",
                      {**entry, "aliases": [*entry.get("aliases", []), alias]}, original=project)


def _write(path: Path, document: tomlkit.TOMLDocument) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(tomlkit.dumps(document))
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
