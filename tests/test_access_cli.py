"""Access classes from the command line: ``arkiv index --access``, access.toml, renderings.

Each archive is built by the real pipeline; what the public would see is asked of the
real app.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_auth import arkiv

from web import create_app

REPORT = (
    "Rapport om vinterns snöröjning i Lerums kommun\n\n"
    + " ".join(
        f"Avsnitt {n}: tekniska nämnden följde upp snöröjningen på gator, cykelbanor och "
        "gångvägar under vintern och redovisar kostnader, klagomål och åtgärder."
        for n in range(1, 8)
    )
    + "\n"
)


def public_total(home: Path, word: str) -> int:
    client = create_app({"ARKIV_HOME": str(home)}).test_client()
    return int(client.get(f"/api/search?q={word}").get_json()["total"])


def shown(home: Path, path: Path) -> dict:
    result = arkiv(home, "show", "--json", str(path))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_index_access_internal_and_the_public_default(tmp_path: Path) -> None:
    home, folder = tmp_path / "arkiv", tmp_path / "in"
    folder.mkdir()
    (folder / "utkast.txt").write_text("Utkast om Vattenmöllegatan\n\nArbetsmaterial.\n", "utf-8")
    (folder / "beslut.txt").write_text("Beslut om Vattenmöllegatan\n\nBeslutat.\n", "utf-8")
    assert arkiv(home, "index", "--progress", "none", str(folder / "beslut.txt")).returncode == 0
    done = arkiv(home, "index", "--access", "internal", "--progress", "none", str(folder / "utkast.txt"))
    assert done.returncode == 0, done.stderr
    draft, decision = shown(home, folder / "utkast.txt"), shown(home, folder / "beslut.txt")
    assert (draft["access"], draft["access_reason"]) == ("internal", "arkiv index --access internal")
    assert decision["access"] == "public" and decision["access_reason"] is None
    assert public_total(home, "vattenmöllegatan") == 1
    # The command line is staff's: it finds both, with full paths.
    found = json.loads(arkiv(home, "search", "--json", "vattenmöllegatan").stdout)
    assert found["total"] == 2 and all(h["path"].startswith(str(folder)) for h in found["hits"])
    # Ingesting an archived, unchanged file again as internal makes it internal.
    again = arkiv(home, "index", "--access", "internal", "--progress", "none", str(folder))
    assert "0 new" in again.stderr
    assert shown(home, folder / "beslut.txt")["access"] == "internal"
    assert public_total(home, "vattenmöllegatan") == 0
    bad = arkiv(home, "index", "--access", "secret", str(folder))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_folder_rules_in_access_toml(tmp_path: Path) -> None:
    home, registry, folder = tmp_path / "arkiv", tmp_path / "registry", tmp_path / "diariet"
    (folder / "personal" / "2024").mkdir(parents=True)
    (folder / "kultur").mkdir()
    registry.mkdir()
    (registry / "access.toml").write_text(
        '[[internal]]\nfolder = "personal"\nreason = "Personalärenden"\n', "utf-8")
    (folder / "personal" / "2024" / "a.txt").write_text("Rehabilitering Kvistfjäril\n\nx\n", "utf-8")
    (folder / "kultur" / "b.txt").write_text("Bidrag till Kvistfjäril-festivalen\n\nx\n", "utf-8")
    result = arkiv(home, "index", "--registry", str(registry), "--progress", "none", str(folder))
    assert result.returncode == 0, result.stderr
    rule = shown(home, folder / "personal" / "2024" / "a.txt")
    assert (rule["access"], rule["access_reason"]) == ("internal", "access.toml: Personalärenden")
    assert shown(home, folder / "kultur" / "b.txt")["access"] == "public"
    assert public_total(home, "kvistfjäril") == 1

    (registry / "access.toml").write_text("[[internal]]\nreason = 'no folder'\n", "utf-8")
    bad = arkiv(home, "index", "--registry", str(registry), str(folder))
    assert bad.returncode == 1 and "access.toml: rule 1 needs a folder" in bad.stderr
    (registry / "access.toml").write_text("[[internal]\n", "utf-8")
    broken = arkiv(home, "index", "--registry", str(registry), str(folder))
    assert broken.returncode == 1 and len(broken.stderr.strip().splitlines()) == 1
    assert "cannot read" in broken.stderr and "Traceback" not in broken.stderr


def test_a_marked_document_is_internal_and_stays_so_through_reextraction(tmp_path: Path) -> None:
    home, folder = tmp_path / "arkiv", tmp_path / "in"
    folder.mkdir()
    (folder / "utredning.txt").write_text(
        "Sekretess enligt 26 kap. 1 § OSL\nSocialförvaltningen\n\nUtredning om Lindblomsgården.\n",
        "utf-8")
    (folder / "info.txt").write_text(
        "Information om sekretess\n\nUppgifter om Lindblomsgården omfattas av sekretess enligt "
        "26 kap. 1 § OSL och lämnas inte ut.\n", "utf-8")
    assert arkiv(home, "index", "--progress", "none", str(folder)).returncode == 0
    marked, discussing = shown(home, folder / "utredning.txt"), shown(home, folder / "info.txt")
    assert (marked["access"], marked["access_reason"]) == (
        "internal", "Sekretess enligt 26 kap. 1 § OSL")
    assert discussing["access"] == "public"
    assert "Sekretess" not in marked["title"]  # a marking is never a title
    assert arkiv(home, "reindex", "--reextract", "--progress", "none").returncode == 0
    assert shown(home, folder / "utredning.txt")["access"] == "internal"
    assert public_total(home, "lindblomsgården") == 1


def test_a_rendering_of_an_internal_document_is_internal_too(tmp_path: Path) -> None:
    home, folder = tmp_path / "arkiv", tmp_path / "in"
    folder.mkdir()
    (folder / "rapport.txt").write_text(REPORT, "utf-8")
    (folder / "rapport-kopia.txt").write_text(REPORT.replace("Avsnitt 7", "Del 7"), "utf-8")
    assert arkiv(home, "index", "--access", "internal", "--progress", "none",
                 str(folder / "rapport.txt")).returncode == 0
    assert arkiv(home, "index", "--progress", "none", str(folder / "rapport-kopia.txt")).returncode == 0
    copy = shown(home, folder / "rapport-kopia.txt")
    assert copy["duplicate_of"] is not None or copy["renderings"], "not grouped: test is void"
    assert copy["access"] == "internal"
    assert public_total(home, "snöröjningen") == 0


def test_a_public_earlier_version_does_not_point_at_its_internal_successor(tmp_path: Path) -> None:
    home, folder = tmp_path / "arkiv", tmp_path / "in"
    folder.mkdir()
    paper = folder / "plan.txt"
    paper.write_text("Plan för Granhammarsparken\n\nFörsta utkastet.\n", "utf-8")
    assert arkiv(home, "index", "--progress", "none", str(folder)).returncode == 0
    old = shown(home, paper)["id"]
    paper.write_text("Plan för Granhammarsparken\n\nAndra utkastet, med personuppgifter.\n", "utf-8")
    assert arkiv(home, "index", "--access", "internal", "--progress", "none", str(folder)).returncode == 0
    new = shown(home, paper)["id"]
    assert new != old
    client = create_app({"ARKIV_HOME": str(home)}).test_client()
    for url in (f"/documents/{old}", f"/api/documents/{old}"):
        response = client.get(url)
        assert response.status_code == 200 and new not in response.get_data(as_text=True), url


def test_a_marking_in_a_pdfs_running_header_makes_it_internal(tmp_path: Path) -> None:
    """A real PDF whose every page carries the marking in its running header (the cleaner
    keeps such a header once, at the top of the text)."""
    from pdfgen import make_pdf

    home, folder = tmp_path / "arkiv", tmp_path / "in"
    folder.mkdir()
    body = ["Utredning om stödet till familjen Ekbackens barn.", "Förvaltningen föreslår bistånd."]
    make_pdf(folder / "utredning.pdf", [body, body, body], title="Utredning",
             header="Sekretess enligt 26 kap. 1 § OSL")
    assert arkiv(home, "index", "--progress", "none", str(folder)).returncode == 0
    document = shown(home, folder / "utredning.pdf")
    assert document["text"].count("Sekretess enligt") == 1
    assert (document["access"], document["access_reason"]) == (
        "internal", "Sekretess enligt 26 kap. 1 § OSL")
