-- description: Which terms carried a class's count: documents and mentions per term (name, synonym,
--   WordNet lemma, hyponym, plural) and each term's share of the class's documents, per corpus.
-- param class VARCHAR = dog: the class name (case-insensitive)
-- param taxonomy VARCHAR = NULL: the class list (NULL: every list that has a class of that name)
-- param corpus VARCHAR = NULL: the corpus (NULL: every corpus)
SELECT s.corpus, m.taxonomy, m.class_index, c.class, t.term, t.origin, t.ambiguous, t.wordnet_senses,
       count(DISTINCT (m.source_id, m.doc)) AS docs,
       sum(m.n)::BIGINT AS mentions,
       round(count(DISTINCT (m.source_id, m.doc)) / any_value(e.docs), 4) AS share_of_class_docs
FROM matches m
JOIN sources s USING (source_id)
JOIN classes c ON c.taxonomy = m.taxonomy AND c.class_index = m.class_index
JOIN terms t ON t.taxonomy = m.taxonomy AND t.term_id = m.term_id
JOIN exposure e ON e.corpus = s.corpus AND e.taxonomy = m.taxonomy AND e.class_index = m.class_index
WHERE s.status = 'done'
  AND lower(c.class) = lower($class)
  AND ($taxonomy IS NULL OR m.taxonomy = $taxonomy)
  AND ($corpus IS NULL OR s.corpus = $corpus)
GROUP BY s.corpus, m.taxonomy, m.class_index, c.class, t.term, t.origin, t.ambiguous, t.wordnet_senses
ORDER BY s.corpus, m.taxonomy, m.class_index, docs DESC, t.term;
