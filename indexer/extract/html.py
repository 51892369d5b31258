"""HTML: the page's main content as paragraphs, with the standard library parser.

Municipal and government pages wrap a short text in menus, cookie banners and footers.
We keep ``<main>``/``<article>`` (or ``role="main"``) when the page has them, else the
body without navigation, header, footer and aside; scripts, styles, form controls and
other non-text elements never count. Block elements end paragraphs, ``<br>`` and list items
end lines (list items get a bullet so cleaning keeps them on their own lines).

``html.parser`` is event-driven, so deeply nested markup cannot exhaust the stack.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from indexer.clean import normalise_characters
from indexer.extract import HTML, Extracted, ExtractionError
from indexer.extract.text import decode

#: Elements whose content is never text a reader sees.
SKIPPED = frozenset(
    {"script", "style", "template", "noscript", "svg", "math", "head", "iframe", "object",
     "canvas", "select", "button", "textarea"}
)
#: Page chrome around the content; ``header`` inside the main content is kept, since
#: that is where an article puts its heading. Forms are not chrome: ASP.NET pages wrap
#: their whole body in one (their controls are skipped or void).
CHROME = frozenset({"nav", "header", "footer", "aside"})
MAIN = frozenset({"main", "article"})
PARAGRAPH_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "center", "details", "dialog", "div",
     "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
     "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "ul"}
)
LINE_TAGS = frozenset({"br", "dd", "dt", "li", "tr", "caption"})
CELL_TAGS = frozenset({"td", "th"})
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
#: " | Site name" and similar suffixes of a <title>.
_TITLE_SUFFIX = re.compile(r"\s+(\||::|·|–|—|-)\s+[^|]{1,80}$")
_WHITESPACE = re.compile(r"\s+")
#: WHATWG: a page declaring Latin-1 or ASCII is read as Windows-1252.
_WINDOWS_1252_ALIASES = frozenset({"latin_1", "iso8859-1", "ascii", "cp1252"})


def extract(path: Path) -> Extracted:
    """Read an HTML file: its main text as one page, and its title."""
    text, encoding, warnings = _decode(path.read_bytes())
    body, title = html_text(text)
    if not body.strip():
        raise ExtractionError("HTML document has no text")
    return Extracted(
        pages=[body], content_type=HTML, title=title, encoding=encoding, warnings=warnings
    )


def html_text(markup: str) -> tuple[str, str | None]:
    """The main text of decoded HTML markup and its title (also for HTML mail bodies)."""
    parser = _ContentParser()
    parser.feed(markup)
    parser.close()
    return normalise_characters(parser.content_text()), parser.title()


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    """Decode by BOM, then valid UTF-8, then a declared charset, then as plain text.

    Valid UTF-8 wins over a declared 8-bit charset: pages saved as UTF-8 keep stale
    ``iso-8859-1`` declarations, and 8-bit Swedish text is practically never valid
    UTF-8. A page declaring Latin-1 or cp1252 is read like a plain-text file (cp1252,
    or UTF-8 with stray 8-bit bytes); other declared charsets are taken at their word.
    """
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(data)
    match = _META_CHARSET.search(data[:4096])
    label = match.group(1).decode("ascii") if match else None
    declared = _codec_name(label) if label else None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        mismatch = declared not in (None, "utf-8") and not data.isascii()
        return text, "utf-8", [f"declared charset {label} but the content is UTF-8"] if mismatch else []
    if declared and declared not in _WINDOWS_1252_ALIASES and declared != "utf-8" and not declared.startswith("utf-16"):
        return data.decode(declared, errors="replace"), declared, []
    text, encoding, warnings = decode(data)
    if declared == "utf-8":
        warnings.append(f"declared charset {label} but the content is not UTF-8; read as {encoding}")
    return text, encoding, warnings


def _codec_name(label: str) -> str | None:
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


@dataclass
class _Piece:
    """Text or a break, and where in the page it was found."""

    text: str
    in_main: bool
    in_chrome: bool
    is_break: bool = False
    bullet: bool = False


@dataclass
class _Heading:
    parts: list[str] = field(default_factory=list)
    in_main: bool = False
    in_chrome: bool = False


class _ContentParser(HTMLParser):
    """Collects text pieces with their context; the choice of content comes after.

    Only the elements that change the context (skipped, main, chrome, ``pre``) are kept
    on a stack, each with its nesting level among elements of the same name, so an end
    tag closes the right one even when the markup leaves ``<p>`` or ``<li>`` unclosed.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[_Piece] = []
        self.open_tags: Counter[str] = Counter()
        self.context: list[tuple[str, int, str]] = []
        self.depth: Counter[str] = Counter()
        self.title_parts: list[str] | None = None
        self.title_done = False
        self.headings: list[_Heading] = []
        self.h1_open: _Heading | None = None
        self.pending_bullet = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._close("head")
        if tag == "title" and not self.title_done:
            self.title_parts = []
        if tag in VOID_TAGS:
            self._break(tag)
            return
        self.open_tags[tag] += 1
        kind = self._kind(tag, dict(attrs).get("role"))
        if kind:
            self.context.append((tag, self.open_tags[tag], kind))
            self.depth[kind] += 1
        if tag == "h1" and self.h1_open is None:
            self.h1_open = _Heading(in_main=self.depth["main"] > 0, in_chrome=self.depth["chrome"] > 0)
        self._break(tag)
        if tag == "li":
            self.pending_bullet = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title_parts is not None:
            self.title_done = True
        self._break(tag)
        self._close(tag)
        if tag == "h1" and self.h1_open is not None:
            self.headings.append(self.h1_open)
            self.h1_open = None

    def handle_data(self, data: str) -> None:
        if self.title_parts is not None and not self.title_done:
            self.title_parts.append(data)
            return
        if self.depth["skip"]:
            return
        if self.h1_open is not None:
            self.h1_open.parts.append(data)
        text = data if self.depth["pre"] else _WHITESPACE.sub(" ", data)
        self.pieces.append(
            _Piece(text, self.depth["main"] > 0, self.depth["chrome"] > 0, bullet=self.pending_bullet)
        )
        if text.strip():
            self.pending_bullet = False

    def _kind(self, tag: str, role: str | None) -> str | None:
        if tag in SKIPPED:
            return "skip"
        if tag in MAIN or role == "main":
            return "main"
        if tag in CHROME and not (tag == "header" and self.depth["main"]):
            return "chrome"
        if tag == "pre":
            return "pre"
        return None

    def _close(self, tag: str) -> None:
        """Close the innermost open ``tag`` and every context element opened inside it."""
        level = self.open_tags[tag]
        if level == 0:
            return
        self.open_tags[tag] -= 1
        for index in range(len(self.context) - 1, -1, -1):
            name, name_level, _ = self.context[index]
            if name == tag and name_level >= level:
                for _, _, kind in self.context[index:]:
                    self.depth[kind] -= 1
                del self.context[index:]
                return

    def _break(self, tag: str) -> None:
        if self.depth["skip"]:
            return
        if tag in PARAGRAPH_TAGS:
            text = "\n\n"
        elif tag in LINE_TAGS:
            text = "\n"
        elif tag in CELL_TAGS:
            text = " "
        else:
            return
        self.pieces.append(_Piece(text, self.depth["main"] > 0, self.depth["chrome"] > 0, is_break=True))

    def _has_main(self) -> bool:
        return any(p.in_main and not p.is_break and p.text.strip() for p in self.pieces)

    def content_text(self) -> str:
        """The selected text: paragraphs separated by blank lines."""
        has_main = self._has_main()
        out: list[str] = []
        pending_break = ""
        for piece in self.pieces:
            if not _selected(piece.in_main, piece.in_chrome, has_main):
                continue
            if piece.is_break:
                if piece.text == " ":
                    out.append(" ")
                elif len(piece.text) > len(pending_break):
                    pending_break = piece.text
                continue
            text = piece.text
            if not text.strip():
                out.append(text)
                continue
            if pending_break:
                out.append(pending_break)
                pending_break = ""
            if piece.bullet:
                text = "• " + text.lstrip()
            out.append(text)
        lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

    def title(self) -> str | None:
        """``<title>``, unless it carries a site-name suffix (" | Stockholms stad",
        " - Regeringen.se"): then the first ``<h1>`` of the content; without an ``<h1>``
        only a suffix after " | " is cut off (a dash may belong to the title itself)."""
        has_main = self._has_main()
        h1 = next(
            (
                _one_line(h.parts)
                for h in self.headings
                if _selected(h.in_main, h.in_chrome, has_main) and _one_line(h.parts)
            ),
            None,
        )
        page_title = _one_line(self.title_parts or []) or None
        if page_title is None:
            return h1
        suffix = _TITLE_SUFFIX.search(page_title)
        if suffix is None:
            return page_title
        if h1:
            return h1
        return page_title[: suffix.start()] if suffix.group(1) in ("|", "::", "·") else page_title


def _selected(in_main: bool, in_chrome: bool, has_main: bool) -> bool:
    """Whether text belongs to the content: the main content if the page marks one,
    else everything outside the page chrome."""
    return (in_main or not has_main) and not in_chrome


def _one_line(parts: list[str]) -> str:
    return " ".join(normalise_characters("".join(parts)).split())
