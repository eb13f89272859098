-- description: Pretraining against instruction exposure, side by side per class, and their sum (the
--   seed paper's frequency). Pretraining: caption and imported corpora; instruction: instruction corpora.
--   A side is NULL where no corpus of that kind was indexed against the list.
-- param taxonomy VARCHAR = imagenet1k: the class list
-- param pretraining VARCHAR = NULL: one pretraining corpus (NULL: the sum over all of them)
-- param instruction VARCHAR = NULL: one instruction corpus (NULL: the sum over all of them)
WITH sides AS (
    SELECT e.class_index,
           CASE WHEN co.kind = 'instructions' THEN 'instruction' ELSE 'pretraining' END AS side,
           e.corpus, e.docs, e.docs_human, e.docs_gpt
    FROM exposure e
    JOIN corpora co USING (corpus)
    WHERE e.taxonomy = $taxonomy
      AND (co.kind = 'instructions' OR $pretraining IS NULL OR e.corpus = $pretraining)
      AND (co.kind <> 'instructions' OR $instruction IS NULL OR e.corpus = $instruction)
),
per_class AS (
    SELECT class_index,
           sum(docs) FILTER (WHERE side = 'pretraining')::BIGINT AS pretraining_docs,
           sum(docs) FILTER (WHERE side = 'instruction')::BIGINT AS instruction_docs,
           sum(docs_human) FILTER (WHERE side = 'instruction')::BIGINT AS instruction_docs_human,
           sum(docs_gpt) FILTER (WHERE side = 'instruction')::BIGINT AS instruction_docs_gpt
    FROM sides
    GROUP BY class_index
)
SELECT c.taxonomy, c.class_index, c.class,
       p.pretraining_docs, p.instruction_docs, p.instruction_docs_human, p.instruction_docs_gpt,
       (coalesce(p.pretraining_docs, 0) + coalesce(p.instruction_docs, 0))::BIGINT AS total_docs,
       round(p.instruction_docs / nullif(coalesce(p.pretraining_docs, 0) + p.instruction_docs, 0), 4) AS instruction_share,
       (SELECT string_agg(DISTINCT corpus, '+' ORDER BY corpus) FROM sides WHERE side = 'pretraining') AS pretraining_corpora,
       (SELECT string_agg(DISTINCT corpus, '+' ORDER BY corpus) FROM sides WHERE side = 'instruction') AS instruction_corpora
FROM classes c
LEFT JOIN per_class p USING (class_index)
WHERE c.taxonomy = $taxonomy
ORDER BY total_docs DESC, c.class_index;
