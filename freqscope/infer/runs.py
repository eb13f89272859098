"""The ``runs`` and ``predictions`` tables: one run per model, method, dataset and settings, resumed by identity.

A run is identified by everything that changes its predictions (model name and path, method, class list,
dataset, prompt and the result settings). Running the same command again finds that run and predicts only
the images it has not seen: an interrupted run resumes, a finished one costs nothing. How it is executed
(device, batch size, --limit) is recorded but is not part of the identity.
"""
from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import duckdb

from freqscope.store import transaction

FIND_RUNS_SQL = """
SELECT run_id, settings FROM runs
WHERE model = ? AND model_path = ? AND method = ? AND taxonomy = ? AND dataset = ? AND prompt IS NOT DISTINCT FROM ?
ORDER BY run_id
"""
INSERT_RUN_SQL = """
INSERT INTO runs (model, model_path, method, taxonomy, dataset, prompt, settings, versions, status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running') RETURNING run_id
"""
DELETE_RUN_SQL = "DELETE FROM runs WHERE run_id = ?"
UPDATE_RUN_SQL = "UPDATE runs SET settings = ?, versions = ? WHERE run_id = ?"
FINISH_RUN_SQL = "UPDATE runs SET status = 'done', finished_at = current_timestamp WHERE run_id = ?"
PREDICTED_IMAGES_SQL = "SELECT image FROM predictions WHERE run_id = ?"
INSERT_PREDICTION_SQL = """
INSERT INTO predictions (run_id, image, label_index, predicted_index, answer, score, error)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
RUN_TOTALS_SQL = """
SELECT count(*)::BIGINT AS n_predictions,
       count(*) FILTER (WHERE error IS NOT NULL)::BIGINT AS n_errors,
       avg(CASE WHEN predicted_index = label_index THEN 1.0 ELSE 0.0 END) FILTER (WHERE error IS NULL) AS accuracy
FROM predictions WHERE run_id = ?
"""
RUN_STATUS_SQL = "SELECT status FROM runs WHERE run_id = ?"
# settings keys that say how a run was executed, not what it computes
EXECUTION_KEYS = ("execution",)


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("freqscope", "torch", "transformers", "tokenizers", "pillow"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    if "freqscope" not in versions:
        import freqscope

        versions["freqscope"] = freqscope.__version__
    return versions


def _identity(settings: dict) -> dict:
    return {k: v for k, v in settings.items() if k not in EXECUTION_KEYS}


@dataclass(frozen=True)
class RunKey:
    model: str
    model_path: str
    method: str
    taxonomy: str
    dataset: str
    prompt: str | None


def find_or_create_run(con: duckdb.DuckDBPyConnection, key: RunKey, settings: dict) -> tuple[int, bool]:
    """(run_id, resumed): the run with this identity, else a new one. Call inside a transaction."""
    versions = json.dumps(package_versions(), sort_keys=True)
    settings_json = json.dumps(settings, sort_keys=True)
    for run_id, stored in con.execute(
        FIND_RUNS_SQL, [key.model, key.model_path, key.method, key.taxonomy, key.dataset, key.prompt]
    ).fetchall():
        if _identity(json.loads(stored)) == _identity(settings):
            # The latest execution settings and versions are the ones that finished the run.
            con.execute(UPDATE_RUN_SQL, [settings_json, versions, run_id])
            return run_id, True
    row = con.execute(
        INSERT_RUN_SQL,
        [key.model, key.model_path, key.method, key.taxonomy, key.dataset, key.prompt, settings_json, versions],
    ).fetchone()
    return row[0], False


def predicted_images(con: duckdb.DuckDBPyConnection, run_id: int) -> set[str]:
    return {row[0] for row in con.execute(PREDICTED_IMAGES_SQL, [run_id]).fetchall()}


def write_predictions(con: duckdb.DuckDBPyConnection, run_id: int, rows: list[tuple[Any, ...]]) -> None:
    """One batch of (image, label_index, predicted_index, answer, score, error), all or nothing."""
    with transaction(con):
        con.executemany(INSERT_PREDICTION_SQL, [(run_id, *row) for row in rows])


def forget_run(con: duckdb.DuckDBPyConnection, run_id: int) -> None:
    """Remove a run this call created and never predicted for (its model did not load)."""
    with transaction(con):
        con.execute(DELETE_RUN_SQL, [run_id])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: int) -> None:
    with transaction(con):
        con.execute(FINISH_RUN_SQL, [run_id])


def run_totals(con: duckdb.DuckDBPyConnection, run_id: int) -> tuple[int, int, float | None, str]:
    n_predictions, n_errors, accuracy = con.execute(RUN_TOTALS_SQL, [run_id]).fetchone()
    status = con.execute(RUN_STATUS_SQL, [run_id]).fetchone()[0]
    return n_predictions, n_errors, (None if accuracy is None else float(accuracy)), status
