"""Formats in the shared test data: Word 97 and .docx, XML, zip and bz2, real mails.

Every such file is ingested, or fails with a reason that is not "unsupported file
type"; each document is found by a word of its own; each attachment of the real
.eml and .msg files is a document of its own, listed by its mail.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from conftest import require_shared

from archive.catalog import Catalog
from archive.engine import search
from archive.query import Query
from indexer.extract import BZIP2, GZIP, TAR, ZIP
from indexer.parts import SEPARATOR
from indexer.pipeline import index_paths

SUFFIXES = (".doc", ".docx", ".xml", ".zip", ".bz2")
#: Attachments of each real mail (README of mail/): an embedded message's own
#: attachments are members of that message, one level further down.
ATTACHMENTS = {
    "flanker/attached-pdf.eml": 1,
    "mailpit/mime-attachment.eml": 1,
    "msgreader/TestWithAttachmentsAndInlines.eml": 6,
    "msgreader/HtmlSampleEmailWithAttachment.msg": 1,
    "msgreader/EmailWith2Attachments.msg": 2,
    "msgreader/EmailWithInnerMailAndAttachments.msg": 3,
}
#: A word as people type it: letters between spaces (or before a sentence's punctuation).
ARCHIVE_TYPES = (ZIP, TAR, GZIP, BZIP2)
_WORD = re.compile(r"(?<![^\s(\"'])[^\W\d_]{4,}(?=[\s.,;!?)\"']|$)")


def _files_of_interest(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES))


def _assert_found_by_own_words(home: Path, doc_ids: set[str]) -> None:
    """Each document is found by its rarest word (among these documents); an archive's
    own document, a list of its files, is found through them."""
    with Catalog(home, readonly=True) as catalog:
        docs = {doc_id: doc for doc_id, doc in catalog.get_many(doc_ids).items()
                if not (catalog.parts_of(doc_id) and doc.content_type in ARCHIVE_TYPES)}
    words = {doc_id: set(_WORD.findall(doc.text.lower())) for doc_id, doc in docs.items()}
    frequency = Counter(w for ws in words.values() for w in ws)
    for doc_id, doc in docs.items():
        assert words[doc_id], f"{doc.path}: no text"
        word = min(words[doc_id], key=lambda w: (frequency[w], -len(w), w))
        hits = {hit.id for hit in search(home, Query(text=word, page_size=100)).hits}
        assert {doc_id, doc.duplicate_of} & hits, f"{doc.path} not found by {word!r}"


def test_every_doc_docx_xml_zip_and_bz2_is_read_and_found(home: Path) -> None:
    files = _files_of_interest(require_shared("testdata"))
    assert {p.suffix.lower() for p in files} == set(SUFFIXES)
    report = index_paths(home, files, workers=2)
    by_path = {o.path: o for o in report.outcomes}
    for path in files:
        outcome = by_path[str(path)]
        assert outcome.status == "new" or "unsupported file type" not in (outcome.reason or ""), (
            f"{path}: {outcome.reason}")
    for outcome in report.outcomes:
        assert "unsupported file type" not in (outcome.reason or ""), f"{outcome.path}: {outcome.reason}"
    # Archives and compressed files give their members as documents of their own.
    members = [o for o in report.outcomes if SEPARATOR in o.path]
    assert {o.path.split(SEPARATOR)[0] for o in members} == {
        str(p) for p in files if p.suffix.lower() in (".zip", ".bz2")}
    _assert_found_by_own_words(home, {o.document_id for o in report.outcomes if o.document_id})


def test_every_real_mail_is_read_with_each_attachment_a_document(home: Path) -> None:
    folder = require_shared("testdata/mail")
    mails = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".eml", ".msg"))
    assert {str(p.relative_to(folder)) for p in mails} == set(ATTACHMENTS)
    report = index_paths(home, mails, workers=2)
    assert report.counts["failed"] == 0, [(o.path, o.reason) for o in report.failures]
    with Catalog(home, readonly=True) as catalog:
        for mail in mails:
            state = catalog.path_state(mail)
            listed = catalog.parts_of(state.document_id)
            assert len(listed) == ATTACHMENTS[str(mail.relative_to(folder))], mail
            for name, doc_id, problem in listed:
                member = catalog.path_state(f"{mail}{SEPARATOR}{name}")
                assert problem is None and doc_id == member.document_id
                assert (state.document_id, name) in catalog.containers_of(doc_id)
        # The embedded message in the Outlook mail carries two PDFs of its own.
        outer = folder / "msgreader/EmailWithInnerMailAndAttachments.msg"
        inner = catalog.path_state(f"{outer}{SEPARATOR}Inner mail.msg")
        assert [name for name, _id, _p in catalog.parts_of(inner.document_id)] == [
            "INNER 1.pdf", "INNER 2.pdf"]
        mail = catalog.get_by_path(folder / "msgreader/EmailWith2Attachments.msg")
        assert mail.metadata["title"] == "E-mail with 2 attachments"
        assert mail.metadata["document_date"] == "2019-12-02"
    _assert_found_by_own_words(home, {o.document_id for o in report.outcomes if o.document_id})
