"""The DuckDB database: opening it (schema, views, locks), transactions, and the class-list tables.

The schema lives in ``sql/schema.sql`` and ``sql/views.sql`` and is documented for users in
``docs/schema.md``; this module is the only one that creates or migrates it.
"""
from __future__ import annotations

import glob
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

from freqscope.errors import FreqscopeError
from freqscope.paths import resolve_db_path
from freqscope.terms.taxonomy import BlockHead, BlockPhrase, ClassEntry, ClassList, ContextWord, Term, terms_frame
from freqscope.text import joined_words, normalized_padded

# Raised whenever a table changes incompatibly; a database of another version is refused with a clear message.
SCHEMA_VERSION = "2"
# A database being created has a marker ".NAME.PID.creating" beside it until its schema is committed.
CREATING_SUFFIX = ".creating"
SET_SCHEMA_VERSION_SQL = "INSERT OR REPLACE INTO freqscope_meta VALUES ('schema_version', ?)"
# What a database not made by freqscope holds (tables and views of its own): freqscope will not add to it.
FOREIGN_OBJECTS_SQL = """
SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary
UNION ALL
SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal AND NOT temporary
ORDER BY 1
"""

# The rows of the listed taxonomies (a VARCHAR[] parameter) that change with the list. Their pattern_matches
# stay: the `matches` view shows a taxonomy only for sources in source_taxonomies, which is cleared here.
DELETE_TAXONOMIES_SQL = [
    f"DELETE FROM {table} WHERE list_contains(?::VARCHAR[], taxonomy)"
    for table in ("classes", "terms", "context_words", "block_phrases", "block_heads", "source_counts",
                  "source_taxonomies", "taxonomies")
]
STORED_FINGERPRINTS_SQL = "SELECT taxonomy, fingerprint FROM taxonomies"
INSERT_TAXONOMIES_SQL = """
INSERT INTO taxonomies (taxonomy, source, n_classes, n_terms, fingerprint, options)
SELECT taxonomy, source, n_classes, n_terms, fingerprint, options FROM new_taxonomies
"""


def _sql(name: str) -> str:
    return resources.files("freqscope").joinpath("sql").joinpath(name).read_text()


def open_database(db: str | os.PathLike | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database; a read-only open needs the file to exist.

    A new file is created beside a marker (``.NAME.PID.creating``) that is removed once its schema is
    committed: a file whose marker's process is gone was left half-made by a kill (DuckDB refuses a 0-byte
    or header-only file) and is removed and made again. A file that holds other tables and no freqscope
    schema is refused for writing: freqscope does not add its tables to another program's database.
    """
    path = resolve_db_path(db)
    _remove_abandoned_creations(path)
    created = not path.exists()
    if read_only and created:
        raise FreqscopeError(f"no database at {path}: run `freqscope index CORPUS --db {path}` first, or pass --db")
    if created:
        return _create_database(path)
    connection = _connect(path, read_only=read_only)
    if not read_only:
        try:
            version = _schema_version(connection)
            if version is None:
                _refuse_foreign(connection, path)
            elif version != SCHEMA_VERSION:
                raise FreqscopeError(
                    f"database {path} has schema version {version}, written by another freqscope version; this "
                    f"one writes version {SCHEMA_VERSION}: index into a new database (--db NEW.duckdb)"
                )
            _create_schema(connection)
        except BaseException:
            connection.close()
            raise
    return connection


def _connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        message = str(exc).splitlines()[0]
        if "lock" in message.lower():
            raise FreqscopeError(
                f"database {path} is in use by another process ({message}); wait for it to finish or use another --db"
            ) from None
        raise FreqscopeError(
            f"cannot open database {path}: {message}; it is not a DuckDB database freqscope can read: move it away "
            "or pass another --db"
        ) from None
    except duckdb.Error as exc:
        raise FreqscopeError(
            f"cannot open database {path}: {str(exc).splitlines()[0]}; it is not a DuckDB database freqscope can "
            "read: move it away or pass another --db"
        ) from None


def _create_schema(connection: duckdb.DuckDBPyConnection) -> None:
    with transaction(connection):
        connection.execute(_sql("schema.sql"))
        connection.execute(_sql("views.sql"))
        connection.execute(SET_SCHEMA_VERSION_SQL, [SCHEMA_VERSION])


def _creating_name(path: Path, pid: int) -> Path:
    return path.with_name(f".{path.name}.{pid}{CREATING_SUFFIX}")


def _remove_with_wal(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _remove_abandoned_creations(path: Path) -> None:
    """The database a process was creating when it was killed (its marker is left, its process gone)."""
    if not path.parent.is_dir():
        return
    for marker in path.parent.glob(f".{glob.escape(path.name)}.*{CREATING_SUFFIX}"):
        pid = marker.name[len(path.name) + 2:-len(CREATING_SUFFIX)]
        if pid.isdigit() and not _process_alive(int(pid)):
            _remove_with_wal(path)
            marker.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _create_database(path: Path) -> duckdb.DuckDBPyConnection:
    """A new database at ``path`` with the schema, its marker there until the schema is committed."""
    if not path.parent.is_dir():
        raise FreqscopeError(f"cannot create database {path}: folder {path.parent} does not exist; create it first")
    marker = _creating_name(path, os.getpid())
    try:
        marker.touch()
    except OSError as exc:
        raise FreqscopeError(f"cannot create database {path}: {exc.strerror or exc}; choose a writable --db") from None
    try:
        connection = _connect(path)
        try:
            _create_schema(connection)
        except BaseException:
            connection.close()
            raise
    except BaseException:
        _remove_with_wal(path)
        raise
    finally:
        marker.unlink(missing_ok=True)
    return connection


def _refuse_foreign(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A database without freqscope's schema is used only where it is empty."""
    names = [name for (name,) in connection.execute(FOREIGN_OBJECTS_SQL).fetchall()]
    if names:
        shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
        raise FreqscopeError(
            f"database {path} was not made by freqscope (it holds {shown} and no freqscope_meta): freqscope adds "
            "its tables only to its own databases; pass another --db (ATTACH this file from there to join them)"
        )


def _schema_version(connection: duckdb.DuckDBPyConnection) -> str | None:
    """The schema version recorded in the database; None for a new (empty) database."""
    try:
        rows = connection.execute("SELECT value FROM freqscope_meta WHERE key = 'schema_version'").fetchall()
    except duckdb.Error:  # no such table, or another program's table of that name
        return None
    return rows[0][0] if rows else None


@contextmanager
def transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a killed process leaves the database as it was before the BEGIN."""
    connection.execute("BEGIN TRANSACTION")
    try:
        yield connection
    except BaseException:
        rollback(connection)
        raise
    connection.execute("COMMIT")


def rollback(connection: duckdb.DuckDBPyConnection) -> None:
    """ROLLBACK, where DuckDB has not already ended the transaction itself (an interrupted or failed
    statement can abort it): the error that ended it is the one to report, not the ROLLBACK's."""
    try:
        connection.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass


@contextmanager
def removed_if_new(db: str | os.PathLike | None) -> Iterator[None]:
    """A database file that did not exist before the block is removed again if the block fails: a failed
    command leaves no new file behind. The block must close its connections before it ends."""
    path = resolve_db_path(db)
    existed = path.exists()
    try:
        yield
    except BaseException:
        if not existed:
            _remove_with_wal(path)
        raise


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


def context_and_block_frames(class_lists: Sequence[ClassList]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The rows of ``context_words``, ``block_phrases`` and ``block_heads`` for these lists."""
    context = _words_frame([(c.name, w.class_index, w.context, w.origin) for c in class_lists for w in c.context],
                           {"taxonomy": pl.String, "class_index": pl.Int32, "context": pl.String, "origin": pl.String},
                           "context")
    block = _words_frame([(c.name, b.phrase, b.origin, b.reason) for c in class_lists for b in c.block],
                         {"taxonomy": pl.String, "phrase": pl.String, "origin": pl.String, "reason": pl.String}, "phrase")
    heads = _words_frame([(c.name, h.head, h.origin, h.reason) for c in class_lists for h in c.heads],
                         {"taxonomy": pl.String, "head": pl.String, "origin": pl.String, "reason": pl.String}, "head")
    return context, block, heads


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
    context, block, heads = context_and_block_frames([class_list for class_list, _ in changed])
    for table, frame in (("classes", classes), ("terms", terms), ("context_words", context), ("block_phrases", block),
                         ("block_heads", heads)):
        if not frame.is_empty():
            connection.register("new_rows", frame)
            connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM new_rows")
            connection.unregister("new_rows")
    return names


# The tables whose rows hang on a source (its source_id): deleted with it, by the index (a shard re-written)
# and by `corpus remove`.
SOURCE_ROW_TABLES = ("pattern_matches", "pattern_matches_by_role", "document_keys", "source_counts", "context_docs",
                     "source_taxonomies")
# Pattern sets no source refers to any more (every source of a changed list re-indexed, a corpus removed): run
# in each transaction that deletes sources.
DELETE_UNUSED_PATTERNS_SQL = """
DELETE FROM patterns WHERE pattern_set NOT IN (SELECT pattern_set FROM sources WHERE pattern_set IS NOT NULL)
"""
CORPUS_NAMES_SQL = "SELECT corpus FROM corpora ORDER BY corpus"
CORPUS_SIZE_SQL = "SELECT count(*), coalesce(sum(n_docs), 0) FROM sources WHERE corpus = ?"
# Everything of one corpus (a parameter): its sources' rows, its sources, imported counts and audit
# judgements, its row; then (DELETE_UNUSED_PATTERNS_SQL) the pattern sets no source refers to any more.
REMOVE_CORPUS_SQL = [
    *(f"DELETE FROM {table} WHERE source_id IN (SELECT source_id FROM sources WHERE corpus = ?)"
      for table in SOURCE_ROW_TABLES),
    *(f"DELETE FROM {table} WHERE corpus = ?" for table in ("sources", "imported_counts", "audit_labels", "corpora")),
]


def remove_corpus(corpus: str, db: str | os.PathLike | None = None) -> tuple[int, int]:
    """``freqscope corpus remove``: deletes the corpus and all that hangs on it, in one transaction (the class
    lists stay); returns the (shards, documents) it had. An unknown name is refused with the names there are;
    a missing database is refused rather than created."""
    path = resolve_db_path(db)
    if not path.exists():  # (opening for writing would create it)
        raise FreqscopeError(f"no database at {path}: pass the --db the corpus was indexed into")
    with closing(open_database(path)) as connection:
        return _remove_corpus_rows(connection, corpus)


def _remove_corpus_rows(connection: duckdb.DuckDBPyConnection, corpus: str) -> tuple[int, int]:
    names = [name for (name,) in connection.execute(CORPUS_NAMES_SQL).fetchall()]
    if corpus not in names:
        known = ", ".join(names[:10]) + (" ..." if len(names) > 10 else "") if names else "none"
        raise FreqscopeError(f"no corpus {corpus!r} in the database (its corpora: {known}): check the name")
    with transaction(connection):
        shards, documents = connection.execute(CORPUS_SIZE_SQL, [corpus]).fetchall()[0]
        for statement in REMOVE_CORPUS_SQL:
            connection.execute(statement, [corpus])
        connection.execute(DELETE_UNUSED_PATTERNS_SQL)
    return shards, documents


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
READ_HEADS_SQL = "SELECT head, origin, reason FROM block_heads WHERE taxonomy = ? ORDER BY rowid"
# block_heads came within schema version 2: a database written before it and opened read-only lacks the table
HAS_HEADS_TABLE_SQL = ("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND table_name = 'block_heads'")


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
    heads = ([BlockHead(*row) for row in connection.execute(READ_HEADS_SQL, [name]).fetchall()]
             if connection.execute(HAS_HEADS_TABLE_SQL).fetchall()[0][0] else [])
    return ClassList(name, source, classes, terms, json.loads(options), context, block, heads)
