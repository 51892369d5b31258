"""The house of DESIGN.md: data and imports flow one way.

archive imports nothing of ours; indexer imports archive; web imports archive (never the
indexer); the command line (``arkiv``) composes them all and nothing imports it; Whoosh
is imported only inside ``archive/engine``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"arkiv", "archive", "indexer", "web", "bench", "tests"}
ALLOWED = {
    "archive": {"archive"},
    "indexer": {"archive", "indexer"},
    "web": {"archive", "web"},
    "arkiv": {"archive", "indexer", "web", "arkiv"},
}


def imported_packages(path: Path) -> set[str]:
    """Top-level package names a module imports (absolute imports)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_what_is_below_it(package: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted((imported_packages(path) & OURS) - ALLOWED[package])
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {path: names for path, names in wrong.items() if names} == {}


def test_whoosh_is_imported_only_inside_the_engine() -> None:
    engine = ROOT / "archive" / "engine"
    outside = [
        str(path.relative_to(ROOT))
        for package in ALLOWED
        for path in sorted((ROOT / package).rglob("*.py"))
        if "whoosh" in imported_packages(path) and engine not in path.parents
    ]
    assert outside == []


def test_the_command_line_is_the_top_of_the_house() -> None:
    """``arkiv`` (the script and ``python -m arkiv``) lives outside indexer/."""
    assert not (ROOT / "indexer" / "cli.py").exists()
    assert (ROOT / "arkiv" / "cli.py").exists()
