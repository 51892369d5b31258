"""Shared test fixtures: real archives in temporary ARKIV_HOMEs, the shared test data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
#: ../shared beside the repository (CI clones main with shared/ beside it).
SHARED = ROOT.parent / "shared"
IN_CI = os.environ.get("CI") == "true"


def require_shared(relative: str) -> Path:
    """A path under ../shared; skip outside CI when it is absent, fail in CI."""
    path = SHARED / relative
    if not path.exists():
        message = f"shared test data not found: {path}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty ARKIV_HOME for one test."""
    path = tmp_path / "arkiv-home"
    monkeypatch.setenv("ARKIV_HOME", str(path))
    return path
