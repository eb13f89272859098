-- Which corpora give exposure for which lists, and which models give accuracy for which lists:
-- the choices `freqscope analyze` and `freqscope report` offer when none is named.
SELECT 'corpus' AS what, e.corpus AS name, co.kind, e.taxonomy, count(*) AS n_classes
FROM exposure e JOIN corpora co USING (corpus)
GROUP BY ALL
UNION ALL
SELECT 'model', model, NULL, taxonomy, count(DISTINCT class_index)
FROM class_accuracy
GROUP BY ALL
ORDER BY what, name, taxonomy;
