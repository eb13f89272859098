-- What each corpus is: its kind (captions, instructions, imported), format, documents indexed and a file read.
-- Imported counts have no document count here (their size is what their publisher says); the file is the import's.
-- Parameters: $corpora, a list of names.
SELECT co.corpus, co.kind, co.format, cs.n_docs, cs.n_sources,
       coalesce((SELECT min(s.path) FROM sources s WHERE s.corpus = co.corpus AND s.status = 'done'),
                (SELECT min(i.source_file) FROM imported_counts i WHERE i.corpus = co.corpus)) AS a_file
FROM corpora co
LEFT JOIN corpus_sizes cs USING (corpus)
WHERE list_contains($corpora, co.corpus)
ORDER BY co.corpus;
