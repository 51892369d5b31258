"""About the archive (``/om``, ``/about``): its size, last ingest, index and failures."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from web.archive_access import archive

bp = Blueprint("about", __name__)

#: What the ingest log counts, as the status page names it.
COUNT_LABELS = {"new": "nya", "updated": "ändrade", "unchanged": "oförändrade", "failed": "misslyckade"}


def status() -> dict[str, Any]:
    """The archive's state: what the status page shows and ``/api/status`` returns."""
    access = archive()
    # The counts scan every document (seconds at 100,000): kept until the catalog, the
    # index or the last run (its failures) changes.
    run = access.raw_catalog.last_run()
    stats = access.memo(f"about-stats:{run['id'] if run else 0}", access.catalog.stats)
    state = access.raw_searcher.status()
    return {
        "documents": stats["documents"],
        "renderings": stats["renderings"],
        "earlier_versions": stats["earlier_versions"],
        "needs_ocr": stats["needs_ocr"],
        "failures": stats["failures"],
        "by_type": stats["by_type"],
        "last_run": stats["last_run"],
        "job": access.job(),
        "catalog_schema": access.catalog.schema_version(),
        "index": {
            "generation": state.get("generation"),
            "schema_version": state.get("schema_version"),
            "built_at": state.get("built_at"),
            "updated_at": state.get("updated_at"),
            "up_to_date": state.get("seq") == access.catalog.max_seq(),
        },
    }


@bp.get("/about")
@bp.get("/om")
def about() -> str:
    return render_template("about.html", status=status(), count_labels=COUNT_LABELS)
