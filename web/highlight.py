"""Marking a search's words in a document's full text (the document page after a search).

The engine's highlighter (:mod:`archive.engine.highlight`) does the marking, with the
analysis the search used, so the document page marks what the search page's snippets
mark; this only hands its HTML to the templates as markup.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from web.archive_access import archive


class Highlighter:
    """Marks the matches of one query in texts: escapes everything, matches in <mark>."""

    def __init__(self, query: str) -> None:
        self.marker = archive().searcher.highlighter(query) if query.strip() else None

    def matches(self, text: str) -> bool:
        return self.marker is not None and self.marker.matches(text)

    def __call__(self, text: str) -> Markup:
        if self.marker is None:
            return escape(text)
        return Markup(self.marker.mark(text))
