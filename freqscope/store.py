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
from freqscope.terms.taxonomy import BlockPhrase, ClassEntry, ClassList, ContextWord, Term, terms_frame
from freqscope.text import joined_words, normalized_padded

# Raised whenever a table changes incompatibly; a database of another version is refused with a clear message.
SCHEMA_VERSION = "2"
DEFAULT_DB = "freqscope.duckdb"

# The rows of the listed taxonomies (a VARCHAR[] parameter) that change with the list. Their pattern_matches
# stay: the `matches` view shows a taxonomy only for sources in source_taxonomies, which is cleared here.
DELETE_TAXONOMIES_SQL = [
    f"DELETE FROM {table} WHERE list_contains(?::VARCHAR[], taxonomy)"
    for table in ("classes", "terms", "context_words", "block_phrases", "source_counts", "source_taxonomies",
                  "taxonomies")
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
    created = not path.exists()
    if read_only and created:
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
        # a file this call creates has no schema: asking its version (a failing query, ~5 ms) is skipped
        version = None if created else _schema_version(connection)
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


def class_list_frames(class_lists: Sequence[ClassList]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows of ``classes`` and ``terms`` for these lists (term_id is the term's position in its list)."""
    entries = [(class_list.name, entry) for class_list in class_lists for entry in class_list.classes]
    classes = pl.DataFrame(
        {
            "taxonomy": [name for name, _ in entries],
            "class_index": [entry.index for _, entry in entries],
            "class": [entry.name for _, entry in entries],
            "wnid": [entry.wnid for _, entry in entries],
            "duplicate_name": [entry.duplicate_name for _, entry in entries],
            "wordnet_guessed": [entry.wordnet_guessed for _, entry in entries],
        },
        schema={"taxonomy": pl.String, "class_index": pl.Int32, "class": pl.String, "wnid": pl.String,
                "duplicate_name": pl.Boolean, "wordnet_guessed": pl.Boolean},
    )
    # the words under the default rules (Term.words), for all terms at once
    terms = terms_frame(class_lists)
    terms = terms.with_columns(normalized_padded(terms["term"]).alias("padded")).with_columns(
        joined_words(pl.col("padded")).alias("words"))
    return classes, terms.select("taxonomy", "term_id", "class_index", "term", "words", "origin", "ambiguous",
                                 "wordnet_senses", "tier", "tier_reason")


def _words_frame(rows: list[tuple], schema: dict, text: str) -> pl.DataFrame:
    """Rows with the normalised words of their ``text`` column, as `words` (after it)."""
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    frame = frame.with_columns(normalized_padded(frame[text]).alias("padded")).with_columns(
        joined_words(pl.col("padded")).alias("words"))
    columns = list(schema)
    return frame.select(*columns[:columns.index(text) + 1], "words", *columns[columns.index(text) + 1:])


def context_and_block_frames(class_lists: Sequence[ClassList]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows of ``context_words`` and ``block_phrases`` for these lists."""
    context = _words_frame([(c.name, w.class_index, w.context, w.origin) for c in class_lists for w in c.context],
                           {"taxonomy": pl.String, "class_index": pl.Int32, "context": pl.String, "origin": pl.String},
                           "context")
    block = _words_frame([(c.name, b.phrase, b.origin, b.reason) for c in class_lists for b in c.block],
                         {"taxonomy": pl.String, "phrase": pl.String, "origin": pl.String, "reason": pl.String}, "phrase")
    return context, block


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
    classes, terms = class_list_frames([class_list for class_list, _ in changed])
    context, block = context_and_block_frames([class_list for class_list, _ in changed])
    for table, frame in (("classes", classes), ("terms", terms), ("context_words", context), ("block_phrases", block)):
        if not frame.is_empty():
            connection.register("new_rows", frame)
            connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM new_rows")
            connection.unregister("new_rows")
    return names


READ_TAXONOMY_SQL = "SELECT source, options FROM taxonomies WHERE taxonomy = ?"
READ_CLASSES_SQL = """
SELECT class_index, class, wnid, duplicate_name, wordnet_guessed FROM classes WHERE taxonomy = ? ORDER BY class_index
"""
READ_TERMS_SQL = """
SELECT class_index, term, origin, ambiguous, wordnet_senses, coalesce(tier, 'specific'), coalesce(tier_reason, '')
FROM terms WHERE taxonomy = ? ORDER BY term_id
"""
READ_CONTEXT_SQL = "SELECT class_index, context, origin FROM context_words WHERE taxonomy = ? ORDER BY rowid"
READ_BLOCK_SQL = "SELECT phrase, origin, reason FROM block_phrases WHERE taxonomy = ? ORDER BY rowid"


def read_class_list(connection: duckdb.DuckDBPyConnection, name: str) -> ClassList:
    """A list as stored by ``store_class_list`` (same terms, same term ids, same fingerprint)."""
    rows = connection.execute(READ_TAXONOMY_SQL, [name]).fetchall()
    if not rows:
        raise FreqscopeError(f"class list {name!r} is not in the database: index a corpus with --classes {name}")
    source, options = rows[0]
    classes = [ClassEntry(*row) for row in connection.execute(READ_CLASSES_SQL, [name]).fetchall()]
    terms = [Term(*row) for row in connection.execute(READ_TERMS_SQL, [name]).fetchall()]
    context = [ContextWord(*row) for row in connection.execute(READ_CONTEXT_SQL, [name]).fetchall()]
    block = [BlockPhrase(*row) for row in connection.execute(READ_BLOCK_SQL, [name]).fetchall()]
    return ClassList(name, source, classes, terms, json.loads(options), context, block)
