"""SourceReader: one corpus file, whatever its format, as batches of (doc, doc_key, role, text)."""
from __future__ import annotations

import os
from typing import Iterator, Sequence

import polars as pl
import pyarrow as pa

from freqscope.errors import FreqscopeError
from freqscope.readers import uris
from freqscope.readers.delimited import DelimitedReader
from freqscope.readers.files import CorpusFile, corpus_file
from freqscope.readers.formats import check_format, corpus_kind, detect_format
from freqscope.readers.frames import BATCH_SCHEMA, Chunk, empty_frame
from freqscope.readers.lines import TextReader
from freqscope.readers.parquet import ParquetReader
from freqscope.readers.records import CocoReader, LlavaReader, RecordsReader


class SourceReader:
    """Reads one corpus file in batches of about ``batch_rows`` rows, in bounded memory.

    Construction checks cheaply what can be checked up front (the file, its format, its text column) and
    raises FreqscopeError; what only shows mid-stream (a truncated gzip, a bad record) raises FreqscopeError
    from ``batches()``, naming the file and the position.

    A parquet file can be read in part: rows ``row_start`` to ``row_end`` (exclusive; None: to the end), with
    doc still the row number in the whole file. Other formats are read whole, as a stream: with ``shard_docs``
    no batch spans a multiple of that many documents, so that the stream can be cut into shards as it is read
    (``engines.shards``); the rows of ``skipped_shards`` (by first document), which the caller drops, may be
    left out of the batches (JSON lines counts their records without parsing them: a resumed run).

    ``path`` may be a URI (``s3://bucket/part-0.parquet``, ``file:///data/x.jsonl.gz``): ``path`` is then the
    normalised URI string and the file is read through its pyarrow filesystem.
    """

    def __init__(self, path: CorpusFile | os.PathLike, *, format: str | None = None, text_column: str | None = None,
                 batch_rows: int = 100_000, row_start: int = 0, row_end: int | None = None,
                 shard_docs: int | None = None, skipped_shards: Sequence[int] = ()) -> None:
        path = corpus_file(path)
        if isinstance(path, str):
            size = uris.require_file(uris.ObjectLocation.parse(path)).size
        elif not path.is_file():
            if path.is_symlink():
                raise FreqscopeError(f"{path} is a symbolic link that leads to no file (a loop, or its target is "
                                     "gone): point it at the corpus file, or name the file itself")
            raise FreqscopeError(
                f"no such file: {path}" + ("; it is a folder: name its files or a glob" if path.is_dir()
                                           else "; check the path")
            )
        else:
            size = path.stat().st_size
        if size == 0:  # one rule for every format (an empty parquet file is no parquet file at all)
            raise FreqscopeError(f"{path} is empty (0 bytes): there is nothing in it to index; leave it out of the paths")
        if batch_rows < 1:
            raise ValueError(f"batch_rows must be positive, not {batch_rows}")
        self.path = path
        self.format = check_format(format) if format is not None else detect_format(path)
        self.kind = corpus_kind(self.format)
        if self.format != "parquet" and (row_start, row_end) != (0, None):
            raise ValueError(f"{path}: only parquet files can be read by row range, not {self.format}")
        if shard_docs is not None and (self.format == "parquet" or shard_docs < 1):
            raise ValueError(f"{path}: shard_docs cuts streamed formats, not {self.format}, into positive ranges")
        self.shard_docs = shard_docs
        self.skipped_shards = tuple(skipped_shards) if shard_docs is not None else ()
        try:
            self._reader = self._open(text_column, batch_rows, row_start, row_end)
        except FreqscopeError as error:
            if format is None:
                raise
            raise _format_does_not_fit(path, format, error) from None
        self.text_column: str | None = self._reader.text_column
        self.n_docs = 0
        self.n_rows = 0
        self.n_invalid_utf8 = 0

    def _open(self, text_column: str | None, batch_rows: int, row_start: int, row_end: int | None):
        if self.format == "parquet":
            return ParquetReader(self.path, text_column, batch_rows, row_start, row_end)
        shard_docs = self.shard_docs
        if self.format in ("csv", "tsv", "flickr8k"):
            return DelimitedReader(self.path, self.format, text_column, batch_rows, shard_docs)
        if self.format == "text":
            if text_column is not None:
                raise FreqscopeError(f"{self.path}: plain text has one document per line, no columns: drop --text-column")
            return TextReader(self.path, batch_rows, shard_docs)
        if self.format == "coco":
            return CocoReader(self.path, text_column, batch_rows, shard_docs)
        if self.format == "llava":
            return LlavaReader(self.path, text_column, batch_rows, shard_docs, self.skipped_shards)
        return RecordsReader(self.path, text_column, batch_rows, shard_docs, self.skipped_shards,
                             lines=self.format == "jsonl")

    def total_docs(self) -> int | None:
        """The number of documents (in the row range) where the file says so up front (parquet), else None."""
        return self._reader.total_docs()

    @property
    def streamed(self) -> bool:
        """Whether the file is read as one stream, and so cut into shards as it is read (every format but
        parquet, whose footer says up front where its row groups are)."""
        return self.format != "parquet"

    def row_group_rows(self) -> list[int] | None:
        """The rows of each row group of a parquet file, the units it can be sharded by; None for other formats."""
        return self._reader.row_group_rows() if self.format == "parquet" else None

    def batches(self) -> Iterator[pl.DataFrame]:
        """Batches in BATCH_SCHEMA order, docs ascending; n_docs, n_rows, n_invalid_utf8 are final at the end."""
        self.n_docs = self.n_rows = self.n_invalid_utf8 = 0
        for chunk in self._chunks():
            self.n_docs += chunk.n_docs
            self.n_rows += chunk.frame.height
            self.n_invalid_utf8 += chunk.n_invalid_utf8
            yield chunk.frame

    def read_docs(self, docs: Sequence[int]) -> pl.DataFrame:
        """The rows of the given documents (those that exist), in document order; the counters are untouched."""
        if hasattr(self._reader, "read_docs"):
            return self._reader.read_docs(docs)
        wanted = sorted(set(docs))
        if not wanted:
            return empty_frame()
        found = []
        for chunk in self._chunks():
            frame = chunk.frame
            if frame.height:
                found.append(frame.filter(pl.col("doc").is_in(wanted)))
                if frame["doc"][-1] >= wanted[-1]:
                    break
        return pl.concat(found) if found else empty_frame()

    def _chunks(self) -> Iterator[Chunk]:
        """The format reader's chunks, its low-level failures turned into one line naming the file."""
        done = 0
        try:
            for chunk in self._reader.chunks():
                yield chunk
                done += chunk.n_docs
        except (OSError, EOFError, pa.ArrowException, pl.exceptions.PolarsError) as error:
            cause = ("the object may be damaged or could not be fetched: check that it is still there and "
                     "reachable" if isinstance(self.path, str) else
                     "the file may be truncated or damaged: re-download or re-create it")
            raise FreqscopeError(f"{self.path}: read failed after {done:,} documents: {error}; {cause}") from None


_RECORD_FORMATS = {"json", "jsonl"}  # one reader: its own message says what is wrong


def _format_does_not_fit(path: CorpusFile, format: str, error: FreqscopeError) -> FreqscopeError:
    """The error of a file opened in the --format given, saying what the file looks like where that differs."""
    try:
        detected = detect_format(path)
    except FreqscopeError:
        return error
    if detected == format or {detected, format} <= _RECORD_FORMATS:
        return error
    # the reader's message without its advice to pass --format (it was passed)
    what = "; ".join(part for part in str(error).removeprefix(str(path)).lstrip(": ").split("; ")
                     if "--format" not in part)
    return FreqscopeError(
        f"{path} cannot be read as --format {format} ({what}); it looks "
        f"like {detected}: pass --format {detected}, or leave --format out"
    )


__all__ = ["BATCH_SCHEMA", "SourceReader"]
