"""Bevakningar in the app: save the search you see, find what arrived since on your page
and in the saved search's private feed (its token is the only key; a new one revokes it;
it holds public documents only, as a feed address can travel)."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

from conftest import CORPUS, HTTPS, csrf_token, post
from test_auth import PASSWORDS, log_in

from archive.accounts import Accounts
from archive.catalog import Catalog
from indexer.pipeline import index_paths
from web import create_app

ATOM = "{http://www.w3.org/2005/Atom}"


def test_save_a_search_and_follow_its_new_matches_in_a_private_feed(
    home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "gammal.txt").write_text("Äldre beslut om skolskjuts\n\nSkolskjuts ordnas.\n",
                                       encoding="utf-8")
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    with Catalog(home) as catalog:
        Accounts(catalog.db).add_user("stina", "staff", PASSWORDS["stina"])
    app = create_app({"ARKIV_HOME": str(home)})
    client = app.test_client()
    log_in(client, "stina")

    search = client.get("/search?q=skolskjuts", base_url=HTTPS).get_data(as_text=True)
    assert "Bevaka sökningen som" in search
    assert "Bevaka sökningen som" not in app.test_client().get("/search?q=skolskjuts").get_data(
        as_text=True)
    response = post(client, "/bevakningar", data={
        "name": "Skolskjuts", "query": "q=skolskjuts&page=2",
        "csrf_token": csrf_token(client, "/search?q=skolskjuts")})
    assert response.status_code == 303
    page = client.get("/bevakningar", base_url=HTTPS).get_data(as_text=True)
    assert "Skolskjuts" in page and "0 nya dokument" in page
    feed_url = re.search(r'data-feed-url>([^<]+)<', page).group(1)
    assert "/bevakningar/flode/" in feed_url
    # the address is shown once
    assert "data-feed-url" not in client.get("/bevakningar", base_url=HTTPS).get_data(as_text=True)

    (folder / "ny.txt").write_text("Nytt beslut om skolskjuts\n\nSkolskjuts till Ekbacken.\n",
                                   encoding="utf-8")
    (folder / "annat.txt").write_text("Beslut om parkering\n\nParkering vid torget.\n",
                                      encoding="utf-8")
    index_paths(home, [folder], registry_dir=CORPUS, workers=1)
    secret = tmp_path / "intern"
    secret.mkdir()
    (secret / "elev.txt").write_text("Skolskjuts för en enskild elev\n\nSkolskjuts med taxi "
                                     "beviljas eleven.\n", encoding="utf-8")
    index_paths(home, [secret], registry_dir=CORPUS, workers=1, access="internal")

    page = client.get("/bevakningar", base_url=HTTPS).get_data(as_text=True)
    assert "2 nya dokument" in page and "Nytt beslut om skolskjuts" in page
    assert "Skolskjuts för en enskild elev" in page  # staff see internal documents
    assert "Äldre beslut" not in page and "parkering" not in page

    path = feed_url.split("://", 1)[1].split("/", 1)[1]
    anonymous = app.test_client()
    response = anonymous.get("/" + path)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    titles = [e.findtext(f"{ATOM}title") for e in ET.fromstring(response.data).iter(f"{ATOM}entry")]
    assert titles == ["Nytt beslut om skolskjuts"]  # the feed has public documents only

    saved_id = re.search(r'data-saved-search="(\d+)"', page).group(1)
    post(client, f"/bevakningar/{saved_id}/ny-lank",
         data={"csrf_token": csrf_token(client, "/bevakningar")})
    assert anonymous.get("/" + path).status_code == 404  # the old address is revoked
    renewed = re.search(r'data-feed-url>([^<]+)<',
                        client.get("/bevakningar", base_url=HTTPS).get_data(as_text=True)).group(1)
    assert anonymous.get("/" + renewed.split("://", 1)[1].split("/", 1)[1]).status_code == 200

    post(client, "/bevakningar/epost", data={
        "email": "inte en adress", "csrf_token": csrf_token(client, "/bevakningar")})
    assert "inte en adress är ingen e-postadress" in client.get("/bevakningar", base_url=HTTPS).get_data(
        as_text=True)
    post(client, "/bevakningar/epost", data={
        "email": "stina@kommun.test", "csrf_token": csrf_token(client, "/bevakningar")})
    assert 'value="stina@kommun.test"' in client.get("/bevakningar", base_url=HTTPS).get_data(
        as_text=True)
