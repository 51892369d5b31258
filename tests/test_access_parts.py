"""Containers and access: a mail or an archive names its members in its text ("Bilagor:
…", an archive's list of files), so one that holds an internal document is internal
itself, and the public never sees an internal member's name on any page.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from archive import access
from archive.catalog import Catalog
from indexer.pipeline import index_paths
from web import create_app

PUBLIC_TEXT = "Missiv om lekplatsen i Floda. Kommunstyrelsen tog emot skrivelsen om gungorna."
SECRET_NAME = "personakt-hemligstamplad.txt"
SECRET_TEXT = (
    "Sekretess enligt 26 kap. 1 § OSL\n\n"
    "Utredning om enskild. Kanelsnäckan är ett ord som bara står här.\n"
)
LATER_NAME = "arbetsmaterial-budget.txt"
LATER_TEXT = "Arbetsmaterial om budgeten för fritidsgårdarna i Lerum, ett första utkast."


def _zip(path: Path, members: dict[str, str]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, text in members.items():
            zipped.writestr(name, text)
    path.write_bytes(buffer.getvalue())


def _archive(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Two zips: one with a member under sekretess, one with only public members."""
    folder = tmp_path / "in"
    folder.mkdir()
    _zip(folder / "bilagor-ks-2024-12.zip",
         {"bilagor/missiv.txt": PUBLIC_TEXT, f"bilagor/{SECRET_NAME}": SECRET_TEXT})
    _zip(folder / "bilagor-ks-2024-13.zip",
         {"bilagor/missiv-2.txt": PUBLIC_TEXT.replace("Floda", "Gråbo"),
          f"bilagor/{LATER_NAME}": LATER_TEXT})
    home = tmp_path / "home"
    report = index_paths(home, [folder], workers=1)
    assert not report.failures, report.failures
    ids = {}
    with Catalog(home) as catalog:
        for zip_name in ("bilagor-ks-2024-12.zip", "bilagor-ks-2024-13.zip"):
            container = catalog.get_by_path(str(folder / zip_name))
            ids[zip_name] = container.id
            for name, doc_id, _problem in catalog.parts_of(container.id):
                ids[name.rsplit("/", 1)[-1]] = doc_id
    return home, ids


def test_an_archive_holding_a_document_under_sekretess_is_internal(tmp_path: Path) -> None:
    home, ids = _archive(tmp_path)
    public = create_app({"ARKIV_HOME": str(home), "TESTING": True}).test_client()
    with Catalog(home) as catalog:
        container = catalog.get(ids["bilagor-ks-2024-12.zip"], with_text=False)
        assert container.access == "internal"
        assert SECRET_NAME in (container.access_reason or "")
    for doc_id in (ids["bilagor-ks-2024-12.zip"], ids[SECRET_NAME]):
        assert public.get(f"/documents/{doc_id}").status_code == 404
    assert public.get("/api/search?q=hemligstamplad").get_json()["total"] == 0
    # The public member is still public and found.
    assert public.get(f"/documents/{ids['missiv.txt']}").status_code == 200
    assert public.get("/api/search?q=gungorna").get_json()["total"] >= 1


def test_a_member_staff_make_internal_takes_its_archive_along(tmp_path: Path) -> None:
    home, ids = _archive(tmp_path)
    container = ids["bilagor-ks-2024-13.zip"]
    public = create_app({"ARKIV_HOME": str(home), "TESTING": True}).test_client()
    assert LATER_NAME in public.get(f"/documents/{container}").get_data(as_text=True)
    with Catalog(home) as catalog:
        access.change(catalog, ids[LATER_NAME], "internal", "arbetsmaterial", by="stina")
        assert catalog.get(container, with_text=False).access == "internal"
    public = create_app({"ARKIV_HOME": str(home), "TESTING": True}).test_client()
    assert public.get(f"/documents/{container}").status_code == 404
    assert public.get(f"/documents/{ids['missiv-2.txt']}").status_code == 200
