"""Hand-built databases for the analysis, report and accuracy tests (no index needed)."""
from __future__ import annotations

from freqscope.store import open_database, store_class_list, transaction
from freqscope.terms.taxonomy import ClassEntry, ClassList, Term


SOURCE_COUNTS_FROM_MATCHES_SQL = """
INSERT INTO source_counts (source_id, taxonomy, class_index, docs, mentions, docs_human, mentions_human, docs_gpt,
                           mentions_gpt)
SELECT source_id, taxonomy, class_index, count(DISTINCT doc), sum(n), 0, 0, 0, 0
FROM matches WHERE source_id = ? GROUP BY ALL
"""


def class_list(name: str, names: list[str], ambiguous: set[str] = frozenset()) -> ClassList:
    return ClassList(name, f"test:{name}", classes=[ClassEntry(i, n) for i, n in enumerate(names)],
                     terms=[Term(i, n, "name", ambiguous=n in ambiguous, tier="name") for i, n in enumerate(names)])


def indexed_corpus(connection, corpus: str, taxonomy: str, docs_per_class: dict[int, list[int]],
                   ambiguous_docs: dict[int, list[int]] | None = None, n_docs: int = 1000) -> None:
    """An indexed corpus of one source: class i is mentioned in docs_per_class[i] (term i), and in
    ambiguous_docs[i] through a second, ambiguous term (term_id 1000 + i) that the test list must hold."""
    with transaction(connection):
        connection.execute("INSERT INTO corpora (corpus, format, kind, text_column, rules) VALUES "
                           "(?, 'text', 'captions', NULL, '{\"case_sensitive\": false}')", [corpus])
        pattern_set = f"test-{corpus}"
        (source_id,) = connection.execute(
            "INSERT INTO sources (corpus, path, status, n_docs, pattern_set) VALUES (?, ?, 'done', ?, ?) "
            "RETURNING source_id", [corpus, f"/data/{corpus}.txt", n_docs, pattern_set]).fetchall()[0]
        connection.execute("INSERT INTO source_taxonomies (source_id, taxonomy, taxonomy_fingerprint) "
                           "SELECT ?, taxonomy, fingerprint FROM taxonomies WHERE taxonomy = ?", [source_id, taxonomy])
        # one pattern per term: pattern_id = term_id
        connection.execute("INSERT INTO patterns SELECT ?, term_id, words, taxonomy, class_index, term_id "
                           "FROM terms WHERE taxonomy = ?", [pattern_set, taxonomy])
        for class_index, docs in docs_per_class.items():
            for doc in docs:
                connection.execute("INSERT INTO pattern_matches VALUES (?, ?, ?, 1)", [source_id, doc, class_index])
        for class_index, docs in (ambiguous_docs or {}).items():
            for doc in docs:
                connection.execute("INSERT INTO pattern_matches VALUES (?, ?, ?, 1)",
                                   [source_id, doc, 1000 + class_index])
        # the index writes per-source counts with the matches; the exposure view reads them
        connection.execute(SOURCE_COUNTS_FROM_MATCHES_SQL, [source_id])


def accuracy_rows(connection, model: str, taxonomy: str, accuracy: dict[int, float]) -> None:
    with transaction(connection):
        for class_index, value in accuracy.items():
            connection.execute("INSERT INTO accuracy_imports (model, taxonomy, class_index, accuracy, source_file) "
                               "VALUES (?, ?, ?, ?, 'test.csv')", [model, taxonomy, class_index, value])


def small_database(path, n_classes: int = 30):
    """30 animals; class i mentioned in 2**(i // 3) - 1 documents; accuracy rising with log exposure."""
    connection = open_database(path)
    names = [f"animal {i}" for i in range(n_classes)]
    names[0] = "cat"
    listing = class_list("zoo", names)
    listing.terms.append(Term(1, "pet", "synonym", ambiguous=True))
    with transaction(connection):
        store_class_list(connection, listing)
        connection.execute("UPDATE terms SET term_id = 1001 WHERE taxonomy = 'zoo' AND term = 'pet'")
    docs = {i: list(range(2 ** (i // 3) - 1)) for i in range(n_classes)}
    indexed_corpus(connection, "captions", "zoo", docs, ambiguous_docs={1: [900, 901, 902]})
    accuracy_rows(connection, "model-a", "zoo", {i: min(1.0, 0.1 + 0.025 * i + 0.01 * (i % 3)) for i in range(n_classes)})
    accuracy_rows(connection, "model-b", "zoo", {i: min(1.0, 0.3 + 0.02 * (i % 7)) for i in range(n_classes)})
    return connection
