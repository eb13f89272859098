-- description: The most exposed classes of a corpus: the documents that mention each class, most first,
--   with their share of the corpus and the precision-weighted count where matches were audited.
-- param corpus VARCHAR = NULL: the corpus (NULL: every corpus, ranked separately)
-- param taxonomy VARCHAR = imagenet1k: the class list
-- param limit INTEGER = 20: classes per corpus
SELECT e.corpus,
       row_number() OVER (PARTITION BY e.corpus ORDER BY e.docs DESC, e.class_index) AS rank,
       e.taxonomy, e.class_index, e.class, e.docs, e.mentions,
       round(e.docs / s.n_docs, 6) AS share,
       e.precision_weighted
FROM exposure_weighted e
LEFT JOIN corpus_sizes s USING (corpus)
WHERE e.taxonomy = $taxonomy
  AND ($corpus IS NULL OR e.corpus = $corpus)
QUALIFY rank <= $limit
ORDER BY e.corpus, rank;
