"""Fixtures shared by the test modules."""
from __future__ import annotations

import pytest

from freqscope.paths import SHARED_DIR

SHARED_CORPORA = SHARED_DIR / "data" / "corpora"
SHARED_CLASSES = SHARED_DIR / "data" / "classes"
SHARED_FDP = SHARED_DIR / "data" / "published" / "fdp"


def require_shared(path=SHARED_DIR):
    """Skip the calling test cleanly where ../shared (or the given part of it) is absent."""
    if not path.exists():
        pytest.skip(f"{path} is absent: these tests read the shared sample data")
    return path


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "test.duckdb"
