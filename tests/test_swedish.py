"""One home for Swedish text (issue 15): a diarienummer, a typed date and a folded word
mean the same to the indexer and to search (archive.swedish)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from archive.catalog import Catalog
from archive.query import date_bound
from archive.querysyntax import parse, parse_date_range
from archive.swedish import (
    LABELLED_DNR,
    TYPED_DNR,
    date_span,
    dnr_key,
    fold,
    fold_case,
    normalise_dnr,
    sort_key,
)
from indexer.metadata.dnr import find_dnrs
from indexer.pipeline import index_paths
from web import create_app

#: How documents write a dnr (as typeset: en dashes, spaces) → how it is kept and shown.
WRITTEN = [
    ("Dnr 115–239/2002", "115-239/2002"),
    ("Diarienummer: KS 2019 / 123", "KS 2019/123"),
    ("Vårt dnr 1.5.3‑219‑2012", "1.5.3-219-2012"),
    ("DNR SN 2024/12", "SN 2024/12"),
]


@pytest.mark.parametrize(("written", "kept"), WRITTEN)
def test_a_written_dnr_is_kept_as_search_reads_it(written: str, kept: str) -> None:
    found = find_dnrs(f"Tjänsteutlåtande\n{written}\n\nÄrendet gäller bidrag.")
    assert [d.normalised for d in found] == [kept]
    # What a person types for it, in any of these ways, is the same term.
    typed = [kept, kept.lower(), kept.replace("-", " – "), f"Dnr {kept}"]
    assert {dnr_key(t) for t in typed} == {dnr_key(written.split(maxsplit=1)[1])}


def test_a_dnr_typeset_with_en_dashes_is_found_as_typed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "beslut.txt").write_text(
        "Tjänsteutlåtande\nSocialförvaltningen\nDnr 115–239/2002\n\n"
        "Förslag till beslut om bidrag till föreningen Bokbussen.\n", encoding="utf-8")
    home = tmp_path / "arkiv"
    assert index_paths(home, [folder]).counts["new"] == 1
    with Catalog(home, readonly=True) as catalog:
        doc = next(catalog.iter_documents(with_text=False))
    assert doc.get("dnr") == "115-239/2002"
    client = create_app({"ARKIV_HOME": str(home)}).test_client()
    for typed in ("115-239/2002", "115 – 239/2002", "dnr:115–239/2002"):
        hits = client.get("/api/search", query_string={"q": typed}).get_json()["hits"]
        assert [h["id"] for h in hits] == [doc.id], typed
        assert hits[0]["dnr"] == "115-239/2002"


def test_the_search_box_and_the_url_read_a_date_alike() -> None:
    for typed in ("2004", "2004-06", "2004-02-29", "0900-01"):
        first, last = date_span(typed)
        as_numbers = parse_date_range(typed)
        assert as_numbers == (int(first.strftime("%Y%m%d").zfill(8)), int(last.strftime("%Y%m%d").zfill(8)))
        assert date_bound(typed) == first.isoformat()
        assert date_bound(typed, end=True) == last.isoformat()
    for wrong in ("2004-13", "2004-02-30", "2003-02-29", "17 maj", "2004-6-31"):
        assert date_span(wrong) is None and parse_date_range(wrong) is None
        assert parse(f"datum:{wrong}").notes
        with pytest.raises(ValueError):
            date_bound(wrong)
    assert date_span("2004-06") == (date(2004, 6, 1), date(2004, 6, 30))


def test_folding() -> None:
    assert fold("Socialtjänstnämnden får") == "Socialtjanstnamnden far"
    assert fold_case("SOCIALTJÄNSTNÄMNDEN İ") == "socialtjänstnämnden i"
    names = ["Örebro", "ängelholm", "Zinkgruvan", "Åmål", "alby", "Ærø"]
    assert sorted(names, key=sort_key) == ["alby", "Zinkgruvan", "Åmål", "ängelholm", "Ærø", "Örebro"]


def test_patterns_find_what_they_name() -> None:
    assert LABELLED_DNR.search("enligt dnr KS 2018/14.").group("value") == "KS 2018/14"
    assert TYPED_DNR.match("bygglov 2019/12") is None  # a word, then a dnr
    assert normalise_dnr("2012- 182-3.1") == "2012-182-3.1"
