"""The DuckDB database: opening it (schema, views, locks), transactions, and the class-list tables.

The schema lives in ``sql/schema.sql`` and ``sql/views.sql`` and is documented for users in
``docs/schema.md``; this module is the only one that creates or migrates it.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

from freqscope.errors import FreqscopeError
from freqscope.taxonomy import ClassEntry, ClassList, Term

# Raised whenever a table changes incompatibly; a database of another version is refused with a clear message.
SCHEMA_VERSION = "2"
DEFAULT_DB = "freqscope.duckdb"

# The rows of the listed taxonomies (a VARCHAR[] parameter) that change with the list. Their pattern_matches
# stay: the `matches` view shows a taxonomy only for sources in source_taxonomies, which is cleared here.
DELETE_TAXONOMIES_SQL = [
    f"DELETE FROM {table} WHERE list_contains(?::VARCHAR[], taxonomy)"
    for table in ("classes", "terms", "source_counts", "source_taxonomies", "taxonomies")
]
STORED_FINGERPRINTS_SQL = "SELECT taxonomy, fingerprint FROM taxonomies"
INSERT_TAXONOMIES_SQL = """
INSERT INTO taxonomies (taxonomy, source, n_classes, n_terms, fingerprint, options)
SELECT taxonomy, source, n_classes, n_terms, fingerprint, options FROM new_taxonomies
"""


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
        version = _schema_version(connection)
        if version not in (None, SCHEMA_VERSION):
            connection.close()
            raise FreqscopeError(
                f"database {path} has schema version {version}, written by another freqscope version; this one "
                f"writes version {SCHEMA_VERSION}: index into a new database (--db NEW.duckdb)"
            )
        with transaction(connection):
            connection.execute(_sql("schema.sql"))
            connection.execute(_sql("views.sql"))
            connection.execute(
                "INSERT OR REPLACE INTO freqscope_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
            )
    return connection


def _schema_version(connection: duckdb.DuckDBPyConnection) -> str | None:
    """The schema version recorded in the database; None for a new (empty) database."""
    try:
        rows = connection.execute("SELECT value FROM freqscope_meta WHERE key = 'schema_version'").fetchall()
    except duckdb.CatalogException:
        return None
    return rows[0][0] if rows else None


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
    """``store_class_lists`` for one list: True when it changed."""
    return bool(store_class_lists(connection, [class_list]))


def store_class_lists(connection: duckdb.DuckDBPyConnection, class_lists: Sequence[ClassList],
                      fingerprints: Mapping[str, str] | None = None) -> list[str]:
    """Insert or refresh lists; returns the names of those that changed (their old counts are dropped).

    Call inside a transaction: a changed list loses its counts and every source must be matched again.
    ``fingerprints`` (name -> ``ClassList.fingerprint()``) saves computing them again.
    """
    stored = dict(connection.execute(STORED_FINGERPRINTS_SQL).fetchall())
    new = [(class_list, fingerprints[class_list.name] if fingerprints else class_list.fingerprint())
           for class_list in class_lists]
    changed = [(class_list, fingerprint) for class_list, fingerprint in new if stored.get(class_list.name) != fingerprint]
    if not changed:
        return []
    names = [class_list.name for class_list, _ in changed]
    replaced = [name for name in names if name in stored]
    if replaced:  # (a new database has nothing to delete: five statements saved on every first index)
        for statement in DELETE_TAXONOMIES_SQL:
            connection.execute(statement, [replaced])
    taxonomies = pl.DataFrame(
        [(c.name, c.source, len(c.classes), len(c.terms), fingerprint, json.dumps(c.options, sort_keys=True))
         for c, fingerprint in changed],
        schema=["taxonomy", "source", "n_classes", "n_terms", "fingerprint", "options"], orient="row",
    )
    connection.register("new_taxonomies", taxonomies)  # one statement, not one per list
    connection.execute(INSERT_TAXONOMIES_SQL)
    connection.unregister("new_taxonomies")
    frames = [class_list_frames(class_list) for class_list, _ in changed]
    connection.register("new_classes", pl.concat([classes for classes, _ in frames]))
    connection.register("new_terms", pl.concat([terms for _, terms in frames]))
    connection.execute("INSERT INTO classes SELECT * FROM new_classes")
    connection.execute("INSERT INTO terms SELECT * FROM new_terms")
    connection.unregister("new_classes")
    connection.unregister("new_terms")
    return names


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
