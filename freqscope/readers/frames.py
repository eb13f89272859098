"""The frames every reader yields, and the conversions that make any input text safe to put in them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

import polars as pl
import pyarrow as pa

# The columns of every batch, in this order: what the matcher and the indexer consume.
BATCH_SCHEMA = pl.Schema({"doc": pl.Int64, "doc_key": pl.String, "role": pl.String, "text": pl.String})

# Column or field names taken as the text, in this order of preference, compared case-insensitively.
TEXT_COLUMN_NAMES = ("text", "caption", "captions")
# Fields taken as a record's own id (doc_key) where present.
KEY_COLUMN_NAMES = ("id", "key")


@dataclass
class Chunk:
    """One batch, with the number of documents it completes and its texts whose invalid UTF-8 was replaced."""

    frame: pl.DataFrame
    n_docs: int
    n_invalid_utf8: int


def empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=BATCH_SCHEMA)


def frame_of(doc: pl.Series, text: pl.Series, doc_key: pl.Series | None = None,
             role: pl.Series | None = None) -> pl.DataFrame:
    """A batch frame in BATCH_SCHEMA; a doc_key or role not given is all-null."""
    height = len(doc)

    def column(series: pl.Series | None, name: str) -> pl.Series:
        if series is None:
            return pl.repeat(None, height, dtype=pl.String, eager=True).alias(name)
        return series.cast(BATCH_SCHEMA[name]).alias(name)

    return pl.DataFrame([column(doc, "doc"), column(doc_key, "doc_key"), column(role, "role"), column(text, "text")])


def rows_before_cut(done: int, batch_rows: int, shard_docs: int | None) -> int:
    """How many rows the next batch takes, its first document being number ``done``: ``batch_rows``, or fewer
    so that no batch spans a multiple of ``shard_docs`` (the end of a streamed shard; None: no shards)."""
    if shard_docs is None:
        return batch_rows
    return min(batch_rows, shard_docs - done % shard_docs)


def doc_range(start: int, height: int) -> pl.Series:
    return pl.int_range(start, start + height, dtype=pl.Int64, eager=True)


def find_text_column(names: Sequence[str], text_column: str | None) -> str | None:
    """The name among ``names`` that holds the text: ``text_column`` if given, else the preferred names.

    An exact match wins over a case-insensitive one, so a file with both TEXT and text uses the one asked for.
    """
    wanted = (text_column,) if text_column is not None else TEXT_COLUMN_NAMES
    for want in wanted:
        if want in names:
            return want
        for name in names:
            if name.casefold() == want.casefold():
                return name
    return None


def find_key_column(names: Sequence[str]) -> str | None:
    for want in KEY_COLUMN_NAMES:
        for name in names:
            if name.casefold() == want:
                return name
    return None


# Arrow's string types and the binary type with the same layout, so that either can be viewed as the other.
_TEXT_VIEW_OF = {pa.binary(): pa.string(), pa.large_binary(): pa.large_string(), pa.binary_view(): pa.string_view()}
_TEXT_TYPES = (pa.string(), pa.large_string(), pa.string_view())


def is_arrow_text_type(data_type: pa.DataType) -> bool:
    return data_type in _TEXT_TYPES or data_type in _TEXT_VIEW_OF


def arrow_text(array: pa.Array | pa.ChunkedArray) -> tuple[pl.Series, int]:
    """An Arrow string or binary array as a Polars String series, invalid UTF-8 replaced with U+FFFD.

    Arrow does not check UTF-8 when it reads parquet, and Polars would take invalid bytes as they are, so
    the bytes are validated here (vectorised); only an array that fails is decoded value by value, to
    replace the bad bytes and count the values that had them.
    """
    if isinstance(array, pa.ChunkedArray):
        parts = [arrow_text(chunk) for chunk in array.chunks]
        if not parts:
            return pl.Series("text", [], dtype=pl.String), 0
        return pl.concat([series for series, _ in parts], rechunk=False), sum(n for _, n in parts)
    text_type = _TEXT_VIEW_OF.get(array.type, array.type)
    as_text = array.view(text_type) if text_type != array.type else array
    try:
        as_text.validate(full=True)
    except pa.ArrowInvalid:
        return _decode_values(array.view(_binary_of(text_type)).to_pylist())
    return pl.Series("text", pl.from_arrow(as_text)), 0


def _binary_of(text_type: pa.DataType) -> pa.DataType:
    return next(binary for binary, text in _TEXT_VIEW_OF.items() if text == text_type)


def _decode_values(values: list[bytes | None]) -> tuple[pl.Series, int]:
    decoded: list[str | None] = []
    n_invalid = 0
    for value in values:
        if value is None:
            decoded.append(None)
            continue
        try:
            decoded.append(value.decode("utf-8"))
        except UnicodeDecodeError:
            decoded.append(value.decode("utf-8", "replace"))
            n_invalid += 1
    return pl.Series("text", decoded, dtype=pl.String), n_invalid


def text_series(values: list[str | None], name: str = "text") -> tuple[pl.Series, int]:
    """A String series from Python strings; lone surrogates (JSON "\\ud800" escapes) become U+FFFD.

    Returns the series and how many values had to be repaired.
    """
    try:
        return pl.Series(name, values, dtype=pl.String), 0
    except UnicodeEncodeError:
        repaired = 0
        clean: list[str | None] = []
        for value in values:
            if value is not None:
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    value = value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                    repaired += 1
            clean.append(value)
        return pl.Series(name, clean, dtype=pl.String), repaired


def coerce_text(value: object) -> str | None:
    """A JSON value as a document's text: strings as they are, numbers as their JSON text, else null.

    Booleans, objects and nulls are not text: they make empty documents rather than the words "true"/"null".
    """
    kind = type(value)
    if kind is str:
        return value
    if kind is int:
        return str(value)
    if kind is float:
        return json.dumps(value)  # 1.5, 1e+100, NaN: as JSON writes them
    return None
