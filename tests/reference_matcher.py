"""A plain, obviously-correct implementation of the matching rules, to check the vectorised matcher against.

Word by word over the terms of all lists together: at each position take the longest term that starts there
(leftmost-longest), then continue after it; overlapping mode records every term at every position.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from freqscope.matcher import MatchRules
from freqscope.terms.taxonomy import ClassList
from freqscope.text import normalize_words


def _terms_by_words(class_lists: list[ClassList], rules: MatchRules) -> dict[tuple[str, ...], list[tuple]]:
    by_words: dict[tuple[str, ...], list[tuple[str, int, int]]] = defaultdict(list)
    for class_list in class_lists:
        for term_id, term in enumerate(class_list.terms):
            words = rules.words_searched(term)  # which terms the rules keep is the rules' own definition
            owners = {(t, c) for t, c, _ in by_words[words]}
            if words and (class_list.name, term.class_index) not in owners:
                by_words[words].append((class_list.name, term.class_index, term_id))
    return {w: v for w, v in by_words.items() if v}


def reference_match(texts: list[str | None], class_lists: list[ClassList], rules: MatchRules = MatchRules()) -> Counter:
    """Counter keyed by (row, taxonomy, class_index, term_id)."""
    counts: Counter = Counter()
    by_words = _terms_by_words(class_lists, rules)
    by_pattern = {"  ".join(w): v for w, v in by_words.items()}
    longest = max((len(w) for w in by_words), default=0)
    for row, text in enumerate(texts):
        words = normalize_words(text or "", case_sensitive=rules.case_sensitive)
        if rules.substrings:
            _match_characters(counts, row, " " + "  ".join(words) + " ", by_pattern, rules)
            continue
        position = 0
        while position < len(words):
            found = [
                length for length in range(1, longest + 1)
                if position + length <= len(words) and tuple(words[position:position + length]) in by_words
            ]
            for length in found if rules.overlapping else found[-1:]:
                for taxonomy, class_index, term_id in by_words[tuple(words[position:position + length])]:
                    counts[(row, taxonomy, class_index, term_id)] += 1
            position += found[-1] if found and not rules.overlapping else 1
    return counts


def _match_characters(counts, row, text, by_pattern, rules) -> None:
    position = 0
    while position < len(text):
        found = sorted((p for p in by_pattern if text.startswith(p, position)), key=len)
        for pattern in found if rules.overlapping else found[-1:]:
            for taxonomy, class_index, term_id in by_pattern[pattern]:
                counts[(row, taxonomy, class_index, term_id)] += 1
        position += len(found[-1]) if found and not rules.overlapping else 1
