"""The matching rules of issue 3, each on real captions, and the vectorised matcher against the reference."""
from __future__ import annotations

import functools
import json
import random
from collections import Counter

import pytest

from freqscope.matcher import CONTEXT_MET, DEFAULT, Matcher, MatchRules
from freqscope.terms.classes import load_class_list
from freqscope.terms.taxonomy import BlockPhrase, ClassEntry, ClassList, ContextWord, Term
from reference_matcher import reference_counted, reference_match
from conftest import SHARED_CLASSES, SHARED_CORPORA, require_shared


def make_list(name: str, classes: dict[str, list[str]]) -> ClassList:
    """A list whose class i has the given terms; every term also gets a naive plural, as the classes module does."""
    entries, terms = [], []
    for index, (class_name, class_terms) in enumerate(classes.items()):
        entries.append(ClassEntry(index, class_name))
        for term in class_terms:
            terms.append(Term(index, term, "name"))
            terms.append(Term(index, term + ("es" if term.endswith(("s", "x")) else "s"), "plural"))
    return ClassList(name, "test", entries, terms)


ANIMALS = make_list("animals", {"sea lion": ["sea lion"], "lion": ["lion"], "cat": ["cat"], "dog": ["dog"],
                                "box": ["box"], "hot dog": ["hot dog"], "golden retriever": ["golden retriever"]})


def names(text: str, **rules) -> dict[str, int]:
    found = Matcher([ANIMALS], MatchRules(**rules)).match([text])
    counts: Counter = Counter()
    for r in found.to_dicts():
        counts[ANIMALS.classes[r["class_index"]].name] += r["n"]
    return dict(counts)


def test_normalisation_makes_spellings_equal():
    # COCO val2017 has "sea lion"; web alt-text writes "Sea-Lion" and "SEA_LION"
    for text in ["A sea lion on a rock", "Sea-Lion on a rock", "SEA_LION on a rock", "sea   lion"]:
        assert names(text) == {"sea lion": 1}, text


def test_possessive_splits_and_digits_stay_in_words():
    assert names("A dog's toy on the floor") == {"dog": 1}
    assert names("lion123 poster") == {}


def test_whole_words_only():
    # "cat" is not in "category", "bobcat" or "catdog"
    assert names("A category of bobcat and catdog toys") == {}
    assert names("a cat on a mat") == {"cat": 1}


def test_plurals_and_no_other_word_forms():
    assert names("Two dogs and three boxes") == {"dog": 1, "box": 1}
    assert names("a boxing match, a dogged effort") == {}
    assert names("Two dogs", plurals=False) == {}


def test_longest_match_hides_shorter_and_matches_do_not_overlap():
    assert names("a sea lion resting") == {"sea lion": 1}
    assert names("a man eating a hot dog") == {"hot dog": 1}
    assert names("a hot dog and a dog") == {"hot dog": 1, "dog": 1}
    assert names("a sea lion resting", overlapping=True) == {"sea lion": 1, "lion": 1}


def test_longest_match_wins_across_lists():
    # Food-101's "hot dog" hides CIFAR-10's "dog": a caption about a hot dog is not about a dog
    cifar = make_list("cifar10", {"dog": ["dog"], "cat": ["cat"]})
    food = make_list("food101", {"hot dog": ["hot dog"]})
    found = Matcher([cifar, food]).match(["A hot dog with mustard", "a dog"]).to_dicts()
    assert sorted((r["row"], r["taxonomy"]) for r in found) == [(0, "food101"), (1, "cifar10")]


def test_mentions_count_every_match_and_substring_rule():
    assert names("cat and cat and cats") == {"cat": 3}
    assert names("a category", substrings=True) == {"cat": 1}


def test_case_sensitive_rule():
    upper = make_list("upper", {"Apple": ["Apple"]})
    assert Matcher([upper], MatchRules(case_sensitive=True)).match(["an apple", "an Apple"])["row"].to_list() == [1]


def test_ambiguous_terms_count_for_each_class_unless_skipped():
    cranes = ClassList("cranes", "test", [ClassEntry(0, "crane"), ClassEntry(1, "crane")],
                       [Term(0, "crane", "name", ambiguous=True), Term(1, "crane", "name", ambiguous=True),
                        Term(1, "gantry crane", "wordnet")])
    counted = Matcher([cranes]).match(["a crane over the harbour"])
    assert sorted(counted["class_index"].to_list()) == [0, 1]
    skipped = Matcher([cranes], MatchRules(ambiguous="skip")).match(["a crane", "a gantry crane"])
    assert skipped.select("row", "class_index").rows() == [(1, 1)]


def test_unicode_nfkc_and_casefold():
    # NFKC turns the "ﬁ" ligature into "fi"; casefold turns "ß" into "ss"
    fish = make_list("fish", {"fish": ["fish"], "strasse": ["strasse"]})
    found = Matcher([fish]).match(["ﬁsh on the STRAẞE", "Straße"])
    assert sorted(found.select("row", "class_index").rows()) == [(0, 0), (0, 1), (1, 1)]


def test_null_and_empty_texts_are_empty_documents():
    assert Matcher([ANIMALS]).match([None, "", "  "]).is_empty()


def _clip_lists() -> list[ClassList]:
    """Real class names of the 27 datasets in CLIP's prompts.md, with naive plurals: a big, overlapping vocabulary."""
    source = json.loads((SHARED_CLASSES / "openai_clip" / "DERIVED_clip_prompts_classes_templates.json").read_text())
    lists = []
    for dataset, spec in source.items():
        classes = {}
        for index, entry in enumerate(spec["classes"]):
            variants = [entry] if isinstance(entry, str) else list(entry)
            classes[f"{index}:{variants[0]}"] = variants
        lists.append(make_list(dataset, classes))
    return lists


def _real_captions(n: int, seed: int) -> list[str]:
    captions = [a["caption"] for a in json.loads((SHARED_CORPORA / "coco_captions_val2017" / "captions_val2017.json").read_text())["annotations"]]
    captions += [line.split("\t", 1)[0] for line in (SHARED_CORPORA / "cc3m_validation" / "Validation_GCC-1.1.0-Validation.tsv").read_text(encoding="utf-8").splitlines()]
    import pyarrow.parquet as pq
    captions += [t for t in pq.read_table(SHARED_CORPORA / "laion_sample" / "test_10000.parquet", columns=["TEXT"]).column("TEXT").to_pylist() if t]
    rng = random.Random(seed)
    return [rng.choice(captions) for _ in range(n)]


@pytest.mark.parametrize(
    "rules",
    [MatchRules(), MatchRules(overlapping=True), MatchRules(plurals=False), MatchRules(case_sensitive=True),
     MatchRules(ambiguous="skip"), MatchRules(substrings=True)],
    ids=["default", "overlapping", "no-plurals", "case-sensitive", "ambiguous-skip", "substrings"],
)
def test_vectorised_matcher_equals_reference_on_real_captions(rules):
    require_shared(SHARED_CORPORA)
    lists = _clip_lists()
    if rules.substrings:  # the character-level reference is slow: fewer patterns, fewer captions
        lists = lists[:4]
    texts = _real_captions(800 if rules.substrings else 3000, seed=7) + [None, "", "Ｓｅａ−Ｌｉｏｎ", "STRAẞE"]
    found = Matcher(lists, rules).match(texts)
    got = Counter({(r["row"], r["taxonomy"], r["class_index"], r["term_id"]): r["n"] for r in found.to_dicts()})
    assert got == reference_match(texts, lists, rules)
    assert sum(got.values()) > 500  # the comparison is not vacuous


@pytest.mark.parametrize("memo_texts", [0, 3, 1_000])
def test_repeated_texts_across_batches_match_as_if_fresh(memo_texts):
    first = ["a dog", "two cats", "a hot dog", "a dog"]
    second = ["two cats", "a sea lion", "a dog", None, "a box"]
    matcher = Matcher([ANIMALS], memo_texts=memo_texts)
    matcher.match(first)
    again = matcher.match(second).sort(["row", "class_index", "term_id"])
    fresh = Matcher([ANIMALS]).match(second).sort(["row", "class_index", "term_id"])
    assert again.equals(fresh)
    assert again["row"].to_list() == [0, 1, 2, 4]


def test_texts_whose_key_collides_are_still_told_apart(monkeypatch):
    """The memo knows a text by two 64-bit hashes. With the first weakened to the text's length in bytes
    (collisions everywhere), every batch must still match exactly like the reference."""
    import freqscope.matcher as matcher_module

    monkeypatch.setattr(matcher_module, "TextMemo", functools.partial(matcher_module.TextMemo, weak_key=True))
    lists = [ANIMALS]
    captions = _real_captions(600, seed=3)
    batches = [captions[:300] + captions[:50], captions[250:600] + captions[100:150] + [None, ""]]
    matcher = Matcher(lists)
    for texts in batches:
        found = matcher.match(texts)
        got = Counter({(r["row"], r["taxonomy"], r["class_index"], r["term_id"]): r["n"] for r in found.to_dicts()})
        assert got == reference_match(texts, lists)
        assert sum(got.values()) > 10


def test_a_batch_of_nearly_all_new_texts_makes_the_next_ones_skip_the_memo_and_match_the_same(monkeypatch):
    """Distinct captions: after a batch of new texts the memo is left out for a few batches (numbering would
    cost and save nothing), then tried again; the matches are those of a matcher that never skips it."""
    import freqscope.matcher as matcher_module

    monkeypatch.setattr(matcher_module, "MEMO_BYPASS_MIN_TEXTS", 100)
    captions = _real_captions(1_200, seed=5)
    batches = [captions[:400], captions[400:800], captions[:400], captions[800:], captions[:400] * 2]
    skipping, memo = Matcher([ANIMALS]), Matcher([ANIMALS])
    monkeypatch.setattr(matcher_module, "MEMO_BYPASS_NEW_SHARE", 2.0)  # never skips
    expected = [memo.match(texts).sort(["row", "class_index", "term_id"]) for texts in batches]
    monkeypatch.setattr(matcher_module, "MEMO_BYPASS_NEW_SHARE", 0.9)
    monkeypatch.setattr(matcher_module, "MEMO_PROBE_EVERY", 3)
    memo_sizes = []
    for texts, wanted in zip(batches, expected):
        assert skipping.match(texts).sort(["row", "class_index", "term_id"]).equals(wanted)
        memo_sizes.append(len(skipping._seen.memo))
    # batch 1 (all new) goes through the memo, 2 and 3 skip it, 4 goes through again (a probe), 5 skips it
    assert memo_sizes[0] == memo_sizes[1] == memo_sizes[2] > 300
    assert memo_sizes[3] > memo_sizes[2] and memo_sizes[4] == memo_sizes[3]
    assert sum(frame.height for frame in expected) > 100
# ---------------------------------------------------------------------------------- tiers, context, blocking


def counted(matcher: Matcher, texts) -> Counter:
    """What the matcher counts per (row, taxonomy, class_index, variant), as reference_counted gives it."""
    rows = matcher.locate(texts).class_rows()
    named = matcher.named(rows["class_key"])
    return Counter({(row, taxonomy, class_index, variant): n for row, n, variant, taxonomy, class_index in zip(
        rows["row"], rows["n"], named["variant"], named["taxonomy"], named["class_index"])})


TIERED = ClassList("tiered", "test", [ClassEntry(0, "kite (bird of prey)"), ClassEntry(1, "promontory"),
                                      ClassEntry(2, "baseball"), ClassEntry(3, "mouse"), ClassEntry(4, "tusker")], [
    Term(0, "kite", "name", tier="context"), Term(0, "kites", "plural", tier="context"),
    Term(1, "promontory", "name", tier="name"), Term(1, "head", "wordnet", tier="blocked"),
    Term(2, "baseball", "name", tier="name"), Term(3, "mouse", "name", tier="name"),
    Term(3, "computer mouse", "wordnet", tier="specific"), Term(4, "elephant", "generic", tier="generic"),
], context=[ContextWord(0, "bird", "qualifier"), ContextWord(0, "bird of prey", "qualifier")],
    block=[BlockPhrase("baseball cap", "curated"), BlockPhrase("Mickey Mouse", "curated")])
TEXTS = ["a kite flying on the beach", "a kite, a bird of prey, over a field", "kites and a bird", "my head hurts",
         "a promontory", "a man in a baseball cap", "baseball game", "Mickey Mouse and a computer mouse",
         "an elephant", "a bird and a kite and a kite"]


def test_context_terms_count_only_with_a_context_word():
    got = counted(Matcher([TIERED]), TEXTS)
    kite_default = {row for (row, _, c, v) in got if c == 0 and v == DEFAULT}
    assert kite_default == {1, 2, 9}  # not the toy kite of row 0
    assert got[(9, "tiered", 0, DEFAULT)] == 2 and got[(9, "tiered", 0, CONTEXT_MET)] == 2
    assert not any(row == 0 for (row, *_rest) in got)  # matched (Matcher.match has it), counted for nothing
    assert Matcher([TIERED]).match(TEXTS[:1])["class_index"].to_list() == [0]


def test_blocked_terms_and_block_phrases_count_for_nothing():
    got = counted(Matcher([TIERED]), TEXTS)
    assert not any(c == 1 and v == DEFAULT for (row, _, c, v) in got if row == 3)  # a body head, not a promontory
    assert Matcher([TIERED]).match(TEXTS[3:4])["class_index"].to_list() == [1]  # matched all the same
    assert got[(4, "tiered", 1, DEFAULT)] == 1
    assert not any(row == 5 for (row, *_rest) in got)  # baseball cap hides baseball
    assert got[(6, "tiered", 2, DEFAULT)] == 1
    assert got[(7, "tiered", 3, DEFAULT)] == 1  # the computer mouse, not Mickey Mouse


def test_generic_names_count_apart_from_the_class():
    """A generic parent name counts for nothing in the tally (its figure, exposure_tiers.generic_docs, is read from the
    stored matches: test_index) and is no name of the class for Matcher.match."""
    got = counted(Matcher([TIERED]), TEXTS)
    assert not any(row == 8 for (row, *_rest) in got)
    assert Matcher([TIERED]).match(TEXTS[8:9]).is_empty()


@pytest.mark.parametrize("rules", [MatchRules(), MatchRules(overlapping=True), MatchRules(plurals=False),
                                   MatchRules(case_sensitive=True), MatchRules(substrings=True)],
                         ids=["default", "overlapping", "no-plurals", "case-sensitive", "substrings"])
def test_tiers_equal_the_reference(rules):
    assert counted(Matcher([TIERED], rules), TEXTS) == reference_counted(TEXTS, [TIERED], rules)


@pytest.mark.parametrize("rules", [MatchRules(), MatchRules(overlapping=True), MatchRules(plurals=False),
                                   MatchRules(ambiguous="skip")], ids=["default", "overlapping", "no-plurals", "skip"])
def test_builtin_tiers_equal_the_reference_on_real_captions(rules):
    """The shipped lists with their tiers, context words and block phrases, on real captions."""
    require_shared(SHARED_CORPORA)
    lists = [load_class_list(name) for name in ("imagenet1k", "cifar100", "food101", "cifar10")]
    texts = _real_captions(3000, seed=11) + ["a kite, a bird of prey", "pruning can help", "a man in a baseball cap",
                                             "tacos and a taco", "the promontory and my head",
                                             # the third pass's heads and block phrases beside the terms they hide
                                             "Beach Towels and a bike helmet for Women", "a baby doll on a wood desk",
                                             "a man riding a bike on the street next to a baby",
                                             # the head rule: plural heads and terms, across punctuation, per list
                                             "an old violin case, Candle Holders", "Baby Girls clothes, donuts box",
                                             "a sandy beach towel", "socks - shoes", "an umbrella cover",
                                             "a pizza oven and a pizza"]
    matcher = Matcher(lists, rules)
    found = matcher.match(texts)
    got = Counter({(r["row"], r["taxonomy"], r["class_index"], r["term_id"]): r["n"] for r in found.to_dicts()})
    assert got == reference_match(texts, lists, rules)
    expected = reference_counted(texts, lists, rules)
    assert counted(matcher, texts) == expected
    assert sum(n for key, n in expected.items() if key[3] == DEFAULT) > 300
    assert any(key[3] == CONTEXT_MET for key in expected)


def test_the_reference_applies_the_head_rule_of_each_list():
    """Without it, the matcher and the reference would agree on counting "violin case" as a violin."""
    lists = [load_class_list(name) for name in ("imagenet1k", "cifar100", "food101", "cifar10")]
    texts = ["an old violin case", "an umbrella cover", "donuts box", "a pizza oven", "a pizza"]
    by_list = {class_list.name: class_list for class_list in lists}

    def classes(rules):
        return {(row, taxonomy, by_list[taxonomy].classes[index].name)
                for row, taxonomy, index, variant in reference_counted(texts, lists, rules) if variant == DEFAULT}

    assert classes(MatchRules()) == {(1, "imagenet1k", "umbrella"), (4, "food101", "pizza"), (4, "imagenet1k", "pizza")}
    assert (0, "imagenet1k", "violin") in classes(MatchRules(overlapping=True))  # whole words, leftmost-longest only

