"""Analysis: from text to terms, one pipeline per language for the index, the query
and the highlighter.

Owns the word pattern, the stop words, the stemmers and the pipelines built of them:

* ``exact``: words as written, lowercased, stop words dropped ("beslutet" matches
  "beslutet" only; ranked highest);
* ``stem``: the same words stemmed — Snowball Swedish (current algorithm, PyStemmer)
  for Swedish documents, Snowball English for English ones, and PyStemmer's Finnish,
  Danish, Norwegian and German for those (their stems carry the language: "fi:asunno");
* ``title``: the title, stemmed the same way;

(folding and diarienummer terms: :mod:`archive.swedish`).
A document is analysed in its language (:func:`document_language`); a query word is
analysed in all of them, as the index may hold it any way.

Whoosh internals touched: the analysis classes it subclasses (``RegexTokenizer``,
``LowercaseFilter``, ``StopFilter``, ``StemFilter``: their ``batch`` methods are ours,
each pipeline still runs as a Whoosh analyzer for Whoosh's own writer), the stop lists
of ``whoosh.lang.stopwords`` and Whoosh's English stemmer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import Stemmer
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists

from archive.models import Document

# -- analysis ----------------------------------------------------------------------

#: A word: a run of letters and digits. å, ä and ö are letters; "EU-medborgare" and
#: "115-239/2002" are several words.
WORD_PATTERN = r"[^\W_]+"
SWEDISH_STOP_WORDS: frozenset[str] = frozenset(stoplists["sv"])
ENGLISH_STOP_WORDS: frozenset[str] = frozenset(stoplists["en"])
#: Analysis languages with a Snowball stemmer of their own (PyStemmer) besides Swedish
#: and English → the stemmer. Their stems carry the language ("fi:asunno"), so they
#: never meet a Swedish or English stem of another word; the query adds them.
FOREIGN_STEMMERS = {"fi": "finnish", "da": "danish", "no": "norwegian", "de": "german"}
LANGUAGES = ("sv", "en", *FOREIGN_STEMMERS)
#: A document's detected language → its analysis language (others are analysed as Swedish).
ANALYSIS_LANGUAGE = {"en": "en", "fi": "fi", "da": "da", "nb": "no", "nn": "no", "no": "no",
                     "de": "de"}

_english = stemmer_for_language("en")
_swedish = Stemmer.Stemmer("swedish")


def swedish_stem(word: str) -> str:
    """Snowball Swedish, current algorithm (PyStemmer): "beslutet" and "beslut" meet.

    Whoosh ships the 2007 algorithm, which leaves the definite neuter ``-et`` alone;
    ``tests/test_index.py`` checks this one against the Snowball reference.
    """
    return _swedish.stemWord(word)


def english_stem(word: str) -> str:
    """Snowball English (Porter 2): "cities" and "city" both become "citi"."""
    return _english(word)


class Words(RegexTokenizer):
    """Splits text into words (``WORD_PATTERN``)."""

    def __init__(self) -> None:
        super().__init__(WORD_PATTERN)

    def batch(self, text: str) -> list[str]:
        return self.expression.findall(text)


class Lowercase(LowercaseFilter):
    def batch(self, words: list[str]) -> list[str]:
        # One lower() over all words (they hold no newline, and lower() makes none).
        return "\n".join(words).lower().split("\n") if words else []


class DropStopWords(StopFilter):
    """Drops stop words; positions are renumbered, so phrases skip them."""

    def __init__(self, words: frozenset[str]) -> None:
        super().__init__(stoplist=words, minsize=1, renumber=True)

    def batch(self, words: list[str]) -> list[str]:
        stops = self.stops
        return [w for w in words if w not in stops]


class StemCache(dict):
    """word → stem, computed on first use; emptied when it grows past ``limit``.

    A plain dict lookup: stemming every word of every document is the hot path of
    indexing, and Whoosh's own LRU wrapper costs ~1.5 µs a word.
    """

    def __init__(self, stemfn: Callable[[str], str], limit: int = 500_000) -> None:
        super().__init__()
        self.stemfn = stemfn
        self.limit = limit

    def __missing__(self, word: str) -> str:
        if len(self) >= self.limit:
            self.clear()
        stem = self[word] = self.stemfn(word)
        return stem


class Stem(StemFilter):
    """Stems each word (through a :class:`StemCache`)."""

    def __init__(self, stemfn: Callable[[str], str]) -> None:
        super().__init__(stemfn=stemfn)

    def clear(self) -> None:
        self._stem = StemCache(self.stemfn).__getitem__

    def batch(self, words: list[str]) -> list[str]:
        return list(map(self._stem, words))


def _foreign_stem(language: str) -> Callable[[str], str]:
    """The Snowball stemmer of ``language`` whose stems carry the language code."""
    stem_word = Stemmer.Stemmer(FOREIGN_STEMMERS[language]).stemWord
    prefix = f"{language}:"
    return lambda word: prefix + stem_word(word)


#: Words as written (lowercase, no stop words), per document language.
EXACT = {
    "sv": Words() | Lowercase() | DropStopWords(SWEDISH_STOP_WORDS),
    "en": Words() | Lowercase() | DropStopWords(ENGLISH_STOP_WORDS),
    **{lang: Words() | Lowercase() | DropStopWords(frozenset(stoplists[lang]))
       for lang in FOREIGN_STEMMERS},
}
STEMMING = {"sv": Stem(swedish_stem), "en": Stem(english_stem),
            **{lang: Stem(_foreign_stem(lang)) for lang in FOREIGN_STEMMERS}}
#: Words stemmed in the document's language: the exact pipeline plus a stemmer.
STEMS = {language: EXACT[language] | STEMMING[language] for language in LANGUAGES}


def foreign_stems(word: str) -> list[str]:
    """The word's stems in the analysis languages other than Swedish and English."""
    return [STEMMING[language]._stem(word) for language in FOREIGN_STEMMERS]


def terms(analyzer: Any, text: str) -> list[str]:
    """The terms a pipeline makes of a text, in order (list index = position).

    Runs each pipeline step over the whole list of words at once (``batch``) rather
    than token by token; ``tests/test_index.py`` checks it agrees with Whoosh's own
    token-stream run of the same pipeline.
    """
    tokenizer, *filters = analyzer.items
    words = tokenizer.batch(text)
    for step in filters:
        words = step.batch(words)
    return words


def analyse(text: str, language: str) -> tuple[list[str], list[str]]:
    """A text's exact words and their stems, in the given analysis language (``LANGUAGES``)."""
    exact = terms(EXACT[language], text)
    return exact, STEMMING[language].batch(exact)


def document_language(doc: Document) -> str:
    """The analysis language of a document (``ANALYSIS_LANGUAGE``), else Swedish."""
    return ANALYSIS_LANGUAGE.get(doc.get("language") or "", "sv")


# -- schema -------------------------------------------------------------------------


