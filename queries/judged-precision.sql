-- description: The classes judged with `freqscope audit --import`: judged precision, the documents
--   judged, and the precision-weighted exposure (docs x precision) next to the raw count.
-- param corpus VARCHAR = NULL: the corpus (NULL: every corpus)
-- param taxonomy VARCHAR = NULL: the class list (NULL: every list)
SELECT corpus, taxonomy, class_index, class, docs, n_judged,
       round(precision, 4) AS precision,
       round(precision_weighted, 2) AS precision_weighted
FROM exposure_weighted
WHERE n_judged IS NOT NULL
  AND ($corpus IS NULL OR corpus = $corpus)
  AND ($taxonomy IS NULL OR taxonomy = $taxonomy)
ORDER BY corpus, taxonomy, precision, class_index;
