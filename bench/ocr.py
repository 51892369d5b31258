"""OCR benchmark: pages/s of Arkiv's OCR on two workers beside Tesseract run alone.

The pages are ``bench.scans``' documents as bilevel Group 4 TIFF pages at 300 dpi
(``--copies`` of each). Both sides read the same pages with the Swedish and English
models and one thread per process (``OMP_THREAD_LIMIT=1``):

- Arkiv: ``indexer.extract.extract`` on each file in the pipeline's own
  :class:`indexer.workers.WorkerPool` with ``--workers`` workers (deskew check,
  TSV parsing, orientation check of poor pages included);
- baseline: ``tesseract FILE stdout -l swe+eng``, one file at a time, alone.

The ratio (Arkiv pages/s ÷ Tesseract alone) shows what the pool gains on N cores
and what Arkiv's own steps cost.

    python -m bench.ocr --copies 1
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import with_defaults
from bench.scans import DOCUMENTS, save, scans
from indexer.extract import extract, ocr
from indexer.workers import WorkerPool


def _pages(path: str) -> int:
    return len(extract(path).pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ocr", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--copies", type=int, default=1, help="copies of each document's pages")
    args = with_defaults(parser, parser.parse_args(argv))
    if ocr.missing():
        print(f"bench.ocr: {ocr.missing()}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="arkiv-bench-ocr-") as tmp:
        files = []
        for copy in range(args.copies):
            for document in DOCUMENTS:
                for number, image in enumerate(scans(document, seed=copy + 1), start=1):
                    files.append(str(save([image], Path(tmp) / f"{document.name}-{copy}-{number}.tif")))
        pages = len(files)

        started = time.perf_counter()
        for path in files:
            subprocess.run(["tesseract", path, "stdout", "-l", "+".join(ocr.LANGUAGES)],
                           capture_output=True, check=True,
                           env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        alone = pages / (time.perf_counter() - started)

        started = time.perf_counter()
        read = 0
        with WorkerPool(_pages, workers=args.workers, timeout=600) as pool:
            for result in pool.map_unordered((path, path) for path in files):
                if result.error:
                    print(f"bench.ocr: {result.key}: {result.error}", file=sys.stderr)
                    return 1
                read += result.value
        arkiv = read / (time.perf_counter() - started)
    print(f"OCR, {pages} pages at 300 dpi: Arkiv {arkiv:.2f} pages/s on {args.workers} workers, "
          f"Tesseract alone {alone:.2f} pages/s (ratio {arkiv / alone:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
