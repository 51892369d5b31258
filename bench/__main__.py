"""``python -m bench`` (``make bench``): every benchmark with its default sizes.

    python -m bench                               # all of them (hours)
    python -m bench --only search --docs 10000    # one, with its own options
    python -m bench --list

Options after ``--only NAME[,NAME]`` go to each chosen benchmark. Results are printed
and kept under ``bench/out/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
import time

#: Benchmark modules of this package, in the order they run (``main(argv) -> int``).
BENCHMARKS = ("search", "access", "ingest", "merge", "pdftext", "ocr", "load", "workers",
              "postgres")


def available() -> list[str]:
    return [name for name in BENCHMARKS if importlib.util.find_spec(f"bench.{name}")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated benchmarks (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks")
    args, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    names = available()
    if args.list:
        print("\n".join(names))
        return 0
    chosen = [n.strip() for n in args.only.split(",")] if args.only else names
    unknown = [n for n in chosen if n not in names]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)} (choose from {', '.join(names)})")
    failed = []
    for name in chosen:
        print(f"== bench.{name} {' '.join(rest)}".rstrip(), flush=True)
        started = time.perf_counter()
        status = importlib.import_module(f"bench.{name}").main(rest)
        print(f"== bench.{name}: {'ok' if not status else f'exit {status}'} "
              f"in {time.perf_counter() - started:.0f} s", flush=True)
        if status:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
