"""``freqscope audit``: read the documents behind a class's count, label them, and weight counts by precision.

1. ``sample_documents``: a reproducible random sample of the documents that matched a class (the same
   database, class, corpus, n and seed give the same documents: the order is a seeded hash, not RANDOM()).
2. ``read_sample``: their texts, read back from the source files, with the matched words located by the
   same leftmost-longest rule the index used, over every class list the source was matched with (so the
   "dog" inside "hot dog" is not highlighted as a dog).
3. ``export_labels`` writes a sheet to label; ``import_labels`` stores the judgements in ``audit_labels``,
   which the ``class_precision`` and ``exposure_weighted`` views turn into ``precision_weighted``.
"""
from __future__ import annotations

import difflib
import json
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from freqscope.errors import FreqscopeError
from freqscope.matcher import MatchRules
from freqscope.readers import SourceReader, is_uri
from freqscope.store import read_class_list, transaction
from freqscope.terms.taxonomy import ACCEPTED_TIERS, ClassList
from freqscope.text import normalize_words

# The columns of the labelling sheet; `relevant` is left empty for the labeller (yes / no).
SHEET_COLUMNS = (
    "corpus", "taxonomy", "class", "class_index", "source_id", "doc", "doc_key", "role", "text", "term", "origin",
    "relevant",
)
REQUIRED_IMPORT_COLUMNS = ("corpus", "taxonomy", "class_index", "source_id", "doc", "relevant")
RELEVANT_YES = {"yes", "y", "true", "1", "relevant"}
RELEVANT_NO = {"no", "n", "false", "0", "irrelevant"}

FIND_CLASS_BY_INDEX_SQL = "SELECT taxonomy, class_index, class FROM classes WHERE taxonomy = ? AND class_index = ?"
FIND_CLASS_BY_NAME_SQL = """
SELECT taxonomy, class_index, class FROM classes
WHERE lower(class) = lower($name) AND ($taxonomy IS NULL OR taxonomy = $taxonomy)
ORDER BY taxonomy, class_index
"""
# Where no class has the name: the classes one of whose terms (or whose name's words) it is, "crane" ->
# "crane (bird)" and "construction crane".
FIND_CLASS_BY_TERM_SQL = """
SELECT DISTINCT c.taxonomy, c.class_index, c.class FROM terms t JOIN classes c USING (taxonomy, class_index)
WHERE (lower(t.term) = lower($name) OR list_contains(string_split(lower(c.class), ' '), lower($name)))
  AND ($taxonomy IS NULL OR c.taxonomy = $taxonomy)
ORDER BY c.taxonomy, c.class_index
"""
CLASS_NAMES_SQL = "SELECT DISTINCT class FROM classes WHERE $taxonomy IS NULL OR taxonomy = $taxonomy"
CLASSES_LISTED = 10
ID_MAX = 2**31 - 1  # class_index, source_id: INTEGER columns
DOC_MAX = 2**63 - 1  # doc: BIGINT  # candidates named in a message; the rest counted
SAMPLE_DOCS_SQL = """
SELECT s.corpus, m.source_id, s.path, m.doc, any_value(m.doc_key) AS doc_key
FROM matches m JOIN sources s USING (source_id)
WHERE s.status = 'done' AND m.taxonomy = $taxonomy AND m.class_index = $class_index
  AND ($corpus IS NULL OR s.corpus = $corpus)
GROUP BY s.corpus, m.source_id, s.path, m.doc
ORDER BY hash(m.source_id, m.doc, $seed), m.source_id, m.doc
LIMIT $n
"""
COUNT_MATCHED_SQL = """
SELECT count(*) FROM (
    SELECT DISTINCT m.source_id, m.doc FROM matches m JOIN sources s USING (source_id)
    WHERE s.status = 'done' AND m.taxonomy = $taxonomy AND m.class_index = $class_index
      AND ($corpus IS NULL OR s.corpus = $corpus)
)
"""
SAMPLE_TERMS_SQL = """
SELECT m.source_id, m.doc, m.role, t.term, t.origin, m.n
FROM matches m
JOIN sampled USING (source_id, doc)
JOIN terms t ON t.taxonomy = m.taxonomy AND t.term_id = m.term_id
WHERE m.taxonomy = $taxonomy AND m.class_index = $class_index
ORDER BY m.source_id, m.doc, m.role, t.term_id
"""
SOURCE_READING_SQL = """
SELECT c.format, c.kind, c.text_column, c.rules,
       list(st.taxonomy ORDER BY st.taxonomy) AS taxonomies
FROM sources s JOIN corpora c USING (corpus) JOIN source_taxonomies st USING (source_id)
WHERE s.source_id = ?
GROUP BY ALL
"""
CHECK_LABEL_TARGETS_SQL = """
SELECT l.row_number FROM labels l
WHERE NOT EXISTS (
    SELECT 1 FROM matches m JOIN sources s USING (source_id)
    WHERE s.corpus = l.corpus AND m.taxonomy = l.taxonomy AND m.class_index = l.class_index
      AND m.source_id = l.source_id AND m.doc = l.doc
)
ORDER BY l.row_number LIMIT 1
"""
STORE_LABELS_SQL = """
INSERT OR REPLACE INTO audit_labels (corpus, taxonomy, class_index, source_id, doc, relevant)
SELECT corpus, taxonomy, class_index, source_id, doc, relevant FROM labels
"""
JUDGED_CLASSES_SQL = """
SELECT p.corpus, p.taxonomy, p.class_index, c.class, p.n_judged, p.precision
FROM class_precision p JOIN classes c USING (taxonomy, class_index)
JOIN (SELECT DISTINCT corpus, taxonomy, class_index FROM labels) USING (corpus, taxonomy, class_index)
ORDER BY p.corpus, p.taxonomy, p.class_index
"""

_CHUNK = re.compile(r"\S+")
# Word characters of the matcher (letters, numbers) plus combining marks, which NFKC may fold into them.
_TOKEN_CATEGORIES = ("L", "N", "M")


@dataclass(frozen=True)
class AuditClass:
    taxonomy: str
    class_index: int
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.taxonomy}:{self.class_index})"


@dataclass
class AuditDocument:
    corpus: str
    source_id: int
    path: str
    doc: int
    doc_key: str | None
    role: str | None  # the roles whose text matched (instruction data), e.g. "human+gpt"
    text: str
    terms: list[tuple[str, str]]  # (term, origin) that matched, from the index
    spans: list[tuple[int, int]] = field(default_factory=list)  # [start, end) of the matched words in text


@dataclass
class AuditSample:
    audit_class: AuditClass
    corpus: str | None
    n: int
    seed: int
    n_matched: int  # documents that matched the class (in the corpus, if one was named)
    documents: list[AuditDocument]


@dataclass
class ImportSummary:
    path: str
    stored: int
    unlabelled: int
    judged: pl.DataFrame  # corpus, taxonomy, class_index, class, n_judged, precision of the classes touched


def first_row(connection: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> tuple | None:
    """The first row or None. Fetches the whole result: DuckDB 2 refuses other work on a connection whose
    last ``execute`` result was only partly fetched (``fetchone``)."""
    rows = connection.execute(sql, params).fetchall() if params is not None else connection.execute(sql).fetchall()
    return rows[0] if rows else None


def resolve_class(connection: duckdb.DuckDBPyConnection, spec: str, taxonomy: str | None = None) -> AuditClass:
    """``taxonomy:index`` or a class name (case-insensitive); ``taxonomy`` settles a name shared by lists."""
    list_name, sep, index_text = spec.rpartition(":")
    if sep and index_text.strip().isdigit() and list_name:
        row = first_row(connection, FIND_CLASS_BY_INDEX_SQL, [list_name, int(index_text)])
        if row is None:
            raise FreqscopeError(f"no class {spec!r}: {list_name} has no class {index_text} or is not in the database")
        return AuditClass(*row)
    rows = connection.execute(FIND_CLASS_BY_NAME_SQL, {"name": spec, "taxonomy": taxonomy}).fetchall()
    where = f" in {taxonomy}" if taxonomy else ""
    if not rows:
        raise FreqscopeError(f"no class named {spec!r}{where}; {_candidates(connection, spec, taxonomy)}")
    if len(rows) > 1:
        choices = ", ".join(f"{t}:{i}" for t, i, _ in rows[:10])
        hint = "give TAXONOMY:INDEX" if taxonomy or len({t for t, _, _ in rows}) == 1 else "pass --taxonomy, or give TAXONOMY:INDEX"
        raise FreqscopeError(f"class name {spec!r} is ambiguous ({choices}): {hint}")
    return AuditClass(*rows[0])


def _candidates(connection: duckdb.DuckDBPyConnection, spec: str, taxonomy: str | None) -> str:
    """What the user could have meant by a name that is no class's: the classes with that term, else the
    closest names."""
    params = {"name": spec, "taxonomy": taxonomy}
    rows = connection.execute(FIND_CLASS_BY_TERM_SQL, params).fetchall()
    if rows:
        shown = ", ".join(f"{t}:{i} {name!r}" for t, i, name in rows[:CLASSES_LISTED])
        more = f" and {len(rows) - CLASSES_LISTED} more" if len(rows) > CLASSES_LISTED else ""
        example = f"{rows[0][0]}:{rows[0][1]}"
        return (f"classes with the term {spec!r}: {shown}{more}; pick one by its full name in quotes or as "
                f"TAXONOMY:INDEX (freqscope audit {example})")
    names = [name for (name,) in connection.execute(CLASS_NAMES_SQL, {"taxonomy": taxonomy}).fetchall()]
    close = difflib.get_close_matches(spec.lower(), {name.lower(): name for name in names}, n=5)
    if close:
        return f"did you mean {', '.join(repr(name) for name in close)}? Or give TAXONOMY:INDEX"
    return "give its exact name (`freqscope classes LIST` lists them), or TAXONOMY:INDEX"


def sample_documents(
    connection: duckdb.DuckDBPyConnection,
    audit_class: AuditClass,
    *,
    corpus: str | None = None,
    n: int = 20,
    seed: int = 0,
) -> pl.DataFrame:
    """(corpus, source_id, path, doc, doc_key) of up to ``n`` matched documents, the same for the same seed."""
    if n < 1:
        raise FreqscopeError(f"--n {n}: sample at least one document")
    params = {"taxonomy": audit_class.taxonomy, "class_index": audit_class.class_index, "corpus": corpus}
    return connection.sql(SAMPLE_DOCS_SQL, params=params | {"seed": seed, "n": n}).pl()


def count_matched(connection: duckdb.DuckDBPyConnection, audit_class: AuditClass, corpus: str | None) -> int:
    params = {"taxonomy": audit_class.taxonomy, "class_index": audit_class.class_index, "corpus": corpus}
    return first_row(connection, COUNT_MATCHED_SQL, params)[0]


def audit(
    connection: duckdb.DuckDBPyConnection,
    class_spec: str,
    *,
    taxonomy: str | None = None,
    corpus: str | None = None,
    n: int = 20,
    seed: int = 0,
) -> AuditSample:
    """A reproducible sample of the documents that matched a class, with their texts and matched words."""
    audit_class = resolve_class(connection, class_spec, taxonomy)
    if corpus is not None and first_row(connection, "SELECT 1 FROM corpora WHERE corpus = ?", [corpus]) is None:
        names = ", ".join(r[0] for r in connection.execute("SELECT corpus FROM corpora ORDER BY corpus").fetchall())
        raise FreqscopeError(f"no corpus {corpus!r} in the database; its corpora: {names}")
    sampled = sample_documents(connection, audit_class, corpus=corpus, n=n, seed=seed)
    documents = read_sample(connection, audit_class, sampled)
    return AuditSample(audit_class, corpus, n, seed, count_matched(connection, audit_class, corpus), documents)


def read_sample(connection: duckdb.DuckDBPyConnection, audit_class: AuditClass, sampled: pl.DataFrame) -> list[AuditDocument]:
    """The sampled documents with their texts (read from the source files) and the spans of the class's matches."""
    if sampled.is_empty():
        return []
    connection.register("sampled", sampled.select("source_id", "doc"))
    try:
        terms = connection.sql(
            SAMPLE_TERMS_SQL, params={"taxonomy": audit_class.taxonomy, "class_index": audit_class.class_index}
        ).pl()
    finally:
        connection.unregister("sampled")
    matched: dict[tuple[int, int], dict] = defaultdict(lambda: {"roles": [], "terms": []})
    for source_id, doc, role, term, origin, _ in terms.iter_rows():
        entry = matched[(source_id, doc)]
        if role not in entry["roles"]:
            entry["roles"].append(role)
        if (term, origin) not in entry["terms"]:
            entry["terms"].append((term, origin))

    texts: dict[tuple[int, int], str] = {}
    locators: dict[int, MatchLocator] = {}
    for source_id, rows in sampled.group_by("source_id", maintain_order=True):
        source_id = source_id[0]
        path = rows["path"][0]
        locators[source_id], reader_options = _source_setup(connection, source_id)
        texts.update(_read_texts(path, reader_options, rows["doc"].to_list(), matched, source_id))

    documents = []
    for corpus, source_id, path, doc, doc_key in sampled.iter_rows():
        entry = matched[(source_id, doc)]
        text = texts.get((source_id, doc), "")
        spans = locators[source_id].spans(text, audit_class.taxonomy, audit_class.class_index)
        roles = [r for r in entry["roles"] if r is not None]
        documents.append(AuditDocument(
            corpus, source_id, path, doc, doc_key, "+".join(roles) or None, text, entry["terms"], spans,
        ))
    return documents


def _source_setup(connection: duckdb.DuckDBPyConnection, source_id: int) -> tuple["MatchLocator", dict]:
    format, kind, text_column, rules, taxonomies = first_row(connection, SOURCE_READING_SQL, [source_id])
    # A corpus of several formats records them joined by '+': let the reader detect each file's. Instruction
    # data is read turn by turn, and its reader takes no text column (the one recorded names the field read).
    reader_options = {
        "format": None if "+" in format else format,
        "text_column": None if kind == "instructions" else text_column,
    }
    class_lists = [read_class_list(connection, taxonomy) for taxonomy in taxonomies]
    return MatchLocator(class_lists, MatchRules(**json.loads(rules))), reader_options


def _read_texts(path: str, reader_options: dict, docs: list[int], matched: dict, source_id: int) -> dict[tuple[int, int], str]:
    """Each document's text; for instruction data, the turns of the roles that matched, one per line."""
    if not is_uri(path) and not os.path.exists(path):  # a URI's reader says itself when its object is gone
        raise FreqscopeError(f"cannot show the documents: source file {path} is gone; restore it or re-index the corpus")
    rows = SourceReader(path, **reader_options).read_docs(docs)
    texts: dict[tuple[int, int], list[str]] = defaultdict(list)
    for doc, role, text in rows.select("doc", "role", "text").iter_rows():
        roles = matched[(source_id, doc)]["roles"]
        if role is None:
            texts[(source_id, doc)].append(text or "")
        elif role in roles:
            texts[(source_id, doc)].append(f"{role}: {text or ''}")
    return {key: "\n".join(parts) for key, parts in texts.items()}


class MatchLocator:
    """Where the terms of class lists occur in one text, by the matcher's rules (leftmost-longest over all lists).

    Works on the same normalised words as the matcher, in its padded layout (" hot  dog "), so the result
    agrees with the index; each word keeps the [start, end) of the token of the original text it came from.
    """

    def __init__(self, class_lists: Sequence[ClassList], rules: MatchRules) -> None:
        self.rules = rules
        owners: dict[str, list[tuple[str, int]]] = defaultdict(list)
        # the head rule (default rules only): a pattern counted by a list, right before one of its head words
        self._headed_lists: dict[str, set[str]] = defaultdict(set)
        self._head_lists: dict[str, set[str]] = defaultdict(set)
        for class_list in class_lists:
            for head in class_list.heads:
                if len(head_words := rules.words_of(head.head)) == 1:
                    self._head_lists[head_words[0]].add(class_list.name)
            for term in class_list.terms:
                words = rules.words_searched(term)
                if not words:
                    continue
                owned = owners[self._pattern(words)]  # a generic parent name takes part in longest-match,
                if term.tier != "generic" and (class_list.name, term.class_index) not in owned:  # but is no name
                    owned.append((class_list.name, term.class_index))
                if term.tier in ACCEPTED_TIERS and class_list.heads:
                    self._headed_lists[self._pattern(words)].add(class_list.name)
        # block phrases win by the longest-match rule like terms, and stand for no class
        for class_list in class_lists:
            for block in class_list.block:
                if words := rules.words_of(block.phrase):
                    owners[self._pattern(words)] = []
                    self._headed_lists.pop(self._pattern(words), None)  # a term with a block phrase's words is not one
        self._owners = dict(owners)
        # a padded pattern always starts with a space: key candidates on their first word character
        self._key_offset = 0 if rules.substrings else 1
        # candidates by that character, longest first: leftmost-longest is the first that fits
        self._by_first: dict[str, list[str]] = defaultdict(list)
        for pattern in sorted(self._owners, key=len, reverse=True):
            self._by_first[pattern[self._key_offset]].append(pattern)

    def _pattern(self, words: Sequence[str]) -> str:
        return "  ".join(words) if self.rules.substrings else " " + "  ".join(words) + " "

    def spans(self, text: str, taxonomy: str, class_index: int) -> list[tuple[int, int]]:
        """[start, end) in ``text`` of each occurrence counted for the class (merged per original token)."""
        words = self._words_with_spans(text)
        if words is None:
            return []
        padded = " " + "  ".join(w for w, _, _ in words) + " "
        word_at = [-1] * len(padded)  # character of padded -> word index (-1: a space)
        word_end = []  # by word index: where the word's trailing space ends in padded
        position = 1
        for index, (word, _, _) in enumerate(words):
            word_at[position:position + len(word)] = [index] * len(word)
            position += len(word) + 2
            word_end.append(position - 1)
        head_rule = not (self.rules.substrings or self.rules.overlapping)
        found: list[tuple[int, int]] = []
        position = 0
        while position < len(padded):
            key_at = position + self._key_offset
            candidates = self._by_first.get(padded[key_at], ()) if key_at < len(padded) else ()
            fitting = [p for p in candidates if padded.startswith(p, position)]
            if not fitting:
                position += 1
                continue
            if head_rule and (headed := self._headed_lists.get(fitting[0])):
                last = word_at[position + len(fitting[0]) - 2]
                if last + 1 < len(words) and headed & self._head_lists.get(words[last + 1][0], set()):
                    position = word_end[last + 1]  # the term and its head word count for nothing
                    continue
            for pattern in fitting if self.rules.overlapping else fitting[:1]:
                if (taxonomy, class_index) in self._owners[pattern]:
                    covered = [word_at[i] for i in range(position, position + len(pattern)) if word_at[i] >= 0]
                    found.append((words[covered[0]][1], words[covered[-1]][2]))
            position += 1 if self.rules.overlapping else len(fitting[0])
        return sorted(set(found))

    def _words_with_spans(self, text: str) -> list[tuple[str, int, int]] | None:
        """The text's normalised words, each with the [start, end) in ``text`` it came from.

        Words come from runs of letters, numbers and marks; where NFKC makes words out of other characters
        ("№" is "No") the whole whitespace-separated chunk is the span. None (no highlight) in the rare case
        that normalising chunk by chunk does not give the words of the whole text.
        """
        case_sensitive = self.rules.case_sensitive
        words: list[tuple[str, int, int]] = []
        for chunk in _CHUNK.finditer(text):
            chunk_words = normalize_words(chunk.group(), case_sensitive=case_sensitive)
            pieces = [
                (word, chunk.start() + start, chunk.start() + end)
                for start, end in _token_spans(chunk.group())
                for word in normalize_words(chunk.group()[start:end], case_sensitive=case_sensitive)
            ]
            if [w for w, _, _ in pieces] == chunk_words:
                words.extend(pieces)
            else:
                words.extend((word, chunk.start(), chunk.end()) for word in chunk_words)
        if [w for w, _, _ in words] != normalize_words(text, case_sensitive=case_sensitive):
            return None
        return words


def _token_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each run of letters, numbers and combining marks."""
    spans: list[tuple[int, int]] = []
    start = None
    for position, char in enumerate(text):
        inside = unicodedata.category(char)[0] in _TOKEN_CATEGORIES
        if inside and start is None:
            start = position
        elif not inside and start is not None:
            spans.append((start, position))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


def export_labels(sample: AuditSample, path: str | os.PathLike) -> int:
    """Write the labelling sheet (``relevant`` empty); returns the rows written."""
    cls = sample.audit_class
    sheet = pl.DataFrame(
        {
            "corpus": [d.corpus for d in sample.documents],
            "taxonomy": [cls.taxonomy] * len(sample.documents),
            "class": [cls.name] * len(sample.documents),
            "class_index": [cls.class_index] * len(sample.documents),
            "source_id": [d.source_id for d in sample.documents],
            "doc": [d.doc for d in sample.documents],
            "doc_key": [d.doc_key for d in sample.documents],
            "role": [d.role for d in sample.documents],
            "text": [d.text for d in sample.documents],
            "term": ["; ".join(t for t, _ in d.terms) for d in sample.documents],
            "origin": ["; ".join(o for _, o in d.terms) for d in sample.documents],
            "relevant": [None] * len(sample.documents),
        },
        schema={name: (pl.Int64 if name in ("class_index", "source_id", "doc") else pl.String) for name in SHEET_COLUMNS},
    )
    sheet.write_csv(path)
    return sheet.height


def import_labels(connection: duckdb.DuckDBPyConnection, path: str | os.PathLike) -> ImportSummary:
    """Store the judged rows of a labelling sheet in ``audit_labels`` (rows with ``relevant`` empty are skipped).

    Rows are checked before anything is written; a bad row names the file and its row (the header is row 1,
    as in a spreadsheet). A document judged again replaces its earlier judgement.
    """
    labels = _read_sheet(Path(path))
    judged = labels.filter(pl.col("relevant").is_not_null())
    judged = _one_judgement_per_document(judged, path)
    connection.register("labels", judged)
    try:
        missing = first_row(connection, CHECK_LABEL_TARGETS_SQL)
        if missing is not None:
            raise FreqscopeError(
                f"{path}, row {missing[0]}: that document did not match that class in the database "
                f"(corpus, taxonomy, class_index, source_id, doc); was the sheet exported from another database?"
            )
        with transaction(connection):
            connection.execute(STORE_LABELS_SQL)
        summary = connection.sql(JUDGED_CLASSES_SQL).pl()
    finally:
        connection.unregister("labels")
    return ImportSummary(str(path), judged.height, labels.height - judged.height, summary)


def _one_judgement_per_document(judged: pl.DataFrame, path: str | os.PathLike) -> pl.DataFrame:
    """A document judged twice alike counts once; judged yes and no, the sheet is refused."""
    key = ["corpus", "taxonomy", "class_index", "source_id", "doc"]
    conflicts = (judged.group_by(key).agg(pl.col("relevant").n_unique().alias("verdicts"), pl.col("row_number").sort())
                 .filter(pl.col("verdicts") > 1))
    if conflicts.height:
        rows = conflicts.sort(pl.col("row_number").list.first())["row_number"][0].to_list()
        raise FreqscopeError(
            f"{path}, rows {', '.join(map(str, rows))}: the same document is judged both yes and no; keep one judgement"
        )
    return judged.unique(key, keep="first", maintain_order=True)


def _read_sheet(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise FreqscopeError(f"no labels file at {path}; export one with `freqscope audit CLASS --export {path}`")
    try:
        sheet = pl.read_csv(path, infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise FreqscopeError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]}); export a sheet with --export") from None
    missing = [c for c in REQUIRED_IMPORT_COLUMNS if c not in sheet.columns]
    if missing:
        raise FreqscopeError(f"{path}: column {missing[0]!r} is missing; keep the columns of the exported sheet")
    rows = []
    for number, row in enumerate(sheet.select(REQUIRED_IMPORT_COLUMNS).iter_rows(named=True), start=2):
        rows.append(_label_row(row, path, number))
    return pl.DataFrame(
        rows,
        schema={"row_number": pl.Int64, "corpus": pl.String, "taxonomy": pl.String, "class_index": pl.Int32,
                "source_id": pl.Int32, "doc": pl.Int64, "relevant": pl.Boolean},
        orient="row",
    )


def _label_row(row: dict, path: Path, number: int) -> tuple:
    where = f"{path}, row {number}"
    for column in ("corpus", "taxonomy"):
        if not (row[column] or "").strip():
            raise FreqscopeError(f"{where}: {column} is empty; keep the values of the exported sheet")
    numbers = []
    for column in ("class_index", "source_id", "doc"):
        value = (row[column] or "").strip()
        limit = DOC_MAX if column == "doc" else ID_MAX
        if not (value.isascii() and value.isdigit()) or int(value) > limit:  # ("²".isdigit() is True)
            raise FreqscopeError(f"{where}: {column} must be a whole number from 0 to {limit:,}, not {row[column]!r}")
        numbers.append(int(value))
    relevant_text = (row["relevant"] or "").strip().lower()
    if relevant_text in RELEVANT_YES:
        relevant: bool | None = True
    elif relevant_text in RELEVANT_NO:
        relevant = False
    elif not relevant_text:
        relevant = None
    else:
        raise FreqscopeError(
            f"{where}: relevant must be yes or no, not {row['relevant']!r}; or leave it empty to skip the row"
        )
    return (number, row["corpus"].strip(), row["taxonomy"].strip(), *numbers, relevant)
