"""A plain, obviously-correct implementation of the matching rules, to check the vectorised matcher against.

Word by word over the terms and block phrases of all lists together: at each position take the longest term or
block phrase that starts there (leftmost-longest), then continue after it; overlapping mode records every term
at every position. A block phrase stands for no class. ``reference_counted`` then applies the tiers: what each
row counts for each class under each counting variant (matcher.TIER_VARIANTS), a context term only in a text
holding one of its class's context words (anywhere, as whole words). The head rule: under the default rules
(whole words, leftmost-longest), a match of a counted term of a list right before one of that list's head words
counts for nothing and takes the head word with it.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from freqscope.matcher import CONTEXT_MET, DEFAULT, MatchRules
from freqscope.terms.taxonomy import ACCEPTED_TIERS, ClassList
from freqscope.text import normalize_words

VARIANTS_OF_TIER = {"name": (DEFAULT,), "specific": (DEFAULT,), "context": (), "blocked": (), "generic": ()}


def _terms_by_words(class_lists: list[ClassList], rules: MatchRules) -> dict[tuple[str, ...], list[tuple]]:
    block = {rules.words_of(b.phrase) for class_list in class_lists for b in class_list.block} - {()}
    by_words: dict[tuple[str, ...], list[tuple[str, int, int]]] = defaultdict(list)
    for class_list in class_lists:
        for term_id, term in enumerate(class_list.terms):
            words = rules.words_searched(term)  # which terms the rules keep is the rules' own definition
            owners = {(t, c) for t, c, _ in by_words[words]}
            if words and words not in block and (class_list.name, term.class_index) not in owners:
                by_words[words].append((class_list.name, term.class_index, term_id))
    found = {w: v for w, v in by_words.items() if v}
    found.update({words: [] for words in block})
    return found


def _head_lists(class_lists: list[ClassList], rules: MatchRules,
                 by_words: dict[tuple[str, ...], list[tuple]]) -> tuple[dict[str, set[str]], dict[tuple, set[str]]]:
    """Per head word, the lists it heads; per term's words, the lists of which it is a counted term."""
    heads: dict[str, set[str]] = defaultdict(set)
    for class_list in class_lists:
        for head in class_list.heads:
            words = rules.words_of(head.head)
            if len(words) == 1:
                heads[words[0]].add(class_list.name)
    lists = {class_list.name: class_list for class_list in class_lists}
    counted = {words: {taxonomy for taxonomy, _, term_id in owners
                       if lists[taxonomy].terms[term_id].tier in ACCEPTED_TIERS}
               for words, owners in by_words.items()}
    return heads, counted


def reference_match(texts: list[str | None], class_lists: list[ClassList], rules: MatchRules = MatchRules(),
                    *, generic: bool = False) -> Counter:
    """Counter keyed by (row, taxonomy, class_index, term_id): every term's matches, whatever its tier (generic
    names only with ``generic``, as Matcher.match leaves them out)."""
    counts: Counter = Counter()
    by_words = _terms_by_words(class_lists, rules)
    by_pattern = {"  ".join(w): v for w, v in by_words.items()}
    longest = max((len(w) for w in by_words), default=0)
    heads, counted_in = _head_lists(class_lists, rules, by_words)
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
            if found and not rules.overlapping and position + found[-1] < len(words) \
                    and counted_in[tuple(words[position:position + found[-1]])] & heads.get(words[position + found[-1]], set()):
                position += found[-1] + 1  # the head rule: the term and its head word count for nothing
                continue
            for length in found if rules.overlapping else found[-1:]:
                for taxonomy, class_index, term_id in by_words[tuple(words[position:position + length])]:
                    counts[(row, taxonomy, class_index, term_id)] += 1
            position += found[-1] if found and not rules.overlapping else 1
    if not generic:
        lists = {class_list.name: class_list for class_list in class_lists}
        counts = Counter({key: n for key, n in counts.items() if lists[key[1]].terms[key[3]].tier != "generic"})
    return counts


def _match_characters(counts, row, text, by_pattern, rules) -> None:
    position = 0
    while position < len(text):
        found = sorted((p for p in by_pattern if text.startswith(p, position)), key=len)
        for pattern in found if rules.overlapping else found[-1:]:
            for taxonomy, class_index, term_id in by_pattern[pattern]:
                counts[(row, taxonomy, class_index, term_id)] += 1
        position += len(found[-1]) if found and not rules.overlapping else 1


def _has_context(words: list[str], context: list[tuple[str, ...]]) -> bool:
    return any(tuple(words[i:i + len(c)]) == c for c in context for i in range(len(words) - len(c) + 1))


def reference_counted(texts: list[str | None], class_lists: list[ClassList],
                      rules: MatchRules = MatchRules()) -> Counter:
    """Counter keyed by (row, taxonomy, class_index, variant): the class's matches in the row under each
    counting variant."""
    lists = {class_list.name: class_list for class_list in class_lists}
    counted: Counter = Counter()
    for (row, taxonomy, class_index, term_id), n in reference_match(texts, class_lists, rules, generic=True).items():
        tier = lists[taxonomy].terms[term_id].tier
        for variant in VARIANTS_OF_TIER[tier]:
            counted[(row, taxonomy, class_index, variant)] += n
        if tier == "context":
            words = normalize_words(texts[row] or "", case_sensitive=rules.case_sensitive)
            context = [rules.words_of(w) for w in lists[taxonomy].context_words().get(class_index, [])]
            if _has_context(words, context):
                counted[(row, taxonomy, class_index, DEFAULT)] += n
                counted[(row, taxonomy, class_index, CONTEXT_MET)] += n
    return counted


def reference_counted_matches(texts: list[str | None], class_lists: list[ClassList],
                              rules: MatchRules = MatchRules()) -> Counter:
    """``reference_match`` less the matches that do not count for their class (the `matches` view's rows)."""
    lists = {class_list.name: class_list for class_list in class_lists}
    counted = reference_counted(texts, class_lists, rules)
    kept: Counter = Counter()
    for (row, taxonomy, class_index, term_id), n in reference_match(texts, class_lists, rules).items():
        tier = lists[taxonomy].terms[term_id].tier
        if tier in ("name", "specific") or (tier == "context" and counted[(row, taxonomy, class_index, CONTEXT_MET)]):
            kept[(row, taxonomy, class_index, term_id)] = n
    return kept
