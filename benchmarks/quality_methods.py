"""The methods the count-quality benchmark compares: freqscope (through its public API) and the peers' rules.

Every method answers the same question for a sequence of captions and one class list: the set of
(doc, class_index) it counts, a document being the caption's position in the sequence.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Sequence

import polars as pl

import freqscope
from quality_peers import PEERS, Pairs

# One row per (document, list, class) that the index counts (its default tiers), with the terms that matched,
# from the `matches` view (documented in docs/schema.md) joined to the list's terms.
FREQSCOPE_PAIRS_SQL = """
SELECT m.doc, m.taxonomy, m.class_index, string_agg(DISTINCT t.term, '|' ORDER BY t.term) AS matched
FROM matches m JOIN terms t USING (taxonomy, term_id)
GROUP BY m.doc, m.taxonomy, m.class_index
"""


def freqscope_pairs(captions: Sequence[str], lists: Sequence[str]) -> dict[str, dict[tuple[int, int], str]]:
    """What freqscope counts: per list, {(doc, class_index): matched terms joined by "|"}.

    The captions are written to a parquet file (one row each, so doc is the caption's position), indexed with
    ``freqscope.index`` under its default rules into a temporary database, and read back from the ``matches``
    view: the matches that count for ``exposure.docs`` (name and specific terms, context terms with a context
    word; not blocked terms, block phrases or generic parent names — docs/schema.md). This is the one place that
    decides what "freqscope counts" means for the benchmark.
    """
    with tempfile.TemporaryDirectory(prefix="freqscope-quality-") as work:
        corpus = Path(work) / "captions.parquet"
        pl.DataFrame({"text": list(captions)}, schema={"text": pl.String}).write_parquet(corpus)
        db = Path(work) / "quality.duckdb"
        freqscope.index([corpus], db=db, corpus="quality", classes=list(lists), text_column="text", quiet=True)
        with freqscope.connect(db) as connection:
            rows = connection.sql(FREQSCOPE_PAIRS_SQL)
    found: dict[str, dict[tuple[int, int], str]] = {name: {} for name in lists}
    for doc, taxonomy, class_index, matched in rows.iter_rows():
        found[taxonomy][(doc, class_index)] = matched
    return found


def class_names(list_name: str) -> list[str]:
    """The class names of a built-in list, by class index."""
    return [entry.name for entry in freqscope.load_class_list(list_name).classes]


def peer_pairs(captions: Sequence[str], lists: Sequence[str]) -> dict[str, dict[str, Pairs]]:
    """{peer: {list: pairs}} for every peer."""
    return {method: {name: rule(captions, class_names(name)) for name in lists} for method, rule in PEERS.items()}


def method_pairs(captions: Sequence[str], lists: Sequence[str]) -> dict[str, dict[str, Pairs]]:
    """{method: {list: pairs}} for freqscope and every peer."""
    counted = freqscope_pairs(captions, lists)
    return {"freqscope": {name: set(counted[name]) for name in lists}, **peer_pairs(captions, lists)}


METHODS: tuple[str, ...] = ("freqscope", *PEERS)
