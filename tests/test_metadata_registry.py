"""The registry: files from a folder override the packaged data; picklable; cached."""

from __future__ import annotations

import pickle
from pathlib import Path

from conftest import CORPUS

from indexer.metadata import default_registry, extract_metadata
from indexer.metadata.registry import DATA_DIR, Registry


def test_packaged_data_loads_and_has_no_project_registry() -> None:
    registry = Registry.load()
    assert len(registry.municipalities) == 290
    assert {d.city for d in registry.districts} == {"Stockholm", "Göteborg", "Malmö"}
    assert any(c.name == "Bukarest" for c in registry.foreign_cities)
    assert registry.topics and registry.projects == ()
    assert default_registry() is default_registry()


def test_a_registry_folder_overrides_single_files(tmp_path: Path) -> None:
    (tmp_path / "projects.toml").write_text(
        '[[project]]\nname = "Bostad först"\nkind = "project"\naliases = ["Housing First"]\n',
        encoding="utf-8",
    )
    (tmp_path / "topics.toml").write_text(
        '[[topic]]\nname = "bostäder"\nsv = ["bostad", "*bostäder"]\n', encoding="utf-8"
    )
    registry = Registry.load(tmp_path)
    assert [p.name for p in registry.projects] == ["Bostad först"]
    assert [t.name for t in registry.topics] == ["bostäder"]
    assert len(registry.municipalities) == 290  # still the packaged gazetteer
    text = "Projektet Bostad först ger bostad. Fler bostäder behövs; Housing First."
    metadata = extract_metadata(text, registry=registry)
    assert metadata["projects"] == ["Bostad först"]
    assert metadata["topics"] == ["bostäder"]


def test_registry_survives_pickling_with_its_compiled_matchers() -> None:
    registry = Registry.load(CORPUS)
    assert registry.place_index.lookup("Genova")  # built before pickling, travels along
    copy = pickle.loads(pickle.dumps(registry))
    assert copy == registry
    text = "Stockholms stad\n\nprojektet ResursUtbyte i Rinkeby-Kista"
    assert extract_metadata(text, registry=copy) == extract_metadata(text, registry=registry)


def test_the_packaged_data_folder_holds_the_gazetteer_and_vocabularies() -> None:
    names = {p.name for p in DATA_DIR.iterdir()}
    assert {
        "kommuner.csv", "stadsdelar.csv", "europeiska_stader.csv", "README.md", "topics.toml",
        "places.toml", "organs.toml", "people.toml", "headings.toml", "discovery.toml",
    } <= names  # fmt: skip
