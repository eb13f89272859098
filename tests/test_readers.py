"""Corpus readers: every format on the real shared samples, and the edge cases on tiny generated files."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from freqscope.errors import FreqscopeError
from freqscope.readers import BATCH_SCHEMA, FORMATS, SourceReader, corpus_kind, detect_format, expand_paths
from conftest import SHARED_CORPORA, require_shared, string_array_with_raw_bytes


def read_all(reader: SourceReader) -> pl.DataFrame:
    frames = list(reader.batches())
    for frame in frames:
        assert frame.schema == BATCH_SCHEMA
    return pl.concat(frames) if frames else pl.DataFrame(schema=BATCH_SCHEMA)


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


# --- the real samples in ../shared -------------------------------------------------------------------------

REAL_SAMPLES = [
    # file, format, kind, documents, rows (instruction data: one per turn; caption lists: one per caption)
    ("coco_captions_val2017/captions_val2017.json", "coco", "captions", 25_014, 25_014),
    ("cc3m_validation/Validation_GCC-1.1.0-Validation.tsv", "tsv", "captions", 15_833, 15_833),
    ("laion_sample/test_10000.parquet", "parquet", "captions", 10_000, 10_000),
    ("laion_sample/test_1000.parquet", "parquet", "captions", 1_000, 1_000),
    ("flickr8k/Flickr8k.token.txt", "flickr8k", "captions", 40_460, 40_460),
    ("llava_samples/scienceqa_llava_format.json", "llava", "instructions", 4_241, 8_482),
    ("llava_samples/DERIVED_coco2014_val_gpt4_qa_30x3.llava_format.json", "llava", "instructions", 90, 180),
    ("llava_samples/coco2014_val_gpt4_qa_30x3.jsonl", "llava", "instructions", 90, 180),
    ("llava_samples/caps_boxes_coco2014_val_80.jsonl", "jsonl", "captions", 80, 401),
]


@pytest.mark.shared
@pytest.mark.parametrize(("name", "format", "kind", "n_docs", "n_rows"), REAL_SAMPLES)
def test_real_samples_are_read_whole(name, format, kind, n_docs, n_rows):
    path = require_shared(SHARED_CORPORA / name)
    assert detect_format(path) == format
    reader = SourceReader(path, batch_rows=5_000)
    assert (reader.format, reader.kind) == (format, kind)
    frame = read_all(reader)
    assert (reader.n_docs, reader.n_rows, reader.n_invalid_utf8) == (n_docs, n_rows, 0)
    assert frame.height == n_rows
    assert frame["doc"].n_unique() == n_docs
    assert frame["doc"].min() == 0 and frame["doc"].max() == n_docs - 1
    assert frame["doc"].is_sorted()
    assert reader.total_docs() == (n_docs if format == "parquet" else None)


@pytest.mark.shared
def test_coco_keeps_each_caption_and_its_image_id():
    path = require_shared(SHARED_CORPORA / "coco_captions_val2017" / "captions_val2017.json")
    annotations = json.loads(path.read_bytes())["annotations"]
    frame = read_all(SourceReader(path))
    assert frame["text"].to_list() == [a["caption"] for a in annotations]
    assert frame["doc_key"].to_list() == [str(a["image_id"]) for a in annotations]
    assert frame["role"].null_count() == frame.height


@pytest.mark.shared
def test_cc3m_tsv_without_header_takes_the_first_column():
    path = require_shared(SHARED_CORPORA / "cc3m_validation" / "Validation_GCC-1.1.0-Validation.tsv")
    reader = SourceReader(path)
    frame = read_all(reader)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert reader.text_column == "0"
    assert frame["text"].to_list() == [line.split("\t")[0] for line in lines]


@pytest.mark.shared
def test_laion_parquet_text_equals_pyarrow_column():
    path = require_shared(SHARED_CORPORA / "laion_sample" / "test_10000.parquet")
    reader = SourceReader(path, batch_rows=3_000)
    frame = read_all(reader)
    assert reader.text_column == "TEXT"
    assert frame["text"].to_list() == pq.read_table(path, columns=["TEXT"]).column(0).to_pylist()


@pytest.mark.shared
def test_flickr8k_keys_are_image_and_caption_number():
    path = require_shared(SHARED_CORPORA / "flickr8k" / "Flickr8k.token.txt")
    frame = read_all(SourceReader(path))
    first = path.read_text(encoding="utf-8").splitlines()[0].split("\t")
    assert frame.row(0) == (0, first[0], None, first[1])
    assert frame["doc_key"].str.contains("#").all()


@pytest.mark.shared
def test_llava_sample_turns_roles_and_no_image_placeholder():
    path = require_shared(SHARED_CORPORA / "llava_samples" / "scienceqa_llava_format.json")
    samples = json.loads(path.read_bytes())
    frame = read_all(SourceReader(path))
    assert frame.height == sum(len(s["conversations"]) for s in samples)
    assert set(frame["role"].unique()) == {"human", "gpt"}
    assert not frame["text"].str.contains("<image>", literal=True).any()
    with_image = next(i for i, s in enumerate(samples) if "<image>" in s["conversations"][0]["value"])
    first_turn = frame.filter(pl.col("doc") == with_image).row(0, named=True)
    assert first_turn["doc_key"] == samples[with_image]["id"]
    assert first_turn["text"] == samples[with_image]["conversations"][0]["value"].replace("<image>", "").strip()


@pytest.mark.shared
def test_caption_list_records_give_one_row_per_caption_under_one_document():
    path = require_shared(SHARED_CORPORA / "llava_samples" / "caps_boxes_coco2014_val_80.jsonl")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    reader = SourceReader(path)
    frame = read_all(reader)
    assert reader.text_column == "captions"
    assert frame.filter(pl.col("doc") == 0)["text"].to_list() == records[0]["captions"]
    assert frame.filter(pl.col("doc") == 0)["doc_key"].unique().to_list() == [records[0]["id"]]


@pytest.mark.shared
def test_instruction_output_records_are_human_then_gpt_turns():
    path = require_shared(SHARED_CORPORA / "llava_samples" / "coco2014_val_gpt4_qa_30x3.jsonl")
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    frame = read_all(SourceReader(path))
    assert frame.filter(pl.col("doc") == 0).select("role", "text").rows() == [
        ("human", first["instruction"]), ("gpt", first["output"])]


@pytest.mark.shared
def test_shared_corpora_folder_expands_to_its_data_files_only():
    root = require_shared(SHARED_CORPORA)
    names = [p.name for p in expand_paths([root])]
    assert "test_10000.parquet" in names and "captions_val2017.json" in names
    assert not any(n in ("SOURCE.txt", "readme.txt", "LICENSE") for n in names)
    assert names == [p.name for p in sorted(expand_paths([root]))]


# --- paths and detection -----------------------------------------------------------------------------------

def test_expand_paths_globs_folders_files_sorted_and_unique(tmp_path):
    shards = tmp_path / "laion"
    (shards / "more").mkdir(parents=True)
    for name in ("part-1.parquet", "part-0.parquet", "more/part-2.parquet.gz", "README.txt", ".hidden.csv",
                 "notes.docx"):
        write(shards / name, "x")
    expected = [shards / "more" / "part-2.parquet.gz", shards / "part-0.parquet", shards / "part-1.parquet"]
    assert expand_paths([shards]) == sorted(p.resolve() for p in expected)
    assert expand_paths([str(shards / "part-*.parquet")]) == [shards / "part-0.parquet", shards / "part-1.parquet"]
    assert expand_paths([shards / "part-1.parquet", str(shards / "part-*.parquet"), shards]) == expand_paths([shards])


@pytest.mark.parametrize("missing", ["nothing/here.parquet", "nothing/part-*.parquet"])
def test_expand_paths_names_what_matches_nothing(tmp_path, missing):
    with pytest.raises(FreqscopeError, match="no such file: .*nothing"):
        expand_paths([tmp_path / missing])


def test_expand_paths_refuses_a_folder_without_corpus_files(tmp_path):
    write(tmp_path / "README.md", "x")
    with pytest.raises(FreqscopeError, match="no corpus files in folder"):
        expand_paths([tmp_path])


@pytest.mark.parametrize(("name", "content", "format"), [
    ("a.csv", "text\nhello\n", "csv"),
    ("a.tsv.gz", None, "tsv"),
    ("a.txt", "a dog\na cat\n", "text"),
    ("tokens.txt", "1000_a.jpg#0\tA dog .\n", "flickr8k"),
    ("a.json", '{"info": {}, "annotations": [{"image_id": 1, "caption": "a dog"}]}', "coco"),
    ("a.json", '{"images": [],\n "annotations": []}', "coco"),
    ("a.json", '[{"id": "1", "conversations": [{"from": "human", "value": "hi"}]}]', "llava"),
    ("a.json", '[{"id": 1, "caption": "a dog"}]', "json"),
    ("a.json", '{"caption": "a dog"}\n{"caption": "a cat"}\n', "jsonl"),
    ("a.jsonl", '{"caption": "a dog"}\n', "jsonl"),
    ("a.jsonl", '{"instruction": "what?", "output": "a dog"}\n', "llava"),
])
def test_detect_format_from_name_and_content(tmp_path, name, content, format):
    path = tmp_path / name
    if content is None:
        write(path, gzip.compress(b"a dog\thttp://x\n"))
    else:
        write(path, content)
    assert detect_format(path) == format


def test_detect_format_sniffs_parquet_magic_and_refuses_the_unknown(tmp_path):
    pq.write_table(pa.table({"text": ["a dog"]}), tmp_path / "shard.data")
    assert detect_format(tmp_path / "shard.data") == "parquet"
    write(tmp_path / "captions.xyz", "a dog\n")
    with pytest.raises(FreqscopeError, match=r"captions\.xyz.*--format, one of parquet"):
        detect_format(tmp_path / "captions.xyz")


def test_corpus_kind():
    assert corpus_kind("llava") == "instructions"
    assert {corpus_kind(f) for f in FORMATS if f != "llava"} == {"captions"}


# --- compression -------------------------------------------------------------------------------------------

CAPTIONS = ["a dog on a sofa", "a cat", "", "sea lions on a rock"]


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
@pytest.mark.parametrize(("name", "content"), [
    ("c.tsv", "".join(f"{c}\thttp://x/{i}\n" for i, c in enumerate(CAPTIONS))),
    ("c.txt", "".join(f"{c}\n" for c in CAPTIONS)),
    ("c.jsonl", "".join(json.dumps({"id": i, "text": c}) + "\n" for i, c in enumerate(CAPTIONS))),
    ("c.json", json.dumps([{"id": i, "text": c} for i, c in enumerate(CAPTIONS)])),
])
def test_compressed_files_read_like_plain_ones(tmp_path, suffix, name, content):
    data = content.encode()
    compress = {"": lambda b: b, ".gz": gzip.compress, ".zst": zstandard.ZstdCompressor().compress}[suffix]
    path = write(tmp_path / (name + suffix), compress(data))
    reader = SourceReader(path, batch_rows=3)
    frame = read_all(reader)
    assert frame["text"].to_list() == CAPTIONS
    assert frame["doc"].to_list() == [0, 1, 2, 3]
    assert reader.n_docs == 4


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_truncated_compressed_file_fails_mid_stream_naming_the_file(tmp_path, suffix):
    data = "".join(f"caption number {i} of a dog\n" for i in range(200_000)).encode()
    compressed = gzip.compress(data) if suffix == ".gz" else zstandard.ZstdCompressor().compress(data)
    path = write(tmp_path / f"captions.txt{suffix}", compressed[: len(compressed) // 2])
    reader = SourceReader(path, batch_rows=10_000)
    with pytest.raises(FreqscopeError, match=r"captions\.txt.*after [\d,]+ documents.*[Tt]runcated.*re-download"):
        read_all(reader)


def test_a_gz_that_is_not_gzip_is_refused_up_front(tmp_path):
    path = write(tmp_path / "captions.tsv.gz", "a dog\thttp://x\n")
    with pytest.raises(FreqscopeError, match=r"cannot read .*captions\.tsv\.gz"):
        SourceReader(path)


# --- delimited files ---------------------------------------------------------------------------------------

def test_tsv_with_a_header_uses_the_caption_column_and_skips_the_header(tmp_path):
    path = write(tmp_path / "c.tsv", "url\tcaption\nhttp://x/0\ta dog\nhttp://x/1\ta cat\n")
    reader = SourceReader(path)
    assert reader.text_column == "caption"
    assert read_all(reader)["text"].to_list() == ["a dog", "a cat"]


def test_tsv_without_header_takes_a_column_number(tmp_path):
    path = write(tmp_path / "c.tsv", "http://x/0\ta dog\nhttp://x/1\ta cat\n")
    assert read_all(SourceReader(path))["text"].to_list() == ["http://x/0", "http://x/1"]
    reader = SourceReader(path, text_column="1")
    assert reader.text_column == "1"
    assert read_all(reader)["text"].to_list() == ["a dog", "a cat"]
    with pytest.raises(FreqscopeError, match=r"c\.tsv has no header row naming 'alt'.*--text-column 0"):
        SourceReader(path, text_column="alt")
    with pytest.raises(FreqscopeError, match=r"c\.tsv has 2 column\(s\).*number 5"):
        SourceReader(path, text_column="5")


def test_tsv_keeps_quote_marks_as_text(tmp_path):
    path = write(tmp_path / "c.tsv", '"the dog" he said\thttp://x\nit is a "cat\thttp://y\n')
    assert read_all(SourceReader(path))["text"].to_list() == ['"the dog" he said', 'it is a "cat']


def test_csv_header_by_text_column_name_quotes_and_keys(tmp_path):
    path = write(tmp_path / "c.csv", '\ufeffkey,sentence\n7,"a dog,\non a sofa"\n8,a cat\n')
    with pytest.raises(FreqscopeError, match="has no header row naming"):
        SourceReader(path, text_column="caption")
    reader = SourceReader(path, text_column="sentence")
    frame = read_all(reader)
    assert frame.select("doc", "doc_key", "text").rows() == [(0, "7", "a dog,\non a sofa"), (1, "8", "a cat")]


def test_csv_with_a_header_but_not_the_named_column_lists_the_columns(tmp_path):
    path = write(tmp_path / "c.csv", "url,caption\nhttp://x,a dog\n")
    with pytest.raises(FreqscopeError, match=r"c\.csv has no column 'alt'; its columns are url, caption"):
        SourceReader(path, text_column="alt")


def test_ragged_tsv_row_fails_naming_file_and_position(tmp_path):
    path = write(tmp_path / "c.tsv", "a dog\thttp://x\nbad\trow\textra\n")
    with pytest.raises(FreqscopeError, match=r"c\.tsv: cannot read the rows after row 0: .*Expected 2 columns"):
        read_all(SourceReader(path))


def test_empty_files_are_refused_whatever_their_format(tmp_path):
    """One rule for all (an empty parquet file is no parquet file): an empty file is named, not indexed."""
    for name in ("e.tsv", "e.csv", "e.txt", "e.json", "e.jsonl", "e.parquet"):
        with pytest.raises(FreqscopeError, match=r"is empty \(0 bytes\)"):
            SourceReader(write(tmp_path / name, ""))


# --- JSON: records, COCO, LLaVA ----------------------------------------------------------------------------

def test_json_text_values_that_are_not_strings(tmp_path):
    records = [{"text": None}, {"text": 42}, {"text": 1.5}, {"text": True}, {"text": {"a": 1}}, {"text": ""},
               {"text": ["a dog", 3, None]}]
    path = write(tmp_path / "r.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    frame = read_all(SourceReader(path))
    assert frame.select("doc", "text").rows() == [(0, None), (1, "42"), (2, "1.5"), (3, None), (4, None),
                                                  (5, ""), (6, "a dog"), (6, "3"), (6, None)]


def test_jsonl_skips_blank_lines_and_names_the_line_of_bad_json(tmp_path):
    path = write(tmp_path / "r.jsonl", '{"caption": "a"}\n\n{"caption": "b"}\n{"caption": \n')
    with pytest.raises(FreqscopeError, match=r"r\.jsonl: line 4 is not valid JSON"):
        read_all(SourceReader(path))


def test_record_lacking_the_text_field_is_named(tmp_path):
    path = write(tmp_path / "r.jsonl", '{"caption": "a"}\n{"caption": "b"}\n{"url": "x"}\n')
    with pytest.raises(FreqscopeError, match=r"r\.jsonl: record 2 \(line 3\) has no field 'caption' "
                                             r"\(its fields are url\)"):
        read_all(SourceReader(path))


def test_records_without_a_text_field_list_their_fields_up_front(tmp_path):
    path = write(tmp_path / "r.json", '[{"url": "x", "alt": "a dog"}]')
    with pytest.raises(FreqscopeError, match=r"r\.json: record 0 has no text field .*fields are url, alt.*"
                                             r"--text-column"):
        SourceReader(path)
    assert read_all(SourceReader(path, text_column="alt"))["text"].to_list() == ["a dog"]


def test_json_of_the_wrong_shape_names_the_record(tmp_path):
    path = write(tmp_path / "r.json", '[{"text": "a"}, ["not", "a", "record"]]')
    with pytest.raises(FreqscopeError, match=r"r\.json: record 1 is a list, expected an object"):
        read_all(SourceReader(path))
    path = write(tmp_path / "o.json", '{\n "data": [{"text": "a"}]\n}')
    with pytest.raises(FreqscopeError, match=r"o\.json: expected a JSON list of records, found an object "
                                             r"with keys data"):
        read_all(SourceReader(path, format="json"))
    path = write(tmp_path / "one_line.json", '{"data": [{"text": "a"}]}')  # read as a JSON lines record
    with pytest.raises(FreqscopeError, match=r"one_line\.json: record 0 has no text field "
                                             r"\(text, caption, captions\); its fields are data"):
        read_all(SourceReader(path, format="json"))


def test_coco_without_annotations_or_captions_is_refused(tmp_path):
    path = write(tmp_path / "c.json", '{\n"images": [],\n"categories": []\n}')
    with pytest.raises(FreqscopeError, match=r"c\.json: not COCO captions.*found keys images, categories"):
        read_all(SourceReader(path))
    path = write(tmp_path / "d.json", '{"annotations": [{"image_id": 1, "caption": "a"}, {"image_id": 2}]}')
    with pytest.raises(FreqscopeError, match=r"d\.json: annotation 1 has no 'caption'"):
        read_all(SourceReader(path))


def test_llava_turns_roles_and_image_placeholder(tmp_path):
    samples = [
        {"id": "a", "image": "a.jpg", "conversations": [
            {"from": "human", "value": "<image>\nWhat animal is this?"},
            {"from": "gpt", "value": "A sea lion."},
            {"from": "USER", "value": "And<image>this"},
            {"from": "assistant", "value": None},
            {"from": "system", "value": "be brief"}]},
        {"id": 7, "conversations": []},
        {"id": "c", "instruction": "Name it.", "input": "a photo", "output": "A dog."},
    ]
    path = write(tmp_path / "l.json", json.dumps(samples))
    reader = SourceReader(path)
    frame = read_all(reader)
    assert (reader.kind, reader.n_docs, reader.n_rows) == ("instructions", 3, 8)
    assert frame.rows() == [
        (0, "a", "human", "What animal is this?"), (0, "a", "gpt", "A sea lion."), (0, "a", "human", "And this"),
        (0, "a", "gpt", None), (0, "a", "system", "be brief"),
        (2, "c", "human", "Name it."), (2, "c", "human", "a photo"), (2, "c", "gpt", "A dog.")]


def test_llava_record_of_the_wrong_shape_is_named(tmp_path):
    path = write(tmp_path / "l.jsonl", '{"id": 1, "conversations": [{"from": "human", "value": "hi"}]}\n'
                                       '{"id": 2, "conversations": ["hi"]}\n')
    with pytest.raises(FreqscopeError, match=r"l\.jsonl: record 1 \(line 2\): conversations\[0\] is a string"):
        read_all(SourceReader(path))
    path = write(tmp_path / "m.jsonl", '{"id": 1, "conversations": []}\n{"id": 2, "caption": "x"}\n')
    with pytest.raises(FreqscopeError, match=r"m\.jsonl: record 1 \(line 2\) has neither 'conversations'"):
        read_all(SourceReader(path))


# --- parquet -----------------------------------------------------------------------------------------------

def test_parquet_text_column_found_in_any_case_or_named(tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"url": ["u0", "u1"], "Caption": ["a dog", None], "alt": ["x", "y"]}), path)
    reader = SourceReader(path)
    assert reader.text_column == "Caption"
    assert read_all(reader).select("doc", "text").rows() == [(0, "a dog"), (1, None)]
    assert read_all(SourceReader(path, text_column="alt"))["text"].to_list() == ["x", "y"]


def test_parquet_without_text_column_lists_its_columns(tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"url": ["u0"], "width": [3]}), path)
    with pytest.raises(FreqscopeError, match=r"p\.parquet has no text column .*its columns are url, width: "
                                             r"pass --text-column"):
        SourceReader(path)
    with pytest.raises(FreqscopeError, match=r"p\.parquet: column 'width' holds int64, not text"):
        SourceReader(path, text_column="width")


def test_corrupt_parquet_is_refused_naming_the_file(tmp_path):
    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"TEXT": ["a dog"] * 100}), good)
    cut = write(tmp_path / "cut.parquet", good.read_bytes()[:-20])
    with pytest.raises(FreqscopeError, match=r"cut\.parquet is not a readable parquet file.*check that it is complete"):
        SourceReader(cut)
    with pytest.raises(FreqscopeError, match=r"gzip: decompress it first"):
        SourceReader(write(tmp_path / "p.parquet.gz", gzip.compress(good.read_bytes())))


def test_corrupt_row_group_fails_mid_stream_naming_it(tmp_path):
    path = tmp_path / "p.parquet"
    texts = [f"caption number {i} " + "x" * (i % 50) for i in range(20_000)]
    pq.write_table(pa.table({"TEXT": texts}), path, row_group_size=10_000, compression="zstd", use_dictionary=False)
    chunk = pq.ParquetFile(path).metadata.row_group(1).column(0)
    data = bytearray(path.read_bytes())
    middle = chunk.data_page_offset + chunk.total_compressed_size // 2
    data[middle:middle + 200] = b"\x13" * 200
    path.write_bytes(bytes(data))
    reader = SourceReader(path, batch_rows=5_000)
    with pytest.raises(FreqscopeError, match=r"p\.parquet: could not read row group 1 \(rows from 10,000\).*damaged"):
        read_all(reader)


def test_parquet_invalid_utf8_is_replaced_and_counted(tmp_path):
    path = tmp_path / "p.parquet"
    good = pa.array(["a dog", None, "a cat"] * 2)
    bad = string_array_with_raw_bytes([b"sea \xff lion", None, b"ok", b"\xc3(", b"fine", b""])
    with pq.ParquetWriter(path, pa.schema([("TEXT", pa.string())])) as writer:
        writer.write_table(pa.table({"TEXT": good}))   # row group 0: valid
        writer.write_table(pa.table({"TEXT": bad}))    # row group 1: invalid bytes
    reader = SourceReader(path, batch_rows=4)
    frame = read_all(reader)
    assert (reader.n_docs, reader.n_rows, reader.n_invalid_utf8) == (12, 12, 2)
    assert frame["doc"].to_list() == list(range(12))
    assert frame["text"].to_list()[6:] == ["sea \ufffd lion", None, "ok", "\ufffd(", "fine", ""]
    assert reader.read_docs([6, 0])["text"].to_list() == ["a dog", "sea \ufffd lion"]


def test_parquet_binary_and_large_string_columns(tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"text": pa.array([b"a dog", b"\xffx", None], pa.binary()),
                             "caption": pa.array(["a", "b", None], pa.large_string())}), path)
    reader = SourceReader(path)
    assert read_all(reader)["text"].to_list() == ["a dog", "\ufffdx", None]
    assert reader.n_invalid_utf8 == 1
    assert read_all(SourceReader(path, text_column="caption"))["text"].to_list() == ["a", "b", None]


def test_parquet_batches_and_read_docs_across_row_groups(tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"TEXT": [f"caption {i}" for i in range(2_500)]}), path, row_group_size=1_000)
    reader = SourceReader(path, batch_rows=400)
    frames = list(reader.batches())
    assert all(f.height <= 1_000 for f in frames) and sum(f.height for f in frames) == 2_500
    assert reader.total_docs() == 2_500
    picked = reader.read_docs([2_499, 5, 1_000, 5, 99_999])
    assert picked.select("doc", "text").rows() == [(5, "caption 5"), (1_000, "caption 1000"),
                                                   (2_499, "caption 2499")]


# --- robustness in every format ----------------------------------------------------------------------------

def test_invalid_utf8_in_line_formats_is_replaced_and_counted(tmp_path):
    tsv = write(tmp_path / "c.tsv", b"a dog\thttp://x\nsea \xff lion\thttp://y\n")
    text = write(tmp_path / "c.txt", b"a dog\nsea \xff lion\r\n\xfe\n")
    jsonl = write(tmp_path / "c.jsonl", b'{"text": "a dog"}\n{"text": "sea \xff lion"}\n{"text": "x\\ud800"}\n')
    for path, expected, n_invalid in [
        (tsv, ["a dog", "sea \ufffd lion"], 1),
        (text, ["a dog", "sea \ufffd lion", "\ufffd"], 2),
        (jsonl, ["a dog", "sea \ufffd lion", "x\ufffd\ufffd\ufffd"], 2),
    ]:
        reader = SourceReader(path)
        assert read_all(reader)["text"].to_list() == expected
        assert reader.n_invalid_utf8 == n_invalid


def test_one_megabyte_caption_is_just_a_long_document(tmp_path):
    long = "a dog " * 180_000 + "and a sea lion"
    captions = ["short", long, "after"]
    files = {
        "c.txt": "\n".join(captions) + "\n",
        "c.tsv": "".join(f"{c}\thttp://x\n" for c in captions),
        "c.jsonl": "".join(json.dumps({"caption": c}) + "\n" for c in captions),
    }
    for name, content in files.items():
        assert read_all(SourceReader(write(tmp_path / name, content)))["text"].to_list() == captions
    pq.write_table(pa.table({"TEXT": captions}), tmp_path / "c.parquet")
    assert read_all(SourceReader(tmp_path / "c.parquet"))["text"].to_list() == captions


def test_read_docs_in_streamed_formats(tmp_path):
    path = write(tmp_path / "c.txt", "".join(f"caption {i}\n" for i in range(1_000)))
    reader = SourceReader(path, batch_rows=100)
    assert reader.read_docs([999, 3, 3])["text"].to_list() == ["caption 3", "caption 999"]
    assert reader.read_docs([]).height == 0
    assert reader.n_docs == 0  # read_docs does not touch the counters of batches()
    llava = write(tmp_path / "l.jsonl", "".join(
        json.dumps({"id": i, "conversations": [{"from": "human", "value": f"q{i}"},
                                               {"from": "gpt", "value": f"a{i}"}]}) + "\n" for i in range(50)))
    assert SourceReader(llava).read_docs([10]).rows() == [(10, "10", "human", "q10"), (10, "10", "gpt", "a10")]


def test_batches_are_about_batch_rows_with_continuous_docs(tmp_path):
    path = write(tmp_path / "c.tsv", "".join(f"caption {i}\thttp://x\n" for i in range(1_050)))
    frames = list(SourceReader(path, batch_rows=100).batches())
    assert [f.height for f in frames] == [100] * 10 + [50]
    assert pl.concat(frames)["doc"].to_list() == list(range(1_050))


# --- construction errors -----------------------------------------------------------------------------------

def test_missing_file_and_folder_and_unknown_format(tmp_path):
    with pytest.raises(FreqscopeError, match=r"no such file: .*nope\.parquet; check the path"):
        SourceReader(tmp_path / "nope.parquet")
    with pytest.raises(FreqscopeError, match="it is a folder"):
        SourceReader(tmp_path)
    path = write(tmp_path / "c.txt", "a dog\n")
    with pytest.raises(FreqscopeError, match=r"unknown corpus format 'xml': use one of parquet, csv"):
        SourceReader(path, format="xml")
    with pytest.raises(FreqscopeError, match="drop --text-column"):
        SourceReader(path, text_column="text")


def test_format_override_beats_detection(tmp_path):
    path = write(tmp_path / "c.txt", "a dog\thttp://x\n")
    reader = SourceReader(path, format="tsv")
    assert reader.format == "tsv"
    assert read_all(reader)["text"].to_list() == ["a dog"]


def test_llava_speaker_that_is_not_a_string_has_no_role(tmp_path):
    path = write(tmp_path / "l.jsonl", json.dumps({"id": 1, "conversations": [
        {"from": ["human"], "value": "hi"}, {"value": "there"}, {"from": " GPT ", "value": "ok"}]}) + "\n")
    assert read_all(SourceReader(path)).select("role", "text").rows() == [
        (None, "hi"), (None, "there"), ("gpt", "ok")]


def test_jsonl_line_with_two_values_is_refused(tmp_path):
    path = write(tmp_path / "r.jsonl", '{"text": "a"}\n{"text": "b"}, {"text": "c"}\n')
    with pytest.raises(FreqscopeError, match=r"r\.jsonl: line 2 is not valid JSON \(Extra data"):
        read_all(SourceReader(path))


def test_jsonl_records_and_line_numbers_across_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr("freqscope.readers.lines._READ_BYTES", 64)  # many small blocks
    lines = [json.dumps({"id": f"k{i}", "text": f"caption {i}"}) if i % 3 else "" for i in range(40)]
    lines[37] = '{"id": "bad", '
    path = write(tmp_path / "r.jsonl", "\n".join(lines) + "\n")
    with pytest.raises(FreqscopeError, match=r"r\.jsonl: line 38 is not valid JSON"):
        read_all(SourceReader(path))
    lines[37] = '{"id": "k37", "text": "caption 37"}'
    frame = read_all(SourceReader(write(tmp_path / "s.jsonl", "\n".join(lines) + "\n"), batch_rows=4))
    kept = [i for i in range(40) if i % 3 or i == 37]
    assert frame["doc"].to_list() == list(range(len(kept)))
    assert frame["doc_key"].to_list() == [f"k{i}" for i in kept]


def test_text_lines_longer_than_a_read_block(tmp_path, monkeypatch):
    monkeypatch.setattr("freqscope.readers.lines._READ_BYTES", 16)
    captions = ["a dog", "", "a very long caption about a sea lion on a rock " * 3, "é" * 20, "last, no newline"]
    reader = SourceReader(write(tmp_path / "c.txt", "\ufeff" + "\r\n".join(captions)), batch_rows=2)
    assert read_all(reader).select("doc", "text").rows() == list(enumerate(captions))
    assert reader.n_invalid_utf8 == 0


def test_names_with_glob_characters_are_taken_literally_when_they_exist(tmp_path):
    folder = tmp_path / "shards[2024]"
    folder.mkdir()
    path = folder / "part[1].parquet"
    pq.write_table(pa.table({"TEXT": ["a dog", "a cat"]}), path)
    assert expand_paths([folder]) == expand_paths([path]) == [path.resolve()]
    assert read_all(SourceReader(path))["text"].to_list() == ["a dog", "a cat"]


# --- a JSON list streams a record at a time ---------------------------------------------------------------

def _streamed(path: Path, monkeypatch, block_bytes: int) -> list:
    from freqscope.readers import records

    monkeypatch.setattr(records, "ARRAY_BLOCK_BYTES", block_bytes)
    stream = records.JsonArrayStream(path)
    return list(stream), stream.dirty


@pytest.mark.parametrize("block_bytes", [1, 7, 64, 1 << 20])
def test_a_json_list_streamed_in_small_blocks_equals_the_whole_parse(tmp_path, monkeypatch, block_bytes):
    values = [{"id": i, "text": f"ünï {i} – 🐕 «dog»", "n": 12345.678e3 * i, "nested": {"a": [1, None, True]}}
              for i in range(200)] + [1234567, "tail", [], {}]
    path = tmp_path / "list.json"
    path.write_bytes(b"\xef\xbb\xbf \n" + json.dumps(values, ensure_ascii=False, indent=1).encode() + b"\n\n")
    assert _streamed(path, monkeypatch, block_bytes) == (values, False)
    path.write_bytes(json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode())  # one line
    assert _streamed(path, monkeypatch, block_bytes) == (values, False)
    path.write_bytes(b"[ ]")
    assert _streamed(path, monkeypatch, block_bytes) == ([], False)


def test_invalid_utf8_in_a_streamed_list_is_replaced_and_flagged(tmp_path, monkeypatch):
    raw = b'[{"text": "caf\xc3\xa9"}, {"text": "bad \xff\xfe bytes"}, {"text": "ok \xe2\x82\xac"}]'
    path = tmp_path / "dirty.json"
    path.write_bytes(raw)
    expected = json.loads(raw.decode("utf-8", "replace"))
    for block_bytes in (1, 5, 1 << 20):
        assert _streamed(path, monkeypatch, block_bytes) == (expected, True)


@pytest.mark.parametrize("text, message", [
    ('[\n{"text": "a"},\n{"text": "b"}\n{"text": "c"}]', r"line 4 is not valid JSON \(expected ',' or ']'"),
    ('[\n{"text": "a"},\n{"text": "b", ', r"line 3 is not valid JSON .*the file ends there"),
    ('[{"text": "a"}] [', r"line 1 is not valid JSON \(extra data after the list, column 17\)"),
    ('[\n  {"text": tru}]', r"line 2 is not valid JSON \(Expecting value, column 12\)"),
])
def test_a_broken_streamed_list_is_one_line_naming_where(tmp_path, monkeypatch, text, message):
    path = tmp_path / "broken.json"
    path.write_text(text)
    for block_bytes in (3, 1 << 20):
        with pytest.raises(FreqscopeError, match=message):
            _streamed(path, monkeypatch, block_bytes)


def test_llava_read_in_small_blocks_and_batches_gives_the_same_rows(monkeypatch):
    from freqscope.readers import records

    path = require_shared(SHARED_CORPORA / "llava_samples" / "scienceqa_llava_format.json")
    whole = pl.concat(list(SourceReader(path).batches()))
    monkeypatch.setattr(records, "ARRAY_BLOCK_BYTES", 4096)
    monkeypatch.setattr(records, "ARRAY_BATCH_RECORDS", 97)
    reader = SourceReader(path, batch_rows=500)
    streamed = pl.concat(list(reader.batches()))
    assert streamed.equals(whole)
    assert (reader.n_docs, whole.height) == (4_241, 8_482)
