"""Peer counters' rules for "class c is mentioned in caption d", re-implemented from their code.

Each function takes the captions (a document is its position in the sequence) and the class names of one
list (a class is its position) and returns the set of (doc, class_index) the peer counts. The class names are
freqscope's (``data/classes/<list>.csv``) for every method, so that all methods are judged on the same classes;
what differs is the rule. Where a peer needs a resource that cannot run offline here, the closest runnable
substitute is used and the difference is stated at the function.

Commits read: yuhui-zh15/VLMClassifier d069792, facebookresearch/MetaCLIP f47f784,
bethgelab/frequency_determines_performance 11ef009.
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import Sequence

import polars as pl

Pairs = set[tuple[int, int]]

# --- VLMClassifier ---------------------------------------------------------------------------------------------
# data_analysis/tokenize.ipynb, cell 0 (file lines 15-18): is_sublist joins the tokens of the class name and of
# the sentence with "##" and tests "##" + name + "##" in sentence, i.e. the class's tokens occur as a contiguous
# run of the sentence's tokens. Cell 2 (file lines 36-38 and 43-45): class names are word_tokenize(name.lower());
# the sentences come pre-tokenized (tokenized_sentences_pretrain.json; the script that made it is not in the
# repository), so we tokenize them as the class names are: word_tokenize(text.lower()).
# Difference: nltk.word_tokenize splits sentences with the Punkt model first (nltk data, not installed here); we
# split at [.!?] followed by a space instead, then apply the same Treebank-style word tokenizer nltk uses.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")


@lru_cache(maxsize=1)
def _word_tokenizer():
    from nltk.tokenize import NLTKWordTokenizer  # the second stage of nltk.word_tokenize

    return NLTKWordTokenizer()


def nltk_words(text: str) -> list[str]:
    """nltk.word_tokenize(text) without Punkt: sentences cut at end punctuation, then the Treebank tokenizer."""
    tokenizer = _word_tokenizer()
    return [word for sentence in _SENTENCE_BREAK.split(text) for word in tokenizer.tokenize(sentence)]


def vlmclassifier_pairs(captions: Sequence[str], class_names: Sequence[str]) -> Pairs:
    """VLMClassifier: the lower-cased class name's tokens as a contiguous run of the caption's tokens."""
    names = [tuple(nltk_words(name.lower())) for name in class_names]
    by_first_word: dict[str, list[int]] = defaultdict(list)
    for index, words in enumerate(names):
        if words:
            by_first_word[words[0]].append(index)
    found: Pairs = set()
    for doc, caption in enumerate(captions):
        words = nltk_words(caption.lower())
        joined = "##" + "##".join(words) + "##"
        for index in {i for word in set(words) for i in by_first_word.get(word, ())}:
            # the same test as is_sublist (cell 0), only classes whose first word occurs are tried
            if "##" + "##".join(names[index]) + "##" in joined:
                found.add((doc, index))
    return found


# --- MetaCLIP ----------------------------------------------------------------------------------------------------
# metaclip/metaclip1/substr_matching.py lines 6-17 (spacing: the text padded with a space at both ends, the
# punctuation , . ; : ? ! ` wrapped in spaces, tab/newline/CR made spaces) and lines 20-31 (substr_matching:
# each metadata entry padded with a space at both ends, matched if it is a substring of the spaced text; case as
# written: no lower-casing anywhere). The metadata entries here are the class names, as written in the list.
_METACLIP_PUNCTUATION = (",", ".", ";", ":", "?", "!", "`")


def metaclip_spacing(text: str) -> str:
    spaced = f" {text} "
    for mark in _METACLIP_PUNCTUATION:
        spaced = spaced.replace(mark, f" {mark} ")
    for blank in ("\t", "\n", "\r"):
        spaced = spaced.replace(blank, " ")
    return spaced


def metaclip_pairs(captions: Sequence[str], class_names: Sequence[str]) -> Pairs:
    """MetaCLIP: " name " a case-sensitive substring of the caption spaced as substr_matching.spacing does."""
    spaced = pl.Series("text", [metaclip_spacing(c) for c in captions], dtype=pl.String)
    found: Pairs = set()
    for index, name in enumerate(class_names):
        hits = spaced.str.contains(f" {name} ", literal=True)
        found.update((doc, index) for doc in hits.arg_true().to_list())
    return found


# --- Frequency Determines Performance (Udandarao et al.) ------------------------------------------------------
# src/text_search_inverted_index_get_word_dictionaries.py lines 93-104: each caption's set of noun / proper-noun
# lemmas (spaCy en_core_web_lg), non-letters removed, indexed lemma -> documents.
# src/text_search_matches_inverted_index.py lines 57-64: a class name is lower-cased and split at [_\s]+, each
# piece lemmatized with spaCy (en_core_web_sm; a piece of several tokens keeps its last token's lemma, the
# dictionary comprehension of line 63 overwriting); lines 17-23: the documents are the intersection of the
# documents of each piece, pieces absent from the index being dropped (line 20), a bag of words: order and
# adjacency do not matter.
# Differences (no spaCy model can be installed offline here): lemmas come from lemminflect's noun lemmatizer on
# every word, not only on words a tagger calls NOUN/PROPN (so verbs such as "can", "flies" count: more generous
# than FDP); everything is lower-cased (spaCy keeps the case of proper-noun lemmas); a class piece is dropped when
# it is a function word that is never a noun ("of", "the", ...) or has no letters: the words that would be absent
# from an index of a large corpus's nouns.
_FDP_WORD = re.compile(r"[A-Za-z]+(?:['\-][A-Za-z]+)*|[^\sA-Za-z]")
_NEVER_NOUNS = frozenset(
    "a an the of and or in on at to for from with by as into onto over under s 's".split()
)


@lru_cache(maxsize=65536)
def noun_lemma(word: str) -> str:
    from lemminflect import getLemma

    lemmas = getLemma(word, upos="NOUN")
    return lemmas[0] if lemmas else word


def _letters_only(lemma: str) -> str:
    return re.sub(r"[^A-Za-z ]", "", lemma)  # as line 97 of the dictionary script


def fdp_caption_lemmas(caption: str) -> set[str]:
    return {_letters_only(noun_lemma(w)) for w in _FDP_WORD.findall(caption.lower())} - {""}


def fdp_class_pieces(name: str) -> list[str]:
    pieces = []
    for piece in re.split(r"[_\s]+", name.lower()):
        tokens = _FDP_WORD.findall(piece)
        if not tokens:
            continue
        lemma = noun_lemma(tokens[-1])
        if lemma in _NEVER_NOUNS or not re.search("[a-z]", lemma):
            continue
        pieces.append(_letters_only(lemma))
    return pieces


def fdp_pairs(captions: Sequence[str], class_names: Sequence[str]) -> Pairs:
    """FDP: every lemma of the class name's pieces among the caption's lemmas (a bag of words)."""
    pieces = [set(fdp_class_pieces(name)) for name in class_names]
    by_piece: dict[str, list[int]] = defaultdict(list)
    for index, wanted in enumerate(pieces):
        for piece in wanted:
            by_piece[piece].append(index)
    found: Pairs = set()
    for doc, caption in enumerate(captions):
        lemmas = fdp_caption_lemmas(caption)
        for index in {i for lemma in lemmas for i in by_piece.get(lemma, ())}:
            if pieces[index] <= lemmas:
                found.add((doc, index))
    return found


PEERS = {
    "vlmclassifier": vlmclassifier_pairs,
    "metaclip": metaclip_pairs,
    "fdp": fdp_pairs,
}
