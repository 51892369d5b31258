"""Progress reporting for long jobs: a live bar on a terminal, plain lines otherwise, JSON for scripts."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

MODES = ("auto", "bar", "lines", "json", "none")


def _duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


#: How often the running job's figures go to ``on_update`` (the status page's job file).
UPDATE_INTERVAL = 1.0


class Progress:
    """Counts files as they finish and reports rate, ETA and failures so far.

    ``on_update`` receives the figures about once a second whatever the mode (the
    running job's file, :mod:`archive.jobs`).
    """

    def __init__(
        self,
        total: int | None,
        *,
        mode: str = "auto",
        label: str = "indexing",
        stream: TextIO | None = None,
        interval: float | None = None,
        on_update: Callable[[dict[str, Any]], None] | None = None,
        details: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "bar" if self.stream.isatty() else "lines"
        self.mode = mode
        self.label = label
        self.total = total
        self.done = 0
        self.failed = 0
        self.pages = 0
        self.ocr_pages = 0
        self.started = time.monotonic()
        self.interval = interval if interval is not None else (0.2 if mode == "bar" else 10.0)
        self._last = 0.0
        self.on_update = on_update
        #: More figures for the job (the workers of a run over a broker: name, host, done).
        self.details = details
        self._updated = 0.0

    def advance(self, *, failed: bool = False, pages: int = 0, ocr_pages: int = 0) -> None:
        self.done += 1
        self.failed += int(failed)
        self.pages += pages
        self.ocr_pages += ocr_pages
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._emit(final=False)
        if self.on_update is not None and now - self._updated >= UPDATE_INTERVAL:
            self._updated = now
            self.on_update(self._figures())

    def finish(self) -> None:
        if self.mode == "bar":
            self._emit(final=True)
            self.stream.write("\n")
            self.stream.flush()
        elif self.mode in ("lines", "json"):
            self._emit(final=True)

    def _figures(self) -> dict[str, Any]:
        elapsed = max(1e-9, time.monotonic() - self.started)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if self.total and rate > 0 else None
        return {
            "done": self.done,
            "total": self.total,
            "failed": self.failed,
            "pages": self.pages,
            "ocr_pages": self.ocr_pages,
            "rate": round(rate, 2),
            "elapsed": round(elapsed, 1),
            "eta": round(eta, 1) if eta is not None else None,
            **(self.details() if self.details else {}),
        }

    def _emit(self, *, final: bool) -> None:
        if self.mode == "none":
            return
        f = self._figures()
        if self.mode == "json":
            self.stream.write(json.dumps({"event": "progress", "job": self.label, **f}) + "\n")
            self.stream.flush()
            return
        total = f"/{self.total}" if self.total else ""
        eta = f", ETA {_duration(f['eta'])}" if f["eta"] is not None and not final else ""
        text = (
            f"{self.label}: {self.done}{total} files, {self.pages} pages"
            f"{f' ({self.ocr_pages} by OCR)' if self.ocr_pages else ''}, "
            f"{f['rate']:.1f} files/s{eta}, {self.failed} failed"
        )
        if f.get("workers") is not None:
            text += "; " + workers_text(f["workers"])
        if self.mode == "bar":
            bar = ""
            if self.total:
                width = 24
                filled = int(width * self.done / self.total)
                bar = "[" + "#" * filled + "-" * (width - filled) + "] "
            self.stream.write("\r\033[K" + bar + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def workers_text(workers: list[dict[str, Any]]) -> str:
    """The workers of a run in one line: ``1 worker: hostA:411 12, hostB:97 9 (gone)``."""
    live = sum(1 for w in workers if w.get("alive"))
    each = ", ".join(f"{w['name']} {w['done']}" + ("" if w.get("alive") else " (gone)")
                     for w in workers)
    return f"{live} worker{'' if live == 1 else 's'}" + (f": {each}" if each else "")
