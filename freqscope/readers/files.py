"""Finding a corpus's files, and opening them as byte streams whatever their compression.

A corpus file is a local ``Path``, or a URI string read through pyarrow's filesystems (``readers.uris``).
"""
from __future__ import annotations

import glob
import os
from pathlib import Path, PurePath, PurePosixPath
from typing import Sequence, TypeAlias

import pyarrow as pa
import pyarrow.fs as pafs

from freqscope.errors import FreqscopeError
from freqscope.readers import uris
from freqscope.readers.uris import ObjectLocation, is_uri

CorpusFile: TypeAlias = Path | str  # a local file, or a URI (``scheme://...``) kept as a string

# Compression is told by the outer suffix; what is inside by the suffix before it (captions.jsonl.zst).
COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}
# Suffixes of files that hold a corpus, for folder expansion; how each is read is decided in formats.py.
DATA_SUFFIXES = (".parquet", ".pq", ".csv", ".tsv", ".tab", ".txt", ".json", ".jsonl", ".ndjson")
# Files that sit beside the data in a download folder but are not corpora (readme.txt, SOURCE.txt).
_NOT_CORPUS_STEMS = ("readme", "license", "licence", "source", "notice", "copying", "changelog", "citation")


def corpus_file(file: str | os.PathLike) -> CorpusFile:
    """A URI, normalised, stays a string; anything else is a local Path."""
    return ObjectLocation.parse(file).uri if is_uri(file) else Path(file)


def stored_path(file: CorpusFile) -> str:
    """How a file is named in ``sources.path``: a local file by its absolute path, a URI as normalised."""
    return ObjectLocation.parse(file).uri if is_uri(file) else str(Path(file).resolve())


def file_name(file: CorpusFile) -> str:
    """The file's own name, without folders (nor a URI's query)."""
    return _name_path(file).name


def _name_path(file: CorpusFile) -> PurePath:
    return ObjectLocation.parse(file).name if is_uri(file) else Path(file)


def compression_of(path: CorpusFile) -> str | None:
    return COMPRESSIONS.get(_name_path(path).suffix.lower())


def data_suffix(path: CorpusFile) -> str:
    """The suffix that says what the file holds, after stripping a compression suffix; lowercase."""
    name = _name_path(path)
    inner = name.with_suffix("") if compression_of(path) else name
    return inner.suffix.lower()


def open_stream(path: CorpusFile) -> pa.NativeFile:
    """A decompressing byte stream over the file (gzip and zstd, multi-member too); truncation raises OSError.

    Every reader but parquet's reads through this stream, so every format is read from URIs too.
    """
    if is_uri(path):
        return uris.open_input_stream(ObjectLocation.parse(path), compression_of(path))
    return pa.input_stream(str(path), compression=compression_of(path))


def read_head(path: CorpusFile, size: int) -> bytes:
    """The first ``size`` decompressed bytes (fewer if the file is shorter)."""
    with open_stream(path) as stream:
        return stream.read(size)


def _is_corpus_file(relative: PurePath) -> bool:
    """Whether a file of a folder, named by its path below the folder, holds a corpus."""
    if any(part.startswith(".") for part in relative.parts):
        return False
    if relative.name.split(".")[0].lower() in _NOT_CORPUS_STEMS:
        return False
    return data_suffix(relative) in DATA_SUFFIXES


def _no_corpus_files(raw: str | os.PathLike) -> FreqscopeError:
    return FreqscopeError(
        f"no corpus files in folder {raw}: expected files ending in {', '.join(DATA_SUFFIXES)} "
        "(optionally .gz or .zst); name the files instead"
    )


def expand_paths(paths: Sequence[str | os.PathLike]) -> list[CorpusFile]:
    """The files named by plain paths, globs and folders (their corpus files, recursively): sorted, unique.

    A folder contributes its files with a corpus suffix (optionally .gz/.zst), skipping hidden files and the
    readme/licence/source notes that datasets ship beside their data. A URI (``s3://bucket/laion/``,
    ``gs://bucket/part-*.parquet``) is expanded the same way by listing its filesystem, and stays a normalised
    URI string; local files come first as absolute Paths.
    """
    found: set[CorpusFile] = set()
    for raw in paths:
        if is_uri(raw):
            found.update(_expand_uri(raw))
            continue
        path = Path(raw).expanduser()
        if path.is_dir():
            files = [f for f in path.rglob("*") if f.is_file() and _is_corpus_file(f.relative_to(path))]
            if not files:
                raise _no_corpus_files(raw)
        elif path.is_file():  # before globbing: "part[1].parquet" is a file's name, not a pattern
            files = [path]
        elif glob.has_magic(str(path)):
            files = [Path(m) for m in glob.glob(str(path), recursive=True) if Path(m).is_file()]
            if not files:
                raise FreqscopeError(f"no such file: {raw} matches no file; check the pattern")
        elif path.is_symlink():
            raise FreqscopeError(f"{raw} is a symbolic link that leads to no file (a loop, or its target is gone): "
                                 "point it at the corpus file, or name the file itself")
        else:
            raise FreqscopeError(f"no such file: {raw}; check the path")
        found.update(f.resolve() for f in files)
    return sorted(found, key=lambda file: (is_uri(file), file))


def _expand_uri(raw: str) -> list[str]:
    location = ObjectLocation.parse(raw)
    info = uris.file_info(location)
    if info.type == pafs.FileType.File:
        return [location.uri]
    if info.type == pafs.FileType.Directory:
        files = [location.child(relative).uri for relative in uris.list_files(location)
                 if _is_corpus_file(PurePosixPath(relative))]
        if not files:
            raise _no_corpus_files(raw)
        return files
    if uris.has_wildcards(location):
        files = [match.uri for match in uris.glob(location)]
        if not files:
            raise FreqscopeError(f"no such object: {raw} matches no object; check the pattern (in a URI, "
                                 "? starts the query: use * or [...] as wildcards)")
        return files
    raise FreqscopeError(f"no such object: {raw}; check the URI (and that this machine's credentials can see it)")
