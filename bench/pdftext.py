"""PDF text benchmark: Arkiv's extractor against pdfminer.six, on synthetic PDFs.

Over ``--pages`` generated pages (:mod:`bench.pdfs`; 10,000 pages = 2,000 PDFs of 5
pages by default) it measures, in one run and with the same ``--workers`` worker
processes (the pipeline's own :class:`indexer.workers.WorkerPool`):

- speed, pages/s and worker CPU time per page: (a) Arkiv's extractor,
  ``indexer.extract.extract`` (pypdfium2 for the text, plus the layout it builds from
  pdfium's text rectangles: blocks of the first pages, two-column reading order), (b) the
  baseline, ``pdfminer.high_level.extract_text`` alone, and (c) pypdfium2's page text
  alone (what (a) costs without its layout work). CPU time is the fair figure when
  other processes share the machine;
- quality against the generator's source text, after the same cleaning
  (``indexer.clean.clean_pages``) for every extractor: word recall (multiset, per
  document), and reading order on two-column pages — the longest common subsequence
  of source and extracted words over the source length, and the share of source word
  bigrams found next to each other — for pages whose content stream follows the
  reading order ("stream") and for pages drawn row by row across both columns ("rows").

Targets: Arkiv ≥ 500 pages/s with two workers; quality no worse than pdfminer.six's.

    python -m bench.pdftext --pages 500          # quick
    python -m bench.pdftext                      # 10,000 pages
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import with_defaults
from bench.pdfs import PdfSource, generate, tokens
from indexer.clean import clean_pages
from indexer.workers import WorkerPool

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
DEFAULT_PAGES = 10_000
PAGES_PER_PDF = 5
TARGET_PAGES_PER_SECOND = 500.0
TIMEOUT = 300.0
MEMORY_MB = 2048
EXTRACTORS = ("arkiv", "pdfminer", "pdfium")
LABELS = {"arkiv": "Arkiv", "pdfminer": "pdfminer.six", "pdfium": "pypdfium2 alone"}
#: Page kinds reading order is reported for.
KINDS = ("1 column", "2 columns, stream", "2 columns, rows")
_PDFIUM_LINE_HYPHEN = re.compile(r"[\ufffe\x02]\r?\n?")


# -- the extractors, as run in the workers ------------------------------------------------


def arkiv_pages(path: str) -> list[str]:
    """Arkiv's extractor: pypdfium2 text and layout (blocks, two-column order)."""
    from indexer.extract import extract

    return extract(path).pages


def pdfminer_pages(path: str) -> list[str]:
    """The baseline: pdfminer.six's ``extract_text``, split at its form feeds."""
    from pdfminer.high_level import extract_text

    pages = extract_text(path).split("\f")
    return pages[:-1] if len(pages) > 1 and not pages[-1].strip() else pages


def pdfium_pages(path: str) -> list[str]:
    """pypdfium2's page text alone (Arkiv's text source without its layout work)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(_PDFIUM_LINE_HYPHEN.sub("-\n", textpage.get_text_range()).replace("\r\n", "\n"))
            textpage.close()
            page.close()
        return pages
    finally:
        document.close()


FUNCTIONS: dict[str, Callable[[str], list[str]]] = {
    "arkiv": arkiv_pages,
    "pdfminer": pdfminer_pages,
    "pdfium": pdfium_pages,
}


# -- quality -------------------------------------------------------------------------------


def matched_words(source: list[str], extracted: list[str]) -> int:
    """How many of the source words the extraction has (as a multiset)."""
    have = Counter(extracted)
    return sum(min(count, have[word]) for word, count in Counter(source).items())


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence of two word lists (bit-parallel, Hyyrö)."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, word in enumerate(a):
        masks[word] = masks.get(word, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for word in b:
        u = v & masks.get(word, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def bigrams_kept(source: list[str], extracted: list[str]) -> int:
    """How many adjacent source word pairs are adjacent in the extraction too."""
    have = Counter(zip(extracted, extracted[1:], strict=False))
    kept = 0
    for pair in zip(source, source[1:], strict=False):
        if have[pair]:
            have[pair] -= 1
            kept += 1
    return kept


def page_texts(text: str, starts: list[int]) -> list[str]:
    """The clean text of each page, from ``clean_pages``'s text and page offsets."""
    ends = [*starts[1:], len(text)]
    return [text[start:end] for start, end in zip(starts, ends, strict=True)]


def page_kind(columns: int, order: str) -> str:
    return "1 column" if columns == 1 else f"2 columns, {order}"


@dataclass
class Quality:
    """Quality of one extractor over the corpus (sums, so big pages weigh more)."""

    source_words: int = 0
    matched: int = 0
    failures: int = 0
    page_mismatches: int = 0
    kind_matched: Counter[str] = field(default_factory=Counter)
    order_words: Counter[str] = field(default_factory=Counter)
    order_lcs: Counter[str] = field(default_factory=Counter)
    order_pairs: Counter[str] = field(default_factory=Counter)
    order_kept: Counter[str] = field(default_factory=Counter)
    order_pages: Counter[str] = field(default_factory=Counter)

    def add(self, source: PdfSource, pages: list[str] | None) -> None:
        words = [tokens(page.text) for page in source.pages]
        self.source_words += sum(len(w) for w in words)
        if pages is None:
            self.failures += 1
            return
        text, starts = clean_pages(pages)
        self.matched += matched_words([w for page in words for w in page], tokens(text))
        if len(pages) != len(source.pages):
            self.page_mismatches += 1
            return
        for page, src, clean in zip(source.pages, words, page_texts(text, starts), strict=True):
            kind = page_kind(page.columns, page.order)
            got = tokens(clean)
            self.order_pages[kind] += 1
            self.order_words[kind] += len(src)
            self.kind_matched[kind] += matched_words(src, got)
            self.order_lcs[kind] += lcs_length(src, got)
            self.order_pairs[kind] += max(0, len(src) - 1)
            self.order_kept[kind] += bigrams_kept(src, got)

    @property
    def recall(self) -> float:
        return self.matched / self.source_words if self.source_words else 0.0

    def kind_recall(self, kind: str) -> float | None:
        return self.kind_matched[kind] / self.order_words[kind] if self.order_words[kind] else None

    def lcs(self, kind: str) -> float | None:
        return self.order_lcs[kind] / self.order_words[kind] if self.order_words[kind] else None

    def bigrams(self, kind: str) -> float | None:
        return self.order_kept[kind] / self.order_pairs[kind] if self.order_pairs[kind] else None

    def to_json(self) -> dict[str, Any]:
        return {
            "word_recall": round(self.recall, 5),
            "failures": self.failures,
            "page_count_mismatches": self.page_mismatches,
            "reading_order": {
                kind: {
                    "pages": self.order_pages[kind],
                    "word_recall": _round(self.kind_recall(kind)),
                    "lcs": _round(self.lcs(kind)),
                    "bigrams": _round(self.bigrams(kind)),
                }
                for kind in KINDS
            },
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 5)


# -- timing ----------------------------------------------------------------------------------


@dataclass
class Timing:
    """Wall time of a run, and the CPU time its worker processes used."""

    seconds: float
    cpu_seconds: float


def time_extractor(
    name: str, paths: list[str], workers: int
) -> tuple[Timing, dict[int, list[str]], dict[int, str]]:
    """Extract every PDF with ``workers`` processes: (timing, pages by PDF, errors).

    The workers' CPU time (from the kernel, once the pool has reaped them) says what
    the work costs even when other processes share the machine.
    """
    results: dict[int, list[str]] = {}
    errors: dict[int, str] = {}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with WorkerPool(FUNCTIONS[name], workers=workers, timeout=TIMEOUT, memory_mb=MEMORY_MB) as pool:
        for result in pool.map_unordered(enumerate(paths)):
            if result.error is not None:
                errors[result.key] = result.error
            else:
                results[result.key] = result.value
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(seconds, cpu), results, errors


def _preload() -> None:
    """Import the extractors' libraries before the workers fork (not part of the timing)."""
    import pdfminer.high_level  # noqa: F401
    import pypdfium2  # noqa: F401

    import indexer.extract.pdf  # noqa: F401


# -- the benchmark ---------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.pdftext", description=__doc__.split("\n\n")[0])
    p.add_argument("--pages", type=int, default=DEFAULT_PAGES, help="pages in all (default 10,000)")
    p.add_argument("--pages-per-pdf", type=int, default=PAGES_PER_PDF)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--extractors", default=",".join(EXTRACTORS),
                   help="comma-separated, of: " + ", ".join(EXTRACTORS))
    p.add_argument("--corpus", type=Path, default=None,
                   help="folder for the generated PDFs (default bench/out/pdfs/…; reused)")
    p.add_argument("--json", type=Path, default=None,
                   help="where to write the results (default bench/out/pdftext-PAGES.json)")
    return p


def run(args: argparse.Namespace | None = None) -> dict[str, Any]:
    """Run the benchmark, print its table, and return the figures."""
    options = with_defaults(parser(), args)
    names = [n.strip() for n in options.extractors.split(",") if n.strip()]
    unknown = set(names) - set(EXTRACTORS)
    if unknown:
        raise SystemExit(f"unknown extractor(s): {', '.join(sorted(unknown))}")
    pdfs = max(1, options.pages // options.pages_per_pdf)
    folder = options.corpus or OUT / "pdfs" / f"seed{options.seed}-{pdfs}x{options.pages_per_pdf}"
    started = time.perf_counter()
    sources = generate(folder, pdfs, pages=options.pages_per_pdf, seed=options.seed, workers=options.workers)
    generated = time.perf_counter() - started
    pages = sum(len(s.pages) for s in sources)
    paths = [s.path for s in sources]
    print(f"corpus: {len(sources)} PDFs, {pages} pages in {folder} (ready in {generated:.1f} s)", flush=True)

    _preload()
    from bench.ingest import code_fingerprint

    figures: dict[str, Any] = {
        "pages": pages, "pdfs": len(sources), "workers": options.workers, "corpus": str(folder),
        "started_at": time.strftime("%Y-%m-%d %H:%M:%S"), "code": code_fingerprint(),
        "page_kinds": dict(Counter(page_kind(p.columns, p.order) for s in sources for p in s.pages)),
        "extractors": {},
    }
    for name in names:
        load_before = os.getloadavg()[0]
        timing, results, errors = time_extractor(name, paths, options.workers)
        quality = Quality()
        for index, source in enumerate(sources):
            quality.add(source, results.get(index))
        per_cpu = pages / timing.cpu_seconds if timing.cpu_seconds else 0.0
        figures["extractors"][name] = {
            "seconds": round(timing.seconds, 3),
            "pages_per_second": round(pages / timing.seconds, 2),
            "worker_cpu_seconds": round(timing.cpu_seconds, 3),
            "pages_per_cpu_second": round(per_cpu, 2),
            "cpu_ms_per_page": round(1000 * timing.cpu_seconds / pages, 3),
            "load_average_before": load_before,
            "errors": len(errors),
            "first_errors": sorted(set(errors.values()))[:3],
            **quality.to_json(),
        }
        print(f"  {LABELS[name]:16} {pages / timing.seconds:8.1f} pages/s  ({timing.seconds:.1f} s; "
              f"{per_cpu:.1f} pages per worker CPU second; load before {load_before:.1f}; "
              f"{len(errors)} errors)", flush=True)
    print(table(figures))
    target = options.json or OUT / f"pdftext-{pages}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {target}")
    return figures


def table(figures: dict[str, Any]) -> str:
    """The results side by side, with the Arkiv / pdfminer.six ratio and the targets."""
    results = figures["extractors"]
    names = list(results)
    kinds = figures["page_kinds"]
    compare = "arkiv" in results and "pdfminer" in results

    def row(label: str, path: tuple[str, ...], spec: str, ratio_spec: str = "{:.3f}") -> str:
        values = []
        for name in names:
            value: Any = results[name]
            for key in path:
                value = value[key]
            values.append(value)
        cells = "".join(f"{'—' if v is None else spec.format(v):>17}" for v in values)
        ratio = ""
        if compare:
            a, b = values[names.index("arkiv")], values[names.index("pdfminer")]
            ratio = ratio_spec.format(a / b) if a is not None and b else "—"
        return f"{label:44}{cells}{ratio:>10}"

    lines = [
        f"PDF text: {figures['pages']} pages ({figures['pdfs']} PDFs), {figures['workers']} workers; "
        "quality after indexer.clean.clean_pages",
        f"{'':44}" + "".join(f"{LABELS[n]:>17}" for n in names) + (f"{'ratio':>10}" if compare else ""),
        row("pages/s (wall clock)", ("pages_per_second",), "{:.1f}", "{:.2f}×"),
        row("pages per worker CPU second", ("pages_per_cpu_second",), "{:.1f}", "{:.2f}×"),
        row("worker CPU ms per page", ("cpu_ms_per_page",), "{:.3f}", "{:.2f}×"),
        row("word recall, all pages", ("word_recall",), "{:.4f}"),
    ]
    for kind in KINDS:
        if kinds.get(kind):
            lines.append(row(f"word recall, {kind} ({kinds[kind]} p)",
                             ("reading_order", kind, "word_recall"), "{:.4f}"))
    for kind in KINDS:
        if kinds.get(kind):
            for measure, label in (("lcs", "order LCS"), ("bigrams", "order bigrams")):
                lines.append(row(f"{label}, {kind}", ("reading_order", kind, measure), "{:.4f}"))
    lines.append(f"{'errors':44}" + "".join(f"{results[n]['errors']:>17}" for n in names))
    if "arkiv" in results:
        speed = results["arkiv"]["pages_per_second"]
        ideal = figures["workers"] * results["arkiv"]["pages_per_cpu_second"]
        verdict = "met" if speed >= TARGET_PAGES_PER_SECOND else "NOT met"
        lines.append(f"target ≥ {TARGET_PAGES_PER_SECOND:.0f} pages/s with {figures['workers']} workers: "
                     f"{verdict} ({speed:.1f} measured; at most {ideal:.1f} on {figures['workers']} "
                     "otherwise idle cores, from the workers' CPU time)")
    if compare:
        worse = _worse_than(results["arkiv"], results["pdfminer"], kinds)
        lines.append("quality no worse than pdfminer.six: " + ("met" if not worse else "NOT met on " + "; ".join(worse)))
    return "\n".join(lines)


def _worse_than(arkiv: dict[str, Any], pdfminer: dict[str, Any], kinds: dict[str, int]) -> list[str]:
    """The quality measures where Arkiv is clearly (by more than 0.005) below pdfminer."""
    worse = []
    if arkiv["word_recall"] < pdfminer["word_recall"] - 0.005:
        worse.append("word recall (all pages)")
    for kind in KINDS:
        if not kinds.get(kind):
            continue
        for measure in ("word_recall", "lcs", "bigrams"):
            a = arkiv["reading_order"][kind][measure]
            b = pdfminer["reading_order"][kind][measure]
            if a is not None and b is not None and a < b - 0.005:
                worse.append(f"{measure.replace('_', ' ')} on {kind} pages")
    return worse


def main(argv: list[str] | None = None) -> int:
    """Run from the command line; exit 1 when an extractor failed on some PDF."""
    figures = run(parser().parse_args(argv))
    return 1 if any(r["errors"] for r in figures["extractors"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
