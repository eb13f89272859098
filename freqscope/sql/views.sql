-- Views are the stable names users query; recreated on every writable open so they follow the schema.

-- Every match of every term, per document, role and term, with the term's tier and whether it counted for the
-- class (a name or specific term; a context term where a context word of the class was in the same text):
-- patterns expanded to their classes, for the lists the source was matched against at their current fingerprints.
CREATE OR REPLACE VIEW matches_all_terms AS
WITH stored AS (
    SELECT source_id, doc, NULL::VARCHAR AS role, pattern_id, n FROM pattern_matches
    UNION ALL
    SELECT source_id, doc, role, pattern_id, n FROM pattern_matches_by_role
)
SELECT m.source_id, m.doc, k.doc_key, m.role, p.taxonomy, p.class_index, p.term_id, m.n, t.tier,
       coalesce(t.tier IN ('name', 'specific') OR (t.tier = 'context' AND c.doc IS NOT NULL), false) AS counted
FROM stored m
JOIN sources s USING (source_id)
JOIN patterns p ON p.pattern_set = s.pattern_set AND p.pattern_id = m.pattern_id
JOIN source_taxonomies st ON st.source_id = m.source_id AND st.taxonomy = p.taxonomy
JOIN terms t ON t.taxonomy = p.taxonomy AND t.term_id = p.term_id
LEFT JOIN context_docs c ON c.source_id = m.source_id AND c.doc = m.doc AND c.taxonomy = p.taxonomy
                        AND c.class_index = p.class_index
LEFT JOIN document_keys k ON k.source_id = m.source_id AND k.doc = m.doc;

-- The matches that counted (exposure's `docs`): the provenance of each count.
CREATE OR REPLACE VIEW matches AS
SELECT source_id, doc, doc_key, role, taxonomy, class_index, term_id, n FROM matches_all_terms WHERE counted;

-- Exposure of every class of every taxonomy a corpus was indexed against, zeros included.
CREATE OR REPLACE VIEW exposure AS
WITH indexed AS (
    SELECT DISTINCT s.corpus, st.taxonomy
    FROM sources s JOIN source_taxonomies st USING (source_id)
    WHERE s.status = 'done'
),
counted AS (
    SELECT s.corpus, k.taxonomy, k.class_index,
           sum(k.docs) AS docs, sum(k.mentions) AS mentions,
           sum(k.docs_human) AS docs_human, sum(k.mentions_human) AS mentions_human,
           sum(k.docs_gpt) AS docs_gpt, sum(k.mentions_gpt) AS mentions_gpt
    FROM source_counts k JOIN sources s USING (source_id)
    WHERE s.status = 'done'
    GROUP BY ALL
)
SELECT i.corpus, i.taxonomy, c.class_index, c.class, c.wnid,
       coalesce(k.docs, 0)::BIGINT      AS docs,
       coalesce(k.mentions, 0)::BIGINT  AS mentions,
       CASE WHEN co.kind = 'instructions' THEN coalesce(k.docs_human, 0) END::BIGINT     AS docs_human,
       CASE WHEN co.kind = 'instructions' THEN coalesce(k.mentions_human, 0) END::BIGINT AS mentions_human,
       CASE WHEN co.kind = 'instructions' THEN coalesce(k.docs_gpt, 0) END::BIGINT       AS docs_gpt,
       CASE WHEN co.kind = 'instructions' THEN coalesce(k.mentions_gpt, 0) END::BIGINT   AS mentions_gpt
FROM indexed i
JOIN corpora co ON co.corpus = i.corpus
JOIN classes c ON c.taxonomy = i.taxonomy
LEFT JOIN counted k ON k.corpus = i.corpus AND k.taxonomy = i.taxonomy AND k.class_index = c.class_index
UNION ALL
SELECT ic.corpus, ic.taxonomy, c.class_index, c.class, c.wnid,
       ic.docs, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT
FROM imported_counts ic JOIN classes c USING (taxonomy, class_index);

-- The "names only" and "every term" counting variants, read from the stored matches (the sensitivity table's):
-- documents that mention the class by a name-tier term, and by any of its terms whatever the tier; and the
-- documents that name a generic parent name of the class (never in `docs`: a parent name stands for many classes,
-- "dog" for 118, so it is counted here, on demand, not per class while indexing). Classes with a match only;
-- `exposure` has every class.
CREATE OR REPLACE VIEW exposure_tiers AS
SELECT s.corpus, a.taxonomy, a.class_index,
       count(DISTINCT (a.source_id, a.doc)) FILTER (WHERE a.tier = 'name')::BIGINT AS docs_names,
       count(DISTINCT (a.source_id, a.doc)) FILTER (WHERE a.tier <> 'generic')::BIGINT AS docs_all_terms,
       count(DISTINCT (a.source_id, a.doc)) FILTER (WHERE a.tier = 'generic')::BIGINT AS generic_docs
FROM matches_all_terms a JOIN sources s USING (source_id)
WHERE s.status = 'done'
GROUP BY ALL;

-- Documents per corpus, to turn counts into shares.
CREATE OR REPLACE VIEW corpus_sizes AS
SELECT corpus, sum(n_docs)::BIGINT AS n_docs, count(*)::BIGINT AS n_sources
FROM sources WHERE status = 'done' GROUP BY corpus;

-- Per-class accuracy from imports and from inference runs (accuracy is a fraction in [0, 1]).
CREATE OR REPLACE VIEW class_accuracy AS
SELECT a.model, a.taxonomy, a.class_index, c.class, a.accuracy, a.n, 'import:' || a.source_file AS source
FROM accuracy_imports a JOIN classes c USING (taxonomy, class_index)
UNION ALL
SELECT r.model, r.taxonomy, p.label_index AS class_index, c.class,
       avg(CASE WHEN p.predicted_index = p.label_index THEN 1.0 ELSE 0.0 END) AS accuracy,
       count(*)::INTEGER AS n, 'run:' || r.run_id AS source
FROM predictions p
JOIN runs r USING (run_id)
JOIN classes c ON c.taxonomy = r.taxonomy AND c.class_index = p.label_index
WHERE p.error IS NULL
GROUP BY r.model, r.taxonomy, p.label_index, c.class, r.run_id;

-- Judged precision per class and the exposure it implies (docs x precision where judged).
CREATE OR REPLACE VIEW class_precision AS
SELECT corpus, taxonomy, class_index, avg(CASE WHEN relevant THEN 1.0 ELSE 0.0 END) AS precision,
       count(*)::INTEGER AS n_judged
FROM audit_labels GROUP BY ALL;

CREATE OR REPLACE VIEW exposure_weighted AS
SELECT e.*, p.precision, p.n_judged,
       CASE WHEN p.precision IS NULL THEN e.docs ELSE e.docs * p.precision END AS precision_weighted
FROM exposure e LEFT JOIN class_precision p USING (corpus, taxonomy, class_index);
