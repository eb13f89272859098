-- description: The classes a corpus never mentions: no document matched any of their terms.
--   Shows the terms that were searched for, to tell a gap in the corpus from a gap in the terms.
-- param corpus VARCHAR = NULL: the corpus (NULL: every corpus)
-- param taxonomy VARCHAR = NULL: the class list (NULL: every list)
SELECT e.corpus, e.taxonomy, e.class_index, e.class, e.wnid,
       (SELECT string_agg(t.term, '; ' ORDER BY t.term_id)
        FROM terms t
        WHERE t.taxonomy = e.taxonomy AND t.class_index = e.class_index AND t.origin <> 'plural') AS terms_searched
FROM exposure e
WHERE e.docs = 0
  AND ($corpus IS NULL OR e.corpus = $corpus)
  AND ($taxonomy IS NULL OR e.taxonomy = $taxonomy)
ORDER BY e.corpus, e.taxonomy, e.class_index;
