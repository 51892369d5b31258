"""Diarienummer (dnr, the registry number of a case) and § numbers of minutes.

A dnr follows a label ("Dnr", "DNR", "Dnr:", "Diarienummer", "Vårt dnr") or has the
unmistakable form "Kst/2012:214". Forms seen: "115-239/2002", "KS 2018/14",
"1.5.3-219-2012", "102-274-04", "SN 2024/12", "2012- 182-3.1", "S2022/01234". The normalised form
is :func:`archive.swedish.normalise_dnr` ("2012- 182-3.1" → "2012-182-3.1"), where the
patterns live too; the verbatim form is the number as written.

§ numbers of minutes ("§ 64", "§§ 21–28", "§ 64/20") are collected; law references,
where the number comes first ("4 kap. 34 §") or a law follows ("§ 2 SoL"), are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.swedish import BARE_DNR, LABELLED_DNR, normalise_dnr

_PARAGRAPH = re.compile(
    r"(?<![\w§])(?P<sign>§§?)[ \t]*(?P<first>\d+)(?:[ \t]*[-–][ \t]*(?P<last>\d+))?(?P<year>/\d{2,4})?(?![\d])"
)
_LAW_AFTER = re.compile(
    r"^[ \t,]*(?:(?:första|andra|tredje|\d+)[ \t]+(?:st\.?|stycket)[ \t]*)?"
    r"(?:kap\b|lag\b|lagen|förordning|sol\b|lvu\b|lvm\b|lss\b|kl\b|fl\b|osl\b|pul\b|gdpr\b|"
    r"socialtjänstlagen|kommunallagen|förvaltningslagen|[a-zåäö]*lagen\b)",
    re.I,
)
_LAW_BEFORE = re.compile(r"kap\.?[ \t]*$", re.I)
#: A "§§ 21–28" range is expanded only when it is this short (a typo could span thousands).
MAX_PARAGRAPH_RANGE = 200


@dataclass(frozen=True)
class Dnr:
    """One diarienummer: normalised, as written, and where it starts."""

    normalised: str
    verbatim: str
    start: int

    def as_dict(self) -> dict[str, str]:
        """The entry of the ``dnrs`` metadata list."""
        return {"normalised": self.normalised, "verbatim": self.verbatim}


def find_dnrs(text: str) -> list[Dnr]:
    """Every dnr in ``text``, in reading order, duplicates (same normalised) dropped."""
    found: dict[str, Dnr] = {}
    # A bare dnr ("Kst/2012:214") has a "/" and a ":" (many texts have no ":" at all).
    bare = BARE_DNR.finditer(text) if "/" in text and ":" in text else ()
    matches = sorted([*LABELLED_DNR.finditer(text), *bare], key=lambda m: m.start("value"))
    for match in matches:
        verbatim = match.group("value").strip()
        normalised = normalise_dnr(verbatim)
        found.setdefault(normalised, Dnr(normalised, verbatim, match.start("value")))
    return list(found.values())


def document_dnr(dnrs: list[Dnr], header_end: int, doc_type: str | None = None) -> Dnr | None:
    """The document's own dnr: the first one in the header, else the only one.

    Minutes and notices list one dnr per item, so they have their own only when
    there is just one.
    """
    if doc_type in ("protokoll", "kallelse") and len(dnrs) > 1:
        return None
    for dnr in dnrs:
        if dnr.start < header_end:
            return dnr
    return dnrs[0] if len(dnrs) == 1 else None


def cites_law(after: str) -> bool:
    """Whether the words right after a § number name a law ("§ 2 SoL", "§ 3 kommunallagen")."""
    return bool(_LAW_AFTER.match(after))


def find_paragraphs(text: str) -> list[str]:
    """§ numbers of minutes, as strings in reading order ("64", "64/20")."""
    if "§" not in text:
        return []
    found: dict[str, None] = {}
    for match in _PARAGRAPH.finditer(text):
        if cites_law(text[match.end() : match.end() + 40]) or _LAW_BEFORE.search(
            text[max(0, match.start() - 12) : match.start()]
        ):
            continue
        first, last = int(match.group("first")), match.group("last")
        if last and match.group("sign") == "§§" and 0 < int(last) - first <= MAX_PARAGRAPH_RANGE:
            for number in range(first, int(last) + 1):
                found[str(number)] = None
        else:
            found[match.group("first") + (match.group("year") or "")] = None
    return list(found)
