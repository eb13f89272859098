"""Which format a corpus file is in: from its name, then from its first bytes where the name is ambiguous."""
from __future__ import annotations

import json
import re

from freqscope.errors import FreqscopeError
from freqscope.readers.files import CorpusFile, data_suffix, read_head

FORMATS: tuple[str, ...] = ("parquet", "csv", "tsv", "json", "jsonl", "coco", "flickr8k", "text", "llava")

_FIXED_BY_SUFFIX = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv"}
_JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
_LINES_SUFFIXES = (".jsonl", ".ndjson")
# Flickr8k/30k token files: "<image>.jpg#<n><TAB><caption>".
_FLICKR_LINE = re.compile(r"[^\t\n]+#\d+\t")
_PARQUET_MAGIC = b"PAR1"
# How far into a JSON file to look for its first record; doubled until the record is complete.
_SNIFF_START_BYTES = 64 * 1024
_SNIFF_MAX_BYTES = 64 * 1024 * 1024
# A file that starts with "{" and has no line end this far in is one JSON object (a one-line COCO file).
_SNIFF_OBJECT_LINE_BYTES = 1024 * 1024


def corpus_kind(format: str) -> str:
    """'instructions' for instruction data (per-role counts), else 'captions'."""
    return "instructions" if format == "llava" else "captions"


def check_format(format: str) -> str:
    if format not in FORMATS:
        raise FreqscopeError(f"unknown corpus format {format!r}: use one of {', '.join(FORMATS)}")
    return format


def is_instruction_record(record: object) -> bool:
    """A LLaVA sample (conversations) or an instruction/output pair (LLaVA-Bench, Alpaca)."""
    return isinstance(record, dict) and (
        "conversations" in record or ("instruction" in record and "output" in record)
    )


def detect_format(path: CorpusFile) -> str:
    """The format of ``path``: its suffix (after .gz/.zst), and for .txt and JSON files its content."""
    suffix = data_suffix(path)
    if suffix in _FIXED_BY_SUFFIX:
        return _FIXED_BY_SUFFIX[suffix]
    if suffix == ".txt":
        return "flickr8k" if _FLICKR_LINE.match(_head_text(path, 4096).lstrip("\ufeff")) else "text"
    if suffix in _JSON_SUFFIXES:
        return _json_format(path)
    if _safe_head(path, 4) == _PARQUET_MAGIC:
        return "parquet"
    raise FreqscopeError(
        f"cannot tell the format of {path} from its name: pass --format, one of {', '.join(FORMATS)}"
    )


def json_layout(path: CorpusFile) -> tuple[str, object | None]:
    """How a JSON file is laid out, and its first record where the head of the file shows it.

    'array' (a JSON list of records), 'object' (one JSON object: COCO) or 'lines' (JSON lines; also an empty
    file). A file whose first line is a whole JSON object is JSON lines, unless that object is a one-line COCO
    document. The record is None where it could not be read from the head (not JSON, or too large).
    """
    size = _SNIFF_START_BYTES
    while True:
        raw = _safe_head(path, size)
        whole_file = len(raw) < size
        head = raw.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
        if head.startswith("["):
            record = _first_value(head[1:].lstrip())
            if record is not None or whole_file or size >= _SNIFF_MAX_BYTES:
                return "array", record
        elif head.startswith("{"):
            if "\n" in head or whole_file:
                record = _first_value(head.split("\n", 1)[0])
                if isinstance(record, dict) and "annotations" not in record:
                    return "lines", record
                return "object", None
            if size >= _SNIFF_OBJECT_LINE_BYTES:  # no line end in sight: one big object, not JSON lines
                return "object", None
        else:
            return "lines", None
        size *= 2


def _json_format(path: CorpusFile) -> str:
    layout, record = json_layout(path)
    if is_instruction_record(record):
        return "llava"
    if layout == "object" and data_suffix(path) in _LINES_SUFFIXES:
        return "jsonl"  # named JSON lines, its first line too long to sniff: not one COCO document
    return {"array": "json", "object": "coco", "lines": "jsonl"}[layout]


def _first_value(text: str) -> object | None:
    try:
        value, _ = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError:
        return None
    return value


def _safe_head(path: CorpusFile, size: int) -> bytes:
    try:
        return read_head(path, size)
    except OSError as error:
        raise FreqscopeError(f"cannot read {path}: {error}; check that the file is complete and readable") from None


def _head_text(path: CorpusFile, size: int) -> str:
    # A cut multi-byte character at the end becomes U+FFFD: harmless for sniffing.
    return _safe_head(path, size).decode("utf-8", "replace")
