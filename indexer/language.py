"""The language of a document's text, with an honest confidence; "unknown" rather than a guess.

Two identifiers are combined. lingua (its trigram models ship inside the wheel; low
accuracy mode: 37 MB, ~4 ms for 3,000 characters, and on the UDHR three-sentence texts
of ``make quality`` as right as its high accuracy mode) knows the languages the archive
meets, restricted to :data:`LANGUAGES`, and is reliable on short text. langdetect
(seeded, so the same text always gets the same answer) is reliable on a few hundred
letters of running text and unreliable on less (it calls "Beslut om bygglov" Norwegian);
it votes only on texts that long. Their probabilities are averaged.

Text too short or too uncertain to tell is "unknown" (the index analyses it as
Swedish, the archive's language). langdetect and lingua both confuse Swedish with
Norwegian and Danish on some texts; Swedish-only spellings (ä, ö, "och", "att") against
Norwegian/Danish ones (æ, ø, "og", "ikke") settle that, so a Swedish text is never
called Norwegian or Danish.

Titles, dates, diarienummer and other short header lines say little about the language
and are left out (unless there is little else); long texts are sampled from beginning,
middle and end (langdetect costs ~24 ms per 14 KB).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

DetectorFactory.seed = 0

DEFAULT_LANGUAGE = "sv"
UNKNOWN = "unknown"
#: The languages told apart (ISO 639-1): those of the archive's documents and partners,
#: and neighbours that would otherwise be taken for one of them.
LANGUAGES = ("sv", "en", "fi", "de", "da", "nb", "nn", "et", "lv", "fr", "es", "nl", "pl")
#: Fewer letters than this is too little to tell any language by.
MIN_ANY_LETTERS = 20
#: Texts with fewer letters get a confidence scaled down by letters / this.
FULL_CONFIDENCE_LETTERS = 100
#: Below this many letters langdetect is not asked (it guesses wildly on less).
MIN_LETTERS = 200
#: The combined confidence an answer needs; below it the language is "unknown".
MIN_CONFIDENCE = 0.5
#: Characters of body text given to langdetect.
SAMPLE_CHARS = 3000
#: Between the beginning, middle and end of a long text's sample.
_PART_SEPARATOR = "\n\n\n"
#: Lines shorter than this are headings, names, dates or numbers, not running text.
MIN_BODY_LINE = 40

#: Function words only Swedish has (not Norwegian or Danish), and English ones: in
#: running text of either language they make up 5–15 % of the words, so a clear
#: majority of one settles the language without langdetect (which costs ~20 ms).
_SWEDISH_ONLY_WORDS = frozenset(
    "och att är för inte också från ska skall någon några detta denna dessa samt kommer".split()
)
#: (Not "on", "by", "be", "for", "to": Finnish, Danish, Norwegian or German words too.)
_ENGLISH_WORDS = frozenset("the and of is that with are this which from".split())
#: How many of the sample's words must be such function words for the shortcut.
FUNCTION_WORD_SHARE = 0.05
_WORDS = re.compile(r"[^\W\d_]+")
_SWEDISH_MARKERS = re.compile(r"[äöÄÖ]|\b(?:och|att|inte|är)\b", re.IGNORECASE)
_DANO_NORWEGIAN_LETTERS = re.compile(r"[æøÆØ]")
_DANO_NORWEGIAN_MARKERS = re.compile(r"[æøÆØ]|\b(?:og|ikke|af|til)\b", re.IGNORECASE)


def detect_language(text: str) -> tuple[str, float]:
    """The ISO 639-1 code of the text's language (or "unknown") and a confidence in 0–1."""
    body = _body(text)
    if not _enough_letters(body):
        body = text
    sample = _sample(body)
    letters = sum(map(str.isalpha, sample))
    if letters < MIN_ANY_LETTERS:
        return UNKNOWN, 0.0
    if letters >= MIN_LETTERS:
        clear = _clear_by_function_words(sample)
        if clear is not None:
            return clear, 0.999
    scores = _lingua(sample.split(_PART_SEPARATOR))
    if letters >= MIN_LETTERS:
        scores = _averaged(scores, _langdetect(sample, scores))
    best = max(scores, key=scores.__getitem__)
    if best in ("nb", "nn", "da") and _looks_swedish(sample):
        best = DEFAULT_LANGUAGE
    confidence = scores.get(best, 0.0) * min(1.0, letters / FULL_CONFIDENCE_LETTERS)
    if confidence < MIN_CONFIDENCE:
        return UNKNOWN, round(confidence, 3)
    return best, confidence


@cache
def _detector() -> Any:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in LANGUAGES]
    return (LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
            .with_low_accuracy_mode().build())


def _lingua(parts: list[str]) -> dict[str, float]:
    """lingua's confidence for each of :data:`LANGUAGES` (they add up to 1), averaged
    over the sample's parts: lingua gives a mixed text wholly to one of its languages."""
    scores: dict[str, float] = {}
    for part in parts:
        for value in _detector().compute_language_confidence_values(part):
            code = value.language.iso_code_639_1.name.lower()
            scores[code] = scores.get(code, 0.0) + value.value / len(parts)
    return scores


def _langdetect(sample: str, lingua: dict[str, float]) -> dict[str, float]:
    """langdetect's probabilities; its one Norwegian ("no") is shared between bokmål
    and nynorsk as lingua shares them."""
    try:
        ranked = detect_langs(sample)
    except LangDetectException:
        return {}
    found = {guess.lang: guess.prob for guess in ranked}
    norwegian = found.pop("no", 0.0)
    if norwegian:
        nb, nn = lingua.get("nb", 0.0), lingua.get("nn", 0.0)
        share = nb / (nb + nn) if nb + nn else 1.0
        found["nb"], found["nn"] = norwegian * share, norwegian * (1 - share)
    return found


def _averaged(first: dict[str, float], second: dict[str, float]) -> dict[str, float]:
    if not second:
        return first
    return {lang: (first.get(lang, 0.0) + second.get(lang, 0.0)) / 2
            for lang in first.keys() | second.keys()}


def _clear_by_function_words(sample: str) -> str | None:
    """"sv" or "en" when the sample's function words leave no doubt, else None."""
    words = [w.lower() for w in _WORDS.findall(sample)]
    swedish = sum(1 for w in words if w in _SWEDISH_ONLY_WORDS)
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    needed = FUNCTION_WORD_SHARE * len(words)
    if swedish >= needed and swedish >= 5 * english and not _DANO_NORWEGIAN_LETTERS.search(sample):
        return "sv"
    if english >= needed and english >= 5 * swedish:
        return "en"
    return None


def _enough_letters(text: str) -> bool:
    """Whether ``text`` has ``MIN_LETTERS`` letters (running text has them in its first
    few hundred characters; only other text is counted whole)."""
    head = text[: 4 * MIN_LETTERS]
    return sum(map(str.isalpha, head)) >= MIN_LETTERS or (
        len(head) < len(text) and sum(map(str.isalpha, text)) >= MIN_LETTERS
    )


def _body(text: str) -> str:
    """The running text: lines long enough and not mostly digits or capitals."""
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if len(line) < MIN_BODY_LINE:
            continue
        letters = list(filter(str.isalpha, line))
        if len(letters) < 0.6 * len(line) or sum(map(str.isupper, letters)) > 0.5 * len(letters):
            continue
        lines.append(line)
    return "\n".join(lines)


def _sample(text: str) -> str:
    """At most ``SAMPLE_CHARS`` characters: the start, the middle and the end."""
    if len(text) <= SAMPLE_CHARS:
        return text
    part = SAMPLE_CHARS // 3
    middle = len(text) // 2 - part // 2
    return _PART_SEPARATOR.join(
        _words(text, start, part) for start in (0, middle, len(text) - part))


def _words(text: str, start: int, length: int) -> str:
    """``text[start:start + length]`` widened to whole words."""
    end = start + length
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end]


def _looks_swedish(text: str) -> bool:
    return len(_SWEDISH_MARKERS.findall(text)) > len(_DANO_NORWEGIAN_MARKERS.findall(text))
