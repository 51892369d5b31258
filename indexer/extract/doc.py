"""Word 97–2003 documents (.doc): the text through Debian's ``antiword``, else ``catdoc``.

Old diarium exports are full of .doc files. ``antiword`` keeps paragraphs (a blank line
between them) and is the better reader; ``catdoc`` reads some files antiword refuses
(fast-saved documents, Word 6). Each runs as a subprocess with its own time limit; a
machine without either gets one line saying what to install.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from indexer.clean import normalise_characters
from indexer.extract import DOC, Extracted, ExtractionError

#: Seconds a reader may take over one file (the worker's own limit is longer).
TIMEOUT = 60.0
#: The readers, best first: the command line that prints a file's text as UTF-8.
READERS: tuple[tuple[str, ...], ...] = (
    ("antiword", "-w", "0", "-m", "UTF-8.txt"),
    ("catdoc", "-d", "utf-8", "-w"),
)
MISSING = "cannot read Word 97–2003 (.doc): antiword is not installed (apt-get install antiword)"


def extract(path: Path) -> Extracted:
    """The text of a .doc, pages split where Word put a page break (form feed)."""
    problems = []
    for command in READERS:
        if shutil.which(command[0]) is None:
            continue
        try:
            text = _run([*command, str(path)])
        except ExtractionError as exc:
            problems.append(str(exc))
            continue
        pages = [normalise_characters(page) for page in text.split("\f")]
        if any(page.strip() for page in pages):
            return Extracted(pages=pages, content_type=DOC)
        problems.append(f"{command[0]}: no text")
    if not problems:
        raise ExtractionError(MISSING)
    raise ExtractionError(f"cannot read Word 97–2003 (.doc): {problems[0]}")


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(f"{command[0]} timed out after {TIMEOUT:g} s") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        # antiword names the file in its messages; users see only the reason.
        reason = message[-1].replace(command[-1], "").strip(" :") if message else ""
        raise ExtractionError(f"{command[0]}: {reason or f'exit status {done.returncode}'}")
    return done.stdout.decode("utf-8", "replace")
