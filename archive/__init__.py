"""Arkiv's archive: what a document is, where it is kept and how it is found.

This package imports nothing else of ours; the indexer and the web app build on it.
"""
