"""Find the terms of class lists in batches of text, vectorised.

Layout: text and terms are normalised the same way (``freqscope.text``) and every word is wrapped in its own
pair of spaces, so the Aho-Corasick pattern " sea  lion " can only match whole words, and two adjacent
matches never compete for a space. Polars' ``extract_many(leftmost=True)`` returns leftmost-first,
non-overlapping matches; with patterns ordered longest first that is leftmost-longest.

The lists matched together share one vocabulary: the longest match wins across lists, so "hot dog"
(Food-101, ImageNet) hides "dog" (CIFAR-10) and "sea lion" (ImageNet) hides CIFAR-100's "lion". A caption
about a hot dog is not evidence of a dog. The index therefore always matches a shard against every list
its corpus has, so counts never depend on the order in which lists were added.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import polars as pl

from freqscope.taxonomy import ClassList, Term
from freqscope.text import is_ascii_expr, normalize_words, normalized_padded_expr, padded

AMBIGUOUS_CHOICES = ("count", "skip")

MATCH_SCHEMA = {"row": pl.UInt32, "taxonomy": pl.String, "class_index": pl.Int32, "term_id": pl.Int32, "n": pl.UInt32}
ROW_TEXTS_SCHEMA = {"row": pl.UInt32, "text_id": pl.UInt32}
TEXT_PATTERNS_SCHEMA = {"text_id": pl.UInt32, "pattern_id": pl.UInt32, "n": pl.UInt32}
OCCURRENCES_SCHEMA = {"row": pl.UInt32, "pattern_id": pl.UInt32, "n": pl.UInt32}
TEXT_CLASSES_SCHEMA = {"text_id": pl.UInt32, "class_key": pl.UInt32, "n": pl.UInt32}
# A text is known by `key`, a 64-bit hash that joins and deduplicates, and confirmed by `check`, a second,
# independently seeded one: joining and deduplicating 64-bit integers is 3-8x faster than strings (measured on
# 500,000 captions), and two different texts pass as one only if both hashes collide (about 2**-128).
KEY_SEED, CHECK_SEED = 0, 1
MEMO_KEYS_SCHEMA = {"key": pl.UInt64, "known_check": pl.UInt64, "text_id": pl.UInt32}


@dataclass(frozen=True)
class MatchRules:
    """The matching rules; the defaults are the documented ones, each flag switches one off."""

    case_sensitive: bool = False  # rule 1: fold case (NFKC always applies)
    substrings: bool = False  # rule 2: also match inside words ("cat" in "category")
    plurals: bool = True  # rule 3: terms also stand for their plurals
    overlapping: bool = False  # rule 4: count every occurrence, nested and overlapping ones too
    ambiguous: str = "count"  # rule 6: "count" for each class, or "skip" terms of several classes

    def __post_init__(self) -> None:
        if self.ambiguous not in AMBIGUOUS_CHOICES:
            raise ValueError(f"ambiguous must be one of {AMBIGUOUS_CHOICES}, not {self.ambiguous!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    def words_searched(self, term: Term) -> tuple[str, ...]:
        """The normalised words ``term`` is searched as under these rules; () where the rules leave it out
        (a plural without rule 3, an ambiguous term under ``ambiguous="skip"``) or it has no words."""
        if (term.origin == "plural" and not self.plurals) or (term.ambiguous and self.ambiguous == "skip"):
            return ()
        return tuple(normalize_words(term.term, case_sensitive=self.case_sensitive))


@dataclass(frozen=True)
class Located:
    """What a batch of texts contains, per distinct text: ``row_texts`` gives each row's text, and
    ``text_patterns`` the patterns found in texts (it may hold texts of earlier batches too, which the joins
    drop). Repeated captions are resolved once, so per-class counts can be taken per distinct text."""

    row_texts: pl.DataFrame  # ROW_TEXTS_SCHEMA: every row of the batch
    text_patterns: pl.DataFrame  # TEXT_PATTERNS_SCHEMA: (text, pattern) with its occurrences n
    text_classes: pl.DataFrame  # TEXT_CLASSES_SCHEMA: (text, class_key) with the class's matches n

    def occurrences(self) -> pl.DataFrame:
        """One row per (row, pattern) found, with its count ``n`` (OCCURRENCES_SCHEMA)."""
        return self.row_texts.join(self.text_patterns, on="text_id").select(list(OCCURRENCES_SCHEMA))


class SeenTexts:
    """What texts already searched contained, so that a repeated caption is searched only once.

    Web corpora repeat captions ("Image", product titles, templated alt-text). A text is remembered by two
    independent 64-bit hashes of it, not by its characters (see ``Matcher.locate``): 20 bytes a text.
    Bounded: once ``capacity`` distinct texts are held, later texts are searched every time.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._keys = pl.DataFrame(schema=MEMO_KEYS_SCHEMA)
        self._found = pl.DataFrame(schema=TEXT_PATTERNS_SCHEMA)
        self._classes = pl.DataFrame(schema=TEXT_CLASSES_SCHEMA)
        self._next_id = 0

    def snapshot(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        with self._lock:
            return self._keys, self._found, self._classes

    def reserve_ids(self, count: int) -> int:
        with self._lock:
            first = self._next_id
            self._next_id += count
            return first

    def add(self, keys: pl.DataFrame, found: pl.DataFrame, classes: pl.DataFrame) -> None:
        """Remember texts (MEMO_KEYS_SCHEMA, keys not held yet) with their patterns and classes."""
        with self._lock:
            if self._keys.height + keys.height <= self.capacity:
                self._keys = pl.concat([self._keys, keys], rechunk=False)
                self._found = pl.concat([self._found, found], rechunk=False)
                self._classes = pl.concat([self._classes, classes], rechunk=False)


def text_keys() -> tuple[pl.Expr, pl.Expr]:
    """The `key` and `check` hashes of the column "text" (MEMO_KEYS_SCHEMA): how the memo knows a text."""
    return pl.col("text").hash(KEY_SEED).alias("key"), pl.col("text").hash(CHECK_SEED).alias("check")


def pattern_set_id(fingerprints: Iterable[tuple[str, str]], rules: MatchRules) -> str:
    """Names the patterns a ``Matcher`` builds from lists of these (name, fingerprint) under these rules: the
    same lists and rules always give the same patterns, in the same order, whatever the order of the lists."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update(json.dumps([rules.to_dict(), sorted(fingerprints)], sort_keys=True).encode())
    return digest.hexdigest()


class Matcher:
    """Built once from class lists and rules; ``match`` is then called on each batch of text."""

    def __init__(
        self, class_lists: Sequence[ClassList], rules: MatchRules = MatchRules(), *, memo_texts: int = 1_000_000
    ) -> None:
        self.rules = rules
        self._seen = SeenTexts(memo_texts)
        # words -> the (taxonomy, class_index, term_id) it stands for, per list
        term_rows: list[dict] = []
        for class_list in class_lists:
            for term_id, term in enumerate(class_list.terms):
                words = rules.words_searched(term)
                if not words:
                    continue
                term_rows.append(
                    {"words": words, "taxonomy": class_list.name, "class_index": term.class_index, "term_id": term_id}
                )
        # One class reaching the same words through two terms (e.g. after case-sensitive normalisation)
        # counts once, under its first term.
        seen: set[tuple] = set()
        unique_rows = []
        for row in term_rows:
            key = (row["words"], row["taxonomy"], row["class_index"])
            if key not in seen:
                seen.add(key)
                unique_rows.append(row)

        all_words = sorted({r["words"] for r in unique_rows}, key=lambda w: (-len(self._pattern(w)), w))
        pattern_id = {w: i for i, w in enumerate(all_words)}
        self._patterns = [self._pattern(w) for w in all_words]
        # pattern_id is the position in these lists: the same lists and rules always give the same ids
        self.pattern_words = [" ".join(w) for w in all_words]
        self.pattern_terms = pl.DataFrame(
            {
                "pattern_id": [pattern_id[r["words"]] for r in unique_rows],
                "taxonomy": [r["taxonomy"] for r in unique_rows],
                "class_index": [r["class_index"] for r in unique_rows],
                "term_id": [r["term_id"] for r in unique_rows],
            },
            schema={"pattern_id": pl.UInt32, "taxonomy": pl.String, "class_index": pl.Int32, "term_id": pl.Int32},
        )
        # Each (taxonomy, class_index) under one integer key: counting groups by it, several times faster
        # than by the name and index.
        keyed = self.pattern_terms.with_columns(
            pl.struct("taxonomy", "class_index").rank("dense").cast(pl.UInt32).alias("class_key")
        )
        self.pattern_classes = keyed.select("pattern_id", "class_key")
        self.class_keys = keyed.select("class_key", "taxonomy", "class_index").unique("class_key")
        self._pattern_lookup = pl.DataFrame(
            {"pattern": self._patterns, "pattern_id": list(range(len(self._patterns)))},
            schema={"pattern": pl.String, "pattern_id": pl.UInt32},
        )

    def _pattern(self, words: tuple[str, ...]) -> str:
        # Substring matching drops the outer spaces, so a pattern may start or end inside a word.
        return "  ".join(words) if self.rules.substrings else padded(words)

    def normalize(self, texts: pl.Series) -> pl.Series:
        """The texts in the padded word layout. ASCII texts skip NFKC and case-fold fix-ups (no-ops there)."""
        frame = pl.DataFrame({"text": texts})
        case_sensitive = self.rules.case_sensitive
        fast = pl.col("text")
        if not case_sensitive:
            fast = fast.str.to_lowercase()
        fast = " " + fast.str.replace_all(r"[^\p{L}\p{N}]+", "  ").str.strip_chars(" ") + " "
        frame = frame.with_columns(is_ascii_expr("text").alias("ascii"))
        normalized = frame.select(fast.alias("text")).to_series()
        non_ascii = frame.select(pl.arg_where(~pl.col("ascii"))).to_series()
        if len(non_ascii):
            slow = frame[non_ascii].select(normalized_padded_expr("text", case_sensitive=case_sensitive)).to_series()
            normalized = normalized.scatter(non_ascii, slow)
        return normalized

    def locate(self, texts: pl.Series | Sequence[str | None]) -> Located:
        """Which texts of ``texts`` contain which patterns; each distinct text is searched once."""
        if not isinstance(texts, pl.Series):
            texts = pl.Series("text", list(texts), dtype=pl.String)
        if not self._patterns or len(texts) == 0:
            return Located(pl.DataFrame(schema=ROW_TEXTS_SCHEMA), pl.DataFrame(schema=TEXT_PATTERNS_SCHEMA),
                           pl.DataFrame(schema=TEXT_CLASSES_SCHEMA))
        texts = texts.cast(pl.String).fill_null("")
        rows = texts.to_frame("text").with_row_index("row").select("row", *text_keys())
        known_keys, known_found, known_classes = self._seen.snapshot()
        located = rows.join(known_keys, on="key", how="left")
        hit = pl.col("text_id").is_not_null() & (pl.col("check") == pl.col("known_check"))
        # Texts not seen before (or whose key another, remembered text has): each distinct one is searched once.
        unseen = located.filter(~hit).select("row", "key", "check", pl.col("text_id").is_not_null().alias("known"))
        firsts = unseen.unique("key", keep="first", maintain_order=True)
        # A row whose check differs from its key's first row is another text with the same key: it is
        # searched on its own and not remembered (so far never seen; tested with a weakened key).
        unseen = unseen.join(firsts.select("key", pl.col("check").alias("first_check")), on="key")
        clashing = unseen.filter(pl.col("check") != pl.col("first_check")).select("row", "key", "check", "known")
        searched = pl.concat([firsts, clashing])
        first_id = self._seen.reserve_ids(searched.height)
        searched = searched.with_row_index("text_id", offset=first_id)
        new_found = (
            self._find(self.normalize(texts.gather(searched["row"])))
            .group_by(["text_id", "pattern_id"])
            .agg(pl.len().cast(pl.UInt32).alias("n"))
            .with_columns(pl.col("text_id") + first_id)
            .cast(TEXT_PATTERNS_SCHEMA)
        )
        new_classes = (
            new_found.join(self.pattern_classes, on="pattern_id")
            .group_by("text_id", "class_key")
            .agg(pl.col("n").sum())
            .cast(TEXT_CLASSES_SCHEMA)
        )
        remembered = searched.head(firsts.height).filter(~pl.col("known"))
        remembered_ids = pl.col("text_id").is_in(remembered["text_id"].implode())
        self._seen.add(
            remembered.select("key", pl.col("check").alias("known_check"), "text_id").cast(MEMO_KEYS_SCHEMA),
            new_found.filter(remembered_ids), new_classes.filter(remembered_ids),
        )
        row_texts = pl.concat([
            located.filter(hit).select("row", "text_id"),
            unseen.filter(pl.col("check") == pl.col("first_check")).select("row", "key")
            .join(searched.head(firsts.height).select("key", "text_id"), on="key").select("row", "text_id"),
            searched.tail(clashing.height).select("row", "text_id"),
        ])
        return Located(row_texts, pl.concat([known_found, new_found], rechunk=False),
                       pl.concat([known_classes, new_classes], rechunk=False))

    def match(self, texts: pl.Series | Sequence[str | None]) -> pl.DataFrame:
        """Matches in ``texts``: one row per (text row, taxonomy, class, term) with its count ``n``."""
        return self.locate(texts).occurrences().join(self.pattern_terms, on="pattern_id").select(list(MATCH_SCHEMA))

    def _find(self, normalized: pl.Series) -> pl.DataFrame:
        """One row per occurrence: (text_id, pattern_id)."""
        if normalized.is_empty():  # extract_many would still build its automaton (~10 ms)
            return pl.DataFrame(schema={"text_id": pl.UInt32, "pattern_id": pl.UInt32})
        return (
            pl.DataFrame({"text": normalized})
            .with_row_index("text_id")
            .select(
                "text_id",
                pl.col("text")
                .str.extract_many(
                    self._patterns, leftmost=not self.rules.overlapping, overlapping=self.rules.overlapping
                )
                .alias("pattern"),
            )
            .filter(pl.col("pattern").list.len() > 0)
            .explode("pattern")
            .join(self._pattern_lookup, on="pattern")
            .drop("pattern")
        )
