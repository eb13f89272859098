"""The ``freqscope`` command: a thin layer over the Python API, one module per group of verbs."""
from __future__ import annotations

import os
import signal
import sys
import threading

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


def _interrupted_while_loading(signum: int, frame: object) -> None:
    os.write(2, b"error: interrupted while starting: nothing was done\n")
    os._exit(EXIT_INTERRUPTED)


# Ctrl-C while the libraries load (half a second) would otherwise end in a traceback from inside an import:
# installed before anything else is imported (typer and rich alone take a tenth of a second).
_loading_in_main_thread = threading.current_thread() is threading.main_thread()
if _loading_in_main_thread:
    signal.signal(signal.SIGINT, _interrupted_while_loading)

import atexit  # noqa: E402
import errno  # noqa: E402
import gc  # noqa: E402
import resource  # noqa: E402
from contextlib import suppress  # noqa: E402

from rich.markup import escape  # noqa: E402

from freqscope.cli.app import app, console  # noqa: E402
from freqscope.errors import FreqscopeError  # noqa: E402

OS_ERROR_ADVICE = {
    errno.ENOSPC: "free some space, or write somewhere else",
    errno.EISDIR: "name a file, not a folder",
    errno.ENOENT: "check the path (create its folder first)",
    errno.EACCES: "choose a place you may write to",
    errno.EPERM: "choose a place you may write to",
    errno.EROFS: "choose a place on a writable filesystem",
    errno.EIO: "choose another place",
}
# Below this address space (ulimit -v) the libraries cannot even load (0.5 GiB: numpy fails to map its code)
# or their threads abort the process (1 GiB: glibc's "cannot allocate memory for thread-local data", exit
# 134); from 1.5 GiB a run that needs more ends in DuckDB's one-line "Out of Memory". Measured on indexing.
MIN_ADDRESS_SPACE = 3 << 29  # 1.5 GiB
# A command is one short process that builds tens of thousands of objects that live to its end (the
# libraries' modules, the class lists' terms): at CPython's default (a young collection every 700 new
# objects) the cyclic collector scanned them all again and again, ~0.08 s of a one-file `freqscope index`,
# and once more as the process exits (~0.1 s). Cyclic garbage still goes, a collection per 20,000 new objects.
GC_YOUNG_THRESHOLD = 20_000


def _require_address_space() -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY and soft < MIN_ADDRESS_SPACE:
        sys.stderr.write(f"error: freqscope needs at least {MIN_ADDRESS_SPACE / (1 << 30):.1f} GiB of address space, "
                         f"and `ulimit -v` allows {soft / (1 << 30):.2f} GiB: raise it (ulimit -v unlimited)\n")
        sys.exit(1)


_require_address_space()  # before the command modules load polars, duckdb and numpy

# Importing a module registers its commands on ``app``.
from freqscope.cli import analyze_cmd  # noqa: E402,F401  (accuracy, counts, analyze, report)
from freqscope.cli import classes_cmd  # noqa: E402,F401
from freqscope.cli import corpus_cmd  # noqa: E402,F401
from freqscope.cli import demo_cmd  # noqa: E402,F401
from freqscope.cli import index_cmd  # noqa: E402,F401
from freqscope.cli import infer_cmd  # noqa: E402,F401
from freqscope.cli import sql_cmd  # noqa: E402,F401

if _loading_in_main_thread:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def main() -> None:
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    try:
        _run_command()
    except KeyboardInterrupt as interrupt:
        # Ctrl-C that landed after the command, while its end was being handled (a few bytecodes wide)
        _fail(_interrupt_message(interrupt), EXIT_INTERRUPTED)
    finally:
        gc.freeze()  # what is left lives to the exit: the collection Python runs as it shuts down skips it


def _run_command() -> None:
    try:
        app()
    except FreqscopeError as exc:
        _fail(str(exc), 1)
    except SystemExit as exc:
        # typer turns Ctrl-C into a silent exit 130: the interrupt behind it says what was kept
        interrupt = _interrupt_behind(exc)
        if interrupt is None:
            _ignore_interrupts()  # the command is done: its exit is not cut short
            raise
        _fail(_interrupt_message(interrupt), EXIT_INTERRUPTED)
    except MemoryError:
        _fail("out of memory: raise the memory limit (ulimit -v) or give a smaller input", 1)
    except OSError as exc:  # disk full, a read-only place, a folder where a file was expected ...
        _fail(f"{exc}; {OS_ERROR_ADVICE.get(exc.errno, 'check the path and try again')}", 1)
    except Exception as exc:
        # DuckDB's errors (disk full while writing, out of memory) are one line too; imported only where a
        # command already imported duckdb, so that this handler costs no command an import
        duckdb = sys.modules.get("duckdb")
        if duckdb is None or not isinstance(exc, duckdb.Error):
            raise
        message = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        if isinstance(exc, duckdb.OutOfMemoryException):  # DuckDB's advice (SET threads ...) is for its own SQL
            _fail(f"out of memory: {message.split(' Possible solutions')[0]}; raise the memory limit "
                  "(ulimit -v) or index fewer files at once", 1)
        if isinstance(exc, getattr(duckdb, "InterruptException", ())):
            _fail("interrupted: the statement in flight was rolled back", EXIT_INTERRUPTED)
        _fail(f"database error: {message}", 1)


def _interrupt_behind(exc: BaseException) -> KeyboardInterrupt | None:
    seen = exc.__cause__ or exc.__context__
    while seen is not None and not isinstance(seen, KeyboardInterrupt):
        seen = seen.__cause__ or seen.__context__
    return seen


def _interrupt_message(interrupt: KeyboardInterrupt) -> str:
    return str(interrupt) or "interrupted: what was in flight was rolled back"


def _ignore_interrupts() -> None:
    """SIGINT ignored from here to the process's end. The command has ended and the one line that says how is
    all that is left; Python itself, shutting down, puts back the default action (killed without a word,
    exit -2) for every handler but "ignore", and DuckDB and Polars tear down after that."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _exit_interrupted() -> None:
    """Exit 130 now, after the exit functions. Left to itself, `python -m freqscope` could die of SIGINT
    instead (status -2): an interrupt that landed in code run by exec() of a string (dataclasses makes its
    methods that way, so any import can be in one) sets CPython's "unhandled KeyboardInterrupt" flag for good
    (Python/pythonrun.c, run_eval_code_obj), and Py_RunMain then kills the process with SIGINT, whatever the
    exit status asked (seen 3 times in 100 trials)."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # (a closed pipe)
            stream.flush()
    os._exit(EXIT_INTERRUPTED)


def _fail(message: str, status: int) -> None:
    _ignore_interrupts()  # (a second Ctrl-C must not print a second line, or a traceback)
    # a damaged file's bytes quoted in a message must not break the one line (or the terminal)
    message = "".join(ch if ch.isprintable() else "?" for ch in message)
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    if status == EXIT_INTERRUPTED:
        _exit_interrupted()
    sys.exit(status)
