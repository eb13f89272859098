"""Reading a class out of a free-text answer, with the same matcher as ``index``.

The seed paper counts an answer correct when it contains the label (``label in answer``). We keep that
rule but find classes with the matcher, so plurals, case and punctuation are handled as in the exposure
counts ("Golden retrievers." is a golden retriever) and "cat" does not fire inside "category":

- the true class is among the classes the answer mentions: the answer is parsed as the true class;
- otherwise the class mentioned most often (ties: the lowest class index) is the prediction, so the
  confusion is recorded;
- no class mentioned: no prediction (wrong).
"""
from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from freqscope.matcher import Matcher
from freqscope.terms.taxonomy import ClassList


def parse_answers(matches: pl.DataFrame, labels: Sequence[int], taxonomy: str) -> list[int | None]:
    """The parsed class of each answer, from the matcher's frame (row, taxonomy, class_index, term_id, n)."""
    mentions: dict[int, dict[int, int]] = {}
    for row, class_index, n in (
        matches.filter(pl.col("taxonomy") == taxonomy)
        .group_by("row", "class_index").agg(pl.col("n").sum())
        .select("row", "class_index", "n").iter_rows()
    ):
        mentions.setdefault(row, {})[class_index] = n
    parsed: list[int | None] = []
    for row, label in enumerate(labels):
        found = mentions.get(row)
        if not found:
            parsed.append(None)
        elif label in found:
            parsed.append(label)
        else:
            parsed.append(min(found, key=lambda c: (-found[c], c)))
    return parsed


class AnswerParser:
    """The matcher over one class list, built once per run."""

    def __init__(self, class_list: ClassList) -> None:
        self.taxonomy = class_list.name
        self.matcher = Matcher([class_list])

    def parse(self, answers: Sequence[str], labels: Sequence[int]) -> list[int | None]:
        return parse_answers(self.matcher.match(list(answers)), labels, self.taxonomy)
