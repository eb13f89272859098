"""JSON corpora: records with a text field (JSON list or JSON lines), COCO captions, LLaVA instruction data.

JSON lines are streamed a block of lines at a time, and a JSON list of records (LLaVA-Instruct-665K is a
1 GB one) a record at a time (``JsonArrayStream``), so memory follows the batch, not the file. A COCO file
is one object and is parsed whole: its memory is a few times the file's size.
"""
from __future__ import annotations

import codecs
import json
import re
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Collection, Iterator, NamedTuple, NoReturn

import polars as pl

from freqscope.errors import FreqscopeError
from freqscope.readers.files import open_stream
from freqscope.readers.formats import json_layout
from freqscope.readers.frames import (
    TEXT_COLUMN_NAMES, Chunk, coerce_text, empty_frame, find_key_column, find_text_column, frame_of, text_series,
)
from freqscope.readers.lines import line_blocks

# LLaVA's "from" values (and the OpenAI-style names some conversions use) → the roles the database knows.
_ROLES = {"human": "human", "user": "human", "gpt": "gpt", "assistant": "gpt", "model": "gpt", "bot": "gpt"}
_IMAGE_PLACEHOLDER = "<image>"
_MAX_SHOWN_FIELDS = 12
_MISSING = object()
# A JSON list is read in blocks of this many bytes and its records handed on this many at a time.
ARRAY_BLOCK_BYTES = 8 << 20
ARRAY_BATCH_RECORDS = 10_000
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# Rows of a batch held as Python objects at a time (~100 bytes each) before they become columns.
_PART_ROWS = 16_384


class RecordBatch(NamedTuple):
    """Parsed records: the whole list of a JSON document, or the records of one block of JSON lines."""

    values: list
    first_number: int             # document number of values[0]
    line_numbers: list[int] | None  # JSON lines: the 1-based line of each record, for messages
    dirty: bool                   # its bytes had invalid UTF-8 (replaced)
    label: str = "record"
    n_unparsed: int = 0           # records after values, of shards not wanted (``skipped_shards``): counted only

    def where(self, offset: int) -> str:
        """'record 12 (line 14)': a record's position, spelled only when a message needs it."""
        place = f"{self.label} {self.first_number + offset:,}"
        return place + (f" (line {self.line_numbers[offset]:,})" if self.line_numbers is not None else "")


Rows = list[tuple[str | None, str | None]]  # a record's (role, text) rows


class _Rows:
    """Rows being gathered into the next batch: held as Python objects a part of ``_PART_ROWS`` rows at a time,
    each part then turned into columns, so that a batch costs its columns, not its Python strings."""

    def __init__(self) -> None:
        self.parts: list[pl.DataFrame] = []
        self.n_rows = 0
        self.n_docs = 0
        self.n_invalid = 0
        self._new_part()

    def _new_part(self) -> None:
        self.doc: list[int] = []
        self.doc_key: list[str | None] = []
        self.role: list[str | None] = []
        self.text: list[str | None] = []

    def add(self, number: int, key: str | None, rows: Rows, dirty: bool) -> None:
        self.n_docs += 1
        for role, text in rows:
            self.doc.append(number)
            self.doc_key.append(key)
            self.role.append(role)
            self.text.append(text)
            if dirty and text is not None and "\ufffd" in text:
                self.n_invalid += 1
        self.n_rows += len(rows)
        if len(self.text) >= _PART_ROWS:
            self._close_part()

    def _close_part(self) -> None:
        text, repaired = text_series(self.text)
        key, _ = text_series(self.doc_key, "doc_key")
        self.parts.append(frame_of(pl.Series(self.doc, dtype=pl.Int64), text, doc_key=key,
                                   role=pl.Series(self.role, dtype=pl.String)))
        self.n_invalid += repaired
        self._new_part()

    def chunk(self) -> Chunk:
        if self.text or not self.parts:
            self._close_part()
        frame = self.parts[0] if len(self.parts) == 1 else pl.concat(self.parts)
        return Chunk(frame, self.n_docs, self.n_invalid)


def _fields(record: dict) -> str:
    names = list(record)
    shown = ", ".join(map(str, names[:_MAX_SHOWN_FIELDS]))
    return shown + (", …" if len(names) > _MAX_SHOWN_FIELDS else "") if names else "none"


def _type_name(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string"}.get(type(value), type(value).__name__)


def invalid_json(path: Path, place: str, message: str, column: int) -> FreqscopeError:
    """The one-line error for a syntax error at ``place`` ("line 12") of a JSON file."""
    return FreqscopeError(
        f"{path}: {place} is not valid JSON ({message}, column {column}); fix the file, or pass the right --format"
    )


class JsonArrayStream:
    """The values of a JSON list, parsed one at a time (``json.JSONDecoder.raw_decode``) as the file streams in.

    ``dirty`` turns true once invalid UTF-8 was met (and replaced); a syntax error is one line naming its line
    and column, as when a document is parsed whole.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.dirty = False
        self._decoder = json.JSONDecoder()
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._text = ""  # decoded text not consumed yet
        self._pos = 0  # parsing position in _text
        self._line = 1  # line and column (0-based) at which _text starts, for messages
        self._column = 0
        self._eof = False

    def __iter__(self) -> Iterator[object]:
        with open_stream(self.path) as self._stream:
            while not self._text and self._read():  # up to the first character, to drop a byte order mark
                pass
            self._text = self._text.removeprefix("\ufeff")
            if self._next_char() != "[":
                self._fail(self._pos, "expected a JSON list")
            self._pos += 1
            if self._next_char() == "]":
                self._end()
                return
            while True:
                yield self._value()
                char = self._next_char()
                if char == "]":
                    self._end()
                    return
                if char != ",":
                    self._fail(self._pos, "expected ',' or ']' after a record of the list")
                self._pos += 1

    def _value(self) -> object:
        self._next_char()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._text, self._pos)
            except json.JSONDecodeError as error:
                if self._read():
                    continue
                self._fail(error.pos, error.msg)
            # A value reaching the end of the text read so far may go on in the next block (a number).
            if end == len(self._text) and self._read():
                continue
            self._pos = end
            return value

    def _next_char(self) -> str:
        """The next character that is not whitespace ('' at the end of the file), reading on as needed."""
        while True:
            self._pos = _WHITESPACE.match(self._text, self._pos).end()
            if self._pos < len(self._text) or not self._read():
                return self._text[self._pos:self._pos + 1]

    def _end(self) -> None:
        self._pos += 1
        if self._next_char():
            self._fail(self._pos, "extra data after the list")

    def _read(self) -> bool:
        """Drop the consumed text and append the next block; False at the end of the file."""
        if self._eof:
            return False
        block = self._stream.read(ARRAY_BLOCK_BYTES)
        self._eof = not block
        consumed = self._text[:self._pos]
        newlines = consumed.count("\n")
        self._line += newlines
        self._column = len(consumed) - consumed.rfind("\n") - 1 if newlines else self._column + len(consumed)
        self._text = self._text[self._pos:] + self._decode(block)
        self._pos = 0
        return True

    def _decode(self, block: bytes) -> str:
        state = self._utf8.getstate()
        try:
            return self._utf8.decode(block, final=self._eof)
        except UnicodeDecodeError:
            self.dirty = True
            replacing = codecs.getincrementaldecoder("utf-8")("replace")
            replacing.setstate(state)
            text = replacing.decode(block, final=self._eof)
            self._utf8.setstate(replacing.getstate())
            return text

    def _fail(self, pos: int, message: str) -> NoReturn:
        before = self._text[:pos]
        newlines = before.count("\n")
        line = self._line + newlines
        column = (pos - before.rfind("\n") if newlines else self._column + pos + 1)
        if pos >= len(self._text) and self._eof:
            message = f"{message}: the file ends there (truncated?)"
        raise invalid_json(self.path, f"line {line:,}", message, column)


class _JsonReader(ABC):
    """What all JSON formats share: finding the records, and gathering their rows into batches."""

    def __init__(self, path: Path, batch_rows: int, shard_docs: int | None = None,
                 skipped_shards: Collection[int] = ()) -> None:
        self.path = path
        self.batch_rows = batch_rows
        self.shard_docs = shard_docs  # no batch spans a multiple of this many records (None: no shards)
        # shards (by first record) whose rows the caller drops: JSON lines only counts their records
        self.skipped_shards = frozenset(skipped_shards)
        self.layout, self._first = json_layout(path)

    def total_docs(self) -> None:
        return None

    def chunks(self) -> Iterator[Chunk]:
        rows = _Rows()
        for batch in self._record_batches():
            for offset, value in enumerate(batch.values):
                number = batch.first_number + offset
                if self.shard_docs is not None and number % self.shard_docs == 0 and rows.n_docs:
                    yield self._finish(rows.chunk())  # the end of a shard
                    rows = _Rows()
                key, record_rows = self._rows_of(value, batch, offset)
                rows.add(number, key, record_rows, batch.dirty)
                if rows.n_rows >= self.batch_rows:
                    yield self._finish(rows.chunk())
                    rows = _Rows()
            if batch.n_unparsed:
                if rows.n_docs:
                    yield self._finish(rows.chunk())
                    rows = _Rows()
                yield from self._unparsed(batch.first_number + len(batch.values), batch.n_unparsed)
        if rows.n_docs:
            yield self._finish(rows.chunk())

    def _unparsed(self, first: int, count: int) -> Iterator[Chunk]:
        """Chunks of no rows for ``count`` records from number ``first``, one per shard they belong to."""
        end = first + count
        while first < end:
            step = min(end, first - first % self.shard_docs + self.shard_docs) - first
            yield Chunk(empty_frame(), step, 0)
            first += step

    def _unwanted(self, first: int, count: int) -> bool:
        """Whether records ``first`` to ``first + count`` all belong to skipped shards."""
        if not self.skipped_shards or not count:
            return False
        shards = range(first - first % self.shard_docs, first + count, self.shard_docs)
        return all(start in self.skipped_shards for start in shards)

    def _finish(self, chunk: Chunk) -> Chunk:
        """A last vectorised touch to a batch (LLaVA: drop the image placeholder)."""
        return chunk

    @abstractmethod
    def _rows_of(self, value: object, batch: RecordBatch, offset: int) -> tuple[str | None, Rows]:
        """The record's doc_key and its (role, text) rows; ``batch.where(offset)`` names it in messages."""

    def _record_batches(self) -> Iterator[RecordBatch]:
        if self.layout == "lines":
            yield from self._line_batches()
            return
        if self.layout == "array":
            yield from self._array_batches()
            return
        document, dirty = self._load_document()
        if not isinstance(document, list):
            raise FreqscopeError(
                f"{self.path}: expected a JSON list of records, found {_type_name(document)}"
                + (f" with keys {_fields(document)}" if isinstance(document, dict) else "")
                + ": for COCO captions pass --format coco"
            )
        yield RecordBatch(document, 0, None, dirty)

    def _array_batches(self) -> Iterator[RecordBatch]:
        stream = JsonArrayStream(self.path)
        values: list = []
        number = 0
        for value in stream:
            values.append(value)
            if len(values) >= ARRAY_BATCH_RECORDS:
                yield RecordBatch(values, number, None, stream.dirty)
                number += len(values)
                values = []
        if values:
            yield RecordBatch(values, number, None, stream.dirty)

    def _line_batches(self) -> Iterator[RecordBatch]:
        """JSON lines a block at a time: the block's lines are parsed as one JSON array (one C call, not one
        per line); a block that fails is parsed line by line to name the bad line."""
        number = 0
        line_number = 0
        for block in line_blocks(self.path):
            try:
                text, dirty = block.decode("utf-8"), False
            except UnicodeDecodeError:
                text, dirty = block.decode("utf-8", "replace"), True
            lines = text.split("\n")
            if text.endswith("\n"):
                lines.pop()
            kept = [i for i, line in enumerate(lines) if line.strip()]
            if self._unwanted(number, len(kept)):  # read past, not parsed: a re-run after a kill
                yield RecordBatch([], number, None, dirty, n_unparsed=len(kept))
                number += len(kept)
                line_number += len(lines)
                continue
            records = [lines[i] for i in kept]
            try:
                values = json.loads("[" + ",".join(records) + "]")
                if len(values) != len(records):  # a line holding two values separated by a comma
                    raise ValueError
            except ValueError:
                values = [self._parse(record, f"line {line_number + i + 1:,}") for i, record in zip(kept, records)]
            yield RecordBatch(values, number, [line_number + i + 1 for i in kept], dirty)
            number += len(values)
            line_number += len(lines)

    def _load_document(self) -> tuple[object, bool]:
        with open_stream(self.path) as stream:
            data = stream.read().removeprefix(b"\xef\xbb\xbf")
        try:
            text, dirty = data.decode("utf-8"), False
        except UnicodeDecodeError:
            text, dirty = data.decode("utf-8", "replace"), True
        return self._parse(text, ""), dirty

    def _parse(self, text: str, where: str) -> object:
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise invalid_json(self.path, where or f"line {error.lineno:,}", error.msg, error.colno) from None


class RecordsReader(_JsonReader):
    """json / jsonl: one document per record; its text field (a list of strings gives one row per string).

    The field is chosen on the first record (text, caption, captions, or --text-column); every record must
    have it. A text value that is a number is its JSON text ("42"); null, booleans and objects are empty
    documents. doc_key is the record's id or key field.
    """

    def __init__(self, path: Path, text_column: str | None, batch_rows: int, shard_docs: int | None = None,
                 skipped_shards: Collection[int] = (), *, lines: bool = False) -> None:
        super().__init__(path, batch_rows, shard_docs, skipped_shards)
        if lines:  # --format jsonl (or the .jsonl name): lines, even where the first is too long to sniff
            self.layout = "lines"
        self._asked = text_column
        self.text_column: str | None = None
        self._key_field: str | None = None
        if self._first is not None:
            self._resolve_fields(self._first, "record 0")

    def _resolve_fields(self, value: object, where: str) -> None:
        if not isinstance(value, dict):
            raise FreqscopeError(f"{self.path}: {where} is {_type_name(value)}, expected an object with a text field")
        field = find_text_column([str(name) for name in value], self._asked)
        if field is None:
            wanted = f"field {self._asked!r}" if self._asked else f"text field ({', '.join(TEXT_COLUMN_NAMES)})"
            raise FreqscopeError(
                f"{self.path}: {where} has no {wanted}; its fields are {_fields(value)}: pass --text-column NAME"
            )
        self.text_column = field
        self._key_field = find_key_column(list(value))

    def _rows_of(self, value: object, batch: RecordBatch, offset: int) -> tuple[str | None, Rows]:
        if self.text_column is None:
            self._resolve_fields(value, batch.where(offset))
        if type(value) is not dict:
            raise FreqscopeError(
                f"{self.path}: {batch.where(offset)} is {_type_name(value)}, expected an object with a text field"
            )
        text = value.get(self.text_column, _MISSING)
        if text is _MISSING:
            raise FreqscopeError(
                f"{self.path}: {batch.where(offset)} has no field {self.text_column!r} (its fields are "
                f"{_fields(value)}); every record needs it: fix the file or pass --text-column"
            )
        key = coerce_text(value.get(self._key_field)) if self._key_field else None
        if type(text) is list:
            return key, [(None, coerce_text(item)) for item in text]
        return key, [(None, coerce_text(text))]


class CocoReader(_JsonReader):
    """COCO captions: one document per annotations[] entry; doc_key is its image_id."""

    text_column = "caption"

    def __init__(self, path: Path, text_column: str | None, batch_rows: int, shard_docs: int | None = None) -> None:
        if text_column not in (None, "caption"):
            raise FreqscopeError(f"{path}: COCO captions are always annotations[].caption: drop --text-column")
        super().__init__(path, batch_rows, shard_docs)
        if self.layout != "object":
            raise FreqscopeError(
                f"{path}: not COCO captions (an object with an 'annotations' list), but a JSON "
                f"{'list' if self.layout == 'array' else 'lines file'}: pass --format json or jsonl"
            )

    def _record_batches(self) -> Iterator[RecordBatch]:
        document, dirty = self._load_document()
        annotations = document.get("annotations") if isinstance(document, dict) else None
        if not isinstance(annotations, list):
            found = f"keys {_fields(document)}" if isinstance(document, dict) else _type_name(document)
            raise FreqscopeError(
                f"{self.path}: not COCO captions: expected an object with an 'annotations' list of "
                f"{{image_id, caption}}, found {found}; pass the right --format"
            )
        yield RecordBatch(annotations, 0, None, dirty, "annotation")

    def _rows_of(self, value: object, batch: RecordBatch, offset: int) -> tuple[str | None, Rows]:
        if type(value) is not dict or "caption" not in value:
            found = f"fields {_fields(value)}" if isinstance(value, dict) else _type_name(value)
            raise FreqscopeError(
                f"{self.path}: {batch.where(offset)} has no 'caption' ({found}); expected {{image_id, caption}}: "
                "fix the file"
            )
        return coerce_text(value.get("image_id")), [(None, coerce_text(value["caption"]))]


class LlavaReader(_JsonReader):
    """LLaVA samples: one document per sample, one row per turn (role human / gpt), <image> removed.

    Also instruction/output records (LLaVA-Bench, Alpaca): instruction (and input) are human rows, output is
    the gpt row. Keeping turns apart means a match never spans two turns. doc_key is the sample's id.
    """

    def __init__(self, path: Path, text_column: str | None, batch_rows: int, shard_docs: int | None = None,
                 skipped_shards: Collection[int] = ()) -> None:
        if text_column is not None:
            raise FreqscopeError(f"{path}: LLaVA data is read turn by turn, it has no text column: drop --text-column")
        super().__init__(path, batch_rows, shard_docs, skipped_shards)
        self.text_column = "conversations"

    def _finish(self, chunk: Chunk) -> Chunk:
        # a space, not nothing, so that "a<image>b" stays two words
        text = pl.col("text").str.replace_all(_IMAGE_PLACEHOLDER, " ", literal=True).str.strip_chars()
        return Chunk(chunk.frame.with_columns(text), chunk.n_docs, chunk.n_invalid_utf8)

    def _rows_of(self, value: object, batch: RecordBatch, offset: int) -> tuple[str | None, Rows]:
        if type(value) is not dict:
            raise FreqscopeError(
                f"{self.path}: {batch.where(offset)} is {_type_name(value)}, expected a LLaVA sample "
                "{id, conversations: [{from, value}, ...]}"
            )
        key = coerce_text(value.get("id"))
        if "conversations" in value:
            turns = value["conversations"]
            if not isinstance(turns, list):
                raise FreqscopeError(
                    f"{self.path}: {batch.where(offset)}: 'conversations' is {_type_name(turns)}, expected a list of "
                    "{from, value}; fix the file"
                )
            rows = []
            for index, turn in enumerate(turns):
                if not isinstance(turn, dict):
                    raise FreqscopeError(
                        f"{self.path}: {batch.where(offset)}: conversations[{index}] is {_type_name(turn)}, expected an "
                        "object {from, value}; fix the file"
                    )
                rows.append((_role(turn.get("from")), coerce_text(turn.get("value"))))
            return key, rows
        if "instruction" in value or "output" in value:
            rows = [("human", coerce_text(value.get("instruction")))]
            if "input" in value:
                rows.append(("human", coerce_text(value["input"])))
            rows.append(("gpt", coerce_text(value.get("output"))))
            return key, rows
        raise FreqscopeError(
            f"{self.path}: {batch.where(offset)} has neither 'conversations' nor 'instruction'/'output' (its fields are "
            f"{_fields(value)}); for caption records pass --format json or jsonl"
        )


def _role(speaker: object) -> str | None:
    """human / gpt from LLaVA's "from"; another speaker (e.g. system) is kept, lowercased."""
    if type(speaker) is not str:
        return None
    known = _ROLES.get(speaker)
    if known is not None:
        return known
    speaker = speaker.strip().casefold()
    return _ROLES.get(speaker, speaker)
