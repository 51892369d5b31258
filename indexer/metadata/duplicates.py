"""Near-duplicates: MinHash signatures, LSH band keys, and merging a duplicate group.

Two renderings of one document (raw PDF text and a cleaned copy with an extra
header) differ in hyphenation, spacing, footnote placement and a few typos. The
signature is a MinHash over word 5-shingles of normalised text — lowercase, only
letters and digits, words broken by a hyphen at a line end joined again — so those
differences barely move it. ``bands`` gives LSH keys for finding candidates in the
catalog; ``similarity`` estimates the Jaccard similarity of two signatures.

``NEAR_DUPLICATE_THRESHOLD`` was measured on the seeds and the sample corpus (see
tests/test_metadata_duplicates.py): the raw and the clean rendering of the
Europaforum report (001, 002) estimate 0.95 (true Jaccard 0.94); every unrelated
pair estimates 0.00 (true Jaccard at most 0.006, even the notice and the minutes of
one meeting). 0.6 sits well clear of both, so a rendering with more damage still
groups while texts on one subject stay apart; with 32 bands of 4 rows a pair at
0.6 becomes a candidate with probability 0.99.
"""

from __future__ import annotations

import hashlib
import random
import re
import zlib
from typing import Any

NUM_PERMUTATIONS = 128
BANDS, ROWS = 32, 4
SHINGLE_WORDS = 5
NEAR_DUPLICATE_THRESHOLD = 0.6

_MASK_64 = (1 << 64) - 1
_MAX_HASH = (1 << 32) - 1
# Each permutation is a multiply-shift hash h -> ((a*h + b) mod 2^64) >> 32 with odd a.
# A fixed seed: signatures are stored in the catalog and must be comparable across runs.
_random = random.Random(0x41524B4956)
_PERMUTATIONS = tuple(
    (_random.getrandbits(64) | 1, _random.getrandbits(64)) for _ in range(NUM_PERMUTATIONS)
)
_LINE_END_HYPHEN = re.compile(r"(\w)-[ \t]*\r?\n\s*(\w)")
_WORD = re.compile(r"[^\W_]+")

#: The contract's metadata fields a duplicate group's members are compared on.
_FIELDS = (
    "title", "doc_type", "city", "cities_mentioned", "districts", "committee",
    "administration", "dnr", "document_date", "decision_date", "projects", "topics", "people",
)  # fmt: skip


def shingles(text: str) -> set[str]:
    """The word 5-shingles of ``text`` after normalisation."""
    words = _WORD.findall(_LINE_END_HYPHEN.sub(r"\1\2", text).lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(text: str) -> list[int]:
    """The MinHash signature of ``text``: NUM_PERMUTATIONS 32-bit values."""
    hashes = [zlib.crc32(s.encode("utf-8")) for s in shingles(text)]
    if not hashes:
        return [_MAX_HASH] * NUM_PERMUTATIONS
    return [min([(a * h + b) & _MASK_64 for h in hashes]) >> 32 for a, b in _PERMUTATIONS]


def bands(sig: list[int]) -> list[str]:
    """LSH band keys: documents sharing any key are candidate near-duplicates."""
    keys = []
    for band in range(BANDS):
        rows = sig[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(repr(rows).encode(), digest_size=8).hexdigest()
        keys.append(f"{band:02d}:{digest}")
    return keys


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


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
