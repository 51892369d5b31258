"""Text helpers shared by the metadata extractors."""

import re
import string

import pytest

from archive.swedish import fold_case
from indexer.metadata.text import strip_markup

#: Every character but the surrogates (which a str may not hold in a regex search).
ALL_CHARACTERS = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


def test_fold_case_keeps_offsets():
    assert len(fold_case(ALL_CHARACTERS)) == len(ALL_CHARACTERS)


@pytest.mark.parametrize("letter", string.ascii_lowercase + "åäöéèüæøà")
def test_fold_case_matches_where_ignorecase_matches(letter):
    """A lowercase letter matches a folded character exactly where it matches the
    original character case-insensitively (ı, ſ, İ, K and Å included)."""
    ignoring_case = {m.start() for m in re.finditer(letter, ALL_CHARACTERS, re.I)}
    folded = {m.start() for m in re.finditer(letter, fold_case(ALL_CHARACTERS))}
    assert folded == ignoring_case


def test_fold_case_keeps_word_and_space_characters():
    folded = fold_case(ALL_CHARACTERS)
    for pattern in (r"\w", r"\s", r"\d", r"\b"):
        original = [m.start() for m in re.finditer(pattern, ALL_CHARACTERS)]
        assert [m.start() for m in re.finditer(pattern, folded)] == original


@pytest.mark.parametrize(
    "line, stripped",
    [
        ("Rapport om hemlöshet", "Rapport om hemlöshet"),
        ("# Rapport", "Rapport"),
        ("**Rapport angående stöd**", "Rapport angående stöd"),
        ("  ## 1. Bakgrund  ", "1. Bakgrund"),
        ("Titel #", "Titel #"),
        ("_kursiv_", "kursiv"),
        ("Rad\n", "Rad"),
        ("***", ""),
        ("", ""),
    ],
)
def test_strip_markup(line, stripped):
    assert strip_markup(line) == stripped
