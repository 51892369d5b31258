"""The web app's handles on one archive — and the one place that decides what a visitor sees.

Each worker process opens one searcher (warmed once, shared by its threads) and each
thread its own read-only catalog connection. The only writes are the accounts' (logins
and the brake on password guessing) and staff's changes, through their own connections.

**Access.** Every page, feed, export and API route reads the archive through
:func:`archive` — ``archive().catalog`` and ``archive().searcher`` — and gets them as
*this request's viewer* may see them. For the public (not logged in) internal documents
do not exist: the catalog answers "no such document" (a 404, not a 403), searches,
counts, facets, suggestions, similar documents and timelines leave them out (the
searcher's ``access`` filter, an index field), status counts are of public documents
only, and a document's ``path`` is its file name, never a server folder. Staff, admins
and API tokens see everything, with full paths. No route decides this for itself.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app, has_request_context
from flask_login import current_user

from archive import access as access_classes
from archive.access import PUBLIC
from archive.accounts import Accounts, rank
from archive.catalog import Catalog
from archive.engine import Highlighter, SearchBackend, backend_for
from archive.jobs import read_job
from archive.models import Document, public_path
from archive.query import FacetValue, Hit, Query, Results

T = TypeVar("T")


def access_for(role: str) -> tuple[str, ...]:
    """The access classes a role may see: all (empty) for staff and admins, else public."""
    return () if rank(role) >= rank("staff") else (PUBLIC,)


def viewer_role() -> str:
    """"public", "staff" or "admin": whose eyes this request's answer is for (outside a
    request, the public's)."""
    return str(current_user.role) if has_request_context() else "public"


def viewer_access() -> tuple[str, ...]:
    """The access classes this request's viewer may see."""
    return access_for(viewer_role())


#: An ärende's links to ärenden of other documents (a kallelse's item ↔ the § deciding it).
RELATIONS = ("decided_in", "agenda_item")


class PublicCatalog:
    """The catalog as the public sees it: public documents only, file names for paths.

    Only what the web reads is here; a new use fails loudly until it gets its rule.
    """

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self.home = catalog.home

    def shown_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` that are public documents."""
        classes = access_classes.access_of(self._catalog.db, list(ids))
        return {doc_id for doc_id, access in classes.items() if access == PUBLIC}

    def public_arenden(self, arenden: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Ärenden without their links to ärenden of documents the public cannot see."""
        targets = {a[r].get("document") for a in arenden for r in RELATIONS
                   if isinstance(a.get(r), dict)}
        if not targets:
            return arenden
        shown = self.shown_ids(t for t in targets if isinstance(t, str))
        return [
            {k: v for k, v in a.items()
             if not (k in RELATIONS and isinstance(v, dict) and v.get("document") not in shown)}
            for a in arenden
        ]

    def public_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        """A document's JSON fields as the public sees them (file name, own links only)."""
        fields = {**fields, "path": public_path(str(fields.get("path") or ""))}
        if fields.get("arenden"):
            fields["arenden"] = self.public_arenden(fields["arenden"])
        return fields

    def _public_document(self, document: Document) -> Document:
        metadata = document.metadata
        if metadata.get("arenden"):
            metadata = {**metadata, "arenden": self.public_arenden(metadata["arenden"])}
        newer = document.superseded_by
        if newer is not None and not self.shown_ids([newer]):
            newer = None  # its newer version is internal: for the public there is none
        return replace(document, path=public_path(document.path), metadata=metadata,
                       superseded_by=newer)

    def get(self, doc_id: str, *, with_text: bool = True) -> Document | None:
        document = self._catalog.get(doc_id, with_text=with_text)
        if document is None or document.access != PUBLIC:
            return None
        return self._public_document(document)

    def get_many(self, ids: Iterable[str], *, with_text: bool = True) -> dict[str, Document]:
        found = self._catalog.get_many(ids, with_text=with_text)
        return {i: self._public_document(d) for i, d in found.items() if d.access == PUBLIC}

    def iter_documents(self, *, with_text: bool = True) -> Iterator[Document]:
        for document in self._catalog.iter_documents(with_text=with_text):
            if document.access == PUBLIC:
                yield self._public_document(document)

    def renderings(self, doc_id: str) -> list[str]:
        ids = self._catalog.renderings(doc_id)
        shown = self.shown_ids(ids)
        return [i for i in ids if i in shown]

    def arenden_source(self, document: Document) -> Document | None:
        source = self._catalog.arenden_source(document)
        if source is None or source.access != PUBLIC:
            return None
        return source if source.id == document.id else self._public_document(source)

    def parts_of(self, container_id: str) -> list[tuple[str, str | None, str | None]]:
        """A public container's public members; an internal member is not named at all
        (its name alone may say what it is), a member that could not be read is."""
        members = self._catalog.parts_of(container_id) if self.shown_ids([container_id]) else []
        shown = self.shown_ids(doc_id for _name, doc_id, _problem in members if doc_id)
        return [m for m in members if m[1] is None or m[1] in shown]

    def containers_of(self, doc_id: str) -> list[tuple[str, str]]:
        """The public containers a public document came in."""
        containers = self._catalog.containers_of(doc_id) if self.shown_ids([doc_id]) else []
        shown = self.shown_ids(container_id for container_id, _name in containers)
        return [c for c in containers if c[0] in shown]

    def original_path(self, sha256: str) -> Path:
        return self._catalog.original_path(sha256)

    def max_seq(self) -> int:
        return self._catalog.max_seq()

    def schema_version(self) -> int:
        return self._catalog.schema_version()

    def stats(self) -> dict[str, Any]:
        """The status page's counts, of public documents; the last run without its paths
        or file counts (they would count internal files too)."""
        full = self._catalog.stats()
        last_run = full["last_run"]
        if last_run is not None:
            last_run = {**last_run, "command": last_run["command"].split(" ", 1)[0],
                        "counts": None}
        return {
            **full,
            **access_classes.public_stats(self._catalog.db),
            "last_run": last_run,
        }


class VisibleSearcher:
    """The searcher limited to the access classes one viewer may see (all when empty)."""

    def __init__(self, searcher: SearchBackend, access: tuple[str, ...]) -> None:
        self._searcher = searcher
        self.access = access

    def _hits(self, hits: list[Hit]) -> list[Hit]:
        if not self.access:
            return hits
        # The index carries each document's class; a staff change the index has not
        # caught up with yet is checked against the catalog too.
        public = PublicCatalog(archive().raw_catalog)
        shown = public.shown_ids([*(hit.id for hit in hits),
                                  *(i for hit in hits for i in hit.renderings)])
        return [
            replace(
                hit,
                document=public.public_fields(hit.document),
                arende=public.public_arenden([hit.arende])[0] if hit.arende else None,
                renderings=[i for i in hit.renderings if i in shown],
            )
            for hit in hits
            if hit.id in shown
        ]

    def search(self, query: Query) -> Results:
        if self.access:
            query = replace(query, access=list(self.access))
        results = self._searcher.search(query)
        results.hits = self._hits(results.hits)
        return results

    def more_like_this(self, doc_id: str, limit: int = 5) -> list[Hit]:
        return self._hits(self._searcher.more_like_this(doc_id, limit, access=self.access))

    def facet_values(self, name: str) -> list[FacetValue]:
        return self._searcher.facet_values(name, access=self.access)

    def timeline(self, query: Query | None = None) -> list[tuple[str, int]]:
        return self._searcher.timeline(query, access=self.access)

    def facet_spans(self, name: str) -> dict[str, tuple[str, str]]:
        return self._searcher.facet_spans(name, access=self.access)

    def facet_pairs(self, name: str, within: str) -> dict[str, Counter[str]]:
        return self._searcher.facet_pairs(name, within, access=self.access)

    def highlighter(self, text: str) -> Highlighter:
        """Marks the query's matches in a text this viewer already sees (nothing leaks)."""
        return self._searcher.highlighter(text)


class ArchiveAccess:
    """Lazily opened access to the archive in ``home``, as each request's viewer sees it."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._local = threading.local()
        self._lock = threading.Lock()
        self._searcher: SearchBackend | None = None
        self._memo: dict[str, tuple[tuple[int, int], Any]] = {}

    @property
    def raw_catalog(self) -> Catalog:
        """This thread's read-only catalog, unfiltered (:class:`ArchiveError` when there is
        no archive). Routes use :attr:`catalog`."""
        catalog = getattr(self._local, "catalog", None)
        if catalog is None:
            catalog = Catalog(self.home, readonly=True)
            self._local.catalog = catalog
        return catalog

    @property
    def catalog(self) -> Catalog:
        """The catalog as this request's viewer may see it."""
        if viewer_access():
            return PublicCatalog(self.raw_catalog)  # type: ignore[return-value]
        return self.raw_catalog

    @property
    def accounts(self) -> Accounts:
        """This thread's accounts (logins and their brake write through it)."""
        accounts = getattr(self._local, "accounts", None)
        if accounts is None:
            accounts = Accounts.open(self.home)
            self._local.accounts = accounts
        return accounts

    @property
    def raw_searcher(self) -> SearchBackend:
        """The process's search backend, opened on first use (unfiltered)."""
        if self._searcher is None:
            _ = self.raw_catalog  # no archive yet: the catalog's ArchiveError says what to do
            with self._lock:
                if self._searcher is None:
                    self._searcher = backend_for(self.home)
        return self._searcher

    @property
    def searcher(self) -> VisibleSearcher:
        """The searcher as this request's viewer may see it."""
        return self.searcher_for(viewer_role())

    def searcher_for(self, role: str) -> VisibleSearcher:
        """The searcher as someone of ``role`` sees it, whoever asks: for answers made for
        another person than the request's (a saved search's feed behind a private token,
        an alert e-mail). "public" sees public documents only."""
        return VisibleSearcher(self.raw_searcher, access_for(role))

    def versions(self, document: Document) -> list[tuple[int, str, str]]:
        """Every version the document's source path has shown, that this viewer may see."""
        raw = self.raw_catalog
        source = raw.get(document.id, with_text=False)
        versions = raw.versions(source.path) if source is not None else []
        if viewer_access():
            shown = PublicCatalog(raw).shown_ids(doc_id for _n, doc_id, _at in versions)
            versions = [v for v in versions if v[1] in shown]
        return versions

    def job(self) -> dict[str, Any] | None:
        """The running job; for the public only what runs, not its paths or file counts."""
        job = read_job(self.home)
        if job is None or not viewer_access():
            return job
        shown = ("state", "started_at", "updated_at", "eta")
        command = " ".join(str(job.get("command", "")).split()[:2])
        return {"command": command, **{k: job[k] for k in shown if k in job}}

    def memo(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``, kept until the catalog or the index changes (after any ingest).

        For what every page needs but only an ingest changes: the values of the search
        form's lists, the browse pages' facets, project spans. Each worker keeps its own,
        one for each audience (the public, staff).
        """
        version = (self.raw_catalog.max_seq(), self.raw_searcher.status().get("seq", 0))
        key = f"{name}|{','.join(viewer_access())}"
        kept = self._memo.get(key)
        if kept is not None and kept[0] == version:
            return kept[1]  # type: ignore[no-any-return]
        value = compute()
        self._memo[key] = (version, value)
        return value

    def facet_values(self, name: str) -> list[FacetValue]:
        """Every value of a facet over the archive, A–Ö, with counts (kept until an ingest)."""
        return self.memo(f"facet:{name}", lambda: self.searcher.facet_values(name))

    def timeline(self) -> list[tuple[str, int]]:
        """Documents per month over the archive (kept until an ingest)."""
        return self.memo("timeline", self.searcher.timeline)


def archive() -> ArchiveAccess:
    """The archive of the app handling this request."""
    access: ArchiveAccess = current_app.extensions["arkiv"]
    return access
