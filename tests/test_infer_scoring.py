"""Reading classes out of answers, and the candidate draws of the closed-set method (no torch needed)."""
from __future__ import annotations

import polars as pl

from freqscope.infer.scoring import AnswerParser, parse_answers
from tests.infer_helpers import toy_class_list


def test_parse_answers_rules():
    matches = pl.DataFrame(
        {"row": [0, 1, 1, 2, 2, 2, 4], "taxonomy": ["toy"] * 6 + ["other"],
         "class_index": [0, 1, 2, 2, 1, 2, 0], "term_id": [0] * 7, "n": [1, 1, 1, 1, 1, 1, 5]},
        schema={"row": pl.UInt32, "taxonomy": pl.String, "class_index": pl.Int32, "term_id": pl.Int32, "n": pl.UInt32},
    )
    parsed = parse_answers(matches, [0, 2, 0, 1, 0], "toy")
    # 0: the label alone; 1: label among several -> the label (seed paper: answer contains the label);
    # 2: label absent -> the most mentioned class; 3: nothing; 4: only another list's match -> nothing.
    assert parsed == [0, 2, 2, None, None]


def test_parse_answers_tie_takes_lowest_index():
    matches = pl.DataFrame(
        {"row": [0, 0], "taxonomy": ["toy", "toy"], "class_index": [3, 1], "term_id": [0, 0], "n": [1, 1]},
        schema={"row": pl.UInt32, "taxonomy": pl.String, "class_index": pl.Int32, "term_id": pl.Int32, "n": pl.UInt32},
    )
    assert parse_answers(matches, [0], "toy") == [1]


def test_answer_parser_uses_the_index_matcher():
    parser = AnswerParser(toy_class_list())
    answers = ["Golden retrievers.", "It is a TABBY-CAT!", "a goldfish", "a category of fish", "sea lions and goldfish"]
    assert parser.parse(answers, [0, 1, 0, 1, 3]) == [0, 1, 2, None, 3]


def test_candidate_classes_hold_the_label_and_repeat():
    from freqscope.infer.methods import candidate_classes

    first = candidate_classes(7, 100, 5, 0, "a.jpg", shuffle=True)
    assert len(first) == 5 and 7 in first and len(set(first)) == 5
    assert candidate_classes(7, 100, 5, 0, "a.jpg", shuffle=True) == first
    assert candidate_classes(7, 100, 5, 1, "a.jpg", shuffle=True) != first
    everything = candidate_classes(3, 10, None, 0, "b.jpg", shuffle=True)
    assert sorted(everything) == list(range(10)) and everything != list(range(10))
    assert candidate_classes(3, 10, None, 0, "b.jpg", shuffle=False) == list(range(10))
