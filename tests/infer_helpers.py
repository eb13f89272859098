"""Class lists and datasets the infer tests share (the models come from ``freqscope.infer.synthetic``)."""
from __future__ import annotations

from freqscope.terms.taxonomy import ClassEntry, ClassList, Term

TOY_NAMES = ["golden retriever", "tabby cat", "goldfish", "sea lion"]


def toy_class_list(names: list[str] = TOY_NAMES, name: str = "toy") -> ClassList:
    """A hand-built list (wnids n00000000, n00000001, ...) with name and plural terms."""
    classes = [ClassEntry(i, n, f"n{i:08d}") for i, n in enumerate(names)]
    terms = [Term(i, n, "name") for i, n in enumerate(names)] + [Term(i, n + "s", "plural") for i, n in enumerate(names)]
    return ClassList(name, "test", classes, terms)
