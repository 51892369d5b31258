"""Topics from the controlled vocabulary (data/topics.toml), by cue words in the text.

A document gets a topic when the text supports it: at least ``MIN_HITS`` cue hits,
plus one more for every ``WORDS_PER_EXTRA_HIT`` words of text (a long report names
many subjects in passing), from at least ``MIN_DISTINCT_CUES`` different cues — or
``MIN_HITS_ONE_CUE`` hits of one cue ("hemlöshet", "hemlösa", "hemlöshet").

Measured on the seeds (tests/test_metadata_topics.py): the 450-word press release 004
names hemlöshet three times and missbruk four — both its topics; the 1 760-word
Europaforum report 002 mentions missbruk and folkhälsa three times each in passing,
which the length allowance (4 hits needed) leaves out, while its substantial
subjects (arbetsmarknad 9 hits, ekonomiskt bistånd 9, integration 5) stay.

The cues of every language count, whatever the document's language: Swedish reports
quote English titles and summaries ("Cities' Strategies Against Homelessness" in the
2004 Stockholm report is a hemlöshet cue). Each topic comes with the cue words that
found it (``topic_cues``), so a topic can be explained.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.swedish import fold_case
from indexer.metadata.text import alternation

if TYPE_CHECKING:
    from indexer.metadata.registry import Registry

MIN_DISTINCT_CUES = 2
MIN_HITS = 2
#: One cue alone supports a topic when it recurs this often ("hemlöshet", "hemlösa", …).
MIN_HITS_ONE_CUE = 3
WORDS_PER_EXTRA_HIT = 700
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class TopicIndex:
    """Per language: one regex over all cues, and which topic each cue belongs to."""

    patterns: dict[str, re.Pattern[str]]
    cue_topics: dict[str, dict[str, tuple[str, ...]]]
    order: tuple[str, ...]

    @classmethod
    def build(cls, registry: Registry) -> TopicIndex:
        """Compile every language's cues into one regex, for text folded by ``fold_case``."""
        cues_by_language: dict[str, list[str]] = {}
        cue_topics: dict[str, dict[str, list[str]]] = {}
        for topic in registry.topics:
            for language, cues in topic.cues:
                cues_by_language.setdefault(language, []).extend(cues)
                table = cue_topics.setdefault(language, {})
                for cue in cues:
                    names = table.setdefault(_cue_key(cue), [])
                    if topic.name not in names:
                        names.append(topic.name)
        patterns = {}
        for language, cues in cues_by_language.items():
            prefix = [fold_case(c) for c in cues if not c.startswith("*")]
            infix = [fold_case(c[1:]) for c in cues if c.startswith("*")]
            branches = []
            if prefix:
                branches.append(r"\b" + alternation(prefix))
            if infix:
                branches.append(alternation(infix))
            patterns[language] = re.compile("|".join(branches))
        return cls(
            patterns=patterns,
            cue_topics={
                lang: {cue: tuple(names) for cue, names in table.items()}
                for lang, table in cue_topics.items()
            },
            order=tuple(t.name for t in registry.topics),
        )


def _cue_key(cue: str) -> str:
    return " ".join(cue.lstrip("*").lower().split())


def topic_hits(text: str, registry: Registry) -> dict[str, Counter[str]]:
    """For each topic, how often each of its cues (in any language) occurs in ``text``."""
    index = registry.topic_index
    hits: dict[str, Counter[str]] = {}
    folded = fold_case(text)
    for lang, pattern in index.patterns.items():
        table = index.cue_topics[lang]
        cues = Counter(
            " ".join(match.group().split())  # as folded: the cue tables' spelling
            for match in pattern.finditer(folded)
        )
        for cue, count in cues.items():
            for topic in table.get(cue, ()):
                hits.setdefault(topic, Counter())[cue] += count
    return hits


def find_topics(text: str, registry: Registry) -> list[str]:
    """The topics ``text`` supports, in vocabulary order."""
    return list(explain_topics(text, registry))


def explain_topics(text: str, registry: Registry) -> dict[str, list[str]]:
    """The topics ``text`` supports, in vocabulary order, each with the cue words (as
    the vocabulary writes them, most frequent first) that found it."""
    hits = topic_hits(text, registry)
    needed = MIN_HITS + len(_WORDS.findall(text)) // WORDS_PER_EXTRA_HIT
    chosen = {
        topic: [cue for cue, _ in cues.most_common()]
        for topic, cues in hits.items()
        if sum(cues.values()) >= needed
        and (len(cues) >= MIN_DISTINCT_CUES or sum(cues.values()) >= MIN_HITS_ONE_CUE)
    }
    return {name: chosen[name] for name in registry.topic_index.order if name in chosen}
