"""``make quality`` (``python -m bench.quality``): metadata, language and ranking on real
public documents that are not in the repository (``../shared/testdata``).

The labelled sets, each read through the real pipeline (``process_file``):

- **regeringen** — 245 regeringen.se pages (Markdown): the site's category is the
  document type, the page's ``# heading`` its title; a national page has no city and
  no committee; the senders that are people are its people. Pages are numbered by
  their line in ``metadata.jsonl``: the **even** lines are the tuning half, the
  **odd** lines the held-out half, printed separately.
- **ferenda** — Swedish government files in the ferenda test set (propositioner,
  kommittédirektiv, SOU, Ds, föreskrifter, laws, court decisions, a remissvar): the
  type is given by the folder the file sits in.
- **languages** — three-sentence texts cut from the UDHR in sv, en, de, fi, da, nb,
  nn, et, lv (consecutive sentences, no overlap): accuracy per language, and how
  often the answer was "unknown".
- **retrieval** — the regeringen pages with a body, without their heading line, in a
  real Arkiv index and in SQLite FTS5 (``bm25``; all words, else any word), queried
  with each page's title (the page is the answer: its text must say what the title
  does) and with the FAQ-style questions in ``bench/quality_questions.toml``: MRR@10.

``--only regeringen,ferenda,languages,retrieval`` runs a part; ``--json`` prints the
figures as JSON too.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
import tomllib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

TESTDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "testdata"
REGERINGEN = TESTDATA / "swedish-gov" / "regeringen"
FERENDA = TESTDATA / "swedish-gov" / "ferenda"
UDHR = TESTDATA / "languages" / "udhr"
QUESTIONS = Path(__file__).resolve().parent / "quality_questions.toml"
LANGUAGES = ("sv", "en", "de", "fi", "da", "nb", "nn", "et", "lv")
SENTENCES_PER_TEXT = 3
#: Retrieval uses pages with at least this much text below the heading.
MIN_BODY = 80

#: regeringen.se category → the archive's document type.
REGERINGEN_TYPES = {
    "pressmeddelanden": "pressmeddelande",
    "rattsliga-dokument/kommittedirektiv": "kommittédirektiv",
    "rattsliga-dokument/statens-offentliga-utredningar": "utredning",
    "rattsliga-dokument/proposition": "proposition",
    "tal": "tal",
    "debattartiklar": "debattartikel",
    "remisser": "remiss",
    "uttalanden": "uttalande",
}
#: ferenda folder → the types accepted for a file in it.
FERENDA_TYPES = {
    "repo/dirregeringen": {"kommittédirektiv"},
    "repo/dirtrips": {"kommittédirektiv"},
    "repo/propregeringen": {"proposition"},
    "repo/proppolo": {"proposition"},
    "repo/proptrips": {"proposition"},
    "repo/souregeringen": {"utredning"},
    "repo/dsregeringen": {"utredning"},
    "repo/afs": {"föreskrift"},
    "repo/nfs": {"föreskrift"},
    "repo/sosfs": {"föreskrift"},
    "repo/sfs/": {"lag", "förordning"},
    "repo/dv/downloaded": {"dom"},
    "remisser": {"remissvar"},
}
FERENDA_SUFFIXES = (".pdf", ".html", ".docx", ".doc", ".xml")


def _process(path: Path) -> dict[str, Any] | None:
    from indexer.extract import ExtractionError
    from indexer.pipeline import process_file

    try:
        return process_file((str(path), path.name))
    except ExtractionError:
        return None


def comparable(title: str | None) -> str:
    """A title as compared: NFC, casefolded, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKC", title or "").casefold().replace("\u00ad", "")
    return " ".join(re.findall(r"[^\W_]+", text))


def regeringen_rows() -> list[dict[str, Any]]:
    with open(REGERINGEN / "metadata.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _person_senders(row: dict[str, Any]) -> list[str]:
    return [s for s in row.get("senders") or []
            if not re.search(r"departement|beredning|regeringen|kansli", s, re.I)]


class Tally:
    """Counts of a labelled field: right, wrong, and missing answers (None)."""

    def __init__(self) -> None:
        self.right = self.wrong = self.missing = 0
        self.confusion: Counter[tuple[str, str]] = Counter()

    def add(self, expected: Any, got: Any, accepted: Iterable[Any] | None = None) -> None:
        ok = got in (set(accepted) if accepted is not None else {expected})
        if ok:
            self.right += 1
        elif got in (None, "", "other", "unknown"):
            self.missing += 1
            self.confusion[(str(expected), str(got))] += 1
        else:
            self.wrong += 1
            self.confusion[(str(expected), str(got))] += 1

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.missing

    def figures(self) -> dict[str, Any]:
        answered = self.right + self.wrong
        return {
            "n": self.total,
            "accuracy": round(self.right / self.total, 3) if self.total else None,
            "precision": round(self.right / answered, 3) if answered else None,
            "recall": round(self.right / self.total, 3) if self.total else None,
            "top_errors": [f"{e} → {g} ×{n}" for (e, g), n in self.confusion.most_common(6)],
        }


def evaluate_regeringen() -> dict[str, Any]:
    """Doc type, title, city, committee and people on each half of the regeringen pages."""
    halves: dict[str, dict[str, Any]] = {}
    for half, parity in (("tuning (even lines)", 0), ("held-out (odd lines)", 1)):
        fields = defaultdict(Tally)
        per_type: dict[str, Tally] = defaultdict(Tally)
        people_found = people_expected = people_extra = 0
        for number, row in enumerate(regeringen_rows()):
            if number % 2 != parity:
                continue
            result = _process(REGERINGEN / row["file"])
            meta = result["metadata"] if result else {}
            expected_type = REGERINGEN_TYPES[row["category"]]
            fields["doc_type"].add(expected_type, meta.get("doc_type"))
            per_type[expected_type].add(expected_type, meta.get("doc_type"))
            body = (REGERINGEN / row["file"]).read_text(encoding="utf-8").split("\n", 1)
            if len(body) > 1 and len(body[1].strip()) >= 80:
                fields["doc_type (pages with a body)"].add(expected_type, meta.get("doc_type"))
            title = row.get("title_h1") or row.get("title")
            fields["title"].add(comparable(title), comparable(meta.get("title")))
            fields["city (none: national)"].add(None, meta.get("city"), accepted=[None])
            fields["committee (none)"].add(None, meta.get("committee"), accepted=[None])
            expected_people = {comparable(p) for p in _person_senders(row)}
            found = {comparable(p.get("name")) for p in meta.get("people") or []}
            if expected_people:
                people_expected += len(expected_people)
                people_found += len(expected_people & found)
                people_extra += len(found - expected_people)
        halves[half] = {
            **{name: tally.figures() for name, tally in fields.items()},
            "doc_type per type": {t: tally.figures()["accuracy"] for t, tally in per_type.items()},
            "people (senders)": {
                "expected": people_expected,
                "recall": round(people_found / people_expected, 3) if people_expected else None,
                "other names found": people_extra,
            },
        }
    return halves


def evaluate_ferenda() -> dict[str, Any]:
    """Doc type of the ferenda government files, by the folder they sit in."""
    tally = Tally()
    unreadable = 0
    for path in sorted(FERENDA.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in FERENDA_SUFFIXES:
            continue
        relative = path.relative_to(FERENDA).as_posix()
        accepted = next((types for prefix, types in FERENDA_TYPES.items()
                         if relative.startswith(prefix)), None)
        if accepted is None or "/source/" in relative and "propregeringen" not in relative:
            continue
        result = _process(path)
        if result is None:
            unreadable += 1
            continue
        tally.add("/".join(sorted(accepted)), result["metadata"].get("doc_type"), accepted)
    return {"doc_type": tally.figures(), "not readable (skipped)": unreadable}


def sentences(text: str) -> list[str]:
    """The UDHR file's sentences: its lines split after . ! ? (headings dropped)."""
    found: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if len(line.split()) < 4:
            continue
        found += [s.strip() for s in re.split(r"(?<=[.!?])\s+", line) if len(s.split()) >= 3]
    return found


def short_texts(language: str) -> list[str]:
    found = sentences((UDHR / f"{language}.txt").read_text(encoding="utf-8"))
    n = SENTENCES_PER_TEXT
    return [" ".join(found[i : i + n]) for i in range(0, len(found) - n + 1, n)]


def evaluate_languages() -> dict[str, Any]:
    from indexer.language import detect_language

    results: dict[str, Any] = {}
    started = time.perf_counter()
    texts = 0
    for language in LANGUAGES:
        got = Counter(detect_language(text)[0] for text in short_texts(language))
        total = sum(got.values())
        texts += total
        results[language] = {
            "n": total,
            "accuracy": round(got[language] / total, 3),
            "unknown": round(got["unknown"] / total, 3),
            "answers": dict(got.most_common(4)),
        }
    results["ms per text"] = round(1000 * (time.perf_counter() - started) / texts, 2)
    return results


# -- retrieval ------------------------------------------------------------------------


def _questions() -> list[tuple[str, str]]:
    """(question, file of the answering page) pairs written for the regeringen pages."""
    with open(QUESTIONS, "rb") as f:
        return [(q["q"], q["file"]) for q in tomllib.load(f)["question"]]


def evaluate_retrieval() -> dict[str, Any]:
    from archive.catalog import Catalog
    from archive.engine import Index, Searcher
    from archive.query import Query

    rows = regeringen_rows()
    with tempfile.TemporaryDirectory(prefix="arkiv-quality-") as tmp:
        home = Path(tmp) / "home"
        catalog = Catalog(home)
        ids: dict[str, str] = {}
        fts = sqlite3.connect(Path(tmp) / "fts.sqlite3")
        fts.execute("CREATE VIRTUAL TABLE fts USING fts5(file UNINDEXED, title, body, tokenize='unicode61')")
        for number, row in enumerate(rows):
            body = _body_only(REGERINGEN / row["file"])
            if len(body) < MIN_BODY:
                continue
            path = Path(tmp) / f"{number}.md"
            path.write_text(body, encoding="utf-8")
            result = _process(path)
            if result is None:
                continue
            doc = catalog.add_document(
                path=str(path), sha256=_sha256(path), source=path, filename=path.name,
                content_type=result["content_type"], size=path.stat().st_size,
                text=result["text"], page_starts=result["page_starts"],
                metadata=result["metadata"],
            )
            ids[_doc_id(doc)] = row["file"]
            fts.execute("INSERT INTO fts VALUES (?, ?, ?)",
                        (row["file"], result["metadata"].get("title") or "", result["text"]))
        fts.commit()
        Index(home).rebuild(catalog)
        searcher = Searcher(home)
        sets = {
            # A headline's quotation marks are not the search syntax's phrase marks.
            "titles": [(_QUOTES.sub(" ", row["title_h1"]), row["file"]) for row in rows
                       if row["file"] in ids.values() and row.get("title_h1")],
            "questions": _questions(),
        }
        figures: dict[str, Any] = {}
        for name, pairs in sets.items():
            arkiv_rr, fts_rr = [], []
            for query, answer in pairs:
                hits = searcher.search(Query(text=query, page_size=10)).hits
                arkiv_rr.append(_reciprocal_rank([ids.get(h.id) for h in hits], answer))
                fts_rr.append(_reciprocal_rank(_fts_top(fts, query), answer))
            figures[name] = {
                "n": len(pairs),
                "arkiv MRR@10": round(sum(arkiv_rr) / len(pairs), 3),
                "FTS5 MRR@10": round(sum(fts_rr) / len(pairs), 3),
            }
        searcher.close()
        catalog.close()
        fts.close()
    return figures


_QUOTES = re.compile(r'["”“„]')


def _body_only(path: Path) -> str:
    """The page without its ``# heading`` line (so a title query must find the text)."""
    text = path.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    return rest.strip() if first.startswith("# ") else text.strip()


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _doc_id(doc: Any) -> str:
    return doc[0] if isinstance(doc, tuple) else doc


def _reciprocal_rank(found: list[str | None], answer: str) -> float:
    for rank, item in enumerate(found[:10], start=1):
        if item == answer:
            return 1.0 / rank
    return 0.0


def _fts_top(db: sqlite3.Connection, query: str) -> list[str]:
    """FTS5's top 10 for the words of ``query`` (all of them; any of them when none)."""
    words = [w for w in re.findall(r"[^\W_]+", query.lower()) if len(w) > 1]
    if not words:
        return []
    for joiner in (" AND ", " OR "):
        expression = joiner.join(f'"{w}"' for w in words)
        found = [r[0] for r in db.execute(
            "SELECT file FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT 10", (expression,))]
        if found:
            return found
    return []


PARTS = {
    "regeringen": evaluate_regeringen,
    "ferenda": evaluate_ferenda,
    "languages": evaluate_languages,
    "retrieval": evaluate_retrieval,
}


def _print(name: str, figures: dict[str, Any], indent: str = "  ") -> None:
    for key, value in figures.items():
        if isinstance(value, dict) and any(isinstance(v, dict) for v in value.values()):
            print(f"{indent}{key}:")
            _print(name, value, indent + "  ")
        elif isinstance(value, dict):
            shown = ", ".join(f"{k} {v}" for k, v in value.items() if k != "top_errors")
            print(f"{indent}{key}: {shown}")
            for error in value.get("top_errors") or []:
                print(f"{indent}    {error}")
        else:
            print(f"{indent}{key}: {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quality",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated parts ({', '.join(PARTS)})")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    if not TESTDATA.is_dir():
        print(f"no test data at {TESTDATA} (the shared/testdata folder beside the repository)",
              file=sys.stderr)
        return 2
    chosen = args.only.split(",") if args.only else list(PARTS)
    unknown = [c for c in chosen if c not in PARTS]
    if unknown:
        parser.error(f"unknown part {', '.join(unknown)}")
    everything: dict[str, Any] = {}
    for name in chosen:
        started = time.perf_counter()
        everything[name] = PARTS[name]()
        print(f"== {name} ({time.perf_counter() - started:.0f} s)")
        _print(name, everything[name])
    if args.json:
        print(json.dumps(everything, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
