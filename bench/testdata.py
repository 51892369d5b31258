"""How many files of ``../shared/testdata`` Arkiv fails on, and why (not a speed figure).

Ingests the whole folder into a fresh, temporary ``ARKIV_HOME`` as a new user would
(``arkiv index DIR``) and reports the files given, the documents made (a mail's
attachments and an archive's members are documents too), the failures, and how many
of the failures are for the file type alone ("unsupported file type").

    python -m bench.testdata                       # ../shared/testdata
    python -m bench.testdata --folder DIR --list   # another folder; list every failure
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from indexer.pipeline import index_paths

DEFAULT_FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "testdata"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.testdata", description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--list", action="store_true", help="list every failure with its reason")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"no such folder: {args.folder}")
        return 1
    with tempfile.TemporaryDirectory(prefix="arkiv-bench-testdata-") as home:
        report = index_paths(home, [args.folder], workers=args.workers)
    members = report.members
    files = [o for o in report.outcomes if o not in members]
    failed_files = [o for o in files if o.status == "failed"]
    failed_members = [o for o in members if o.status == "failed"]
    unsupported = [o for o in failed_files if "unsupported file type" in (o.reason or "")]
    print(f"{args.folder}: {len(files)} files, {len(failed_files)} failed "
          f"({len(unsupported)} for the file type alone); "
          f"{len(members)} members of mails and archives, {len(failed_members)} failed")
    reasons = Counter((o.reason or "").split(":")[0] for o in failed_files + failed_members)
    for reason, n in reasons.most_common():
        print(f"  {n:4d}  {reason}")
    if args.list:
        for outcome in failed_files + failed_members:
            print(f"failed: {outcome.path}: {outcome.reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
