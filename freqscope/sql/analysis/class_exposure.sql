-- Exposure of each class of the chosen lists in each chosen corpus, under three counting variants:
--   docs               documents that mention the class (view exposure);
--   docs_unambiguous   the same, counting only terms that stand for one class of the list
--                      (indexed corpora only: imported counts are kept as published);
--   precision_weighted docs x judged precision where an audit judged the class (view exposure_weighted).
-- Parameters: $taxonomies and $corpora, lists of names.
WITH unambiguous AS (
    SELECT s.corpus, m.taxonomy, m.class_index, count(DISTINCT (m.source_id, m.doc)) AS docs
    FROM matches m
    JOIN sources s USING (source_id)
    JOIN terms t ON t.taxonomy = m.taxonomy AND t.term_id = m.term_id
    WHERE s.status = 'done' AND NOT t.ambiguous
      AND list_contains($corpora, s.corpus) AND list_contains($taxonomies, m.taxonomy)
    GROUP BY ALL
)
SELECT w.corpus, co.kind, w.taxonomy, w.class_index, w.class,
       w.docs::DOUBLE AS docs,
       (CASE WHEN co.kind = 'imported' THEN w.docs ELSE coalesce(u.docs, 0) END)::DOUBLE AS docs_unambiguous,
       w.precision_weighted::DOUBLE AS precision_weighted,
       w.precision IS NOT NULL AS judged
FROM exposure_weighted w
JOIN corpora co USING (corpus)
LEFT JOIN unambiguous u USING (corpus, taxonomy, class_index)
WHERE list_contains($corpora, w.corpus) AND list_contains($taxonomies, w.taxonomy)
ORDER BY w.corpus, w.taxonomy, w.class_index;
