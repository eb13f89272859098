"""How exposure explains accuracy: the statistics of `freqscope analyze`. Returns data frames and dicts; never draws.

Conventions (docs/analysis.md explains each):
- exposure is documents mentioning a class, summed over the chosen corpora; a class list may be pooled with others;
- "log exposure" is the natural log of the count with counts of 0 taken as 1 (FDP's convention);
- FDP's binned fit: ``bins`` equally spaced points from the lowest to the highest log count; each class goes to the
  first point at or above its log count (numpy ``digitize(..., right=True)``), so bin 0 holds only the classes at
  the minimum and bin i those in (edge i-1, edge i]; Pearson's r between each kept bin's edge and its mean accuracy;
- the tail is the classes exposed at most as much as the class at the ``tail_fraction`` quantile, the head the rest:
  classes of equal exposure are never split between the two (with many zeros the tail is larger than asked for).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources

import duckdb
import numpy as np
import polars as pl
from scipy import stats

from freqscope.accuracy import connection_for
from freqscope.errors import FreqscopeError
from freqscope.store import transaction

# Ways of counting a class's exposure: name -> what it counts (shown in reports beside the variant). A new variant is
# a column of sql/analysis/class_exposure.sql, a row here and one in COUNT_COLUMNS; the sensitivity analysis then
# includes it wherever its counts differ from the headline's.
COUNT_VARIANTS = {
    "docs": "documents mentioning the class",
    "unambiguous": "documents mentioning the class by a term that stands for no other class of its list",
    "precision": "documents x judged precision, where an audit judged the class",
    "names": "documents mentioning the class by its name (name tier only)",
    "all_terms": "documents mentioning the class by any of its terms, whatever their tier",
}
COUNT_COLUMNS = {"docs": "docs", "unambiguous": "docs_unambiguous", "precision": "precision_weighted",
                 "names": "docs_names", "all_terms": "docs_all_terms"}
# Short names for tables; a variant without one is shown by its name.
COUNT_LABELS = {"docs": "default", "unambiguous": "ambiguous terms skipped", "precision": "precision-weighted",
                "names": "names only", "all_terms": "every term"}
# Which term tiers (docs/class-lists.md) each counting variant counts, for indexed corpora; imported counts are
# the publisher's own.
TIERS_COUNTED = {
    "docs": "name, specific, context (with a context word)", "unambiguous": "name, specific, context (with a "
    "context word), unambiguous terms only", "precision": "name, specific, context (with a context word), "
    "weighted by judged precision", "names": "name only", "all_terms": "every tier: name, specific, context "
    "(with or without a context word), blocked",
}

# FDP's settings (docs/analysis.md): they reproduce the r printed on FDP's released plots.
FDP_BINS = 12
FDP_DROP_LOW = 1
FDP_DROP_HIGH = 1

# Tables whose contents the database fingerprint covers; timestamps (columns ending in _at) are left out so that
# re-importing the same data keeps the fingerprint.
FINGERPRINT_TABLES = ("taxonomies", "classes", "terms", "corpora", "sources", "source_taxonomies", "matches",
                      "imported_counts", "accuracy_imports", "runs", "predictions", "audit_labels")
FINGERPRINT_COLUMNS_SQL = """
SELECT column_name FROM duckdb_columns()
WHERE table_name = ? AND schema_name = 'main' AND column_name NOT LIKE '%\\_at' ESCAPE '\\'
ORDER BY column_index
"""
# {table} and {columns} come from the catalogue (FINGERPRINT_TABLES, duckdb_columns), never from the user.
FINGERPRINT_TABLE_SQL = "SELECT count(*), coalesce(sum(hash({columns}))::VARCHAR, '0') FROM {table}"

INSERT_ANALYSIS_SQL = """
INSERT INTO analyses (model, taxonomies, corpora, settings, db_fingerprint, result) VALUES (?, ?, ?, ?, ?, ?)
RETURNING analysis_id
"""
INSERT_STATISTIC_SQL = "INSERT INTO analysis_statistics VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
INSERT_BIN_SQL = "INSERT INTO analysis_bins VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"


def analysis_sql(name: str) -> str:
    """The text of freqscope/sql/analysis/NAME.sql (also shown in reports, beside the figures it feeds)."""
    return resources.files("freqscope").joinpath("sql", "analysis", f"{name}.sql").read_text()


# --- statistics on arrays ------------------------------------------------------------------------------------


def log_exposure(counts: Sequence[float] | np.ndarray) -> np.ndarray:
    """Natural log of the counts, a count below 1 (0, or a precision-weighted fraction) taken as 1."""
    return np.log(np.maximum(np.asarray(counts, dtype=float), 1.0))


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


CORRELATIONS: dict[str, Callable[[np.ndarray, np.ndarray], tuple[float, float]]] = {
    "spearman": lambda x, y: tuple(stats.spearmanr(x, y)),
    "kendall": lambda x, y: tuple(stats.kendalltau(x, y)),
    "pearson_log": lambda x, y: tuple(stats.pearsonr(log_exposure(x), y)),
}


def correlation(
    counts: np.ndarray, accuracy: np.ndarray, method: str, *, n_boot: int = 1000, seed: int = 0
) -> dict:
    """r and p of spearman | kendall | pearson_log, with a paired percentile bootstrap 95% interval (n_boot > 0)."""
    counts = np.asarray(counts, dtype=float)
    accuracy = np.asarray(accuracy, dtype=float)
    function = CORRELATIONS[method]
    result = {"r": None, "p": None, "ci_low": None, "ci_high": None, "n": int(len(counts))}
    if len(counts) < 3 or np.ptp(counts) == 0 or np.ptp(accuracy) == 0:
        return result  # undefined: too few classes, or one side constant
    r, p = function(counts, accuracy)
    result.update(r=_finite(r), p=_finite(p))
    if n_boot > 0:
        with np.errstate(invalid="ignore", divide="ignore"):
            interval = stats.bootstrap(
                (counts, accuracy), lambda x, y: function(x, y)[0], paired=True, vectorized=False,
                n_resamples=n_boot, method="percentile", confidence_level=0.95, rng=np.random.default_rng(seed),
            ).confidence_interval
        result.update(ci_low=_finite(interval.low), ci_high=_finite(interval.high))
    return result


def binned_fit(
    counts: np.ndarray, accuracy: np.ndarray, *, bins: int = FDP_BINS, drop_low: int = FDP_DROP_LOW,
    drop_high: int = FDP_DROP_HIGH,
) -> dict:
    """FDP's binned log-linear fit: mean accuracy per equal-width bin of log count, Pearson on the bin edges."""
    if bins < 2:
        raise FreqscopeError(f"--bins {bins}: need at least 2 bins")
    if drop_low < 0 or drop_high < 0 or drop_low + drop_high >= bins:
        raise FreqscopeError(f"--drop-low {drop_low} --drop-high {drop_high}: must be >= 0 and leave some of the {bins} bins")
    x = log_exposure(counts)
    accuracy = np.asarray(accuracy, dtype=float)
    result: dict = {"bins": [], "r": None, "p": None, "n_bins_kept": 0, "slope": None, "intercept": None,
                    "settings": {"bins": bins, "drop_low": drop_low, "drop_high": drop_high}}
    if len(x) == 0 or np.ptp(x) == 0:
        return result
    edges = np.linspace(x.min(), x.max(), bins)
    assigned = np.digitize(x, edges, right=True)
    for i, edge in enumerate(edges):
        members = accuracy[assigned == i]
        n = int(len(members))
        result["bins"].append({
            "bin": i,
            "lower": float(edges[i - 1]) if i else float(edge),
            "upper": float(edge),
            "n": n,
            "mean_accuracy": float(members.mean()) if n else None,
            "std_accuracy": float(members.std()) if n else None,
            "sem_accuracy": float(members.std(ddof=1) / math.sqrt(n)) if n > 1 else None,
            "kept": bool(n and drop_low <= i < bins - drop_high),
        })
    kept = [b for b in result["bins"] if b["kept"]]
    result["n_bins_kept"] = len(kept)
    if len(kept) >= 3:
        edge_x = np.array([b["upper"] for b in kept])
        means = np.array([b["mean_accuracy"] for b in kept])
        if np.ptp(means) > 0:
            r, p = stats.pearsonr(edge_x, means)
            fit = stats.linregress(edge_x, means)
            result.update(r=_finite(r), p=_finite(p), slope=float(fit.slope), intercept=float(fit.intercept))
    return result


def tail_threshold(counts: np.ndarray, tail_fraction: float) -> float | None:
    """The largest exposure in the tail: that of the class at the tail_fraction quantile, moved down a step when
    classes tied there would leave no head; None when every class has the same exposure (no split exists)."""
    ranked = np.sort(np.asarray(counts, dtype=float))
    if len(ranked) == 0 or ranked[0] == ranked[-1]:
        return None
    threshold = ranked[max(1, int(round(len(ranked) * tail_fraction))) - 1]
    if threshold == ranked[-1]:  # the tie reaches the top: the tail is everything below it
        threshold = ranked[ranked < threshold][-1]
    return float(threshold)


def head_tail(counts: np.ndarray, accuracy: np.ndarray, *, tail_fraction: float = 0.2) -> dict:
    """Mean accuracy of the least exposed classes (the tail) against the rest; Mann-Whitney U and Welch's t.

    The tail is every class with exposure <= tail_threshold(): classes tied at the boundary all go to the tail, so
    its size (``n_tail``, ``tail_share``) may exceed ``tail_fraction``; the split is by exposure, never by list order.
    """
    if not 0 < tail_fraction < 1:
        raise FreqscopeError(f"--tail {tail_fraction}: the tail is a fraction of the classes, between 0 and 1")
    counts = np.asarray(counts, dtype=float)
    accuracy = np.asarray(accuracy, dtype=float)
    threshold = tail_threshold(counts, tail_fraction)
    in_tail = counts <= threshold if threshold is not None else np.zeros(len(counts), dtype=bool)
    tail, head = accuracy[in_tail], accuracy[~in_tail]
    result = {"tail_fraction": tail_fraction, "tail_max_exposure": threshold,
              "tail_share": float(in_tail.mean()) if len(counts) else None,
              "n_head": int(len(head)), "n_tail": int(len(tail)),
              "head_accuracy": float(head.mean()) if len(head) else None,
              "tail_accuracy": float(tail.mean()) if len(tail) else None,
              "difference": None, "mannwhitney_u": None, "mannwhitney_p": None, "welch_t": None, "welch_p": None}
    if len(head) and len(tail):
        result["difference"] = result["head_accuracy"] - result["tail_accuracy"]
    if len(head) >= 2 and len(tail) >= 2:
        u = stats.mannwhitneyu(head, tail, alternative="two-sided")
        with np.errstate(invalid="ignore", divide="ignore"):
            t = stats.ttest_ind(head, tail, equal_var=False)
        result.update(mannwhitney_u=_finite(u.statistic), mannwhitney_p=_finite(u.pvalue),
                      welch_t=_finite(t.statistic), welch_p=_finite(t.pvalue))
    return result


def decade_bins(counts: np.ndarray, accuracy: np.ndarray) -> list[dict]:
    """The seed paper's view: mean accuracy in exposure bins [0, 10), [10, 100), [100, 1000), ..."""
    counts = np.asarray(counts, dtype=float)
    accuracy = np.asarray(accuracy, dtype=float)
    decade = np.where(counts < 10, 0, np.floor(np.log10(np.maximum(counts, 1)))).astype(int)
    rows = []
    for d in range(int(decade.max()) + 1 if len(decade) else 0):
        members = accuracy[decade == d]
        n = int(len(members))
        rows.append({"bin": d, "lower": 0.0 if d == 0 else float(10 ** d), "upper": float(10 ** (d + 1)), "n": n,
                     "mean_accuracy": float(members.mean()) if n else None,
                     "std_accuracy": float(members.std()) if n else None,
                     "sem_accuracy": float(members.std(ddof=1) / math.sqrt(n)) if n > 1 else None})
    return rows


# --- data from the database ----------------------------------------------------------------------------------

ACCESS_MODE_SQL = "SELECT current_setting('access_mode')"


@contextmanager
def database(db: object) -> Iterator[duckdb.DuckDBPyConnection]:
    """The connection behind any handle the API accepts: a path (None: the default database), a DuckDB connection,
    or a ``freqscope.connect()`` handle. A path already open through ``freqscope.connect()`` in this process uses
    that handle's connection, since DuckDB refuses a second connection to a file with other settings."""
    inner = getattr(db, "connection", None)
    if isinstance(inner, duckdb.DuckDBPyConnection):
        db = inner
    elif db is None or isinstance(db, (str, os.PathLike)):
        api = sys.modules.get("freqscope.api")  # only where the API module is in use can a handle be open
        open_handle = api.open_handle(db) if api is not None else None
        if open_handle is not None:
            db = open_handle.connection
    try:
        with connection_for(db) as connection:
            yield connection
    except FreqscopeError as exc:
        # store.open_database words DuckDB's refusal of a second connection as a doubt about the file
        if "different configuration" not in str(exc):
            raise
        raise FreqscopeError(f"{db} is already open in this process with other settings: pass that connection "
                             "instead of the path, or close it first") from None


def is_read_only(connection: duckdb.DuckDBPyConnection) -> bool:
    return connection.execute(ACCESS_MODE_SQL).fetchall()[0][0] == "read_only"


def corpus_stem(name: str) -> str:
    """The first word of a corpus name, in lower-case letters and digits: cc3m-fdp -> cc3m, coco_captions -> coco."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    return words[0] if words else ""


def same_source(corpus: str, other: str) -> bool:
    """Two corpus names that stand for one source counted two ways (cc3m and cc3m-fdp; laion and laion400m-fdp):
    the first word of one begins the first word of the other, and is at least 3 characters long."""
    a, b = corpus_stem(corpus), corpus_stem(other)
    return min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a))


def model_trained_on(model: str, corpus: str) -> bool:
    """Whether the model's name names the corpus (FDP's backboneRN50_pretrainedcc3m names cc3m and cc3m-fdp)."""
    stem = corpus_stem(corpus)
    return len(stem) >= 3 and stem in re.sub(r"[^a-z0-9]", "", model.lower())



def _listing(names: Sequence[str], limit: int = 10) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def query_frame(connection: duckdb.DuckDBPyConnection, sql: str, parameters: dict | None = None) -> pl.DataFrame:
    """A query's rows as a polars frame."""
    return connection.sql(sql, params=parameters or {}).pl()


def coverage(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Corpora with exposure and models with accuracy, per list (what, name, kind, taxonomy, n_classes)."""
    return query_frame(connection, analysis_sql("coverage"))


def corpora_covering(connection: duckdb.DuckDBPyConnection, taxonomies: Sequence[str]) -> pl.DataFrame:
    """Corpora (name, kind), indexed or imported, with exposure for every one of the lists."""
    table = coverage(connection).filter((pl.col("what") == "corpus") & pl.col("taxonomy").is_in(list(taxonomies)))
    return (table.group_by("name", "kind").agg(pl.col("taxonomy").n_unique().alias("n"))
            .filter(pl.col("n") == len(set(taxonomies))).sort("name").select("name", "kind"))


def default_corpora(connection: duckdb.DuckDBPyConnection, taxonomies: Sequence[str]) -> list[str]:
    """Corpora with exposure for every list; indexed ones rather than imported ones where there are both."""
    full = corpora_covering(connection, taxonomies)
    indexed = full.filter(pl.col("kind") != "imported")["name"].to_list()
    return indexed or full["name"].to_list()


def models_for(connection: duckdb.DuckDBPyConnection, taxonomies: Sequence[str]) -> list[str]:
    """Models with accuracy on every one of the lists."""
    table = coverage(connection).filter((pl.col("what") == "model") & pl.col("taxonomy").is_in(list(taxonomies)))
    return (table.group_by("name").agg(pl.col("taxonomy").n_unique().alias("n"))
            .filter(pl.col("n") == len(set(taxonomies))).sort("name")["name"].to_list())


def class_exposure(
    connection: duckdb.DuckDBPyConnection, taxonomies: Sequence[str], corpora: Sequence[str]
) -> pl.DataFrame:
    """Per corpus and class: docs, docs_unambiguous, precision_weighted (sql/analysis/class_exposure.sql)."""
    frame = query_frame(connection, analysis_sql("class_exposure"),
                        {"taxonomies": list(taxonomies), "corpora": list(corpora)})
    present = set(frame.select("corpus", "taxonomy").unique().iter_rows())
    missing = [(c, t) for c in corpora for t in taxonomies if (c, t) not in present]
    if missing:
        pairs = ", ".join(f"{c}/{t}" for c, t in missing)
        raise FreqscopeError(f"no exposure for {pairs}: index the corpus against the list "
                             "(`freqscope index`) or import its counts (`freqscope counts import`)")
    return frame


def class_table(
    db: object, taxonomies: Sequence[str], corpora: Sequence[str],
    model: str, count: str = "docs",
) -> pl.DataFrame:
    """One row per class with accuracy: taxonomy, class_index, class, exposure (summed over corpora), accuracy, n."""
    if count not in COUNT_COLUMNS:
        raise FreqscopeError(f"--count {count!r}: use one of {', '.join(COUNT_COLUMNS)}")
    with database(db) as connection:
        exposure = class_exposure(connection, taxonomies, corpora)
        accuracy = query_frame(connection, analysis_sql("model_accuracy"),
                               {"model": model, "taxonomies": list(taxonomies)})
    if accuracy.is_empty():
        known = models_for(connection, taxonomies)
        raise FreqscopeError(f"no accuracy of model {model!r} on {', '.join(taxonomies)}: "
                             + (f"models with accuracy there: {_listing(known)}" if known else
                                "import it (`freqscope accuracy import`) or measure it (`freqscope infer`)"))
    sources = accuracy.group_by("taxonomy").agg(pl.col("source").unique().sort())
    several = sources.filter(pl.col("source").list.len() > 1)
    if not several.is_empty():
        taxonomy, names = several.row(0)
        raise FreqscopeError(f"model {model!r} has accuracy on {taxonomy} from several sources ({', '.join(names)}); "
                             "import or run it under distinct --model names")
    summed = (exposure.group_by("taxonomy", "class_index")
              .agg(pl.col("class").first(), pl.col(COUNT_COLUMNS[count]).sum().alias("exposure")))
    return (summed.join(accuracy.select("taxonomy", "class_index", "accuracy", "n"), on=["taxonomy", "class_index"])
            .sort("taxonomy", "class_index"))


def database_fingerprint(db: object) -> str:
    """A hash of the database's contents (rows of every data table, timestamps aside)."""
    digest = hashlib.blake2b(digest_size=12)
    with database(db) as connection:
        for table in FINGERPRINT_TABLES:
            columns = [row[0] for row in connection.execute(FINGERPRINT_COLUMNS_SQL, [table]).fetchall()]
            quoted = ", ".join(f'"{c}"' for c in columns)
            n, total = connection.execute(FINGERPRINT_TABLE_SQL.format(columns=quoted, table=table)).fetchall()[0]
            digest.update(f"{table}:{n}:{total};".encode())
    return digest.hexdigest()


# --- the analysis --------------------------------------------------------------------------------------------


def statistics(
    table: pl.DataFrame, *, bins: int = FDP_BINS, drop_low: int = FDP_DROP_LOW, drop_high: int = FDP_DROP_HIGH,
    tail_fraction: float = 0.2, n_boot: int = 1000, seed: int = 0,
) -> dict:
    """Every statistic of one class table (columns exposure, accuracy)."""
    counts = table["exposure"].to_numpy().astype(float)
    accuracy = table["accuracy"].to_numpy().astype(float)
    split = head_tail(counts, accuracy, tail_fraction=tail_fraction)
    binned = binned_fit(counts, accuracy, bins=bins, drop_low=drop_low, drop_high=drop_high)
    return {
        "n_classes": int(table.height),
        "n_never_mentioned": int((counts == 0).sum()),
        **{method: correlation(counts, accuracy, method, n_boot=n_boot, seed=seed) for method in CORRELATIONS},
        "binned_pearson": {"r": binned["r"], "p": binned["p"], "n": binned["n_bins_kept"]},
        "head_accuracy": split["head_accuracy"],
        "tail_accuracy": split["tail_accuracy"],
        "head_tail": split,
        "binned": binned,
        "decades": decade_bins(counts, accuracy),
    }


def per_taxonomy(table: pl.DataFrame, *, n_boot: int = 0, seed: int = 0) -> list[dict]:
    """Each list of a pooled analysis on its own: classes, never mentioned, Spearman and Pearson on log exposure."""
    rows = []
    for (taxonomy,), group in table.group_by("taxonomy", maintain_order=True):
        counts = group["exposure"].to_numpy().astype(float)
        accuracy = group["accuracy"].to_numpy().astype(float)
        rows.append({"taxonomy": taxonomy, "n_classes": group.height, "n_never_mentioned": int((counts == 0).sum()),
                     "mean_accuracy": float(accuracy.mean()),
                     "spearman": correlation(counts, accuracy, "spearman", n_boot=n_boot, seed=seed),
                     "pearson_log": correlation(counts, accuracy, "pearson_log", n_boot=0)})
    return rows


def sensitivity_variants(
    connection: duckdb.DuckDBPyConnection, taxonomies: Sequence[str], corpora: Sequence[str], count: str
) -> list[dict]:
    """Each other way of counting present in the database, as {variant, explanation, corpora, count}:
    each corpus of a sum alone; the same source counted under another corpus name (``same_source``: our index of
    cc3m against FDP's published cc3m-fdp counts); and every count of COUNT_VARIANTS whose numbers differ from the
    headline's (ambiguous terms skipped on indexed corpora, precision-weighted where audited, and any variant added
    there)."""
    variants: list[dict] = []
    covering = corpora_covering(connection, taxonomies)
    kinds = dict(covering.iter_rows())
    if len(corpora) > 1:
        for corpus in corpora:
            variants.append({"variant": f"{corpus} alone", "corpora": [corpus], "count": count,
                             "explanation": f"exposure counted in {corpus} only, not summed with the others"})
    for corpus in covering["name"].to_list():
        if corpus not in corpora and any(same_source(corpus, c) for c in corpora):
            origin = "published counts" if kinds[corpus] == "imported" else "counts indexed by freqscope"
            variants.append({"variant": f"{corpus} instead", "corpora": [corpus], "count": count,
                             "explanation": f"exposure from {corpus} ({origin}) in place of {' + '.join(corpora)}"})
    exposure = class_exposure(connection, taxonomies, corpora)
    for name, column in COUNT_COLUMNS.items():
        if name != count and column in exposure.columns and not exposure[column].equals(exposure[COUNT_COLUMNS[count]]):
            variants.append({"variant": COUNT_LABELS.get(name, name), "corpora": list(corpora), "count": name,
                             "explanation": COUNT_VARIANTS[name]})
    return variants


def check_taxonomies(connection: duckdb.DuckDBPyConnection, taxonomies: Sequence[str]) -> None:
    """Every list must be in the database (with exposure or accuracy), else say which lists are."""
    known = sorted(set(coverage(connection)["taxonomy"].to_list()))
    unknown = [t for t in taxonomies if t not in known]
    if unknown:
        raise FreqscopeError(f"no list {', '.join(unknown)} in the database; lists with exposure or accuracy: "
                             f"{_listing(known) or 'none (index a corpus first)'}")


def resolve_selection(
    connection: duckdb.DuckDBPyConnection, taxonomies: Sequence[str] | None, corpora: Sequence[str] | None,
    model: str | None,
) -> tuple[list[str], list[str], str]:
    """Fill in what the user left out where there is one obvious choice, else say what the choices are.

    Without corpora, a model is analysed against the corpora its name names (``model_trained_on``; indexed ones
    rather than imported ones where there are both), else against every default corpus summed."""
    if not taxonomies:
        raise FreqscopeError("name the class list(s) with --taxonomy (it may repeat to pool lists)")
    taxonomies = list(dict.fromkeys(taxonomies))
    check_taxonomies(connection, taxonomies)
    if model is None:
        models = models_for(connection, taxonomies)
        if not models:
            raise FreqscopeError(f"no model has accuracy on {', '.join(taxonomies)}: import it "
                                 "(`freqscope accuracy import FILE -t LIST`) or measure it (`freqscope infer`) first")
        if len(models) > 1:
            raise FreqscopeError(f"name the model with --model; {len(models)} models have accuracy on "
                                 f"{', '.join(taxonomies)}: {_listing(models)}")
        model = models[0]
    if not corpora:
        covering = corpora_covering(connection, taxonomies)
        own = covering.filter(pl.Series([model_trained_on(model, c) for c in covering["name"]], dtype=pl.Boolean))
        indexed = own.filter(pl.col("kind") != "imported")["name"].to_list()
        corpora = indexed or own["name"].to_list() or default_corpora(connection, taxonomies)
    corpora = list(dict.fromkeys(corpora))
    if not corpora:
        raise FreqscopeError(f"no corpus has exposure for {', '.join(taxonomies)}: index one or import counts first")
    return taxonomies, corpora, model


def analyze(
    db: object,
    taxonomies: Sequence[str],
    corpora: Sequence[str] | None = None,
    model: str | None = None,
    *,
    bins: int = FDP_BINS,
    drop_low: int = FDP_DROP_LOW,
    drop_high: int = FDP_DROP_HIGH,
    tail_fraction: float = 0.2,
    count: str = "docs",
    n_boot: int = 1000,
    seed: int = 0,
    sensitivity: bool = True,
    store: bool | None = None,
) -> dict:
    """Join exposure with one model's accuracy over pooled lists and summed corpora; every statistic, as a dict.

    ``db``: a path (None: the default database), a DuckDB connection or a ``freqscope.connect()`` handle. With
    ``store`` the result is also written to the tables analyses, analysis_statistics and analysis_bins (None: where
    the connection may write; a read-only ``freqscope.connect()`` handle stores nothing).
    """
    settings = {"bins": bins, "drop_low": drop_low, "drop_high": drop_high, "tail_fraction": tail_fraction,
                "count": count, "bootstrap": n_boot, "seed": seed}
    with database(db) as connection:
        if store is None:
            store = not is_read_only(connection)
        elif store and is_read_only(connection):
            raise FreqscopeError("the database is open read-only, so the analysis cannot be stored: pass store=False, "
                                 "or open it with freqscope.connect(db, read_only=False)")
        taxonomies, corpora, model = resolve_selection(connection, taxonomies, corpora, model)
        table = class_table(connection, taxonomies, corpora, model, count)
        if table.height < 3:
            raise FreqscopeError(f"only {table.height} class(es) have both exposure and accuracy of {model}: "
                                 "an analysis needs at least 3")
        result = {"model": model, "taxonomies": taxonomies, "corpora": corpora, "count": count,
                  "tiers_counted": TIERS_COUNTED[count],
                  **statistics(table, bins=bins, drop_low=drop_low, drop_high=drop_high,
                               tail_fraction=tail_fraction, n_boot=n_boot, seed=seed),
                  "per_taxonomy": per_taxonomy(table, n_boot=n_boot, seed=seed) if len(taxonomies) > 1 else [],
                  "settings": settings, "sensitivity": []}
        if sensitivity:
            for variant in sensitivity_variants(connection, taxonomies, corpora, count):
                variant_statistics = statistics(
                    class_table(connection, taxonomies, variant["corpora"], model, variant["count"]),
                    bins=bins, drop_low=drop_low, drop_high=drop_high, tail_fraction=tail_fraction, n_boot=0)
                result["sensitivity"].append({
                    **variant, "tiers_counted": TIERS_COUNTED[variant["count"]], **{k: variant_statistics[k] for k in (
                        "n_classes", "spearman", "kendall", "pearson_log", "binned_pearson", "head_accuracy",
                        "tail_accuracy")},
                })
        result["db_fingerprint"] = database_fingerprint(connection)
        if store:
            result["analysis_id"] = store_analysis(connection, result)
    return result


def store_analysis(connection: duckdb.DuckDBPyConnection, result: dict) -> int:
    """Write one analysis to analyses, analysis_statistics and analysis_bins; returns its analysis_id."""
    with transaction(connection):
        (analysis_id,) = connection.execute(INSERT_ANALYSIS_SQL, [
            result["model"], result["taxonomies"], result["corpora"], json.dumps(result["settings"]),
            result["db_fingerprint"], json.dumps(result),
        ]).fetchall()[0]
        for variant in [{"variant": "main", **result}, *result["sensitivity"]]:
            for statistic in ("spearman", "kendall", "pearson_log", "binned_pearson"):
                s = variant[statistic]
                connection.execute(INSERT_STATISTIC_SQL, [analysis_id, variant["variant"], statistic, s["r"],
                                                          s.get("ci_low"), s.get("ci_high"), s["p"], s["n"]])
        split = result["head_tail"]
        connection.execute(INSERT_STATISTIC_SQL, [analysis_id, "main", "head_tail", split["difference"], None, None,
                                                  split["mannwhitney_p"], split["n_head"] + split["n_tail"]])
        for binning, rows in (("log", result["binned"]["bins"]), ("decade", result["decades"])):
            for b in rows:
                connection.execute(INSERT_BIN_SQL, [analysis_id, binning, b["bin"], b["lower"], b["upper"], b["n"],
                                                    b["mean_accuracy"], b["std_accuracy"], b.get("kept", True)])
    return int(analysis_id)
