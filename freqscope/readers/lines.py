"""Line-oriented reading: plain text (one document per line), and the line blocks JSON lines are parsed from."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import polars as pl

from freqscope.readers.files import open_stream
from freqscope.readers.frames import Chunk, doc_range, frame_of, rows_before_cut

# Bytes read at a time; a block is cut after its last newline, so a line longer than this just spans reads.
_READ_BYTES = 8 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"


def line_blocks(path: Path) -> Iterator[bytes]:
    """The decompressed file in blocks of whole lines (each ends with a newline, except perhaps the last)."""
    with open_stream(path) as stream:
        carry = b""
        first = True
        while True:
            data = stream.read(_READ_BYTES)
            if first:
                data = data.removeprefix(_BOM)
                first = False
            if not data:
                break
            data = carry + data
            cut = data.rfind(b"\n") + 1
            carry = data[cut:]
            if cut:
                yield data[:cut]
        if carry:
            yield carry


class TextReader:
    """One document per line; doc is the 0-based line number, and blank lines are empty documents.

    No batch spans a multiple of ``shard_docs`` lines (None: batches of ``batch_rows`` lines at most).
    """

    text_column = None

    def __init__(self, path: Path, batch_rows: int, shard_docs: int | None = None) -> None:
        self.path = path
        self.batch_rows = batch_rows
        self.shard_docs = shard_docs

    def total_docs(self) -> None:
        return None

    def chunks(self) -> Iterator[Chunk]:
        start = 0
        for block in line_blocks(self.path):
            try:
                text = block.decode("utf-8")
                n_invalid = 0
            except UnicodeDecodeError:
                text = block.decode("utf-8", "replace")
                n_invalid = None  # counted below, on the lines
            lines = text.split("\n")
            if text.endswith("\n"):
                lines.pop()
            offset = 0
            while offset < len(lines):
                end = offset + rows_before_cut(start, self.batch_rows, self.shard_docs)
                series = pl.Series("text", lines[offset:end], dtype=pl.String)
                offset = end
                series = series.str.strip_suffix("\r")
                invalid = int(series.str.contains("\ufffd", literal=True).sum()) if n_invalid is None else 0
                yield Chunk(frame_of(doc_range(start, len(series)), series), len(series), invalid)
                start += len(series)
