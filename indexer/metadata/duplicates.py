"""Near-duplicates: MinHash signatures and LSH band keys (a group's shown member and
merged metadata: :mod:`archive.groups`).

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
from itertools import accumulate

NUM_PERMUTATIONS = 128
BANDS, ROWS = 32, 4
SHINGLE_WORDS = 5
NEAR_DUPLICATE_THRESHOLD = 0.6

SIGNATURE_VERSION = "oph1"

_MASK_64 = (1 << 64) - 1
_MAX_HASH = (1 << 32) - 1
#: A hash's top 7 bits pick its bin (2^7 = NUM_PERMUTATIONS); the other 57 are its value.
_VALUE_BITS = 64 - (NUM_PERMUTATIONS.bit_length() - 1)
_VALUE_MASK = (1 << _VALUE_BITS) - 1
_EMPTY = 1 << _VALUE_BITS
_DENSIFY_STEP = 0x9E3779B1
# A multiply-shift hash h -> (a*h + b) mod 2^64 with odd a spreads a shingle's CRC-32
# over 64 bits. A fixed seed: signatures are stored in the catalog and must be
# comparable across runs.
_random = random.Random(0x41524B4956)
_MULTIPLIER, _INCREMENT = _random.getrandbits(64) | 1, _random.getrandbits(64)
_LINE_END_HYPHEN = re.compile(r"(\w)-[ \t]*\r?\n\s*(\w)")
#: What every line-end hyphen starts with: where this is not found, the costlier
#: ``_LINE_END_HYPHEN`` (which tries every letter of the text) cannot match either.
_HYPHEN_AT_LINE_END = re.compile(r"-[ \t]*\r?\n")
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    """The words of ``text`` after normalisation (lowercase, hyphenated words joined)."""
    if _HYPHEN_AT_LINE_END.search(text):
        text = _LINE_END_HYPHEN.sub(r"\1\2", text)
    return _WORD.findall(text.lower())


def shingles(text: str) -> set[str]:
    """The word 5-shingles of ``text`` after normalisation."""
    words = _words(text)
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def _shingle_crcs(text: str) -> list[int]:
    """The CRC-32 of each of the ``shingles`` of ``text`` (UTF-8), repeats included.

    The words are joined and encoded once; each shingle is then a slice of those
    bytes, from the start of its first word to the end of its fifth — the bytes
    ``" ".join(shingle).encode()`` would give, without building each shingle's string.
    A shingle that occurs twice is hashed twice, which leaves every bin's smallest
    value as it is.
    """
    words = _words(text)
    if len(words) < SHINGLE_WORDS:
        return [zlib.crc32(" ".join(words).encode("utf-8"))] if words else []
    data = " ".join(words).encode("utf-8")
    # starts[i] is the byte offset of word i, starts[len(words)] one past the last space
    # there would be; shingle i ends where word i + 5 starts, less the space.
    starts = [0, *accumulate(len(word) + 1 for word in data.split(b" "))]
    ends = [start - 1 for start in starts[SHINGLE_WORDS:]]
    return [zlib.crc32(data[start:end]) for start, end in zip(starts, ends, strict=False)]


def signature(text: str) -> list[int]:
    """The MinHash signature of ``text``: NUM_PERMUTATIONS 32-bit values.

    One-permutation hashing: each shingle is hashed once, the hash's top bits choose
    one of NUM_PERMUTATIONS bins and each bin keeps its smallest value — the same
    estimator as NUM_PERMUTATIONS separate permutations at 1/NUM_PERMUTATIONS of the
    cost (measured: 46 ms → under 3 ms for a 1,500-word document). An empty bin (a
    short text) takes the value of the next filled bin to its right, shifted by the
    distance ("rotation" densification), so similar short texts still agree.
    """
    hashes = [(_MULTIPLIER * crc + _INCREMENT) & _MASK_64 for crc in _shingle_crcs(text)]
    # Largest first, so each bin is left with its smallest value.
    smallest = {h >> _VALUE_BITS: h & _VALUE_MASK for h in sorted(hashes, reverse=True)}
    bins = [smallest.get(index, _EMPTY) for index in range(NUM_PERMUTATIONS)]
    if all(v == _EMPTY for v in bins):
        return [_MAX_HASH] * NUM_PERMUTATIONS
    result = []
    for i in range(NUM_PERMUTATIONS):
        distance = 0
        while bins[(i + distance) % NUM_PERMUTATIONS] == _EMPTY:
            distance += 1
        value = bins[(i + distance) % NUM_PERMUTATIONS] >> (_VALUE_BITS - 32)
        result.append((value + distance * _DENSIFY_STEP) & _MAX_HASH)
    return result


def bands(sig: list[int]) -> list[str]:
    """LSH band keys: documents sharing any key are candidate near-duplicates.

    Keys carry the signature scheme's version, so signatures made by an earlier
    scheme never meet these in the catalog.
    """
    keys = []
    for band in range(BANDS):
        rows = sig[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(repr(rows).encode(), digest_size=8).hexdigest()
        keys.append(f"{SIGNATURE_VERSION}:{band:02d}:{digest}")
    return keys


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)
