"""The command line as a user meets it: help, usage, --version, switches, and the API's names."""
from __future__ import annotations

import re

from typer.testing import CliRunner

import freqscope
from freqscope.cli import app


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"freqscope {freqscope.__version__}"


def test_help_shows_no_bool_type_and_plain_usage():
    for command in (["--help"], ["index", "--help"], ["report", "--help"], ["demo", "--help"],
                    ["accuracy", "import", "--help"]):
        result = CliRunner().invoke(app, command, terminal_width=120)
        assert result.exit_code == 0, result.output
        assert "<bool>" not in result.output, command
        assert "{" not in result.output.splitlines()[1], command  # the usage line
    usage = CliRunner().invoke(app, ["index", "--help"], terminal_width=120).output
    assert re.search(r"Usage: .* index \[OPTIONS\] PATHS\.\.\.", usage)


def test_a_switch_given_a_value_says_it_takes_none():
    result = CliRunner().invoke(app, ["index", "corpus.txt", "--case-sensitive", "true"], terminal_width=200)
    assert result.exit_code == 2
    assert "--case-sensitive" in result.output and "takes no value" in result.output


def test_dir_shows_the_api_the_readme_names():
    names = dir(freqscope)
    for name in ("index", "connect", "analyze", "write_report", "load_class_list", "import_accuracy", "demo",
                 "infer", "FreqscopeError", "__version__"):
        assert name in names, name
    assert callable(freqscope.demo.demo)
