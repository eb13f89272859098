"""Class lists and the exact terms that stand for each class: what ``freqscope index`` searches for.

A list is a built-in name (``data/classes/lists.json``) or a CSV with the columns ``name`` (required),
``wnid``, ``synonyms``, ``context`` (``;``-separated each) and ``block`` (``;``-separated phrases that count
for no class, given on any row). The terms of a class are its cleaned name, its synonyms, its curated
everyday names (built-in lists, ``data/terms/``), the lemmas of its WordNet synset (and optionally of every
hyponym below it), and the other grammatical number of each of those; each with its tier and the reason for
it (``freqscope.terms.tiers``); see docs/class-lists.md for the rules.

Built-in lists are shipped pre-expanded (``<name>.terms.csv``, made by scripts/build_class_lists.py from
WordNet 3.0), so loading them with the default options needs no WordNet and takes milliseconds; other
options expand the shipped ``<name>.csv`` the same way a custom CSV is expanded.
"""
from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from freqscope.errors import FreqscopeError
from freqscope.paths import CLASS_LISTS_DIR, TERMS_DATA_DIR
from freqscope.terms import tiers
from freqscope.terms.curated import CuratedTerms, curated_block_phrases, read_curated
from freqscope.terms.inflection import inflections
from freqscope.terms.taxonomy import ACCEPTED_TIERS, TERM_ORIGINS, BlockHead, BlockPhrase, ClassEntry, ClassList, ContextWord, Term
from freqscope.terms.wordnet import WNID_PATTERN, WordNet, find_wordnet, require_wordnet
from freqscope.text import normalize_words

BUILTIN_INDEX_FILE = CLASS_LISTS_DIR / "lists.json"
CSV_COLUMNS = ("name", "wnid", "synonyms", "context", "block")
TERMS_CSV_COLUMNS = ("class_index", "term", "origin", "ambiguous", "wordnet_senses", "tier", "tier_reason")
# The shipped context words and block phrases of a built-in list, beside its terms.
CONTEXT_CSV_COLUMNS = ("class_index", "context", "origin")
BLOCK_CSV_COLUMNS = ("phrase", "origin", "reason")
HEADS_CSV_COLUMNS = ("head", "origin", "reason")
SYNONYM_SEPARATOR = ";"

# A parenthetical qualifier is not part of a term: "kite (bird of prey)" is searched as "kite".
_PARENTHETICAL = re.compile(r"\([^()]*\)")
# "/" between spaced words separates alternatives ("baluster / handrail"); inside a word it is a word
# break like "-" ("Ram C/V Cargo Van", "F/A-18"), which normalisation already gives.
_ALTERNATIVES = re.compile(r"\s+/\s*|\s*/\s+")
_ORIGIN_RANK = {origin: rank for rank, origin in enumerate(TERM_ORIGINS)}
VERB_BLOCK_ORIGIN = "verb rule"
# The origin of a compound's other spelling (tiers.compound_spellings), as of the curated ones in everyday.csv.
COMPOUND_ORIGIN = "compound-spelling"


@dataclass(frozen=True)
class ClassRow:
    """One class as a list file gives it, with the line it came from (for error messages)."""

    name: str
    wnid: str | None
    synonyms: tuple[str, ...]
    line: int
    context: tuple[str, ...] = ()  # context words for the class's context terms
    block: tuple[str, ...] = ()  # block phrases of the whole list, given on this row


def clean_name(name: str) -> list[str]:
    """The terms a class name or synonym stands for: qualifiers dropped, alternatives split, "_" a space."""
    without_qualifiers = _PARENTHETICAL.sub(" ", name)
    alternatives = []
    for part in _ALTERNATIVES.split(without_qualifiers):
        text = " ".join(part.replace("_", " ").split())
        if text and text not in alternatives:
            alternatives.append(text)
    return alternatives


def lemma_text(lemma: str) -> str:
    """A WordNet lemma as text: "Tinca_tinca" → "Tinca tinca"."""
    return lemma.replace("_", " ")


# ---------------------------------------------------------------------------------------------- reading


def read_class_csv(path: Path) -> list[ClassRow]:
    """The rows of a class-list CSV, checked: a bad row raises a FreqscopeError naming file and line."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise FreqscopeError(f"cannot read class list {path}: {exc.strerror}") from None
    with handle:
        # csv.reader, not DictReader: every `freqscope index` reads the 22 built-in lists (~3,500 rows)
        reader = csv.reader(handle)
        header = [column.strip() for column in next(reader, [])]
        if "name" not in header:
            raise FreqscopeError(
                f"{path}: the header has no `name` column (found {', '.join(header) or 'nothing'}); "
                f"the columns are {', '.join(CSV_COLUMNS)}, of which only `name` is required"
            )
        unknown = [column for column in header if column not in CSV_COLUMNS]
        if unknown:
            raise FreqscopeError(
                f"{path}: unknown column(s) {', '.join(unknown)}; the columns are {', '.join(CSV_COLUMNS)}"
            )
        name_at = header.index("name")
        # a missing optional column reads as the empty field past the row's end
        wnid_at = header.index("wnid") if "wnid" in header else len(header)
        synonyms_at = header.index("synonyms") if "synonyms" in header else len(header)
        context_at = header.index("context") if "context" in header else len(header)
        block_at = header.index("block") if "block" in header else len(header)
        missing = [""] * (len(header) + 1)
        rows = []
        for record in reader:
            if not record:  # a blank line, which DictReader also skips
                continue
            line = reader.line_num
            if len(record) > len(header):
                raise FreqscopeError(f"{path}, line {line}: more fields than header columns; quote names with commas")
            record += missing[len(record):]  # short rows: the fields not given are empty
            name = record[name_at].strip()
            if not name:
                raise FreqscopeError(f"{path}, line {line}: empty class name; every row needs a `name`")
            wnid = record[wnid_at].strip() or None
            if wnid is not None and not WNID_PATTERN.match(wnid):
                raise FreqscopeError(
                    f"{path}, line {line}: malformed wnid {wnid!r} for {name!r}; a wnid is 'n' and 8 digits, "
                    "e.g. n02084071"
                )
            synonyms, context, block = (_split(record[at]) for at in (synonyms_at, context_at, block_at))
            for what, phrases in (("block phrase", block), ("context word", context)):
                for phrase in phrases:
                    if not normalize_words(phrase):
                        raise FreqscopeError(f"{path}, line {line}: {what} {phrase!r} has no words; give words of "
                                             "letters or digits")
            rows.append(ClassRow(name, wnid, synonyms, line, context, block))
    if not rows:
        raise FreqscopeError(f"{path}: no classes; add one row per class below the header")
    return rows


def _split(field: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in field.split(SYNONYM_SEPARATOR) if s.strip()) if field else ()


# -------------------------------------------------------------------------------------------- expanding


def _check_wnids(rows: list[ClassRow], wordnet: WordNet, source: str) -> None:
    for row in rows:
        if row.wnid is not None and wordnet.synset(row.wnid) is None:
            raise FreqscopeError(
                f"{source}, line {row.line}: wnid {row.wnid} of {row.name!r} is not a WordNet 3.0 noun synset; "
                "fix the id or leave the wnid empty"
            )


def _resolve_wnid(row: ClassRow, wordnet: WordNet) -> str | None:
    for alternative in clean_name(row.name):
        wnid = wordnet.first_noun_sense(alternative)
        if wnid is not None:
            return wnid
    return None


@dataclass(frozen=True)
class _BaseTerm:
    """A term before inflection, with its tier."""

    text: str
    origin: str
    tier: str
    reason: str


def _origin_rank(origin: str) -> int:
    return _ORIGIN_RANK.get(origin, _ORIGIN_RANK["curated"])  # curated rows carry their own origin


def _base_terms(row: ClassRow, wnid: str | None, wordnet: WordNet | None, hyponyms: bool,
                everyday: list) -> list[_BaseTerm]:
    """A class's terms before inflection, with their tiers (freqscope.terms.tiers)."""
    names = clean_name(row.name)
    base = [_BaseTerm(text, "name", *tiers.name_tier(text, row.name, wnid, wordnet, len(names))) for text in names]
    for synonym in row.synonyms:
        alternatives = clean_name(synonym)
        for text in alternatives:
            tier, reason = tiers.name_tier(text, synonym, wnid, wordnet, len(alternatives))
            base.append(_BaseTerm(text, "synonym", tier, "a synonym the list gives" if tier == "name" else reason))
    base += [_BaseTerm(name.term, name.origin, name.tier, f"curated everyday name ({name.evidence or name.origin})")
             for name in everyday]
    if wordnet is not None and wnid is not None:
        base += [_BaseTerm(lemma_text(lemma), "wordnet", *tiers.lemma_tier(lemma_text(lemma), wnid, wordnet))
                 for lemma in wordnet.synset(wnid).lemmas]
        if hyponyms:
            base += [
                _BaseTerm(lemma_text(lemma), "hyponym", *tiers.lemma_tier(lemma_text(lemma), hyponym, wordnet))
                for hyponym in wordnet.hyponym_closure(wnid)
                for lemma in wordnet.synset(hyponym).lemmas
            ]
    return base


KIND_ORIGIN = "hyponym"
# The built-in lists that take the kinds of their classes from another built-in list (_kind_terms).
BUILTIN_KINDS_FROM = {"cifar10": "imagenet1k", "cifar100": "imagenet1k"}


def _kind_terms(index: int, base: list[_BaseTerm], wnid: str, wordnet: WordNet, other: ClassList,
                curated: CuratedTerms) -> list[_BaseTerm]:
    """The terms of ``other`` that name a kind of this class with the class's word: a counted term of several
    words of a class of ``other`` at or below this class's synset in WordNet, whose last word is a one-word
    counted term of this class (ImageNet-1k's "great white shark" and "mountain bike" for CIFAR-100's shark and
    bicycle, "red fox" for fox, whose word alone needs context; not "sea lion" for seal). Indexed together, the
    longer term hides the shorter by the longest match, so without these the counts of a class would depend on the
    lists indexed beside it (docs/class-lists.md, "Across lists").
    A term of the class counts with the tier data/terms/tiers.csv curates for it, if any (CIFAR-100's "bike"),
    (``CuratedTerms.tier_of``, as ``_class_terms`` looks it up)."""
    def tier(term: _BaseTerm) -> str:
        override = curated.tier_of(index, term.text)
        return override.tier if override else term.tier

    words = {tuple(normalize_words(term.text)) for term in base if tier(term) in ACCEPTED_TIERS}
    heads = {key[0] for key in words if len(key) == 1}
    below = {wnid, *wordnet.hyponym_closure(wnid)}
    kinds = {entry.index: entry for entry in other.classes if entry.wnid in below}
    found: list[_BaseTerm] = []
    for term in other.terms:
        key = term.words
        if (term.class_index in kinds and term.tier in ("name", "specific") and len(key) > 1 and key[-1] in heads
                and term.origin not in ("plural", "singular", COMPOUND_ORIGIN, "generic") and key not in words):
            words.add(key)
            kind = kinds[term.class_index]
            found.append(_BaseTerm(term.term, KIND_ORIGIN, "specific",
                                   f"a kind of the class named with its word: {other.name}'s term for {kind.name!r} "
                                   f"({kind.wnid}, below this class's {wnid} in WordNet)"))
    return found


def _class_terms(index: int, base: list[_BaseTerm], wordnet: WordNet | None, curated: CuratedTerms,
                 has_synset: bool) -> list[Term]:
    """One class's terms: each normalised word sequence once, by origin precedence, then the compound spellings and
    the inflected forms, which inherit their base term's tier (a curated tier, data/terms/tiers.csv, overrides the
    rule for each of them, given for its own words)."""
    seen: set[tuple[str, ...]] = set()
    kept: list[Term] = []

    def keep(text: str, origin: str, senses: int | None, tier: str, reason: str) -> None:
        """The term, once, with the rule's tier unless data/terms/tiers.csv curates one for these very words
        ("sinks": the plural in captions, not the verb)."""
        words = tuple(normalize_words(text))
        if words and words not in seen:
            seen.add(words)
            override = curated.tier_of(index, text)
            if override:
                tier, reason = override.tier, f"curated: {override.reason}"
            kept.append(Term(index, text, origin, wordnet_senses=senses, tier=tier, tier_reason=reason))

    for term in sorted(base, key=lambda term: _origin_rank(term.origin)):
        keep(term.text, term.origin, wordnet.noun_senses(term.text) if wordnet is not None else None, term.tier,
             term.reason)
    for term in list(kept):
        if term.tier in ACCEPTED_TIERS and term.origin != "generic":
            for spelling in tiers.compound_spellings(term.term, wordnet):
                keep(spelling, COMPOUND_ORIGIN, term.wordnet_senses, term.tier,
                     f"{'joined' if ' ' in term.term else 'split'} spelling of {term.term!r}: {term.tier_reason}")
    irregular = wordnet.irregular_plurals if wordnet is not None else None
    for term in list(kept):
        for form, origin in inflections(term.term, irregular):
            tier, reason = term.tier, f"{origin} of {term.term!r}: {term.tier_reason}"
            # with a synset, whose hypernyms are context words: without one the form could never count
            if (origin == "plural" and tier in ("name", "specific") and has_synset
                    and tiers.is_chiefly_verb(wordnet, term.term)):
                tier, reason = "context", f"also the third person of the verb {term.term!r}, which WordNet says it chiefly is"
            keep(form, origin, term.wordnet_senses, tier, reason)
    return kept


def _generic_terms(curated: CuratedTerms, class_names: list[str]) -> list[Term]:
    """The curated generic parent names, each a term of every sub-class it names, with its inflected forms."""
    terms = []
    for generic in curated.generic:
        reason = f"generic name of {'; '.join(class_names[i] for i in generic.class_indexes)} ({generic.origin})"
        for index in generic.class_indexes:
            terms.append(Term(index, generic.term, "generic", tier="generic", tier_reason=reason))
            terms += [Term(index, form, "generic", tier="generic", tier_reason=f"{origin} of {generic.term!r}: {reason}")
                      for form, origin in inflections(generic.term)]
    return terms


def flag_ambiguous(terms: list[Term]) -> list[Term]:
    """Mark the counted terms (ACCEPTED_TIERS) whose normalised words stand for more than one class of the list
    through counted terms: a blocked term stands for no class, and a generic name for several on purpose, apart."""
    classes_of: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for term in terms:
        if term.tier in ACCEPTED_TIERS:
            classes_of[term.words].add(term.class_index)
    return [replace(t, ambiguous=t.tier in ACCEPTED_TIERS and len(classes_of[t.words]) > 1) for t in terms]


def _context_words(rows: list[ClassRow], wnids: list[str | None], terms: list[Term], wordnet: WordNet | None,
                   curated: CuratedTerms) -> list[ContextWord]:
    """The context words of the classes that have context terms: the name's qualifier, the hypernyms' lemmas,
    the curated ones and the list's own, with their inflected forms."""
    with_context = sorted({term.class_index for term in terms if term.tier == "context"})
    words: list[ContextWord] = []
    for index in with_context:
        row, wnid = rows[index], wnids[index]
        given = [(text, "qualifier") for text in tiers.qualifier_context(row.name)]
        if wordnet is not None and wnid is not None:
            given += [(text, "hypernym") for text in tiers.hypernym_context(wordnet, wnid)]
        given += curated.context.get(index, [])
        given += [(text, "list") for text in row.context]
        seen: set[tuple[str, ...]] = set()
        for text, origin in given:
            for form, form_origin in [(text, origin), *inflections(text)]:
                key = tuple(normalize_words(form))
                if key and key not in seen:
                    seen.add(key)
                    words.append(ContextWord(index, form, origin if form == text else form_origin))
    return words


def _head_words(heads: Sequence[BlockHead]) -> list[BlockHead]:
    """The list's head nouns (heads.csv) and their inflected forms ("towel", "towels"), each once: the matcher
    does not count a term's match right before one (the head rule, instead of a block phrase "X HEAD" for every
    term X)."""
    seen: set[tuple[str, ...]] = set()
    kept = []
    for head in heads:
        for form, origin in [(head.head, head.origin), *inflections(head.head)]:
            key = tuple(normalize_words(form))
            if len(key) == 1 and key not in seen:
                seen.add(key)
                kept.append(BlockHead(form, origin, head.reason))
    return kept


def _block_phrases(rows: list[ClassRow], terms: list[Term], wordnet: WordNet | None,
                   builtin_block: tuple[BlockPhrase, ...]) -> list[BlockPhrase]:
    """The list's block phrases: the shipped ones (built-in lists), the list's own, and "to X" for
    each one-word term X that WordNet says is often a verb (tiers.is_often_verb); each with its inflected forms,
    once."""
    phrases = list(builtin_block) + [BlockPhrase(phrase, "list", f"line {row.line}") for row in rows for phrase in row.block]
    verbs = [BlockPhrase(f"to {term.term}", VERB_BLOCK_ORIGIN, f"{term.term!r} is often a verb in WordNet")
             for term in terms if term.origin not in ("plural", "singular", "generic")
             and term.tier != "blocked" and tiers.is_often_verb(wordnet, term.term)]
    if verbs:  # matched first (leftmost), these keep "next to train tracks" a train
        verbs += [BlockPhrase(phrase, VERB_BLOCK_ORIGIN, "a preposition before a noun, not 'to' before a verb")
                  for phrase in tiers.PREPOSITIONS_WITH_TO]
    phrases += verbs
    seen: set[tuple[str, ...]] = set()
    kept = []
    for phrase in phrases:
        forms = [(phrase.phrase, phrase.origin)]
        if phrase.origin != VERB_BLOCK_ORIGIN:
            forms += [(form, phrase.origin) for form, _ in inflections(phrase.phrase)]
        for form, origin in forms:
            key = tuple(normalize_words(form))
            if key not in seen:
                seen.add(key)
                kept.append(BlockPhrase(form, origin, phrase.reason))
    return kept


def _class_entries(rows: list[ClassRow], wnids: list[str | None], guessed: list[bool]) -> list[ClassEntry]:
    name_counts = Counter(row.name for row in rows)
    return [
        ClassEntry(index, row.name, wnid, name_counts[row.name] > 1, was_guessed)
        for index, (row, wnid, was_guessed) in enumerate(zip(rows, wnids, guessed))
    ]


def expand_class_list(
    name: str,
    source: str,
    rows: list[ClassRow],
    *,
    hyponyms: bool = False,
    use_wordnet: bool = True,
    wordnet_resolve: bool = False,
    curated: bool = False,
    terms_dir: Path = TERMS_DATA_DIR,
    kinds_from: ClassList | None = None,
) -> ClassList:
    """Build a list's classes and terms from its rows (WordNet is read where the options need it); ``curated``:
    a built-in list, which takes the curated term data of ``terms_dir``; ``kinds_from``: a list indexed beside
    this one whose terms for kinds of this list's classes become their terms too (``_kind_terms``; for a built-in
    list of BUILTIN_KINDS_FROM, its list expanded from the shipped class file when not given)."""
    if curated and kinds_from is None and name in BUILTIN_KINDS_FROM:
        other = BUILTIN_KINDS_FROM[name]
        kinds_from = expand_class_list(other, f"builtin:{other}", read_class_csv(builtin_classes_file(other)),
                                       curated=True, terms_dir=terms_dir)
    wordnet: WordNet | None = None
    if use_wordnet:
        if any(row.wnid for row in rows):
            wordnet = require_wordnet(f"for the wnids of {source} (or pass --no-wordnet)")
        elif wordnet_resolve:
            wordnet = require_wordnet(f"for --wordnet-resolve on {source}")
        else:
            wordnet = find_wordnet()  # for the sense counts and parts of speech; a list without wnids works without it
    if wordnet is not None:
        _check_wnids(rows, wordnet, source)
    wnids = [row.wnid for row in rows]
    guessed = [False] * len(rows)
    if wordnet is not None and wordnet_resolve:
        for position, row in enumerate(rows):
            if row.wnid is None:
                wnids[position] = _resolve_wnid(row, wordnet)
                guessed[position] = wnids[position] is not None
    class_names = [row.name for row in rows]
    data = read_curated(name, class_names, terms_dir) if curated else CuratedTerms()
    terms: list[Term] = []
    for index, row in enumerate(rows):
        base = _base_terms(row, wnids[index], wordnet, hyponyms, data.everyday.get(index, []))
        if kinds_from is not None and wordnet is not None and wnids[index] is not None:
            base += _kind_terms(index, base, wnids[index], wordnet, kinds_from, data)
        terms.extend(_class_terms(index, base, wordnet, data, wnids[index] is not None))
    terms = flag_ambiguous(terms + _generic_terms(data, class_names))
    options = {
        "hyponyms": hyponyms,
        "wordnet": use_wordnet,
        "wordnet_resolve": wordnet_resolve,
        "wordnet_senses": wordnet is not None,
    }
    builtin_block = curated_block_phrases(terms_dir) if curated else ()
    return ClassList(name, source, _class_entries(rows, wnids, guessed), terms, options,
                     _context_words(rows, wnids, terms, wordnet, data),
                     _block_phrases(rows, terms, wordnet, builtin_block), _head_words(data.heads))


# -------------------------------------------------------------------------------------------- built-ins


@lru_cache(maxsize=1)
def _builtin_index() -> dict[str, dict]:
    return json.loads(BUILTIN_INDEX_FILE.read_text(encoding="utf-8"))


def builtin_class_lists() -> dict[str, int]:
    """The built-in lists and their number of classes, in the shipped order."""
    return {name: info["classes"] for name, info in _builtin_index().items()}


def builtin_list_info(name: str) -> dict:
    """What lists.json says of a built-in list: classes, terms, origin, licence."""
    return dict(_builtin_index()[name])


def builtin_classes_file(name: str) -> Path:
    return CLASS_LISTS_DIR / f"{name}.csv"


def builtin_terms_file(name: str) -> Path:
    return CLASS_LISTS_DIR / f"{name}.terms.csv"


def builtin_context_file(name: str) -> Path:
    return CLASS_LISTS_DIR / f"{name}.context.csv"


def builtin_block_file(name: str) -> Path:
    return CLASS_LISTS_DIR / f"{name}.block.csv"


def builtin_heads_file(name: str) -> Path:
    return CLASS_LISTS_DIR / f"{name}.heads.csv"


def _read_shipped(path: Path, columns: tuple[str, ...], *, required: bool = True) -> list[list[str]]:
    if not required and not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        if tuple(next(rows, ())) != columns:
            raise FreqscopeError(f"{path}: not a file of this freqscope version (header is not "
                                 f"{','.join(columns)}); rebuild it with scripts/build_class_lists.py")
        return list(rows)


def _read_expanded_terms(path: Path) -> list[Term]:
    # positional, not DictReader: every `freqscope index` reads these ~12,000 rows
    return [Term(int(class_index), term, origin, ambiguous == "1", int(senses) if senses else None, tier, reason)
            for class_index, term, origin, ambiguous, senses, tier, reason in _read_shipped(path, TERMS_CSV_COLUMNS)]


def _write_rows(path: Path, columns: tuple[str, ...], rows: list[tuple]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def write_expanded_terms(class_list: ClassList, path: Path) -> None:
    """The shipped form of a list's terms (what ``_read_expanded_terms`` reads back), and beside it, where the
    list has any, its context words (``NAME.context.csv``), block phrases (``NAME.block.csv``) and head words
    (``NAME.heads.csv``)."""
    _write_rows(path, TERMS_CSV_COLUMNS, [
        (t.class_index, t.term, t.origin, int(t.ambiguous), "" if t.wordnet_senses is None else t.wordnet_senses,
         t.tier, t.tier_reason) for t in class_list.terms])
    stem = path.name.removesuffix(".terms.csv")
    for suffix, columns, rows in (
        ("context", CONTEXT_CSV_COLUMNS, [(w.class_index, w.context, w.origin) for w in class_list.context]),
        ("block", BLOCK_CSV_COLUMNS, [(b.phrase, b.origin, b.reason) for b in class_list.block]),
        ("heads", HEADS_CSV_COLUMNS, [(h.head, h.origin, h.reason) for h in class_list.heads]),
    ):
        if rows:
            _write_rows(path.with_name(f"{stem}.{suffix}.csv"), columns, rows)


def _load_builtin_expanded(name: str) -> ClassList:
    rows = read_class_csv(builtin_classes_file(name))
    wnids = [row.wnid for row in rows]
    options = {"hyponyms": False, "wordnet": True, "wordnet_resolve": False, "wordnet_senses": True}
    context = [ContextWord(int(index), text, origin)
               for index, text, origin in _read_shipped(builtin_context_file(name), CONTEXT_CSV_COLUMNS, required=False)]
    block = [BlockPhrase(*row) for row in _read_shipped(builtin_block_file(name), BLOCK_CSV_COLUMNS, required=False)]
    heads = [BlockHead(*row) for row in _read_shipped(builtin_heads_file(name), HEADS_CSV_COLUMNS, required=False)]
    return ClassList(
        name, f"builtin:{name}", _class_entries(rows, wnids, [False] * len(rows)),
        _read_expanded_terms(builtin_terms_file(name)), options, context, block, heads,
    )


def _unknown_list(spec: str) -> FreqscopeError:
    return FreqscopeError(
        f"unknown class list {spec!r}: not a built-in list and no such CSV file; built-in lists: "
        f"{', '.join(builtin_class_lists())}"
    )


def load_class_list(
    spec: str | Path,
    *,
    hyponyms: bool = False,
    use_wordnet: bool = True,
    wordnet_resolve: bool = False,
) -> ClassList:
    """A built-in list by name, or a CSV list (named after the file's stem), with its expanded terms."""
    text = str(spec)
    if not isinstance(spec, Path) and text in _builtin_index():
        if use_wordnet and not hyponyms and not wordnet_resolve:
            return _load_builtin_expanded(text)
        return expand_class_list(
            text, f"builtin:{text}", read_class_csv(builtin_classes_file(text)),
            hyponyms=hyponyms, use_wordnet=use_wordnet, wordnet_resolve=wordnet_resolve, curated=True,
        )
    path = Path(spec)
    if not path.is_file():
        raise _unknown_list(text)
    return expand_class_list(
        path.stem, str(path), read_class_csv(path),
        hyponyms=hyponyms, use_wordnet=use_wordnet, wordnet_resolve=wordnet_resolve,
    )
