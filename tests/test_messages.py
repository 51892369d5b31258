"""What archive/ says comes as message ids; the web says it in the visitor's language
(issue 15): the English pages carry no Swedish message, the Swedish ones no English."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from conftest import ROOT

from archive.catalog import Catalog
from archive.engine import ENGLISH_STOP_WORDS, SWEDISH_STOP_WORDS
from archive.messages import ENGLISH, Message
from web import create_app
from web.messages import SWEDISH, say

TRANSLATED: dict[str, str] = json.loads(
    (ROOT / "web" / "translations" / "en.json").read_text(encoding="utf-8"))


def _words(texts) -> set[str]:
    return {w for text in texts for w in re.findall(r"[^\W\d_]+", text.casefold())}


#: Words only Swedish has: common ones, and those of the Swedish message words that no
#: English message uses (a text in English has none of them).
SWEDISH_ONLY = (
    {w for w in SWEDISH_STOP_WORDS if w not in ENGLISH_STOP_WORDS and len(w) > 1}
    | (_words(SWEDISH.values()) - _words(ENGLISH.values()) - _words(TRANSLATED.values())
       - {"arkiv", "reindex"})
)


def _swedish_in(text: str, own: str = "") -> list[str]:
    """Signs of Swedish in ``text`` (the person's own value ``own`` left out)."""
    text = text.replace(own, " ") if own else text
    words = re.findall(r"\w+", text.casefold())
    return [w for w in words if w in SWEDISH_ONLY or re.search("[åäö]", w)]


def _notice(html: str) -> str:
    found = re.search(r'<p class="notice" role="status">(.*?)</p>', html, re.S)
    assert found is not None, "no notice"
    return " ".join(found.group(1).split())


@pytest.fixture(scope="module")
def client(corpus_home: Path):
    return create_app({"ARKIV_HOME": str(corpus_home)}).test_client()


@pytest.mark.parametrize(("asked", "own"), [
    ("q=datum:banana", "banana"),                  # a bad date in the search box
    ("q=-datum:2004", "2004"),                     # a date cannot be excluded
    ("q=hemlöshet+kommunfullmäktigeordförandeskap", ""),  # hits on some of the words
    ("q=!!!", ""),                                 # no searchable words
])
def test_the_english_search_page_says_its_notes_in_english(client, asked: str, own: str) -> None:
    swedish = _notice(client.get(f"/search?{asked}&lang=sv").get_data(as_text=True))
    english = _notice(client.get(f"/search?{asked}&lang=en").get_data(as_text=True))
    assert english != swedish
    assert _swedish_in(english, own) == [], english
    assert _swedish_in(swedish, own), swedish
    api = client.get(f"/api/search?{asked}&lang=en").get_json()
    assert api["message"] == english


def test_did_you_mean_in_english(client) -> None:
    html = client.get("/search?q=hemlösht&lang=en").get_data(as_text=True)
    found = re.search(r'<p class="suggestion">(.*?)<a', html, re.S)
    assert found is not None and found.group(1).strip() == "Did you mean"


def test_an_archive_without_its_index_says_so_in_english(tmp_path: Path) -> None:
    home = tmp_path / "arkiv"
    Catalog(home).close()
    client = create_app({"ARKIV_HOME": str(home)}).test_client()
    english = _notice(client.get("/search?q=bygglov&lang=en").get_data(as_text=True))
    assert "search index is missing" in english and _swedish_in(english) == []
    assert "Sökindex saknas" in _notice(client.get("/search?q=bygglov&lang=sv").get_data(as_text=True))


def test_every_message_has_its_words_in_both_languages() -> None:
    assert set(SWEDISH) == set(ENGLISH)
    values = {"n": 3, "value": "x", "field": "city", "id": "abc", "decision": "x", "name": "X",
              "registry": "x", "kinds": "a, b", "email": "x", "path": "/p", "reason": "r"}
    app = create_app({"ARKIV_HOME": None})
    for message_id, words in SWEDISH.items():
        assert words in TRANSLATED, words
        message = Message(message_id, tuple(values.items()))
        with app.test_request_context("/?lang=en"):
            assert _swedish_in(say(message)) == [], message_id
        with app.test_request_context("/"):
            assert say(message) == words.format(**values)


def test_archive_holds_no_swedish_user_messages() -> None:
    """No string in archive/ that reads as Swedish is raised or noted for a search."""
    found = []
    for path in sorted((ROOT / "archive").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            noted = (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                     and node.func.attr == "append" and "notes" in ast.unparse(node.func.value))
            if isinstance(node, ast.Raise) or noted:
                for text in (n.value for n in ast.walk(node) if isinstance(n, ast.Constant)):
                    if isinstance(text, str) and _swedish_in(text):
                        found.append(f"{path.relative_to(ROOT)}: {text}")
    assert found == []
