"""Folder rules that make documents internal: ``access.toml`` in the registry folder.

Staff list the folders whose documents only staff may see::

    # access.toml
    [[internal]]
    folder = "personal"                       # a folder of this name anywhere in the path
    reason = "Personalärenden"

    [[internal]]
    folder = "/srv/diariet/arbetsmaterial"    # this folder and everything under it

A document ingested from such a folder becomes internal with the rule's reason (see
:mod:`archive.access`); everything else stays public unless ``arkiv index --access
internal`` or a sekretess marking says otherwise.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import PurePosixPath

from archive.home import ArchiveError

FILE_NAME = "access.toml"


@dataclass(frozen=True)
class Rule:
    folder: str
    reason: str

    def matches(self, path: str) -> bool:
        parents = PurePosixPath(path.partition("!/")[0]).parts[:-1]
        wanted = PurePosixPath(self.folder).parts
        if self.folder.startswith("/"):
            return parents[: len(wanted)] == wanted
        return any(
            parents[i : i + len(wanted)] == wanted for i in range(len(parents) - len(wanted) + 1)
        )


@dataclass(frozen=True)
class AccessRules:
    rules: tuple[Rule, ...] = ()

    @classmethod
    def load(cls, registry_dir: str | None) -> AccessRules:
        """The rules of ``registry_dir/access.toml`` (none without one); ArchiveError with
        one clear line when the file cannot be read."""
        if not registry_dir:
            return cls()
        path = PurePosixPath(registry_dir) / FILE_NAME
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            return cls()
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ArchiveError(f"cannot read {path}: {exc}") from None
        entries = data.get("internal", [])
        if not isinstance(entries, list):
            raise ArchiveError(f"{path}: 'internal' must be a list of [[internal]] tables")
        rules = []
        for number, entry in enumerate(entries, 1):
            folder = entry.get("folder") if isinstance(entry, dict) else None
            if not isinstance(folder, str) or not folder.strip("/ "):
                raise ArchiveError(f"{path}: rule {number} needs a folder = \"…\"")
            reason = entry.get("reason")
            label = reason if isinstance(reason, str) and reason.strip() else folder
            rules.append(Rule(folder.rstrip("/"), f"{FILE_NAME}: {label}"))
        return cls(tuple(rules))

    def reason_for(self, path: str) -> str | None:
        """Why a document from ``path`` is internal by these rules, or None."""
        for rule in self.rules:
            if rule.matches(path):
                return rule.reason
        return None
