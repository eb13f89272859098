-- description: Ambiguous terms (the same words stand for several classes of a list) and their share of
--   the counts: of their class's documents and mentions, and of all the list's mentions in the corpus.
-- param corpus VARCHAR = NULL: the corpus (NULL: every corpus)
-- param taxonomy VARCHAR = NULL: the class list (NULL: every list)
-- param limit INTEGER = 100: rows, most mentions first
WITH term_counts AS (
    SELECT s.corpus, m.taxonomy, m.class_index, m.term_id,
           count(DISTINCT (m.source_id, m.doc)) AS docs,
           sum(m.n)::BIGINT AS mentions
    FROM matches m
    JOIN sources s USING (source_id)
    WHERE s.status = 'done'
      AND ($corpus IS NULL OR s.corpus = $corpus)
      AND ($taxonomy IS NULL OR m.taxonomy = $taxonomy)
    GROUP BY ALL
),
shared AS (
    SELECT tc.*, sum(tc.mentions) OVER (PARTITION BY tc.corpus, tc.taxonomy) AS list_mentions
    FROM term_counts tc
)
SELECT sh.corpus, sh.taxonomy, t.term, t.origin, sh.class_index, e.class,
       sh.docs, sh.mentions,
       round(sh.docs / e.docs, 4) AS share_of_class_docs,
       round(sh.mentions / e.mentions, 4) AS share_of_class_mentions,
       round(sh.mentions / sh.list_mentions, 6) AS share_of_list_mentions,
       t.wordnet_senses
FROM shared sh
JOIN terms t ON t.taxonomy = sh.taxonomy AND t.term_id = sh.term_id
JOIN exposure e ON e.corpus = sh.corpus AND e.taxonomy = sh.taxonomy AND e.class_index = sh.class_index
WHERE t.ambiguous
ORDER BY sh.mentions DESC, sh.corpus, sh.taxonomy, t.term, sh.class_index
LIMIT $limit;
