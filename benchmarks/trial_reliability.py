"""Issue 17's trials, rerunnable: kill and interrupt `freqscope index` at random moments, feed it every bad
input of the issue, try every way out of read-only SQL, and print the tallies.

    python benchmarks/trial_reliability.py                      # 30 SIGKILLs, 100 SIGINTs, every bad input
    python benchmarks/trial_reliability.py --kills 5 --interrupts 10 --only kill,int

- SIGKILL at random moments (a third of them while the database is being created): the re-run must exit 0
  and its tables equal a clean run's.
- SIGINT at random moments: exit 130 and one line (or 0 where the run had finished), no shard marked done
  with fewer rows than its range holds, and the re-run equal to a clean run.
- Bad inputs: one line on stderr, a non-zero exit, no traceback, the database (every row of every table) and
  the files around it unchanged, and no new database file left behind; a file failing after another was
  finished: the line says what was kept, and `freqscope corpus remove` gives back the database as it was.
The corpus is the benchmark corpus of real captions (../shared/bench): a folder of parquet shards plus one
file split into row-group shards, as in the issue's report.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bad_inputs import (  # noqa: E402
    FOREIGN_CLASHES, empty_corpora, long_first_line_jsonl, write_bad_corpora, write_foreign_database,
)
from common import REPO, make_corpus  # noqa: E402

LISTS = ["cifar10", "cifar100", "food101"]
# The whole state a run leaves: counts, every match, and the sources (without times and ids).
STATE_SQL = {
    "exposure": "SELECT corpus, taxonomy, class_index, docs, mentions FROM exposure ORDER BY ALL",
    "matches": "SELECT s.path, s.row_start, count(*), sum(m.n), sum(m.doc) FROM pattern_matches m "
               "JOIN sources s USING (source_id) GROUP BY ALL ORDER BY ALL",
    "sources": "SELECT path, row_start, row_end, status, n_docs FROM sources ORDER BY ALL",
}
SHORT_DONE_SQL = "SELECT path, row_start, row_end, n_docs FROM sources WHERE status = 'done'"


def freqscope(*args: str) -> list[str]:
    return [sys.executable, "-m", "freqscope", *args]


def environment() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO), COLUMNS="200")


def run(command: list[str], *, cwd: Path | None = None, limit_bytes: int | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess:
    def limit() -> None:
        if limit_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    return subprocess.run(command, cwd=cwd or REPO, env=environment(), capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limit)


def state(db: Path) -> dict[str, list]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return {name: connection.execute(sql).fetchall() for name, sql in STATE_SQL.items()}


def all_rows_digest(db: Path) -> str:
    """Every row of every table: what "the database is unchanged" compares. Per table, the count and the sum of
    the rows' hashes, in DuckDB (the rows of a 2.7M-caption index, repr'd and sorted in Python, took minutes)."""
    digest = hashlib.sha256()
    with duckdb.connect(str(db), read_only=True) as connection:
        tables = connection.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = "
                                    "current_database() ORDER BY 1").fetchall()
        for (table,) in tables:
            row = connection.execute(f'SELECT count(*), sum(hash(t)::HUGEINT) FROM "{table}" t').fetchall()[0]
            digest.update(f"{table}:{row}".encode())
    return digest.hexdigest()


def folder_digest(folder: Path) -> dict[str, str]:
    """The files around the database (not link.duckdb, a hard link to it: its rows are compared instead, as a
    writable open refreshes the schema's views in place)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "link.duckdb"}


# --- the corpus ----------------------------------------------------------------------------------------------

def build_corpus(workdir: Path, shard_rows: int, big_rows: int) -> list[str]:
    """Four parquet shards in a folder and one file of several row-group shards (over 1M rows)."""
    shards = workdir / "shards"
    shards.mkdir(parents=True, exist_ok=True)
    for number in range(4):
        path = shards / f"part-{number}.parquet"
        if not path.exists():
            make_corpus(path, shard_rows, seed=number + 1, row_group=shard_rows // 2)
    big = workdir / "big.parquet"
    if not big.exists():
        make_corpus(big, big_rows, seed=9, row_group=250_000)
    return [str(shards), str(big)]


def index_command(paths: list[str], db: Path) -> list[str]:
    return freqscope("index", *paths, "--corpus", "mix", "--db", str(db), "--quiet",
                     *[arg for name in LISTS for arg in ("--classes", name)])


def expected_rows(paths: list[str]) -> dict[str, int]:
    import pyarrow.parquet as pq

    files = [p for path in paths for p in (sorted(Path(path).glob("*.parquet")) if Path(path).is_dir() else [Path(path)])]
    return {str(p.resolve()): pq.ParquetFile(p).metadata.num_rows for p in files}


def short_done(db: Path, file_rows: dict[str, int]) -> int:
    """Shards marked done with fewer documents than their range (or file) holds."""
    with duckdb.connect(str(db), read_only=True) as connection:
        rows = connection.execute(SHORT_DONE_SQL).fetchall()
    return sum(1 for path, start, end, n_docs in rows
               if n_docs != ((end - start) if end is not None else file_rows[path]))


# --- SIGKILL and SIGINT ---------------------------------------------------------------------------------------

def start_and_signal(command: list[str], db: Path, when: float | None, creation_delay: float | None,
                     signum: int) -> tuple[subprocess.Popen, str, bool]:
    """Start the run and send ``signum`` ``when`` seconds after the start, or ``creation_delay`` seconds after
    its database (or the file it is created under) appears."""
    process = subprocess.Popen(command, cwd=REPO, env=environment(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    if creation_delay is not None:
        pattern = f".{db.name}.*.creating"
        deadline = time.monotonic() + 60
        while (process.poll() is None and time.monotonic() < deadline
               and not db.exists() and not any(db.parent.glob(pattern))):
            time.sleep(0.0005)
        time.sleep(creation_delay)
    else:
        time.sleep(when)
    sent = process.poll() is None
    if sent:
        process.send_signal(signum)
    _, stderr = process.communicate(timeout=600)
    return process, stderr, sent


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def add(self, key: str, note: str | None = None) -> None:
        self.counts[key] += 1
        if note:
            self.notes.append(note)


def kill_trials(paths: list[str], workdir: Path, clean: dict, clean_seconds: float, n: int,
                rng: random.Random, window: float) -> Tally:
    tally = Tally()
    for trial in range(n):
        db = workdir / "killed.duckdb"
        for leftover in workdir.glob("*killed.duckdb*"):
            leftover.unlink()
        at_creation = trial % 3 == 0
        when = None if at_creation else rng.uniform(0.0, clean_seconds * window)
        delay = rng.uniform(0.0, 0.08) if at_creation else None
        process, _, _ = start_and_signal(index_command(paths, db), db, when, delay, signal.SIGKILL)
        moment = f"at creation +{delay * 1000:.0f} ms" if at_creation else f"at {when:.2f} s"
        tally.add("killed" if process.returncode == -signal.SIGKILL else "finished before the kill")
        if at_creation:
            tally.add("kills at database creation")
        resumed = run(index_command(paths, db))
        if resumed.returncode != 0:
            tally.add("re-run failed", f"kill {moment}: {resumed.stderr.strip()[:300]}")
            continue
        tally.add("re-run equal to a clean run" if state(db) == clean else "re-run NOT equal",
                  None if state(db) == clean else f"kill {moment}: state differs")
    return tally


def interrupt_trials(paths: list[str], workdir: Path, clean: dict, clean_seconds: float, n: int,
                     rng: random.Random, file_rows: dict[str, int], window: float) -> Tally:
    tally = Tally()
    for _ in range(n):
        db = workdir / "interrupted.duckdb"
        for leftover in workdir.glob("*interrupted.duckdb*"):
            leftover.unlink()
        when = rng.uniform(0.3, clean_seconds * window)
        process, stderr, sent = start_and_signal(index_command(paths, db), db, when, None, signal.SIGINT)
        lines = stderr.strip().splitlines()
        tally.add(f"exit {process.returncode}" + ("" if sent else " (finished before the signal)"))
        if process.returncode == 0 and sent:
            # the signal was noted but the run went on to its end: acceptable only where it wrote everything
            whole = db.exists() and state(db) == clean
            tally.add("exit 0: tables equal a clean run" if whole else "exit 0 but NOT equal to a clean run",
                      None if whole else f"SIGINT at {when:.2f} s: exit 0 with {stderr.strip()[:200]!r}")
        elif process.returncode < 0:
            tally.add("killed by the signal", f"SIGINT at {when:.2f} s: killed, stderr {stderr.strip()[-300:]!r}")
        if process.returncode != 0:
            one_line = len(lines) == 1 and lines[0].startswith("error: interrupted") and "Traceback" not in stderr
            tally.add("one line" if one_line else "NOT one line",
                      None if one_line else f"SIGINT at {when:.2f} s: {stderr.strip()[:300]}")
        if db.exists():
            short = short_done(db, file_rows)
            tally.add("no shard done short" if short == 0 else "shard(s) marked done short",
                      None if short == 0 else f"SIGINT at {when:.2f} s: {short} short")
        resumed = run(index_command(paths, db))
        if resumed.returncode != 0:
            tally.add("re-run failed", f"SIGINT at {when:.2f} s: {resumed.stderr.strip()[:300]}")
            continue
        equal = state(db) == clean
        tally.add("re-run equal to a clean run" if equal else "re-run NOT equal",
                  None if equal else f"SIGINT at {when:.2f} s: state differs")
    return tally


# --- bad inputs --------------------------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    command: Callable[[Path, Path], list[str]]  # (db, folder of inputs) -> argv
    new_db_too: bool = False  # also run into a database that does not exist yet
    limit_bytes: int | None = None
    expect_success: bool = False  # a misreading that must now read right (exit 0)
    may_succeed: bool = False  # under a memory limit: either it fits (exit 0) or it fails in one line


def bad_input_cases(inputs: Path, corpora: Path) -> list[Case]:
    cases: list[Case] = []
    lists = ("--classes", "cifar10")
    for name, path in {**write_bad_corpora(inputs / "corpora"), **empty_corpora(inputs / "empty")}.items():
        cases.append(Case(f"index: {name}", lambda db, _, p=path: freqscope("index", str(p), "--db", str(db), "-q", *lists), True))
        if name.startswith("garbage"):
            fmt = "jsonl" if name.endswith("jsonl") else name.split(".")[-1]
            cases.append(Case(f"index --format {fmt}: {name}",
                              lambda db, _, p=path, f=fmt: freqscope("index", str(p), "--format", f, "--db", str(db), "-q", *lists)))
    loop = inputs / "loop.jsonl"
    if not loop.is_symlink():
        loop.symlink_to(loop)
    cases.append(Case("index: a symlink loop", lambda db, _: freqscope("index", str(loop), "--db", str(db), "-q", *lists), True))
    json_file = inputs / "records.json"
    json_file.write_text(json.dumps([{"text": "a dog"}]))
    cases.append(Case("index --format parquet on a JSON file",
                      lambda db, _: freqscope("index", str(json_file), "--format", "parquet", "--db", str(db), "-q", *lists)))
    long_line = long_first_line_jsonl(inputs / "long_first_line.jsonl")
    cases.append(Case("index: JSONL whose first line is over 1 MiB (must read)",
                      lambda db, _: freqscope("index", str(long_line), "--corpus", "long", "--db", str(db), "-q", *lists),
                      expect_success=True))
    big = corpora[1]
    for gigabytes in (0.5, 1, 3):
        cases.append(Case(f"index under ulimit -v {gigabytes} GB",
                          lambda db, _, p=big: freqscope("index", p, "--corpus", "limited", "--db", str(db), "-q", *lists),
                          limit_bytes=int(gigabytes * (1 << 30)), may_succeed=True))
    # read-only SQL: every way out
    other, link, out, exported = inputs / "other.duckdb", inputs / "link.duckdb", inputs / "out.csv", inputs / "exported"
    for name, sql in {
        "ATTACH another database READ_WRITE and INSERT": f"ATTACH '{other}' AS o (READ_WRITE); INSERT INTO o.x VALUES (1)",
        "ATTACH a hard link to the database and DELETE": f"ATTACH '{link}' AS h; DELETE FROM h.sources",
        "COPY TO a file": f"COPY (SELECT 1) TO '{out}'",
        "EXPORT DATABASE": f"EXPORT DATABASE '{exported}'",
        "INSTALL httpfs": "INSTALL httpfs",
        "LOAD httpfs": "LOAD httpfs",
        "read_csv('/etc/passwd') without --allow-files": "SELECT * FROM read_csv('/etc/passwd')",
        "SET enable_external_access": "SET enable_external_access = true",
        "DELETE": "DELETE FROM sources",
        "EXPLAIN ANALYZE COPY": f"EXPLAIN ANALYZE COPY (SELECT 1) TO '{out}'",
    }.items():
        cases.append(Case(f"sql: {name}", lambda db, _, q=sql: freqscope("sql", q, "--db", str(db))))
        if "read_csv" not in name:
            cases.append(Case(f"sql --allow-files: {name}",
                              lambda db, _, q=sql: freqscope("sql", q, "--db", str(db), "--allow-files")))
    sneaky = inputs / "sneaky.sql"
    sneaky.write_text(f"-- description: looks harmless\nCOPY (SELECT 1) TO '{out}'\n")
    cases.append(Case("query FILE.sql with COPY", lambda db, _: freqscope("query", str(sneaky), "--db", str(db))))
    # sql output
    for name, target in {"a folder": inputs, "a missing folder": inputs / "missing" / "x.csv",
                         "a read-only place": Path("/proc/version")}.items():  # (root writes a 0500 folder)
        cases.append(Case(f"sql -o to {name}",
                          lambda db, _, t=target: freqscope("sql", "SELECT 1 AS x", "--db", str(db), "-f", "csv", "-o", str(t))))
    # imports
    latin1 = inputs / "latin1.csv"
    latin1.write_bytes("class,accuracy\ncaf\xe9,0.5\ndog,0.4\n".encode("latin-1"))
    big_n = inputs / "big_n.csv"
    big_n.write_text("class,accuracy,n\ndog,0.5,3000000000\n")
    infinite = inputs / "infinite.json"
    infinite.write_text('{"dog": Infinity, "cat": 3}')
    huge = inputs / "huge.json"
    huge.write_text('{"dog": 1e30, "cat": 3}')
    for name, args in {
        "accuracy import: n over 2^31": ("accuracy", "import", str(big_n), "-t", "cifar10"),
        "accuracy import: a Latin-1 CSV": ("accuracy", "import", str(latin1), "-t", "cifar10"),
        "accuracy import: a folder as FILE": ("accuracy", "import", str(inputs), "-t", "cifar10"),
        "counts import: Infinity": ("counts", "import", str(infinite), "--corpus", "pub", "-t", "cifar10"),
        "counts import: 1e30": ("counts", "import", str(huge), "--corpus", "pub", "-t", "cifar10"),
        "counts import: a folder as FILE": ("counts", "import", str(inputs), "--corpus", "pub", "-t", "cifar10"),
    }.items():
        cases.append(Case(name, lambda db, _, a=args: freqscope(*a, "--db", str(db)), True))
    sheet_sup = inputs / "sheet_sup.csv"
    sheet_sup.write_text("corpus,source_id,doc,role,taxonomy,class_index,relevant\nmix,1,²,,cifar10,5,yes\n")
    sheet_big = inputs / "sheet_big.csv"
    sheet_big.write_text("corpus,source_id,doc,role,taxonomy,class_index,relevant\nmix,9999999999,1,,cifar10,5,yes\n")
    cases.append(Case("audit --import: a sheet with ²", lambda db, _: freqscope("audit", "--import", str(sheet_sup), "--db", str(db))))
    cases.append(Case("audit --import: ids over 2^31", lambda db, _: freqscope("audit", "--import", str(sheet_big), "--db", str(db))))
    return cases


def foreign_database_cases(inputs: Path) -> list[tuple[str, Path]]:
    made = []
    for clash in (*FOREIGN_CLASHES, "0-byte file", "header-only file"):
        path = inputs / "foreign" / f"{clash.replace(' ', '_')}.duckdb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        if clash == "0-byte file":
            path.write_bytes(b"")
        elif clash == "header-only file":
            path.write_bytes(b"\0" * 8 + b"DUCK" + b"\0" * 4084)
        else:
            write_foreign_database(path, clash)
        made.append((clash, path))
    return made


def bad_input_trials(workdir: Path, corpora: list[str], base_db: Path) -> Tally:
    tally = Tally()
    inputs = workdir / "inputs"
    if inputs.exists():
        shutil.rmtree(inputs)
    inputs.mkdir()
    with duckdb.connect(str(inputs / "other.duckdb")) as connection:
        connection.execute("CREATE TABLE x (v INTEGER)")
    db = workdir / "bad_inputs.duckdb"
    shutil.copy(base_db, db)
    os.link(db, inputs / "link.duckdb")

    def judge(name: str, result: subprocess.CompletedProcess, before: str, files_before: dict,
              expect_success: bool, new_db: Path | None) -> None:
        lines = result.stderr.strip().splitlines()
        problems = []
        if expect_success or result.returncode == 0 and case.may_succeed:
            if result.returncode != 0:
                problems.append(f"exit {result.returncode}: {result.stderr.strip()[:200]}")
        else:
            if result.returncode == 0:
                problems.append("exit 0")
            if len(lines) != 1 or "Traceback" in result.stderr or not lines[0].startswith("error:"):
                problems.append(f"{len(lines)} line(s): {result.stderr.strip()[-300:]}")
            if all_rows_digest(db) != before:
                problems.append("database changed")
            if folder_digest(inputs) != files_before:
                problems.append("files changed")
            if new_db is not None and (new_db.exists() or any(new_db.parent.glob(f".{new_db.name}*"))):
                problems.append("new database left behind")
        tally.add("ok" if not problems else "NOT ok", f"{'ok    ' if not problems else 'NOT ok'} {name}"
                  + (f": {'; '.join(problems)}" if problems else f" -> {lines[0][:150] if lines else '(no message)'}"))

    for case in bad_input_cases(inputs, corpora):
        new_db = workdir / "new_bad.duckdb"
        targets = [(db, None)] + ([(new_db, new_db)] if case.new_db_too else [])
        for target, new_db in targets:
            before, files_before = all_rows_digest(db), folder_digest(inputs)
            result = run(case.command(target, inputs), limit_bytes=case.limit_bytes)
            judge(case.name + (" (new database)" if new_db else ""), result, before, files_before,
                  case.expect_success, new_db)
            if new_db is not None:
                for leftover in workdir.glob("*new_bad.duckdb*"):
                    leftover.unlink()
    mid_run(workdir, db, tally)
    for clash, path in foreign_database_cases(workdir / "foreign_inputs"):
        content = path.read_bytes()
        result = run(freqscope("index", str(REPO / "data" / "corpora" / "cc3m_validation"), "--db", str(path),
                               "-q", "--classes", "cifar10"))
        lines = result.stderr.strip().splitlines()
        ok = result.returncode != 0 and len(lines) == 1 and path.read_bytes() == content
        tally.add("ok" if ok else "NOT ok", f"{'ok    ' if ok else 'NOT ok'} index into a foreign DuckDB file "
                  f"({clash}) -> {result.stderr.strip()[:150]}")
    disk_full(workdir, corpora, tally)
    return tally


def mid_run(workdir: Path, db: Path, tally: Tally) -> None:
    """A corpus whose second file is corrupt: the first file's shards are kept (to resume), the error line says
    so and names `freqscope corpus remove`, which then leaves the database as it was before the run."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from bad_inputs import _corrupt_parquet_page

    folder = workdir / "mid_run"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    pq.write_table(pa.table({"TEXT": [f"a photo of a dog number {i}" for i in range(10_000)]}), folder / "a.parquet")
    _corrupt_parquet_page(folder / "b.parquet")
    before = all_rows_digest(db)
    result = run(freqscope("index", str(folder), "--corpus", "midrun", "--db", str(db), "-q", "--classes", "cifar10"))
    lines = result.stderr.strip().splitlines()
    problems = []
    if result.returncode != 1 or len(lines) != 1 or "Traceback" in result.stderr:
        problems.append(f"exit {result.returncode}, {len(lines)} line(s)")
    elif "kept in corpus 'midrun'" not in lines[0] or "freqscope corpus remove midrun" not in lines[0]:
        problems.append("the line does not say what was kept and how to remove it")
    removed = run(freqscope("corpus", "remove", "midrun", "--db", str(db)))
    if removed.returncode != 0 or all_rows_digest(db) != before:
        problems.append(f"corpus remove: exit {removed.returncode}, database "
                        f"{'as before' if all_rows_digest(db) == before else 'NOT as before'}")
    tally.add("ok" if not problems else "NOT ok",
              f"{'ok    ' if not problems else 'NOT ok'} index: a folder whose second file fails mid-run, then corpus "
              f"remove" + (f": {'; '.join(problems)}" if problems else f" -> {lines[0][-220:]}"))


def disk_full(workdir: Path, corpora: list[str], tally: Tally) -> None:
    """Index into a 6 MB tmpfs (needs the right to mount; noted where it is missing)."""
    mount = workdir / "full"
    mount.mkdir(exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True).returncode:
        tally.add("not run", "not run: disk full (no right to mount a tmpfs here)")
        return
    try:
        for existing in (False, True):
            db = mount / "db.duckdb"
            if existing:
                run(freqscope("index", str(REPO / "data" / "corpora" / "cc3m_validation"), "--db", str(db), "-q",
                              "--classes", "cifar10"))
                before = all_rows_digest(db)
            result = run(index_command(corpora, db))
            lines = result.stderr.strip().splitlines()
            # a new database keeps the shards finished before the disk filled (as a killed run does), whole
            ok = (result.returncode == 1 and len(lines) == 1 and "No space left on device" in lines[0]
                  and (all_rows_digest(db) == before if existing else not db.exists() or whole_shards(db)))
            name = f"index on a full disk ({'existing' if existing else 'new'} database)"
            tally.add("ok" if ok else "NOT ok", f"{'ok    ' if ok else 'NOT ok'} {name} -> {result.stderr.strip()[:200]}")
            for leftover in mount.iterdir():
                leftover.unlink()
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def whole_shards(db: Path) -> bool:
    """Every shard marked done holds all its rows (parquet: row_end - row_start, or the file's rows)."""
    import pyarrow.parquet as pq

    with duckdb.connect(str(db), read_only=True) as connection:
        rows = connection.execute(SHORT_DONE_SQL).fetchall()
    return all(n_docs == ((end - start) if end is not None else pq.ParquetFile(path).metadata.num_rows)
               for path, start, end, n_docs in rows)


def print_tally(title: str, tally: Tally) -> None:
    print(f"\n== {title}")
    for key, count in sorted(tally.counts.items()):
        print(f"  {key}: {count}")
    for note in tally.notes:
        print(f"    {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--interrupts", type=int, default=100)
    parser.add_argument("--shard-rows", type=int, default=300_000, help="rows of each of the 4 shard files")
    parser.add_argument("--big-rows", type=int, default=1_500_000, help="rows of the file split into shards")
    parser.add_argument("--only", default="kill,int,bad", help="which trials: kill, int, bad")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--window", type=float, default=1.2,
                        help="signals land up to this multiple of a clean run's time (past 1: at its end and exit, "
                             "where the run has finished and only Python's shutdown is left)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    trials = set(args.only.split(","))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="freqscope-trial-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    corpora = build_corpus(workdir, args.shard_rows, args.big_rows)
    clean_db = workdir / "clean.duckdb"
    # the fastest of three clean runs (the machine may be shared): signals land within a run's time
    clean_seconds, clean = float("inf"), None
    for _ in range(3):
        for leftover in workdir.glob("*clean.duckdb*"):
            leftover.unlink()
        start = time.perf_counter()
        result = run(index_command(corpora, clean_db))
        clean_seconds = min(clean_seconds, time.perf_counter() - start)
        if result.returncode != 0:
            sys.exit(f"the clean run failed: {result.stderr}")
        if clean is not None and state(clean_db) != clean:
            sys.exit("two clean runs differ: the trial cannot compare against them")
        clean = state(clean_db)
    file_rows = expected_rows(corpora)
    print(f"corpus: {sum(file_rows.values()):,} captions in {len(clean['sources'])} shards "
          f"({len(file_rows)} files); clean run {clean_seconds:.1f} s; workdir {workdir}")
    if "kill" in trials:
        print_tally(f"SIGKILL at {args.kills} random moments", kill_trials(corpora, workdir, clean, clean_seconds,
                                                                         args.kills, rng, args.window))
    if "int" in trials:
        print_tally(f"SIGINT at {args.interrupts} random moments",
                    interrupt_trials(corpora, workdir, clean, clean_seconds, args.interrupts, rng, file_rows,
                                     args.window))
    if "bad" in trials:
        print_tally("bad inputs (one line, non-zero exit, database and files unchanged)",
                    bad_input_trials(workdir, corpora, clean_db))


if __name__ == "__main__":
    main()
