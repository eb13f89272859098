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


def test_a_command_collects_young_objects_less_often_and_freezes_what_lives_to_its_exit(monkeypatch):
    """The command line's garbage-collector policy (cli.GC_YOUNG_THRESHOLD): a young collection per that many new
    objects instead of CPython's 700, and what outlives the command frozen, so that the collection run at exit
    does not scan it."""
    import gc
    import signal

    from freqscope import cli

    threshold, frozen, on_interrupt = gc.get_threshold(), gc.get_freeze_count(), signal.getsignal(signal.SIGINT)
    monkeypatch.setattr("sys.argv", ["freqscope", "--version"])
    try:
        try:
            cli.main()
        except SystemExit as exit:
            assert exit.code in (0, None)
        assert gc.get_threshold()[0] == cli.GC_YOUNG_THRESHOLD > threshold[0]
        assert gc.get_threshold()[1:] == threshold[1:]
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        signal.signal(signal.SIGINT, on_interrupt)  # (main ignores Ctrl-C once its command has ended)
