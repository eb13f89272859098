-- Per-class accuracy of one model on the chosen lists, from imports and inference runs (view class_accuracy).
-- Parameters: $model, a model name; $taxonomies, a list of names.
SELECT taxonomy, class_index, class, accuracy, n, source
FROM class_accuracy
WHERE model = $model AND list_contains($taxonomies, taxonomy)
ORDER BY taxonomy, class_index, source;
