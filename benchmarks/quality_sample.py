"""Draws the count-quality label set (data/quality/): judged matches and the recall captions.

    PYTHONPATH=$PWD python benchmarks/quality_sample.py            # writes data/quality/to_label/ and matches-sample.csv
    PYTHONPATH=$PWD python benchmarks/quality_sample.py show FILE  # prints a chunk with Flickr8k captions filled in
    PYTHONPATH=$PWD python benchmarks/quality_sample.py heldout    # held-out matches (heldout-NN)
    PYTHONPATH=$PWD python benchmarks/quality_sample.py heldout2   # the second held-out draw (heldout2-NN)
    PYTHONPATH=$PWD python benchmarks/quality_sample.py second     # a second annotator's share of it (second-*)
    PYTHONPATH=$PWD python benchmarks/quality_sample.py heldout3   # the third held-out draw (heldout3-NN, recall-26..28)
    PYTHONPATH=$PWD python benchmarks/quality_sample.py dev-matches  # development pairs (dev-NN), never held-out
    PYTHONPATH=$PWD python benchmarks/quality_sample.py dev2       # more development pairs (dev2-NN), after heldout3
    PYTHONPATH=$PWD python benchmarks/quality_sample.py dev3       # more again (dev3-NN), after the ninth and tenth passes
    PYTHONPATH=$PWD python benchmarks/quality_sample.py heldout4   # the fourth held-out draw (heldout4-NN, recall-29..31)
    PYTHONPATH=$PWD python benchmarks/quality_sample.py heldout5   # the fifth (heldout5-NN, recall-32..34)
    PYTHONPATH=$PWD python benchmarks/quality_sample.py more-recall  # 300 more web recall captions, new chunks
    PYTHONPATH=$PWD python benchmarks/quality_sample.py rereading        # labelled rows a later rule could decide
    PYTHONPATH=$PWD python benchmarks/quality_sample.py apply-rereading  # their re-read labels into labelled/

Matches: the union over methods (freqscope with every term, VLMClassifier, MetaCLIP, FDP) of the (caption,
class) pairs each counts, per stratum corpus x list; a fixed number of pairs per stratum drawn uniformly from
that union (all of it where it is smaller). The sample is uniform within a stratum, so the pairs of one method
that fall in it are a uniform sample of that method's pairs there: per-method precision is the stratum-weighted
mean. The labellers see the pairs in a random order without the methods (kept in matches-sample.csv).

Recall: 100 captions per corpus, drawn uniformly from the whole corpus, then 150 more each from CC3M and LAION
(uniformly from the rest), with generous suggestions of classes
they may mention (every term of every class as a substring, every method's pairs, classes sharing a head noun).

Everything is drawn with fixed seeds from the corpora in ../shared: the same files give the same sample.
"""
from __future__ import annotations

import csv
import random
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import freqscope
from quality_data import (CORPORA, HELDOUT_DRAWS, LISTS, MATCH_COLUMNS, QUALITY_DIR, RECALL_COLUMNS, TEXT_NOT_SHIPPED,
                          QualityDataError, fill_captions, read_corpus, read_rows, write_rows)
from quality_methods import METHODS, class_names, freqscope_pairs, method_pairs, peer_pairs
from quality_peers import fdp_caption_lemmas, fdp_class_pieces, noun_lemma
import quality_rereading

SEED = 20261203
# Pairs drawn per stratum (all of the stratum where it holds fewer): the web captions and ImageNet-1k, where the
# issue's goal is measured, get the most; the small Food-101 strata are taken whole.
MATCHES_PER_STRATUM = {
    ("cc3m", "imagenet1k"): 160, ("laion", "imagenet1k"): 160, ("coco", "imagenet1k"): 90, ("flickr8k", "imagenet1k"): 90,
    ("cc3m", "cifar100"): 100, ("laion", "cifar100"): 100, ("coco", "cifar100"): 80, ("flickr8k", "cifar100"): 80,
    ("cc3m", "food101"): 90, ("laion", "food101"): 90, ("coco", "food101"): 90, ("flickr8k", "food101"): 90,
}
# Development pairs for curating the terms after the held-out draw: web captions, every list.
DEV_MATCHES = {(corpus, taxonomy): 100 for corpus in ("cc3m", "laion") for taxonomy in ("imagenet1k", "cifar100", "food101")}
HELDOUT_SAMPLE_COLUMNS = ("id", "corpus", "doc_key", "taxonomy", "class_index", "class", "matched", "stratum",
                          "stratum_pairs", "stratum_sampled", "weight")
MATCH_CHUNK_ROWS = 230
RECALL_PER_CORPUS = 100
RECALL_CHUNK_ROWS = 100
# More recall captions from the web corpora, where the recall goal is measured: 100 per corpus hold only
# about 10 mentions of an ImageNet-1k class each (measured on the first labels).
RECALL_EXTRA = {"cc3m": 150, "laion": 150}
# The held-out draw, made after the term tiers were curated against the first labels: captions and pairs that
# no curation decision has seen, so that the figures on them say whether the curation generalises.
HELDOUT_RECALL = {"cc3m": 150, "laion": 150}
HELDOUT_MATCHES = {("cc3m", "imagenet1k"): 120, ("laion", "imagenet1k"): 120}
# The second held-out draw (seed SEED + 7: SEED + 6 drew recall-11..13), made after the third curation pass (its
# recall captions: the next more-recall chunks, recall-20..25): web ImageNet-1k pairs freqscope counts then that no
# earlier sample holds, so that what three passes of curation did is measured on pairs none of them could have read.
FIRST_HELDOUT, SECOND_HELDOUT, THIRD_HELDOUT, FOURTH_HELDOUT, FIFTH_HELDOUT = HELDOUT_DRAWS
HELDOUT2_EARLIER = ["matches-sample.csv", FIRST_HELDOUT.design, "dev-sample.csv"]
# The third held-out draw, after the seventh curation pass: as the second (HELDOUT_MATCHES, web ImageNet-1k pairs
# no earlier sample holds), with its own seed, and 300 web recall captions (more-recall: recall-26..28).
HELDOUT3_SEED = SEED + 30
HELDOUT3_EARLIER = [*HELDOUT2_EARLIER, SECOND_HELDOUT.design]
# The second development draw, made after the third held-out one and excluding it: web ImageNet-1k pairs, most
# from LAION, whose precision after seven passes is the lowest of the goal's strata.
DEV2_SEED = SEED + 31
DEV2_MATCHES = {("cc3m", "imagenet1k"): 60, ("laion", "imagenet1k"): 200}
# The third development draw, after the ninth and tenth passes (apart from every earlier sample): LAION's
# ImageNet-1k pairs again, more of them, for the next precision pass.
DEV3_SEED = SEED + 32
DEV3_MATCHES = {("cc3m", "imagenet1k"): 60, ("laion", "imagenet1k"): 300}
# The fourth held-out draw, after the fourteenth pass: as the third, apart from every earlier sample, development
# draws included, so that it measures the terms as they are at the end on pairs and captions no pass read.
HELDOUT4_SEED = SEED + 33
# The web captions the ninth, eleventh and fifteenth passes read whole (captions where freqscope counted no
# ImageNet-1k class, read for the everyday names it misses), with the pass that read each: no held-out recall caption
# may be one of those read before its draw.
READ_IN_CURATION = "read-in-curation.csv"
HELDOUT4_EARLIER = [*HELDOUT3_EARLIER, THIRD_HELDOUT.design, "dev2-sample.csv", "dev3-sample.csv"]
# The fifth held-out draw, after the fifteenth and sixteenth passes: as the fourth, apart from it too; its recall
# captions skip the fifteenth pass's 2,400 as well (read-in-curation.csv).
HELDOUT5_SEED = SEED + 34
HELDOUT5_EARLIER = [*HELDOUT4_EARLIER, FOURTH_HELDOUT.design]
# A second annotator labels, blind, a uniform share of the second held-out draw: how often two readers agree
# bounds what a precision or recall measured on one reader's labels can tell (benchmarks/quality_agreement.py).
SECOND_PAIRS = 120
SECOND_RECALL = 100
SAMPLE_COLUMNS = ("id", "corpus", "doc_key", "taxonomy", "class_index", "class", "matched", "stratum",
                  "stratum_pairs", "stratum_sampled", "weight", *METHODS, "union_classes")
# Shorter terms are suggested only as whole words: as substrings they are inside too many other words.
MIN_SUBSTRING_CHARS = 4


def draw_matches(captions: dict[str, list[tuple[str, str]]]) -> list[dict]:
    rng = random.Random(SEED)
    rows = []
    for corpus in CORPORA:
        texts = [text for _, text in captions[corpus]]
        matched_terms = freqscope_pairs(texts, LISTS)
        counted = {"freqscope": {t: set(matched_terms[t]) for t in LISTS}, **peer_pairs(texts, LISTS)}
        for taxonomy in LISTS:
            names = class_names(taxonomy)
            union = sorted(set().union(*(counted[m][taxonomy] for m in METHODS)))
            union_of_doc: dict[int, list[int]] = defaultdict(list)
            for doc, class_index in union:
                union_of_doc[doc].append(class_index)
            drawn = rng.sample(union, min(MATCHES_PER_STRATUM[(corpus, taxonomy)], len(union)))
            for doc, class_index in sorted(drawn):
                found_by = {m: (doc, class_index) in counted[m][taxonomy] for m in METHODS}
                matched = matched_terms[taxonomy].get((doc, class_index)) or _peer_words(
                    texts[doc], names[class_index], found_by)
                rows.append({
                    "corpus": corpus, "doc_key": captions[corpus][doc][0], "caption": texts[doc],
                    "taxonomy": taxonomy, "class_index": class_index, "class": names[class_index],
                    "matched": matched, "stratum": f"{corpus}/{taxonomy}", "stratum_pairs": len(union),
                    "stratum_sampled": len(drawn), "weight": f"{len(union) / len(drawn):.6g}",
                    **{m: int(v) for m, v in found_by.items()},
                    # every class of the list the union holds for this caption: a pair a method counts later
                    # that is not among them was never in the population sampled, so it is not judged
                    "union_classes": "|".join(map(str, union_of_doc[doc])),
                })
    rng.shuffle(rows)
    for number, row in enumerate(rows, 1):
        row["id"] = f"m{number:04d}"
    return rows


def _peer_words(caption: str, name: str, found_by: dict[str, bool]) -> str:
    """The words a peer matched, for the labeller: the class name as written, or FDP's lemmas."""
    if found_by["vlmclassifier"] or found_by["metaclip"]:
        return name
    return " + ".join(fdp_class_pieces(name))


def draw_recall(captions: dict[str, list[tuple[str, str]]]) -> list[dict]:
    """The recall captions: RECALL_PER_CORPUS per corpus, then RECALL_EXTRA more from the web corpora.

    The extra captions are drawn uniformly from those not drawn first, so each corpus's captions stay a uniform
    sample of it (the benchmark weights captions per corpus); they are numbered after the first and fill
    their own chunks, which leaves the first draw's files unchanged.
    """
    rng = random.Random(SEED + 1)
    suggest = Suggester()
    first, picked_first = [], {}
    for corpus in CORPORA:
        picked_first[corpus] = sorted(rng.sample(range(len(captions[corpus])), RECALL_PER_CORPUS))
        first += _recall_rows(corpus, picked_first[corpus], captions, suggest)
    rng.shuffle(first)
    extra_rng = random.Random(SEED + 2)
    extra = []
    for corpus, count in RECALL_EXTRA.items():
        rest = sorted(set(range(len(captions[corpus]))) - set(picked_first[corpus]))
        extra += _recall_rows(corpus, sorted(extra_rng.sample(rest, count)), captions, suggest)
    extra_rng.shuffle(extra)
    rows = first + extra
    for number, row in enumerate(rows, 1):
        row["id"] = f"r{number:03d}"
    return rows


def draw_more_recall(captions: dict[str, list[tuple[str, str]]], chunks_drawn: int,
                     read_in_curation: frozenset[tuple[str, str]] = frozenset()) -> list[dict]:
    """HELDOUT_RECALL more web captions, uniform over those no earlier draw took (nor, for a held-out draw, any
    caption a curation pass read: ``read_in_curation``), numbered after them.

    The seed follows from the chunks already drawn (7 before the first held-out draw), so each round is
    reproducible from the files that preceded it.
    """
    drawn = {(row["corpus"], row["doc_key"]) for path in sorted((QUALITY_DIR / "to_label").glob("recall-*.csv"))
             for row in read_rows(path, RECALL_COLUMNS)}
    earlier = drawn | read_in_curation
    rng = random.Random(SEED + 3 + chunks_drawn - 7)
    suggest = Suggester()
    rows = []
    for corpus, count in HELDOUT_RECALL.items():
        rest = [doc for doc, (key, _) in enumerate(captions[corpus]) if (corpus, key) not in earlier]
        rows += _recall_rows(corpus, sorted(rng.sample(rest, count)), captions, suggest)
    rng.shuffle(rows)
    for number, row in enumerate(rows, len(drawn) + 1):
        row["id"] = f"r{number:03d}"
    return rows


def draw_fresh_matches(captions: dict[str, list[tuple[str, str]]], per_stratum: dict[tuple[str, str], int],
                       seed: int, earlier_samples: list[str], id_prefix: str) -> list[dict]:
    """Pairs per stratum, uniform over the pairs freqscope counts today that no earlier sample holds; weighted
    like the first sample (pairs in the stratum / pairs drawn), so precision is a plain stratum-weighted mean of
    freqscope's own pairs."""
    earlier = {(row["corpus"], row["doc_key"], row["taxonomy"], row["class_index"])
               for name in earlier_samples
               for row in read_rows(QUALITY_DIR / name, ("corpus", "doc_key", "taxonomy", "class_index"))}
    rng = random.Random(seed)
    rows = []
    for (corpus, taxonomy), count in per_stratum.items():
        texts = [text for _, text in captions[corpus]]
        names = class_names(taxonomy)
        counted = freqscope_pairs(texts, [taxonomy])[taxonomy]
        fresh = sorted(pair for pair in counted
                       if (corpus, captions[corpus][pair[0]][0], taxonomy, str(pair[1])) not in earlier)
        drawn = rng.sample(fresh, min(count, len(fresh)))
        for doc, class_index in sorted(drawn):
            rows.append({"corpus": corpus, "doc_key": captions[corpus][doc][0], "caption": texts[doc],
                         "taxonomy": taxonomy, "class_index": class_index, "class": names[class_index],
                         "matched": counted[(doc, class_index)], "stratum": f"{corpus}/{taxonomy}",
                         "stratum_pairs": len(fresh), "stratum_sampled": len(drawn),
                         "weight": f"{len(fresh) / len(drawn):.6g}"})
    rng.shuffle(rows)
    for number, row in enumerate(rows, 1):
        row["id"] = f"{id_prefix}{number:04d}"
    return rows


def _recall_rows(corpus: str, picked: list[int], captions: dict[str, list[tuple[str, str]]],
                 suggest: Suggester) -> list[dict]:
    texts = [captions[corpus][doc][1] for doc in picked]
    counted = method_pairs(texts, LISTS)
    rows = []
    for position, doc in enumerate(picked):
        key, text = captions[corpus][doc]
        found = {(taxonomy, index) for method in METHODS for taxonomy in LISTS
                 for d, index in counted[method][taxonomy] if d == position}
        found |= suggest(text)
        rows.append({"corpus": corpus, "doc_key": key, "caption": text,
                     "suggestions": "|".join(f"{t}:{i}:{suggest.names[t][i]}"
                                             for t, i in sorted(found, key=lambda p: (LISTS.index(p[0]), p[1])))})
    return rows


class Suggester:
    """Deliberately generous candidate classes for a caption, to help (never replace) the annotator."""

    def __init__(self) -> None:
        self.names = {taxonomy: class_names(taxonomy) for taxonomy in LISTS}
        self.terms: list[tuple[str, str, int]] = []  # (lower-cased term, list, class)
        self.heads: dict[str, set[tuple[str, int]]] = defaultdict(set)  # head-noun lemma -> classes
        for taxonomy in LISTS:
            class_list = freqscope.load_class_list(taxonomy)
            for term in class_list.terms:
                self.terms.append((term.term.lower(), taxonomy, term.class_index))
            for index, name in enumerate(self.names[taxonomy]):
                words = re.findall(r"[a-z]+", re.sub(r"\(.*?\)", "", name.lower()))
                if words:
                    self.heads[noun_lemma(words[-1])].add((taxonomy, index))

    def __call__(self, caption: str) -> set[tuple[str, int]]:
        lower = caption.lower()
        words = set(re.findall(r"[a-z0-9]+", lower))
        found = set()
        for term, taxonomy, index in self.terms:
            if term in lower if len(term) >= MIN_SUBSTRING_CHARS else term in words:
                found.add((taxonomy, index))
        for lemma in fdp_caption_lemmas(caption):
            found |= self.heads.get(lemma, set())
        return found


def imagenet_glosses() -> list[dict]:
    """ImageNet-1k's classes with their WordNet lemmas and gloss, so a labeller knows which sense a class is."""
    from freqscope.terms.wordnet import find_wordnet

    wordnet = find_wordnet()
    if wordnet is None or not Path(wordnet.location).is_dir():
        sys.exit("WordNet 3.0 is needed for the ImageNet-1k glosses: apt-get install wordnet-base")
    data = (Path(wordnet.location) / "data.noun").read_bytes()
    rows = []
    for entry in freqscope.load_class_list("imagenet1k").classes:
        offset = int(entry.wnid[1:])
        line = data[offset:data.find(b"\n", offset)].decode("utf-8")
        synset = wordnet.synset(entry.wnid)
        rows.append({"class_index": entry.index, "class": entry.name, "wnid": entry.wnid,
                     "lemmas": "|".join(l.replace("_", " ") for l in synset.lemmas),
                     "gloss": line.partition(" | ")[2].strip()})
    return rows


def chunks(rows: list[dict], size: int) -> list[list[dict]]:
    count = max(1, round(len(rows) / size))
    bounds = [round(i * len(rows) / count) for i in range(count + 1)]
    return [rows[bounds[i]:bounds[i + 1]] for i in range(count)]


def without_shipped_text(row: dict) -> dict:
    return {**row, "caption": ""} if row["corpus"] in TEXT_NOT_SHIPPED else row


def main() -> None:
    captions = {corpus: read_corpus(corpus) for corpus in CORPORA}
    out = QUALITY_DIR / "to_label"
    matches = draw_matches(captions)
    write_rows(QUALITY_DIR / "matches-sample.csv", SAMPLE_COLUMNS, matches)
    for number, chunk in enumerate(chunks(matches, MATCH_CHUNK_ROWS), 1):
        write_rows(out / f"matches-{number:02d}.csv", MATCH_COLUMNS, (without_shipped_text(r) for r in chunk))
    recall = draw_recall(captions)
    for number, chunk in enumerate(chunks(recall, RECALL_CHUNK_ROWS), 1):
        write_rows(out / f"recall-{number:02d}.csv", RECALL_COLUMNS, (without_shipped_text(r) for r in chunk))
    write_rows(out / "imagenet1k-glosses.csv", ("class_index", "class", "wnid", "lemmas", "gloss"), imagenet_glosses())
    strata = defaultdict(lambda: [0, 0])
    for row in matches:
        strata[row["stratum"]] = [row["stratum_pairs"], row["stratum_sampled"]]
    for stratum, (pairs, sampled) in strata.items():
        print(f"{stratum:22s} union {pairs:6d}  sampled {sampled:4d}")
    print(f"matches: {len(matches)} pairs; recall: {len(recall)} captions")


@dataclass(frozen=True)
class FreshDraw:
    """A draw of pairs freqscope counts at the draw that no earlier sample holds (``PREFIX-NN.csv``, design
    ``PREFIX-sample.csv``; ids ``ID_PREFIX0001``…; ``draw_fresh_matches``) and, for the later held-out draws, the
    next 300 web recall captions, skipping the captions the passes named in ``read_in_curation_passes`` read (those
    made before the draw: a pass read later adds its captions to the file, and the draw must stay reproducible)."""

    prefix: str
    per_stratum: dict[tuple[str, str], int]
    seed: int
    earlier: tuple[str, ...]
    id_prefix: str
    recall: bool = False
    read_in_curation_passes: tuple[str, ...] = ()


# The pair draws after the first sample, by command: the held-out ones (HELDOUT_DRAWS: web ImageNet-1k pairs counted
# after the first, third, seventh, fourteenth and sixteenth curation passes) and the development ones (dev-matches: web pairs of
# every list after the first curation; dev2 after (and apart from) the third held-out draw; dev3 after the ninth and
# tenth passes). Each seed and list of earlier samples is the one its draw was made with.
FRESH_DRAWS = {
    "heldout": FreshDraw(FIRST_HELDOUT.prefix, HELDOUT_MATCHES, SEED + 4, ("matches-sample.csv",), "h"),
    "dev-matches": FreshDraw("dev", DEV_MATCHES, SEED + 5, ("matches-sample.csv", FIRST_HELDOUT.design), "d"),
    "heldout2": FreshDraw(SECOND_HELDOUT.prefix, HELDOUT_MATCHES, SEED + 7, tuple(HELDOUT2_EARLIER), "g"),
    "heldout3": FreshDraw(THIRD_HELDOUT.prefix, HELDOUT_MATCHES, HELDOUT3_SEED, tuple(HELDOUT3_EARLIER), "k",
                          recall=True),
    "dev2": FreshDraw("dev2", DEV2_MATCHES, DEV2_SEED, (*HELDOUT3_EARLIER, THIRD_HELDOUT.design), "e"),
    "dev3": FreshDraw("dev3", DEV3_MATCHES, DEV3_SEED, (*HELDOUT3_EARLIER, THIRD_HELDOUT.design, "dev2-sample.csv"),
                      "f"),
    "heldout4": FreshDraw(FOURTH_HELDOUT.prefix, HELDOUT_MATCHES, HELDOUT4_SEED, tuple(HELDOUT4_EARLIER), "m",
                          recall=True, read_in_curation_passes=("ninth", "eleventh")),
    "heldout5": FreshDraw(FIFTH_HELDOUT.prefix, HELDOUT_MATCHES, HELDOUT5_SEED, tuple(HELDOUT5_EARLIER), "n",
                          recall=True, read_in_curation_passes=("ninth", "eleventh", "fifteenth")),
}


def draw_fresh(draw: FreshDraw) -> None:
    captions = read_corpora()
    write_fresh_matches(draw.prefix, draw_fresh_matches(captions, draw.per_stratum, draw.seed, list(draw.earlier),
                                                        draw.id_prefix))
    if draw.recall:
        write_more_recall(captions, read_in_curation(draw.read_in_curation_passes))


def read_in_curation(passes: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    """(corpus, doc_key) of every web caption the named curation passes read whole."""
    return frozenset((row["corpus"], row["doc_key"])
                     for row in read_rows(QUALITY_DIR / READ_IN_CURATION, ("corpus", "doc_key", "pass"))
                     if row["pass"] in passes)


def second() -> None:
    """The second annotator's chunks: SECOND_PAIRS pairs of heldout2-01 and SECOND_RECALL captions of the
    second held-out draw's recall chunks, drawn uniformly, with the same ids and no labels."""
    rng = random.Random(SEED + 8)
    drawn = QUALITY_DIR / "to_label"
    pairs = read_rows(drawn / f"{SECOND_HELDOUT.prefix}-01.csv", MATCH_COLUMNS)
    captions = [row for number in SECOND_HELDOUT.recall_chunks
                for row in read_rows(drawn / f"recall-{number:02d}.csv", RECALL_COLUMNS)]
    write_rows(drawn / "second-pairs.csv", MATCH_COLUMNS, sorted(rng.sample(pairs, SECOND_PAIRS), key=lambda r: r["id"]))
    write_rows(drawn / "second-recall.csv", RECALL_COLUMNS,
               sorted(rng.sample(captions, SECOND_RECALL), key=lambda r: r["id"]))
    print(f"second annotator: {SECOND_PAIRS} pairs, {SECOND_RECALL} recall captions")


def read_corpora() -> dict[str, list[tuple[str, str]]]:
    return {corpus: read_corpus(corpus) for corpus in CORPORA}


def write_fresh_matches(name: str, matches: list[dict]) -> None:
    write_rows(QUALITY_DIR / f"{name}-sample.csv", HELDOUT_SAMPLE_COLUMNS, matches)
    for number, chunk in enumerate(chunks(matches, MATCH_CHUNK_ROWS), 1):
        write_rows(QUALITY_DIR / "to_label" / f"{name}-{number:02d}.csv", MATCH_COLUMNS, chunk)
    print(f"{name} matches: {len(matches)} pairs")


def write_more_recall(captions: dict[str, list[tuple[str, str]]],
                      read_in_curation: frozenset[tuple[str, str]] = frozenset()) -> None:
    out = QUALITY_DIR / "to_label"
    chunks_drawn = len(list(out.glob("recall-*.csv")))
    recall = draw_more_recall(captions, chunks_drawn, read_in_curation)
    for number, chunk in enumerate(chunks(recall, RECALL_CHUNK_ROWS), chunks_drawn + 1):
        write_rows(out / f"recall-{number:02d}.csv", RECALL_COLUMNS, chunk)
    print(f"more recall captions: {len(recall)}")


def rereading() -> None:
    """The labelled rows a rule settled after they were labelled could decide (quality_rereading.py), for a reader
    who sees neither their labels nor the methods."""
    labelled = QUALITY_DIR / "labelled"
    pair_files, recall_files = quality_rereading.labelled_files(labelled)
    columns = {path: (MATCH_COLUMNS if path in pair_files else RECALL_COLUMNS) for path in pair_files + recall_files}
    not_shipped = [row for path, cols in columns.items() for row in read_rows(path, cols)
                   if row["corpus"] in TEXT_NOT_SHIPPED]
    captions = {(row["corpus"], row["doc_key"]): row["caption"]
                for row in fill_captions(not_shipped, skip_unavailable=False)}
    rows = quality_rereading.select(labelled, captions)
    path = quality_rereading.write_selection(rows, QUALITY_DIR / "to_label")
    pairs = sum(row["taxonomy"] != "recall" for row in rows)
    print(f"{path.name}: {pairs} pairs and {len(rows) - pairs} recall captions to re-read")


def apply_rereading() -> None:
    """The re-read labels into data/quality/labelled/, every change listed in relabelled.csv."""
    changes = quality_rereading.apply(QUALITY_DIR / "labelled", QUALITY_DIR / "labelled" / quality_rereading.REREAD_FILE)
    write_rows(QUALITY_DIR / quality_rereading.CHANGES_FILE, quality_rereading.CHANGE_COLUMNS, changes)
    print(f"{len(changes)} labels changed (relabelled.csv)")


def show(path: Path) -> None:
    """Print a label chunk with the captions that are not shipped filled in from ../shared."""
    columns = tuple(next(csv.reader(path.open(encoding="utf-8"))))
    writer = csv.DictWriter(sys.stdout, fieldnames=columns)
    writer.writeheader()
    for row in fill_captions(read_rows(path, columns), skip_unavailable=False):
        writer.writerow({c: row.get(c, "") for c in columns})


if __name__ == "__main__":
    commands = {"second": second, "more-recall": lambda: write_more_recall(read_corpora()),
                "rereading": rereading, "apply-rereading": apply_rereading,
                **{name: partial(draw_fresh, draw) for name, draw in FRESH_DRAWS.items()}}
    if sys.argv[1:2] == ["show"] and len(sys.argv) == 3:
        show(Path(sys.argv[2]))
    elif len(sys.argv) == 2 and sys.argv[1] in commands:
        try:
            commands[sys.argv[1]]()
        except QualityDataError as error:
            sys.exit(f"error: {error}")
    elif len(sys.argv) == 1:
        main()
    else:
        sys.exit(f"usage: quality_sample.py [show FILE | {' | '.join(commands)}]")
