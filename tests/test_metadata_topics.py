"""Topics from the controlled vocabulary: a topic needs enough cue hits in the text."""

from __future__ import annotations

import pytest
from conftest import CORPUS, require_shared

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
    language = "en" if text.startswith("Cities") else "sv"
    assert find_topics(text, registry, language) == expected


def test_english_cues_are_used_for_english_text(registry: Registry) -> None:
    text = "Homeless people and rough sleepers need housing first."
    assert find_topics(text, registry, "sv") == []
    assert find_topics(text, registry, "en") == ["hemlöshet"]


@pytest.mark.parametrize(
    ("seed", "included", "excluded"),
    [
        # The press release: homelessness, substance abuse, parenting, research.
        ("004", {"hemlöshet", "missbruk och beroende", "föräldraskap", "forskning och utveckling"}, {"äldreomsorg"}),
        # The article: children and young people, parenting, international exchange.
        ("003", {"barn och unga", "föräldraskap", "EU och internationellt samarbete"}, {"hemlöshet"}),
        # The 1 760-word report: its subjects, not what it names once or twice in passing.
        ("002", {"arbetsmarknad", "integration", "ekonomiskt bistånd", "EU och internationellt samarbete"}, {"hemlöshet", "missbruk och beroende", "folkhälsa"}),
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
