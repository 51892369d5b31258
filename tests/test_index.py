"""The index: analysis, schema, the bulk writer and the generation lifecycle.

Helpers here (``add``, ``seed_archive``) are shared with ``test_search.py``: they fill a
real :class:`Catalog` through ``add_document`` with the seed documents and small
documents written for one behaviour.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import require_shared

from archive.catalog import Catalog, sha256_file
from archive.engine import (
    EXACT,
    STEMS,
    Index,
    IndexBusy,
    Searcher,
    SegmentLexicon,
    StemSequences,
    analyse,
    document_fields,
    merger,
    schema,
    store,
    terms,
    writer,
)
from archive.engine import (
    swedish_stem as stem,
)
from archive.engine.files import create_generation, open_generation, whoosh_stemmer
from archive.engine.phrases import StemPositions
from archive.query import Query
from archive.swedish import dnr_key, dnr_keys, fold

# -- building archives ----------------------------------------------------------------


def add(catalog: Catalog, name: str, text: str, *, path: str | None = None,
        page_starts: list[int] | None = None, **metadata: Any) -> str:
    """Archive a text as a document (its original is a file beside the archive)."""
    source = catalog.home.parent / "sources" / name
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(text, encoding="utf-8")
    fields: dict[str, Any] = {
        "title": name, "doc_type": "rapport", "language": "sv", "city": "Stockholm",
        "cities_mentioned": [], "districts": [], "committee": None, "administration": None,
        "dnr": None, "document_date": None, "decision_date": None, "projects": [],
        "topics": [], "people": [],
    }
    fields.update(metadata)
    doc_id, _ = catalog.add_document(
        path=path or str(source), sha256=sha256_file(source), source=source, filename=name,
        content_type="text/plain", size=source.stat().st_size, text=text,
        page_starts=page_starts or [0], metadata=fields,
    )
    return doc_id


#: The seeds with the metadata extraction would find (two renderings of one report).
SEED_METADATA: dict[str, dict[str, Any]] = {
    "000_1b8a4bf8a8410e47.txt": {
        "title": "Studiebesök i Baltikum", "doc_type": "tjänsteutlåtande",
        "committee": "Socialtjänstnämnden", "document_date": "2004-05-10",
        "cities_mentioned": ["Riga"], "topics": ["EU-samarbete"],
    },
    "001_d76c021fc7400117.txt": {
        "title": "Rapport Europaforum", "doc_type": "tjänsteutlåtande",
        "committee": "Socialtjänstnämnden", "document_date": "2004-11-24",
        "projects": ["Europaforum"], "topics": ["EU-samarbete"],
    },
    "002_da9cc209dec7227b.txt": {
        "title": "Rapport angående genomförda aktiviteter inom Europaforum",
        "doc_type": "tjänsteutlåtande", "committee": "Socialtjänstnämnden",
        "dnr": "115-239/2002", "document_date": "2004-11-24", "decision_date": "2004-12-16",
        "projects": ["Europaforum"], "topics": ["EU-samarbete", "hemlöshet"],
        "cities_mentioned": ["Wien", "Bryssel"],
    },
    "003_c0d7bba4146d21a4.txt": {
        "title": "Internationalisera mera", "doc_type": "artikel", "city": "Sollentuna",
        "document_date": "2015-03-01", "topics": ["internationellt arbete"],
    },
    "004_efc360e798257d01.txt": {
        "title": "Satsning på lokala utvecklingsarbeten", "doc_type": "pressmeddelande",
        "committee": "Socialnämnden", "document_date": "2013-06-25",
        "districts": ["Rinkeby-Kista", "Skärholmen", "Södermalm"],
        "cities_mentioned": ["Bukarest"], "topics": ["hemlöshet", "missbruk"],
    },
}


def seed_archive(catalog: Catalog) -> dict[str, str]:
    """The five seeds, 001 and 002 grouped as renderings of one report: name → id."""
    seeds = require_shared("seeds")
    ids = {}
    for name, metadata in SEED_METADATA.items():
        ids[name] = add(catalog, name, (seeds / name).read_text(encoding="utf-8"), **metadata)
    report, rendering = ids["002_da9cc209dec7227b.txt"], ids["001_d76c021fc7400117.txt"]
    catalog.set_group(report, [rendering], catalog.own_metadata(report))
    return ids


def search_ids(home: Path, text: str = "", **query: Any) -> list[str]:
    results = Searcher(home).search(Query(text=text, page_size=100, **query))
    return [h.id for h in results.hits]


# -- analysis -------------------------------------------------------------------------


def test_stemmer_matches_the_snowball_reference() -> None:
    folder = require_shared("testdata/snowball-sv")
    words = (folder / "voc.txt").read_text(encoding="utf-8").split()
    expected = (folder / "output.txt").read_text(encoding="utf-8").split()
    assert len(words) == len(expected) > 30_000
    wrong = [(w, e, stem(w)) for w, e in zip(words, expected, strict=True) if stem(w) != e]
    assert wrong == []


def test_stemmer_is_better_than_whooshs_legacy_one_on_neuter_definites() -> None:
    legacy = whoosh_stemmer("sv")
    for word, base in [("beslutet", "beslut"), ("arbetet", "arbete"), ("förslaget", "förslag")]:
        assert stem(word) == stem(base)
        assert legacy(word) != legacy(base)


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("pipelines", [EXACT, STEMS])
def test_batch_analysis_agrees_with_whooshs_token_stream(
    language: str, pipelines: dict[str, Any]
) -> None:
    analyzer = pipelines[language]
    for path in sorted(require_shared("seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8") + " The cities' İstanbul ÅÄÖ Straße"
        assert terms(analyzer, text) == [t.text for t in analyzer(text)]
        positions = [t.pos for t in analyzer(text, positions=True)]
        assert positions == list(range(len(positions)))


def test_analysis() -> None:
    exact, stems = analyse("Socialtjänstnämnden beslutade om EU-medborgare och hemlöshet.", "sv")
    assert exact == ["socialtjänstnämnden", "beslutade", "eu", "medborgare", "hemlöshet"]
    assert stems == ["socialtjänstnämnd", "beslut", "eu", "medborg", "hemlös"]
    assert analyse("The cities and the city", "en")[1] == ["citi", "citi"]


def test_fold_keeps_offsets() -> None:
    assert fold("Socialtjänstnämnden får") == "Socialtjanstnamnden far"
    assert len(fold("åäöÅÄÖé")) == 7


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("KS 2019/123", "KS2019/123"),
        ("ks 2019 / 123", "KS2019/123"),
        ("Dnr KS 2019/123", "KS2019/123"),
        ("DNR: 115-239/2002", "115-239/2002"),
        ("115 - 239/2002", "115-239/2002"),
        ("115 – 239/2002", "115-239/2002"),
    ],
)
def test_normalise_dnr(value: str, normalised: str) -> None:
    assert dnr_key(value) == normalised


def test_dnr_terms_include_the_number_without_its_prefix() -> None:
    assert dnr_keys("KS 2019/123") == ["KS2019/123", "2019/123"]
    assert dnr_keys("115-239/2002") == ["115-239/2002"]
    assert dnr_keys("   ") == []


def test_document_fields(home: Path) -> None:
    catalog = Catalog(home)
    doc_id = add(
        catalog, "a.txt", "Hemlöshet i Stockholm.", title="Om hemlöshet", dnr="KS 2019/123",
        dnrs=[{"verbatim": "SN 2020/7", "normalised": "SN 2020/7"}],
        document_date="2019-04-01", decision_date=None, districts=["Kista"],
    )
    fields = document_fields(catalog.get(doc_id))
    assert fields["exact"] == ["hemlöshet", "stockholm"]
    assert fields["stem"] == ["hemlös", "stockholm"]
    assert fields["title"] == ["hemlös"]
    assert fields["dnr"] == ["KS2019/123", "2019/123", "SN2020/7", "2020/7"]
    assert fields["date"] == fields["document_date"] == 20190401
    assert fields["decision_date"] == 0
    assert fields["year"] == ["2019"]
    assert fields["districts"] == ["Kista"]
    assert fields["committee"] == []


# -- the bulk writer --------------------------------------------------------------------


def _postings(ix: Any) -> dict[tuple[str, str], list[tuple[str, float]]]:
    """Every posting of the text fields, through Whoosh's own public reading API."""
    found = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = {d: reader.stored_fields(d)["id"] for d in reader.all_doc_ids()}
        for fieldname in ("exact", "stem", "title", "dnr", "city", "topics"):
            for term in reader.lexicon(fieldname):
                matcher = reader.postings(fieldname, term)
                rows = []
                while matcher.is_active():
                    rows.append((ids[matcher.id()], matcher.weight()))
                    matcher.next()
                found[(fieldname, term.decode())] = sorted(rows)
    return found


def test_bulk_writer_writes_what_whooshs_writer_writes(home: Path, tmp_path: Path) -> None:
    catalog = Catalog(home)
    seed_archive(catalog)
    add(catalog, "long.txt", " ".join(["hemlöshet"] * 300 + ["budget nämnd"] * 200))
    Index(home).rebuild(catalog)
    bulk = open_generation(Index(home).current())

    plain_dir = tmp_path / "plain"
    plain_dir.mkdir()
    plain = create_generation(plain_dir)
    with plain.writer() as writer:
        for doc in catalog.iter_documents():
            writer.add_document(**document_fields(doc))

    expected = _postings(plain)
    assert len(expected) > 1000
    assert _postings(bulk) == expected
    with bulk.searcher() as a, plain.searcher() as b:
        for d in a.reader().all_doc_ids():
            other = next(b.document_numbers(id=a.stored_fields(d)["id"]))
            for fieldname in ("exact", "stem"):
                assert a.doc_field_length(d, fieldname) == b.doc_field_length(other, fieldname)


def phrase_files(home: Path) -> tuple[Any, Any, dict[str, int], Any]:
    """The rebuilt index's one segment: its lexicon, stem sequences, document numbers by
    id and stem positions."""
    ix = open_generation(Index(home).current())
    with ix.reader() as reader:
        segment = reader.segment()
        lexicon = SegmentLexicon.of_segment(ix.storage, segment, reader)
        sequences = StemSequences.of_segment(ix.storage, segment)
        docnum = {reader.stored_fields(d)["id"]: d for d in reader.all_doc_ids()}
        positions = StemPositions.of_segment(ix.storage, segment, sequences)
    return lexicon, sequences, docnum, positions


def test_stem_sequences_find_phrases(home: Path) -> None:
    catalog = Catalog(home)
    texts = ["Evidensbaserad praktik i vården.", "Praktik som är evidensbaserad.", "Inget här."]
    ids = [add(catalog, f"{i}.txt", text) for i, text in enumerate(texts)]
    Index(home).rebuild(catalog)
    lexicon, sequences, docnum, _ = phrase_files(home)
    phrase = [lexicon.index_of(stem) for stem in ("evidensbaser", "praktik")]
    assert None not in phrase
    needle = sequences.needle(phrase)
    assert [sequences.contains(docnum[i], needle) for i in ids] == [True, False, False]
    assert sequences.contains(docnum[ids[1]], sequences.needle(phrase[::-1]))
    # Ids are 4 bytes: a match straddling two of them is no match.
    straddling = StemSequences.needle([phrase[0]])[2:] + StemSequences.needle([phrase[1]])[:2]
    assert not any(sequences.contains(docnum[i], straddling) for i in ids)
    assert sequences.docs_containing(needle) == {docnum[ids[0]]}
    assert sequences.docs_containing(straddling) == set()
    # A phrase is not found across the end of one document and the start of the next.
    stems = {d: document_fields(catalog.get(i))["stem"] for i, d in docnum.items()}
    across = [lexicon.index_of(stems[0][-1]), lexicon.index_of(stems[1][0])]
    assert sequences.docs_containing(sequences.needle(across)) == set()
    assert lexicon.index_of("nonexistent") is None


def test_rebuild_writes_each_segments_lexicon(home: Path) -> None:
    catalog = Catalog(home)
    seed_archive(catalog)
    Index(home).rebuild(catalog)
    ix = open_generation(Index(home).current())
    with ix.reader() as reader:
        segment = reader.segment()
        assert ix.storage.file_exists(segment.make_filename(SegmentLexicon.EXTENSION))
        written = SegmentLexicon.of_segment(ix.storage, segment, reader)
        ix.storage.delete_file(segment.make_filename(SegmentLexicon.EXTENSION))
        built = SegmentLexicon.of_segment(ix.storage, segment, reader)
    # The written lexicon is mapped arrays; the built one lists: the same terms and orders.
    assert list(written.terms) == built.terms and list(written.dfs) == list(built.dfs)
    assert list(written.by_reversed) == list(built.by_reversed)
    assert list(written.by_folded) == list(built.by_folded)
    assert {t for t, _ in written.ending_with("nämnd")} >= {"socialtjänstnämnd", "nämnd"}
    assert {t for t, _ in written.folding_to("socialtjanstnamnd")} == {"socialtjänstnämnd"}
    assert {t for t, _ in built.ending_with("nämnd")} >= {"socialtjänstnämnd", "nämnd"}
    assert {t for t, _ in built.starting_with("hemlös")} >= {"hemlös"}
    assert {t for t, _ in built.folding_to("socialtjanstnamnd")} == {"socialtjänstnämnd"}


@pytest.mark.parametrize("budget", [0, merger.MERGED_SEQUENCE_BYTES], ids=["unmerged", "merged"])
def test_parallel_build_finds_the_same(home: Path, monkeypatch: pytest.MonkeyPatch,
                                       budget: int) -> None:
    catalog = Catalog(home)
    seed_archive(catalog)
    for i in range(12):
        add(catalog, f"extra{i}.txt", f"Hemlöshet och nämnden nummer {i}.",
            document_date=f"2001-01-{i + 1:02d}")
    queries = ["hemlöshet", "nämnd", "europaforum", ""]
    Index(home).rebuild(catalog)
    single = [search_ids(home, q) for q in queries]
    assert all(single[:3])
    monkeypatch.setattr(writer, "PARALLEL_FROM", 1)
    monkeypatch.setattr(writer, "SEGMENT_DOCS", 4)
    monkeypatch.setattr(merger, "MERGED_SEQUENCE_BYTES", budget)
    progress: list[tuple[int, int]] = []
    assert Index(home).rebuild(catalog, lambda done, total: progress.append((done, total))) == 16
    assert progress[-1] == (16, 16)
    ix = open_generation(Index(home).current())
    # Each build process merges its own segments (into one here), unless told not to.
    count = len(ix._segments())
    assert count <= writer.BUILD_WORKERS if budget else count >= 4, count
    assert [sorted(search_ids(home, q)) for q in queries] == [sorted(ids) for ids in single]


# -- lifecycle --------------------------------------------------------------------------


def test_rebuild_creates_and_swaps_generations(home: Path) -> None:
    catalog = Catalog(home)
    index = Index(home)
    assert not index.exists()
    assert index.needs_rebuild()
    add(catalog, "a.txt", "Hemlöshet.")
    assert index.rebuild(catalog) == 1
    first = index.current()
    assert index.exists() and not index.needs_rebuild()
    assert index.seq == catalog.max_seq()
    assert index.rebuild(catalog) == 1
    second = index.current()
    assert second != first and not first.exists()
    assert (home / "index" / "CURRENT").read_text().strip() == second.name


def test_missing_index_gives_a_message(home: Path) -> None:
    Catalog(home)
    results = Searcher(home).search(Query(text="hemlöshet"))
    assert results.total == 0
    assert [note.id for note in results.notes] == ["index_missing"]


def test_needs_rebuild_on_schema_change(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = Catalog(home)
    add(catalog, "a.txt", "Hemlöshet.")
    index = Index(home)
    index.rebuild(catalog)
    assert not index.needs_rebuild()
    monkeypatch.setattr(store, "SCHEMA_VERSION", store.SCHEMA_VERSION + 1)
    assert index.needs_rebuild()
    # A sync then rebuilds rather than mixing schemas.
    assert index.sync(catalog) == 1
    assert not index.needs_rebuild()
    assert json.loads((index.current() / "arkiv.json").read_text())["schema_version"] == (
        store.SCHEMA_VERSION)


@pytest.mark.parametrize("damage", [b"\x00\xff garbage", b"gen-9999\n", b"../../etc\n"])
def test_a_broken_current_file_means_no_index(home: Path, damage: bytes) -> None:
    catalog = Catalog(home)
    add(catalog, "a.txt", "Hemlöshet.")
    index = Index(home)
    index.rebuild(catalog)
    (home / "index" / "CURRENT").write_bytes(damage)
    assert not index.exists() and index.needs_rebuild()
    assert [n.id for n in Searcher(home).search(Query(text="hemlöshet")).notes] == ["index_missing"]
    index.rebuild(catalog)
    assert search_ids(home, "hemlöshet")


def test_crash_mid_rebuild_leaves_the_old_index_in_use(home: Path) -> None:
    catalog = Catalog(home)
    add(catalog, "a.txt", "Hemlöshet.")
    index = Index(home)
    index.rebuild(catalog)
    live = index.current()
    half_built = home / "index" / "gen-0099"
    half_built.mkdir()
    (half_built / "_MAIN_1.toc").write_bytes(b"half")
    assert search_ids(home, "hemlöshet")
    assert index.current() == live
    index.rebuild(catalog)
    assert not half_built.exists()
    assert search_ids(home, "hemlöshet")


def test_failed_rebuild_keeps_the_old_index(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = Catalog(home)
    add(catalog, "a.txt", "Hemlöshet.")
    index = Index(home)
    index.rebuild(catalog)
    live = index.current()

    def broken(doc: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(schema, "document_fields", broken)
    with pytest.raises(RuntimeError):
        index.rebuild(catalog)
    assert index.current() == live
    assert [p.name for p in (home / "index").glob("gen-*")] == [live.name]
    assert search_ids(home, "hemlöshet")


def test_second_writer_gets_index_busy(home: Path) -> None:
    catalog = Catalog(home)
    add(catalog, "a.txt", "Hemlöshet.")
    index = Index(home)
    with index._writing("rebuild"), pytest.raises(IndexBusy) as busy:
        Index(home).rebuild(Catalog(home))
    assert str(busy.value) == "the index is being rebuilt; try again when it has finished"
    with index._writing("sync"), pytest.raises(IndexBusy):
        Index(home).sync(Catalog(home))
    assert index.rebuild(catalog) == 1


def test_search_keeps_answering_during_rebuilds(home: Path) -> None:
    catalog = Catalog(home)
    seed_archive(catalog)
    index = Index(home)
    index.rebuild(catalog)
    searcher = Searcher(home)
    errors: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            try:
                totals.append(searcher.search(Query(text="hemlöshet nämnd")).total)
            except BaseException as exc:  # noqa: BLE001 - the test reports any failure
                errors.append(exc)

    thread = threading.Thread(target=keep_searching)
    thread.start()
    try:
        for _ in range(3):
            index.rebuild(catalog)
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert totals and set(totals) == {totals[0]} and totals[0] > 0


def test_sync_applies_catalog_changes(home: Path) -> None:
    catalog = Catalog(home)
    index = Index(home)
    first = add(catalog, "a.txt", "Första versionen om hemlöshet.", path="/docs/a.txt")
    index.rebuild(catalog)
    searcher = Searcher(home)
    assert [h.id for h in searcher.search(Query(text="versionen")).hits] == [first]
    assert index.sync(catalog) == 0

    # A new document, and a new version of the same path.
    other = add(catalog, "b.txt", "Budget för äldreomsorg.")
    second = add(catalog, "a2.txt", "Andra versionen om hemlöshet.", path="/docs/a.txt")
    assert index.sync(catalog) >= 3
    assert index.seq == catalog.max_seq()
    assert [h.id for h in searcher.search(Query(text="versionen")).hits] == [second]
    assert [h.id for h in searcher.search(Query(text="äldreomsorg")).hits] == [other]

    # Grouped as a rendering of another document: it disappears from search.
    catalog.set_group(other, [second], catalog.own_metadata(other))
    index.sync(catalog)
    assert [h.id for h in searcher.search(Query(text="versionen")).hits] == []
    assert searcher.search(Query()).total == 1


def test_sync_without_an_index_builds_one(home: Path) -> None:
    catalog = Catalog(home)
    add(catalog, "a.txt", "Hemlöshet.")
    assert Index(home).sync(catalog) == 1
    assert search_ids(home, "hemlöshet")


def test_many_syncs_merge_small_segments(home: Path) -> None:
    catalog = Catalog(home)
    index = Index(home)
    add(catalog, "a0.txt", "Hemlöshet 0.")
    index.rebuild(catalog)
    searcher = Searcher(home)
    for i in range(1, 20):
        add(catalog, f"a{i}.txt", f"Hemlöshet nummer {i}.")
        index.sync(catalog)
        assert searcher.search(Query(text="hemlöshet")).total == i + 1
    ix = open_generation(index.current())
    assert len(ix._segments()) < merger.MERGE_FACTOR
    assert searcher.search(Query(text="nummer 7")).total == 1


def test_an_index_from_another_version_is_never_opened_and_is_rebuilt(home: Path) -> None:
    catalog = Catalog(home)
    add(catalog, "a.txt", "Hemlöshet bland EU-medborgare.")
    index = Index(home)
    index.rebuild(catalog)
    generation = index.current()
    state = json.loads((generation / "arkiv.json").read_text())
    state["schema_version"] = store.SCHEMA_VERSION - 1
    (generation / "arkiv.json").write_text(json.dumps(state))
    for toc in generation.glob("*.toc"):  # an older format that this version cannot read
        toc.write_bytes(b"not a table of contents of this version")
    assert index.needs_rebuild()
    results = Searcher(home).search(Query(text="hemlöshet"))
    assert results.total == 0 and "older version" in results.message
    assert index.sync(catalog) == 1  # the next ingest rebuilds instead of reading it
    assert search_ids(home, "hemlöshet")
