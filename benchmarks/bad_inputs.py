"""The bad corpus files of issue 17, written into a folder: shared by tests/test_reliability.py and
benchmarks/trial_reliability.py (each must end in one line, a non-zero exit, the database unchanged).

Every file starts well (five good records) and goes bad later, so that the error is met mid-stream, after
the corpus and the lists were stored in the old code.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

GOOD_LINES = [json.dumps({"text": f"a photo of a dog number {i}"}) for i in range(5)]
GOOD_LLAVA = {"id": "0", "conversations": [{"from": "human", "value": "what is it?"}, {"from": "gpt", "value": "a dog"}]}


def _garbage(seed: int, size: int = 4096) -> bytes:
    """Bytes no reader makes sense of (a fixed pseudo-random sequence, with NULs)."""
    value, out = seed, bytearray()
    while len(out) < size:
        value = (value * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        out += value.to_bytes(8, "little")
    return bytes(out[:size])


def _compressed_truncated(lines: list[str], suffix: str) -> bytes:
    data = ("\n".join(lines) + "\n").encode()
    packed = gzip.compress(data) if suffix == ".gz" else zstandard.ZstdCompressor().compress(data)
    return packed[: len(packed) * 2 // 3]


def _corrupt_parquet_page(path: Path) -> None:
    """A parquet file whose footer is sound but a text page in the middle is overwritten."""
    texts = [f"a photo of a cat and a dog in a garden number {i}" for i in range(20_000)]
    pq.write_table(pa.table({"TEXT": texts}), path, row_group_size=5_000, compression="none")
    data = bytearray(path.read_bytes())
    metadata = pq.ParquetFile(path).metadata
    column = metadata.row_group(2).column(0)
    start = column.data_page_offset
    data[start + 64: start + 64 + 4096] = _garbage(7)
    path.write_bytes(bytes(data))


def write_bad_corpora(folder: Path) -> dict[str, Path]:
    """The 13 bad inputs of issue 17 ("A bad input met mid-stream leaves a ghost corpus"), by name."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}

    def put(name: str, filename: str, content: bytes | str) -> None:
        path = folder / filename
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        files[name] = path

    put("garbage .json", "garbage.json", _garbage(1))
    put("garbage .jsonl", "garbage.jsonl", _garbage(2))
    put("garbage .csv", "garbage.csv", b"caption\n" + _garbage(3))
    put("garbage .tsv", "garbage.tsv", b"caption\turl\n" + _garbage(4))
    put("JSONL malformed at line 6", "malformed.jsonl", "\n".join(GOOD_LINES + ['{"text": "a cat', *GOOD_LINES]) + "\n")
    no_conversations = [GOOD_LLAVA] * 5 + [{"id": "5", "image": "x.jpg"}]
    put("LLaVA without conversations", "llava_noconv.json", json.dumps(no_conversations))
    as_string = [GOOD_LLAVA] * 5 + [{"id": "5", "conversations": "human: a dog"}]
    put("conversations a string", "llava_string.json", json.dumps(as_string))
    turn_not_object = [GOOD_LLAVA] * 5 + [{"id": "5", "conversations": ["a dog"]}]
    put("a turn not an object", "llava_turn.json", json.dumps(turn_not_object))
    put("raw NUL in JSONL", "nul.jsonl", "\n".join(GOOD_LINES) + '\n{"text": "a \x00 dog"}\n' + "\n".join(GOOD_LINES) + "\n")
    many = GOOD_LINES * 2000
    put("truncated .gz", "truncated.jsonl.gz", _compressed_truncated(many, ".gz"))
    put("truncated .zst", "truncated.jsonl.zst", _compressed_truncated(many, ".zst"))
    corrupt = folder / "corrupt_page.parquet"
    _corrupt_parquet_page(corrupt)
    files["corrupt text page in parquet"] = corrupt
    return files


def long_first_line_jsonl(path: Path) -> Path:
    """A valid JSON lines file whose first line is over 1 MiB (once "line 2 is not valid JSON", or COCO)."""
    path.write_text(json.dumps({"text": "a dog " + "x" * (1 << 21)}) + "\n" + "\n".join(GOOD_LINES) + "\n")
    return path


def empty_corpora(folder: Path) -> dict[str, Path]:
    """Empty files of every text format: one rule for all (refused, as an empty parquet file is)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for suffix in (".txt", ".json", ".jsonl", ".csv", ".tsv"):
        path = folder / f"empty{suffix}"
        path.write_bytes(b"")
        files[f"empty {suffix}"] = path
    return files




# DuckDB files made by another program: each clashes with freqscope's schema, or is no freqscope database at all.
FOREIGN_CLASHES = ("sources", "exposure", "freqscope_meta", "classes view", "unrelated table")


def write_foreign_database(path: Path, clash: str) -> None:
    """A DuckDB file at ``path`` holding what ``clash`` (one of FOREIGN_CLASHES) names."""
    with duckdb.connect(str(path)) as connection:
        if clash == "classes view":
            connection.execute("CREATE VIEW classes AS SELECT 1 AS x")
        elif clash == "unrelated table":
            connection.execute("CREATE TABLE measurements (t DOUBLE)")
        else:
            connection.execute(f"CREATE TABLE {clash} (x INTEGER, y VARCHAR)")
