"""Swedish personal identity numbers (personnummer): detection and masking.

Forms: ``YYMMDD-XXXX``, ``YYMMDD+XXXX`` (over 100 years old), ``YYYYMMDD-XXXX`` and
the same without separator. A number counts only when its date part is a real date
(day + 60 for a samordningsnummer) and its ten digits pass the Luhn check, so
diarienummer, phone numbers and ISO dates are left alone. Masking follows Swedish
practice: the last four digits become ``****`` ("460131-****"), the date part stays.
"""

from __future__ import annotations

import datetime as dt
import re

_PERSONNUMMER = re.compile(
    r"(?<![\w-])(?P<century>18|19|20)?(?P<date>\d{6})[-+]?(?P<last>\d{4})(?![\w])"
)
#: Six digits in a row, which every personnummer has: most texts have none, and then
#: ``_PERSONNUMMER`` (which tries every position of a text) need not look. Written out,
#: not ``\d{6}``: a pattern that opens with ``\d`` lets the regex engine skip from
#: digit to digit, at half the cost.
_SIX_DIGITS = re.compile(r"\d\d\d\d\d\d")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        value = int(ch) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _date_ok(century: str, yymmdd: str) -> bool:
    year = int(century + yymmdd[:2]) if century else 2000 + int(yymmdd[:2])
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    if day > 60:
        day -= 60
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def is_personnummer(match: re.Match[str]) -> bool:
    """Whether a candidate match is a valid personnummer (real date, Luhn-valid)."""
    century, yymmdd = match.group("century") or "", match.group("date")
    return _date_ok(century, yymmdd) and _luhn_ok(yymmdd + match.group("last"))


def mask_personnummer(text: str) -> tuple[str, int]:
    """``text`` with every personnummer's last four digits masked, and how many there were."""
    if not _SIX_DIGITS.search(text):
        return text, 0
    count = 0

    def mask(match: re.Match[str]) -> str:
        nonlocal count
        if not is_personnummer(match):
            return match.group(0)
        count += 1
        return match.group(0)[:-4] + "****"

    return _PERSONNUMMER.sub(mask, text), count


def count_personnummer(text: str) -> int:
    """How many personnummer ``text`` holds."""
    if not _SIX_DIGITS.search(text):
        return 0
    return sum(1 for match in _PERSONNUMMER.finditer(text) if is_personnummer(match))
