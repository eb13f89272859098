"""Corpus readers: any supported file as a stream of (doc, doc_key, role, text) batches.

    expand_paths → detect_format → SourceReader(path).batches()

One module per job: files (finding files, decompressing), formats (detection), frames (the batch layout and
text repair), and one reader per family of formats (parquet, delimited, lines, records).
"""
from freqscope.readers.files import expand_paths
from freqscope.readers.formats import FORMATS, corpus_kind, detect_format
from freqscope.readers.frames import BATCH_SCHEMA
from freqscope.readers.source import SourceReader

__all__ = ["BATCH_SCHEMA", "FORMATS", "SourceReader", "corpus_kind", "detect_format", "expand_paths"]
