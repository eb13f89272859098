"""JSON corpora: records with a text field (JSON list or JSON lines), COCO captions, LLaVA instruction data.

JSON lines are streamed line by line. A JSON document (a list of records, a COCO file) is one value, so it
is parsed whole: its memory is a few times the file's size.
"""
from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Iterator, NamedTuple

import polars as pl

from freqscope.errors import FreqscopeError
from freqscope.readers.files import open_stream
from freqscope.readers.formats import json_layout
from freqscope.readers.frames import (
    TEXT_COLUMN_NAMES, Chunk, coerce_text, find_key_column, find_text_column, frame_of, text_series,
)
from freqscope.readers.lines import line_blocks, split_lines

# LLaVA's "from" values (and the OpenAI-style names some conversions use) → the roles the database knows.
_ROLES = {"human": "human", "user": "human", "gpt": "gpt", "assistant": "gpt", "model": "gpt", "bot": "gpt"}
_IMAGE_PLACEHOLDER = "<image>"
_MAX_SHOWN_FIELDS = 12


class Record(NamedTuple):
    number: int          # 0-based among the file's records: the document number
    where: str           # "record 12" / "record 12 (line 14)" / "annotation 12", for messages
    value: object
    dirty: bool          # its bytes had invalid UTF-8 (replaced)


class _Rows:
    """Rows being gathered into the next batch."""

    def __init__(self) -> None:
        self.doc: list[int] = []
        self.doc_key: list[str | None] = []
        self.role: list[str | None] = []
        self.text: list[str | None] = []
        self.n_docs = 0
        self.n_invalid = 0

    def add(self, record: Record, key: str | None, rows: list[tuple[str | None, str | None]]) -> None:
        self.n_docs += 1
        for role, text in rows:
            self.doc.append(record.number)
            self.doc_key.append(key)
            self.role.append(role)
            self.text.append(text)
            if record.dirty and text is not None and "\ufffd" in text:
                self.n_invalid += 1

    def chunk(self) -> Chunk:
        text, repaired = text_series(self.text)
        key, _ = text_series(self.doc_key, "doc_key")
        frame = frame_of(pl.Series(self.doc, dtype=pl.Int64), text, doc_key=key,
                         role=pl.Series(self.role, dtype=pl.String))
        return Chunk(frame, self.n_docs, self.n_invalid + repaired)


def _fields(record: dict) -> str:
    names = list(record)
    shown = ", ".join(map(str, names[:_MAX_SHOWN_FIELDS]))
    return shown + (", …" if len(names) > _MAX_SHOWN_FIELDS else "") if names else "none"


def _type_name(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string"}.get(type(value), type(value).__name__)


class _JsonReader(ABC):
    """What all JSON formats share: finding the records, and gathering their rows into batches."""

    def __init__(self, path: Path, batch_rows: int) -> None:
        self.path = path
        self.batch_rows = batch_rows
        self.layout, self._first = json_layout(path)

    def total_docs(self) -> None:
        return None

    def chunks(self) -> Iterator[Chunk]:
        rows = _Rows()
        for record in self._records():
            key, record_rows = self._rows_of(record)
            rows.add(record, key, record_rows)
            if len(rows.text) >= self.batch_rows:
                yield self._finish(rows.chunk())
                rows = _Rows()
        if rows.n_docs:
            yield self._finish(rows.chunk())

    def _finish(self, chunk: Chunk) -> Chunk:
        """A last vectorised touch to a batch (LLaVA: drop the image placeholder)."""
        return chunk

    @abstractmethod
    def _rows_of(self, record: Record) -> tuple[str | None, list[tuple[str | None, str | None]]]:
        """The record's doc_key and its (role, text) rows."""

    def _records(self) -> Iterator[Record]:
        if self.layout == "lines":
            yield from self._line_records()
            return
        document, dirty = self._load_document()
        if not isinstance(document, list):
            raise FreqscopeError(
                f"{self.path}: expected a JSON list of records, found {_type_name(document)}"
                + (f" with keys {_fields(document)}" if isinstance(document, dict) else "")
                + ": for COCO captions pass --format coco"
            )
        for number, value in enumerate(document):
            yield Record(number, f"record {number:,}", value, dirty)

    def _line_records(self) -> Iterator[Record]:
        number = 0
        line_number = 0
        for block in line_blocks(self.path):
            for line in split_lines(block):
                line_number += 1
                if not line.strip():
                    continue
                value, dirty = self._parse(line, f"line {line_number:,}")
                yield Record(number, f"record {number:,} (line {line_number:,})", value, dirty)
                number += 1

    def _load_document(self) -> tuple[object, bool]:
        with open_stream(self.path) as stream:
            data = stream.read()
        return self._parse(data.removeprefix(b"\xef\xbb\xbf"), "")

    def _parse(self, data: bytes, where: str) -> tuple[object, bool]:
        try:
            try:
                return json.loads(data), False
            except UnicodeDecodeError:
                return json.loads(data.decode("utf-8", "replace")), True
        except json.JSONDecodeError as error:
            place = where or f"line {error.lineno:,}"
            raise FreqscopeError(
                f"{self.path}: {place} is not valid JSON ({error.msg}, column {error.colno}); "
                "fix the file, or pass the right --format"
            ) from None


class RecordsReader(_JsonReader):
    """json / jsonl: one document per record; its text field (a list of strings gives one row per string).

    A text value that is a number is its JSON text ("42"); null, booleans and objects are empty documents.
    doc_key is the record's id or key field.
    """

    def __init__(self, path: Path, text_column: str | None, batch_rows: int) -> None:
        super().__init__(path, batch_rows)
        self._asked = text_column
        self.text_column: str | None = None
        self._key_field: str | None = None
        if self._first is not None:
            self._resolve_fields(Record(0, "record 0", self._first, False))

    def _resolve_fields(self, record: Record) -> None:
        value = record.value
        if not isinstance(value, dict):
            raise FreqscopeError(
                f"{self.path}: {record.where} is {_type_name(value)}, expected an object with a text field"
            )
        field = find_text_column([str(name) for name in value], self._asked)
        if field is None:
            wanted = f"field {self._asked!r}" if self._asked else f"text field ({', '.join(TEXT_COLUMN_NAMES)})"
            raise FreqscopeError(
                f"{self.path}: {record.where} has no {wanted}; its fields are {_fields(value)}: "
                "pass --text-column NAME"
            )
        self.text_column = field
        self._key_field = find_key_column(list(value))

    def _rows_of(self, record: Record) -> tuple[str | None, list[tuple[str | None, str | None]]]:
        if self.text_column is None:
            self._resolve_fields(record)
        value = record.value
        if not isinstance(value, dict):
            raise FreqscopeError(
                f"{self.path}: {record.where} is {_type_name(value)}, expected an object with a text field"
            )
        if self.text_column not in value:
            raise FreqscopeError(
                f"{self.path}: {record.where} has no field {self.text_column!r} (its fields are {_fields(value)}); "
                "every record needs it: fix the file or pass --text-column"
            )
        text = value[self.text_column]
        key = coerce_text(value.get(self._key_field)) if self._key_field else None
        if isinstance(text, list):
            return key, [(None, coerce_text(item)) for item in text]
        return key, [(None, coerce_text(text))]


class CocoReader(_JsonReader):
    """COCO captions: one document per annotations[] entry; doc_key is its image_id."""

    text_column = "caption"

    def __init__(self, path: Path, text_column: str | None, batch_rows: int) -> None:
        if text_column not in (None, "caption"):
            raise FreqscopeError(f"{path}: COCO captions are always annotations[].caption: drop --text-column")
        super().__init__(path, batch_rows)
        if self.layout != "object":
            raise FreqscopeError(
                f"{path}: not COCO captions (an object with an 'annotations' list), but a JSON "
                f"{'list' if self.layout == 'array' else 'lines file'}: pass --format json or jsonl"
            )

    def _records(self) -> Iterator[Record]:
        document, dirty = self._load_document()
        annotations = document.get("annotations") if isinstance(document, dict) else None
        if not isinstance(annotations, list):
            found = f"keys {_fields(document)}" if isinstance(document, dict) else _type_name(document)
            raise FreqscopeError(
                f"{self.path}: not COCO captions: expected an object with an 'annotations' list of "
                f"{{image_id, caption}}, found {found}; pass the right --format"
            )
        for number, value in enumerate(annotations):
            yield Record(number, f"annotation {number:,}", value, dirty)

    def _rows_of(self, record: Record) -> tuple[str | None, list[tuple[str | None, str | None]]]:
        value = record.value
        if not isinstance(value, dict) or "caption" not in value:
            found = f"fields {_fields(value)}" if isinstance(value, dict) else _type_name(value)
            raise FreqscopeError(
                f"{self.path}: {record.where} has no 'caption' ({found}); expected {{image_id, caption}}: "
                "fix the file"
            )
        return coerce_text(value.get("image_id")), [(None, coerce_text(value["caption"]))]


class LlavaReader(_JsonReader):
    """LLaVA samples: one document per sample, one row per turn (role human / gpt), <image> removed.

    Also instruction/output records (LLaVA-Bench, Alpaca): instruction (and input) are human rows, output is
    the gpt row. Keeping turns apart means a match never spans two turns. doc_key is the sample's id.
    """

    def __init__(self, path: Path, text_column: str | None, batch_rows: int) -> None:
        if text_column is not None:
            raise FreqscopeError(f"{path}: LLaVA data is read turn by turn, it has no text column: drop --text-column")
        super().__init__(path, batch_rows)
        self.text_column = "conversations"

    def _finish(self, chunk: Chunk) -> Chunk:
        # a space, not nothing, so that "a<image>b" stays two words
        text = pl.col("text").str.replace_all(_IMAGE_PLACEHOLDER, " ", literal=True).str.strip_chars()
        return Chunk(chunk.frame.with_columns(text), chunk.n_docs, chunk.n_invalid_utf8)

    def _rows_of(self, record: Record) -> tuple[str | None, list[tuple[str | None, str | None]]]:
        value = record.value
        if not isinstance(value, dict):
            raise FreqscopeError(
                f"{self.path}: {record.where} is {_type_name(value)}, expected a LLaVA sample "
                "{id, conversations: [{from, value}, ...]}"
            )
        key = coerce_text(value.get("id"))
        if "conversations" in value:
            turns = value["conversations"]
            if not isinstance(turns, list):
                raise FreqscopeError(
                    f"{self.path}: {record.where}: 'conversations' is {_type_name(turns)}, expected a list of "
                    "{from, value}; fix the file"
                )
            rows = []
            for index, turn in enumerate(turns):
                if not isinstance(turn, dict):
                    raise FreqscopeError(
                        f"{self.path}: {record.where}: conversations[{index}] is {_type_name(turn)}, expected an "
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
            f"{self.path}: {record.where} has neither 'conversations' nor 'instruction'/'output' (its fields are "
            f"{_fields(value)}); for caption records pass --format json or jsonl"
        )


def _role(speaker: object) -> str | None:
    """human / gpt from LLaVA's "from"; another speaker (e.g. system) is kept, lowercased."""
    if not isinstance(speaker, str):
        return None
    speaker = speaker.strip().casefold()
    return _ROLES.get(speaker, speaker)
