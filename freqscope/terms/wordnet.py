"""WordNet 3.0 noun data: synset lemmas, hyponyms and hypernyms, sense order, sense counts, how often each part
of speech of a word was tagged, and the noun exception list.

Reads the WordNet database files (``data.noun``, ``index.noun``, ``noun.exc``; format in wndb(5); and where
present ``cntlist.rev``, the tagged-sense counts, and ``index.verb``/``index.adj``/``index.adv``) straight
from wherever they are installed: ``$FREQSCOPE_WORDNET``, Debian's ``wordnet-base`` (/usr/share/wordnet),
``$WNHOME/dict``, or NLTK's ``corpora/wordnet`` data. NLTK's own reader is not used because it needs
``lexnames`` and ``index.sense``, which Debian's package lacks, and refuses paths outside ``nltk.data.path``;
the files themselves are simple and only four questions are asked of them.

A wnid is the ImageNet spelling of a noun synset: "n" followed by its 8-digit offset in ``data.noun``.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from freqscope.errors import FreqscopeError

INSTALL_HINT = (
    "install WordNet 3.0: `apt-get install wordnet-base` (Debian/Ubuntu), or NLTK's data "
    "(`python -m nltk.downloader wordnet`), or set FREQSCOPE_WORDNET to a directory holding data.noun"
)
WNID_PATTERN = re.compile(r"^n\d{8}$")
_VERSION_PATTERN = re.compile(rb"WordNet (\d+\.\d+) Copyright")
_DEBIAN_DIRS = ("/usr/share/wordnet", "/usr/local/WordNet-3.0/dict", "/usr/local/share/wordnet")
_HYPONYM_POINTERS = ("~",)  # plain hyponyms, as NLTK's Synset.hyponyms(); "~i" instances are not kinds
_HYPERNYM_POINTERS = ("@", "@i")  # a kind's parent, and an instance's class
_FILES = ("data.noun", "index.noun", "noun.exc")
# The sense key's ss_type (wndb(5), senseidx(5)): 1 noun, 2 verb, 3 adjective, 4 adverb, 5 adjective satellite.
_SS_TYPE_POS = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}
_OTHER_INDEXES = {"v": "index.verb", "a": "index.adj", "r": "index.adv"}


@dataclass(frozen=True)
class NounSynset:
    wnid: str
    lemmas: tuple[str, ...]  # as WordNet spells them: "Tinca_tinca"
    hyponyms: tuple[str, ...]  # wnids of the direct hyponyms
    hypernyms: tuple[str, ...] = ()  # wnids of the direct hypernyms (of an instance: its class)


def wnid_offset(wnid: str) -> int:
    return int(wnid[1:])


def lemma_key(text: str) -> str:
    """How index.noun spells a lemma: lower case, words joined by "_"."""
    return "_".join(text.lower().split())


class WordNet:
    """WordNet 3.0 nouns, read once into memory (about 20 MB of text, under a second)."""

    def __init__(self, read: Callable[[str], bytes], location: str):
        self.location = location
        self._data = read("data.noun")
        header = self._data[:4000]
        version = _VERSION_PATTERN.search(header)
        if version is None or version.group(1) != b"3.0":
            found = version.group(1).decode() if version else "unknown"
            raise FreqscopeError(f"WordNet at {location} is version {found}, not 3.0; {INSTALL_HINT}")
        self._index: dict[str, tuple[int, ...]] = {}
        for line in read("index.noun").decode("utf-8").splitlines():
            if line.startswith(" "):  # the licence header
                continue
            fields = line.split()
            n_senses, n_pointers = int(fields[2]), int(fields[3])
            # lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...
            self._index[fields[0]] = tuple(int(o) for o in fields[6 + n_pointers : 6 + n_pointers + n_senses])
        self._exceptions = [
            tuple(line.split()) for line in read("noun.exc").decode("utf-8").splitlines() if line.strip()
        ]
        # Other parts of speech: which lemmas they have, and how often each part of speech of a lemma was
        # tagged in WordNet's semantic concordance (cntlist.rev: "sense_key sense_number tag_count").
        self._other_senses: dict[str, dict[str, int]] = {}
        for pos, name in _OTHER_INDEXES.items():
            for line in _optional(read, name).splitlines():
                if not line.startswith(" ") and line:
                    fields = line.split()
                    self._other_senses.setdefault(fields[0], {})[pos] = int(fields[2])
        self._tag_counts: dict[str, dict[str, int]] = {}
        for line in _optional(read, "cntlist.rev").splitlines():
            sense_key, _, count = line.split()
            lemma, _, lex_sense = sense_key.partition("%")
            pos = _SS_TYPE_POS[lex_sense[0]]
            counts = self._tag_counts.setdefault(lemma, {})
            counts[pos] = counts.get(pos, 0) + int(count)
        self.has_tag_counts = bool(self._tag_counts)

    def synset(self, wnid: str) -> NounSynset | None:
        """The synset with this wnid, or None where data.noun has no synset at that offset."""
        offset = wnid_offset(wnid)
        if offset >= len(self._data) or (offset > 0 and self._data[offset - 1 : offset] != b"\n"):
            return None
        line = self._data[offset : self._data.find(b"\n", offset)].decode("utf-8")
        fields = line.split(" ")
        if fields[0] != f"{offset:08d}" or fields[2] != "n":
            return None
        n_words = int(fields[3], 16)
        lemmas = tuple(fields[4 + 2 * i] for i in range(n_words))
        position = 4 + 2 * n_words
        n_pointers = int(fields[position])
        hyponyms, hypernyms = [], []
        for i in range(n_pointers):
            symbol, target, pos = fields[position + 1 + 4 * i : position + 4 + 4 * i]
            if symbol in _HYPONYM_POINTERS and pos == "n":
                hyponyms.append(f"n{target}")
            elif symbol in _HYPERNYM_POINTERS and pos == "n":
                hypernyms.append(f"n{target}")
        return NounSynset(wnid, lemmas, tuple(hyponyms), tuple(hypernyms))

    def hyponym_closure(self, wnid: str) -> list[str]:
        """Every hyponym below the synset, breadth first, each once."""
        seen = {wnid}
        order: list[str] = []
        frontier = [wnid]
        while frontier:
            following = []
            for current in frontier:
                synset = self.synset(current)
                for child in synset.hyponyms if synset else ():
                    if child not in seen:
                        seen.add(child)
                        order.append(child)
                        following.append(child)
            frontier = following
        return order

    def noun_senses(self, text: str) -> int:
        """How many noun senses WordNet lists for the text (0 where it has none)."""
        key = lemma_key(text)
        offsets = self._index.get(key)
        if offsets is None:
            offsets = self._index.get(key.replace("-", "_"), ())
        return len(offsets)

    def first_noun_sense(self, text: str) -> str | None:
        """The wnid of the text's most frequent noun sense (index.noun lists senses by frequency)."""
        key = lemma_key(text)
        offsets = self._index.get(key) or self._index.get(key.replace("-", "_"))
        return f"n{offsets[0]:08d}" if offsets else None

    def other_senses(self, text: str) -> dict[str, int]:
        """The text's senses as a verb ("v"), adjective ("a") and adverb ("r"), where it has any."""
        return dict(self._other_senses.get(lemma_key(text), {}))

    def tag_counts(self, text: str) -> dict[str, int]:
        """How often the text was tagged as each part of speech ("n", "v", "a", "r") in WordNet's semantic
        concordance (cntlist.rev); empty where it never was, or the installation lacks the file."""
        return dict(self._tag_counts.get(lemma_key(text), {}))

    @cached_property
    def irregular_plurals(self) -> dict[str, tuple[str, ...]]:
        """{singular: its irregular plurals} from noun.exc, whose rows (inflected form, base forms...) also list
        gerunds (crying → cry) and abbreviations: only plurals of one word kept."""
        table: dict[str, list[str]] = {}
        for inflected, *bases in self._exceptions:
            for base in bases:
                if inflected != base and not inflected.endswith(("ing", "ings")) and not {".", "_"} & set(inflected):
                    table.setdefault(base, []).append(inflected)
        return {base: tuple(sorted(forms)) for base, forms in table.items()}

    def noun_sense_wnids(self, text: str) -> list[str]:
        """The wnids of the text's noun senses, most frequent first (index.noun's order)."""
        key = lemma_key(text)
        offsets = self._index.get(key) or self._index.get(key.replace("-", "_")) or ()
        return [f"n{offset:08d}" for offset in offsets]

    def noun_exceptions(self) -> list[tuple[str, ...]]:
        """noun.exc: each row is an inflected form followed by its base forms."""
        return list(self._exceptions)


def _optional(read: Callable[[str], bytes], name: str) -> str:
    """A file WordNet installations may lack (NLTK's data has no cntlist.rev in some versions): "" then."""
    try:
        return read(name).decode("utf-8")
    except (OSError, ValueError):  # a directory's missing file, or NLTK's zip pointer to one
        return ""


def _directory_reader(directory: Path) -> Callable[[str], bytes]:
    return lambda name: (directory / name).read_bytes()


def _candidate_directories() -> list[Path]:
    candidates = []
    if os.environ.get("FREQSCOPE_WORDNET"):
        candidates.append(Path(os.environ["FREQSCOPE_WORDNET"]))
    candidates.extend(Path(d) for d in _DEBIAN_DIRS)
    if os.environ.get("WNHOME"):
        candidates.append(Path(os.environ["WNHOME"]) / "dict")
    return candidates


def _nltk_reader() -> tuple[Callable[[str], bytes], str] | None:
    """NLTK's wordnet data (a directory or its zip), found the way NLTK finds it, without its reader."""
    try:
        import nltk.data
    except ImportError:
        return None
    try:
        pointer = nltk.data.find("corpora/wordnet")
    except LookupError:
        return None

    def read(name: str) -> bytes:
        with pointer.join(name).open() as stream:
            return stream.read()

    return read, str(pointer)


@lru_cache(maxsize=1)
def find_wordnet() -> WordNet | None:
    """The first WordNet 3.0 installation found, or None. Reads it once per process."""
    for directory in _candidate_directories():
        if all((directory / name).is_file() for name in _FILES):
            return WordNet(_directory_reader(directory), str(directory))
    from_nltk = _nltk_reader()
    if from_nltk is not None:
        read, location = from_nltk
        try:
            return WordNet(read, location)
        except OSError:
            return None
    return None


def require_wordnet(reason: str) -> WordNet:
    """WordNet, or a FreqscopeError saying why it is needed and how to install it."""
    wordnet = find_wordnet()
    if wordnet is None:
        raise FreqscopeError(f"WordNet 3.0 is needed {reason} but was not found; {INSTALL_HINT}")
    return wordnet
