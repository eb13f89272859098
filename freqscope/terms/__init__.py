"""The term model: which words stand for each class of a list, and how far each is trusted.

``taxonomy`` is the data model (``ClassList``, ``ClassEntry``, ``Term`` with its tier and reason), ``classes``
builds a list (built-in, pre-expanded, or a CSV expanded on load), ``wordnet`` reads WordNet 3.0's files,
``inflection`` gives a term's other number (plural or singular), ``tiers`` decides each term's tier and
``curated`` reads the curated term data in ``data/terms/``.
"""
