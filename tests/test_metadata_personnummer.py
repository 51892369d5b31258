"""Personnummer: detected only when the date is real and the Luhn check passes; masked."""

from __future__ import annotations

import pytest

from indexer.metadata.personnummer import count_personnummer, mask_personnummer

# (text, masked text, count)
CASES: list[tuple[str, str, int]] = [
    ("Sökande 811218-9876 bor i Rinkeby.", "Sökande 811218-**** bor i Rinkeby.", 1),
    ("19811218-9876", "19811218-****", 1),
    ("8112189876", "811218****", 1),
    ("811218+9876 (över 100 år)", "811218+**** (över 100 år)", 1),
    ("samordningsnummer 701063-2391", "samordningsnummer 701063-****", 1),
    ("121212-1212 och 19121212-1212", "121212-**** och 19121212-****", 2),
    # Not personnummer: Luhn fails, impossible dates, dnr, phone numbers, ISO dates.
    ("460131-1234", "460131-1234", 0),
    ("811318-9876", "811318-9876", 0),
    ("Dnr 115-239/2002", "Dnr 115-239/2002", 0),
    ("Aaron Korewa 076 1 229 201, 0761229911", "Aaron Korewa 076 1 229 201, 0761229911", 0),
    ("TJÄNSTEUTLÅTANDE 2004-11-24", "TJÄNSTEUTLÅTANDE 2004-11-24", 0),
    ("Dnr 1.5.3-219-2012", "Dnr 1.5.3-219-2012", 0),
]


@pytest.mark.parametrize(("text", "masked", "count"), CASES, ids=[c[0][:20] for c in CASES])
def test_mask_personnummer(text: str, masked: str, count: int) -> None:
    assert mask_personnummer(text) == (masked, count)
    assert count_personnummer(text) == count
