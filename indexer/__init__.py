"""Arkiv's indexer: from a file on disk to a Document in the archive."""
