-- description: Exposure joined with per-class accuracy (imported or measured), one row per model,
--   corpus and class; precision_weighted is docs x judged precision where the class was audited.
-- param taxonomy VARCHAR = NULL: the class list (NULL: every list with accuracy)
-- param corpus VARCHAR = NULL: the corpus (NULL: every corpus)
-- param model VARCHAR = NULL: the model (NULL: every model)
SELECT a.model, a.source AS accuracy_source, e.corpus, e.taxonomy, e.class_index, e.class,
       e.docs, e.mentions, round(e.docs / s.n_docs, 6) AS share,
       e.precision, e.precision_weighted,
       a.accuracy, a.n AS images
FROM exposure_weighted e
JOIN class_accuracy a USING (taxonomy, class_index)
LEFT JOIN corpus_sizes s USING (corpus)
WHERE ($taxonomy IS NULL OR e.taxonomy = $taxonomy)
  AND ($corpus IS NULL OR e.corpus = $corpus)
  AND ($model IS NULL OR a.model = $model)
ORDER BY a.model, a.source, e.corpus, e.taxonomy, e.docs DESC, e.class_index;
