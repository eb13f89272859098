"""Delimited text corpora: CSV, TSV (CC3M: caption<TAB>url, no header) and Flickr8k token files."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.csv as pacsv

from freqscope.errors import FreqscopeError
from freqscope.readers.files import open_stream
from freqscope.readers.frames import (
    TEXT_COLUMN_NAMES, Chunk, arrow_text, doc_range, find_key_column, find_text_column, frame_of, rows_before_cut,
)

# pyarrow parses blocks of this many bytes; blocks are gathered into batches of about batch_rows rows.
_BLOCK_BYTES = 4 * 1024 * 1024
# Longest excerpt of a parse error quoted back (pyarrow quotes the whole offending row).
_MAX_ERROR_CHARS = 300


class DelimitedReader:
    """doc is the data row's number (header and blank lines not counted).

    csv: RFC 4180 quoting, values may span lines. tsv and flickr8k: no quoting at all, since captions often
    begin with a quote mark that is not one. A header is recognised by a first row that has a text column
    name (text, caption, captions) or the --text-column name; without one the text is the first column
    (tsv, csv) or the second (flickr8k, whose first is the image#n key). No batch spans a multiple of
    ``shard_docs`` rows (None: batches of ``batch_rows`` rows).
    """

    def __init__(self, path: Path, format: str, text_column: str | None, batch_rows: int,
                 shard_docs: int | None = None) -> None:
        self.path = path
        self.format = format
        self.batch_rows = batch_rows
        self.shard_docs = shard_docs
        self._quoted = format == "csv"
        self._delimiter = "," if format == "csv" else "\t"
        first_row = self._first_row()
        self._empty = first_row is None
        self._n_columns = len(first_row) if first_row else 1
        self._has_header = first_row is not None and format != "flickr8k" and self._is_header(first_row, text_column)
        if format == "flickr8k":
            if text_column is not None:
                raise FreqscopeError(f"{path}: a flickr8k token file has no text column to choose: drop --text-column")
            self._key_index: int | None = 0
            self._text_index = 1
            self.text_column: str = "1"
        elif self._has_header:
            assert first_row is not None
            names = [name.strip() for name in first_row]
            column = find_text_column(names, text_column)
            if column is None:
                raise FreqscopeError(
                    f"{path} has no column {text_column!r}; its columns are {', '.join(names)}: "
                    "pass --text-column NAME or a 0-based column number"
                )
            self._text_index = names.index(column)
            key = find_key_column(names)
            self._key_index = names.index(key) if key is not None else None
            self.text_column = column
        else:
            self._text_index = self._column_number(text_column, first_row)
            self._key_index = None
            self.text_column = str(self._text_index)
        if self._text_index >= self._n_columns:
            raise FreqscopeError(
                f"{path} has {self._n_columns} column(s) but the text column is number {self._text_index} "
                "(0-based): pass a smaller --text-column or the right --format"
            )

    def total_docs(self) -> None:
        return None

    def _first_row(self) -> list[str] | None:
        try:
            with open_stream(self.path) as stream:
                lines = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
                if self._quoted:
                    return next(csv.reader(lines), None)
                line = lines.readline()
        except OSError as error:
            raise FreqscopeError(f"cannot read {self.path}: {error}; check that the file is complete") from None
        return line.rstrip("\r\n").split(self._delimiter) if line else None

    @staticmethod
    def _is_header(first_row: list[str], text_column: str | None) -> bool:
        names = {value.strip().casefold() for value in first_row}
        wanted = set(TEXT_COLUMN_NAMES) | ({text_column.casefold()} if text_column else set())
        return bool(names & wanted)

    def _column_number(self, text_column: str | None, first_row: list[str] | None) -> int:
        if text_column is None:
            return 0
        if text_column.isdigit():
            return int(text_column)
        shown = self._delimiter.join(first_row or [])[:_MAX_ERROR_CHARS]
        raise FreqscopeError(
            f"{self.path} has no header row naming {text_column!r} (its first row is {shown!r}): "
            "pass the text column as a 0-based number, e.g. --text-column 0"
        )

    def _arrow_options(self) -> dict:
        names = [f"column_{i}" for i in range(self._n_columns)]
        wanted = [names[self._text_index]] + ([names[self._key_index]] if self._key_index is not None else [])
        return {
            "read_options": pacsv.ReadOptions(column_names=names, skip_rows=1 if self._has_header else 0,
                                              block_size=_BLOCK_BYTES),
            "parse_options": pacsv.ParseOptions(delimiter=self._delimiter,
                                                quote_char='"' if self._quoted else False,
                                                newlines_in_values=self._quoted),
            # binary, not string: invalid UTF-8 is repaired by arrow_text instead of failing the whole block
            "convert_options": pacsv.ConvertOptions(include_columns=wanted,
                                                    column_types={name: pa.binary() for name in wanted}),
        }

    def chunks(self) -> Iterator[Chunk]:
        if self._empty:  # pyarrow refuses a file without a single row
            return
        done = 0
        try:
            with open_stream(self.path) as stream:
                pending: list[pa.RecordBatch] = []
                pending_rows = 0
                for batch in pacsv.open_csv(stream, **self._arrow_options()):
                    pending.append(batch)
                    pending_rows += batch.num_rows
                    while pending_rows >= (take := rows_before_cut(done, self.batch_rows, self.shard_docs)):
                        table = pa.Table.from_batches(pending)
                        chunk = self._chunk(table.slice(0, take), done)
                        yield chunk
                        done += chunk.n_docs
                        pending = table.slice(take).to_batches()
                        pending_rows -= take
                if pending_rows:  # fewer than the rows up to the next cut
                    yield self._chunk(pa.Table.from_batches(pending), done)
        except (pa.ArrowException, OSError) as error:
            message = str(error)[:_MAX_ERROR_CHARS]
            raise FreqscopeError(
                f"{self.path}: cannot read the rows after row {done:,}: {message}; fix the file, "
                f"or pass the right --format (read as {self.format})"
            ) from None

    def _chunk(self, table: pa.Table, start: int) -> Chunk:
        text, n_invalid = arrow_text(table.column(0))
        key = arrow_text(table.column(1))[0] if self._key_index is not None else None
        return Chunk(frame_of(doc_range(start, len(text)), text, doc_key=key), len(text), n_invalid)
