"""Parquet corpora (LAION metadata and the like): the text column only, streamed row group by row group."""
from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import Iterator, Sequence

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from freqscope.errors import FreqscopeError
from freqscope.readers import uris
from freqscope.readers.files import CorpusFile, compression_of
from freqscope.readers.frames import (
    Chunk, arrow_text, doc_range, empty_frame, find_text_column, frame_of, is_arrow_text_type,
)


class ParquetReader:
    """Reads one text column; doc is the row number in the file, doc_key and role are null.

    ``row_start`` and ``row_end`` (exclusive) restrict reading to a row range of the file (a shard); doc stays
    the row number in the whole file, so the shards of a file give the same documents as the file read whole.

    The fast path is Polars' own streaming parquet reader, which validates UTF-8 as it decodes. Arrow reads
    invalid UTF-8 without complaint, so where Polars refuses a file the rest of it is read with pyarrow,
    from the row where Polars stopped, and the bad bytes are replaced (``arrow_text``).

    A URI is opened with its pyarrow filesystem and read with pyarrow throughout: Polars reads some cloud URLs
    but not every filesystem pyarrow reaches (nor its options), and the pyarrow path gives the same documents.
    """

    def __init__(self, path: CorpusFile, text_column: str | None, batch_rows: int, row_start: int = 0,
                 row_end: int | None = None) -> None:
        if compression_of(path):
            raise FreqscopeError(
                f"{path}: a parquet file cannot be read through {compression_of(path)}: decompress it first "
                "(parquet compresses its own pages)"
            )
        self.path = path
        self.batch_rows = batch_rows
        self._from_uri = uris.is_uri(path)
        try:
            if self._from_uri:
                # pre_buffer: the column chunks of a row group are fetched in coalesced ranged reads.
                self._file = pq.ParquetFile(uris.open_input_file(uris.ObjectLocation.parse(path)), pre_buffer=True)
            else:
                self._file = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as error:
            raise FreqscopeError(
                f"{path} is not a readable parquet file ({error}); check that it is complete, or pass --format"
            ) from None
        schema = self._file.schema_arrow
        column = find_text_column(schema.names, text_column)
        if column is None:
            wanted = f"no column {text_column!r}" if text_column else "no text column (TEXT, caption or text)"
            raise FreqscopeError(
                f"{path} has {wanted}; its columns are {', '.join(schema.names)}: pass --text-column NAME"
            )
        column_type = schema.field(column).type
        if pa.types.is_dictionary(column_type):
            column_type = column_type.value_type
        if not is_arrow_text_type(column_type):
            raise FreqscopeError(
                f"{path}: column {column!r} holds {column_type}, not text; pass --text-column with a text column "
                f"(its columns are {', '.join(schema.names)})"
            )
        self.text_column = column
        metadata = self._file.metadata
        # First row of each row group, to map a document to its row group (read_docs, error positions).
        self._group_starts = [0, *accumulate(metadata.row_group(i).num_rows for i in range(metadata.num_row_groups))]
        n_rows = metadata.num_rows
        row_end = n_rows if row_end is None else row_end
        if not 0 <= row_start <= row_end <= n_rows:
            raise ValueError(f"{path}: rows {row_start}..{row_end} are outside its {n_rows} rows")
        self.row_start, self.row_end = row_start, row_end

    def total_docs(self) -> int:
        return self.row_end - self.row_start

    def row_group_rows(self) -> list[int]:
        """The number of rows of each row group, in order (the units a large file is sharded by)."""
        return [b - a for a, b in zip(self._group_starts, self._group_starts[1:])]

    def chunks(self) -> Iterator[Chunk]:
        if self._from_uri:
            yield from self._arrow_chunks(start=self.row_start)
            return
        done = self.row_start
        try:
            for chunk in self._polars_chunks():
                yield chunk
                done += chunk.n_docs
        except pl.exceptions.ComputeError as error:
            if "utf-8" not in str(error).lower():
                raise self._damaged(done, error) from None
            yield from self._arrow_chunks(start=done)
        except (pl.exceptions.PolarsError, OSError) as error:
            raise self._damaged(done, error) from None

    def _polars_chunks(self) -> Iterator[Chunk]:
        start = self.row_start
        query = pl.scan_parquet(self.path, glob=False, hive_partitioning=False).select(pl.col(self.text_column).alias("text"))
        if (self.row_start, self.row_end) != (0, self._file.metadata.num_rows):
            # Polars pushes the slice down to the row groups: those outside the range are not read.
            query = query.slice(self.row_start, self.row_end - self.row_start)
        for batch in query.collect_batches(chunk_size=self.batch_rows):
            text = batch.to_series()
            n_invalid = 0
            if text.dtype == pl.Binary:  # a BYTE_ARRAY column without the UTF-8 annotation
                text, n_invalid = arrow_text(text.to_arrow())
            yield Chunk(frame_of(doc_range(start, len(text)), text), len(text), n_invalid)
            start += len(text)

    def _arrow_chunks(self, start: int) -> Iterator[Chunk]:
        """Rows from ``start`` to ``row_end``, with pyarrow (which does not check UTF-8, so ``arrow_text`` can
        repair it)."""
        if start >= self.row_end:
            return
        first_group = bisect_right(self._group_starts, start) - 1
        last_group = bisect_right(self._group_starts, self.row_end - 1) - 1
        groups = list(range(first_group, last_group + 1))
        position = self._group_starts[first_group]
        try:
            for batch in self._file.iter_batches(batch_size=self.batch_rows, columns=[self.text_column],
                                                 row_groups=groups, use_threads=True):
                column = batch.column(0)
                if position + len(column) <= start:  # whole batches of the first row group that Polars already gave
                    position += len(column)
                    continue
                if position < start:  # rows of the first row group that Polars already gave
                    column = column.slice(start - position)
                    position = start
                if position >= self.row_end:
                    break
                column = column.slice(0, self.row_end - position)  # rows of the last row group past the range
                if pa.types.is_dictionary(column.type):
                    column = column.dictionary_decode()
                text, n_invalid = arrow_text(column)
                yield Chunk(frame_of(doc_range(position, len(text)), text), len(text), n_invalid)
                position += len(text)
        except (pa.ArrowException, OSError) as error:
            raise self._damaged(position, error) from None

    def read_docs(self, docs: Sequence[int]) -> pl.DataFrame:
        """Only the row groups that hold the wanted rows are read."""
        wanted = sorted({d for d in docs if 0 <= d < self._file.metadata.num_rows})
        frames = []
        by_group: dict[int, list[int]] = {}
        for doc in wanted:
            by_group.setdefault(bisect_right(self._group_starts, doc) - 1, []).append(doc)
        for group, group_docs in by_group.items():
            try:
                table = self._file.read_row_group(group, columns=[self.text_column])
            except (pa.ArrowException, OSError) as error:
                raise self._damaged(self._group_starts[group], error) from None
            offsets = pa.array([d - self._group_starts[group] for d in group_docs], pa.int64())
            column = table.column(0).take(offsets)
            if pa.types.is_dictionary(column.type):
                column = column.dictionary_decode()
            text, _ = arrow_text(column)
            frames.append(frame_of(pl.Series(group_docs, dtype=pl.Int64), text))
        return pl.concat(frames) if frames else empty_frame()

    def _damaged(self, row: int, error: BaseException) -> FreqscopeError:
        group = bisect_right(self._group_starts, row) - 1
        advice = ("the object is damaged or could not be fetched: check that it is still there and reachable, "
                  "then run again") if self._from_uri else "the file is damaged: re-download or re-create it"
        return FreqscopeError(
            f"{self.path}: could not read row group {group} (rows from {self._group_starts[group]:,}): {error}; {advice}"
        )
