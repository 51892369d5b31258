"""Who may see and do what, on every route of the app, and what the public never sees.

The archive holds three public documents (a protokoll and its kallelse with ärenden, an
article) and three internal ones, each made internal another way: a protokoll with two
ärenden ingested with ``--access internal``, a tjänsteutlåtande with a sekretess
marking, and a note from a folder an ``access.toml`` rule names. Each internal document
has a word no public one has.

``test_every_route_has_a_rule`` walks ``app.url_map``: a route added without a rule here
fails it, so nobody adds a page without deciding who may use it.
"""

from __future__ import annotations

import io
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import CORPUS, HTTPS, csrf_token, form_login, post
from flask import Flask

from archive.accounts import Accounts
from archive.catalog import Catalog
from web import create_app

ROLES = ("anonymous", "staff", "admin", "token")
PASSWORDS = {"stina": "Stina-lösen-4711", "adam": "Adam-lösen-0815"}
#: A word only each internal document has (searched for), and one beside it in the same
#: sentences (never searched for: a snippet, title or export showing the document shows it).
SECRET_WORDS = ("zyxelbrandt", "qorvimal", "plumbrixa")
CANARIES = ("ormbunkslinjen", "tallbarrsgatan", "snöklockeviken")

INTERNAL_PROTOKOLL = """SUNDBYBERGS STAD
Socialnämnden

SAMMANTRÄDESPROTOKOLL

Sammanträdesdatum: 2024-05-14
Plats och tid: Stadshuset, kl. 18.00–19.00

§ 31
Personalärende Zyxelbrandt vid Ormbunkslinjen
Dnr SN 2024/991
Beslut
Socialnämnden beslutar att avsluta personalärendet Zyxelbrandt vid Ormbunkslinjen.

§ 32
Omplacering inom Zyxelbrandtenheten
Dnr SN 2024/992
Beslut
Socialnämnden godkänner omplaceringen inom Zyxelbrandtenheten vid Ormbunkslinjen.
"""
MARKED = """Sekretess enligt 26 kap. 1 § OSL
Socialförvaltningen
Tjänsteutlåtande
Dnr SN 2024/993

Utredning om familjen Qorvimal på Tallbarrsgatan

Förvaltningen har utrett familjen Qorvimal på Tallbarrsgatan och föreslår fortsatt bistånd.
"""
#: The public agenda of the internal protokoll's meeting: its items point at §§ the
#: public must not even learn the address of.
PUBLIC_KALLELSE = """SUNDBYBERGS STAD
Socialnämnden

KALLELSE

Sammanträde med socialnämnden
Datum: tisdagen den 14 maj 2024
Tid: kl. 18.00
Plats: Stadshuset

FÖREDRAGNINGSLISTA

1. Personalärende
Dnr SN 2024/991

2. Omplacering inom enheten
Dnr SN 2024/992
"""
IN_PERSONAL_FOLDER = """Lönesamtal Plumbrixa Snöklockeviken 2024

Anteckningar från lönesamtalet med Plumbrixa i Snöklockeviken om lönen för 2024.
"""
PUBLIC_FILES = (
    "lerum-byggnadsnamnden-protokoll-2024-04-18.txt",
    "lerum-byggnadsnamnden-kallelse-2024-04-18.txt",
    "sollentuna-artikel-internationalisera-mera.txt",
)


@dataclass
class Archive:
    home: Path
    public: dict[str, str]  # file name → id
    internal: dict[str, str]
    token: str
    source: Path = field(default_factory=Path)

    def arende_key(self, doc_id: str) -> str:
        with Catalog(self.home, readonly=True) as catalog:
            doc = catalog.get(doc_id, with_text=False)
            assert doc is not None and doc.metadata.get("arenden"), doc_id
            return str(doc.metadata["arenden"][0]["number"]).replace("/", "-")


def build_archive(root: Path) -> Archive:
    from indexer.pipeline import index_paths

    source = root / "in"
    (source / "personal").mkdir(parents=True)
    (source / "diariet").mkdir()
    (source / "diariet" / "protokoll-sn-2024-05-14.txt").write_text(INTERNAL_PROTOKOLL, "utf-8")
    (source / "diariet" / "utredning.txt").write_text(MARKED, "utf-8")
    (source / "diariet" / "kallelse-sn-2024-05-14.txt").write_text(PUBLIC_KALLELSE, "utf-8")
    (source / "personal" / "lonesamtal.txt").write_text(IN_PERSONAL_FOLDER, "utf-8")
    (source / "access.toml").write_text(
        '[[internal]]\nfolder = "personal"\nreason = "Personalärenden"\n', "utf-8")
    home = root / "arkiv"
    runs = [
        ([CORPUS / name for name in PUBLIC_FILES], CORPUS, "public"),
        ([source / "personal", source / "diariet" / "utredning.txt",
          source / "diariet" / "kallelse-sn-2024-05-14.txt"], source, "public"),
        ([source / "diariet" / "protokoll-sn-2024-05-14.txt"], None, "internal"),
    ]
    for paths, registry, access in runs:
        report = index_paths(home, paths, registry_dir=registry, access=access)
        assert not report.failures, report.failures
    with Catalog(home) as catalog:
        accounts = Accounts(catalog.db)
        accounts.add_user("stina", "staff", PASSWORDS["stina"])
        accounts.add_user("adam", "admin", PASSWORDS["adam"])
        token = accounts.add_token("skript", "staff")
        docs = list(catalog.iter_documents(with_text=False))
    public = {d.filename: d.id for d in docs if d.access == "public"}
    internal = {d.filename: d.id for d in docs if d.access == "internal"}
    assert set(public) == {*PUBLIC_FILES, "kallelse-sn-2024-05-14.txt"} and len(internal) == 3
    return Archive(home, public, internal, token, source)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return build_archive(tmp_path_factory.mktemp("access"))


@pytest.fixture(scope="module")
def app(built: Archive) -> Flask:
    return create_app({"ARKIV_HOME": str(built.home)})


class Visitor:
    """One role's way into the app: a session (logged in or not) or an API token."""

    def __init__(self, app: Flask, role: str, token: str) -> None:
        self.role = role
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"} if role == "token" else {}
        if role in ("staff", "admin"):
            name = "stina" if role == "staff" else "adam"
            assert form_login(self.client, name, PASSWORDS[name]).status_code == 302

    def get(self, url: str):  # noqa: ANN201
        return self.client.get(url, base_url=HTTPS, headers=self.headers)

    def post(self, url: str, data: dict[str, str], *, with_csrf: bool = True):  # noqa: ANN201
        if self.role == "token":  # a script: no session, no CSRF token
            return self.client.post(url, base_url=HTTPS, headers=self.headers, data=data)
        if with_csrf:
            form_page = "/login" if self.role == "anonymous" else "/"
            data = {**data, "csrf_token": csrf_token(self.client, form_page)}
        return post(self.client, url, data=data)


@pytest.fixture(scope="module")
def visitors(app: Flask, built: Archive) -> dict[str, Visitor]:
    return {role: Visitor(app, role, built.token) for role in ROLES}


# -- the rules: what each role gets from each route ----------------------------------------

EVERYONE = dict.fromkeys(ROLES, 200)
#: An internal document's URLs: they do not exist for the public.
INTERNAL_ONLY = {"anonymous": 404, "staff": 200, "admin": 200, "token": 200}


@dataclass
class Case:
    method: str
    url: str
    expected: dict[str, int]
    data: dict[str, str] = field(default_factory=dict)


Rule = Callable[[Archive], list[Case]]


def page(*urls: str) -> Rule:
    """A page or API answer everyone may read (what it shows is filtered, not refused)."""
    return lambda built: [Case("GET", url, EVERYONE) for url in urls]


def document_route(suffix: str = "", *, arende: bool = False, api: bool = False) -> Rule:
    """A document's route: public documents for everyone, internal ones for staff only."""
    def cases(built: Archive) -> list[Case]:
        protokoll = built.public[PUBLIC_FILES[0]]
        secret = built.internal["protokoll-sn-2024-05-14.txt"]
        found = []
        for doc_id, expected in ((protokoll, EVERYONE), (secret, INTERNAL_ONLY)):
            tail = f"/arenden/{built.arende_key(doc_id)}" if arende else suffix
            prefix = "/api/documents/" if api else "/documents/"
            found.append(Case("GET", f"{prefix}{doc_id}{tail}", expected))
        for doc_id in built.internal.values():  # every internal document, however made so
            if not arende:
                prefix = "/api/documents/" if api else "/documents/"
                found.append(Case("GET", f"{prefix}{doc_id}{suffix}", INTERNAL_ONLY))
        return found
    return cases


def staff_form(path: Callable[[Archive], str], data: dict[str, str]) -> Rule:
    """A form only staff (and admins, and staff tokens) may send: the public is refused."""
    expected = {"anonymous": 401, "staff": 302, "admin": 302, "token": 302}
    return lambda built: [Case("POST", path(built), expected, data)]


def admin_form(path: str) -> Rule:
    """A form only admins may send: the public must log in, staff and staff tokens are refused."""
    expected = {"anonymous": 401, "staff": 403, "admin": 302, "token": 403}
    return lambda built: [Case("POST", path, expected)]


#: A staff page: the public is sent to log in.
STAFF_PAGE = {"anonymous": 302, "staff": 200, "admin": 200, "token": 200}
#: Something staff may ask for that is not there (a job, a saved search, a registry).
STAFF_MISSING = {"anonymous": 302, "staff": 404, "admin": 404, "token": 404}


def staff_page(*urls: str) -> Rule:
    return lambda built: [Case("GET", url, STAFF_PAGE) for url in urls]


def staff_post(path: str | Callable[[Archive], str], data: dict[str, str], answer: int) -> Rule:
    """A staff form (the public is refused) and what staff, admins and tokens get."""
    expected = {"anonymous": 401, "staff": answer, "admin": answer, "token": answer}
    return lambda built: [Case("POST", path(built) if callable(path) else path, expected, data)]


def internal_document(suffix: str) -> Callable[[Archive], str]:
    return lambda built: f"/documents/{built.internal['utredning.txt']}{suffix}"


def secret_feed(built: Archive) -> list[Case]:
    """A feed behind its private token, of a saved search for an internal document's word:
    anyone with the address gets the feed, which holds public documents only."""
    from archive import alerts

    with Catalog(built.home) as catalog:
        _saved, token = alerts.save(catalog, "stina", "Hemligt", f"q={SECRET_WORDS[0]}")
    return [Case("GET", f"/bevakningar/flode/{token}.atom", EVERYONE),
            Case("GET", "/bevakningar/flode/okand.atom", dict.fromkeys(ROLES, 404))]


RULES: dict[str, Rule] = {
    "search.search": page("/", "/search?q=bygglov"),
    "search.help_page": page("/hjalp", "/help"),
    "export.csv_export": page("/search.csv?q=bygglov"),
    "export.xlsx_export": page("/search.xlsx?q=bygglov"),
    "export.json_export": page("/search.json?q=bygglov"),
    "export.atom_export": page("/search.atom?q=bygglov"),
    "documents.document": document_route(),
    "documents.original": document_route("/original"),
    "documents.arende": document_route(arende=True),
    "browse.index": page("/browse"),
    "browse.projects_page": page("/browse/projects"),
    "browse.places_page": page("/browse/places"),
    "browse.topics_page": page("/browse/topics"),
    "browse.timeline_page": page("/browse/timeline"),
    "about.about": page("/om", "/about"),
    "api.search": page("/api/search?q=bygglov"),
    "api.document": document_route(api=True),
    "api.arende": document_route(arende=True, api=True),
    "api.browse_projects": page("/api/browse/projects"),
    "api.browse_places": page("/api/browse/places"),
    "api.browse_topics": page("/api/browse/topics"),
    "api.browse_timeline": page("/api/browse/timeline"),
    "api.archive_status": page("/api/status"),
    "api.openapi": page("/api/openapi.json"),
    "static": page("/static/arkiv.css", "/static/arkiv.js"),
    # The same redirect to the static icon for everyone (browsers' PDF viewer asks for it).
    "favicon": lambda built: [Case("GET", "/favicon.ico", {
        "anonymous": 301, "staff": 301, "admin": 301, "token": 301})],
    # Signed in, the login page sends you on; a token is signed in too.
    "auth.login": lambda built: [Case("GET", "/login", {
        "anonymous": 200, "staff": 302, "admin": 302, "token": 302})],
    # Anyone may log out (the public has nothing to end); see test_logout_*.
    "auth.logout": lambda built: [],
    "staff.change_access": staff_form(
        lambda built: f"/documents/{built.internal['utredning.txt']}/access",
        {"access": "internal", "reason": "Sekretess enligt 26 kap. 1 § OSL"},
    ),
    "admin.start_job": admin_form("/admin/jobs/check"),
    "admin.jobs": staff_page("/admin/jobb", "/admin/jobs"),
    "admin.job": lambda built: [Case("GET", "/admin/jobb/99999", STAFF_MISSING)],
    "upload.form": staff_page("/uppladdning", "/upload"),
    "upload.upload": staff_post("/uppladdning", {}, 400),  # no files: "Välj minst en fil."
    "upload.result": lambda built: [Case("GET", "/uppladdning/99999", STAFF_MISSING)],
    "corrections.correct": staff_post(internal_document("/rattelser"), {}, 303),
    "corrections.revert": staff_post(internal_document("/rattelser/title/aterstall"), {}, 303),
    "corrections.decide": staff_post(internal_document("/projektkandidater"),
                                     {"name": "Inget sådant", "decision": "rejected"}, 404),
    "alerts.alerts_page": staff_page("/bevakningar", "/alerts"),
    "alerts.save_search": staff_post("/bevakningar", {"name": "Bygglov", "query": "q=bygglov"},
                                     303),
    "alerts.remove": staff_post("/bevakningar/99999/ta-bort", {}, 404),
    "alerts.renew": staff_post("/bevakningar/99999/ny-lank", {}, 404),
    "alerts.email_address": staff_post("/bevakningar/epost", {"email": ""}, 303),
    "alerts.feed": secret_feed,
    "registry.registry_page": staff_page("/register"),
    "registry.save": staff_post("/register/projects", {"name": "X"}, 404),  # no registry folder
}


def test_every_route_has_a_rule(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(RULES))
    assert not missing, f"routes without an access rule in {__name__}.RULES: {missing}"
    assert not set(RULES) - endpoints


def test_every_route_the_public_may_not_use_says_so_with_requires(app: Flask, built: Archive) -> None:
    """Refusals come from @requires on the view, not from checks inside it."""
    for endpoint, rule in RULES.items():
        guarded = [case for case in rule(built) if case.expected["anonymous"] in (401, 302, 403)
                   and endpoint != "auth.login"]
        if guarded:
            minimum = "admin" if guarded[0].expected["staff"] == 403 else "staff"
            view = app.view_functions[endpoint]
            assert getattr(view, "required_role", None) == minimum, endpoint


def test_each_role_gets_what_its_rule_says_on_every_route(
    built: Archive, visitors: dict[str, Visitor]
) -> None:
    checked = 0
    for endpoint, rule in RULES.items():
        for case in rule(built):
            for role, visitor in visitors.items():
                if case.method == "GET":
                    response = visitor.get(case.url)
                else:
                    response = visitor.post(case.url, case.data)
                expected = case.expected[role]
                assert response.status_code == expected, (endpoint, case.url, role)
                body = readable_body(response)
                assert "Traceback" not in body, (endpoint, case.url, role)
                if expected == 302 and role == "anonymous":
                    assert response.headers["Location"].startswith("/login"), case.url
                checked += 1
    assert checked > 150


def test_a_staff_only_page_sends_the_public_to_log_in(built: Archive, visitors: dict[str, Visitor]) -> None:
    doc_id = built.internal["utredning.txt"]
    refused = visitors["anonymous"].post(f"/documents/{doc_id}/access",
                                         {"access": "public", "reason": "x"})
    assert refused.status_code == 401 and "Logga in" in refused.get_data(as_text=True)


def test_every_form_post_without_its_csrf_token_is_refused(
    built: Archive, visitors: dict[str, Visitor]
) -> None:
    forms = [case for rule in RULES.values() for case in rule(built) if case.method == "POST"]
    forms.append(Case("POST", "/login", {}, {"name": "stina", "password": PASSWORDS["stina"]}))
    forms.append(Case("POST", "/logout", {}))
    for case in forms:
        for role in ("anonymous", "staff", "admin"):
            response = visitors[role].post(case.url, case.data, with_csrf=False)
            assert response.status_code == 400, (case.url, role)
    with Catalog(built.home, readonly=True) as catalog:
        assert catalog.get(built.internal["utredning.txt"]).access == "internal"


def test_logout_ends_a_session_for_everyone_who_has_one(app: Flask, built: Archive) -> None:
    for role in ROLES:
        visitor = Visitor(app, role, built.token)
        response = visitor.post("/logout", {})
        assert response.status_code == 302, role
        if role != "token":
            assert 'action="/logout"' not in visitor.get("/").get_data(as_text=True)


# -- the public never sees an internal document ------------------------------------------


def anonymous_urls(built: Archive) -> list[str]:
    """Every GET route of the app, asked every way that could show an internal document."""
    words = [*SECRET_WORDS, "zyxelbrand", "qorvimall", "plumbrix*", "socialnämnden"]
    searches = []
    for word in words:
        q = quote(word)
        searches += [
            f"/search?q={q}", f"/search?q={q}&kind=arende", f"/search?q={q}&sort=newest",
            f"/search.csv?q={q}", f"/search.xlsx?q={q}", f"/search.json?q={q}",
            f"/search.atom?q={q}",
            f"/api/search?q={q}", f"/api/search?q={q}&kind=arende&page_size=100",
            f"/api/search?q={q}&fields=arenden,renderings,path,snippets,arende",
            f"/browse/timeline?q={q}", f"/api/browse/timeline?q={q}",
        ]
    browsing = [
        "/", "/search?sort=newest&page_size=100", "/search?committee=Socialn%C3%A4mnden",
        "/search?kind=arende", "/search?from=2024-05&to=2024-05", "/search?type=protokoll",
        "/search.csv", "/search.xlsx", "/search.json", "/search.atom",
        "/api/search?page_size=100", "/api/search?page_size=100&fields=arenden,renderings",
        "/api/search?kind=arende&page_size=100", "/browse", "/browse/projects",
        "/browse/places", "/browse/topics", "/browse/timeline", "/api/browse/projects",
        "/api/browse/places", "/api/browse/topics", "/api/browse/timeline", "/om", "/about",
        "/api/status", "/api/openapi.json", "/hjalp", "/login",
    ]
    pages = []
    for doc_id in built.public.values():
        pages += [f"/documents/{doc_id}", f"/api/documents/{doc_id}",
                  f"/documents/{doc_id}/original"]
    kallelse = built.public["kallelse-sn-2024-05-14.txt"]
    pages += [f"/documents/{kallelse}/arenden/1", f"/api/documents/{kallelse}/arenden/1"]
    return searches + browsing + pages + secret_feeds(built)


def secret_feeds(built: Archive) -> list[str]:
    """Private feeds (anyone with the address reads them) of saved searches for each
    internal document's word, saved before the archive was filled: all its documents are
    new to them."""
    from archive import alerts

    feeds = []
    with Catalog(built.home) as catalog:
        for number, word in enumerate(SECRET_WORDS):
            _saved, token = alerts.save(catalog, "stina", f"Bevakning {number}", f"q={word}")
            feeds.append(f"/bevakningar/flode/{token}.atom")
        catalog.db.execute("UPDATE saved_searches SET since_row = 0")
    return feeds


def readable_body(response) -> str:  # noqa: ANN001
    """A response's text; a workbook's cells (an .xlsx is a zip: its bytes hide words)."""
    if not response.mimetype.endswith("spreadsheetml.sheet"):
        return response.get_data(as_text=True)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.data), read_only=True)
    return "\n".join(str(value) for sheet in book.worksheets
                     for row in sheet.iter_rows(values_only=True) for value in row if value)


def test_an_internal_documents_words_appear_nowhere_for_the_public(
    app: Flask, built: Archive, visitors: dict[str, Visitor]
) -> None:
    public = visitors["anonymous"]
    internal_ids = set(built.internal.values())
    urls = anonymous_urls(built)
    # Every page, feed, export and API route is asked: a new one must be added here.
    routes = app.url_map.bind("arkiv.example")
    asked = {routes.match(url.split("?")[0])[0] for url in urls}
    # Routes that declare a role send the public to the login page (the route walk above
    # checks that); every other readable route is asked here.
    readable = {r.endpoint for r in app.url_map.iter_rules() if "GET" in (r.methods or ())
                and not hasattr(app.view_functions[r.endpoint], "required_role")}
    fixed = {"static", "favicon"}  # the same files for everyone, no archive content
    assert readable - fixed <= asked, sorted(readable - fixed - asked)
    for url in urls:
        response = public.get(url)
        assert response.status_code == 200, url
        body = readable_body(response).casefold()
        asked = url.casefold()  # a page repeats what was searched for: that is no leak
        for word in (*CANARIES, *(w for w in SECRET_WORDS if quote(w) not in asked)):
            assert word not in body, (word, url)
        for doc_id in internal_ids:
            assert doc_id not in body, (doc_id, url)
        assert str(built.source) not in body and str(CORPUS) not in body, url
    # … while staff find each of them (so the words are there to be found).
    for word in SECRET_WORDS:
        assert visitors["staff"].get(f"/api/search?q={word}").get_json()["total"] >= 1, word
        assert visitors["token"].get(f"/search.csv?q={word}").get_data(as_text=True).count(
            "/documents/") >= 1, word
        assert readable_body(visitors["token"].get(f"/search.xlsx?q={word}")).count(
            "/documents/") >= 1, word


def test_internal_documents_and_their_arenden_do_not_exist_for_the_public(
    built: Archive, visitors: dict[str, Visitor]
) -> None:
    secret = built.internal["protokoll-sn-2024-05-14.txt"]
    key = built.arende_key(secret)
    for url in (f"/documents/{secret}", f"/documents/{secret}/original",
                f"/documents/{secret}/arenden/{key}", f"/api/documents/{secret}",
                f"/api/documents/{secret}/arenden/{key}"):
        response = visitors["anonymous"].get(url)
        assert response.status_code == 404, url  # not 403: nothing says it exists
        assert visitors["anonymous"].get(url.replace(secret, "0123456789abcdef")).get_data() \
            .replace(b"0123456789abcdef", secret.encode()) == response.get_data(), url


def test_counts_and_facets_are_of_public_documents_for_the_public(
    built: Archive, visitors: dict[str, Visitor]
) -> None:
    anonymous = visitors["anonymous"].get("/api/search?page_size=100").get_json()
    staff = visitors["staff"].get("/api/search?page_size=100").get_json()
    assert anonymous["total"] == len(built.public)
    assert staff["total"] == len(built.public) + len(built.internal)
    def committees(answer: dict) -> dict[str, int]:
        return {f["value"]: f["count"] for f in answer["facets"].get("committee", [])}

    # Socialnämnden: the public agenda; staff also count the internal minutes.
    assert committees(anonymous)["Socialnämnden"] == 1
    assert committees(staff)["Socialnämnden"] == 2
    assert visitors["anonymous"].get("/api/status").get_json()["documents"] == len(built.public)
    assert visitors["staff"].get("/api/status").get_json()["documents"] == 7
    def may_2024(visitor: Visitor) -> int:
        years = visitor.get("/api/browse/timeline").get_json()["years"]
        return sum(m["count"] for y in years for m in y["months"] if m["month"] == "2024-05")

    # The meeting of 2024-05-14: its agenda is public, its minutes internal.
    assert (may_2024(visitors["anonymous"]), may_2024(visitors["staff"])) == (1, 2)


def test_the_public_sees_file_names_and_staff_see_source_paths(
    built: Archive, visitors: dict[str, Visitor]
) -> None:
    for hit in visitors["anonymous"].get("/api/search?page_size=100").get_json()["hits"]:
        assert "/" not in hit["path"] and hit["path"] in built.public
    doc_id = built.public[PUBLIC_FILES[2]]
    assert visitors["anonymous"].get(f"/api/documents/{doc_id}").get_json()["path"] == PUBLIC_FILES[2]
    assert visitors["staff"].get(f"/api/documents/{doc_id}").get_json()["path"] == str(
        CORPUS / PUBLIC_FILES[2])
    about = visitors["anonymous"].get("/om").get_data(as_text=True)
    assert str(CORPUS) not in about and "arkiv index" in about
    staff_page = visitors["staff"].get(f"/documents/{built.internal['utredning.txt']}")
    html = staff_page.get_data(as_text=True)
    assert "Sekretess enligt 26 kap. 1 § OSL" in html and str(built.source) in html
    assert 'data-access="internal"' in html


def test_staff_change_access_with_a_reason_and_the_public_follows(tmp_path: Path, built: Archive) -> None:
    home = Path(shutil.copytree(built.home, tmp_path / "arkiv"))
    app = create_app({"ARKIV_HOME": str(home)})
    staff, public = Visitor(app, "staff", built.token), Visitor(app, "anonymous", built.token)
    article = built.public[PUBLIC_FILES[2]]
    word = "internationalisera"
    assert public.get(f"/api/search?q={word}").get_json()["total"] >= 1
    assert staff.post(f"/documents/{article}/access", {"access": "internal", "reason": ""}
                      ).status_code == 400
    made = staff.post(f"/documents/{article}/access",
                      {"access": "internal", "reason": "Utkast, inte färdigt"})
    assert made.status_code == 302
    assert public.get(f"/documents/{article}").status_code == 404
    assert public.get(f"/api/search?q={word}").get_json()["total"] == 0
    page = staff.get(f"/documents/{article}").get_data(as_text=True)
    assert "Utkast, inte färdigt" in page and "stina" in page
    with Catalog(home, readonly=True) as catalog:
        rows = [tuple(r) for r in catalog.db.execute(
            "SELECT before, after, changed_by FROM access_changes")]
    assert rows == [("public", "internal", "stina")]
    # Staff can also make a marked document public; a reindex keeps their decision.
    marked = built.internal["utredning.txt"]
    staff.post(f"/documents/{marked}/access", {"access": "public", "reason": "Sekretessen upphävd"})
    from indexer.pipeline import reindex

    reindex(home, reextract=True)
    assert public.get(f"/documents/{marked}").status_code == 200
    assert public.get(f"/documents/{article}").status_code == 404


def test_a_running_jobs_paths_are_not_shown_to_the_public(tmp_path: Path, built: Archive) -> None:
    from archive.jobs import write_job

    home = Path(shutil.copytree(built.home, tmp_path / "arkiv"))
    write_job(home, f"arkiv index {built.source}/personal", {"done": 1, "total": 4},
              started_at="2026-12-07T00:00:00+00:00")
    app = create_app({"ARKIV_HOME": str(home)})
    for role, shows in (("anonymous", False), ("staff", True)):
        visitor = Visitor(app, role, built.token)
        status = visitor.get("/api/status").get_json()
        assert (str(built.source) in str(status)) is shows, role
        assert re.search(r"arkiv index", visitor.get("/om").get_data(as_text=True))


def test_admins_start_a_check_from_the_status_page_and_see_jobs_failures_and_users(
    tmp_path: Path, built: Archive
) -> None:
    home = Path(shutil.copytree(built.home, tmp_path / "arkiv"))
    app = create_app({"ARKIV_HOME": str(home)})
    admin, staff = Visitor(app, "admin", built.token), Visitor(app, "staff", built.token)
    assert 'id="admin"' not in staff.get("/om").get_data(as_text=True)
    assert admin.post("/admin/jobs/check", {}).status_code == 302
    assert admin.post("/admin/jobs/format-disk", {}).status_code == 404
    for _ in range(600):  # the check of six documents takes about a second
        page = admin.get("/om").get_data(as_text=True)
        if 'data-task="done"' in page:
            break
        time.sleep(0.05)
    assert 'data-task="done"' in page and "Arkivet är helt" in page
    assert "stina" in page and "adam" in page and "skript" in page  # users and tokens


def test_a_public_agenda_does_not_link_to_the_internal_minutes_that_decided_it(
    built: Archive, visitors: dict[str, Visitor]
) -> None:
    kallelse = built.public["kallelse-sn-2024-05-14.txt"]
    secret = built.internal["protokoll-sn-2024-05-14.txt"]
    staff_view = visitors["staff"].get(f"/api/documents/{kallelse}").get_data(as_text=True)
    assert secret in staff_view  # staff follow the item to the § that decided it
    for url in (f"/api/documents/{kallelse}", f"/documents/{kallelse}",
                f"/documents/{kallelse}/arenden/1", f"/api/documents/{kallelse}/arenden/1",
                "/api/search?q=personal%C3%A4rende&kind=arende", "/search.json?q=omplacering"):
        response = visitors["anonymous"].get(url)
        assert response.status_code == 200, url
        assert secret not in response.get_data(as_text=True), url
