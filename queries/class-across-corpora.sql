-- description: One class across all corpora: documents, mentions and share of each corpus, with the
--   judged precision and precision-weighted count where the class was audited.
-- param class VARCHAR = dog: the class name (case-insensitive)
-- param taxonomy VARCHAR = NULL: the class list (NULL: every list that has a class of that name)
SELECT e.taxonomy, e.class_index, e.class, e.corpus, co.kind,
       e.docs, e.mentions, s.n_docs AS corpus_docs,
       round(e.docs / s.n_docs, 6) AS share,
       e.docs_human, e.docs_gpt,
       e.precision, e.precision_weighted
FROM exposure_weighted e
JOIN corpora co USING (corpus)
LEFT JOIN corpus_sizes s USING (corpus)
WHERE lower(e.class) = lower($class)
  AND ($taxonomy IS NULL OR e.taxonomy = $taxonomy)
ORDER BY e.taxonomy, e.class_index, e.docs DESC, e.corpus;
