"""Every example query of docs/schema.md runs on a database indexed from the bundled corpora and finds rows."""
from __future__ import annotations

import re

import duckdb
import pytest

from freqscope.paths import REPO_ROOT

SCHEMA_DOC = REPO_ROOT / "docs" / "schema.md"
EXAMPLES = re.findall(r"```sql\n(.*?)```", SCHEMA_DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_schema_document_has_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("query", EXAMPLES, ids=[q.splitlines()[0][:40] for q in EXAMPLES])
def test_example_query_returns_rows(exposure_db, query):
    connection = duckdb.connect(str(exposure_db), read_only=True)
    try:
        rows = connection.execute(query).fetchall()
    finally:
        connection.close()
    assert rows, query
