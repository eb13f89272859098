"""A command imports only what it runs: the CLI's start-up (benchmarks/bench_cli_startup.py has the timings)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from freqscope.cli import sql_cmd
from freqscope.paths import REPO_ROOT
from freqscope.sql_query import OUTPUT_FORMATS

# What a command that does not analyse, plot or run a model must not import.
ANALYSIS_AND_MODELS = ("scipy", "matplotlib", "plotly", "torch", "transformers")
# Nor does --help need the data libraries, or the matcher and readers.
DATA = ("polars", "duckdb", "pyarrow", "numpy", "freqscope.matcher", "freqscope.readers", "freqscope.indexer")

IMPORTED_BY = """
import json, sys
from typer.testing import CliRunner
from freqscope.cli import app
result = CliRunner().invoke(app, json.loads(sys.argv[1]))
assert result.exit_code == 0, result.output
print(json.dumps(sorted(sys.modules)))
"""


def modules_imported(args: list[str], cwd=REPO_ROOT) -> set[str]:
    """The modules loaded by a fresh interpreter that ran ``freqscope ARGS``."""
    child = subprocess.run([sys.executable, "-c", IMPORTED_BY, json.dumps(args)], cwd=cwd, capture_output=True,
                           text=True, check=True)
    return set(json.loads(child.stdout.splitlines()[-1]))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(name for name in names if name in modules)


def test_importing_the_cli_imports_no_data_or_analysis_library():
    child = subprocess.run([sys.executable, "-c", "import json, sys, freqscope.cli; print(json.dumps(sorted(sys.modules)))"],
                           cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    modules = set(json.loads(child.stdout))
    assert loaded(modules, ANALYSIS_AND_MODELS + DATA) == []


@pytest.mark.parametrize("args", [["--help"], ["index", "--help"], ["sql", "--help"], ["classes", "--help"],
                                  ["report", "--help"], ["infer", "--help"]])
def test_help_imports_no_data_or_analysis_library(args):
    assert loaded(modules_imported(args), ANALYSIS_AND_MODELS + DATA) == []


def test_sql_and_the_saved_queries_import_no_analysis_library_nor_the_matcher(tmp_path):
    import duckdb

    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    for args in (["sql", "--db", str(db), "SELECT 1"], ["query", "--list"]):
        modules = modules_imported(args, cwd=tmp_path)
        assert loaded(modules, ANALYSIS_AND_MODELS + ("freqscope.matcher", "freqscope.readers")) == [], args


def test_sql_as_a_table_imports_duckdb_but_not_polars_or_pyarrow(tmp_path):
    """The quick question answers from DuckDB's rows; only the formats that need a frame load Polars."""
    import duckdb

    db = tmp_path / "small.duckdb"
    duckdb.connect(str(db)).close()
    for args in (["sql", "--db", str(db), "SELECT 1"], ["sql", "--db", str(db), "SELECT 1", "-f", "table"]):
        modules = modules_imported(args, cwd=tmp_path)
        assert "duckdb" in modules
        assert loaded(modules, ANALYSIS_AND_MODELS + ("polars", "pyarrow", "freqscope.store", "freqscope.terms",
                                                      "freqscope.matcher", "freqscope.readers")) == [], args
    assert "polars" in modules_imported(["sql", "--db", str(db), "SELECT 1", "-f", "csv"], cwd=tmp_path)


def test_listing_the_saved_queries_imports_no_data_library(tmp_path):
    assert loaded(modules_imported(["query", "--list"], cwd=tmp_path), ANALYSIS_AND_MODELS + DATA) == []


def test_the_sql_commands_formats_are_the_sql_modules():
    assert sql_cmd.OUTPUT_FORMATS == OUTPUT_FORMATS
