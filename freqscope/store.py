"""The DuckDB database: opening it (schema, views, locks), transactions, and the class-list tables.

The schema lives in ``sql/schema.sql`` and ``sql/views.sql`` and is documented for users in
``docs/schema.md``; this module is the only one that creates or migrates it.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

from freqscope.errors import FreqscopeError
from freqscope.taxonomy import ClassEntry, ClassList, Term

SCHEMA_VERSION = "1"
DEFAULT_DB = "freqscope.duckdb"

DELETE_TAXONOMY_SQL = {
    "classes": "DELETE FROM classes WHERE taxonomy = ?",
    "terms": "DELETE FROM terms WHERE taxonomy = ?",
    "matches": "DELETE FROM matches WHERE taxonomy = ?",
    "source_counts": "DELETE FROM source_counts WHERE taxonomy = ?",
    "source_taxonomies": "DELETE FROM source_taxonomies WHERE taxonomy = ?",
    "taxonomies": "DELETE FROM taxonomies WHERE taxonomy = ?",
}


def resolve_db_path(db: str | os.PathLike | None) -> Path:
    """--db, else $FREQSCOPE_DB, else freqscope.duckdb in the working directory."""
    return Path(db or os.environ.get("FREQSCOPE_DB") or DEFAULT_DB)


def _sql(name: str) -> str:
    return resources.files("freqscope").joinpath("sql").joinpath(name).read_text()


def open_database(db: str | os.PathLike | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database; a read-only open needs the file to exist."""
    path = resolve_db_path(db)
    if read_only and not path.exists():
        raise FreqscopeError(f"no database at {path}: run `freqscope index CORPUS --db {path}` first, or pass --db")
    try:
        connection = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        message = str(exc).splitlines()[0]
        if "lock" in message.lower():
            raise FreqscopeError(
                f"database {path} is in use by another process ({message}); wait for it to finish or use another --db"
            ) from None
        raise FreqscopeError(f"cannot open database {path}: {message}") from None
    except duckdb.Error as exc:
        raise FreqscopeError(f"cannot open database {path}: {str(exc).splitlines()[0]}; is it a DuckDB file?") from None
    if not read_only:
        with transaction(connection):
            connection.execute(_sql("schema.sql"))
            connection.execute(_sql("views.sql"))
            connection.execute(
                "INSERT OR REPLACE INTO freqscope_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
            )
    return connection


@contextmanager
def transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a killed process leaves the database as it was before the BEGIN."""
    connection.execute("BEGIN TRANSACTION")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def class_list_frames(class_list: ClassList) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows of ``classes`` and ``terms`` for one list (term_id is the term's position in the list)."""
    classes = pl.DataFrame(
        {
            "taxonomy": [class_list.name] * len(class_list.classes),
            "class_index": [c.index for c in class_list.classes],
            "class": [c.name for c in class_list.classes],
            "wnid": [c.wnid for c in class_list.classes],
            "duplicate_name": [c.duplicate_name for c in class_list.classes],
            "wordnet_guessed": [c.wordnet_guessed for c in class_list.classes],
        },
        schema={"taxonomy": pl.String, "class_index": pl.Int32, "class": pl.String, "wnid": pl.String,
                "duplicate_name": pl.Boolean, "wordnet_guessed": pl.Boolean},
    )
    terms = pl.DataFrame(
        {
            "taxonomy": [class_list.name] * len(class_list.terms),
            "term_id": list(range(len(class_list.terms))),
            "class_index": [t.class_index for t in class_list.terms],
            "term": [t.term for t in class_list.terms],
            "words": [" ".join(t.words) for t in class_list.terms],
            "origin": [t.origin for t in class_list.terms],
            "ambiguous": [t.ambiguous for t in class_list.terms],
            "wordnet_senses": [t.wordnet_senses for t in class_list.terms],
        },
        schema={"taxonomy": pl.String, "term_id": pl.Int32, "class_index": pl.Int32, "term": pl.String,
                "words": pl.String, "origin": pl.String, "ambiguous": pl.Boolean, "wordnet_senses": pl.Int32},
    )
    return classes, terms


def store_class_list(connection: duckdb.DuckDBPyConnection, class_list: ClassList) -> bool:
    """Insert or refresh a list; returns True when it changed (its old matches are then dropped).

    Call inside a transaction: a changed list loses its matches and every source must be matched again.
    """
    # fetchall, not fetchone: DuckDB 2 keeps a half-read result open and later statements then fail
    rows = connection.execute("SELECT fingerprint FROM taxonomies WHERE taxonomy = ?", [class_list.name]).fetchall()
    fingerprint = class_list.fingerprint()
    if rows and rows[0][0] == fingerprint:
        return False
    for statement in DELETE_TAXONOMY_SQL.values():
        connection.execute(statement, [class_list.name])
    classes, terms = class_list_frames(class_list)
    connection.execute(
        "INSERT INTO taxonomies (taxonomy, source, n_classes, n_terms, fingerprint, options) VALUES (?, ?, ?, ?, ?, ?)",
        [class_list.name, class_list.source, len(class_list.classes), len(class_list.terms), fingerprint,
         json.dumps(class_list.options, sort_keys=True)],
    )
    connection.register("new_classes", classes)
    connection.register("new_terms", terms)
    connection.execute("INSERT INTO classes SELECT * FROM new_classes")
    connection.execute("INSERT INTO terms SELECT * FROM new_terms")
    connection.unregister("new_classes")
    connection.unregister("new_terms")
    return True


READ_TAXONOMY_SQL = "SELECT source, options FROM taxonomies WHERE taxonomy = ?"
READ_CLASSES_SQL = """
SELECT class_index, class, wnid, duplicate_name, wordnet_guessed FROM classes WHERE taxonomy = ? ORDER BY class_index
"""
READ_TERMS_SQL = """
SELECT class_index, term, origin, ambiguous, wordnet_senses FROM terms WHERE taxonomy = ? ORDER BY term_id
"""


def read_class_list(connection: duckdb.DuckDBPyConnection, name: str) -> ClassList:
    """A list as stored by ``store_class_list`` (same terms, same term ids, same fingerprint)."""
    rows = connection.execute(READ_TAXONOMY_SQL, [name]).fetchall()
    if not rows:
        raise FreqscopeError(f"class list {name!r} is not in the database: index a corpus with --classes {name}")
    source, options = rows[0]
    classes = [ClassEntry(*row) for row in connection.execute(READ_CLASSES_SQL, [name]).fetchall()]
    terms = [Term(*row) for row in connection.execute(READ_TERMS_SQL, [name]).fetchall()]
    return ClassList(name, source, classes, terms, json.loads(options))
