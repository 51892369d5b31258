"""Topics from the controlled vocabulary: a topic needs enough cue hits in the text."""

from __future__ import annotations

import pytest
from conftest import CORPUS, require_shared

from indexer.clean import clean_text
from indexer.metadata import extract_metadata
from indexer.metadata.registry import Registry
from indexer.metadata.topics import find_topics, topic_hits

# (text, topics) — short real passages; the vocabulary is data/topics.toml.
CASES: list[tuple[str, list[str]]] = [
    (
        "Uppsökarenheten ska studera arbetet för EU-medborgare i hemlöshet. Enheten för hemlösa "
        "ges stöd. Arbetet mot hemlöshet fortsätter.",
        ["hemlöshet"],
    ),
    (
        "Stöd till utveckling av en evidensbaserad praktik i missbruksvården. I kampen mot missbruk "
        "är kunskap central; socialtjänstens missbruksutredningar ska utvecklas.",
        ["missbruk och beroende"],
    ),
    (
        "Sollentuna har studerat hur Danmark, Norge och Finland arbetar med föräldrastöd. "
        "Socialsekreterare och familjebehandlare ska träffa kollegor.",
        ["föräldraskap"],
    ),
    (
        "Riktlinjerna för ekonomiskt bistånd har reviderats med nya riksnormer; färre unga vuxna "
        "förväntas behöva försörjningsstöd.",
        ["ekonomiskt bistånd"],
    ),
    (
        "Cities are where the integration of migrants and refugees takes place; the partnership "
        "improves access for migrants.",
        ["integration"],
    ),
    # One passing mention is not a topic.
    ("Det finns ett stort intresse för barn.", []),
    ("Socialtjänsten ska vara en levande arbetsplats.", []),
]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(CORPUS)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_find_topics(registry: Registry, text: str, expected: list[str]) -> None:
    assert find_topics(text, registry) == expected


def test_english_cues_count_in_swedish_documents_too(registry: Registry) -> None:
    """A Swedish report quoting an English passage: its cues count (they did not before)."""
    english = "Homeless people and rough sleepers need housing first."
    assert find_topics(english, registry) == ["hemlöshet"]
    swedish = "Rapporten sammanfattar arbetet under året. " + english
    assert extract_metadata(swedish, registry=registry)["topics"] == ["hemlöshet"]


@pytest.mark.parametrize("registry_dir", [CORPUS, None], ids=["registry", "no registry"])
def test_a_projects_name_gives_its_topic(registry_dir: object) -> None:
    """The 2004 Stockholm Europaforum report names the project "Cities' Strategies Against
    Homelessness" once: hemlöshet is one of its subjects, and show --json says why."""
    path = next(require_shared("seeds").glob("002_*.txt"))
    registry = Registry.load(registry_dir)  # type: ignore[arg-type]
    metadata = extract_metadata(clean_text(path.read_text(encoding="utf-8")), registry=registry)
    assert "hemlöshet" in metadata["topics"]
    assert any("Homelessness" in cue for cue in metadata["topic_cues"]["hemlöshet"])
    assert set(metadata["topic_cues"]) == set(metadata["topics"])


@pytest.mark.parametrize(
    ("seed", "included", "excluded"),
    [
        # The press release: homelessness, substance abuse, parenting, research.
        ("004", {"hemlöshet", "missbruk och beroende", "föräldraskap", "forskning och utveckling"}, {"äldreomsorg"}),
        # The article: children and young people, parenting, international exchange.
        ("003", {"barn och unga", "föräldraskap", "EU och internationellt samarbete"}, {"hemlöshet"}),
        # The 1 760-word report: its subjects, not what it names once or twice in passing;
        # hemlöshet is the subject of one of its projects (see test_a_projects_name_gives_its_topic).
        ("002", {"arbetsmarknad", "integration", "ekonomiskt bistånd", "EU och internationellt samarbete"}, {"missbruk och beroende", "folkhälsa"}),
    ],
)  # fmt: skip
def test_seed_topics(registry: Registry, seed: str, included: set[str], excluded: set[str]) -> None:
    path = next(require_shared("seeds").glob(f"{seed}_*.txt"))
    topics = set(find_topics(path.read_text(encoding="utf-8"), registry))
    assert included <= topics
    assert not excluded & topics


def test_hits_count_each_cue(registry: Registry) -> None:
    hits = topic_hits("hemlöshet, hemlösa och akuthemlöshet; ekonomiskt  bistånd", registry)
    assert hits["hemlöshet"] == {"hemlös": 3}
    assert hits["ekonomiskt bistånd"] == {"ekonomiskt bistånd": 1}


def test_cues_written_with_odd_letters_are_found(registry: Registry) -> None:
    # A long ſ matches "s" case-insensitively: the cue is counted as its plain spelling.
    plain = "Socialtjänstens arbete mot missbruk och för barn i hemlöshet fortsätter."
    odd = plain.replace("s", "ſ")
    assert topic_hits(odd, registry) == topic_hits(plain, registry) != {}
