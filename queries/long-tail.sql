-- description: The long tail per corpus and class list: classes never mentioned, classes under a number
--   of documents, the median, and the share of (class, document) counts held by the top and bottom
--   fraction of classes (a document that mentions two classes counts for both).
-- param corpus VARCHAR = NULL: the corpus (NULL: every corpus)
-- param taxonomy VARCHAR = NULL: the class list (NULL: every list)
-- param threshold INTEGER = 10: count the classes with fewer documents than this
-- param fraction DOUBLE = 0.2: the top and bottom fraction of classes (0.2: 20%)
WITH ranked AS (
    SELECT corpus, taxonomy, class_index, docs,
           row_number() OVER (PARTITION BY corpus, taxonomy ORDER BY docs DESC, class_index) AS rank,
           count(*) OVER (PARTITION BY corpus, taxonomy) AS n_classes,
           -- round first: 0.2 * 100 is 20.000000000000004 in floating point
           ceil(round(count(*) OVER (PARTITION BY corpus, taxonomy) * $fraction, 9)) AS n_fraction
    FROM exposure
    WHERE ($corpus IS NULL OR corpus = $corpus)
      AND ($taxonomy IS NULL OR taxonomy = $taxonomy)
)
SELECT corpus, taxonomy,
       any_value(n_classes) AS n_classes,
       count(*) FILTER (WHERE docs = 0) AS classes_never,
       $threshold AS threshold,
       count(*) FILTER (WHERE docs < $threshold) AS classes_under_threshold,
       sum(docs)::BIGINT AS class_docs,
       median(docs) AS median_docs,
       any_value(n_fraction)::INTEGER AS classes_in_fraction,
       round(sum(docs) FILTER (WHERE rank <= n_fraction) / nullif(sum(docs), 0), 4) AS top_share,
       round(coalesce(sum(docs) FILTER (WHERE rank > n_classes - n_fraction), 0) / nullif(sum(docs), 0), 4) AS bottom_share
FROM ranked
GROUP BY corpus, taxonomy
ORDER BY corpus, taxonomy;
