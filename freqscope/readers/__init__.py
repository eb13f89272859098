"""Corpus readers: any supported file as a stream of (doc, doc_key, role, text) batches.

    expand_paths → detect_format → SourceReader(path).batches()

A file is a local path or a URI that pyarrow's filesystems reach (s3://, gs://, file://, ...). One module per
job: files (finding files, decompressing), uris (files named by URI), formats (detection), frames (the batch
layout and text repair), and one reader per family of formats (parquet, delimited, lines, records).
"""
from freqscope.readers.files import CorpusFile, expand_paths, file_name, stored_path
from freqscope.readers.formats import FORMATS, corpus_kind, detect_format
from freqscope.readers.frames import BATCH_SCHEMA
from freqscope.readers.source import SourceReader
from freqscope.readers.uris import is_uri

__all__ = ["BATCH_SCHEMA", "FORMATS", "CorpusFile", "SourceReader", "corpus_kind", "detect_format", "expand_paths",
           "file_name", "is_uri", "stored_path"]
