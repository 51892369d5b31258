"""Formats built here: a mail with attachments, ODF, RTF, XML, nested and hostile archives.

Each file is made by the test with the library or standard format a real producer
uses, ingested by the real pipeline into a real archive, and looked for by its words.
"""

from __future__ import annotations

import email
import email.policy
import io
import os
import tarfile
import tempfile
import time
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest
from odf.opendocument import OpenDocumentText
from odf.text import H, P

from archive.catalog import Catalog
from archive.engine import search
from archive.models import public_path
from archive.query import Query
from indexer.extract import ExtractionError, extract
from indexer.parts import SEPARATOR
from indexer.pipeline import index_paths, reindex
from web import create_app

MISSIV = "Missiv till kommunstyrelsen om förskolebyggnaden i Västra Ängby, dnr KS 2019/123.\n"
YTTRANDE = "Yttrande från miljönämnden: bullerskärmen vid Rösjöskolan tillstyrks.\n"


def _found(home: Path, word: str) -> set[str]:
    return {hit.id for hit in search(home, Query(text=word, page_size=50)).hits}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _mark_encrypted(data: bytes, name: str) -> bytes:
    """A zip whose member ``name`` is flagged encrypted, as a password-protected member
    is (zipfile cannot write encrypted members): bit 0 of its general purpose flags, in
    its local header and its central directory entry."""
    patched = bytearray(data)
    encoded = name.encode()
    start = patched.find(encoded)
    while start != -1:
        # (signature, where the name starts, where the flags are) in each kind of header
        for signature, name_at, flags_at in ((b"PK\x03\x04", 30, 6), (b"PK\x01\x02", 46, 8)):
            header = start - name_at
            if header >= 0 and patched[header : header + 4] == signature:
                patched[header + flags_at] |= 0x1
        start = patched.find(encoded, start + 1)
    return bytes(patched)


def _mail() -> bytes:
    message = EmailMessage()
    message["From"] = "Karin Ek <karin.ek@sundbyberg.se>"
    message["To"] = "registrator@sundbyberg.se"
    message["Subject"] = "Remissvar om bullerskärmen"
    message["Date"] = "Tue, 19 Mar 2024 10:15:00 +0100"
    message.set_content("Hej!\n\nHär kommer nämndens remissvar om skärmen.\n\nMvh Karin")
    message.add_alternative("<html><body><p>Hej!</p><p>Här kommer nämndens remissvar.</p></body></html>",
                            subtype="html")
    message.add_attachment(YTTRANDE.encode("utf-8"), maintype="text", subtype="plain",
                           filename="yttrande.txt")
    forwarded = EmailMessage()
    forwarded["From"] = "Per Lind <per.lind@sundbyberg.se>"
    forwarded["Subject"] = "Underlag om skolgården"
    forwarded.set_content("Skolgårdens ritning och gestaltningsprogrammet bifogas inte här.")
    message.add_attachment(forwarded)
    return message.as_bytes()


def test_a_mail_is_a_document_and_each_attachment_another_linked_both_ways(tmp_path: Path, home: Path) -> None:
    mail = tmp_path / "remissvar.eml"
    mail.write_bytes(_mail())
    report = index_paths(home, [mail], workers=1)
    assert report.counts == {"new": 3, "updated": 0, "unchanged": 0, "failed": 0}
    with Catalog(home, readonly=True) as catalog:
        doc = catalog.get_by_path(mail)
        assert doc.metadata["title"] == "Remissvar om bullerskärmen"
        assert doc.metadata["document_date"] == "2024-03-19"
        assert "Karin Ek" in doc.text and "nämndens remissvar" in doc.text
        names = [name for name, _id, _problem in catalog.parts_of(doc.id)]
        assert names == ["yttrande.txt", "Underlag om skolgården.eml"]
        attachment = catalog.get_by_path(f"{mail}{SEPARATOR}yttrande.txt")
        forwarded = catalog.get_by_path(f"{mail}{SEPARATOR}Underlag om skolgården.eml")
        # The attachment's bytes are an original of their own: download works.
        assert catalog.original_path(attachment.sha256).read_bytes() == YTTRANDE.encode("utf-8")
    assert attachment.id in _found(home, "Rösjöskolan")
    assert forwarded.id in _found(home, "gestaltningsprogrammet")
    assert public_path(attachment.path) == "remissvar.eml!/yttrande.txt"

    client = create_app({"ARKIV_HOME": str(home)}).test_client()
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "Bilagor" in page and f"/documents/{attachment.id}" in page
    page = client.get(f"/documents/{attachment.id}").get_data(as_text=True)
    assert "Bilaga till e-post" in page and f"/documents/{doc.id}" in page
    assert "Remissvar om bullerskärmen" in page
    original = client.get(f"/documents/{attachment.id}/original")
    assert original.status_code == 200 and original.data == YTTRANDE.encode("utf-8")
    api = client.get(f"/api/documents/{attachment.id}").get_json()
    assert api["containers"][0]["url"] == f"/documents/{doc.id}"

    # Re-extraction reads each document from its own original, the attachments too.
    assert reindex(home, reextract=True, workers=1) == 3
    assert attachment.id in _found(home, "Rösjöskolan")
    with Catalog(home, readonly=True) as catalog:
        assert len(catalog.parts_of(doc.id)) == 2

    # The mail sent again without its attachments: they are no longer its parts.
    message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
    message.clear_content()
    message.set_content("Bilagorna kommer i ett senare brev.")
    mail.write_bytes(message.as_bytes())
    assert index_paths(home, [mail], workers=1).counts["updated"] == 1
    with Catalog(home, readonly=True) as catalog:
        assert catalog.get_by_path(f"{mail}{SEPARATOR}yttrande.txt") is None
        assert catalog.get(attachment.id, with_text=False).superseded_by is not None
    assert attachment.id not in _found(home, "Rösjöskolan")


def test_odt_rtf_and_xml_are_read_with_their_words(tmp_path: Path, home: Path) -> None:
    odt = OpenDocumentText()
    odt.text.addElement(H(outlinelevel=1, text="Beslut om äldreboendet Solgläntan"))
    odt.text.addElement(P(text="Socialnämnden beslutar att äldreboendet byggs om under 2025."))
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    odt.save(str(tmp_path / "beslut.odt"))
    (tmp_path / "protokoll.rtf").write_bytes(
        rb"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}\pard Protokoll fr\'e5n "
        rb"kulturn\'e4mnden\par Biblioteket i H\'e4ggvik f\'e5r l\'e4ngre \u246?ppettider\par}")
    (tmp_path / "prop.xml").write_text(
        "<dokumentstatus><dokument><dok_id>H40314</dok_id><rm>2016/17</rm>"
        "<beteckning>14</beteckning><dokumentnamn>Proposition</dokumentnamn>"
        "<organ>Finansdepartementet</organ><datum>2016-09-27 00:00:00</datum>"
        "<titel>Ny definition av fastighetsbegreppet</titel>"
        "<html>&lt;p&gt;Regeringen föreslår att mervärdesskattelagen ändras.&lt;/p&gt;</html>"
        "</dokument></dokumentstatus>", encoding="utf-8")
    (tmp_path / "register.xml").write_text(
        '<?xml version="1.0"?><register xmlns="urn:x"><post id="1"><namn>Tallkrogens '
        "<b>fritidsgård</b></namn></post></register>", encoding="utf-8")
    report = index_paths(home, [tmp_path], workers=1)
    assert report.counts["failed"] == 0, report.failures
    with Catalog(home, readonly=True) as catalog:
        odt_doc = catalog.get_by_path(tmp_path / "beslut.odt")
        rtf_doc = catalog.get_by_path(tmp_path / "protokoll.rtf")
        prop = catalog.get_by_path(tmp_path / "prop.xml")
        register = catalog.get_by_path(tmp_path / "register.xml")
    assert odt_doc.metadata["title"] == "Beslut om äldreboendet Solgläntan"
    assert "Häggvik får längre öppettider" in rtf_doc.text
    assert prop.metadata["title"] == "Ny definition av fastighetsbegreppet"
    assert prop.metadata["document_date"] == "2016-09-27"
    assert prop.metadata["riksdagen"]["dok_id"] == "H40314"
    assert "<" not in register.text and "Tallkrogens fritidsgård" in register.text
    assert odt_doc.id in _found(home, "Solgläntan")
    assert rtf_doc.id in _found(home, "Häggvik")
    assert prop.id in _found(home, "mervärdesskattelagen")
    assert register.id in _found(home, "Tallkrogens")


def test_xml_entity_bomb_is_refused_with_one_line(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                    + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi", strict=True))
                    + "]><l>&i;</l>")
    with pytest.raises(ExtractionError, match="XML refused"):
        extract(bomb)


def test_archives_nested_hostile_and_incremental(tmp_path: Path, home: Path) -> None:
    innermost = _zip({"djup.txt": b"Den djupaste filen om Kymlinge.\n"})
    inner = _zip({"bilagor/missiv.txt": MISSIV.encode(), "mer.zip": innermost})
    folder = tmp_path / "in"
    folder.mkdir()
    bundle = folder / "bilagor-ks-2019-123.zip"
    bundle.write_bytes(_mark_encrypted(_zip({
        "yttrande.txt": YTTRANDE.encode(), "inre.zip": inner,
        "../../utanfor.txt": b"Ska aldrig packas upp.", "/etc/absolut.txt": b"Inte heller.",
        "noll.bin": b"\0" * (20 * 1024 * 1024), "hemlig.txt": "Krypterat innehåll".encode(),
    }), "hemlig.txt"))
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w:gz") as archive:
        data = "Taxan för bygglov i Ursvik höjs.\n".encode()
        member = tarfile.TarInfo("taxor/bygglov.txt")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    (folder / "taxor.tar.gz").write_bytes(tar.getvalue())

    report = index_paths(home, [folder], workers=1)
    failed = {o.path.split(SEPARATOR, 1)[1]: o.reason for o in report.failures}
    assert set(failed) == {"../../utanfor.txt", "/etc/absolut.txt", "noll.bin", "hemlig.txt"}
    assert "path traversal" in failed["../../utanfor.txt"] and "path traversal" in failed["/etc/absolut.txt"]
    assert "zip bomb" in failed["noll.bin"] and "encrypted" in failed["hemlig.txt"]
    assert not (tmp_path / "utanfor.txt").exists() and not Path("/etc/absolut.txt").exists()
    # The members spooled for the workers are gone with the run.
    assert not list(Path(tempfile.gettempdir()).glob(f"arkiv-parts-{os.getpid()}-*"))
    key = str(bundle)
    with Catalog(home, readonly=True) as catalog:
        missiv = catalog.get_by_path(f"{key}!/inre.zip!/bilagor/missiv.txt")
        deepest = catalog.get_by_path(f"{key}!/inre.zip!/mer.zip!/djup.txt")
        yttrande = catalog.get_by_path(f"{key}!/yttrande.txt")
        bygglov = catalog.get_by_path(f"{folder / 'taxor.tar.gz'}!/taxor/bygglov.txt")
    assert missiv.id in _found(home, "förskolebyggnaden")
    assert deepest.id in _found(home, "Kymlinge")
    assert bygglov.id in _found(home, "Ursvik")
    assert public_path(missiv.path) == "bilagor-ks-2019-123.zip!/inre.zip!/bilagor/missiv.txt"

    # Unchanged: skipped whole. Changed: a changed member is a new version, a member
    # gone from the archive is retired, an unchanged one stays as it was.
    again = index_paths(home, [folder], workers=1)
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 2, "failed": 0}
    bundle.write_bytes(_zip({"yttrande.txt": YTTRANDE.replace("tillstyrks", "avstyrks").encode(),
                             "inre.zip": _zip({"bilagor/missiv.txt": MISSIV.encode()})}))
    changed = index_paths(home, [folder], workers=1)
    statuses = {o.path.split(SEPARATOR, 1)[-1]: o.status for o in changed.outcomes}
    assert statuses["yttrande.txt"] == "updated" and statuses["inre.zip"] == "updated"
    assert statuses["inre.zip!/bilagor/missiv.txt"] == "unchanged"
    with Catalog(home, readonly=True) as catalog:
        assert catalog.get_by_path(f"{key}!/inre.zip!/mer.zip!/djup.txt") is None
        assert catalog.get(deepest.id, with_text=False).superseded_by is not None
        assert catalog.get(yttrande.id, with_text=False).superseded_by is not None
    assert deepest.id not in _found(home, "Kymlinge")
    assert _found(home, "avstyrks")


def test_containers_nest_only_so_deep(tmp_path: Path, home: Path) -> None:
    nested = _zip({"botten.txt": b"Botten av kedjan om Hallonbergen.\n"})
    for level in range(4):
        nested = _zip({f"niva{level}.zip": nested})
    chain = tmp_path / "kedja.zip"
    chain.write_bytes(nested)
    report = index_paths(home, [chain], workers=1)
    assert [o.reason for o in report.failures] == [
        "not opened: containers nested more than 3 levels deep"]
    assert not _found(home, "Hallonbergen")


def test_doc_without_antiword_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import require_shared

    sample = require_shared("testdata/swedish-gov/ferenda/pdfreader/source/sample.doc")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ExtractionError, match=r"apt-get install antiword"):
        extract(sample)


def test_a_spreadsheet_sheet_and_a_slide_are_pages(tmp_path: Path) -> None:
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import OpenDocumentPresentation, OpenDocumentSpreadsheet
    from odf.style import MasterPage, PageLayout
    from odf.table import Table, TableCell, TableRow

    sheets = OpenDocumentSpreadsheet()
    for name, text in (("Budget", "Fritidsgårdar 2024"), ("Utfall", "Simhallen 2024")):
        table, row, cell = Table(name=name), TableRow(), TableCell()
        cell.addElement(P(text=text))
        row.addElement(cell)
        table.addElement(row)
        sheets.spreadsheet.addElement(table)
    sheets.save(str(tmp_path / "budget.ods"))
    slides = OpenDocumentPresentation()
    layout = PageLayout(name="layout")
    slides.automaticstyles.addElement(layout)
    master = MasterPage(name="master", pagelayoutname=layout)
    slides.masterstyles.addElement(master)
    for text in ("Trygghetsvandring i Hallonbergen", "Ljussättning vid stationen"):
        page, frame, box = Page(masterpagename=master), Frame(width="20cm", height="3cm"), TextBox()
        box.addElement(P(text=text))
        frame.addElement(box)
        page.addElement(frame)
        slides.presentation.addElement(page)
    slides.save(str(tmp_path / "trygghet.odp"))
    assert extract(tmp_path / "budget.ods").pages == ["Fritidsgårdar 2024", "Simhallen 2024"]
    assert extract(tmp_path / "trygghet.odp").pages == [
        "Trygghetsvandring i Hallonbergen", "Ljussättning vid stationen"]


def test_a_member_that_hangs_costs_only_itself(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import indexer.extract.text

    real = indexer.extract.text.extract

    def hanging(path: Path):  # noqa: ANN202 - a text parser that never returns on one file
        if path.name == "haenger.txt":
            time.sleep(3600)
        return real(path)

    monkeypatch.setattr(indexer.extract.text, "extract", hanging)
    bundle = tmp_path / "bilagor.zip"
    bundle.write_bytes(_zip({"haenger.txt": b"Den fastnar.\n", "missiv.txt": MISSIV.encode()}))
    report = index_paths(home, [bundle], workers=2, timeout=2)
    outcomes = {o.path: (o.status, o.reason) for o in report.outcomes}
    # Each member has a file's own time limit: the archive and its other member are kept.
    assert outcomes == {
        str(bundle): ("new", None),
        f"{bundle}{SEPARATOR}haenger.txt": ("failed", "timed out after 2 s"),
        f"{bundle}{SEPARATOR}missiv.txt": ("new", None),
    }
    assert _found(home, "förskolebyggnaden")


def test_content_decides_the_format_whatever_the_name(tmp_path: Path) -> None:
    from indexer.extract import EML, ODT, TAR, TEXT, sniff

    odt = OpenDocumentText()
    odt.text.addElement(P(text="Text"))
    odt.save(str(tmp_path / "utan-namn"))
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w") as archive:
        member = tarfile.TarInfo("a.txt")
        archive.addfile(member, io.BytesIO(b""))
    assert sniff((tmp_path / "utan-namn").read_bytes()[:4096], "bilaga") == ODT
    assert sniff(tar.getvalue()[:4096], "bilaga") == TAR
    assert sniff(_mail()[:4096], "bilaga") == EML
    # A note that starts like a mail header but is not one stays text.
    assert sniff("From: Karin\nHej, här är anteckningarna.\n".encode(), "anteckning") == TEXT
    assert sniff(b"Subject: x\nDate: y\n\nNo sender.\n", "anteckning") == TEXT
