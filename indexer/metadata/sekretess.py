"""Sekretess markings: is this handling marked as holding secret information?

A Swedish authority marks a handling that holds uppgifter under sekretess
(offentlighets- och sekretesslagen, OSL 2009:400, 5 kap. 5 §; before 2009 sekretesslagen
1980:100): "Sekretess enligt 26 kap. 1 § OSL", "Hemlig enligt 21 kap. 7 § offentlighets-
och sekretesslagen (2009:400)", "Sekr. enl. OSL 26:1", or a stamp "SEKRETESS", "HEMLIG",
"SEKRETESSBELAGD HANDLING" — and the security classes of säkerhetsskyddslagen stamped the
same way ("BEGRÄNSAT HEMLIG", "KONFIDENTIELL", "KVALIFICERAT HEMLIG").

A marking is a label, not a sentence: it stands on a line of its own (or before a date or
a Dnr on a short header line) among the first lines of the document or of a page. Texts
that *discuss* sekretess ("uppgifterna omfattas av sekretess enligt 26 kap. 1 § OSL och
redovisas inte", a guide with a section "Sekretess enligt OSL") are not marked: a
sentence goes on after the reference, or the line stands in the middle of a page.
"""

from __future__ import annotations

import re

#: Lines of a page (from its top) where a marking is looked for.
TOP_LINES = 12
#: Longest line read as a marking.
MAX_LINE = 160

_LAW = (
    r"(?:OSL|offentlighets-\s*och\s*sekretesslagen|sekretesslagen|SekrL|"
    r"säkerhetsskyddslagen)(?:\s*\(\s*\d{4}\s*:\s*\d+\s*\))?"
)
#: What a reference to a provision is made of: "26 kap. 1 § första stycket", "26:1", "(2009:400)".
_PROVISION = (  # each token one way only: no backtracking blow-up on odd lines
    r"(?:\d{1,3}(?!\d)|[a-f](?![\wåäö])|(?:kap|st|stycket|p|punkt|punkten|första|andra|"
    r"tredje|fjärde|femte|och|samt|lagen|jfr)(?![\wåäö])|[:.,()§\s])*"
)
_REFERENCE = rf"{_PROVISION}{_LAW}{_PROVISION}"
#: "Sekretess enligt …", "Hemlig enligt …", "Sekr. enl. …", "Omfattas av sekretess enligt …".
_LABELLED = re.compile(
    r"(?:(?:Uppgifterna?|Handlingen|Uppgifter\s+i\s+(?:denna\s+handling|handlingen))\s+omfattas\s+av\s+"
    r"sekretess|Omfattas\s+av\s+sekretess|Sekretess(?:belagd|markerad)?|SEKRETESS(?:BELAGD)?|"
    r"Hemlig|HEMLIG|Hemligt|Sekr\.)"
    rf"\s*(?:enligt|enl\.?|ENLIGT|jfr|:)\s*(?P<reference>{_REFERENCE})",
)
#: Stamps in capitals, alone or before a reference, a date or a Dnr.
_STAMP = re.compile(
    r"(?:SEKRETESSBELAGD\s+HANDLING|SEKRETESSBELAGD|SEKRETESSMARKERAD|SEKRETESS|"
    r"HEMLIG\s+HANDLING|KVALIFICERAT\s+HEMLIG|BEGRÄNSAT\s+HEMLIG|HEMLIG|KONFIDENTIELL)"
    r"(?![\wÅÄÖåäö])"
)
#: What may follow a marking on its line: nothing, signs and digits (a date, a
#: paragraph), or a header field of its own (Dnr, Datum, Sida, a reference in capitals).
_TAIL = re.compile(
    r"[\s\d.,:;/()§–-]*(?:(?:Dnr|DNR|Diarienummer|Datum|Sida|Sid\.|Bilaga)\b[^\n]*)?"
)


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(" ,;:-–")


def _marking(line: str) -> str | None:
    """The marking a line is, or None (a line of running text, a heading …)."""
    labelled = _LABELLED.search(line)
    if labelled:
        before, rest = line[: labelled.start()], line[labelled.end():]
        if _TAIL.fullmatch(before) and _TAIL.fullmatch(rest):
            return _clean(labelled.group(0))
        return None
    stamp = _STAMP.match(line)
    if stamp:
        rest = line[stamp.end():]
        reference = re.match(rf"\s*[,:–-]?\s*(?:enligt|enl\.?|ENLIGT)\s*{_REFERENCE}", rest)
        if reference:
            return _clean(line[: stamp.end() + reference.end()])
        if _TAIL.fullmatch(rest):
            return _clean(stamp.group(0))
    return None


def is_marking(line: str) -> bool:
    """True when a line is a sekretess marking (never a document's title)."""
    return len(line) <= MAX_LINE and _marking(line.strip()) is not None


def _page_tops(text: str, page_starts: list[int] | None) -> list[str]:
    starts = sorted({s for s in (page_starts or [0]) if 0 <= s < len(text)} | {0})
    lines: list[str] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        page_lines = [ln.strip() for ln in text[start:end].splitlines() if ln.strip()]
        lines.extend(page_lines[:TOP_LINES])
    return lines


def sekretess_marking(text: str, page_starts: list[int] | None = None) -> str | None:
    """The document's sekretess marking as it stands ("Sekretess enligt 26 kap. 1 § OSL",
    "HEMLIG"), or None when it carries none.

    Looks at the first :data:`TOP_LINES` lines of every page (``page_starts``: character
    offsets where pages begin; the whole text is one page without them).
    """
    for line in _page_tops(text, page_starts):
        if len(line) > MAX_LINE:
            continue
        found = _marking(line)
        if found:
            return found
    return None
