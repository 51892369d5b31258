"""The ``arkiv`` command line: index, reindex, search, show, stats, failures, projects,
users, tokens, serve.

Exit codes (DESIGN.md): 0 ok, 1 some inputs failed (listed), 2 usage error. Errors are
one clear line on stderr, never a traceback (set ``ARKIV_DEBUG=1`` to see one).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import click

from archive import faceting, fields
from archive.catalog import Catalog
from archive.db import catalog_exists
from archive.document_json import document_json, versions_json
from archive.home import DATABASE_ENV, ArchiveError, resolve_home
from archive.models import DOCUMENT_FIELDS, Document, arende_citation
from archive.query import (
    MAX_PAGE_SIZE,
    SORTS,
    Query,
    Results,
    asked_fields,
    date_bound,
    hit_field_names,
)
from indexer.extract.ocr import MODES as OCR_MODES
from indexer.progress import MODES

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _home(ctx: click.Context) -> Path:
    return resolve_home(ctx.obj.get("home"))


def counted(count: int, one: str, many: str) -> str:
    """``count`` with the word that fits it: "1 träff", "2 träffar", "0 träffar"."""
    return f"{count} {one if count == 1 else many}"


def _registry(value: str | None) -> str | None:
    return value or os.environ.get("ARKIV_REGISTRY") or None


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Archive folder (default: $ARKIV_HOME).",
)
@click.option(
    "--database",
    metavar="URL",
    help="postgresql://… to keep catalog and search in PostgreSQL "
    "(default: $ARKIV_DATABASE_URL; unset = SQLite in the archive folder).",
)
@click.pass_context
def cli(ctx: click.Context, home: Path | None, database: str | None) -> None:
    """Arkiv: archive and full-text search for Swedish municipal documents."""
    ctx.ensure_object(dict)
    ctx.obj["home"] = home
    if database:
        # One place decides: the environment, which workers, served apps and every
        # module that opens the archive read (archive.home.database_url).
        os.environ[DATABASE_ENV] = database


# -- index / reindex / worker ----------------------------------------------------------


def _broker_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from indexer.distributed import check_broker_url

    try:
        return check_broker_url(value) if value else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--registry", type=click.Path(file_okay=False, path_type=Path),
              help="Folder with staff-edited registries (projects.toml …); default $ARKIV_REGISTRY.")
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes (default: one per core).")
@click.option("--timeout", type=click.FloatRange(1, 3600), default=120.0, show_default=True,
              help="Seconds one file may take before it is given up.")
@click.option("--progress", type=click.Choice(MODES), default="auto", show_default=True)
@click.option("--retry-failed", is_flag=True, help="Try files again that failed before, unchanged.")
@click.option("--ocr", "ocr_mode", type=click.Choice(OCR_MODES), default="auto", show_default=True,
              help="Read scans with Tesseract: pages without text and images (auto), also "
                   "scanned pages with a text layer (always), or none (never).")
@click.option("--broker", metavar="URL", callback=_broker_url,
              help="Hand extraction to 'arkiv worker's through this Redis (redis://host:6379/0).")
@click.option("--access", type=click.Choice(("public", "internal")), default="public",
              show_default=True,
              help="internal: only staff see these documents (a sekretess marking, or a "
                   "folder rule in the registry's access.toml, makes a document internal too).")
@click.pass_context
def index(
    ctx: click.Context, paths: tuple[Path, ...], registry: Path | None, workers: int | None,
    timeout: float, progress: str, retry_failed: bool, access: str, broker: str | None,
    ocr_mode: str,
) -> int:
    """Ingest files and folders (recursively; unchanged files are skipped)."""
    from indexer.pipeline import discover, index_paths

    home = _home(ctx)
    if not catalog_exists(home):  # no archive is made for nothing
        found = discover(paths)
        if not any(reason is None for _, reason in found):
            why = "; ".join(f"{path}: {reason}" for path, reason in discover(paths))
            raise ArchiveError(f"nothing to ingest ({why or 'no files'}); no archive created "
                               f"at {home}")
    report = index_paths(
        home, paths, registry_dir=_registry(registry and str(registry)),
        workers=workers, timeout=timeout, progress=progress, retry_failed=retry_failed,
        access=access, broker=broker, ocr_mode=ocr_mode,
    )
    counts = report.counts
    members = len(report.members)
    ocr_pages = f", {report.ocr_pages} by OCR" if report.ocr_pages else ""
    files = counted(len(report.outcomes) - members, "file", "files") + (
        " and " + counted(members, "attachment or archive member",
                          "attachments or archive members") if members else "")
    click.echo(
        f"{counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged, "
        f"{counts['failed']} failed ({files}, {counted(report.pages, 'page', 'pages')}{ocr_pages}, "
        f"{report.elapsed:.1f} s)",
        err=True,
    )
    _needs_ocr_line(report.needs_ocr, ocr_mode)
    if report.failed_before:
        click.echo(
            f"{counted(len(report.failed_before), 'unchanged file', 'of the unchanged files')}"
            " failed in an earlier run "
            "('arkiv failures' lists them; --retry-failed tries them again)",
            err=True,
        )
    for failure in report.failures:
        click.echo(f"failed: {failure.path}: {failure.reason}", err=True)
    return EXIT_FAILED if report.failures else EXIT_OK


def _needs_ocr_line(files: int, ocr_mode: str) -> None:
    """One line when files were left unread for want of OCR, saying what to do."""
    from indexer.extract import ocr

    if not files:
        return
    why = "OCR is off: --ocr=never" if ocr_mode == "never" else ocr.missing()
    if why:
        click.echo(f"{files} files need OCR: {why}; then run "
                   "'arkiv reindex --reextract --only-needs-ocr'", err=True)


@cli.command()
@click.option("--reextract", is_flag=True, help="Re-run extraction on every original first.")
@click.option("--only-needs-ocr", is_flag=True,
              help="Re-extract only documents an earlier run flagged as needing OCR.")
@click.option("--ocr", "ocr_mode", type=click.Choice(OCR_MODES), default="auto", show_default=True,
              help="OCR while re-extracting (see arkiv index --ocr).")
@click.option("--if-needed", is_flag=True, help="Only rebuild when the index is missing or outdated.")
@click.option("--registry", type=click.Path(file_okay=False, path_type=Path))
@click.option("--workers", type=click.IntRange(1, 64))
@click.option("--progress", type=click.Choice(MODES), default="auto", show_default=True)
@click.pass_context
def reindex(
    ctx: click.Context, reextract: bool, only_needs_ocr: bool, ocr_mode: str, if_needed: bool,
    registry: Path | None, workers: int | None, progress: str,
) -> int:
    """Rebuild the search index from the catalog, beside the live one, then swap."""
    from archive.engine import backend_for
    from indexer.pipeline import reindex as run_reindex

    home = _home(ctx)
    Catalog(home, readonly=True).close()  # a clear error when there is no archive
    if if_needed and not reextract and not backend_for(home).needs_rebuild():
        click.echo("index is up to date", err=True)
        return EXIT_OK
    if only_needs_ocr and not reextract:
        raise click.UsageError("--only-needs-ocr goes with --reextract")
    count = run_reindex(
        home, reextract=reextract, registry_dir=_registry(registry and str(registry)),
        workers=workers, progress=progress, only_needs_ocr=only_needs_ocr, ocr_mode=ocr_mode,
    )
    click.echo(f"index rebuilt: {counted(count, 'document', 'documents')}", err=True)
    return EXIT_OK


@cli.command()
@click.option("--broker", metavar="URL", required=True, callback=_broker_url,
              help="The Redis that 'arkiv index --broker' hands files out through.")
@click.option("--concurrency", type=click.IntRange(1, 64),
              help="Files extracted at once (default: one per core).")
def worker(broker: str, concurrency: int | None) -> int:
    """Extract files for 'arkiv index --broker' runs, on this machine, until stopped."""
    from indexer.distributed import run_worker

    return run_worker(broker, concurrency=concurrency)


# -- search / show -------------------------------------------------------------------


def _date_option(end: bool):  # noqa: ANN202 - a click callback factory
    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        try:
            return date_bound(value, end=end)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return convert


def _plain(html: str) -> str:
    text = re.sub(r"</?mark>", "*", html)
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        .replace("&#x27;", "'").replace("&#39;", "'").replace("&amp;", "&")
    )


#: How the CLI names an ärende's first snippet.
SNIPPET_LABELS = {"decision": "Beslut", "proposal": "Förslag till beslut"}


def _print_results(results: Results) -> None:
    if results.message:
        click.echo(results.message, err=True)
    first = (results.query.page - 1) * results.query.page_size
    click.echo(counted(results.total, "träff", "träffar"), err=True)
    for number, hit in enumerate(results.hits, start=first + 1):
        doc = hit.document
        facts = [doc.get("doc_type"), doc.get("decision_date") or doc.get("document_date"),
                 doc.get("city"), ", ".join(doc.get("projects") or [])]
        if hit.arende is not None:
            heading = hit.arende.get("heading") or ""
            click.echo(f"{number}. {arende_citation(hit.arende, doc)}: {heading}  "
                       f"[{hit.id}/{hit.arende['key']}]")
        else:
            click.echo(f"{number}. {doc.get('title') or hit.id}  [{hit.id}]")
        line = " · ".join(str(f) for f in facts if f)
        if line:
            click.echo(f"   {line}")
        for snippet in hit.snippets[:2]:
            label = SNIPPET_LABELS.get(snippet.label or "", f"s. {snippet.page}")
            click.echo(f"   {label}: {_plain(snippet.html)}")
    if results.suggestion:
        click.echo(f"Menade du: {results.suggestion}", err=True)


class _SearchCommand(click.Command):
    """``arkiv search hemlöshet -Stockholm``: a word with a leading minus excludes it, as
    on the web, rather than being read as an option (click would see ``-S -t …``).

    Its filter and date options are the fields' (archive.fields), read when it runs.
    """

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return [*_field_options(), *super().get_params(ctx)]

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        short_options = {
            o for p in self.get_params(ctx) for o in getattr(p, "opts", []) if o[:2] != "--"
        }
        rewritten: list[str] = []
        for position, arg in enumerate(args):
            if arg == "--":
                rewritten.extend(args[position:])
                break
            if re.match(r"^-[^-\d]", arg) and arg not in short_options:
                rewritten.extend(["NOT", arg[1:]])
            else:
                rewritten.append(arg)
        return super().parse_args(ctx, rewritten)


def _hit_fields(ctx: click.Context, param: click.Parameter, value: str | None
                ) -> set[str] | None:
    try:
        return asked_fields([value or ""])
    except ValueError as unknown:
        raise click.BadParameter(f"unknown field {str(unknown)!r} "
                                 f"(one of: {', '.join(hit_field_names())})") from None


def _field_options() -> list[click.Option]:
    """The search's filter and date options, one for each field of archive.fields."""
    options = []
    for spec in fields.filters():
        if spec.option:
            choices = spec.schema.get("enum")
            options.append(click.Option(
                [spec.option, spec.name], multiple=True,
                type=click.Choice(choices) if choices else None,
                help=f"{spec.help} Repeatable: any of the values."))
    for spec in fields.date_ranges():
        for option, attribute, end in zip(spec.options, spec.attributes, (False, True),
                                          strict=True):
            bound = "Up to" if end else "From"
            options.append(click.Option(
                [option, attribute], callback=_date_option(end),
                help=f"{spec.help} {bound} YYYY[-MM[-DD]]."))
    return options


@cli.command(cls=_SearchCommand)
@click.argument("words", nargs=-1)
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--page", type=click.IntRange(1, 100000), default=1)
@click.option("--page-size", type=click.IntRange(1, MAX_PAGE_SIZE), default=10)
@click.option("--json", "as_json", is_flag=True, help="Print the search JSON of the API.")
@click.option("--fields", "hit_fields", callback=_hit_fields, metavar="NAME,...",
              help="With --json: the fields each hit carries (default: all but arenden).")
@click.pass_context
def search(ctx: click.Context, words: tuple[str, ...], as_json: bool, sort: str, page: int,
           page_size: int, hit_fields: set[str] | None, **chosen: Any) -> int:
    """Search the archive: words, "phrases", OR, -not, prefix*, field:value."""
    from archive.engine import backend_for

    query = Query(
        " ".join(words),
        filters={spec.name: list(chosen[spec.name]) for spec in fields.filters() if spec.option},
        **{attribute: chosen[attribute] for spec in fields.date_ranges() if spec.option
           for attribute in spec.attributes},
        sort=sort, page=page, page_size=page_size,
    )
    home = _home(ctx)
    Catalog(home, readonly=True).close()
    results = faceting.search(backend_for(home), query)
    if as_json:
        data = results.to_json(hit_fields)
        if hit_fields is not None and "versions" in hit_fields:
            with Catalog(home, readonly=True) as catalog:
                for hit in data["hits"]:
                    found = catalog.get(hit["id"], with_text=False)
                    versions = catalog.versions(found.path) if found else []
                    hit["versions"] = versions_json(versions, hit["id"])
        _echo_json(data)
    else:
        _print_results(results)
    return EXIT_OK


def find_document(catalog: Catalog, ref: str) -> Document | None:
    """A document by id, or by the path it was ingested from."""
    doc = catalog.get(ref)
    if doc is None:
        candidate = Path(ref).expanduser()
        for path in (candidate.resolve(), candidate.absolute()):
            doc = catalog.get_by_path(str(path))
            if doc is not None:
                break
    return doc


@cli.command()
@click.argument("ref", metavar="ID|PATH")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show(ctx: click.Context, ref: str, as_json: bool) -> int:
    """Show one document, by id or by the path it was ingested from."""
    with Catalog(_home(ctx), readonly=True) as catalog:
        doc = find_document(catalog, ref)
        if doc is None:
            raise ArchiveError(f"no document with id or path {ref!r}")
        data = document_json(doc, renderings=catalog.renderings(doc.id),
                             versions=catalog.versions(doc.path), staff=True)
    if as_json:
        _echo_json(data)
        return EXIT_OK
    for name in DOCUMENT_FIELDS:
        value = data[name]
        if isinstance(value, list):
            value = "; ".join(
                v if isinstance(v, str) else " ".join(str(x) for x in v.values() if x)
                for v in value
            )
        click.echo(f"{name:>16}: {value if value not in (None, '') else '–'}")
    click.echo()
    click.echo(data["text"])
    return EXIT_OK


# -- status -------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> int:
    """Counts: documents, renderings, versions, failures, last run."""
    with Catalog(_home(ctx), readonly=True) as catalog:
        data = catalog.stats()
    if as_json:
        _echo_json(data)
        return EXIT_OK
    click.echo(f"documents:        {data['documents']}")
    click.echo(f"other renderings: {data['renderings']}")
    click.echo(f"earlier versions: {data['earlier_versions']}")
    click.echo(f"paths:            {data['paths']}")
    click.echo(f"needs OCR:        {data['needs_ocr']}")
    click.echo(f"failed files:     {data['failures']}")
    for doc_type, count in data["by_type"].items():
        click.echo(f"  {doc_type:<18}{count}")
    if data["last_run"]:
        run = data["last_run"]
        click.echo(f"last run:         {run['started_at']} {run['command']} {run['counts'] or ''}")
    return EXIT_OK


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def failures(ctx: click.Context, as_json: bool) -> int:
    """Files whose latest ingest failed, with the reason."""
    with Catalog(_home(ctx), readonly=True) as catalog:
        rows = catalog.failures()
    if as_json:
        _echo_json([{"path": p, "reason": r, "at": at} for p, r, at in rows])
    else:
        for path, reason, _at in rows:
            click.echo(f"{path}: {reason}")
    return EXIT_OK


@cli.command()
@click.option("--candidates", is_flag=True, help="Names found in documents but not in the registry.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def projects(ctx: click.Context, candidates: bool, as_json: bool) -> int:
    """Projects in the archive, or (--candidates) discovered names for staff to confirm."""
    with Catalog(_home(ctx), readonly=True) as catalog:
        if candidates:
            from archive.corrections import project_decisions

            decided = project_decisions(catalog)  # confirmed, merged or rejected by staff
            rows = [(n, c) for n, c in catalog.project_candidates() if n not in decided]
        else:
            counts: dict[str, int] = {}
            for doc in catalog.iter_documents(with_text=False):
                for name in doc.get("projects"):
                    counts[name] = counts.get(name, 0) + 1
            rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if as_json:
        _echo_json([{"name": n, "documents": c} for n, c in rows])
    else:
        for name, count in rows:
            click.echo(f"{count:>6}  {name}")
    return EXIT_OK


@cli.command()
@click.option("--quick", is_flag=True, help="Check originals by size only, without hashing.")
@click.option("--repair", is_flag=True,
              help="Restore missing or corrupt originals from their unchanged sources.")
@click.option("--from", "export", type=click.Path(exists=True, path_type=Path),
              help="With --repair: an export (arkiv export) to restore originals from too.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def check(
    ctx: click.Context, quick: bool, repair: bool, export: Path | None, as_json: bool
) -> int:
    """Verify catalog, originals and index; repair what can be repaired."""
    from archive.check import check_archive
    from archive.home import write_lock

    home = _home(ctx)
    Catalog(home, readonly=True).close()
    with write_lock(home, purpose="arkiv check"):
        report = check_archive(home, verify_hashes=not quick, repair=repair or bool(export),
                               export=export)
    if as_json:
        _echo_json({
            "ok": report.ok, "documents": report.documents,
            "originals_verified": report.originals_verified,
            "problems": report.problems, "repaired": report.repaired,
        })
    else:
        click.echo(
            f"{report.documents} documents, {report.originals_verified} originals verified",
            err=True,
        )
        for line in report.repaired:
            click.echo(f"repaired: {line}", err=True)
        for line in report.problems:
            click.echo(f"problem: {line}", err=True)
        click.echo("archive is intact" if report.ok else "archive has problems", err=True)
    return EXIT_OK if report.ok else EXIT_FAILED


@cli.command("export")
@click.argument("target", type=click.Path(path_type=Path))
@click.pass_context
def export_command(ctx: click.Context, target: Path) -> int:
    """Write originals + metadata (JSON lines) to a new folder or a .tar.gz."""
    from archive.backup import export_archive

    with Catalog(_home(ctx), readonly=True) as catalog:
        counts = export_archive(catalog, target)
    click.echo(f"exported {counted(counts['documents'], 'document', 'documents')} to {target}", err=True)
    return EXIT_OK


@cli.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.pass_context
def import_command(ctx: click.Context, source: Path) -> int:
    """Restore an export into a new, empty archive and rebuild its index."""
    from archive.backup import import_archive
    from archive.engine import backend_for
    from archive.home import write_lock

    home = _home(ctx)
    with write_lock(home, purpose="arkiv import"), Catalog(home) as catalog:
        counts = import_archive(catalog, source)
        backend_for(home).rebuild(catalog)
    click.echo(f"imported {counted(counts['documents'], 'document', 'documents')} from {source}",
               err=True)
    return EXIT_OK


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    """``NAME=VALUE`` options as a dict, or a usage error naming the bad one."""
    pairs = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name.strip() or not rest.strip():
            raise click.UsageError(f"{what} takes NAME=VALUE, not {value!r}")
        pairs[name.strip()] = rest.strip()
    return pairs


@cli.command()
@click.option("--server", "servers", multiple=True, metavar="NAME=URL",
              help="A shard server (postgresql://…); repeat for each.")
@click.option("--kommun", "kommuner", multiple=True, metavar="KOMMUN=NAME",
              help="Keep a kommun's search rows on the named shard server; repeat for each.")
@click.option("--clear", is_flag=True, help="Keep all search rows on this server again.")
def shards(servers: tuple[str, ...], kommuner: tuple[str, ...], clear: bool) -> int:
    """Show or set how a PostgreSQL archive's search tables are split by kommun over
    shard servers (postgres_fdw partitions); takes effect at the next 'arkiv reindex'."""
    from archive.engine import pgshards
    from archive.home import database_url

    url = database_url()
    if url is None:
        raise click.UsageError(f"shards need a PostgreSQL archive: set {DATABASE_ENV} "
                               "or give --database")
    if clear or servers or kommuner:
        if clear and (servers or kommuner):
            raise click.UsageError("--clear takes no --server or --kommun")
        pgshards.configure(url, _pairs(servers, "--server"), _pairs(kommuner, "--kommun"))
        click.echo("shard layout saved; run 'arkiv reindex' to move the search rows", err=True)
    layout = pgshards.layout(url)
    if not layout["kommuner"]:
        click.echo("one server: no shards")
        return EXIT_OK
    for name, server in sorted(layout["servers"].items()):
        held = sorted(k for k, s in layout["kommuner"].items() if s == name)
        click.echo(f"{name}\t{server}\t{', '.join(held)}")
    return EXIT_OK


@cli.command()
@click.option("--to", "target", required=True, metavar="URL",
              help="The PostgreSQL database to move the catalog into (postgresql://…).")
@click.pass_context
def migrate(ctx: click.Context, target: str) -> int:
    """Move the embedded archive's catalog into an empty PostgreSQL database."""
    from archive.db import redacted
    from archive.migrate import migrate_to_postgres

    def progress(table: str, rows: int) -> None:
        if rows:
            click.echo(f"  {table}: {counted(rows, 'row', 'rows')}", err=True)

    counts = migrate_to_postgres(_home(ctx), target, progress=progress)
    where = redacted(target)
    if counts is None:
        click.echo(f"the archive is already in {where}; nothing to do", err=True)
    else:
        # The moved archive answers searches at once: its search tables are built there.
        from archive.engine import backend_for

        with Catalog(_home(ctx), readonly=True, database=target) as catalog:
            backend = backend_for(_home(ctx), database=target)
            try:
                entries = backend.rebuild(catalog)
            finally:
                backend.close()
        click.echo(f"  search: {counted(entries, 'entry', 'entries')} indexed", err=True)
        click.echo(f"moved {counted(counts['documents'], 'document', 'documents')} to {where}; "
                   f"from now on run arkiv with --database {where} "
                   f"(or {DATABASE_ENV}); the originals stay in {_home(ctx)}", err=True)
    return EXIT_OK


# -- accounts and API tokens ---------------------------------------------------------


def _read_password(prompt: str) -> str:
    """A password from the terminal (not echoed, typed twice), else one line of stdin."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(f"{prompt}: ")
        if getpass.getpass("Again: ") != first:
            raise click.UsageError("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _accounts(ctx: click.Context):  # noqa: ANN202 - Accounts over a writable catalog
    from archive.accounts import Accounts

    catalog = Catalog(_home(ctx))
    ctx.call_on_close(catalog.close)
    return Accounts(catalog.db)


def _list_accounts(rows: list[Any], as_json: bool, seen: str) -> int:
    """Accounts or tokens: name, role, when made, when last seen ("login" or "used")."""
    if as_json:
        _echo_json([{"name": a.name, "role": a.role, "created_at": a.created_at,
                     f"last_{seen}_at": a.last_seen} for a in rows])
        return EXIT_OK
    for account in rows:
        click.echo(f"{account.name:<24} {account.role:<6} last {seen} {account.last_seen or '–'}")
    return EXIT_OK


@cli.group()
def users() -> None:
    """Staff and admin accounts (the public needs none)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(("staff", "admin")), default="staff", show_default=True)
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str) -> int:
    """Add an account; the password is asked for (or read from stdin when piped)."""
    accounts = _accounts(ctx)
    account = accounts.add_user(name, role, _read_password(f"Password for {name}"))
    click.echo(f"user {account.name} added ({account.role})", err=True)
    return EXIT_OK


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> int:
    """Accounts with their role, when made and when last logged in."""
    return _list_accounts(_accounts(ctx).users(), as_json, "login")


@users.command("remove")
@click.argument("name")
@click.pass_context
def users_remove(ctx: click.Context, name: str) -> int:
    """Remove an account (its sessions end at once)."""
    _accounts(ctx).remove_user(name)
    click.echo(f"user {name} removed", err=True)
    return EXIT_OK


@users.command("passwd")
@click.argument("name")
@click.pass_context
def users_passwd(ctx: click.Context, name: str) -> int:
    """Set a new password (the account's sessions end; its failed logins are forgotten)."""
    accounts = _accounts(ctx)
    if accounts.user(name) is None:
        raise ArchiveError(f"there is no user {name!r}")
    accounts.set_password(name, _read_password(f"New password for {name}"))
    click.echo(f"password of {name} changed", err=True)
    return EXIT_OK


@cli.group()
def tokens() -> None:
    """API tokens for scripts (sent as 'Authorization: Bearer TOKEN')."""


@tokens.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(("staff", "admin")), default="staff", show_default=True)
@click.pass_context
def tokens_add(ctx: click.Context, name: str, role: str) -> int:
    """Make a token and print it, once: only its hash is kept."""
    token = _accounts(ctx).add_token(name, role)
    click.echo(token)
    click.echo(f"token {name} added ({role}); it is not shown again", err=True)
    return EXIT_OK


@tokens.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def tokens_list(ctx: click.Context, as_json: bool) -> int:
    """Tokens by name and role (never their values)."""
    return _list_accounts(_accounts(ctx).tokens(), as_json, "used")


@tokens.command("remove")
@click.argument("name")
@click.pass_context
def tokens_remove(ctx: click.Context, name: str) -> int:
    """Revoke a token."""
    _accounts(ctx).remove_token(name)
    click.echo(f"token {name} removed", err=True)
    return EXIT_OK


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), help="Server processes (default: measured best).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int | None) -> int:
    """Serve the web app and JSON API under a production WSGI server (gunicorn)."""
    from archive.engine import backend_for
    from archive.home import write_lock
    from web.serve import serve as run_server

    home = _home(ctx)
    with Catalog(home) as catalog:
        index = backend_for(home)
        if index.needs_rebuild():
            click.echo("building the search index …", err=True)
            with write_lock(home, purpose="arkiv serve (building the index)"):
                index.rebuild(catalog)
    click.echo(f"Arkiv on http://{host}:{port}/ (archive {home})", err=True)
    run_server(home, host, port, workers)
    return EXIT_OK


@cli.group()
def alerts() -> None:
    """Saved searches (bevakningar): e-mail each user the new documents that match theirs."""


@alerts.command("send")
@click.pass_context
def alerts_send(ctx: click.Context) -> int:
    """Send each user one digest of their saved searches' new matches (run from cron).

    SMTP settings: ARKIV_HOME/config.toml [smtp] or ARKIV_SMTP_* (see archive/alerts.py).
    """
    from archive.alerts import send_digests
    from web import create_app
    from web.alerts import saved_query

    home = _home(ctx)
    Catalog(home, readonly=True).close()  # a clear error when there is no archive
    with create_app({"ARKIV_HOME": str(home)}).test_request_context():
        report = send_digests(home, saved_query)
    for user, count in report.sent:
        click.echo(f"sent: {user}: {counted(count, 'new document', 'new documents')}", err=True)
    for user, reason in report.failed:
        click.echo(f"failed: {user}: {reason}", err=True)
    click.echo(f"{counted(len(report.sent), 'digest', 'digests')} sent, {len(report.failed)} failed", err=True)
    return EXIT_FAILED if report.failed else EXIT_OK


@cli.group(hidden=True)
def jobs() -> None:
    """Jobs staff start from the web (uploads, reindex, check)."""


@jobs.command("run")
@click.argument("job_id", type=int)
@click.pass_context
def jobs_run(ctx: click.Context, job_id: int) -> int:
    """Run a job the web app queued (the app starts this; see archive/webjobs.py)."""
    from indexer.staff_jobs import run_job

    job = run_job(_home(ctx), job_id)
    if job.state == "failed":
        click.echo(f"job {job_id} failed: {job.result.get('error')}", err=True)
        return EXIT_FAILED
    return EXIT_OK


def _crash_report(argv: list[str] | None) -> str | None:
    """Write the traceback of an unexpected error to a file for the bug report (the user
    sees one line naming it); None when even that cannot be written."""
    try:
        handle, name = tempfile.mkstemp(prefix="arkiv-crash-", suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as report:
            report.write(f"arkiv {' '.join(sys.argv[1:] if argv is None else argv)}\n\n")
            report.write(traceback.format_exc())
        return name
    except OSError:
        return None


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``arkiv`` console script."""
    try:
        code = cli.main(args=argv, prog_name="arkiv", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("arkiv: interrupted", err=True)
        code = 130
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except ArchiveError as exc:
        click.echo(f"arkiv: error: {exc}", err=True)
        code = EXIT_FAILED
    except KeyboardInterrupt:
        click.echo("arkiv: interrupted; run the same command again to continue", err=True)
        code = 130
    except OSError as exc:  # the system refused: disk full, read-only, permissions …
        if os.environ.get("ARKIV_DEBUG"):
            traceback.print_exc()
        where = f": {exc.filename}" if exc.filename else ""
        click.echo(f"arkiv: error: {exc.strerror or exc}{where}", err=True)
        code = EXIT_FAILED
    except sqlite3.OperationalError as exc:  # "database or disk is full" …
        if os.environ.get("ARKIV_DEBUG"):
            traceback.print_exc()
        click.echo(f"arkiv: error: the catalog could not be written: {exc}", err=True)
        code = EXIT_FAILED
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if os.environ.get("ARKIV_DEBUG"):
            traceback.print_exc()
        detail = str(exc).splitlines()[0] if str(exc) else ""
        report = _crash_report(argv)
        where = f" (details in {report}; please report it)" if report else ""
        click.echo(f"arkiv: internal error: {type(exc).__name__}: {detail}{where}", err=True)
        code = EXIT_FAILED
    sys.exit(code if isinstance(code, int) else EXIT_OK)
