-- Exposure of each class of the chosen lists in each chosen corpus, under five counting variants:
--   docs               documents that mention the class (view exposure);
--   docs_unambiguous   the same, counting only terms that stand for one class of the list
--                      (indexed corpora only: imported counts are kept as published);
--   precision_weighted docs x judged precision where an audit judged the class (view exposure_weighted);
--   docs_names         documents that mention the class by a name-tier term (view exposure_tiers);
--   docs_all_terms     documents that mention the class by any term, whatever its tier
--                      (both: indexed corpora only; imported counts are kept as published).
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
       (CASE WHEN co.kind = 'imported' THEN w.docs ELSE coalesce(v.docs_names, 0) END)::DOUBLE AS docs_names,
       (CASE WHEN co.kind = 'imported' THEN w.docs ELSE coalesce(v.docs_all_terms, 0) END)::DOUBLE AS docs_all_terms,
       w.precision IS NOT NULL AS judged
FROM exposure_weighted w
JOIN corpora co USING (corpus)
LEFT JOIN unambiguous u USING (corpus, taxonomy, class_index)
LEFT JOIN exposure_tiers v USING (corpus, taxonomy, class_index)
WHERE list_contains($corpora, w.corpus) AND list_contains($taxonomies, w.taxonomy)
ORDER BY w.corpus, w.taxonomy, w.class_index;
