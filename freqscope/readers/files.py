"""Finding a corpus's files, and opening them as byte streams whatever their compression."""
from __future__ import annotations

import glob
from pathlib import Path
from typing import Sequence

import pyarrow as pa

from freqscope.errors import FreqscopeError

# Compression is told by the outer suffix; what is inside by the suffix before it (captions.jsonl.zst).
COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}
# Suffixes of files that hold a corpus, for folder expansion; how each is read is decided in formats.py.
DATA_SUFFIXES = (".parquet", ".pq", ".csv", ".tsv", ".tab", ".txt", ".json", ".jsonl", ".ndjson")
# Files that sit beside the data in a download folder but are not corpora (readme.txt, SOURCE.txt).
_NOT_CORPUS_STEMS = ("readme", "license", "licence", "source", "notice", "copying", "changelog", "citation")


def compression_of(path: Path) -> str | None:
    return COMPRESSIONS.get(path.suffix.lower())


def data_suffix(path: Path) -> str:
    """The suffix that says what the file holds, after stripping a compression suffix; lowercase."""
    inner = path.with_suffix("") if compression_of(path) else path
    return inner.suffix.lower()


def open_stream(path: Path) -> pa.NativeFile:
    """A decompressing byte stream over the file (gzip and zstd, multi-member too); truncation raises OSError."""
    return pa.input_stream(str(path), compression=compression_of(path))


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` decompressed bytes (fewer if the file is shorter)."""
    with open_stream(path) as stream:
        return stream.read(size)


def _is_corpus_file(path: Path, root: Path) -> bool:
    relative = path.relative_to(root)
    if any(part.startswith(".") for part in relative.parts):
        return False
    if path.name.split(".")[0].lower() in _NOT_CORPUS_STEMS:
        return False
    return data_suffix(path) in DATA_SUFFIXES


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """The files named by plain paths, globs and folders (their corpus files, recursively): sorted, unique.

    A folder contributes its files with a corpus suffix (optionally .gz/.zst), skipping hidden files and the
    readme/licence/source notes that datasets ship beside their data.
    """
    found: set[Path] = set()
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            files = [f for f in path.rglob("*") if f.is_file() and _is_corpus_file(f, path)]
            if not files:
                raise FreqscopeError(
                    f"no corpus files in folder {raw}: expected files ending in {', '.join(DATA_SUFFIXES)} "
                    "(optionally .gz or .zst); name the files instead"
                )
        elif path.is_file():  # before globbing: "part[1].parquet" is a file's name, not a pattern
            files = [path]
        elif glob.has_magic(str(path)):
            files = [Path(m) for m in glob.glob(str(path), recursive=True) if Path(m).is_file()]
            if not files:
                raise FreqscopeError(f"no such file: {raw} matches no file; check the pattern")
        else:
            raise FreqscopeError(f"no such file: {raw}; check the path")
        found.update(f.resolve() for f in files)
    return sorted(found)
