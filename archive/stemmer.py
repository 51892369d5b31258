"""The Snowball Swedish stemmer, current algorithm (Snowball 3), in plain Python.

Whoosh ships the 2007 version of the algorithm, which leaves the definite neuter
ending ``-et`` alone: "beslutet", "arbetet", "ansvaret" and "antalet" never meet
"beslut", "arbete", "ansvar" and "antal". The current algorithm strips ``-et`` unless
the word is one of the ``-het``/``-itet``/"paket" kinds, and treats ``-öst`` better.
It is checked line by line against the Snowball reference vocabulary
(``tests/test_index.py``, ``../shared/testdata/snowball-sv``).

Algorithm: https://snowballstem.org/algorithms/swedish/stemmer.html
"""

from __future__ import annotations

VOWELS = frozenset("aeiouyäåö")
S_ENDING = frozenset("bcdfghjklmnoprtvy")
OST_ENDING = frozenset("iklnprtuv")

#: Endings removed from R1 by step 1, longest first (``s``, ``et``, ``ets`` conditional).
MAIN_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        ["a", "arna", "erna", "heterna", "orna", "ad", "e", "ade", "ande", "arne", "are", "aste", "en", "anden", "aren", "heten", "ern", "ar", "er", "heter", "or", "as", "arnas", "ernas", "ornas", "es", "ades", "andes", "ens", "arens", "hetens", "erns", "at", "andet", "het", "ast", "et", "ets", "s"],
        key=len,
        reverse=True,
    )
)

#: What may not precede a removable ``-et`` (frihet, societet, alfabet, paket, komet …).
ET_KEEPERS: tuple[str, ...] = (
    "h", "iet", "uit", "fab", "cit", "dit", "alit", "ilit", "mit", "nit", "pit",
    "rit", "sit", "tit", "ivit", "kvit", "xit", "kom", "rak", "pak", "stak",
)

CONSONANT_PAIRS: tuple[str, ...] = ("dd", "gd", "nn", "dt", "gt", "kt", "tt")


def _r1(word: str) -> int:
    """Start of R1: after the first non-vowel that follows a vowel, but at least 3."""
    if len(word) < 3:
        return len(word)
    for i in range(1, len(word)):
        if word[i] not in VOWELS and word[i - 1] in VOWELS:
            return max(i + 1, 3)
    return len(word)


def _et_removable(stem: str) -> bool:
    """``-et`` goes after consonant + vowel + consonant, except the listed endings."""
    return (
        len(stem) >= 3
        and stem[-1] not in VOWELS
        and stem[-2] in VOWELS
        and not stem.endswith(ET_KEEPERS)
    )


def stem(word: str) -> str:
    """The stem of one lowercase Swedish word."""
    p1 = _r1(word)
    # Step 1: the longest main suffix inside R1.
    for suffix in MAIN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= p1:
            rest = word[: -len(suffix)]
            if suffix in ("et", "ets") and not _et_removable(rest):
                continue  # a shorter ending may still apply ("barnets" → "barnet")
            if suffix != "s" or rest[-1:] in S_ENDING:
                word = rest
            break
    # Step 2: undouble a final consonant pair inside R1.
    if len(word) - 2 >= p1 and word.endswith(CONSONANT_PAIRS):
        word = word[:-1]
    # Step 3: derivational endings inside R1.
    if word.endswith("fullt") and len(word) - 5 >= p1:
        word = word[:-1]
    elif word.endswith("öst") and len(word) - 3 >= p1:
        if len(word) > 3 and word[-4] in OST_ENDING:
            word = word[:-1]
    elif word.endswith("lig") and len(word) - 3 >= p1:
        word = word[:-3]
    elif word.endswith(("ig", "els")):
        cut = 2 if word.endswith("ig") else 3
        if len(word) - cut >= p1:
            word = word[:-cut]
    return word
