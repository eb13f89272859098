"""``freqscope.connect(db)``: the database for notebooks, as the DuckDB connection plus Polars helpers.

    with freqscope.connect("freqscope.duckdb") as fs:
        fs.exposure(corpus="laion", taxonomy="imagenet1k")   # a Polars DataFrame
        fs.matches("cifar10:5", corpus="laion")              # the documents behind a count
        fs.sql("SELECT * FROM corpus_sizes")
        fs.connection                                        # the duckdb connection itself

It opens read-only by default, like ``freqscope sql``: several notebooks can read while nothing indexes. The
handle serves the whole API: ``freqscope.analyze(fs, ...)`` and ``freqscope.write_report(fs, ...)`` take it (or the
path, while it is open), and ``fs.analyze(...)`` / ``fs.report(...)`` are the same calls.
"""
from __future__ import annotations

import os
import weakref
from pathlib import Path

import duckdb
import polars as pl

from freqscope.audit import resolve_class
from freqscope.errors import FreqscopeError
from freqscope.saved_queries import run_saved_query
from freqscope.sql_query import open_for_sql, run_sql
from freqscope.store import resolve_db_path

EXPOSURE_SQL = """
SELECT * FROM exposure_weighted
WHERE ($corpus IS NULL OR corpus = $corpus) AND ($taxonomy IS NULL OR taxonomy = $taxonomy)
ORDER BY corpus, taxonomy, class_index
"""
TERMS_SQL = """
SELECT t.taxonomy, t.term_id, t.class_index, c.class, t.term, t.words, t.origin, t.ambiguous, t.wordnet_senses
FROM terms t JOIN classes c USING (taxonomy, class_index)
WHERE ($taxonomy IS NULL OR t.taxonomy = $taxonomy) AND ($class_index IS NULL OR t.class_index = $class_index)
ORDER BY t.taxonomy, t.term_id
"""
KNOWN_NAMES_SQL = {
    "corpus": "SELECT corpus FROM corpora ORDER BY corpus",
    "taxonomy": "SELECT taxonomy FROM taxonomies ORDER BY taxonomy",
}
CLASS_MATCHES_SQL = """
SELECT s.corpus, m.source_id, s.path, m.doc, m.doc_key, m.role, m.taxonomy, m.class_index, c.class,
       m.term_id, t.term, t.origin, m.n
FROM matches m
JOIN sources s USING (source_id)
JOIN classes c ON c.taxonomy = m.taxonomy AND c.class_index = m.class_index
JOIN terms t ON t.taxonomy = m.taxonomy AND t.term_id = m.term_id
WHERE s.status = 'done' AND m.taxonomy = $taxonomy AND m.class_index = $class_index
  AND ($corpus IS NULL OR s.corpus = $corpus)
ORDER BY s.corpus, m.source_id, m.doc, m.role, m.term_id
"""


# Open handles by database path, so that a call given the path of a database this process has open uses the
# handle's connection (DuckDB refuses a second one with other settings). Weak: a handle dropped unclosed leaves.
_OPEN_HANDLES: weakref.WeakValueDictionary[Path, FreqscopeConnection] = weakref.WeakValueDictionary()


def open_handle(db: str | os.PathLike | None) -> FreqscopeConnection | None:
    """The open ``connect()`` handle of this database, if any."""
    return _OPEN_HANDLES.get(resolve_db_path(db).resolve())


class FreqscopeConnection:
    """An open freqscope database. ``connection`` is the DuckDB connection, for anything the helpers lack."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path) -> None:
        self.connection = connection
        self.path = path
        _OPEN_HANDLES[path.resolve()] = self

    def _check_name(self, what: str, name: str | None) -> None:
        """A corpus or list that is not in the database is a typo, not an empty result: say which exist."""
        if name is None:
            return
        known = [row[0] for row in self.connection.execute(KNOWN_NAMES_SQL[what]).fetchall()]
        if name not in known:
            plural = {"corpus": "corpora", "taxonomy": "lists"}[what]
            raise FreqscopeError(f"no {what} {name!r} in {self.path}; {plural}: "
                                 f"{', '.join(known) or 'none yet (run freqscope index)'}")

    def sql(self, query: str, **params: object) -> pl.DataFrame:
        """Any SQL, parameters bound by name (``$corpus`` in the query, ``corpus=...`` here)."""
        return run_sql(self.connection, query, params)

    def query(self, name: str, **params: object) -> pl.DataFrame:
        """A saved query (``freqscope query --list``) with its parameters, defaults for the rest."""
        return run_saved_query(self.connection, name, params)

    def exposure(self, corpus: str | None = None, taxonomy: str | None = None) -> pl.DataFrame:
        """The ``exposure_weighted`` view: docs and mentions per corpus and class, with judged precision."""
        self._check_name("corpus", corpus)
        self._check_name("taxonomy", taxonomy)
        return run_sql(self.connection, EXPOSURE_SQL, {"corpus": corpus, "taxonomy": taxonomy})

    def terms(self, taxonomy: str | None = None, class_: str | None = None) -> pl.DataFrame:
        """The terms searched for: of a list, or of one class (a name or ``taxonomy:index``)."""
        class_index = None
        if class_ is not None:
            resolved = resolve_class(self.connection, class_, taxonomy)
            taxonomy, class_index = resolved.taxonomy, resolved.class_index
        return run_sql(self.connection, TERMS_SQL, {"taxonomy": taxonomy, "class_index": class_index})

    def matches(self, class_: str, *, taxonomy: str | None = None, corpus: str | None = None) -> pl.DataFrame:
        """Every match of a class (a name or ``taxonomy:index``): which document, role and term, how often."""
        resolved = resolve_class(self.connection, class_, taxonomy)
        params = {"taxonomy": resolved.taxonomy, "class_index": resolved.class_index, "corpus": corpus}
        return run_sql(self.connection, CLASS_MATCHES_SQL, params)

    def analyze(self, taxonomies: list[str], corpora: list[str] | None = None, model: str | None = None,
                **options: object) -> dict:
        """``freqscope.analyze`` on this database (stored only where the handle may write)."""
        from freqscope.analysis import analyze

        return analyze(self, taxonomies, corpora, model, **options)

    def report(self, output: str | os.PathLike, **options: object) -> Path:
        """``freqscope.write_report`` on this database."""
        from freqscope.report import write_report

        return write_report(self, output, **options)

    def close(self) -> None:
        if _OPEN_HANDLES.get(self.path.resolve()) is self:
            del _OPEN_HANDLES[self.path.resolve()]
        self.connection.close()

    def __enter__(self) -> FreqscopeConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"FreqscopeConnection({str(self.path)!r})"


def connect(db: str | os.PathLike | None = None, *, read_only: bool = True) -> FreqscopeConnection:
    """Open the database (``db``, else $FREQSCOPE_DB, else ./freqscope.duckdb); read-only unless asked."""
    return FreqscopeConnection(open_for_sql(db, write=not read_only), resolve_db_path(db))
