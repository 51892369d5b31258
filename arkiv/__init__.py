"""The top of the house: the ``arkiv`` command line, which composes the indexer, the
archive and the web app (DESIGN.md). Nothing below imports it."""
