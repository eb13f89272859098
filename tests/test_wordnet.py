"""WordNet-backed expansion: lemmas, hyponyms, sense counts, resolution, and the regenerated built-in lists.

These tests read WordNet 3.0 (Debian's wordnet-base, or NLTK's data) and skip where it is not installed.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from conftest import SHARED_CLASSES, require_shared
from freqscope.terms.classes import (
    builtin_class_lists,
    builtin_classes_file,
    expand_class_list,
    lemma_text,
    load_class_list,
    read_class_csv,
)
from freqscope.errors import FreqscopeError
from freqscope.paths import CLASS_LISTS_DIR, REPO_ROOT
from freqscope.text import normalize_words


def test_synsets_by_wnid(wordnet):
    assert wordnet.synset("n01440764").lemmas == ("tench", "Tinca_tinca")
    assert wordnet.synset("n01440765") is None  # not the start of a synset line
    assert wordnet.synset("n99999999") is None


def test_senses_and_first_sense(wordnet):
    assert wordnet.noun_senses("crane") == 5
    assert wordnet.noun_senses("T-shirt") == 1
    assert wordnet.noun_senses("crane bird") == 0
    assert wordnet.first_noun_sense("dog") == "n02084071"


def test_noun_exceptions_hold_the_irregular_plurals(wordnet):
    exceptions = {row[0]: row[1:] for row in wordnet.noun_exceptions()}
    assert exceptions["geese"] == ("goose",)
    assert exceptions["oxen"] == ("ox",)


def test_imagenet_wordnet_lemmas_equal_wordnet_30(wordnet):
    imagenet = load_class_list("imagenet1k")
    assert len(imagenet.classes) == 1000
    words_of = {}
    for term in imagenet.terms:
        if term.origin != "plural":
            words_of.setdefault(term.class_index, set()).add(term.words)
    for entry in imagenet.classes:
        lemmas = {tuple(normalize_words(lemma_text(lemma))) for lemma in wordnet.synset(entry.wnid).lemmas}
        wordnet_terms = {t.words for t in imagenet.terms if t.class_index == entry.index and t.origin == "wordnet"}
        assert lemmas <= words_of[entry.index], entry
        assert wordnet_terms <= lemmas, entry


def test_imagenet_wnids_and_lemmas_match_timm():
    timm = require_shared(SHARED_CLASSES / "imagenet_timm")
    wnids = (timm / "imagenet_synsets.txt").read_text().split()
    lemmas = dict(line.split("\t") for line in (timm / "imagenet_synset_to_lemma.txt").read_text().splitlines())
    imagenet = load_class_list("imagenet1k")
    assert [c.wnid for c in imagenet.classes] == wnids
    for entry in imagenet.classes:
        expected = {tuple(normalize_words(lemma)) for lemma in lemmas[entry.wnid].split(", ")}
        found = {t.words for t in imagenet.terms if t.class_index == entry.index and t.origin != "plural"}
        assert expected <= found, entry


def test_shipped_expansion_equals_expanding_with_wordnet(wordnet):
    for name in builtin_class_lists():
        shipped = load_class_list(name)
        expanded = expand_class_list(name, f"builtin:{name}", read_class_csv(builtin_classes_file(name)), curated=True)
        assert expanded.terms == shipped.terms, name
        assert (expanded.context, expanded.block) == (shipped.context, shipped.block), name
        assert expanded.fingerprint() == shipped.fingerprint(), name
        assert expanded.options == shipped.options


def test_regenerated_lists_equal_the_checked_in_files(wordnet, tmp_path):
    require_shared(SHARED_CLASSES)
    spec = importlib.util.spec_from_file_location("build_class_lists", REPO_ROOT / "scripts" / "build_class_lists.py")
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script  # its dataclasses look their module up there
    spec.loader.exec_module(script)
    script.build(tmp_path, SHARED_CLASSES, wordnet)
    generated = sorted(p.name for p in tmp_path.iterdir())
    assert generated == sorted(
        p.name for p in CLASS_LISTS_DIR.iterdir() if not p.name.startswith(("LICENSE", "SOURCE"))
    )
    for name in generated:
        assert (tmp_path / name).read_text() == (CLASS_LISTS_DIR / name).read_text(), name


def test_seed_paper_lists_that_are_not_shipped_equal_shipped_ones():
    vlm = require_shared(SHARED_CLASSES / "vlmclassifier")
    for file, builtin in (("imagenet_classes.json", "imagenet1k"), ("flowers_classes.json", "flowers102")):
        names = json.loads((vlm / file).read_text())
        assert names == [c.name for c in load_class_list(builtin, use_wordnet=False).classes]


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_custom_wnid_adds_lemmas_and_hyponyms(wordnet, tmp_path):
    path = write_csv(tmp_path / "dogs.csv", "name,wnid,synonyms\ndog,n02084071,doggo\n")
    plain = load_class_list(path)
    assert [t.term for t in plain.terms if t.origin == "wordnet"] == ["domestic dog", "Canis familiaris"]
    assert plain.terms[1].term == "doggo" and plain.terms[1].origin == "synonym"
    with_hyponyms = load_class_list(path, hyponyms=True)
    hyponyms = {t.term for t in with_hyponyms.terms if t.origin == "hyponym"}
    assert {"puppy", "poodle", "dalmatian"} <= hyponyms
    assert "poodles" in {t.term for t in with_hyponyms.terms if t.origin == "plural"}
    assert with_hyponyms.options["hyponyms"] is True


def test_wordnet_resolve_guesses_the_first_noun_sense(wordnet, tmp_path):
    path = write_csv(tmp_path / "birds.csv", "name\ngoose\nzzz not a word\n")
    assert [t.origin for t in load_class_list(path).terms if t.class_index == 0] == ["name", "plural"]
    resolved = load_class_list(path, wordnet_resolve=True)
    assert resolved.classes[0].wnid == "n01855672" and resolved.classes[0].wordnet_guessed
    assert resolved.classes[1].wnid is None and not resolved.classes[1].wordnet_guessed
    assert "Canada goose" not in {t.term for t in resolved.terms}
    assert {t.origin for t in resolved.terms if t.class_index == 0} >= {"name", "plural"}


def test_a_wnid_wordnet_lacks_names_the_file_and_line(wordnet, tmp_path):
    path = write_csv(tmp_path / "bad.csv", "name,wnid\ndog,n02084071\ncat,n99999999\n")
    with pytest.raises(FreqscopeError, match=r"bad\.csv, line 3: wnid n99999999 of 'cat' is not a WordNet 3.0"):
        load_class_list(path)


def test_wordnet_is_found_in_nltk_data(wordnet, tmp_path, monkeypatch):
    import shutil

    import nltk.data

    from freqscope.terms import wordnet as wordnet_module

    source = Path(wordnet.location)
    if not source.is_dir():
        pytest.skip("the installed WordNet is not a directory to copy from")
    corpus = tmp_path / "corpora" / "wordnet"
    corpus.mkdir(parents=True)
    for name in ("data.noun", "index.noun", "noun.exc"):
        shutil.copyfile(source / name, corpus / name)
    monkeypatch.setattr(wordnet_module, "_candidate_directories", lambda: [])
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    wordnet_module.find_wordnet.cache_clear()
    try:
        from_nltk = wordnet_module.find_wordnet()
        assert from_nltk is not None and "corpora" in from_nltk.location
        assert from_nltk.synset("n01440764").lemmas == ("tench", "Tinca_tinca")
        monkeypatch.setattr(nltk.data, "path", [str(tmp_path / "empty")])
        wordnet_module.find_wordnet.cache_clear()
        assert wordnet_module.find_wordnet() is None
        with pytest.raises(FreqscopeError, match="apt-get install wordnet-base"):
            wordnet_module.require_wordnet("for this test")
    finally:
        wordnet_module.find_wordnet.cache_clear()
