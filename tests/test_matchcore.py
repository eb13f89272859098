"""The matcher's compiled core (freqscope/_matchcore.c) on its own: search, the memo, tally and expand, each
against a plain Python statement of what it must return, and its refusal of malformed arguments."""
from __future__ import annotations

import random
import re
from collections import Counter

import numpy as np
import polars as pl
import pytest

from freqscope._matchcore import PhraseIndex, TextMemo, class_totals, expand, tally
from freqscope.phrases import PhraseSearch, text_views


def _search(patterns: list[str], texts: list[str | None], **options) -> list[tuple[int, str]]:
    search = PhraseSearch(patterns, case_sensitive=options.pop("case_sensitive", False))
    positions, found, skipped, *_ = search.find(text_views(pl.Series(texts, dtype=pl.String)), **options)
    assert len(skipped) == 0
    return [(int(p), patterns[f]) for p, f in zip(positions, found)]


def test_longest_match_at_the_leftmost_word_wins_and_matches_do_not_overlap():
    patterns = ["sea lion", "lion", "sea", "hot dog", "dog", "a b", "b c", "c"]
    texts = ["a sea lion and a lion", "Hot-Dog, DOG!", "a b c", "sealion lions", "", None, "x" * 100]
    assert _search(patterns, texts) == [
        (0, "sea lion"), (0, "lion"), (1, "hot dog"), (1, "dog"), (2, "a b"), (2, "c"),
    ]


def test_words_are_cut_at_every_byte_that_is_not_an_ascii_letter_or_digit_and_at_text_ends():
    patterns = ["cat", "lion123", "dog s"]
    texts = ["category bobcat catdog", "cat", "lion123 lion 123", "dog's", "_cat_", "CAT"]
    assert _search(patterns, texts) == [(1, "cat"), (2, "lion123"), (3, "dog s"), (4, "cat"), (5, "cat")]
    assert _search(patterns, ["CAT", "cat"], case_sensitive=True) == [(1, "cat")]


def test_every_pattern_at_every_word_overlapping_with_every():
    """The context words' search: each pattern wherever its words occur, prefixes and overlaps included."""
    patterns = ["bird", "bird of prey", "of prey", "prey", "sea"]
    texts = ["a bird of prey", "prey bird", "Bird-of-Prey, bird", "sea sea", "nothing", None]
    assert _search(patterns, texts, every=True) == [
        (0, "bird"), (0, "bird of prey"), (0, "of prey"), (0, "prey"), (1, "prey"), (1, "bird"),
        (2, "bird"), (2, "bird of prey"), (2, "of prey"), (2, "prey"), (2, "bird"), (3, "sea"), (3, "sea"),
    ]
    assert _search(patterns, texts) == [(0, "bird of prey"), (1, "prey"), (1, "bird"), (2, "bird of prey"),
                                        (2, "bird"), (3, "sea"), (3, "sea")]


def test_silent_patterns_win_unreported_and_asking_ones_bring_their_texts_context_words():
    """Block phrases win by the longest-match rule and are not reported; a text where a context term matched is
    searched for context words too (every one at every word), and only such a text."""
    patterns = ["baseball cap", "baseball", "kite", "cap", "kites"]
    context = ["bird", "bird of prey", "of prey"]
    search = PhraseSearch(patterns, case_sensitive=False, silent=np.array([1, 0, 0, 0, 0], bool),
                          asking=np.array([0, 0, 1, 0, 1], bool), context_words=context)
    texts = ["a Baseball cap and a kite", "a kite, a BIRD of prey", "bird, kites, bird", "just a bird, no k",
             "baseball", "a cap"]
    found = search.find(text_views(pl.Series(texts)))
    assert [(int(p), patterns[f]) for p, f in zip(found.positions, found.patterns)] == [
        (0, "kite"), (1, "kite"), (2, "kites"), (4, "baseball"), (5, "cap")]
    assert [(int(p), context[w]) for p, w in zip(found.context_positions, found.context_words)] == [
        (1, "bird"), (1, "bird of prey"), (1, "of prey"), (2, "bird"), (2, "bird")]
    assert len(found.skipped) == 0
    rows = np.array([3, 1], np.uint32)  # positions count in rows, for the context words too
    again = search.find(text_views(pl.Series(texts)), rows)
    assert again.positions.tolist() == [1] and sorted(set(again.context_positions.tolist())) == [1]
    with pytest.raises(ValueError):  # a flag a pattern
        PhraseIndex([b"a", b"b"], silent=np.zeros(3, np.uint8))
    with pytest.raises(ValueError):  # words cut alike
        PhraseIndex([b"a"], asking=np.ones(1, np.uint8), context=PhraseIndex([b"b"], True))
    with pytest.raises(TypeError):
        PhraseIndex([b"a"], context=b"b")


def _reference_search(patterns: list[str], texts: list[str], case_sensitive: bool) -> list[tuple[int, str]]:
    """Words are runs of ASCII letters and digits; from each word, the longest pattern starting there."""
    known = set(patterns)
    longest = max(len(p.split()) for p in patterns)
    found = []
    for position, text in enumerate(texts):
        words = re.findall(r"[A-Za-z0-9]+", text if case_sensitive else text.lower())
        w = 0
        while w < len(words):
            for length in range(min(longest, len(words) - w), 0, -1):
                if " ".join(words[w:w + length]) in known:
                    found.append((position, " ".join(words[w:w + length])))
                    w += length
                    break
            else:
                w += 1
    return found


@pytest.mark.parametrize("case_sensitive", [False, True])
def test_words_cut_eight_bytes_at_a_time_equal_a_byte_by_byte_cut(case_sensitive):
    """The scan classifies 8 bytes of ASCII at once: every byte value next to a word (the neighbours of
    letters and digits, control bytes, @ [ ` {), words of 1 to 20 bytes at every offset, and texts ending
    within a word, against the plain definition."""
    rng = random.Random(11)
    separators = [chr(b) for b in range(128) if not chr(b).isalnum()]
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    vocabulary = ["".join(rng.choice(letters) for _ in range(rng.choice([1, 2, 3, 7, 8, 9, 15, 16, 17, 20])))
                  for _ in range(60)]
    texts = []
    for _ in range(3_000):
        parts = [rng.choice(separators) * rng.randint(0, 10) for _ in range(rng.randint(0, 2))]
        for _ in range(rng.randint(0, 12)):
            word = rng.choice(vocabulary)
            parts.append("".join(c.swapcase() if rng.random() < 0.3 else c for c in word))
            parts.append("".join(rng.choice(separators) for _ in range(rng.choice([1, 1, 1, 2, 5, 9]))))
        texts.append("".join(parts[:-1] if rng.random() < 0.5 else parts))
    folded = {w if case_sensitive else w.lower() for w in vocabulary}
    pairs = {f"{a} {b}" for a, b in zip(sorted(folded), sorted(folded)[1:])}
    patterns = sorted(folded | pairs)
    found = _search(patterns, texts, case_sensitive=case_sensitive)
    assert found == _reference_search(patterns, texts, case_sensitive)
    assert len(found) > 3_000


def test_texts_not_in_ascii_are_skipped_unless_normalized():
    search = PhraseSearch(["café", "dog"], case_sensitive=False)
    texts = pl.Series(["a dog", "un café", "dog"])
    positions, patterns, skipped, *_ = search.find(text_views(texts))
    assert (positions.tolist(), patterns.tolist(), skipped.tolist()) == ([0, 2], [1, 1], [1])
    positions, patterns, skipped, *_ = search.find(text_views(pl.Series([" un  café "])), normalized=True)
    assert (positions.tolist(), patterns.tolist(), skipped.tolist()) == ([0], [0], [])


def test_rows_restrict_the_search_and_positions_count_in_rows():
    search = PhraseSearch(["dog"], case_sensitive=False)
    texts = pl.Series(["dog", "cat", "a dog", "dog dog"])
    positions, patterns, _, *_ = search.find(text_views(texts), np.array([3, 1, 2], np.uint32))
    assert positions.tolist() == [0, 0, 2]
    with pytest.raises(IndexError):
        search.find(text_views(texts), np.array([4], np.uint32))


def test_a_search_split_over_threads_finds_what_one_part_finds(monkeypatch):
    import freqscope.phrases as phrases

    rng = random.Random(1)
    words = ["dog", "hot", "sea", "lion", "the", "cat", "a"]
    texts = pl.Series([" ".join(rng.choice(words) for _ in range(rng.randint(0, 12))) for _ in range(5000)])
    search = PhraseSearch(["hot dog", "sea lion", "lion", "dog", "the cat"], case_sensitive=False)
    whole = search.find(text_views(texts))
    monkeypatch.setattr(phrases, "MIN_PART_TEXTS", 700)
    monkeypatch.setattr(phrases, "MAX_PARTS", 4)
    split = search.find(text_views(texts))
    assert all(np.array_equal(a, b) for a, b in zip(whole, split))
    assert len(whole[0]) > 5000


def test_the_memo_numbers_distinct_texts_across_batches_and_lists_first_rows():
    memo = TextMemo()
    numbers, new_rows = memo.assign(*text_views(pl.Series(["a dog", "two cats", "a dog", None, ""])))
    assert np.frombuffer(numbers, np.uint32).tolist() == [0, 1, 0, 2, 2]
    assert np.frombuffer(new_rows, np.uint32).tolist() == [0, 1, 3]
    numbers, new_rows = memo.assign(*text_views(pl.Series(["two cats", "x" * 40, "a dog"])))
    assert np.frombuffer(numbers, np.uint32).tolist() == [1, 3, 0]
    assert np.frombuffer(new_rows, np.uint32).tolist() == [1]
    assert len(memo) == 4
    memo.clear()
    assert len(memo) == 0
    numbers, _ = memo.assign(*text_views(pl.Series(["x" * 40])))
    assert np.frombuffer(numbers, np.uint32).tolist() == [0]


@pytest.mark.parametrize("weak_key", [False, True])
def test_the_memo_tells_texts_apart_even_when_one_hash_collides(weak_key):
    """weak_key makes the first hash the text's length: every text of a length collides on it."""
    rng = random.Random(5)
    texts = ["".join(rng.choice("ab") for _ in range(rng.randint(0, 20))) for _ in range(3000)]
    memo = TextMemo(weak_key=weak_key)
    numbers = np.frombuffer(memo.assign(*text_views(pl.Series(texts)))[0], np.uint32)
    first_number: dict[str, int] = {}
    for text, number in zip(texts, numbers.tolist()):
        assert first_number.setdefault(text, number) == number
    assert len(set(numbers.tolist())) == len(set(texts)) == len(memo)


def test_text_views_of_a_sliced_or_chunked_series_are_its_texts():
    texts = pl.concat([pl.Series(["short", "a text longer than twelve bytes"]), pl.Series([None, "é"])],
                      rechunk=False)
    for series in (texts, texts.slice(1, 3)):
        memo = TextMemo()
        numbers = np.frombuffer(memo.assign(*text_views(series))[0], np.uint32)
        assert len(numbers) == len(series) == len(memo)


def test_a_chunked_column_is_read_in_its_chunks_as_one_column():
    """A batch read from several row groups is several chunks: read in place, chunk by chunk, with the results
    of the same texts in one chunk (rows counted across chunks, a row subset spanning them)."""
    parts = [pl.Series(["a dog and a cat", None, "sea lion " * 3]), pl.Series(["hot dog", "x" * 40 + " dog"]),
             pl.Series([], dtype=pl.String), pl.Series(["the cat", "a dog and a cat", "café dog"])]
    chunked = pl.concat(parts, rechunk=False)
    views = text_views(chunked)
    assert len(views.views) > 1 and views.n_texts == len(chunked)
    one_chunk = text_views(chunked.rechunk())
    assert len(one_chunk.views) == 1
    search = PhraseSearch(["hot dog", "sea lion", "dog", "the cat", "cat"], case_sensitive=False)
    for rows in (None, np.array([0, 2, 3, 4, 6, 7], np.uint32), np.array([7, 1, 5], np.uint32)):
        for got, expected in zip(search.find(views, rows), search.find(one_chunk, rows)):
            assert got.tolist() == expected.tolist()
    numbers = [np.frombuffer(TextMemo().assign(*texts)[0], np.uint32).tolist() for texts in (views, one_chunk)]
    assert numbers[0] == numbers[1] == [0, 1, 2, 3, 4, 5, 0, 6]


def test_tally_gives_what_each_text_contains_and_expand_gives_rows():
    rng = random.Random(2)
    n_texts, n_patterns = 50, 12
    pattern_classes = {p: sorted(rng.sample(range(7), rng.randint(1, 3))) for p in range(n_patterns)}
    class_start = np.zeros(n_patterns + 1, np.int64)
    class_start[1:] = np.cumsum([len(pattern_classes[p]) for p in range(n_patterns)])
    class_keys = np.array([k for p in range(n_patterns) for k in pattern_classes[p]], np.uint32)
    matches = [(rng.randrange(n_texts), rng.randrange(n_patterns)) for _ in range(400)]
    texts = np.array([t for t, _ in matches], np.uint32)
    patterns = np.array([p for _, p in matches], np.uint32)
    starts, pattern_ids, pattern_n, class_first, keys, class_n, met = tally(
        n_texts, texts, patterns, class_start, class_keys)
    assert met == bytes(n_texts)  # no context terms
    starts, class_first = np.frombuffer(starts, np.int64), np.frombuffer(class_first, np.int64)
    pattern_ids, pattern_n = np.frombuffer(pattern_ids, np.uint32), np.frombuffer(pattern_n, np.uint32)
    keys, class_n = np.frombuffer(keys, np.uint32), np.frombuffer(class_n, np.uint32)
    per_text = Counter(matches)
    for t in range(n_texts):
        expected = sorted((p, n) for (text, p), n in per_text.items() if text == t)
        assert list(zip(pattern_ids[starts[t]:starts[t + 1]].tolist(), pattern_n[starts[t]:starts[t + 1]].tolist())) == expected
        classes = Counter()
        for p, n in expected:
            for k in pattern_classes[p]:
                classes[k] += n
        assert list(zip(keys[class_first[t]:class_first[t + 1]].tolist(),
                        class_n[class_first[t]:class_first[t + 1]].tolist())) == sorted(classes.items())
    row_text = np.array([rng.randrange(n_texts) for _ in range(300)], np.uint32)
    rows, row_patterns, row_n = (np.frombuffer(a, np.uint32) for a in expand(row_text, starts, pattern_ids, pattern_n))
    expected_rows = [(r, int(pattern_ids[e]), int(pattern_n[e]))
                     for r, t in enumerate(row_text.tolist()) for e in range(starts[t], starts[t + 1])]
    assert list(zip(rows.tolist(), row_patterns.tolist(), row_n.tolist())) == expected_rows
    docs, mentions = (np.frombuffer(a, np.int64) for a in class_totals(row_text, class_first, keys, class_n))
    expected_docs, expected_mentions = Counter(), Counter()
    for t in row_text.tolist():
        for e in range(class_first[t], class_first[t + 1]):
            expected_docs[int(keys[e])] += 1
            expected_mentions[int(keys[e])] += int(class_n[e])
    assert len(docs) == max(keys.tolist()) + 1
    assert {k: int(d) for k, d in enumerate(docs) if d} == dict(expected_docs)
    assert {k: int(m) for k, m in enumerate(mentions) if m} == dict(expected_mentions)


def test_tally_settles_context_keys_by_the_context_words_found():
    """Keys n+1..2n (context terms) count only in a text where a context word serving the key was found, and
    there also as key - n; other keys count as they are."""
    rng = random.Random(5)
    n, n_texts, n_patterns, n_words = 6, 80, 15, 5
    pattern_classes = {p: sorted(rng.sample(range(1, 2 * n + 1), rng.randint(1, 3))) for p in range(n_patterns)}
    class_start = np.zeros(n_patterns + 1, np.int64)
    class_start[1:] = np.cumsum([len(pattern_classes[p]) for p in range(n_patterns)])
    class_keys = np.array([k for p in range(n_patterns) for k in pattern_classes[p]], np.uint32)
    word_serves = {w: sorted(rng.sample(range(n + 1, 2 * n + 1), rng.randint(1, 2))) for w in range(n_words)}
    word_start = np.zeros(n_words + 1, np.int64)
    word_start[1:] = np.cumsum([len(word_serves[w]) for w in range(n_words)])
    word_keys = np.array([k for w in range(n_words) for k in word_serves[w]], np.uint32)
    matches = [(rng.randrange(n_texts), rng.randrange(n_patterns)) for _ in range(500)]
    met_pairs = [(rng.randrange(n_texts), rng.randrange(n_words)) for _ in range(60)]
    as_array = lambda values: np.array(values, np.uint32)  # noqa: E731
    _, _, _, class_first, keys, class_n, met = tally(
        n_texts, as_array([t for t, _ in matches]), as_array([p for _, p in matches]), class_start, class_keys,
        context_offset=n, met_texts=as_array([t for t, _ in met_pairs]), met_words=as_array([w for _, w in met_pairs]),
        word_start=word_start, word_keys=word_keys)
    class_first = np.frombuffer(class_first, np.int64)
    keys, class_n = np.frombuffer(keys, np.uint32), np.frombuffer(class_n, np.uint32)
    for t in range(n_texts):
        served = {k for text, w in met_pairs if text == t for k in word_serves[w]}
        expected, context_counted = Counter(), False
        for text, p in matches:
            if text != t:
                continue
            for k in pattern_classes[p]:
                if k <= n:
                    expected[k] += 1
                elif k in served:
                    expected[k] += 1
                    expected[k - n] += 1
                    context_counted = True
        assert list(zip(keys[class_first[t]:class_first[t + 1]].tolist(),
                        class_n[class_first[t]:class_first[t + 1]].tolist())) == sorted(expected.items())
        assert met[t] == context_counted
    assert any(met) and not all(met[t] for t, _ in matches)
    with pytest.raises(TypeError):  # context_offset without the context words
        tally(1, as_array([0]), as_array([0]), class_start, class_keys, context_offset=n)
    with pytest.raises(ValueError):  # a context word beyond word_start
        tally(1, as_array([0]), as_array([0]), class_start, class_keys, context_offset=n, met_texts=as_array([0]),
              met_words=as_array([n_words]), word_start=word_start, word_keys=word_keys)


def test_malformed_arguments_are_refused_not_read_out_of_bounds():
    views, data = text_views(pl.Series(["a text longer than twelve bytes"]))
    index = PhraseIndex([b"text"])
    with pytest.raises(ValueError):
        index.search([views[0][:10]], data)  # not whole views
    with pytest.raises(ValueError):
        index.search(views, [[]])  # points into a buffer that is not there
    with pytest.raises(ValueError):
        index.search(views, [])  # a chunk without its data buffers
    with pytest.raises(ValueError):
        tally(1, np.array([1], np.uint32), np.array([0], np.uint32), np.array([0, 1], np.int64), np.array([0], np.uint32))
    with pytest.raises(ValueError):
        expand(np.array([2], np.uint32), np.array([0, 1], np.int64), np.array([0], np.uint32), np.array([1], np.uint32))
    with pytest.raises(ValueError):
        class_totals(np.array([1], np.uint32), np.array([0, 1], np.int64), np.array([0], np.uint32), np.array([1], np.uint32))
    with pytest.raises(ValueError):
        class_totals(np.array([0], np.uint32), np.array([0, 2], np.int64), np.array([0], np.uint32), np.array([1], np.uint32))
    with pytest.raises(TypeError):
        PhraseIndex(["text"])


def test_a_match_right_before_a_head_word_of_one_of_its_groups_is_silent_with_the_head():
    search = PhraseSearch(["beach", "towel", "baby", "sandy beach"], case_sensitive=False,
                          heads={"towel": 1, "towels": 1, "shoes": 2}, pattern_heads=np.array([1, 0, 2, 1], np.uint32))
    texts = pl.Series(["a beach towel", "Beach Towels and a towel", "baby shoes, baby", "sandy beach towel beach",
                       "beach, towel", "beach shoes"])
    found = search.find(text_views(texts))
    assert list(zip(found.positions.tolist(), found.patterns.tolist())) == [
        (1, 1), (2, 2), (3, 0), (5, 0)]  # words, as for block phrases: "beach, towel" too; "shoes" heads another group


def test_head_arguments_are_checked():
    with pytest.raises(TypeError, match="go together"):
        PhraseIndex([b"beach"], heads=[b"towel"])
    with pytest.raises(ValueError, match="pattern_head_groups"):
        PhraseIndex([b"beach"], heads=[b"towel"], head_groups=np.ones(1, np.uint32),
                    pattern_head_groups=np.ones(2, np.uint32))
    with pytest.raises(TypeError, match="one word each"):
        PhraseIndex([b"beach"], heads=[b"bath towel"], head_groups=np.ones(1, np.uint32),
                    pattern_head_groups=np.ones(1, np.uint32))
